"""Simple illustrations for the demo catalogue, drawn with Pillow when the demo is
seeded (no image files in the repository). Each comes with alt text that says what
the drawing actually shows, as a provider should write it."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 480, 320
# Drawn at twice the size and scaled down, so the edges come out smooth.
_SCALE = 2

Colour = tuple[int, int, int]
SKY: Colour = (198, 228, 246)
GRASS: Colour = (120, 186, 110)
SUN: Colour = (255, 204, 77)
WHITE: Colour = (255, 255, 255)
INK: Colour = (60, 60, 70)


class _Canvas:
    """ImageDraw in 480x320 coordinates on a canvas twice that size."""

    def __init__(self, background: Colour) -> None:
        self.image = Image.new("RGB", (WIDTH * _SCALE, HEIGHT * _SCALE), background)
        self.draw = ImageDraw.Draw(self.image)

    @staticmethod
    def _box(box: tuple[float, float, float, float]) -> list[float]:
        return [v * _SCALE for v in box]

    def rect(self, box: tuple[float, float, float, float], fill: Colour, radius: float = 0) -> None:
        self.draw.rounded_rectangle(self._box(box), radius=radius * _SCALE, fill=fill)

    def ellipse(
        self,
        box: tuple[float, float, float, float],
        fill: Colour | None = None,
        outline: Colour | None = None,
        width: float = 1,
    ) -> None:
        self.draw.ellipse(self._box(box), fill=fill, outline=outline, width=int(width * _SCALE))

    def circle(
        self,
        x: float,
        y: float,
        r: float,
        fill: Colour | None = None,
        outline: Colour | None = None,
        width: float = 1,
    ) -> None:
        self.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline=outline, width=width)

    def polygon(self, points: list[tuple[float, float]], fill: Colour) -> None:
        self.draw.polygon([(x * _SCALE, y * _SCALE) for x, y in points], fill=fill)

    def line(self, points: list[tuple[float, float]], fill: Colour, width: float) -> None:
        self.draw.line(
            [(x * _SCALE, y * _SCALE) for x, y in points],
            fill=fill,
            width=int(width * _SCALE),
            joint="curve",
        )

    def arc(
        self,
        box: tuple[float, float, float, float],
        start: float,
        end: float,
        fill: Colour,
        width: float,
    ) -> None:
        self.draw.arc(self._box(box), start, end, fill=fill, width=int(width * _SCALE))

    def png(self) -> bytes:
        small = self.image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        small.save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()


def _outdoors(c: _Canvas, ground: float = 230, sun: bool = True) -> None:
    c.rect((0, ground, WIDTH, HEIGHT), GRASS)
    if sun:
        c.circle(410, 60, 30, SUN)


def _house() -> _Canvas:
    c = _Canvas(SKY)
    _outdoors(c)
    c.rect((150, 130, 330, 240), (250, 236, 210))
    c.polygon([(135, 132), (240, 60), (345, 132)], (200, 70, 60))
    c.rect((220, 175, 260, 240), (245, 190, 40), radius=4)
    c.circle(252, 210, 3, INK)
    for x in (165, 280):
        c.rect((x, 150, x + 35, 185), (150, 200, 235))
        c.line([(x + 17.5, 150), (x + 17.5, 185)], WHITE, 3)
    return c


def _teapot_and_cup() -> _Canvas:
    c = _Canvas((253, 236, 220))
    c.rect((0, 235, WIDTH, HEIGHT), (176, 124, 82))
    # Teapot: body, spout, handle, lid.
    c.polygon([(110, 185), (60, 140), (70, 135), (125, 170)], (40, 150, 150))
    c.arc((225, 140, 280, 210), 270, 90, (40, 150, 150), 10)
    c.ellipse((110, 120, 250, 240), (40, 150, 150))
    c.ellipse((150, 105, 210, 135), (30, 120, 120))
    c.circle(180, 100, 8, (30, 120, 120))
    # Cup and saucer.
    c.ellipse((290, 220, 420, 245), WHITE)
    c.draw.chord(c._box((305, 150, 395, 240)), 0, 180, fill=(245, 245, 250))
    c.rect((305, 190, 395, 196), (245, 245, 250))
    c.ellipse((305, 185, 395, 200), (150, 95, 60))
    c.arc((380, 195, 415, 225), 270, 90, (245, 245, 250), 7)
    return c


def _flowers_and_watering_can() -> _Canvas:
    c = _Canvas(SKY)
    _outdoors(c, ground=220)
    for x, petal in ((90, (240, 120, 160)), (150, (250, 150, 60)), (210, (160, 110, 210))):
        c.line([(x, 240), (x, 140)], (60, 140, 60), 5)
        c.ellipse((x, 185, x + 30, 200), (60, 140, 60))
        for dx, dy in ((-16, 0), (16, 0), (0, -16), (0, 16)):
            c.circle(x + dx, 130 + dy, 12, petal)
        c.circle(x, 130, 9, SUN)
    blue = (60, 130, 200)
    c.polygon([(330, 200), (280, 150), (272, 158), (325, 215)], blue)
    c.rect((320, 170, 420, 255), blue, radius=8)
    c.arc((340, 135, 405, 200), 180, 360, blue, 8)
    c.rect((262, 144, 282, 162), blue, radius=3)
    return c


def _swimming_pool() -> _Canvas:
    c = _Canvas((230, 226, 214))
    water = (70, 160, 220)
    c.rect((40, 40, 440, 280), water, radius=10)
    for y in (100, 160, 220):
        for x in range(50, 432, 16):
            c.circle(x, y, 5, (230, 70, 70) if (x // 16) % 2 else WHITE)
    for y in (70, 130, 190, 250):
        for x in range(70, 420, 60):
            c.arc((x, y - 8, x + 30, y + 8), 200, 340, (170, 220, 245), 3)
    for x in (400, 425):
        c.line([(x, 20), (x, 70)], (160, 160, 170), 5)
    for y in (35, 55):
        c.line([(400, y), (425, y)], (160, 160, 170), 4)
    return c


def _dumbbells_and_bottle() -> _Canvas:
    c = _Canvas((232, 226, 245))
    c.rect((0, 240, WIDTH, HEIGHT), (140, 140, 160))
    for x0, y in ((60, 220), (90, 180)):
        c.rect((x0 + 30, y - 5, x0 + 190, y + 5), (150, 150, 160))
        for x in (x0 + 20, x0 + 175):
            c.rect((x, y - 32, x + 25, y + 32), (70, 70, 90), radius=6)
    c.rect((340, 110, 395, 238), (90, 190, 120), radius=12)
    c.rect((352, 92, 383, 112), (40, 110, 70), radius=4)
    c.rect((340, 150, 395, 170), (230, 245, 235))
    return c


def _minibus() -> _Canvas:
    c = _Canvas(SKY)
    c.rect((0, 230, WIDTH, HEIGHT), (120, 120, 125))
    for x in range(20, WIDTH, 80):
        c.rect((x, 270, x + 40, 276), WHITE)
    c.rect((80, 120, 400, 235), (60, 150, 90), radius=22)
    for x in (100, 160, 220, 280):
        c.rect((x, 135, x + 48, 175), (200, 230, 245), radius=6)
    c.rect((340, 135, 392, 175), (200, 230, 245), radius=10)
    c.circle(390, 205, 8, SUN)
    for x in (150, 330):
        c.circle(x, 235, 28, (40, 40, 45))
        c.circle(x, 235, 11, (180, 180, 185))
    return c


def _palette_and_brush() -> _Canvas:
    c = _Canvas((252, 246, 228))
    c.ellipse((70, 60, 390, 270), (222, 190, 140))
    c.circle(160, 200, 22, (252, 246, 228))
    for (x, y), colour in zip(
        ((140, 110), (210, 95), (280, 110), (330, 160), (300, 220)),
        ((220, 60, 60), (250, 200, 50), (50, 110, 200), (70, 170, 90), (140, 80, 180)),
        strict=True,
    ):
        c.circle(x, y, 22, colour)
    c.line([(300, 290), (440, 60)], (150, 95, 50), 10)
    c.polygon([(433, 72), (452, 40), (462, 22), (447, 60)], (50, 110, 200))
    return c


def _wheelchair() -> _Canvas:
    c = _Canvas((220, 232, 240))
    c.rect((0, 270, WIDTH, HEIGHT), (170, 185, 195))
    frame = (50, 80, 130)
    c.circle(200, 200, 68, outline=(40, 40, 45), width=9)
    c.circle(200, 200, 8, (40, 40, 45))
    c.circle(330, 258, 12, (40, 40, 45))
    c.line([(160, 60), (180, 60), (190, 160)], frame, 9)
    c.line([(185, 160), (320, 160)], frame, 12)
    c.line([(310, 160), (330, 245)], frame, 8)
    c.line([(300, 160), (345, 230), (375, 230)], frame, 8)
    c.line([(190, 110), (240, 110), (240, 160)], frame, 6)
    return c


def _books_and_pencil() -> _Canvas:
    c = _Canvas((222, 240, 222))
    c.rect((0, 250, WIDTH, HEIGHT), (176, 124, 82))
    for y, x0, x1, colour in (
        (205, 90, 330, (200, 60, 60)),
        (160, 110, 320, (60, 100, 190)),
        (115, 100, 300, (60, 150, 90)),
    ):
        c.rect((x0, y, x1, y + 45), colour, radius=5)
        c.rect((x1 - 24, y + 8, x1 - 4, y + 37), (250, 248, 235))
    c.polygon([(360, 250), (380, 110), (398, 110), (378, 250)], (245, 200, 60))
    c.polygon([(360, 250), (378, 250), (366, 275)], (230, 200, 160))
    c.polygon([(380, 110), (398, 110), (400, 95), (383, 95)], (240, 150, 170))
    return c


def _bed_under_window() -> _Canvas:
    c = _Canvas((240, 232, 215))
    c.rect((150, 30, 330, 140), (40, 50, 110), radius=4)
    c.line([(240, 30), (240, 140)], WHITE, 5)
    c.line([(150, 85), (330, 85)], WHITE, 5)
    c.circle(190, 60, 16, (250, 240, 180))
    c.circle(198, 55, 14, (40, 50, 110))
    for x, y in ((280, 50), (305, 70), (270, 115), (175, 118), (310, 115)):
        c.circle(x, y, 3, (250, 240, 180))
    c.rect((60, 190, 420, 260), (150, 95, 60), radius=6)
    c.rect((70, 175, 170, 205), WHITE, radius=12)
    c.rect((150, 180, 420, 240), (120, 170, 210), radius=8)
    for x in range(175, 410, 40):
        c.circle(x, 210, 8, (250, 250, 250))
    c.rect((60, 255, 75, 285), (120, 75, 45))
    c.rect((405, 255, 420, 285), (120, 75, 45))
    return c


def _speech_bubbles_and_heart() -> _Canvas:
    c = _Canvas((255, 240, 230))
    c.rect((40, 50, 200, 150), (150, 200, 235), radius=30)
    c.polygon([(80, 145), (70, 185), (115, 148)], (150, 200, 235))
    c.rect((280, 130, 440, 230), (190, 225, 170), radius=30)
    c.polygon([(400, 225), (412, 265), (365, 228)], (190, 225, 170))
    red = (220, 60, 80)
    c.circle(222, 150, 24, red)
    c.circle(258, 150, 24, red)
    c.polygon([(199, 158), (240, 205), (281, 158)], red)
    return c


def _laptop_video_call() -> _Canvas:
    c = _Canvas((235, 238, 245))
    c.rect((110, 40, 370, 210), (60, 60, 70), radius=10)
    c.rect((122, 52, 358, 198), (170, 215, 240))
    c.line([(240, 52), (240, 198)], WHITE, 3)
    c.polygon([(80, 215), (400, 215), (430, 250), (50, 250)], (150, 150, 160))
    for x, skin in ((181, (240, 200, 160)), (299, (160, 110, 80))):
        c.circle(x, 110, 30, skin)
        c.arc((x - 16, 105, x + 16, 128), 20, 160, INK, 3)
        c.circle(x - 10, 102, 3, INK)
        c.circle(x + 10, 102, 3, INK)
        c.draw.chord(c._box((x - 40, 145, x + 40, 225)), 180, 360, fill=(90, 120, 180))
    return c


def _drum_and_notes() -> _Canvas:
    c = _Canvas((250, 240, 250))
    red = (200, 60, 60)
    c.rect((90, 170, 250, 270), red)
    c.ellipse((90, 250, 250, 290), red)
    c.ellipse((90, 150, 250, 190), (245, 235, 220))
    for x in (110, 150, 190, 230):
        c.line([(x, 185), (x + 20, 275)], (250, 210, 80), 3)
    c.line([(200, 150), (300, 60)], (150, 95, 50), 6)
    for x, y in ((320, 200), (370, 150), (420, 190)):
        c.ellipse((x - 18, y - 12, x + 18, y + 12), INK)
        c.line([(x + 15, y), (x + 15, y - 80)], INK, 5)
    c.line([(385, 70), (435, 110)], INK, 8)
    return c


def _bench_under_tree() -> _Canvas:
    c = _Canvas(SKY)
    _outdoors(c, ground=225)
    c.rect((120, 120, 145, 240), (120, 80, 50))
    for x, y, r in ((100, 95, 50), (165, 85, 55), (130, 50, 45), (190, 125, 40), (80, 135, 35)):
        c.circle(x, y, r, (70, 150, 80))
    wood = (160, 100, 55)
    c.rect((230, 190, 410, 202), wood)
    c.rect((230, 160, 410, 170), wood)
    c.rect((230, 175, 410, 185), wood)
    for x in (245, 390):
        c.rect((x, 200, x + 8, 250), INK)
    return c


def _path_over_hills() -> _Canvas:
    c = _Canvas(SKY)
    c.circle(240, 130, 40, SUN)
    c.ellipse((-80, 140, 300, 360), (110, 180, 100))
    c.ellipse((180, 150, 560, 380), (90, 165, 95))
    c.polygon([(180, HEIGHT), (300, HEIGHT), (250, 190), (236, 190)], (225, 200, 150))
    return c


def _toolbox_and_screwdriver() -> _Canvas:
    c = _Canvas((232, 236, 240))
    c.rect((0, 250, WIDTH, HEIGHT), (176, 124, 82))
    c.arc((150, 110, 250, 190), 180, 360, (90, 90, 100), 12)
    c.rect((90, 150, 310, 252), (205, 55, 50), radius=8)
    c.rect((90, 180, 310, 190), (160, 40, 40))
    c.rect((185, 175, 215, 198), (200, 200, 205), radius=3)
    c.rect((350, 200, 440, 228), (250, 190, 40), radius=10)
    c.line([(350, 214), (290, 214)], (170, 170, 180), 7)
    return c


def _barn_and_hen() -> _Canvas:
    c = _Canvas(SKY)
    _outdoors(c, ground=220)
    red = (180, 50, 45)
    c.rect((60, 120, 230, 235), red)
    c.polygon([(45, 122), (145, 55), (245, 122)], (120, 40, 40))
    c.rect((115, 165, 175, 235), WHITE)
    c.line([(115, 165), (175, 235)], red, 5)
    c.line([(175, 165), (115, 235)], red, 5)
    c.ellipse((300, 190, 380, 250), (150, 95, 55))
    c.circle(382, 180, 18, (150, 95, 55))
    c.polygon([(398, 176), (414, 182), (398, 188)], SUN)
    c.circle(382, 160, 7, (220, 50, 50))
    c.circle(386, 176, 3, INK)
    c.line([(330, 248), (330, 268)], SUN, 4)
    c.line([(350, 248), (350, 268)], SUN, 4)
    return c


def _briefcase_and_plant() -> _Canvas:
    c = _Canvas((238, 242, 235))
    c.rect((0, 255, WIDTH, HEIGHT), (176, 124, 82))
    brown = (130, 80, 45)
    c.arc((160, 100, 240, 160), 180, 360, brown, 10)
    c.rect((90, 130, 310, 255), brown, radius=12)
    c.rect((90, 170, 310, 178), (105, 62, 35))
    c.rect((190, 162, 210, 186), SUN, radius=3)
    c.polygon([(350, 200), (420, 200), (410, 255), (360, 255)], (200, 110, 70))
    for box in (
        (355, 120, 385, 200),
        (385, 110, 415, 200),
        (330, 150, 370, 195),
        (395, 150, 440, 195),
    ):
        c.ellipse(box, (70, 150, 80))
    return c


def _front_door_and_key() -> _Canvas:
    c = _Canvas((235, 225, 210))
    c.rect((110, 40, 270, 290), (60, 100, 170), radius=4)
    for y in (60, 170):
        c.rect((130, y, 250, y + 90), (75, 118, 190), radius=4)
    c.circle(245, 175, 8, SUN)
    gold = (230, 180, 50)
    c.circle(340, 120, 32, outline=gold, width=12)
    c.line([(340, 152), (340, 270)], gold, 12)
    c.line([(340, 235), (365, 235)], gold, 10)
    c.line([(340, 260), (370, 260)], gold, 10)
    return c


# code -> (alt text, drawing). The alt text describes what is drawn, nothing more.
PICTURES: dict[str, tuple[str, Callable[[], _Canvas]]] = {
    "house": (
        "A drawing of a small house with a red roof, a yellow door and two windows, "
        "under a blue sky with the sun shining",
        _house,
    ),
    "teapot": (
        "A drawing of a teal teapot and a cup of tea on a saucer, on a wooden table",
        _teapot_and_cup,
    ),
    "garden": (
        "A drawing of three flowers in bloom, pink, orange and purple, beside a blue "
        "watering can on the grass",
        _flowers_and_watering_can,
    ),
    "pool": (
        "A drawing of a swimming pool seen from above, with lane ropes across the blue "
        "water and a ladder at one end",
        _swimming_pool,
    ),
    "gym": (
        "A drawing of two dumbbells and a green water bottle on a gym floor",
        _dumbbells_and_bottle,
    ),
    "minibus": ("A drawing of a green minibus with a row of windows, on a road", _minibus),
    "palette": (
        "A drawing of an artist's palette with blobs of red, yellow, blue, green and "
        "purple paint, and a paintbrush",
        _palette_and_brush,
    ),
    "wheelchair": ("A simple side-on drawing of a wheelchair", _wheelchair),
    "books": (
        "A drawing of a stack of three books, green, blue and red, with a yellow pencil "
        "beside them",
        _books_and_pencil,
    ),
    "bedroom": (
        "A drawing of a bed with a white pillow and a blue spotted blanket, below a "
        "window showing the moon and stars",
        _bed_under_window,
    ),
    "friendship": (
        "A drawing of two speech bubbles, blue and green, with a red heart between them",
        _speech_bubbles_and_heart,
    ),
    "video_call": (
        "A drawing of a laptop showing a video call between two smiling people",
        _laptop_video_call,
    ),
    "music": ("A drawing of a red drum with a drumstick, and three musical notes", _drum_and_notes),
    "bench": (
        "A drawing of a wooden park bench beside a leafy tree on a sunny day",
        _bench_under_tree,
    ),
    "walk": ("A drawing of a footpath leading over green hills towards the sun", _path_over_hills),
    "tools": ("A drawing of a red toolbox with a screwdriver beside it", _toolbox_and_screwdriver),
    "farm": ("A drawing of a red barn and a brown hen on the grass", _barn_and_hen),
    "work": ("A drawing of a brown briefcase next to a green plant in a pot", _briefcase_and_plant),
    "home_key": ("A drawing of a blue front door and a large golden key", _front_door_and_key),
}


@cache
def picture_png(code: str) -> bytes:
    """The PNG of one demo picture (drawn once per process)."""
    return PICTURES[code][1]().png()


def picture_alt(code: str) -> str:
    return PICTURES[code][0]
