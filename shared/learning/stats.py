"""Per-pupil learning aggregates kept on the pupil row, changed in the same transaction as a redemption.

Reports read one row per pupil (and per-school roll-ups of these), never the redemptions, so their cost
does not grow with the number of redemptions. Shape (compact JSON, by UTC day):
    {"YYYY-MM-DD": {"m": minutes, "e": employer-engagement minutes, "n": redemptions,
                    "s": {skill: minutes}, "i": {interest: minutes}, "a": [activity ids]}}
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

STATS_FIELD = "learning_stats"


def load(raw: str | None) -> dict:
    return json.loads(raw) if raw else {}


def dump(stats: dict) -> str:
    return json.dumps(stats, separators=(",", ":"), sort_keys=True)


def add_redemption(
    stats: dict, day: date, *, minutes: int, employer: bool, skills: Iterable[str], interests: Iterable[str],
    activity_id: str,
) -> dict:
    """A new stats dict with one redemption added (the input is not changed)."""
    out = json.loads(json.dumps(stats))
    entry = out.setdefault(day.isoformat(), {"m": 0, "e": 0, "n": 0, "s": {}, "i": {}, "a": []})
    entry["m"] += minutes
    entry["n"] += 1
    if employer:
        entry["e"] += minutes
    for skill in skills:
        entry["s"][skill] = entry["s"].get(skill, 0) + minutes
    for interest in interests:
        entry["i"][interest] = entry["i"].get(interest, 0) + minutes
    if activity_id not in entry["a"]:
        entry["a"].append(activity_id)
    return out


def in_range(stats: dict, start: date | None, end: date | None) -> dict:
    """The days of `stats` from `start` to `end` inclusive (either may be open)."""
    lo = start.isoformat() if start else ""
    hi = end.isoformat() if end else "9999-12-31"
    return {day: entry for day, entry in stats.items() if lo <= day <= hi}
