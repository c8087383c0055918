"""The pure parts of the benchmark harness: percentiles, throughput bookkeeping and RESULTS.md sections."""

import pytest

from bench.harness import Throughput, median_run, percentile, run_concurrently
from bench.report import Section, compose, format_value, merge_sections, parse_sections


def test_percentile_interpolates_between_closest_ranks():
    samples = [4.0, 1.0, 3.0, 2.0]
    assert percentile(samples, 0) == 1.0
    assert percentile(samples, 50) == 2.5
    assert percentile(samples, 100) == 4.0
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)


def test_percentile_of_one_sample_is_that_sample():
    assert percentile([7.0], 95) == 7.0


def test_percentile_refuses_no_samples_and_out_of_range():
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_concurrent_run_performs_every_op_exactly_once():
    seen: list[int] = []
    result = run_concurrently(seen.append, ops=50, threads=4)
    assert sorted(seen) == list(range(50))
    assert result.ops == 50 and len(result.latencies) == 50


def test_a_failing_op_fails_the_concurrent_run():
    def op(i: int) -> None:
        if i == 3:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        run_concurrently(op, ops=20, threads=3)


def test_median_run_is_one_of_the_runs():
    runs = [Throughput(ops=n, seconds=1.0, threads=1, latencies=(0.001,)) for n in (30, 10, 20)]
    assert median_run(runs).ops == 20


def _results(*sections: Section) -> str:
    return compose("# Benchmark results\n\nheader", sections)


def test_rewriting_one_section_keeps_the_others_verbatim():
    existing = _results(
        Section("cold_start", "platform", "old cold start | 1 |"),
        Section("health", "platform", "old health"),
        Section("roster_ingest", "12", "roster figures from an earlier run"),
    )
    merged = merge_sections(
        existing, [Section("health", "platform", "new health")], order=["cold_start", "health", "roster_ingest"]
    )
    text = _results(*merged)

    bodies = {s.name: s.body.strip() for s in parse_sections(text)}
    assert bodies == {
        "cold_start": "old cold start | 1 |",
        "health": "new health",
        "roster_ingest": "roster figures from an earlier run",
    }
    assert "old health" not in text
    assert text.count("## Issue: platform") == 1 and "## Issue: 12" in text


def test_new_sections_follow_registry_order_and_unregistered_ones_are_kept_last():
    existing = _results(Section("retired", "old", "kept"), Section("health", "platform", "h"))
    merged = merge_sections(existing, [Section("cold_start", "platform", "c")], order=["cold_start", "health"])
    assert [s.name for s in merged] == ["cold_start", "health", "retired"]


def test_an_empty_results_file_gets_just_the_fresh_sections():
    merged = merge_sections("", [Section("health", "platform", "h")], order=["health"])
    assert [s.name for s in merged] == ["health"]


def test_values_are_formatted_for_reading():
    assert format_value(12345) == "12,345"
    assert format_value(2209.4) == "2,209"
    assert format_value(41.53) == "41.5"
    assert format_value(1.234) == "1.23"
    assert format_value(0.7551) == "0.755"
    assert format_value("1.9 / 3.4") == "1.9 / 3.4"


def test_floor_warm_up_gives_every_thread_a_few_ops():
    from bench.floor import warm_up_ops

    assert warm_up_ops(400, 1) == 20
    assert warm_up_ops(5, 1) == 5
    assert warm_up_ops(200, 8, floor=10) == 16
