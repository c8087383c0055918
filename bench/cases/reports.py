"""Reports (issue 7): what a school, partner and national report costs, and that redemptions do not move it.

Pupil rows are seeded straight into the store (batched upserts) rather than through the API, for speed;
their `learning_stats` is built redemption by redemption with `shared.learning.stats.add_redemption`,
exactly as the redemption transaction builds it, from a pool of real partner activities.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from bench.harness import BenchContext, Result, Row, benchmark, count_requests, describe_kinds, time_call

ISSUE = "reports"
SCHOOL_PUPILS = 2_000
REDEMPTIONS_PER_PUPIL = 10  # 20,000 for the school; the "doubled" school has 20 each
PARTNER_SCHOOLS = 50
PARTNER_PUPILS_PER_SCHOOL = 200
NATIONAL_PARTNERS = 150  # the national read: partner totals, as if ~25,000 schools were rolled up
NATIONAL_SCHOOLS = 25_000
ACTIVITY_POOL = 24
YEAR_START = date(2025, 9, 1)  # redemptions fall on school days of one school year
YEAR_DAYS = 320
REPEATS = 5
SKILLS = ("communication", "teamwork", "creativity", "problem solving", "resilience", "leadership")
INTERESTS = ("sport", "arts & culture", "STEM", "nature & outdoors", "music", "digital")


@dataclass(frozen=True)
class PoolActivity:
    id: str
    minutes: int
    employer: bool
    skills: tuple[str, ...]
    interests: tuple[str, ...]


def _trust():
    from shared.security.principal import Principal, Role

    return Principal(subject_id="stf_benchtrust", role=Role.TRUST_ADMIN)


def _partner(storage, name: str) -> str:
    from shared.organisation.schemas import PartnerIn
    from shared.organisation.service import create_partner

    return create_partner(_trust(), PartnerIn(name=name), storage=storage).id


def _school(storage, partner_id: str, name: str):
    from shared.organisation.schemas import SchoolIn
    from shared.organisation.service import create_school
    from shared.organisation.store import get_school

    return get_school(storage, create_school(_trust(), partner_id, SchoolIn(name=name), storage=storage).id)


def _activities(storage, partner_id: str, rng: random.Random) -> list[PoolActivity]:
    """Real partner activities (so the report lists and counts them), varied like a partner's offer."""
    from shared.learning.activities import create_activity
    from shared.learning.schemas import ActivityIn

    pool = []
    for n in range(ACTIVITY_POOL):
        body = ActivityIn(title=f"Destination {n}", hours=rng.choice([1, 1.5, 2, 3, 5]), partner_id=partner_id,
                          skills=rng.sample(SKILLS, rng.randint(1, 3)), interests=rng.sample(INTERESTS, 1),
                          employer_engagement=n % 6 == 0)
        out = create_activity(_trust(), body, storage=storage)
        pool.append(PoolActivity(id=out.id, minutes=int(out.hours * 60), employer=out.employer_engagement,
                                 skills=tuple(out.skills), interests=tuple(out.interests)))
    return pool


def _seed_pupils(storage, school, pool: list[PoolActivity], pupils: int, per_pupil: int,
                 rng: random.Random) -> list[int]:
    """Pupil rows with stats from `per_pupil` redemptions each; returns each row's stats size in bytes."""
    from shared.ids import iso, new_id, utcnow
    from shared.learning import stats as learning_stats
    from shared.roster.model import Gender, Pupil, PupilStatus
    from shared.roster.rules import cohort_of
    from shared.roster.store import pupil_upsert
    from shared.storage.names import PUPILS
    from shared.storage.tables import submit_batches

    now = iso(utcnow())
    genders = list(Gender)
    rows, sizes = [], []
    for n in range(pupils):
        dob = date(2014 + n % 7, 1 + n % 12, 1 + n % 28)
        stats: dict = {}
        for _ in range(per_pupil):
            a = rng.choice(pool)
            stats = learning_stats.add_redemption(
                stats, YEAR_START + timedelta(days=rng.randrange(YEAR_DAYS)), minutes=a.minutes, employer=a.employer,
                skills=a.skills, interests=a.interests, activity_id=a.id)
        pupil = Pupil(id=new_id("pup"), school_id=school.id, first_name=f"Pupil{n}", last_name="Bench",
                      date_of_birth=dob, gender=genders[n % 3], upn=None, username=f"bench{n}{new_id('u')[-5:]}",
                      status=PupilStatus.ACTIVE, restricted=n % 97 == 0, created_at=now, updated_at=now,
                      total_minutes=sum(e["m"] for e in stats.values()), cohort=cohort_of(dob))
        dumped = learning_stats.dump(stats)
        sizes.append(len(dumped.encode()))
        rows.append(pupil_upsert(pupil, stats=dumped))
    submit_batches(storage.table(PUPILS), rows)
    return sizes


