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

# A Table string property holds at most 64 KiB. Past this size, days older than COMPACT_AFTER_DAYS are
# folded into month entries ("YYYY-MM"), so a prolific pupil's stats keep fitting; ranges that start
# or end inside a folded month then count that whole month.
COMPACT_ABOVE_BYTES = 48_000
COMPACT_AFTER_DAYS = 400


def load(raw: str | None) -> dict:
    return json.loads(raw) if raw else {}


def dump(stats: dict, *, today: date | None = None) -> str:
    text = json.dumps(stats, separators=(",", ":"), sort_keys=True)
    if len(text.encode()) > COMPACT_ABOVE_BYTES:
        text = json.dumps(compact(stats, today or date.today()), separators=(",", ":"), sort_keys=True)
    return text


def _merge(into: dict, entry: dict) -> None:
    for key in ("m", "e", "n"):
        into[key] = into.get(key, 0) + entry.get(key, 0)
    for key in ("s", "i"):
        bucket = into.setdefault(key, {})
        for name, minutes in entry.get(key, {}).items():
            bucket[name] = bucket.get(name, 0) + minutes
    seen = into.setdefault("a", [])
    seen.extend(a for a in entry.get("a", []) if a not in seen)


def compact(stats: dict, today: date) -> dict:
    """Fold days older than COMPACT_AFTER_DAYS into their months; totals are unchanged."""
    cutoff = date.fromordinal(today.toordinal() - COMPACT_AFTER_DAYS).isoformat()
    out: dict = {}
    for key, entry in sorted(stats.items()):
        target = key[:7] if len(key) == 10 and key < cutoff else key
        _merge(out.setdefault(target, {}), entry)
    return out


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
    # A folded month ("YYYY-MM") counts when any of its days is in the range.
    return {key: entry for key, entry in stats.items() if lo[: len(key)] <= key <= hi[: len(key)]}
