import time

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


def test_a_20000_row_export_parses_well_within_a_request():
    data = synthetic_sims_csv(20_000, seed=1)
    started = time.perf_counter()
    result = parse_csv(data, today=SYNTHETIC_TODAY, max_bytes=len(data))
    elapsed = time.perf_counter() - started
    assert len(result.records) == 20_000
    # Typically ~0.4 s; the bound leaves room for a slow CI runner.
    assert elapsed < 3.0
