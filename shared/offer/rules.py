"""Who an activity is for, as pure rules (no I/O): a child's possible ages, audience, age bands, the order.

These are the only rules that read a child's date of birth and gender (with the reports' gender split):
the DPIA collects them to target age- and gender-appropriate activities, and nothing else uses them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from shared.learning.audience import Audience
from shared.roster.model import Gender
from shared.roster.rules import age_on

# The reports' age bands: "5-7" holds every age up to 7, "12-14" every age from 12.
AGE_BANDS = ("5-7", "8-11", "12-14")
_BAND_SPANS = {"5-7": (None, 7), "8-11": (8, 11), "12-14": (12, None)}
# Where a date of birth says only the year, reports place the child in the middle of it.
_MIDYEAR = (7, 1)


@dataclass(frozen=True)
class Ages:
    """The ages a child may be today: one age when the date of birth is exact, two when only the year is kept
    (before or after their birthday), one again on 31 December."""

    youngest: int
    oldest: int


def possible_ages(date_of_birth: date, today: date, *, year_only: bool) -> Ages:
    if not year_only:
        age = age_on(date_of_birth, today)
        return Ages(age, age)
    year = date_of_birth.year
    return Ages(youngest=age_on(date(year, 12, 31), today), oldest=age_on(date(year, 1, 1), today))


def fits_ages(min_age: int | None, max_age: int | None, ages: Ages) -> bool:
    """Whether an activity for `min_age`..`max_age` (inclusive; None: no bound) fits a child of any of `ages`."""
    return (min_age is None or ages.oldest >= min_age) and (max_age is None or ages.youngest <= max_age)


def audiences_for(gender: Gender) -> frozenset[Audience]:
    """The audiences offered to a child: everyone's, and the targeted programmes meant for them. A child
    recorded as `other` is offered both targeted kinds, so a recorded value never excludes anyone."""
    if gender is Gender.FEMALE:
        return frozenset({Audience.EVERYONE, Audience.GIRLS})
    if gender is Gender.MALE:
        return frozenset({Audience.EVERYONE, Audience.BOYS})
    return frozenset(Audience)


def age_band(age: int) -> str:
    return "5-7" if age <= 7 else "8-11" if age <= 11 else "12-14"


def bands_of(min_age: int | None, max_age: int | None) -> tuple[str, ...]:
    """The age bands an activity's age range reaches (an activity for any age reaches all three)."""
    return tuple(
        band for band, (lo, hi) in _BAND_SPANS.items()
        if (max_age is None or lo is None or max_age >= lo) and (min_age is None or hi is None or min_age <= hi)
    )


def band_on(date_of_birth: date, day: date, *, year_only: bool) -> str:
    """A child's age band on `day` for the reports (one band per child: a year-only date counts from 1 July)."""
    born = date(date_of_birth.year, *_MIDYEAR) if year_only else date_of_birth
    return age_band(age_on(born, day))


class Offered(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def skills(self) -> Sequence[str]: ...

    @property
    def interests(self) -> Sequence[str]: ...


T = TypeVar("T", bound=Offered)


@dataclass(frozen=True)
class Tried:
    """What a child has already done: activity ids, and the skills and interests those activities built."""

    activity_ids: frozenset[str] = frozenset()
    skills: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()


def new_to(item: Offered, tried: Tried) -> int:
    """How many of the item's skills and interests the child has not tried yet."""
    return len(set(item.skills) - tried.skills) + len(set(item.interests) - tried.interests)


def default_order(items: Iterable[T], tried: Tried) -> list[T]:
    """Skills and interests the child has not tried yet first (the most new ones first), then what they
    have not done before, then by title; the id keeps the order stable from page to page."""
    return sorted(items, key=lambda i: (-new_to(i, tried), i.id in tried.activity_ids, i.title.casefold(), i.id))
