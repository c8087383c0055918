import pytest

from shared.roster.rules import UPN_LETTERS, clean_upn, is_valid_upn, upn_check_letter
from tests.unit.roster.support import roster, upn


def test_check_letter_matches_an_independently_published_example():
    # python-stdnum's documented example of a valid UPN.
    assert upn_check_letter("801200005001") == "B"
    assert is_valid_upn("B801200005001")


def test_check_letter_weights_positions_2_to_13_by_their_position_modulo_23():
    body = "201000016049"
    total = sum(int(d) * w for w, d in zip(range(2, 14), body, strict=True))
    assert upn_check_letter(body) == UPN_LETTERS[total % 23]


def test_check_letter_alphabet_skips_i_o_and_s():
    assert len(UPN_LETTERS) == 23
    assert not set("IOS") & set(UPN_LETTERS)


def test_a_wrong_check_letter_makes_a_upn_invalid():
    assert not is_valid_upn("A801200005001")


def test_temporary_upn_values_its_final_letter_by_its_index_in_the_check_alphabet():
    # A = 0, so a temporary UPN ending in A carries the same check letter as one ending in 0.
    assert upn_check_letter("80120000500A") == upn_check_letter("801200005000")
    # Z = 22: 22 * 13 = 286 ≡ 10 (mod 23), the same as a final digit of 10 would give.
    assert is_valid_upn(upn_check_letter("80120000500Z") + "80120000500Z")
    assert is_valid_upn(upn(5, temporary=True))


def test_temporary_upn_cannot_end_in_i_o_or_s():
    for letter in "IOS":
        with pytest.raises(ValueError):
            upn_check_letter("80120000500" + letter)
        assert not is_valid_upn("A80120000500" + letter)


def test_upn_validation_is_case_insensitive():
    assert is_valid_upn("b801200005001")


@pytest.mark.parametrize(
    "candidate",
    ["", "B80120000500", "B8012000050011", "801200005001B", "B80120000A001", "B 801200005001", "B８01200005001"],
)
def test_malformed_upns_are_invalid(candidate):
    assert not is_valid_upn(candidate)


def test_check_letter_refuses_a_body_of_the_wrong_shape():
    with pytest.raises(ValueError):
        upn_check_letter("8012000050")


def test_clean_upn_uppercases_trims_and_treats_blank_as_none():
    assert clean_upn("  b801200005001 ") == "B801200005001"
    assert clean_upn("   ") is None


def test_clean_upn_tells_a_malformed_upn_from_a_wrong_check_letter():
    with pytest.raises(ValueError, match="13 characters"):
        clean_upn("B80120000500")
    with pytest.raises(ValueError, match="check letter"):
        clean_upn("A801200005001")


def test_a_row_with_a_bad_upn_loads_the_pupil_without_it_and_warns_on_the_upn_field():
    result = roster("Ashdown,Reuben,09/11/2015,M,A801200005001", f"Quill,Flo,22/06/2019,F,{upn(1)}")
    assert result.errors == []
    assert [(w.row, w.field) for w in result.warnings] == [(1, "upn")]
    assert "check letter" in result.warnings[0].message and "A801200005001" not in result.warnings[0].message
    assert [(r.row, r.upn) for r in result.records] == [(1, None), (2, upn(1))]


def test_a_lowercase_upn_is_stored_uppercase():
    result = roster(f"Quill,Flo,22/06/2019,F,{upn(1).lower()}")
    assert result.records[0].upn == upn(1)


def test_a_blank_upn_is_allowed_and_stored_as_none():
    result = roster("Quill,Flo,22/06/2019,F,")
    assert result.records[0].upn is None
    assert result.errors == []


def test_a_repeated_upn_rejects_the_later_rows_and_names_the_first():
    result = roster(
        f"Quill,Flo,22/06/2019,F,{upn(1)}",
        f"Ashdown,Reuben,09/11/2015,M,{upn(2)}",
        f"Farrow,Ottilie,29/02/2016,F,{upn(1)}",
        f"Marchetti,Jude,01/12/2018,M,{upn(1).lower()}",
    )
    assert [r.row for r in result.records] == [1, 2]
    assert [(e.row, e.field, e.message) for e in result.errors] == [
        (3, "upn", "UPN is the same as the UPN on row 1"),
        (4, "upn", "UPN is the same as the UPN on row 1"),
    ]


def test_a_upn_repeated_from_a_rejected_row_still_counts_as_a_duplicate():
    # Row 1 is refused for its date, but it still claims the UPN: the file lists it twice either way.
    result = roster(f"Quill,Flo,31/02/2019,F,{upn(1)}", f"Farrow,Ottilie,29/02/2016,F,{upn(1)}")
    assert [(e.row, e.field) for e in result.errors] == [(1, "date_of_birth"), (2, "upn")]
    assert result.records == []


def test_synthetic_upns_are_valid_permanent_and_temporary():
    assert is_valid_upn(upn(999))
    assert upn(7, temporary=True)[-1] in UPN_LETTERS
