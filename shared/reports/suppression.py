"""Small-number suppression for partner and national reports, so no child can be singled out (pure).

Every cell comes with its *contributors*: the pupils it describes (for a count, the count itself; for
hours, the pupils who learned them). A cell with 1 to 4 contributors shows "<5" (primary suppression);
zero describes nobody and is shown. Where the parts of a breakdown add up to a published total
(gender, year group, the schools of a partner), one hidden part could be recovered by subtraction, so
the next smallest part is hidden too (secondary suppression). Skills and interests do not add up to
anything (an activity counts for each of its skills), so they get primary suppression only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeVar

from shared.reports.schemas import SUPPRESSED

THRESHOLD = 5
V = TypeVar("V")


def is_small(contributors: int) -> bool:
    return 0 < contributors < THRESHOLD


class Disclosure(Protocol):
    def cell(self, value: V, contributors: int) -> V | str: ...

    def breakdown(self, cells: Mapping[str, tuple[V, int]], total_contributors: int) -> dict[str, V | str]: ...


class Exact:
    """The school report: the school's own pupils, shown as they are."""

    def cell(self, value: V, contributors: int) -> V | str:
        return value

    def breakdown(self, cells: Mapping[str, tuple[V, int]], total_contributors: int) -> dict[str, V | str]:
        return {key: value for key, (value, _) in cells.items()}


class SmallNumbersHidden:
    """Partner and national reports."""

    def cell(self, value: V, contributors: int) -> V | str:
        return SUPPRESSED if is_small(contributors) else value

    def breakdown(self, cells: Mapping[str, tuple[V, int]], total_contributors: int) -> dict[str, V | str]:
        hidden = {key for key, (_, contributors) in cells.items() if is_small(contributors)}
        if len(hidden) == 1 and not is_small(total_contributors):
            others = sorted((c, key) for key, (_, c) in cells.items() if key not in hidden and c > 0)
            if others:
                hidden.add(others[0][1])
        return {key: SUPPRESSED if key in hidden else value for key, (value, _) in cells.items()}
