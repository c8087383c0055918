"""Retention (issue 6): what one retention run costs in a store of 50,000 pupils, with 100 leavers due and
with nothing due, against the requests of erasing those 100 pupils directly.

The store is seeded straight into storage (batched upserts of `roster.store.pupil_upsert` rows, 1,000 pupils in each of
50 schools) rather than through roster syncs, for speed. The pupils that are later erased also get what
erasure has to find: two redemption rows (one of a single-use code, whose claim row is kept but emptied),
a login row, and, once they are made leavers, the merge of their left state and their due-date index row,
written exactly as a full roster sync writes them (`shared.roster.ingest._apply`).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bench.harness import BenchContext, Result, Row, benchmark, count_requests, describe_kinds

if TYPE_CHECKING:
    from shared.roster.model import Pupil
    from shared.storage.clients import Storage
    from shared.storage.counting import RequestTally

ISSUE = "retention"
SCHOOLS = 50
PUPILS_PER_SCHOOL = 1_000
FIRST_SCHOOLS = 5  # the nothing-due run is measured at 5,000 pupils, then again at 50,000
DUE = 100
TARGET = 1.5  # requests of the run / requests of erasing the same people directly
NOTHING_DUE_REPEATS = 5
SEED_THREADS = 4  # schools seeded side by side (set-up only, not measured)
SPREAD_PER_SCHOOL = DUE // SCHOOLS  # 2 leavers in each of the 50 schools
SPREAD_ROUNDS = 2  # rounds of (run, direct) in alternating order, each on its own 200 pupils
USERNAME_PREFIX = "ret"  # login rows share one partition (PK = hash of the first three characters)


@dataclass
class Cohort:
    """100 pupils erased by the retention run and 100 more, laid out alike, erased directly."""

    label: str
    by_run: list[Pupil] = field(default_factory=list)
    direct: list[Pupil] = field(default_factory=list)


@dataclass
class Measured:
    tally: RequestTally
    seconds: float


# --- seeding ---------------------------------------------------------------------------------------------


def _school_ids(storage: Storage, count: int) -> list[str]:
    from shared.organisation.schemas import PartnerIn, SchoolIn
    from shared.organisation.service import create_partner, create_school
    from shared.security.principal import Principal, Role

    trust = Principal(subject_id="stf_benchretention", role=Role.TRUST_ADMIN)
    partner_id = create_partner(trust, PartnerIn(name="Bench Retention CU"), storage=storage).id
    return [create_school(trust, partner_id, SchoolIn(name=f"Bench Retention {n:02d}"), storage=storage).id
            for n in range(count)]


def _pupils_of(school_index: int, school_id: str, prepared: int) -> list[Pupil]:
    """The school's pupils; the first `prepared` have a login (they are the ones erased later)."""
    from shared.ids import iso, new_id, utcnow
    from shared.roster.model import Gender, Pupil, PupilStatus
    from shared.roster.rules import cohort_of

    stamp = iso(utcnow() - timedelta(days=400))
    genders = list(Gender)
    pupils = []
    for n in range(PUPILS_PER_SCHOOL):
        dob = date(2014 + n % 7, 1 + n % 12, 1 + n % 28)
        pupils.append(Pupil(
            id=new_id("pup"), school_id=school_id, first_name=f"Pupil{n}", last_name=f"Retention{school_index:02d}",
            date_of_birth=dob, gender=genders[n % 3], upn=None,
            username=f"{USERNAME_PREFIX}{school_index:02d}{n:04d}{new_id('u')[-4:]}", status=PupilStatus.ACTIVE,
            restricted=False, total_minutes=90 if n < prepared else 0, created_at=stamp, updated_at=stamp,
            has_login=n < prepared, cohort=cohort_of(dob)))
    return pupils


def _redemptions(pupil: Pupil) -> list:
    """Two redemptions as a redemption stores them: a single-use code and a shared one."""
    from shared.hours import minutes_to_hours
    from shared.learning.model import FromCode, Redemption
    from shared.learning.schemas import ActivitySummary

    found = []
    for k, (single_use, minutes) in enumerate(((True, 60), (False, 30))):
        code = f"RET{pupil.id[4:14].upper()}{k}" if single_use else "RETCLUBSHARED"
        found.append(Redemption(
            source=FromCode(code), redemption_id=f"rdm_{pupil.id[4:]}{k}",
            activity=ActivitySummary(id="act_benchretention", title="Bench Retention Club",
                                     hours=minutes_to_hours(minutes), skills=["teamwork"], interests=["sport"],
                                     employer_engagement=False),
            minutes=minutes, redeemed_at=pupil.created_at, redeemed_by=pupil.id, single_use=single_use,
        ))
    return found


