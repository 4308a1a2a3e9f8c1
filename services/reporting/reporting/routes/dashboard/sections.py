"""Small HTML building blocks of the dashboard, every value escaped."""

from collections.abc import Sequence
from html import escape


def figures_table(rows: Sequence[tuple[str, str]]) -> str:
    """A two-column table of named figures."""
    body = "".join(f'<tr><th scope="row">{escape(k)}</th><td class="n">{escape(v)}</td></tr>' for k, v in rows)
    return f"<table>{body}</table>"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table with a header row; says so when there are no rows."""
    if not rows:
        return '<p class="empty">None.</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
