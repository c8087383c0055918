import logging

import pytest

from shared.documents.login_cards import CARDS_PER_PAGE, LoginCard, render_login_cards
from tests.unit.documents.rasterise import assert_a4, assert_image_is_a4, ink_share, open_pdf

PUPILS = [
    ("Łukasz", "Kowalczyk"),
    ("Zoë", "Brontë"),
    ("Siobhán", "Ní Bhriain"),
    ("Nguyễn", "Thị Minh Khai"),
    ("Ağca", "Yılmaz"),
    ("Søren", "Ødegård"),
    ("Дмитрий", "Иванов"),
    ("Αλέξανδρος", "Παπαδόπουλος"),
    ("Chloé", "Lefèvre"),
    ("Đorđe", "Petrović"),
]
CARDS = [
    LoginCard(first, last, f"pupil{index:02d}x", password)
    for index, ((first, last), password) in enumerate(
        zip(PUPILS, ["Tiger-7-Moon", "lO1Il0oQ", "gR3en!Apple42", "Sunny4Days", "River 9 Stone"] * 2, strict=True)
    )
]
SCHOOL = "St Siobhán’s Catholic Primary School"
URL = "https://cu.example.org/login"


@pytest.fixture(scope="module")
def ten_cards():
    return open_pdf(render_login_cards(SCHOOL, CARDS, URL), "login-cards")


def test_ten_pupils_take_two_a4_portrait_pages_of_eight(ten_cards):
    assert CARDS_PER_PAGE == 8
    assert ten_cards.pages == 2
    for size in ten_cards.page_sizes_mm:
        assert_a4(size, landscape=False)
    assert_image_is_a4(ten_cards.first_page, landscape=False)
    assert ink_share(ten_cards.first_page) > 0.1


def test_each_card_shows_the_pupils_name_username_school_and_sign_in_address(ten_cards):
    text = "\n".join(ten_cards.texts)
    for card in CARDS:
        assert f"{card.first_name} {card.last_name}" in text
        assert card.username in _without_spaces(text)
    assert text.count(URL) == 10
    assert text.count(SCHOOL) >= 10


def test_the_first_page_holds_the_first_eight_pupils_and_the_second_the_rest(ten_cards):
    first, second = ten_cards.texts
    assert all(f"{first_name} {last}" in first for first_name, last in PUPILS[:8])
    assert all(f"{first_name} {last}" in second for first_name, last in PUPILS[8:])


def test_passwords_are_printed_character_for_character_with_spaces_made_visible(ten_cards):
    text = _without_spaces("\n".join(ten_cards.texts))
    for password in {card.password for card in CARDS}:
        assert password.replace(" ", "␣") in text


def test_non_latin_1_names_use_real_glyphs(caplog):
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        render_login_cards(SCHOOL, CARDS, URL)
    assert "missing" not in caplog.text


def test_a_long_school_name_and_address_still_fit_one_card_each():
    card = LoginCard("Maximilian-Alexander", "Featherstonehaugh-Montgomery", "maxfea1234567", "Correct-Horse-Battery-9")
    data = render_login_cards("The Very Long Named Church of England Voluntary Aided Primary Academy " * 2, [card],
                              "https://children-university.example.org.uk/sign-in?school=abcdef")  # fmt: skip
    opened = open_pdf(data, "login-cards-long")
    assert opened.pages == 1
    assert "Correct-Horse-Battery-9" in _without_spaces(opened.texts[0])
    assert "Maximilian-Alexander Featherstonehaugh-Montgomery" in opened.texts[0]


def test_no_pupils_still_gives_a_valid_document():
    assert open_pdf(render_login_cards(SCHOOL, [], URL), "login-cards-empty").pages == 1


def _without_spaces(text: str) -> str:
    # Characters set one per slot may come back from text extraction with spacing between them.
    return "".join(text.split())
