"""The shared PDF base: A4 pages with the bundled DejaVu fonts, loaded once per process, and text helpers.

The fonts ship with the code (`fonts/`, licence beside them) because pupils' names need far more than
the PDF core fonts' Latin-1 (Łukasz, Siobhán, Nguyễn), and no host can be trusted to have them.

fpdf2 parses a TrueType file from scratch in every `add_font` (~40 ms each for DejaVu) and has no
cross-document cache, so this module parses each font once per process and gives every document its own
light copy: the parsed metrics are shared read-only, while the per-document parts (glyph subset, font
descriptor, the fontTools object that the subsetter rewrites on output) are fresh. This leans on fpdf2 internals, which
is why fpdf2 is pinned and `tests/unit/documents` renders different names back to back in one process.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"

SANS = "dejavu-sans"
MONO = "dejavu-mono"
# (family, style) -> file in FONT_DIR.
FONT_FILES = {
    (SANS, ""): "DejaVuSans.ttf",
    (SANS, "B"): "DejaVuSans-Bold.ttf",
    (MONO, ""): "DejaVuSansMono.ttf",
}
# fpdf2 drops these on output anyway (it neither shapes nor kerns unshaped text); removing them once up
# front saves decompiling them again for every document.
_UNUSED_TABLES = ("GSUB", "GPOS", "GDEF", "kern", "hdmx", "FFTM", "MATH")

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

Colour = tuple[int, int, int]
WHITE: Colour = (255, 255, 255)
INK: Colour = (33, 37, 64)
MUTED: Colour = (104, 110, 130)


@cache
def _font_program(filename: str) -> bytes:
    font = ttLib.TTFont(FONT_DIR / filename, recalcTimestamp=False)
    for table in _UNUSED_TABLES:
        if table in font:
            del font[table]
    # The Windows Unicode subtables carry every mapping; the duplicates for other platforms only cost
    # decompiling time in every document.
    font["cmap"].tables = [table for table in font["cmap"].tables if table.platformID == 3]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@cache
def _parsed_font(family: str, style: str) -> TTFFont:
    program = io.BytesIO(_font_program(FONT_FILES[(family, style)]))
    return TTFFont(FPDF(), program, f"{family}{style}", style)


def _attach_fonts(pdf: FPDF, families: tuple[str, ...]) -> None:
    # fpdf2 subsets and embeds every font it was given, used or not, so a document gets only its own.
    for family, style in FONT_FILES:
        if family not in families:
            continue
        template = _parsed_font(family, style)
        font = copy.copy(template)
        font.i = len(pdf.fonts) + 1
        font.ttfont = ttLib.TTFont(
            io.BytesIO(_font_program(FONT_FILES[(family, style)])), recalcTimestamp=False, lazy=True
        )
        # fpdf2 numbers and names the descriptor as it writes it, so each document needs its own.
        font.desc = copy.copy(template.desc)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font._hbfont = None
        font.subset = SubsetMap(font)
        pdf.fonts[template.fontkey] = font


def warm_fonts() -> None:
    """Parse the fonts now (e.g. at start-up) rather than in the first request that renders a PDF."""
    for family, style in FONT_FILES:
        _parsed_font(family, style)


def new_document(orientation: str, *, title: str, subject: str, families: tuple[str, ...] = (SANS, MONO)) -> FPDF:
    """An empty A4 document in mm with the bundled fonts it uses, no automatic page breaks, and metadata."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    _attach_fonts(pdf, families)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    # Layouts place text by its own box; fpdf2's default cell padding would push runs of text apart.
    pdf.c_margin = 0
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_author("Children's University")
    pdf.set_creator("Children's University Online")
    pdf.set_lang("en-GB")
    return pdf


def to_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


def uk_date(day: date) -> str:
    """3 March 2026: the day-first long form used in the UK, independent of the server's locale."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Fit:
    text: str
    size: float


def fit_text(pdf: FPDF, text: str, family: str, style: str, width: float, largest: float, smallest: float) -> Fit:
    """The largest size (pt) at which `text` fits `width` mm; below `smallest`, the text is cut with an ellipsis."""
    pdf.set_font(family, style, largest)
    natural = pdf.get_string_width(text)
    if natural <= width:
        return Fit(text, largest)
    # Widths scale linearly with size; the small margin keeps rounding from tipping it over the edge.
    size = max(smallest, largest * width / natural * 0.995)
    pdf.set_font(family, style, size)
    while len(text) > 1 and pdf.get_string_width(text) > width:
        text = text[:-2].rstrip() + "…"
    return Fit(text, size)


def centred_text(pdf: FPDF, y: float, text: str, *, x: float = 0, width: float | None = None) -> None:
    """One line centred in [x, x + width] (the page width by default), with its top at y, in the current font."""
    width = pdf.w - x if width is None else width
    pdf.set_xy(x, y)
    pdf.cell(width, pdf.font_size, text, align="C")


@contextmanager
def colours(
    pdf: FPDF, *, fill: Colour | None = None, draw: Colour | None = None, text: Colour | None = None
) -> Iterator[None]:
    """Set colours for a block and restore the previous ones after it."""
    with pdf.local_context():
        if fill is not None:
            pdf.set_fill_color(*fill)
        if draw is not None:
            pdf.set_draw_color(*draw)
        if text is not None:
            pdf.set_text_color(*text)
        yield


def cut_lines(
    pdf: FPDF, x: float, y: float, cell_w: float, cell_h: float, columns: int, count: int, colour: Colour
) -> None:
    """Dashed cut lines round `count` cells laid out row by row, `columns` to a row, starting at (x, y).

    Each edge is drawn once (two dashed lines over each other would not line up), and only round cells
    that are there, so a part-filled page is not left with empty boxes to cut out.
    """
    if count <= 0:
        return
    rows = -(-count // columns)

    def in_row(row: int) -> int:
        return max(0, min(columns, count - row * columns)) if 0 <= row < rows else 0

    with pdf.local_context(draw_color=colour, line_width=0.25, dash_pattern={"dash": 2, "gap": 1.5}):
        for row in range(rows + 1):
            top = y + row * cell_h
            pdf.line(x, top, x + max(in_row(row - 1), in_row(row)) * cell_w, top)
        for row in range(rows):
            top = y + row * cell_h
            for column in range(in_row(row) + 1):
                left = x + column * cell_w
                pdf.line(left, top, left, top + cell_h)


def mix(colour: Colour, other: Colour, amount: float) -> Colour:
    """`colour` moved `amount` (0..1) of the way towards `other`; used for tints and shades of one palette."""
    r, g, b = (round(c + (o - c) * amount) for c, o in zip(colour, other, strict=True))
    return (r, g, b)


def star(pdf: FPDF, x: float, y: float, radius: float, colour: Colour, *, points: int = 5, rotate: float = 0) -> None:
    """A filled star centred on (x, y), one point straight up (fpdf2's unrotated star points down)."""
    with colours(pdf, fill=colour):
        pdf.star(x, y, radius * 0.45, radius, points, rotate_degrees=180 + rotate, style="F")
