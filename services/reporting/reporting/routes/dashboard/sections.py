"""Small HTML building blocks of the dashboard, every value escaped."""

from collections.abc import Sequence
from html import escape

LIST_PATH = "/dashboard/lists/"


def percent(bp: int) -> str:
    """Basis points as a percentage with two decimals, exactly: 1234 -> '12.34%'."""
    return f"{bp // 100}.{bp % 100:02d}%"


def figures_table(rows: Sequence[tuple[str, str]], ids: Sequence[str] = ()) -> str:
    """A two-column table of named figures; value cells take the ids given, in order, as "figure-<id>"."""
    cells = [f' id="figure-{escape(i)}"' for i in ids] + [""] * len(rows)
    body = "".join(
        f'<tr><th scope="row">{escape(k)}</th><td class="n"{cell}>{escape(v)}</td></tr>'
        for (k, v), cell in zip(rows, cells, strict=False)
    )
    return f"<table>{body}</table>"


def linked_figures(rows: Sequence[tuple[str, str, str]]) -> str:
    """Named figures, each value linking to the list behind it; rows are (list name, name, value)."""
    body = "".join(
        f'<tr><th scope="row">{escape(name)}</th><td class="n">'
        f'<a id="figure-{escape(key)}" href="{LIST_PATH}{escape(key)}">{escape(value)}</a></td></tr>'
        for key, name, value in rows
    )
    return f"<table>{body}</table>"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], caption: str | None = None) -> str:
    """A table with a header row (and a caption when given); says so when there are no rows."""
    if not rows:
        return f'<p class="empty">{escape(caption) + ": none." if caption else "None."}</p>'
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
