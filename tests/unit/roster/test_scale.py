from shared.roster import parse_csv
from shared.roster.rules import is_valid_upn
from tests.data.synthetic import SYNTHETIC_TODAY, synthetic_sims_csv


def test_the_synthetic_generator_is_deterministic_and_fully_valid():
    data = synthetic_sims_csv(500, seed=3)
    assert data == synthetic_sims_csv(500, seed=3)
    assert data != synthetic_sims_csv(500, seed=4)
    result = parse_csv(data, today=SYNTHETIC_TODAY, max_bytes=len(data))
    assert result.errors == []
    assert len(result.records) == 500
    assert len({r.upn for r in result.records}) == 500
    assert all(r.upn and is_valid_upn(r.upn) for r in result.records)
    assert {"Ethnicity", "SEN Status", "FSM Eligible", "EAL"} <= set(result.special_category_columns)


def test_a_20000_row_export_parses_completely():
    # How long it takes is measured in bench/ (roster), not asserted here.
    data = synthetic_sims_csv(20_000, seed=1)
    result = parse_csv(data, today=SYNTHETIC_TODAY, max_bytes=len(data))
    assert len(result.records) == 20_000 and result.errors == []
