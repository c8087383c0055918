"""The award certificate: one A4 landscape page a child can print, frame and be proud of.

Everything is drawn with fpdf2 shapes (border, stars, ribbon, rosette), so it needs no image files and
stays small; the colours follow the award's medal. The footer carries the award's verification code
and a QR code (segno) linking to the public verify page, so anyone can check the certificate is genuine
without the child's name ever leaving the paper.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import segno
from fpdf import FPDF
from fpdf.pattern import LinearGradient, RadialGradient

from shared.documents.pdf import (
    INK,
    MONO,
    MUTED,
    SANS,
    WHITE,
    Colour,
    centred_text,
    colours,
    fit_text,
    mix,
    new_document,
    star,
    to_bytes,
    uk_date,
)
from shared.hours import format_hours


@dataclass(frozen=True)
class CertificateData:
    pupil_name: str
    award_name: str
    hours: float
    total_hours: float
    school_name: str
    achieved_on: date
    # Printed and encoded in the QR code when given; a certificate without them is still a certificate.
    verification_code: str | None = None
    verify_url: str | None = None


@dataclass(frozen=True)
class Palette:
    base: Colour
    light: Colour
    dark: Colour

    @property
    def paper(self) -> Colour:
        return mix(self.light, WHITE, 0.82)


PALETTES = {
    "bronze": Palette(base=(184, 115, 51), light=(240, 196, 150), dark=(112, 62, 24)),
    "silver": Palette(base=(132, 143, 160), light=(226, 230, 237), dark=(72, 82, 100)),
    "gold": Palette(base=(214, 160, 20), light=(255, 226, 120), dark=(140, 98, 4)),
}
# Cheerful star colours for the scattered confetti, chosen to sit well with every medal.
CONFETTI: tuple[Colour, ...] = ((233, 84, 96), (58, 134, 255), (46, 186, 132), (255, 183, 3), (142, 84, 233))

PAGE_W, PAGE_H = 297.0, 210.0


def palette_for(award_name: str) -> Palette:
    """The medal's palette, from the award's first word; gold for anything unexpected."""
    medal = award_name.split(" ", 1)[0].lower() if award_name else ""
    return PALETTES.get(medal, PALETTES["gold"])


def render_certificate(data: CertificateData) -> bytes:
    return render_certificates([data], title=f"{data.award_name} certificate")


def render_certificates(certificates: list[CertificateData], *, title: str) -> bytes:
    """One document with a page per certificate (a single award, or every award of an assembly)."""
    pdf = new_document("landscape", title=title, subject="Children's University award certificate",
                       families=(SANS, MONO))
    for data in certificates:
        add_certificate_page(pdf, data)
    return to_bytes(pdf)


def add_certificate_page(pdf: FPDF, data: CertificateData) -> None:
    palette = palette_for(data.award_name)
    pdf.add_page()
    _background(pdf, palette)
    _border(pdf, palette)
    _confetti(pdf)
    _heading(pdf, data, palette)
    _name(pdf, data, palette)
    _achievement(pdf, data, palette)
    _rosette(pdf, PAGE_W / 2, 153, 22, data.hours, palette)
    _signature_blocks(pdf, data, palette)
    _footer(pdf, data)


def _background(pdf: FPDF, palette: Palette) -> None:
    with colours(pdf, fill=palette.paper):
        pdf.rect(0, 0, PAGE_W, PAGE_H, style="F")


def _border(pdf: FPDF, palette: Palette) -> None:
    outer, band = 7.0, 7.0
    sheen = LinearGradient(
        0, 0, PAGE_W, PAGE_H, [palette.dark, palette.base, palette.light, palette.base, palette.dark]
    )
    with pdf.use_pattern(sheen):
        pdf.rect(outer, outer, PAGE_W - 2 * outer, PAGE_H - 2 * outer, style="F")
    inner = outer + band
    with colours(pdf, fill=palette.paper):
        pdf.rect(inner, inner, PAGE_W - 2 * inner, PAGE_H - 2 * inner, style="F")
    # A soft glow from the middle of the page draws the eye to the name.
    with pdf.use_pattern(
        RadialGradient(PAGE_W / 2, PAGE_H / 2, 0, PAGE_W / 2, PAGE_H / 2, 170, [WHITE, palette.paper])
    ):
        pdf.rect(inner, inner, PAGE_W - 2 * inner, PAGE_H - 2 * inner, style="F")

    # Little white stars running round the band, like a ribbon's stitching.
    mid = outer + band / 2
    _stars_along(pdf, mid, mid, PAGE_W - mid, mid, 11)
    _stars_along(pdf, mid, PAGE_H - mid, PAGE_W - mid, PAGE_H - mid, 11)
    _stars_along(pdf, mid, mid, mid, PAGE_H - mid, 11)
    _stars_along(pdf, PAGE_W - mid, mid, PAGE_W - mid, PAGE_H - mid, 11)

    with colours(pdf, draw=palette.base), pdf.local_context(line_width=0.6):
        pdf.rect(inner + 3, inner + 3, PAGE_W - 2 * inner - 6, PAGE_H - 2 * inner - 6, style="D")
    with colours(pdf, draw=palette.light), pdf.local_context(line_width=0.3):
        pdf.rect(inner + 4.6, inner + 4.6, PAGE_W - 2 * inner - 9.2, PAGE_H - 2 * inner - 9.2, style="D")

    for cx, cy in ((inner + 3, inner + 3), (PAGE_W - inner - 3, inner + 3),
                   (inner + 3, PAGE_H - inner - 3), (PAGE_W - inner - 3, PAGE_H - inner - 3)):  # fmt: skip
        with colours(pdf, fill=palette.base, draw=WHITE), pdf.local_context(line_width=0.5):
            pdf.circle(cx, cy, 6, style="DF")
        star(pdf, cx, cy, 4.2, WHITE)


def _stars_along(pdf: FPDF, x1: float, y1: float, x2: float, y2: float, spacing: float) -> None:
    length = math.hypot(x2 - x1, y2 - y1)
    count = int(length // spacing)
    for i in range(1, count):
        t = i / count
        star(pdf, x1 + (x2 - x1) * t, y1 + (y2 - y1) * t, 1.5, WHITE)


def _confetti(pdf: FPDF) -> None:
    # Fixed positions, not random ones: every certificate of a kind looks the same, and re-downloads match.
    spots = [
        (40, 36, 3.2, 0), (56, 52, 2.0, 1), (34, 66, 1.6, 2), (68, 30, 1.4, 3),
        (257, 36, 3.2, 4), (241, 52, 2.0, 0), (263, 66, 1.6, 1), (229, 30, 1.4, 2),
        (30, 120, 2.4, 3), (44, 142, 1.5, 4), (267, 120, 2.4, 0), (253, 142, 1.5, 1),
    ]  # fmt: skip
    for x, y, r, colour in spots:
        star(pdf, x, y, r, CONFETTI[colour], rotate=12 * colour)


def _heading(pdf: FPDF, data: CertificateData, palette: Palette) -> None:
    with colours(pdf, text=INK), pdf.local_context(char_spacing=1.6):
        pdf.set_font(SANS, "B", 13)
        centred_text(pdf, 25, "CHILDREN’S UNIVERSITY")
    with colours(pdf, draw=palette.base), pdf.local_context(line_width=0.5):
        pdf.line(PAGE_W / 2 - 50, 33, PAGE_W / 2 - 6, 33)
        pdf.line(PAGE_W / 2 + 6, 33, PAGE_W / 2 + 50, 33)
    star(pdf, PAGE_W / 2, 33, 2.6, palette.base)

    fit = fit_text(pdf, data.award_name, SANS, "B", 200, 46, 24)
    with colours(pdf, text=palette.dark):
        centred_text(pdf, 38, fit.text)

    _banner(pdf, 62, "This certificate is proudly presented to", palette)


def _banner(pdf: FPDF, y: float, text: str, palette: Palette) -> None:
    """A ribbon banner with folded, notched ends behind one line of text."""
    pdf.set_font(SANS, "B", 12.5)
    width = pdf.get_string_width(text) + 24
    height = 10.0
    left, right = (PAGE_W - width) / 2, (PAGE_W + width) / 2
    tail = 14.0
    with colours(pdf, fill=palette.dark):
        for side in (-1, 1):
            edge = left if side < 0 else right
            outer = edge + side * tail
            pdf.polygon(
                [(edge - side * 4, y + 3), (outer, y + 3), (outer - side * 4, y + 3 + height / 2),
                 (outer, y + 3 + height), (edge - side * 4, y + 3 + height)],
                style="F",
            )  # fmt: skip
    with colours(pdf, fill=mix(palette.dark, INK, 0.4)):
        pdf.polygon([(left, y + height), (left + 4, y + height), (left + 4, y + height + 3)], style="F")
        pdf.polygon([(right, y + height), (right - 4, y + height), (right - 4, y + height + 3)], style="F")
    with pdf.use_pattern(LinearGradient(0, y, 0, y + height, [palette.base, mix(palette.base, palette.dark, 0.6)])):
        pdf.rect(left, y, width, height, style="F")
    with colours(pdf, text=WHITE):
        pdf.set_xy(left, y)
        pdf.cell(width, height, text, align="C")


def _name(pdf: FPDF, data: CertificateData, palette: Palette) -> None:
    with colours(pdf, text=INK):
        _centred_block(
            pdf, data.pupil_name, x=(PAGE_W - 215) / 2, width=215, middle=89, one_line=(48, 26), two_lines=(23, 12)
        )
    y = 101
    with colours(pdf, draw=palette.base), pdf.local_context(line_width=0.7):
        pdf.line(PAGE_W / 2 - 95, y, PAGE_W / 2 - 8, y)
        pdf.line(PAGE_W / 2 + 8, y, PAGE_W / 2 + 95, y)
    star(pdf, PAGE_W / 2 - 4, y, 1.6, palette.base)
    star(pdf, PAGE_W / 2 + 4, y, 1.6, palette.base)
    star(pdf, PAGE_W / 2, y - 0.4, 2.4, palette.dark)


def _centred_block(
    pdf: FPDF,
    text: str,
    *,
    x: float,
    width: float,
    middle: float,
    one_line: tuple[float, float],
    two_lines: tuple[float, float],
) -> None:
    """Bold text centred on `middle`, on one line if it fits at a size in `one_line` (largest, smallest),
    else on two lines, so that a child's or a school's name is not cut short."""
    fit = fit_text(pdf, text, SANS, "B", width, *one_line)
    if fit.text == text or " " not in text.strip():
        centred_text(pdf, middle - fit.size / pdf.k / 2, fit.text, x=x, width=width)
        return
    lines = _two_lines(text)
    size = min(fit_text(pdf, line, SANS, "B", width, *two_lines).size for line in lines)
    line_height = size / pdf.k * 1.2
    for number, line in enumerate(lines):
        cut = fit_text(pdf, line, SANS, "B", width, size, size)
        centred_text(pdf, middle - line_height + number * line_height, cut.text, x=x, width=width)


def _two_lines(name: str) -> tuple[str, str]:
    """Split a name at the space nearest its middle."""
    words = name.split()
    best = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
    return " ".join(words[:best]), " ".join(words[best:])


def _achievement(pdf: FPDF, data: CertificateData, palette: Palette) -> None:
    hours = format_hours(data.hours)
    before, number, after = "has completed ", f"{hours} hours", " of learning"
    pdf.set_font(SANS, "", 17)
    width_plain = pdf.get_string_width(before + after)
    pdf.set_font(SANS, "B", 17)
    width_bold = pdf.get_string_width(number)
    x = (PAGE_W - width_plain - width_bold) / 2
    y = 107
    with colours(pdf, text=INK):
        pdf.set_xy(x, y)
        pdf.set_font(SANS, "", 17)
        pdf.cell(text=before)
        with colours(pdf, text=palette.dark):
            pdf.set_font(SANS, "B", 17)
            pdf.cell(text=number)
        pdf.set_font(SANS, "", 17)
        pdf.cell(text=after)
    with colours(pdf, text=MUTED):
        pdf.set_font(SANS, "", 11)
        centred_text(pdf, 118, "through activities beyond the classroom with Children’s University")


def _rosette(pdf: FPDF, cx: float, cy: float, radius: float, hours: float, palette: Palette) -> None:
    # Two ribbon tails hang behind the rosette, each with a V cut at its end.
    for side, colour in ((-1, palette.dark), (1, palette.base)):
        top_x = cx + side * 4
        bottom_x = cx + side * 15
        bottom_y = cy + radius + 17
        with colours(pdf, fill=colour):
            pdf.polygon(
                [(top_x - 6, cy), (top_x + 6, cy), (bottom_x + 6, bottom_y), (bottom_x, bottom_y - 5),
                 (bottom_x - 6, bottom_y)],
                style="F",
            )  # fmt: skip
    # The pleated ruff: a many-pointed star, then rings of the medal's metal.
    with colours(pdf, fill=palette.base):
        pdf.star(cx, cy, radius * 0.9, radius, 32, style="F")
    with colours(pdf, fill=palette.light):
        pdf.star(cx, cy, radius * 0.76, radius * 0.88, 32, rotate_degrees=5.6, style="F")
    with pdf.use_pattern(
        LinearGradient(cx - radius, cy - radius, cx + radius, cy + radius, [palette.light, palette.base, palette.dark])
    ):
        pdf.circle(cx, cy, radius * 0.74, style="F")
    with colours(pdf, fill=WHITE, draw=palette.base), pdf.local_context(line_width=0.6):
        pdf.circle(cx, cy, radius * 0.58, style="DF")
    with colours(pdf, draw=palette.light), pdf.local_context(line_width=0.3, dash_pattern={"dash": 0.8, "gap": 0.8}):
        pdf.circle(cx, cy, radius * 0.52, style="D")

    star(pdf, cx, cy - radius * 0.36, 2.0, palette.base)
    fit = fit_text(pdf, format_hours(hours), SANS, "B", radius * 0.8, 22, 10)
    with colours(pdf, text=palette.dark):
        centred_text(pdf, cy - fit.size * 0.2, fit.text, x=cx - radius, width=2 * radius)
    with colours(pdf, text=INK):
        pdf.set_font(SANS, "B", 7)
        centred_text(pdf, cy + radius * 0.27, "HOURS", x=cx - radius, width=2 * radius)


def _signature_blocks(pdf: FPDF, data: CertificateData, palette: Palette) -> None:
    blocks = ((38, data.school_name, "School"), (PAGE_W - 38 - 80, uk_date(data.achieved_on), "Date achieved"))
    for x, value, label in blocks:
        with colours(pdf, text=INK):
            _centred_block(pdf, value, x=x, width=80, middle=154, one_line=(14, 9), two_lines=(10.5, 6.5))
        with colours(pdf, draw=palette.base), pdf.local_context(line_width=0.4):
            pdf.line(x, 159, x + 80, 159)
        with colours(pdf, text=MUTED):
            pdf.set_font(SANS, "", 9)
            centred_text(pdf, 161, label, x=x, width=80)


def _footer(pdf: FPDF, data: CertificateData) -> None:
    # Small print under the two signature blocks, clear of the rosette's ribbons in the middle.
    right = PAGE_W - 38 - 80
    fit = fit_text(pdf, f"{format_hours(data.total_hours)} hours of learning recorded in total", SANS, "", 80, 7.5, 5)
    with colours(pdf, text=MUTED):
        centred_text(pdf, 181, fit.text, x=right, width=80)
    if data.verification_code is None:
        return
    left, top, side = 38.0, 166.0, 20.0
    if data.verify_url:
        _qr(pdf, data.verify_url, left, top, side)
        left += side + 3
    width = 118 - left
    with colours(pdf, text=MUTED):
        pdf.set_font(SANS, "", 7)
        centred_text(pdf, 170, "Check this certificate is genuine:", x=left, width=width)
    with colours(pdf, text=INK):
        code = fit_text(pdf, data.verification_code, MONO, "", width, 9.5, 6)
        centred_text(pdf, 175, code.text, x=left, width=width)
    if data.verify_url:
        with colours(pdf, text=MUTED):
            pdf.set_font(SANS, "", 6)
            centred_text(pdf, 180.5, "scan the code, or enter it on the verify page", x=left, width=width)


def _qr(pdf: FPDF, url: str, x: float, y: float, side: float) -> None:
    """The link as a QR code drawn from rectangles (sharp at any zoom, no image), on a white quiet zone."""
    matrix = segno.make(url, error="m", micro=False).matrix
    quiet = 2
    module = side / (len(matrix) + 2 * quiet)
    with colours(pdf, fill=WHITE):
        pdf.rect(x, y, side, side, style="F")
    with colours(pdf, fill=(0, 0, 0)):
        for row_number, row in enumerate(matrix):
            column = 0
            while column < len(row):
                if not row[column]:
                    column += 1
                    continue
                start = column
                while column < len(row) and row[column]:
                    column += 1
                # One rectangle per run of dark modules keeps the page small.
                pdf.rect(x + (quiet + start) * module, y + (quiet + row_number) * module,
                         (column - start) * module, module, style="F")
