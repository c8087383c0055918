import random
import secrets
from collections import Counter

import pytest

from shared.learning.codes import (
    CODE_SPACE,
    COLOURS,
    MAX_INPUT_LENGTH,
    display_code,
    generate_code,
    guess_success_probability,
    normalise_code,
)


def test_the_code_space_is_thirteen_colours_of_ten_thousand():
    assert len(COLOURS) == 13
    assert CODE_SPACE == 130_000


@pytest.mark.parametrize(
    "raw",
    ["RED 2468", "red2468", "Red-2468", " RED 2468 ", "r e d 2 4 6 8", "RED–2468", "red_2468", "\tRed\u00a02468\n"],
)
def test_codes_are_read_whatever_the_case_spacing_or_dashes(raw):
    assert normalise_code(raw) == "RED2468"


def test_every_colour_is_recognised():
    for colour in COLOURS:
        assert normalise_code(f"{colour.lower()} 0001") == f"{colour}0001"


def test_the_american_spelling_gray_is_read_as_grey():
    assert normalise_code("gray 1234") == "GREY1234"


def test_full_width_characters_from_phone_keyboards_are_read():
    assert normalise_code("ＲＥＤ　２４６８") == "RED2468"


def test_letters_o_i_and_l_typed_for_digits_are_read_as_digits():
    assert normalise_code("RED 24O8") == "RED2408"
    assert normalise_code("silver I234") == "SILVER1234"
    assert normalise_code("blue l00o") == "BLUE1000"
    assert normalise_code("gold OOOO") == "GOLD0000"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " ",
        "RED",
        "2468",
        "RED 246",
        "RED 24680",
        "PLAID 2468",
        "2468 RED",
        "RED 24 68 1",
        "RED 24A8",
        "RED2468!",
        "REDD 2468",
        "R3D 2468",
        "RED 246８x",
        "DROP TABLE",
        "red\x002468",
        "рed 2468",  # Cyrillic р
        "pınk 2468",  # dotless i upper-cases to I in Python
        "ＲＥＤ　２４６８９",
    ],
)
def test_anything_that_is_not_a_code_is_none(raw):
    assert normalise_code(raw) is None


@pytest.mark.parametrize("raw", [None, 2468, b"RED2468", ["RED2468"], {"code": "RED2468"}])
def test_non_text_input_is_none_not_an_error(raw):
    assert normalise_code(raw) is None  # type: ignore[arg-type]


def test_over_long_input_is_refused_before_any_work():
    padded = "RED 2468".center(MAX_INPUT_LENGTH)
    assert normalise_code(padded) == "RED2468"
    assert normalise_code(padded + " ") is None
    assert normalise_code("RED 2468" + " " * 1_000_000) is None
    assert normalise_code("\ufdfa" * 10_000) is None


def test_garbage_never_raises():
    rng = random.Random(7)
    alphabet = "REDBLUGNOWPIKSYVT0123456789 -_\t\u00a0\ufdfa\ud7ff\u0301ＲＥＤ２"
    for _ in range(5_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 50)))
        result = normalise_code(text)
        assert result is None or normalise_code(result) == result


def test_codes_are_displayed_as_colour_space_digits():
    assert display_code("RED2468") == "RED 2468"
    assert display_code("SILVER0007") == "SILVER 0007"
    assert display_code("gray-0042") == "GREY 0042"


def test_displaying_something_that_is_not_a_code_is_a_value_error():
    with pytest.raises(ValueError):
        display_code("PLAID2468")


def test_generated_codes_are_canonical_and_normalise_to_themselves():
    rng = random.Random(2026)
    for _ in range(2_000):
        code = generate_code(rng)
        assert normalise_code(code) == code
        assert normalise_code(display_code(code)) == code


def test_generation_covers_every_colour_evenly_with_a_seeded_rng():
    rng = random.Random(12345)
    draws = 26_000
    colours = Counter(generate_code(rng).rstrip("0123456789") for _ in range(draws))
    assert set(colours) == set(COLOURS)
    expected = draws / len(COLOURS)
    assert all(abs(count - expected) < expected * 0.15 for count in colours.values()), colours


def test_generation_covers_the_digits_evenly_and_keeps_leading_zeros():
    rng = random.Random(99)
    codes = [generate_code(rng) for _ in range(20_000)]
    first_digits = Counter(code[-4] for code in codes)
    assert set(first_digits) == set("0123456789")
    assert all(1_600 < count < 2_400 for count in first_digits.values()), first_digits
    assert any(code[-4:].startswith("0") for code in codes)


def test_generation_is_reproducible_with_a_seed_and_random_without_one():
    assert [generate_code(random.Random(1)) for _ in range(3)] == [generate_code(random.Random(1)) for _ in range(3)]
    assert len({generate_code() for _ in range(50)}) > 45
    assert normalise_code(generate_code(secrets.SystemRandom())) is not None


def test_guess_odds_are_zero_without_live_codes_or_guesses():
    assert guess_success_probability(0, 1_000) == 0
    assert guess_success_probability(5_000, 0) == 0


def test_one_guess_hits_with_the_share_of_live_codes():
    assert guess_success_probability(5_000, 1) == pytest.approx(5_000 / CODE_SPACE)
    assert guess_success_probability(CODE_SPACE, 1) == 1


def test_guessing_without_repeats_is_slightly_better_than_independent_guesses():
    with_repeats = 1 - (1 - 5_000 / CODE_SPACE) ** 240
    without = guess_success_probability(5_000, 240)
    assert with_repeats < without < 1


def test_enough_distinct_guesses_must_hit():
    assert guess_success_probability(1, CODE_SPACE) == 1
    assert guess_success_probability(10, CODE_SPACE - 9) == 1
    assert guess_success_probability(10, CODE_SPACE * 5) == 1


def test_guess_odds_grow_with_guesses():
    odds = [guess_success_probability(500, attempts) for attempts in (1, 10, 240, 1_680, 87_600)]
    assert odds == sorted(odds)


@pytest.mark.parametrize(("live", "attempts"), [(-1, 1), (CODE_SPACE + 1, 1), (10, -1)])
def test_impossible_guess_odds_arguments_are_value_errors(live, attempts):
    with pytest.raises(ValueError):
        guess_success_probability(live, attempts)
