"""The insight figures of a group of pupils, computed from what a report may know about them (pure, no I/O).

A report never sees a pupil's name, id or date of birth: only `PupilFacts` (gender, school cohort and
the per-day learning aggregates that redemptions keep on the pupil row, see `shared.learning.stats`).

Every figure is keyed by a *dimension* string, so one Counter holds a whole breakdown and figures of
disjoint groups of pupils (two schools) add up with `Figures.add`:
    "all"            every pupil
    "g:<gender>"     pupils of one gender
    "c:<cohort>"     pupils of one school cohort (the year their English school year began; "c:" unknown)
    "s:<skill>"      pupils / minutes that built a skill
    "i:<interest>"   pupils / minutes in an interest
    "e"              employer engagement
A pupil counts once per dimension however many redemptions they made. An activity that builds two
skills adds its whole time to each, so skill (and interest) hours may add up to more than the total.

Two ways in, with the same result for whole months (a test holds them to that):
- `pupil_figures`: from the pupils themselves over a range of days (the school report).
- `MonthlySummary`: a roll-up of one school's pupils by calendar month that still counts each pupil
  once over any range of months (partner and national reports). Summaries of schools add up to a
  partner's (`add`), which is what the national report reads. Distinct pupils cannot be summed
  month by month, so for every month and dimension the summary keeps how many pupils were active in
  it *by the previous month they had been active in it* ("" for never before). A pupil active in
  months [a, b] is counted at exactly one of them: the first, the only one whose previous month is
  before a. So pupils(a..b) = sum over months m in a..b of the pupils whose previous month < a —
  exact, and stored as counts, never as anything about one pupil. The same trick counts skills'
  and interests' pupils (the contributors small-number suppression needs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from shared.learning.awards import newly_reached

ALL = "all"
EMPLOYER = "e"
DAY_MAX = "9999-12-31"
NEVER = ""  # the "previous month" of a pupil's first active month


def gender_dim(gender: str) -> str:
    return f"g:{gender}"


def cohort_dim(cohort: int | None) -> str:
    return f"c:{'' if cohort is None else cohort}"


def skill_dim(skill: str) -> str:
    return f"s:{skill}"


def interest_dim(interest: str) -> str:
    return f"i:{interest}"


def dims_with(prefix: str, counter: Mapping[str, int]) -> dict[str, int]:
    """The part of a breakdown under one prefix, keyed by what follows it: {"teamwork": 120, ...}."""
    return {dim[len(prefix):]: n for dim, n in counter.items() if dim.startswith(prefix)}


@dataclass(frozen=True)
class PupilFacts:
    gender: str
    cohort: int | None
    stats: Mapping[str, dict]  # learning_stats: UTC day -> {"m", "e", "n", "s", "i", "a"}


@dataclass
class Figures:
    pupils: Counter = field(default_factory=Counter)  # on roll: all, g:, c:
    participants: Counter = field(default_factory=Counter)  # with learning in the period: all, g:, c:, s:, i:, e
    minutes: Counter = field(default_factory=Counter)  # all, c:, s:, i:, e
    redemptions: int = 0
    awards: Counter = field(default_factory=Counter)  # award key -> pupils who reached it in the period
    activities: Counter = field(default_factory=Counter)  # activity id -> pupils (school) or schools (areas)
    # The trend: per calendar month ("YYYY-MM") of the period, pupils who learned in it and their minutes.
    month_participants: Counter = field(default_factory=Counter)
    month_minutes: Counter = field(default_factory=Counter)

    def add(self, other: Figures) -> None:
        self.pupils.update(other.pupils)
        self.participants.update(other.participants)
        self.minutes.update(other.minutes)
        self.redemptions += other.redemptions
        self.awards.update(other.awards)
        self.activities.update(other.activities)
        self.month_participants.update(other.month_participants)
        self.month_minutes.update(other.month_minutes)


def _roster_dims(pupil: PupilFacts) -> tuple[str, str, str]:
    return ALL, gender_dim(pupil.gender), cohort_dim(pupil.cohort)


def _learning(entries: Iterable[dict], cohort: int | None) -> tuple[Counter, int, set[str]]:
    """Minutes per dimension, redemptions and activities of some of one pupil's days."""
    minutes: Counter = Counter()
    redemptions = 0
    activities: set[str] = set()
    for entry in entries:
        spent = int(entry.get("m", 0))
        minutes[ALL] += spent
        minutes[cohort_dim(cohort)] += spent
        minutes[EMPLOYER] += int(entry.get("e", 0))
        for skill, m in entry.get("s", {}).items():
            minutes[skill_dim(skill)] += int(m)
        for interest, m in entry.get("i", {}).items():
            minutes[interest_dim(interest)] += int(m)
        redemptions += int(entry.get("n", 0))
        activities.update(entry.get("a", ()))
    return +minutes, redemptions, activities


def _active_dims(pupil: PupilFacts, minutes: Counter) -> list[str]:
    """The dimensions a pupil counts in when they learned these minutes (+Counter drops the zeros)."""
    extra = [dim for dim in minutes if dim.startswith(("s:", "i:")) or dim == EMPLOYER]
    return [*_roster_dims(pupil), *extra]


