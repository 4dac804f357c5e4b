"""The picture of the purse on the home page (Harrow's "images to show the money
available"): one bar for this period's money, in three parts, drawn on the server as
SVG with its own text alternative. Parts are separated by white, so each stands out
from its neighbours by at least 3 to 1 (WCAG 1.4.11), and each is named beside its
own swatch, so colour is never the only way to tell them apart."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from core.money import format_pence

WIDTH, BAR_Y, BAR_H = 640, 8, 56
GAP = 4  # white between the parts
# GOV.UK colours, each at least 5:1 against white.
COLOURS = {"available": "#00703c", "held": "#1d70b8", "spent": "#505a5f"}


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    pence: int


def purse_picture_svg(*, available: int, held: int, spent: int, description: str) -> str:
    parts = [
        Part("available", "To spend", available),
        Part("held", "Held for booked care", held),
        Part("spent", "Spent since the last top-up", spent),
    ]
    total = sum(max(p.pence, 0) for p in parts)
    shapes: list[str] = []
    x = 0.0
    if total == 0:
        shapes.append(
            f'<rect x="0" y="{BAR_Y}" width="{WIDTH}" height="{BAR_H}" rx="8" '
            'fill="#ffffff" stroke="#505a5f" stroke-width="2"/>'
        )
    else:
        shown = [p for p in parts if p.pence > 0]
        room = WIDTH - GAP * (len(shown) - 1)
        for i, part in enumerate(shown):
            width = room * part.pence / total
            if i == len(shown) - 1:
                width = WIDTH - x  # no gap left by rounding at the end
            shapes.append(
                f'<rect x="{x:.1f}" y="{BAR_Y}" width="{max(width, 2):.1f}" height="{BAR_H}" '
                f'fill="{COLOURS[part.key]}"/>'
            )
            x += width + GAP
    legend_y = BAR_Y + BAR_H + 36
    for i, part in enumerate(parts):
        y = legend_y + i * 40
        shapes.append(
            f'<rect x="0" y="{y - 22}" width="28" height="28" fill="{COLOURS[part.key]}"/>'
            f'<text x="40" y="{y}" class="epurse-purse__label">{escape(part.label)}: '
            f'<tspan class="epurse-purse__amount">{format_pence(part.pence)}</tspan></text>'
        )
    height = legend_y + len(parts) * 40 - 12
    return (
        f'<svg class="epurse-purse" viewBox="0 0 {WIDTH} {height}" role="img" '
        'aria-labelledby="purse-title purse-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="purse-title">Your purse</title>'
        f'<desc id="purse-desc">{escape(description)}</desc>' + "".join(shapes) + "</svg>"
    )