def _seed_school(storage: Storage, school_index: int, school_id: str, prepared: int) -> list[Pupil]:
    from shared.credentials.logins_store import LoginRecord, create_login, login_key
    from shared.ids import iso, utcnow
    from shared.learning.record_store import redemption_insert
    from shared.roster.store import pupil_upsert
    from shared.security.principal import Role
    from shared.storage.names import CODES, PUPILS
    from shared.storage.tables import submit_batches

    pupils = _pupils_of(school_index, school_id, prepared)
    ops = [pupil_upsert(p) for p in pupils]
    ops += [redemption_insert(p.school_id, p.id, r) for p in pupils[:prepared] for r in _redemptions(p)]
    submit_batches(storage.table(PUPILS), ops)
    for p in pupils[:prepared]:
        create_login(storage, LoginRecord(key=login_key(p.username), subject_id=p.id, role=Role.PUPIL,
                                          display_name=p.first_name, school_id=school_id,
                                          password_hash="$argon2id$bench"))
    codes = storage.table(CODES)
    for p in pupils[:prepared]:
        single_use = _redemptions(p)[0].code
        codes.upsert_entity({"PartitionKey": single_use, "RowKey": "claim", "pupil_id": p.id,
                             "claimed_at": iso(utcnow())})
    return pupils


def _prepared_in(school_index: int) -> int:
    """Pupils per school made leavers later: 2 per round and side in every school; school 0 also holds the
    one-school cohort (100 by the run, 100 directly)."""
    spread = SPREAD_PER_SCHOOL * 2 * SPREAD_ROUNDS
    return spread + (2 * DUE if school_index == 0 else 0)


def _seed(storage: Storage, school_ids: list[str], indices: range) -> list[list[Pupil]]:
    with ThreadPoolExecutor(SEED_THREADS) as pool:
        return list(pool.map(lambda n: _seed_school(storage, n, school_ids[n], _prepared_in(n)), indices))


def _cohorts(schools: list[list[Pupil]]) -> list[Cohort]:
    rounds = []
    for r in range(SPREAD_ROUNDS):
        cohort = Cohort(f"round {r + 1}")
        for pupils in schools:
            start = r * 2 * SPREAD_PER_SCHOOL
            cohort.by_run += pupils[start:start + SPREAD_PER_SCHOOL]
            cohort.direct += pupils[start + SPREAD_PER_SCHOOL:start + 2 * SPREAD_PER_SCHOOL]
        rounds.append(cohort)
    first = SPREAD_PER_SCHOOL * 2 * SPREAD_ROUNDS
    one_school = Cohort("one school", by_run=schools[0][first:first + DUE],
                        direct=schools[0][first + DUE:first + 2 * DUE])
    return [*rounds, one_school]


def _make_due(storage: Storage, pupils: list[Pupil]) -> list[Pupil]:
    """Mark them left 31 days ago (grace 30 days: due yesterday), as a full roster sync would have."""
    from shared.due_dates import schedule_leavers
    from shared.ids import iso, utcnow
    from shared.roster.model import PupilStatus
    from shared.roster.store import roster_merge
    from shared.settings import get_settings
    from shared.storage.names import PUPILS
    from shared.storage.tables import submit_batches

    left_at = utcnow() - timedelta(days=get_settings().leaver_grace_days + 1)
    due_day = (left_at + timedelta(days=get_settings().leaver_grace_days)).date()
    left = [replace(p, status=PupilStatus.LEFT, left_at=iso(left_at), deletion_due=due_day.isoformat(),
                    updated_at=iso(left_at)) for p in pupils]
    for school_id in sorted({p.school_id for p in left}):
        schedule_leavers(storage, school_id, [(p.id, due_day) for p in left if p.school_id == school_id])
    submit_batches(storage.table(PUPILS), [roster_merge(p) for p in left])
    return left


# --- measuring -------------------------------------------------------------------------------------------


def _measure(fn) -> tuple[object, Measured]:
    started = time.perf_counter()
    result, tally = count_requests(fn)
    return result, Measured(tally, time.perf_counter() - started)


