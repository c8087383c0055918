"""Who an activity is for: a child's possible ages, audience, the reports' age bands and the default order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from shared.learning.audience import Audience
from shared.offer.rules import (
    AGE_BANDS,
    Ages,
    Tried,
    age_band,
    audiences_for,
    band_on,
    bands_of,
    default_order,
    fits_ages,
    possible_ages,
)
from shared.roster.model import Gender


@pytest.mark.parametrize(("born", "today", "age"), [
    (date(2016, 5, 10), date(2025, 5, 9), 8),    # the day before the birthday
    (date(2016, 5, 10), date(2025, 5, 10), 9),   # on it
    (date(2016, 2, 29), date(2025, 2, 28), 8),   # a leap-day birthday is 1 March in other years
    (date(2016, 2, 29), date(2025, 3, 1), 9),
])
def test_an_exact_date_of_birth_gives_one_age(born, today, age):
    assert possible_ages(born, today, year_only=False) == Ages(age, age)


@pytest.mark.parametrize(("today", "ages"), [
    (date(2025, 1, 1), Ages(8, 9)),    # only a 1 January birthday has passed
    (date(2025, 6, 15), Ages(8, 9)),
    (date(2025, 12, 30), Ages(8, 9)),
    (date(2025, 12, 31), Ages(9, 9)),  # every birthday of the year has passed
])
def test_only_the_year_of_birth_gives_either_of_two_ages(today, ages):
    assert possible_ages(date(2016, 1, 1), today, year_only=True) == ages


@pytest.mark.parametrize(("min_age", "max_age", "ages", "fits"), [
    (None, None, Ages(6, 6), True),
    (8, 8, Ages(8, 9), True),     # either age will do
    (None, 7, Ages(7, 8), True),
    (10, None, Ages(8, 9), False),
    (None, 7, Ages(8, 9), False),
    (9, 11, Ages(9, 9), True),
    (10, 11, Ages(9, 9), False),
    (5, 8, Ages(9, 9), False),
    (13, 13, Ages(13, 13), True),
])
def test_an_activity_fits_when_any_possible_age_is_in_its_range(min_age, max_age, ages, fits):
    assert fits_ages(min_age, max_age, ages) is fits


def test_targeted_programmes_reach_the_children_they_are_for_and_other_reaches_both():
    assert audiences_for(Gender.FEMALE) == {Audience.EVERYONE, Audience.GIRLS}
    assert audiences_for(Gender.MALE) == {Audience.EVERYONE, Audience.BOYS}
    assert audiences_for(Gender.OTHER) == {Audience.EVERYONE, Audience.GIRLS, Audience.BOYS}


@pytest.mark.parametrize(("age", "band"), [(3, "5-7"), (5, "5-7"), (7, "5-7"), (8, "8-11"), (11, "8-11"),
                                           (12, "12-14"), (14, "12-14"), (17, "12-14")])
def test_age_bands_hold_seven_and_under_and_twelve_and_over(age, band):
    assert age_band(age) == band


@pytest.mark.parametrize(("min_age", "max_age", "bands"), [
    (None, None, AGE_BANDS),
    (3, 4, ("5-7",)),
    (6, 9, ("5-7", "8-11")),
    (8, 11, ("8-11",)),
    (10, 13, ("8-11", "12-14")),
    (12, None, ("12-14",)),
    (None, 7, ("5-7",)),
    (16, 19, ("12-14",)),
])
def test_an_activity_reaches_every_band_its_ages_meet(min_age, max_age, bands):
    assert bands_of(min_age, max_age) == bands


def test_a_report_places_a_year_only_child_in_the_middle_of_their_year():
    assert band_on(date(2017, 1, 1), date(2025, 3, 1), year_only=True) == "5-7"   # 7 until July
    assert band_on(date(2017, 1, 1), date(2025, 7, 1), year_only=True) == "8-11"
    assert band_on(date(2017, 1, 1), date(2025, 3, 1), year_only=False) == "8-11"  # an exact 1 January birthday


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    skills: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()


def test_the_default_order_puts_what_the_child_has_not_tried_first():
    tried = Tried(activity_ids=frozenset({"act_read"}), skills=frozenset({"teamwork"}),
                  interests=frozenset({"reading & writing"}))
    read_again = Item("act_read", "Book club", ("teamwork",), ("reading & writing",))
    football = Item("act_foot", "Football", ("teamwork",), ("sport",))          # one new interest
    coding = Item("act_code", "Coding club", ("problem solving",), ("STEM",))    # two new
    poetry = Item("act_poem", "Poetry", ("teamwork",), ("reading & writing",))  # nothing new, not done
    art = Item("act_art", "Art", ("creativity",), ())                            # one new skill
    ordered = default_order([read_again, football, coding, poetry, art], tried)
    assert [i.id for i in ordered] == ["act_code", "act_art", "act_foot", "act_poem", "act_read"]


def test_a_child_who_has_tried_nothing_gets_the_most_varied_first_then_titles():
    items = [Item("b", "Beta", ("x",)), Item("a", "alpha", ("x",)), Item("c", "Gamma", ("x", "y"), ("z",))]
    assert [i.id for i in default_order(items, Tried())] == ["c", "a", "b"]
