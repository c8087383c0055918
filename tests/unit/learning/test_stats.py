from datetime import date, timedelta

from shared.learning import stats


def _add(s, day, minutes=60, skills=("teamwork",), activity="act_a"):
    return stats.add_redemption(s, day, minutes=minutes, employer=False, skills=skills, interests=("sport",),
                                activity_id=activity)


def test_a_redemption_adds_minutes_skills_interests_and_the_activity_to_its_day():
    s = _add(_add({}, date(2026, 3, 1)), date(2026, 3, 1), minutes=30, activity="act_b")
    assert s["2026-03-01"] == {"m": 90, "e": 0, "n": 2, "s": {"teamwork": 90}, "i": {"sport": 90},
                               "a": ["act_a", "act_b"]}


def test_a_range_selects_days_inclusively():
    s = _add(_add(_add({}, date(2026, 1, 31)), date(2026, 2, 1)), date(2026, 2, 2))
    assert set(stats.in_range(s, date(2026, 2, 1), date(2026, 2, 1))) == {"2026-02-01"}
    assert set(stats.in_range(s, None, date(2026, 2, 1))) == {"2026-01-31", "2026-02-01"}


def test_a_prolific_pupils_stats_fold_old_days_into_months_and_keep_their_totals():
    today = date(2026, 11, 28)
    s: dict = {}
    for n in range(900):
        s = _add(s, today - timedelta(days=n), skills=("teamwork", "creativity", "problem solving", "resilience"),
                 activity=f"act_{n % 40:02d}")
    text = stats.dump(s, today=today)
    assert len(text.encode()) < 64 * 1024
    folded = stats.load(text)
    assert sum(e["m"] for e in folded.values()) == 900 * 60
    assert any(len(k) == 7 for k in folded) and (today - timedelta(days=10)).isoformat() in folded
    month = (today - timedelta(days=500)).isoformat()[:7]
    assert month in stats.in_range(folded, today - timedelta(days=500), today - timedelta(days=500))