def _nothing_due(storage: Storage) -> list[Measured]:
    from shared.retention import run_retention

    runs = []
    for _ in range(NOTHING_DUE_REPEATS):
        report, measured = _measure(lambda: run_retention(storage=storage))
        if any(report.counts.values()) or report.errors or not report.complete:
            raise RuntimeError(f"a nothing-due run did work: {report.counts} {report.errors}")
        runs.append(measured)
    return runs


def _erase_by_run(storage: Storage, pupils: list[Pupil]) -> Measured:
    from shared.retention import Category, run_retention

    report, measured = _measure(lambda: run_retention(storage=storage))
    others = {k: v for k, v in report.counts.items() if v and k != Category.LEAVERS_ERASED}
    if report.counts.get(Category.LEAVERS_ERASED) != len(pupils) or others or report.errors or not report.complete:
        raise RuntimeError(f"the run did not erase exactly the {len(pupils)} leavers: {report.counts} "
                           f"{report.errors} complete={report.complete}")
    return measured


def _erase_directly(storage: Storage, pupils: list[Pupil]) -> Measured:
    from shared.erasure import erase_pupil_everywhere
    from shared.roster.store import get_pupil

    # As a staff DELETE does it: with the ETag of the read that found the pupil (the read is not counted).
    etags = {p.id: get_pupil(storage, p.school_id, p.id)[1] for p in pupils}

    def erase_all() -> None:
        for p in pupils:
            erase_pupil_everywhere(storage, p.school_id, p, etag=etags[p.id])

    return _measure(erase_all)[1]


def _all_gone(storage: Storage, pupils: list[Pupil]) -> bool:
    from shared.learning.record_store import learning_record
    from shared.roster.store import get_pupil

    def empty(p: Pupil) -> bool:
        record = learning_record(storage, p.school_id, p.id)
        return not (record.redemptions or record.awards or record.moves)

    return all(get_pupil(storage, p.school_id, p.id) is None and empty(p) for p in pupils)


def _round(storage: Storage, cohort: Cohort, *, run_first: bool) -> tuple[Measured, Measured]:
    """(run, direct): each side's pupils are made due just before their own measurement, so the run
    never sees the other side's leavers."""
    sides = [("run", cohort.by_run, _erase_by_run), ("direct", cohort.direct, _erase_directly)]
    if not run_first:
        sides.reverse()
    measured = {}
    for name, pupils, erase in sides:
        left = _make_due(storage, pupils)
        measured[name] = erase(storage, left)
        if not _all_gone(storage, left):
            raise RuntimeError(f"{cohort.label}, {name}: some pupils or learning rows are still there")
    return measured["run"], measured["direct"]


def _overhead(run: RequestTally, direct: RequestTally) -> str:
    extra = Counter(run.by_kind)
    extra.subtract(direct.by_kind)
    return ", ".join(f"{kind} {n:+d}" for kind, n in sorted(extra.items()) if n) or "none"


def _bare_ratio(run: RequestTally, direct: RequestTally) -> float:
    learning = direct.by_kind["PATCH stampcodes"] + direct.by_kind["POST $batch"]
    bare = direct.total - learning
    return (bare + run.total - direct.total) / bare


def _sum(measured: list[Measured]) -> tuple[int, float]:
    return sum(m.tally.total for m in measured), sum(m.seconds for m in measured)


# --- the benchmark ---------------------------------------------------------------------------------------


@benchmark("retention_run", issue=ISSUE,
           title=f"Retention run in a store of {SCHOOLS * PUPILS_PER_SCHOOL:,} pupils: {DUE} leavers due, "
                 "and nothing due")
