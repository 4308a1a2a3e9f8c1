"""Accessible HTML building blocks of the public pages: one h1, a skip link, captioned tables, escaped values."""

from collections.abc import Sequence
from html import escape

# Text #1b1b1b and links #0b4f9c on white are well above WCAG AA's 4.5:1; the focus outline shows the skip link.
STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff;line-height:1.5}
main,header,footer{max-width:960px;margin:0 auto;padding:0 1rem}a{color:#0b4f9c}
.skip{position:absolute;left:-999px}
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;outline:3px solid #0b4f9c}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}caption{text-align:left;font-weight:600;padding:.3rem 0}
td,th{padding:.3rem .7rem;border-bottom:1px solid #ccc;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#444}
"""


def page(title: str, body: str) -> str:
    """A whole page: language, title, skip link, header with the one h1, and the main content."""
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}: Community Wealth Fund</title><style>{STYLE}</style></head><body>"
        '<a class="skip" href="#main">Skip to content</a>'
        f'<header><p><a href="/public/">Community Wealth Fund</a></p><h1>{escape(title)}</h1></header>'
        f'<main id="main">{body}</main>'
        '<footer><p class="note">Money is shown in pounds; "paid" is what has reached the neighbourhood after any '
        "payment the bank returned. No personal data is published here.</p></footer></body></html>"
    )


def figures(caption: str, rows: Sequence[tuple[str, str, str]]) -> str:
    """A two-column table of named figures; each row is (id, name, value) and its value cell carries the id."""
    body = "".join(
        f'<tr><th scope="row">{escape(name)}</th><td class="n" id="{escape(key)}">{escape(value)}</td></tr>'
        for key, name, value in rows
    )
    return f"<table><caption>{escape(caption)}</caption><tbody>{body}</tbody></table>"


def table(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int] | None = None) -> str:
    """A captioned table with column headers; cells are escaped unless a cell is marked as markup (a link)."""
    if not rows:
        return f'<p class="note">{escape(caption)}: none yet.</p>'
    numeric = numeric or set()
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(_cell(c, i in numeric) for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class Markup(str):
    """Text that is already HTML (built here from escaped parts)."""


def link(href: str, text: str) -> Markup:
    """An escaped link."""
    return Markup(f'<a href="{escape(href)}">{escape(text)}</a>')


def _cell(value: str, numeric: bool) -> str:
    content = value if isinstance(value, Markup) else escape(value)
    return f'<td class="n">{content}</td>' if numeric else f"<td>{content}</td>"