def pupil_figures(pupils: Iterable[PupilFacts], start: date | None, end: date | None) -> Figures:
    """Figures of these pupils over the days start..end (inclusive; None leaves that end open)."""
    lo = start.isoformat() if start else ""
    hi = end.isoformat() if end else DAY_MAX
    out = Figures()
    for pupil in pupils:
        out.pupils.update(_roster_dims(pupil))
        before = sum(int(e.get("m", 0)) for day, e in pupil.stats.items() if day < lo)
        minutes, redemptions, activities = _learning(
            (e for day, e in pupil.stats.items() if lo <= day <= hi), pupil.cohort
        )
        if not redemptions:
            continue
        out.participants.update(_active_dims(pupil, minutes))
        out.minutes.update(minutes)
        out.redemptions += redemptions
        out.activities.update(activities)
        out.awards.update(a.key for a in newly_reached(before, before + minutes[ALL]))
        by_month: Counter = Counter()
        for day, entry in pupil.stats.items():
            if lo <= day <= hi and int(entry.get("n", 0)):
                by_month[month_of(day)] += int(entry.get("m", 0))
        out.month_participants.update(by_month.keys())
        out.month_minutes.update(by_month)
    return out


# --- the monthly roll-up ------------------------------------------------------------------------------

def month_of(day: str) -> str:
    return day[:7]


@dataclass
class MonthlySummary:
    """One school's pupils on roll and their learning by calendar month, as counts only.

    `months[m]` = {"m": {dim: minutes}, "n": redemptions, "d": {dim: {previous month: pupils}},
    "w": {award key: pupils who reached it in m}, "a": [activities used in m]}.
    """

    roster: Counter = field(default_factory=Counter)
    months: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def of(cls, pupils: Iterable[PupilFacts]) -> MonthlySummary:
        summary = cls()
        for pupil in pupils:
            summary._add(pupil)
        for record in summary.months.values():
            record["a"] = sorted(record["a"])
        return summary

    def add(self, other: MonthlySummary) -> None:
        """Another school's summary into this one (a partner's total): the counts add up, since each pupil
        belongs to one school, and the activities used unite."""
        self.roster.update(other.roster)
        for month, theirs in other.months.items():
            mine = self.months.setdefault(month, {"m": {}, "n": 0, "d": {}, "w": {}, "a": []})
            _add_counts(mine["m"], theirs.get("m", {}))
            mine["n"] += int(theirs.get("n", 0))
            for dim, by_previous in theirs.get("d", {}).items():
                _add_counts(mine["d"].setdefault(dim, {}), by_previous)
            _add_counts(mine["w"], theirs.get("w", {}))
            mine["a"] = sorted({*mine["a"], *theirs.get("a", ())})

    def _add(self, pupil: PupilFacts) -> None:
        self.roster.update(_roster_dims(pupil))
        by_month: dict[str, list[dict]] = {}
        for day in sorted(pupil.stats):
            by_month.setdefault(month_of(day), []).append(pupil.stats[day])
        last_active: dict[str, str] = {}
        cumulative = 0
        for month, entries in by_month.items():
            minutes, redemptions, activities = _learning(entries, pupil.cohort)
            if not redemptions:
                continue
            record = self.months.setdefault(month, {"m": {}, "n": 0, "d": {}, "w": {}, "a": set()})
            for dim, m in minutes.items():
                record["m"][dim] = record["m"].get(dim, 0) + m
            record["n"] += redemptions
            record["a"].update(activities)
            for dim in _active_dims(pupil, minutes):
                previous = record["d"].setdefault(dim, {})
                since = last_active.get(dim, NEVER)
                previous[since] = previous.get(since, 0) + 1
                last_active[dim] = month
            for award in newly_reached(cumulative, cumulative + minutes[ALL]):
                record["w"][award.key] = record["w"].get(award.key, 0) + 1
            cumulative += minutes[ALL]


def _add_counts(into: dict, counts: Mapping[str, int]) -> None:
    for key, n in counts.items():
        into[key] = into.get(key, 0) + int(n)


def month_figures(roster: Mapping[str, int], months: Mapping[str, dict], start: str | None,
                  end: str | None) -> Figures:
    """Figures of one school over the months start..end ("YYYY-MM", inclusive; None leaves that end open).

    `activities` counts 1 per activity used, so summed over schools it says how many schools used it.
    """
    out = Figures(pupils=Counter(roster))
    for month, record in months.items():
        if (start and month < start) or (end and month > end):
            continue
        out.minutes.update(record.get("m", {}))
        out.redemptions += int(record.get("n", 0))
        out.awards.update(record.get("w", {}))
        for dim, by_previous in record.get("d", {}).items():
            out.participants[dim] += sum(
                n for previous, n in by_previous.items() if previous == NEVER or (start and previous < start)
            )
        for activity in record.get("a", ()):
            out.activities[activity] = 1
        # Every pupil active in a month is counted once in it, whatever month they were last active before.
        out.month_participants[month] += sum(int(n) for n in record.get("d", {}).get(ALL, {}).values())
        out.month_minutes[month] += int(record.get("m", {}).get(ALL, 0))
    return out
