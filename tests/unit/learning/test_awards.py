from decimal import Decimal

import pytest

from shared.hours import format_hours, hours_to_minutes, minutes_to_hours
from shared.learning.awards import (
    LADDER,
    Award,
    award_by_key,
    awards_reached,
    newly_reached,
    next_award,
)


def h(hours: float) -> int:
    return round(hours * 60)


def test_the_ladder_has_thirty_awards_ranked_one_to_thirty():
    assert len(LADDER) == 30
    assert [award.rank for award in LADDER] == list(range(1, 31))


def test_every_hundred_has_bronze_at_30_silver_at_65_and_gold_at_100():
    expected = [hundred * 100 + offset for hundred in range(10) for offset in (30, 65, 100)]
    assert [award.hours for award in LADDER] == expected
    assert expected[:4] == [30, 65, 100, 130] and expected[-1] == 1000


def test_awards_are_named_medal_then_tier_from_award_to_fellowship():
    names = [award.name for award in LADDER]
    assert names[:4] == ["Bronze Award", "Silver Award", "Gold Award", "Bronze Certificate"]
    assert names[21:24] == [
        "Bronze Postgraduate Masters Degree",
        "Silver Postgraduate Masters Degree",
        "Gold Postgraduate Masters Degree",
    ]
    assert names[-3:] == ["Bronze Fellowship", "Silver Fellowship", "Gold Fellowship"]
    assert len(set(names)) == 30


def test_award_keys_are_the_names_in_lower_kebab_case_and_unique():
    assert LADDER[0].key == "bronze-award"
    assert award_by_key("gold-postgraduate-masters-degree").hours == 800
    assert len({award.key for award in LADDER}) == 30
    assert all(award.key == award.name.lower().replace(" ", "-") for award in LADDER)


def test_an_unknown_award_key_is_a_key_error():
    with pytest.raises(KeyError):
        award_by_key("platinum-award")


def test_awards_are_frozen_and_know_their_minutes_and_medal():
    gold = award_by_key("gold-award")
    assert gold == Award(key="gold-award", name="Gold Award", hours=100, rank=3)
    assert gold.minutes == 6000
    assert gold.medal == "Gold"
    with pytest.raises(AttributeError):
        gold.hours = 5  # type: ignore[misc]


def test_no_award_is_reached_before_thirty_hours():
    assert awards_reached(0) == []
    assert awards_reached(h(30) - 1) == []


def test_an_award_is_reached_exactly_at_its_threshold():
    assert [a.name for a in awards_reached(h(30))] == ["Bronze Award"]
    assert [a.name for a in awards_reached(h(130))] == [
        "Bronze Award",
        "Silver Award",
        "Gold Award",
        "Bronze Certificate",
    ]


def test_every_award_is_reached_at_a_thousand_hours_and_beyond():
    assert awards_reached(h(1000)) == list(LADDER)
    assert awards_reached(h(5000)) == list(LADDER)


def test_newly_reached_lists_every_threshold_one_redemption_crosses():
    crossed = newly_reached(h(29.75), h(131))
    assert [a.name for a in crossed] == ["Bronze Award", "Silver Award", "Gold Award", "Bronze Certificate"]


def test_newly_reached_counts_a_threshold_landed_on_exactly_but_not_one_already_held():
    assert [a.name for a in newly_reached(h(64), h(65))] == ["Silver Award"]
    assert newly_reached(h(65), h(66)) == []


def test_newly_reached_is_empty_when_no_threshold_is_crossed_or_the_total_falls():
    assert newly_reached(h(31), h(64.75)) == []
    assert newly_reached(h(200), h(100)) == []


def test_next_award_gives_the_minutes_still_to_go():
    assert next_award(0) == (award_by_key("bronze-award"), h(30))
    assert next_award(h(30)) == (award_by_key("silver-award"), h(35))
    assert next_award(h(99.25)) == (award_by_key("gold-award"), 45)


def test_there_is_no_next_award_after_the_gold_fellowship():
    assert next_award(h(999.75)) == (award_by_key("gold-fellowship"), 15)
    assert next_award(h(1000)) is None
    assert next_award(h(1234)) is None


@pytest.mark.parametrize(
    ("hours", "minutes"),
    [(0.25, 15), (0.5, 30), (1, 60), (1.75, 105), (Decimal("2.25"), 135), (Decimal("100"), 6000), (1000.0, 60000)],
)
def test_hours_in_quarter_steps_become_whole_minutes(hours, minutes):
    assert hours_to_minutes(hours) == minutes
    assert isinstance(hours_to_minutes(hours), int)


@pytest.mark.parametrize("hours", [0, 0.0, -1, -0.25, Decimal("0"), Decimal("-2")])
def test_hours_must_be_positive(hours):
    with pytest.raises(ValueError, match="more than 0"):
        hours_to_minutes(hours)


@pytest.mark.parametrize("hours", [0.1, 0.3, 1.2, 0.25 + 1e-12, Decimal("0.125"), 1 / 3])
def test_hours_must_be_whole_quarter_hours(hours):
    with pytest.raises(ValueError, match="steps of 0.25"):
        hours_to_minutes(hours)


@pytest.mark.parametrize("hours", [float("nan"), float("inf"), Decimal("NaN"), Decimal("Infinity"), True, "1", None])
def test_hours_that_are_not_finite_numbers_are_refused(hours):
    with pytest.raises(ValueError):
        hours_to_minutes(hours)


def test_minutes_convert_back_to_hours():
    assert minutes_to_hours(15) == 0.25
    assert minutes_to_hours(6000) == 100.0
    assert minutes_to_hours(hours_to_minutes(31.75)) == 31.75


@pytest.mark.parametrize(
    ("hours", "text"), [(30, "30"), (30.0, "30"), (31.5, "31.5"), (0.25, "0.25"), (1000, "1000"), (2 / 3, "0.67")]
)
def test_hours_are_formatted_without_trailing_zeros(hours, text):
    assert format_hours(hours) == text


@pytest.mark.parametrize("hours", [1.2497244026387669e151, Decimal("1e30"), 1001])
def test_absurdly_large_hours_are_refused_not_crashed_on(hours):
    with pytest.raises(ValueError):
        hours_to_minutes(hours)