def retention_run(ctx: BenchContext) -> Result:
    storage = ctx.storage
    school_ids = _school_ids(storage, SCHOOLS)

    clock = time.perf_counter()
    schools = _seed(storage, school_ids, range(FIRST_SCHOOLS))
    first_seed = time.perf_counter() - clock
    small = _nothing_due(storage)

    clock = time.perf_counter()
    schools += _seed(storage, school_ids, range(FIRST_SCHOOLS, SCHOOLS))
    second_seed = time.perf_counter() - clock
    large = _nothing_due(storage)
    pupils = sum(len(s) for s in schools)

    cohorts = _cohorts(schools)
    rounds = {c.label: _round(storage, c, run_first=n % 2 == 1) for n, c in enumerate(cohorts)}
    after = _nothing_due(storage)

    rows: list[Row] = []
    small_n, large_n = small[0].tally.total, large[0].tally.total
    same = {m.tally.total for m in small + large + after} == {small_n}
    rows += [
        Row(f"nothing due, {FIRST_SCHOOLS * PUPILS_PER_SCHOOL:,} pupils: storage requests", small_n, "requests",
            describe_kinds(small[0].tally)),
        Row(f"nothing due, {FIRST_SCHOOLS * PUPILS_PER_SCHOOL:,} pupils: time", statistics.median(
            m.seconds for m in small) * 1000, "ms", f"median of {NOTHING_DUE_REPEATS} runs"),
        Row(f"nothing due, {pupils:,} pupils: storage requests", large_n, "requests",
            "the same kinds" if large[0].tally.by_kind == small[0].tally.by_kind else describe_kinds(large[0].tally)),
        Row(f"nothing due, {pupils:,} pupils: time", statistics.median(m.seconds for m in large) * 1000, "ms",
            f"median of {NOTHING_DUE_REPEATS} runs; after the erasures below "
            f"{statistics.median(m.seconds for m in after) * 1000:.0f} ms"),
        Row(f"nothing due: requests at {pupils:,} / {FIRST_SCHOOLS * PUPILS_PER_SCHOOL:,} pupils",
            f"{large_n} / {small_n}", "",
            "unchanged (and after the erasures)" if same else "CHANGED — FAILS"),
    ]

    spread = [rounds[c.label] for c in cohorts[:SPREAD_ROUNDS]]
    run_totals = {run.tally.total for run, _ in spread}
    direct_totals = {direct.tally.total for _, direct in spread}
    layouts = [
        (f"{DUE} leavers, {SPREAD_PER_SCHOOL} in each of {SCHOOLS} schools", spread),
        (f"{DUE} leavers in one school", [rounds[cohorts[-1].label]]),
    ]
    headline = {}
    for label, measured in layouts:
        run_n, run_s = _sum([run for run, _ in measured])
        direct_n, direct_s = _sum([direct for _, direct in measured])
        ratio = run_n / direct_n
        headline[label] = ratio
        run, direct = measured[0]
        count = len(measured)
        per_round = f"per round; {count} rounds, the same count in each" if count > 1 else ""
        rows += [
            Row(f"{label}: requests, retention run", run.tally.total, "requests",
                f"{per_round + '; ' if per_round else ''}{describe_kinds(run.tally)}"),
            Row(f"{label}: requests, erase_pupil_everywhere × {DUE}", direct.tally.total, "requests",
                f"{direct.tally.total / DUE:.0f} per pupil; {describe_kinds(direct.tally)}"),
            Row(f"{label}: request ratio run / direct", ratio, "×",
                f"target ≤ {TARGET}: " + ("met" if ratio <= TARGET else "NOT MET")
                + f"; {(run.tally.total - direct.tally.total) / DUE:.2f} extra requests per person"),
            Row(f"{label}: extra requests by kind", _overhead(run.tally, direct.tally), "", "run − direct"),
            Row(f"{label}: ratio if they had no learning record", _bare_ratio(run.tally, direct.tally), "×",
                "derived: the same overhead over a direct erasure without the claim release and delete "
                "transaction (`PATCH stampcodes`, `POST $batch`)"),
            Row(f"{label}: time, retention run", run_s / count * 1000, "ms",
                ", ".join(f"{r.seconds * 1000:.0f}" for r, _ in measured) + " ms" if count > 1 else ""),
            Row(f"{label}: time, direct", direct_s / count * 1000, "ms",
                ", ".join(f"{d.seconds * 1000:.0f}" for _, d in measured) + " ms" if count > 1 else ""),
            Row(f"{label}: time ratio run / direct", run_s / direct_s, "×",
                f"{run_s / (count * DUE) * 1000:.1f} vs {direct_s / (count * DUE) * 1000:.1f} ms per person"),
        ]
    if len(run_totals) > 1 or len(direct_totals) > 1:
        rows.append(Row("spread rounds: request counts differ", f"{sorted(run_totals)} / {sorted(direct_totals)}",
                        "", "EXPECTED the same in every round"))
    rows.append(Row(f"seeding {pupils:,} pupils", first_seed + second_seed, "s",
                    f"{FIRST_SCHOOLS} schools in {first_seed:.1f} s, then {SCHOOLS - FIRST_SCHOOLS} in "
                    f"{second_seed:.1f} s; {SEED_THREADS} threads, set-up only"))

    spread_label = layouts[0][0]
    spread_run, spread_direct = spread[0]
    extra = Counter(spread_run.tally.by_kind)
    extra.subtract(spread_direct.tally.by_kind)
    notes = _notes(pupils, small_n, headline[spread_label], headline[layouts[1][0]], extra)
    return Result(rows, notes)


