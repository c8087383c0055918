"""Stamp-code sheets: a learning destination prints these and hands one slip to each child."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF

from shared.documents.pdf import (
    INK,
    MONO,
    MUTED,
    SANS,
    WHITE,
    Colour,
    colours,
    cut_lines,
    fit_text,
    mix,
    new_document,
    star,
    to_bytes,
    uk_date,
)
from shared.hours import format_hours
from shared.learning.codes import display_code

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 10.0
HEADER_H = 40.0
COLUMNS, ROWS = 4, 12
CODES_PER_PAGE = COLUMNS * ROWS
GRID_TOP = MARGIN + HEADER_H + 2
SLIP_W = (PAGE_W - 2 * MARGIN) / COLUMNS
SLIP_H = (PAGE_H - GRID_TOP - MARGIN - 4) / ROWS

BRAND: Colour = (67, 56, 202)
SUNSHINE: Colour = (255, 190, 11)
CUT_LINE: Colour = (160, 160, 170)
# The swatch beside each code, so a child can match the colour word to the colour itself.
SWATCHES: dict[str, Colour] = {
    "RED": (220, 38, 38), "BLUE": (37, 99, 235), "GREEN": (22, 163, 74), "YELLOW": (250, 204, 21),
    "ORANGE": (249, 115, 22), "PURPLE": (147, 51, 234), "PINK": (236, 72, 153), "BROWN": (146, 64, 14),
    "BLACK": (23, 23, 23), "WHITE": (255, 255, 255), "GREY": (140, 146, 158), "GOLD": (212, 160, 23),
    "SILVER": (192, 194, 204),
}  # fmt: skip


def hours_phrase(hours: float) -> str:
    return f"{format_hours(hours)} hour" + ("" if hours == 1 else "s")


def render_code_sheet(activity_title: str, hours: float, codes: list[str], valid_to: date | None) -> bytes:
    printed = [display_code(code) for code in codes]
    pdf = new_document("portrait", title=f"Stamp codes: {activity_title}", subject="Children's University stamp codes")
    pages = [printed[i : i + CODES_PER_PAGE] for i in range(0, len(printed), CODES_PER_PAGE)] or [[]]
    for number, page_codes in enumerate(pages, start=1):
        pdf.add_page()
        _header(pdf, activity_title, hours, valid_to, len(printed), number, len(pages))
        _slips(pdf, page_codes, activity_title, hours, valid_to)
    return to_bytes(pdf)


def _header(pdf: FPDF, title: str, hours: float, valid_to: date | None, count: int, number: int, pages: int) -> None:
    with colours(pdf, fill=BRAND):
        pdf.rect(MARGIN, MARGIN, PAGE_W - 2 * MARGIN, HEADER_H, style="F", round_corners=True, corner_radius=4)
    star(pdf, MARGIN + 12, MARGIN + 12, 6, SUNSHINE, rotate=-8)
    star(pdf, MARGIN + 21, MARGIN + 8, 2.4, WHITE, rotate=12)
    star(pdf, PAGE_W - MARGIN - 12, MARGIN + HEADER_H - 11, 4, SUNSHINE, rotate=10)

    text_x, text_w = MARGIN + 28, PAGE_W - 2 * MARGIN - 46
    with colours(pdf, text=mix(BRAND, WHITE, 0.75)):
        pdf.set_font(SANS, "B", 9)
        pdf.set_xy(text_x, MARGIN + 5)
        pdf.cell(text_w, 4, "CHILDREN’S UNIVERSITY · STAMP CODES")
    with colours(pdf, text=WHITE):
        heading = fit_text(pdf, title, SANS, "B", text_w, 20, 10)
        pdf.set_xy(text_x, MARGIN + 10.5)
        pdf.cell(text_w, 9, heading.text)
        until = f"valid until {uk_date(valid_to)}" if valid_to else "no end date"
        pdf.set_font(SANS, "", 10.5)
        pdf.set_xy(text_x, MARGIN + 21)
        pdf.cell(text_w, 5, f"Each code is worth {hours_phrase(hours)} of learning · {until}")
        pdf.set_font(SANS, "", 8.5)
        pdf.set_xy(text_x, MARGIN + 28)
        pdf.cell(
            text_w, 4, "Give one code to each child. They type it in at Children’s University Online to collect it."
        )
    with colours(pdf, text=MUTED):
        pdf.set_font(SANS, "", 7.5)
        pdf.set_xy(MARGIN, PAGE_H - MARGIN - 3)
        pdf.cell(PAGE_W - 2 * MARGIN, 3, f"✂ Cut along the dashed lines  ·  {count} codes  ·  page {number} of {pages}",
                 align="C")  # fmt: skip


def _slips(pdf: FPDF, codes: list[str], title: str, hours: float, valid_to: date | None) -> None:
    cut_lines(pdf, MARGIN, GRID_TOP, SLIP_W, SLIP_H, COLUMNS, len(codes), CUT_LINE)

    # Slips are cut apart, so each carries what it is for and what it is worth.
    worth = hours_phrase(hours) + (f" · use by {uk_date(valid_to)}" if valid_to else "")
    for index, code in enumerate(codes):
        row, column = divmod(index, COLUMNS)
        _slip(pdf, MARGIN + column * SLIP_W, GRID_TOP + row * SLIP_H, code, title, worth)


def _slip(pdf: FPDF, x: float, y: float, code: str, title: str, worth: str) -> None:
    colour_word = code.split(" ", 1)[0]
    swatch = SWATCHES.get(colour_word, WHITE)
    with colours(pdf, fill=swatch, draw=mix(swatch, INK, 0.35)), pdf.local_context(line_width=0.3):
        pdf.circle(x + 6, y + 6.6, 2.6, style="DF")
    with colours(pdf, text=INK):
        printed = fit_text(pdf, code, MONO, "", SLIP_W - 13, 13, 8)
        pdf.set_xy(x + 10.5, y + 3)
        pdf.cell(SLIP_W - 12, 7, printed.text)
    with colours(pdf, text=MUTED):
        for line, (text, style) in enumerate(((title, ""), (worth, "B"))):
            small = fit_text(pdf, text, SANS, style, SLIP_W - 5, 6.5, 5)
            pdf.set_xy(x + 2.5, y + SLIP_H - 8.6 + line * 3.4)
            pdf.cell(SLIP_W - 5, 3, small.text)
