"""Inline SVG bar charts: no JavaScript, no CDN, just markup."""

from collections.abc import Callable, Sequence
from html import escape

ROW_HEIGHT = 22
LABEL_WIDTH = 170
BAR_WIDTH = 360


def bar_chart(title: str, bars: Sequence[tuple[str, int]], label: Callable[[int], str] = str) -> str:
    """A horizontal bar chart of non-negative values, each bar labelled with `label(value)`."""
    if not bars:
        return f'<p class="empty">{escape(title)}: nothing yet.</p>'
    top = max(max(value for _, value in bars), 1)
    height = ROW_HEIGHT * len(bars) + 8
    rows = []
    for i, (name, value) in enumerate(bars):
        y = 4 + i * ROW_HEIGHT
        width = max(value, 0) * BAR_WIDTH // top
        rows.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(name)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width}" height="{ROW_HEIGHT - 6}" class="bar"/>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 15}">{escape(label(value))}</text>'
        )
    return (
        f"<figure><figcaption>{escape(title)}</figcaption>"
        f'<svg role="img" aria-label="{escape(title)}" width="{LABEL_WIDTH + BAR_WIDTH + 160}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(rows)}</svg></figure>'
    )