def _notes(pupils: int, nothing_due: int, spread_ratio: float, one_school_ratio: float, extra: Counter) -> str:
    from shared.retention.persons import BATCH

    met = spread_ratio <= TARGET and one_school_ratio <= TARGET
    batches = -(-DUE // BATCH)
    return (
        f"{SCHOOLS} schools × {PUPILS_PER_SCHOOL:,} pupil rows (`pupil_upsert`, batched), seeded "
        f"{FIRST_SCHOOLS} schools first, then the other {SCHOOLS - FIRST_SCHOOLS}. Each pupil that is later erased "
        "has two redemption rows beside its pupil row (one of a single-use code, whose claim row in `codes` "
        "erasure keeps but empties), a login row, and, made a leaver just before its measurement, the merge of "
        "its left state and its `leaver-<day>` due-date row (due yesterday), as a full roster sync writes them. "
        "Nothing else is due: every nothing-due run is checked to count nothing, and every run with leavers "
        f"to count exactly {DUE} erased and nothing else, completely, with every pupil row and learning row gone "
        "afterwards.\n\n"
        f"**Run**: `run_retention(storage=...)`, the timer's service, one call. **Direct**: "
        f"`erase_pupil_everywhere` on {DUE} other pupils laid out alike, made due the same way, as a staff DELETE "
        "calls it: given the `Pupil` and the ETag of the read that found it (that read is not counted); it claims "
        "the row under that ETag (`PATCH pupils`), then reads and deletes the learning record once. "
        "Requests are exact counts (`request_counter.measure()`). The "
        f"spread layout ({SPREAD_PER_SCHOOL} leavers in each of {SCHOOLS} schools) is measured in "
        f"{SPREAD_ROUNDS} rounds on separate pupils, run first in one and direct first in the other; the "
        f"one-school layout ({DUE} leavers of one school, as a year group leaving) once. Times are single wall-clock "
        "runs on a shared 2-core machine: the request ratio is the figure to judge, the time ratio shows it "
        "holds in time too.\n\n"
        f"**Where the extra requests come from** (spread layout, run − direct: "
        + ", ".join(f"`{k}` {n:+d}" for k, n in sorted(extra.items()) if n) + "):\n"
        f"- the live re-check: one point read of each pupil row before erasing it (`GET pupils`, +1 per "
        "person), which also supplies the `Pupil` that erasure needs;\n"
        "- one read of each school named by a leaver (`GET schools`, cached for the run), for the partner id "
        "the audit entry is scoped to;\n"
        f"- one audit entry per school in each batch of {BATCH} (`POST audit`): one per school here, since a "
        "school's leavers sort together in the index partition;\n"
        f"- the run record: created, written before and after each of the {batches} batches ({2 * batches} "
        "writes: `in_flight` keys, then counts) and at the end, after one query for the newest run "
        "(`retentionruns`); the lease is one read, one insert and one delete;\n"
        "- one query of each due-date index range and expiry-partitioned table, and one listing of `throttle` and "
        "of `mis-uploads` (`GET duedates`, `GET invitations`, …): these make up the whole of a nothing-due run.\n\n"
        f"A nothing-due run is {nothing_due} requests, each query answering an empty first page, at "
        f"{FIRST_SCHOOLS * PUPILS_PER_SCHOOL:,} and at {pupils:,} pupils alike (and after the erasures): "
        "nothing in it reads pupils, so it does not grow with the store.\n\n"
        f"**Target ≤ {TARGET}×: {'met' if met else 'NOT met'}** — {spread_ratio:.2f}× with leavers spread over "
        f"{SCHOOLS} schools (the per-school reads and audit entries at their most), {one_school_ratio:.2f}× with "
        "all of them in one school. The fixed part (lease, run record, sweep queries) is spread over the people "
        f"erased, so a run with fewer due people has a higher ratio: its overhead is those {nothing_due} "
        f"requests, 2 per batch of {BATCH}, 1 per person and up to 2 per school; "
        "pupils without a learning record cost less to erase directly (5 requests instead of 7: no claim release, "
        "no delete transaction), so for them the same overhead weighs more (the derived rows above)."
    )
