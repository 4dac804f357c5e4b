"""Demo branding, so the demo councils look different from one another: a colour, a
logo drawn here (a white emblem and the council's short name), contact details and
help. Only a council whose branding was never changed gets it."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from .models import Branding
from .services import branding_update, statement_update

# slug -> (header colour, short name, phone: Ofcom's numbers for drama, never real)
DEMO = {
    "kingsmere": ("#00205b", "Kingsmere", "020 7946 0001"),
    "ashdown": ("#1d5c2e", "Ashdown", "01632 960 002"),
    "riverside": ("#005eb8", "Riverside NHS", "0113 496 0003"),
}
LOGO_HEIGHT = 80  # drawn at twice the header's 40px, for sharp screens


def demo_logo_png(*, text: str) -> bytes:
    """A white emblem (a circle and a house) and the name, on a transparent ground."""
    font = ImageFont.load_default(size=48)
    width = int(font.getlength(text)) + LOGO_HEIGHT + 24
    image = Image.new("RGBA", (width, LOGO_HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    white = (255, 255, 255, 255)
    draw.ellipse((4, 4, LOGO_HEIGHT - 4, LOGO_HEIGHT - 4), outline=white, width=6)
    mid = LOGO_HEIGHT / 2
    draw.polygon([(mid - 20, mid), (mid, mid - 20), (mid + 20, mid)], fill=white)
    draw.rectangle((mid - 14, mid, mid + 14, mid + 20), fill=white)
    draw.text((LOGO_HEIGHT + 16, mid), text, font=font, fill=white, anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def branding_demo_seed(*, slug: str, organisation: str, by: Any) -> None:
    if slug not in DEMO or Branding.objects.get(pk=1).version != 1:
        return
    colour, short, phone = DEMO[slug]
    branding_update(
        by=by,
        service_name="",
        header_colour=colour,
        logo_content=demo_logo_png(text=short),
        logo_name=f"{slug}-logo.png",
        logo_alt=organisation,
        contact_phone=phone,
        contact_email=f"epurse@{slug}.example",
        contact_address=f"{organisation}\nCivic Centre\nHigh Street",
        contact_hours="Monday to Friday, 9am to 5pm",
        help_text=(
            "Your care manager or support worker can help with anything about your "
            "budget, your plan or your care.\n\n"
            "If you cannot order a service you need, or the money in your purse does "
            "not look right, call us or send us an email."
        ),
    )
    statement_update(
        by=by,
        compliance=Branding.Compliance.PARTIAL,
        problems="Some pictures of services uploaded by providers have no description yet.",
        burden="",
        plans="We check every page with automated tests and people who use assistive technology.",
        contact_email="",
        contact_phone="",
        response_days=10,
        tested_on=timezone.localdate(),
        tested_by="the ePurse team",
        prepared_on=timezone.localdate(),
        reviewed_on=None,
    )