def _kb(sizes: list[int]) -> str:
    return f"{statistics.mean(sizes) / 1024:.1f} KiB mean, {max(sizes) / 1024:.1f} KiB max"


@benchmark("school_report", issue=ISSUE, title=f"School report: {SCHOOL_PUPILS:,} pupils, redemptions doubled")
def school_report_cost(ctx: BenchContext) -> Result:
    from shared.reports import ReportQuery, report_csv, school_report

    storage = ctx.storage
    rng = random.Random(7)
    partner_id = _partner(storage, "Bench Reports CU")
    pool = _activities(storage, partner_id, rng)
    single = _school(storage, partner_id, "Bench Academy")
    double = _school(storage, partner_id, "Bench Academy Doubled")
    sizes = {
        "single": _seed_pupils(storage, single, pool, SCHOOL_PUPILS, REDEMPTIONS_PER_PUPIL, rng),
        "double": _seed_pupils(storage, double, pool, SCHOOL_PUPILS, 2 * REDEMPTIONS_PER_PUPIL, rng),
    }
    whole, term = ReportQuery(), ReportQuery(**{"from": date(2025, 9, 1), "to": date(2025, 12, 19)})

    rows: list[Row] = []
    measured = {}
    for label, school, per_pupil in (("single", single, REDEMPTIONS_PER_PUPIL),
                                     ("double", double, 2 * REDEMPTIONS_PER_PUPIL)):
        redemptions = SCHOOL_PUPILS * per_pupil
        report, tally = count_requests(lambda s=school: school_report(_trust(), s.id, whole, storage=storage))
        timing = time_call(lambda s=school: school_report(_trust(), s.id, whole, storage=storage), repeats=REPEATS)
        _, term_tally = count_requests(lambda s=school: school_report(_trust(), s.id, term, storage=storage))
        term_timing = time_call(lambda s=school: school_report(_trust(), s.id, term, storage=storage),
                                repeats=REPEATS)
        csv_timing = time_call(lambda r=report: report_csv(r), repeats=REPEATS)
        measured[label] = tally.total
        rows += [
            Row(f"{redemptions:,} redemptions: storage requests", tally.total, "requests", describe_kinds(tally)),
            Row(f"{redemptions:,} redemptions: whole-range report", timing.median * 1000, "ms",
                f"median of {REPEATS}; best {timing.best * 1000:.0f} ms"),
            Row(f"{redemptions:,} redemptions: one-term report (from/to)", term_timing.median * 1000, "ms",
                f"{term_tally.total} requests"),
            Row(f"{redemptions:,} redemptions: CSV rendering", csv_timing.median * 1000, "ms",
                f"{len(report_csv(report)):,} bytes"),
            Row(f"{redemptions:,} redemptions: learning_stats per pupil", statistics.mean(sizes[label]), "bytes",
                _kb(sizes[label])),
            Row(f"{redemptions:,} redemptions: figures", f"{report.participants:,} participants, "
                f"{report.total_hours:,.0f} h", "", f"{report.pupils:,} pupils on roll (restricted ones left out)"),
        ]
    same = measured["single"] == measured["double"]
    rows.append(Row("requests, doubled / single", f"{measured['double']} / {measured['single']}", "",
                    "unchanged" if same else "CHANGED — FAILS"))
    notes = (
        f"{SCHOOL_PUPILS:,} pupil rows seeded per school with `learning_stats` built by `add_redemption` from "
        f"{ACTIVITY_POOL} real partner activities, on random days of one school year; every 97th pupil is "
        "restricted. The report is the service `school_report` (what the HTTP function calls) as the Trust: "
        "one school read (scope), the pupil rows (one range query, a page per 1,000 rows, selecting gender, "
        "cohort, status, restricted and learning_stats only) and the two activity listings offered to the school. "
        "It never reads a redemption row, so doubling the redemptions changes the bytes of each pupil row (the "
        "per-day aggregate grows with the days a pupil was active, not with redemptions as such) and the time "
        "to parse them, but not the number of requests. Reading the 20,000 redemption rows instead would be "
        "at least 20 pages of 1,000, and 40 when doubled."
    )
    return Result(rows, notes)


