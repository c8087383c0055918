import random
from datetime import date

import pytest

from shared.learning.code_sheet import CODES_PER_PAGE, SWATCHES, hours_phrase, render_code_sheet
from shared.learning.codes import COLOURS, display_code, generate_code
from tests.unit.documents.rasterise import assert_a4, assert_image_is_a4, ink_share, open_pdf

CODES = [generate_code(random.Random(seed)) for seed in range(60)]


@pytest.fixture(scope="module")
def sheet():
    return open_pdf(
        render_code_sheet("Science Museum: Wonderlab explorers’ trail", 1.5, CODES, date(2026, 7, 24)), "code-sheet"
    )


def test_a_code_sheet_is_a4_portrait_and_not_blank(sheet):
    assert_a4(sheet.page_sizes_mm[0], landscape=False)
    assert_image_is_a4(sheet.first_page, landscape=False)
    assert ink_share(sheet.first_page) > 0.1


def test_sixty_codes_fill_a_page_and_spill_onto_a_second(sheet):
    assert CODES_PER_PAGE == 48
    assert sheet.pages == 2


def test_every_code_is_printed_in_its_display_form(sheet):
    text = "\n".join(sheet.texts)
    for code in CODES:
        assert display_code(code) in text


def test_the_sheet_says_what_the_codes_are_for_and_until_when(sheet):
    first = sheet.texts[0]
    assert "Science Museum: Wonderlab explorers’ trail" in first
    assert "Each code is worth 1.5 hours of learning" in first
    assert "valid until 24 July 2026" in first
    assert "page 1 of 2" in first


def test_codes_without_an_end_date_say_so():
    text = open_pdf(render_code_sheet("Library visit", 1, ["BLUE0042"], None), "code-sheet-open").texts[0]
    assert "Each code is worth 1 hour of learning · no end date" in text
    assert "BLUE 0042" in text


def test_every_colour_has_a_swatch():
    assert set(SWATCHES) == set(COLOURS)


def test_hours_are_phrased_in_the_singular_only_for_one():
    assert [hours_phrase(h) for h in (0.25, 1, 1.5, 2)] == ["0.25 hours", "1 hour", "1.5 hours", "2 hours"]


def test_the_largest_batch_of_five_hundred_codes_renders():
    codes = [generate_code(random.Random(seed)) for seed in range(500)]
    opened = open_pdf(render_code_sheet("Big batch", 2, codes, None), "code-sheet-500")
    assert opened.pages == 11


def test_a_value_that_is_not_a_code_is_refused():
    with pytest.raises(ValueError):
        render_code_sheet("Broken", 1, ["PLAID 1234"], None)
