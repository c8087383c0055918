"""Login cards: eight to an A4 page, cut apart and handed to pupils by their teacher.

The password is the one moment a child copies characters exactly, so it is set in a monospace face whose
0/O and 1/l/I differ, spaced out, and with digits and symbols coloured apart from letters.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF

from shared.documents.pdf import (
    INK,
    MONO,
    MUTED,
    SANS,
    WHITE,
    Colour,
    centred_text,
    colours,
    cut_lines,
    fit_text,
    mix,
    new_document,
    star,
    to_bytes,
)


@dataclass(frozen=True)
class LoginCard:
    first_name: str
    last_name: str
    username: str
    password: str


PAGE_W, PAGE_H = 210.0, 297.0
COLUMNS, ROWS = 2, 4
CARDS_PER_PAGE = COLUMNS * ROWS
# Room for a printer's unprintable edge and the page heading; cards sit edge to edge inside it so one cut
# line serves two cards.
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 10.0, 14.0, 10.0
CARD_W = (PAGE_W - 2 * MARGIN_X) / COLUMNS
CARD_H = (PAGE_H - MARGIN_TOP - MARGIN_BOTTOM) / ROWS
GAP = 3.0  # white space each card keeps inside the cut lines

BRAND: Colour = (67, 56, 202)
SUNSHINE: Colour = (255, 190, 11)
CUT_LINE: Colour = (150, 150, 160)
LETTER_INK: Colour = INK
DIGIT_INK: Colour = (29, 110, 200)
SYMBOL_INK: Colour = (214, 60, 76)


def render_login_cards(school_name: str, cards: list[LoginCard], sign_in_url: str) -> bytes:
    pdf = new_document("portrait", title=f"Login cards: {school_name}", subject="Children's University login cards")
    pages = [cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)] or [[]]
    for number, page_cards in enumerate(pages, start=1):
        pdf.add_page()
        _page_heading(pdf, school_name, number, len(pages))
        cut_lines(pdf, MARGIN_X, MARGIN_TOP, CARD_W, CARD_H, COLUMNS, len(page_cards), CUT_LINE)
        for index, card in enumerate(page_cards):
            row, column = divmod(index, COLUMNS)
            _card(pdf, MARGIN_X + column * CARD_W, MARGIN_TOP + row * CARD_H, card, school_name, sign_in_url)
    return to_bytes(pdf)


def _page_heading(pdf: FPDF, school_name: str, number: int, pages: int) -> None:
    with colours(pdf, text=MUTED):
        pdf.set_font(SANS, "", 8)
        heading = fit_text(pdf, f"Login cards · {school_name}", SANS, "", 120, 8, 5)
        pdf.set_xy(MARGIN_X, 5)
        pdf.cell(120, 5, heading.text)
        pdf.set_font(SANS, "", 8)
        pdf.set_xy(PAGE_W - MARGIN_X - 70, 5)
        pdf.cell(70, 5, f"✂ Cut along the dashed lines  ·  page {number} of {pages}", align="R")


def _card(pdf: FPDF, x: float, y: float, card: LoginCard, school_name: str, sign_in_url: str) -> None:
    left, top = x + GAP, y + GAP
    width, height = CARD_W - 2 * GAP, CARD_H - 2 * GAP
    inner = width - 10

    with colours(pdf, fill=WHITE, draw=mix(BRAND, WHITE, 0.6)), pdf.local_context(line_width=0.4):
        pdf.rect(left, top, width, height, style="DF", round_corners=True, corner_radius=3)
    header = 13.0
    with colours(pdf, fill=BRAND):
        pdf.rect(left, top, width, header, style="F", round_corners=("TOP_LEFT", "TOP_RIGHT"), corner_radius=3)
    star(pdf, left + 7, top + header / 2, 3.4, SUNSHINE, rotate=-8)
    star(pdf, left + width - 7, top + header / 2, 2.4, SUNSHINE, rotate=10)
    with colours(pdf, text=WHITE):
        title = fit_text(pdf, "My Children’s University login", SANS, "B", width - 26, 11.5, 8)
        centred_text(pdf, top + 1.8, title.text, x=left + 12, width=width - 24)
        school = fit_text(pdf, school_name, SANS, "", width - 26, 7.5, 5)
        centred_text(pdf, top + 7.4, school.text, x=left + 12, width=width - 24)

    name = fit_text(pdf, f"{card.first_name} {card.last_name}", SANS, "B", inner, 14, 6.5)
    with colours(pdf, text=INK):
        pdf.set_xy(left + 5, top + header + 2.5)
        pdf.cell(inner, 6, name.text)

    _credential(pdf, left + 5, top + header + 10.5, inner, "Username", card.username)
    _credential(pdf, left + 5, top + header + 25, inner, "Password", card.password)

    with colours(pdf, text=MUTED):
        url = fit_text(pdf, f"Sign in at {sign_in_url}", SANS, "B", inner, 8, 5)
        pdf.set_xy(left + 5, top + height - 10.5)
        pdf.cell(inner, 4, url.text)
        pdf.set_font(SANS, "", 6.5)
        pdf.set_xy(left + 5, top + height - 6.2)
        pdf.cell(inner, 3.5, "Keep this card safe and don’t share your password with friends.")


def _credential(pdf: FPDF, x: float, y: float, width: float, label: str, value: str) -> None:
    with colours(pdf, text=MUTED):
        pdf.set_font(SANS, "B", 7)
        pdf.set_xy(x, y)
        pdf.cell(width, 3, label.upper())
    box_h = 9.0
    with colours(pdf, fill=mix(BRAND, WHITE, 0.92), draw=mix(BRAND, WHITE, 0.7)), pdf.local_context(line_width=0.3):
        pdf.rect(x, y + 3.5, width, box_h, style="DF", round_corners=True, corner_radius=1.8)
    _monospace_characters(pdf, x + 3, y + 3.5, width - 6, box_h, value)


def _monospace_characters(pdf: FPDF, x: float, y: float, width: float, height: float, value: str) -> None:
    """Write `value` one character per fixed-width slot, coloured by kind, shrinking only if it must."""
    size = 15.0
    pdf.set_font(MONO, "", size)
    advance = pdf.get_string_width("0") * 1.12
    if advance * len(value) > width and value:
        size *= width / (advance * len(value))
        pdf.set_font(MONO, "", size)
        advance = pdf.get_string_width("0") * 1.12
    for index, character in enumerate(value):
        with colours(pdf, text=_character_colour(character)):
            pdf.set_xy(x + index * advance, y)
            # A space would be invisible on paper, so it is shown as the open-box symbol.
            pdf.cell(advance, height, "␣" if character == " " else character, align="C")


def _character_colour(character: str) -> Colour:
    if character.isdigit():
        return DIGIT_INK
    if character.isalpha():
        return LETTER_INK
    return SYMBOL_INK
