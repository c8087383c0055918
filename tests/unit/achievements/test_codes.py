import math

import pytest

from shared import verification_codes as codes


def test_a_verification_code_carries_at_least_sixty_bits_and_prints_in_groups_of_four():
    code = codes.new_verification_code()
    assert len(code) * math.log2(len(codes.ALPHABET)) >= 60
    printed = codes.format_verification_code(code)
    assert [len(g) for g in printed.split("-")] == [4, 4, 4, 4]
    assert codes.normalise_verification_code(printed) == code


def test_codes_are_not_repeated():
    assert len({codes.new_verification_code() for _ in range(2000)}) == 2000


@pytest.mark.parametrize(
    "typed", ["7kq2-m9xd-4trb-h3wp", " 7KQ2 M9XD 4TRB H3WP ", "7KQ2M9XD4TRBH3WP", "7KQ2-M9XD-4TRB-H3WP"],
)
def test_a_typed_code_is_read_in_any_case_with_any_separators(typed):
    assert codes.normalise_verification_code(typed) == "7KQ2M9XD4TRBH3WP"


def test_letters_people_mistake_for_digits_read_as_those_digits():
    assert codes.normalise_verification_code("OIL0-0000-0000-0000") == "0110000000000000"


@pytest.mark.parametrize(
    "typed", ["", "7KQ2-M9XD-4TRB", "7KQ2-M9XD-4TRB-H3WPX", "7KQ2-M9XD-4TRB-H3W!", "UUUU-UUUU-UUUU-UUUU"],
)
def test_text_that_cannot_be_a_code_is_refused(typed):
    assert codes.normalise_verification_code(typed) is None


def test_a_name_matches_in_any_case_with_or_without_accents_and_punctuation():
    salt = codes.new_salt()
    stored = codes.name_hash("Siobhán O'Neill", salt)
    for typed in ("siobhan oneill", "SIOBHÁN  O’NEILL", " Siobhan O-Neill "):
        assert codes.name_matches(typed, salt, stored)
    assert not codes.name_matches("Siobhan Neill", salt, stored)


def test_the_name_hash_is_open_badges_shaped_salted_and_holds_no_name():
    a, b = codes.new_salt(), codes.new_salt()
    stored = codes.name_hash("Maya Demo", a)
    assert stored.startswith("sha256$") and len(stored) == len("sha256$") + 64
    assert "maya" not in stored.lower()
    assert stored != codes.name_hash("Maya Demo", b)
