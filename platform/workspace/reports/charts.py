"""Charts drawn on the server as SVG: no JavaScript, the same in every browser.

Each chart is an image with a text alternative (role="img", a <title> and a <desc>
that say what it shows and its largest figure); the page always has a table of the same
figures beside it, which is what screen reader users and anyone copying numbers read.
Colours are GOV.UK's: text #0b0c0c and bars #1d70b8 on white, both above 4.5:1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TEXT = "#0b0c0c"
BAR = "#1d70b8"
RULE = "#b1b4b6"
FONT = 'font-family="GDS Transport, arial, sans-serif"'
WIDTH = 720


@dataclass(frozen=True)
class Point:
    label: str
    value: int
    text: str  # the value as people read it: "£1,250", "12"


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _frame(ident: str, title: str, desc: str, height: int, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every piece of text in it is escaped here
        f'<svg xmlns="http://www.w3.org/2000/svg" class="epurse-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def describe(points: Sequence[Point], *, what: str) -> str:
    """A one-sentence summary for the chart's <desc>: the figures, largest first."""
    if not points or all(p.value == 0 for p in points):
        return f"No {what} in this period."
    ranked = sorted(points, key=lambda p: -p.value)
    shown = "; ".join(f"{p.label}: {p.text}" for p in ranked[:5])
    more = f"; and {len(ranked) - 5} more in the table below" if len(ranked) > 5 else ""
    return f"{what.capitalize()}, largest first. {shown}{more}."


def bar_chart(
    points: Sequence[Point], *, ident: str, title: str, what: str, limit: int = 15
) -> SafeString:
    """Horizontal bars, one per row (the first `limit`; the table has every row)."""
    shown = list(points[:limit])
    row, top, label_w, value_w = 34, 8, 230, 110
    bar_w = WIDTH - label_w - value_w - 16
    most = max((p.value for p in shown), default=0) or 1
    body = []
    for n, point in enumerate(shown):
        y = top + n * row
        length = max(round(bar_w * max(point.value, 0) / most), 1 if point.value else 0)
        body.append(
            f'<text x="{label_w - 8}" y="{y + 21}" text-anchor="end" font-size="16" '
            f'fill="{TEXT}" {FONT}>{escape(_clip(point.label, 26))}</text>'
            f'<rect x="{label_w}" y="{y + 5}" width="{length}" height="{row - 10}" fill="{BAR}"/>'
            f'<text x="{label_w + length + 8}" y="{y + 21}" font-size="16" fill="{TEXT}" '
            f"{FONT}>{escape(point.text)}</text>"
        )
    height = top * 2 + max(len(shown), 1) * row
    if not shown:
        body.append(
            f'<text x="8" y="{top + 21}" font-size="16" fill="{TEXT}" {FONT}>Nothing to show</text>'
        )
    return _frame(ident, title, describe(points, what=what), height, body)


def column_chart(
    points: Sequence[Point],
    *,
    ident: str,
    title: str,
    what: str,
    short: Callable[[int], str] = str,
) -> SafeString:
    """Vertical columns in order (months), each labelled below, its value above (in
    `short` form so it fits: "£12k")."""
    height, top, bottom = 300, 28, 48
    plot = height - top - bottom
    count = max(len(points), 1)
    slot = (WIDTH - 16) / count
    width = max(slot * 0.7, 4)
    most = max((p.value for p in points), default=0) or 1
    font = 14 if count <= 12 else 11
    body = [f'<line x1="8" y1="{top + plot}" x2="{WIDTH - 8}" y2="{top + plot}" stroke="{RULE}"/>']
    for n, point in enumerate(points):
        x = 8 + n * slot + (slot - width) / 2
        tall = round(plot * max(point.value, 0) / most)
        centre = x + width / 2
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot - tall}" width="{width:.1f}" height="{tall}" '
            f'fill="{BAR}"/>'
            f'<text x="{centre:.1f}" y="{top + plot - tall - 6}" text-anchor="middle" '
            f'font-size="{font}" fill="{TEXT}" {FONT}>{escape(short(point.value))}</text>'
            f'<text x="{centre:.1f}" y="{top + plot + 20}" text-anchor="middle" '
            f'font-size="{font}" fill="{TEXT}" {FONT}>{escape(point.label)}</text>'
        )
    return _frame(ident, title, describe(points, what=what), height, body)


def short_money(pence: int) -> str:
    """£950, £12k, £1.2m: a column's label, where the table has the exact figure."""
    pounds = pence / 100
    if pounds >= 1_000_000:
        return f"£{pounds / 1_000_000:.1f}m"
    if pounds >= 10_000:
        return f"£{pounds / 1000:.0f}k"
    if pounds >= 1000:
        return f"£{pounds / 1000:.1f}k"
    return f"£{pounds:.0f}"