def _summary_rows(storage, partition_key: str, row_key: str | None = None) -> list[dict]:
    from shared.storage.names import SCHOOL_STATS
    from shared.storage.tables import partition

    return [e for e in partition(storage.table(SCHOOL_STATS), partition_key) if row_key in (None, e["RowKey"])]


def _entity_bytes(entity: dict) -> int:
    return sum(len(str(value).encode()) for value in entity.values())


@benchmark("partner_report", issue=ISSUE,
           title=f"Partner report over {PARTNER_SCHOOLS} schools, the roll-up, and the national report")
def partner_report_cost(ctx: BenchContext) -> Result:
    from shared.organisation.store import schools_of_partner
    from shared.reports import ReportQuery, national_report, partner_report, roll_up, roll_up_partner, roll_up_school
    from shared.reports.store import PARTNER_TOTALS_PK
    from shared.storage.names import SCHOOL_STATS
    from shared.storage.tables import submit_batches, upsert_op

    storage = ctx.storage
    rng = random.Random(11)
    partners = {}
    for label, per_pupil in (("single", REDEMPTIONS_PER_PUPIL), ("double", 2 * REDEMPTIONS_PER_PUPIL)):
        partner_id = _partner(storage, f"Bench Partner {label}")
        pool = _activities(storage, partner_id, rng)
        for n in range(PARTNER_SCHOOLS):
            school = _school(storage, partner_id, f"Bench School {n:02d}")
            _seed_pupils(storage, school, pool, PARTNER_PUPILS_PER_SCHOOL, per_pupil, rng)
        partners[label] = (partner_id, per_pupil)

    rows: list[Row] = []
    first = schools_of_partner(storage, partners["single"][0])[0]
    _, one = count_requests(lambda: roll_up_school(storage, first))
    rows.append(Row(f"roll-up of one school ({PARTNER_PUPILS_PER_SCHOOL} pupils)", one.total, "requests",
                    describe_kinds(one)))
    _, whole_partner = count_requests(lambda: roll_up_partner(storage, partners["single"][0]))
    rows.append(Row(f"roll-up of one partner ({PARTNER_SCHOOLS} schools + its total)", whole_partner.total,
                    "requests", describe_kinds(whole_partner)))
    run = roll_up(storage, time_budget_seconds=600)
    run_timing = time_call(lambda: roll_up(storage, time_budget_seconds=600), repeats=1, warmup=0)
    rows.append(Row(f"roll-up run: {run.partners} partners, {run.schools} schools, 8 threads", run_timing.median,
                    "s", f"{run_timing.median / run.schools * 1000:.1f} ms per school; cycle completed: "
                    f"{run.cycle_completed}"))
    school_sizes = [_entity_bytes(e) for e in _summary_rows(storage, partners["single"][0])]
    total_size = _entity_bytes(_summary_rows(storage, PARTNER_TOTALS_PK, partners["single"][0])[0])
    rows.append(Row("schoolstats row, one school", statistics.mean(school_sizes), "bytes",
                    f"max {max(school_sizes):,}; a JSON property per month"))
    rows.append(Row(f"schoolstats row, one partner's total ({PARTNER_SCHOOLS} schools)", total_size, "bytes", ""))

    whole, term = ReportQuery(), ReportQuery(**{"from": date(2025, 9, 1), "to": date(2025, 12, 31)})
    measured = {}
    for label, (partner_id, per_pupil) in partners.items():
        redemptions = PARTNER_SCHOOLS * PARTNER_PUPILS_PER_SCHOOL * per_pupil
        report, tally = count_requests(lambda p=partner_id: partner_report(_trust(), p, whole, storage=storage))
        timing = time_call(lambda p=partner_id: partner_report(_trust(), p, whole, storage=storage), repeats=REPEATS)
        _, term_tally = count_requests(lambda p=partner_id: partner_report(_trust(), p, term, storage=storage))
        term_timing = time_call(lambda p=partner_id: partner_report(_trust(), p, term, storage=storage),
                                repeats=REPEATS)
        measured[label] = tally.total
        rows += [
            Row(f"{redemptions:,} redemptions: storage requests", tally.total, "requests", describe_kinds(tally)),
            Row(f"{redemptions:,} redemptions: whole-range report", timing.median * 1000, "ms",
                f"median of {REPEATS}; {report.pupils:,} pupils, {report.participants:,} participants"),
            Row(f"{redemptions:,} redemptions: Sep–Dec report", term_timing.median * 1000, "ms",
                f"{term_tally.total} requests; selects 4 month properties"),
        ]
    rows.append(Row("requests, doubled / single", f"{measured['double']} / {measured['single']}", "",
                    "unchanged" if measured["double"] == measured["single"] else "CHANGED — FAILS"))

    # National: the two real partner totals plus copies for more real partners, as if each had ~167 schools.
    template = _summary_rows(storage, PARTNER_TOTALS_PK, partners["single"][0])[0]
    copies = [upsert_op(dict(template) | {"RowKey": _partner(storage, f"Bench National {n:03d}"),
                                          "schools": NATIONAL_SCHOOLS // NATIONAL_PARTNERS})
              for n in range(NATIONAL_PARTNERS - len(partners))]
    submit_batches(storage.table(SCHOOL_STATS), copies)
    national, tally = count_requests(lambda: national_report(_trust(), whole, storage=storage))
    timing = time_call(lambda: national_report(_trust(), whole, storage=storage), repeats=REPEATS)
    term_timing = time_call(lambda: national_report(_trust(), term, storage=storage), repeats=REPEATS)
    rows += [
        Row(f"national report, {len(national.partners)} partners, {national.schools:,} schools: storage requests",
            tally.total, "requests", describe_kinds(tally)),
        Row("national report, whole range", timing.median * 1000, "ms", f"median of {REPEATS}"),
        Row("national report, Sep–Dec", term_timing.median * 1000, "ms", f"median of {REPEATS}"),
    ]
    notes = (
        f"Two partners of {PARTNER_SCHOOLS} schools × {PARTNER_PUPILS_PER_SCHOOL} pupils, seeded like the school "
        f"report's (one with {REDEMPTIONS_PER_PUPIL} redemptions per pupil, one with twice that), rolled up by "
        "`roll_up` (the `reports_rollup` timer's service: partner by partner, each partner's schools on 8 "
        "threads, then the partner's total from the same summaries; cursor saved). The run also covers any "
        "other partner in the store (the school report benchmark's, when run together). A partner report is 4 "
        "requests whatever the redemptions: the partner (scope), its schools' listing, its partition of "
        "`schoolstats` (one row per school, selecting only the months of the range) and its destinations. "
        f"The national report reads one total row per partner: {NATIONAL_PARTNERS} partners here, two real "
        f"and the rest copies of a real total under real partners, each standing for "
        f"{NATIONAL_SCHOOLS // NATIONAL_PARTNERS} schools. Reading one row per school instead measured 5.9 s "
        "for 5,000 schools on this machine (about 30 s for 25,000), most of it deserialising rows."
    )
    return Result(rows, notes)
