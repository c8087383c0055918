"""Learning: storage requests of a redemption on every path, redemptions/s with 8 workers against the raw
floor, and a hot multi-use code redeemed by 1,000 pupils at once (uncapped: no shared counter; capped: one)."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from bench.floor import raw_transaction_rate
from bench.harness import (
    BenchContext,
    Comparison,
    Result,
    Row,
    Throughput,
    benchmark,
    compare,
    count_path,
    describe_kinds,
    run_concurrently,
)

# Sizes: the whole learning issue takes about a minute on 2 cores.
PUPILS = 1_000  # pupils of the main school; the uncapped hot code is redeemed by each of them once
CAPPED_PUPILS = 300  # the capped hot code (max_uses = this): the contrast, at a third of the run time
WORKERS = 8
OPS = 120  # redemptions per measured run in (b)
WARM_OPS = 48  # one unmeasured run first: every worker's connection and the code paths warm
REPEATS = 3  # paired runs app / floor per kind of code in (b)
MULTI_CODES = 240  # distinct multi-use codes cycled in (b): lcm(PUPILS, MULTI_CODES) > all ops, so no repeats
COUNT_REPEATS = 2  # each request count is taken this many times (fresh pupils) and must agree
HOURS = "0.25"  # per activity: far below the first award at 30 h, so no award rows join the transaction
# Was 4 and 3 before issue 14: each attempt is now counted (throttle insert) before the code is looked up and
# cleared (delete) after a success, so a burst of guesses cannot outrun the limit.
TARGETS = {"single": 6, "multi": 5}


@dataclass
class Probe:
    """What the redemption module did besides its first try: counted by wrapping two of its functions."""

    conflicts: int = 0  # ConcurrencyConflict from update_if_match (a 412 on a capped code's counter)
    pupil_retries: int = 0  # the atomic write retried on the pupil row's ETag
    kinds: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.conflicts = self.pupil_retries = 0
            self.kinds = Counter()


def _install_probe() -> tuple[Probe, Callable[[], None]]:
    import shared.learning.activities_store as codes
    import shared.learning.record_store as records
    from shared.errors import ConcurrencyConflict

    probe = Probe()
    original_uses, original_credit = codes.write_uses, records.credit

    def counting(original: Callable, counter: str) -> Callable:
        def counted(*args, **kwargs):
            try:
                return original(*args, **kwargs)
            except ConcurrencyConflict:
                with probe.lock:
                    setattr(probe, counter, getattr(probe, counter) + 1)
                raise
        return counted

    codes.write_uses = counting(original_uses, "conflicts")
    records.credit = counting(original_credit, "pupil_retries")

    def uninstall() -> None:
        codes.write_uses, records.credit = original_uses, original_credit

    return probe, uninstall


@dataclass
class Batch:
    """A concurrent run of redemptions with per-op request counts."""

    throughput: Throughput
    ok: int
    failed: Counter
    kinds: Counter
    requests: int
    messages: dict[str, str] = field(default_factory=dict)  # the first message of each kind of failure
    worst: Counter = field(default_factory=Counter)  # the most requests of each kind that one redemption sent

    def failures(self) -> str:
        return "; ".join(f"{name} ×{n}: {self.messages.get(name, '')[:160]}" for name, n in self.failed.items())


def _concurrent(redeem_one: Callable[[int], object], ops: int, threads: int = WORKERS) -> Batch:
    from shared.storage.counting import request_counter

    lock = threading.Lock()
    kinds: Counter = Counter()
    failed: Counter = Counter()
    messages: dict[str, str] = {}
    worst: Counter = Counter()
    totals = [0]
    ok = [0]

    def op(i: int) -> None:
        error: Exception | None = None
        with request_counter.measure() as tally:  # per worker thread: its own context
            try:
                redeem_one(i)
            except Exception as exc:  # noqa: BLE001 - a failed redemption is counted and reported, not fatal
                error = exc
        with lock:
            kinds.update(tally.by_kind)
            for kind, n in tally.by_kind.items():
                worst[kind] = max(worst[kind], n)
            totals[0] += tally.total
            if error is None:
                ok[0] += 1
            else:
                name = type(error).__name__
                failed[name] += 1
                messages.setdefault(name, " ".join(str(error).split()))

    run = run_concurrently(op, ops=ops, threads=threads)
    return Batch(run, ok[0], failed, kinds, totals[0], messages, worst)


def _warm_pools(storage, school_id: str, pupil_ids: list[str], code: str) -> None:
    """A few concurrent reads on the two tables a redemption uses, just before a measured run: every worker
    thread then starts with a fresh pooled connection (Azurite closes connections idle for 5 s, and a POST
    sent on one just as it closes fails without a retry)."""
    from shared.storage.names import CODES, PUPILS
    from shared.storage.tables import get_entity

    def op(i: int) -> None:
        get_entity(storage.table(PUPILS), school_id, pupil_ids[i % len(pupil_ids)])
        get_entity(storage.table(CODES), code, "code")

    run_concurrently(op, ops=2 * WORKERS, threads=WORKERS)


def _per_op(batch: Batch) -> str:
    ops = batch.throughput.ops
    return ", ".join(f"{kind} ×{n / ops:.2f}" for kind, n in sorted(batch.kinds.items()))


@benchmark("learning_redeem", issue="learning", title="Redemption: requests per path, throughput, a hot code")
def learning_redeem(ctx: BenchContext) -> Result:
    from bench.fixtures import TRUST, new_partner, school_with_pupils
    from shared.errors import TooManyAttempts
    from shared.ids import utcnow
    from shared.learning.activities import create_activity, create_codes
    from shared.learning.codes import generate_code
    from shared.learning.errors import CodeAlreadyRedeemed, CodeNotFound, CodeOutsideWindow, CodeUsedUp
    from shared.learning.redemption import WRITE_ATTEMPTS, redeem
    from shared.learning.schemas import ActivityIn, CodesIn, RedemptionIn
    from shared.security import lockout
    from shared.security.principal import Principal, Role
    from shared.storage.names import CODES
    from shared.storage.tables import get_entity

    storage = ctx.storage
    cs = ctx.connection_string

    # --- set-up through the services: a partner, its school of PUPILS pupils, another school with a club
    partner_id = new_partner(storage, "Learning")
    school, pupils = school_with_pupils(storage, partner_id, PUPILS, seed=31, label="Learning Primary")
    spare_school, spare = school_with_pupils(storage, partner_id, 40, seed=32, label="Learning Spare")
    other_school, _ = school_with_pupils(storage, partner_id, 1, seed=33, label="Learning Other")
    activity = create_activity(TRUST, ActivityIn(title="Museum trail", hours=HOURS, skills=["teamwork"],
                                                  interests=["arts & culture"], partner_id=partner_id),
                               storage=storage)
    club = create_activity(TRUST, ActivityIn(title="Chess club", hours=HOURS, skills=["problem solving"],
                                              school_id=other_school.id), storage=storage)

    def codes(count: int, activity_id: str = activity.id, **body) -> list[str]:
        out: list[str] = []
        while len(out) < count:
            made = create_codes(TRUST, activity_id, CodesIn(count=min(500, count - len(out)), **body),
                                storage=storage)
            out += [c.code.replace(" ", "") for c in made.codes]
        return out

    def caller(pupil) -> Principal:
        return Principal(subject_id=pupil.id, role=Role.PUPIL, school_id=pupil.school_id, partner_id=partner_id)

    def attempt(pupil, code: str):
        return redeem(caller(pupil), RedemptionIn(code=code), storage=storage)

    # --- (a) storage requests on every path; fresh pupils from the spare school for each path
    fresh = iter(spare)
    today = utcnow().date()

    def counted(make: Callable[[], Callable[[], object]], expect: type[BaseException] | None = None):
        # make() is this repeat's set-up, not counted.
        return [count_path(make(), expect) for _ in range(COUNT_REPEATS)]

    def success(**body):
        def make():
            (code,) = codes(1, **body)
            pupil = next(fresh)
            return lambda: attempt(pupil, code)
        return make

    def absent_code() -> str:
        while True:
            code = generate_code()
            if get_entity(storage.table(CODES), code, "code") is None:
                return code

    def unknown():
        pupil, code = next(fresh), absent_code()
        return lambda: attempt(pupil, code)

    def outside_window():
        (code,) = codes(1, single_use=False, valid_from=today + timedelta(days=3))
        pupil = next(fresh)
        return lambda: attempt(pupil, code)

    def foreign_club():
        (code,) = codes(1, club.id, single_use=False)
        pupil = next(fresh)
        return lambda: attempt(pupil, code)

    def already(single_use: bool):
        def make():
            (code,) = codes(1, single_use=single_use)
            pupil = next(fresh)
            attempt(pupil, code)
            return lambda: attempt(pupil, code)
        return make

    def used_by_someone_else():
        (code,) = codes(1)
        attempt(next(fresh), code)
        pupil = next(fresh)
        return lambda: attempt(pupil, code)

    def capped_used_up():
        (code,) = codes(1, single_use=False, max_uses=1)
        attempt(next(fresh), code)
        pupil = next(fresh)
        return lambda: attempt(pupil, code)

    def throttled():
        pupil = next(fresh)
        for _ in range(lockout.CODE_GUESS.free_attempts):
            with contextlib.suppress(CodeNotFound):
                attempt(pupil, absent_code())
        (code,) = codes(1, single_use=False)
        return lambda: attempt(pupil, code)

    def malformed():
        pupil = next(fresh)
        return lambda: attempt(pupil, "not a code")

    single = counted(success(single_use=True))
    multi = counted(success(single_use=False))
    capped = counted(success(single_use=False, max_uses=100))
    paths = [
        ("unknown code (well-formed, no such code)", counted(unknown, CodeNotFound)),
        ("not a code at all (malformed)", counted(malformed, CodeNotFound)),
        ("outside its validity window", counted(outside_window, CodeOutsideWindow)),
        ("another school's club code", counted(foreign_club, CodeNotFound)),
        ("already redeemed by this pupil, multi-use", counted(already(False), CodeAlreadyRedeemed)),
        ("already redeemed by this pupil, single-use", counted(already(True), CodeAlreadyRedeemed)),
        ("single-use, used by someone else", counted(used_by_someone_else, CodeUsedUp)),
        ("capped code used up", counted(capped_used_up, CodeUsedUp)),
        ("throttled (10 failures this hour)", counted(throttled, TooManyAttempts)),
    ]

    def count_row(metric: str, tallies, target: int | None = None) -> Row:
        totals = sorted({t.total for t in tallies})
        note = ""
        if target is not None:
            note = f"target ≤ {target}: " + ("met" if max(totals) <= target else "MISSED") + "; "
        if len(totals) > 1:
            note += f"VARIES {totals}; "
        return Row(metric, tallies[0].total, "requests", note + describe_kinds(tallies[0]))

    # --- (b) throughput with WORKERS workers, different pupils and different codes, against the raw floor
    probe, uninstall = _install_probe()
    try:
        single_codes = iter(codes(OPS * REPEATS + WARM_OPS))
        multi_codes = codes(MULTI_CODES, single_use=False)
        next_pupil = iter(range(10**9))
        batches: dict[str, list[Batch]] = {"single": [], "multi": []}

        def app_run(kind: str, ops: int = OPS) -> Throughput:
            start = next(next_pupil) * OPS
            if kind == "single":
                run_codes = [next(single_codes) for _ in range(ops)]
            else:
                run_codes = [multi_codes[(start + i) % MULTI_CODES] for i in range(ops)]
            _warm_pools(storage, school.id, [p.id for p in pupils[:WORKERS]], run_codes[0])
            batch = _concurrent(lambda i: attempt(pupils[(start + i) % PUPILS], run_codes[i]), ops)
            batches[kind].append(batch)
            if batch.failed:
                raise RuntimeError(f"{kind}-use redemptions failed: {batch.failures()}")
            return batch.throughput

        def floor_run(kind: str) -> Throughput:
            # The throttle row's insert and delete (guesses are counted before the look-up) cost like two inserts.
            return raw_transaction_rate(cs, reads_per_op=2, writes_per_op=2, inserts_per_op=2 + int(kind == "single"),
                                        ops=OPS, threads=WORKERS, repeats=1)

        app_run("single", WARM_OPS)
        batches["single"].clear()
        paired: dict[str, Comparison] = {}
        for kind in ("single", "multi"):
            paired[kind] = compare(lambda kind=kind: app_run(kind), lambda kind=kind: floor_run(kind),
                                   repeats=REPEATS)
        throughput_probe = (probe.conflicts, probe.pupil_retries)

        # --- (c) one hot multi-use code, every pupil once: uncapped, then capped (a shared counter)
        hot = {}
        hot_codes = {"uncapped": codes(1, single_use=False)[0],
                     "capped": codes(1, single_use=False, max_uses=CAPPED_PUPILS)[0]}
        for label, code in hot_codes.items():
            _warm_pools(storage, school.id, [p.id for p in pupils[:WORKERS]], code)
            probe.reset()
            batch = _concurrent(lambda i, code=code: attempt(pupils[i], code),
                                PUPILS if label == "uncapped" else CAPPED_PUPILS)
            hot[label] = (batch, probe.conflicts, probe.pupil_retries)
    finally:
        uninstall()

    uses = get_entity(storage.table(CODES), hot_codes["capped"], "uses")
    rows = [
        count_row("success, single-use code", single, TARGETS["single"]),
        count_row("success, multi-use code, uncapped", multi, TARGETS["multi"]),
        count_row("success, multi-use code, capped", capped),
    ]
    rows += [count_row(f"failure: {name}", tallies) for name, tallies in paths]
    for kind, label, target in (("single", "single-use codes", TARGETS["single"]),
                                ("multi", "multi-use codes", TARGETS["multi"])):
        c = paired[kind]
        run = c.candidate
        runs = batches[kind]
        per_op = sum(b.requests for b in runs) / sum(b.throughput.ops for b in runs)
        rows += [
            Row(f"redemptions/s, {WORKERS} workers, {label}", run.per_second, "ops/s",
                f"p50 {run.p50_ms:.1f} ms, p95 {run.p95_ms:.1f} ms; {per_op:.2f} requests per redemption "
                f"(expected {target})"),
            Row(f"raw floor, {WORKERS} workers, same shape", c.baseline.per_second, "ops/s",
                f"2 point reads{' + 1 insert' if kind == 'single' else ''} + 1 transaction of 2; "
                f"p50 {c.baseline.p50_ms:.1f} ms, p95 {c.baseline.p95_ms:.1f} ms"),
            Row(f"ratio app / floor, {label}", c.ratio, "×",
                f"median of {REPEATS} paired runs: " + ", ".join(f"{r:.2f}" for r in c.ratios)),
        ]
    rows.append(Row("ETag conflicts during (b)", throughput_probe[0] + throughput_probe[1], "retries",
                    f"{throughput_probe[0]} on code counters, {throughput_probe[1]} on pupil rows: different pupils "
                    "and codes should never meet"))
    for label in ("uncapped", "capped"):
        batch, conflicts, pupil_retries = hot[label]
        run = batch.throughput
        expected = 3 if label == "uncapped" else 5
        extra = batch.requests - expected * run.ops
        if label == "uncapped":
            verdict = "must be 0: " + ("met" if conflicts == 0 and pupil_retries == 0 else "MISSED")
            verdict += f" ({pupil_retries} pupil-row retries)"
        else:
            verdict = (f"on the code's `uses` counter ({pupil_retries} pupil-row retries); the worst redemption "
                       f"wrote the counter {batch.worst['PUT stampcodes']} times (it gives up after "
                       f"{3 * WRITE_ATTEMPTS} reads)")
        rows += [
            Row(f"hot code, {label}: {run.ops:,} pupils, {WORKERS} workers", run.per_second, "ops/s",
                f"{batch.ok:,} succeeded" + (f", FAILED {batch.failures()}" if batch.failed else "")
                + f"; p50 {run.p50_ms:.1f} ms, p95 {run.p95_ms:.1f} ms"),
            Row(f"hot code, {label}: ETag conflicts (412)", conflicts, "retries",
                f"{verdict}; {extra:+,} requests beyond {expected} per redemption"),
            Row(f"hot code, {label}: requests per redemption", batch.requests / run.ops, "requests",
                _per_op(batch)),
        ]
    if uses is not None:
        rows.append(Row("capped code's counter at the end", int(uses["count"]), "uses",
                        f"max_uses {CAPPED_PUPILS}: every success reserved exactly one use"))
    notes = (
        "Set-up through the services with a Trust caller: `create_partner`, `create_school`, `sync_school` (a "
        f"{PUPILS:,}-pupil school, a spare school whose pupils are each used for one path, another school "
        "owning a club), `create_activity` and `create_codes`. Redemptions call `learning.redemption.redeem` "
        "with the pupil's Principal, as the HTTP layer would after checking the token. Activities are worth "
        f"{HOURS} h so no award row joins a transaction.\n\n"
        "(a) Each path is counted with `request_counter.measure()` on a pupil of its own, "
        f"{COUNT_REPEATS} times (VARIES if they disagree). Success reads the pupil row and the code row, "
        "(single-use) inserts the claim, (capped) reads and bumps the `uses` counter under its ETag, then one "
        "entity-group transaction: insert the redemption row, merge the pupil's totals under its ETag. "
        "A failure of the code itself (unknown, malformed, outside its window, another school's, "
        "used by someone else, used up) counts one failed attempt on the pupil row (ETag merge); the "
        "throttle needs only the pupil row; a repeat by the same pupil fails at the transaction's insert and "
        "reads the earlier redemption to return its id.\n\n"
        f"(b) {WORKERS} threads share the app's clients; each op is a different pupil and a different code "
        f"({OPS} per run; single-use codes are fresh, {MULTI_CODES} multi-use codes are cycled so no pupil meets a "
        "code twice). The floor (`bench.floor.raw_transaction_rate`, bare SDK, same threads) does the same "
        "number of requests per op: 2 point reads, (single-use) 1 insert, and one transaction of 2 upserts. "
        "ABBA pairs, median ratio; latency is per redemption. Before every measured app run a few concurrent "
        "reads refresh the workers' pooled connections (Azurite drops connections idle for 5 s, and a `$batch` "
        "POST sent on one as it closes fails without a retry); the floor warms its own the same way.\n\n"
        f"(c) One multi-use code redeemed once by each of {PUPILS:,} pupils, {WORKERS} at a time; then a "
        f"capped one (max_uses {CAPPED_PUPILS}) by {CAPPED_PUPILS} of them, which ends exactly at its cap. "
        "ETag conflicts are counted by wrapping "
        "`redemption.update_if_match` (a 412 on the capped code's `uses` row) and `redemption._back_off` (a "
        "retry of the pupil-row transaction); per-op requests come from `request_counter` in each worker "
        "thread, so any retry shows as requests beyond the expected count. The uncapped code is only read, "
        "so nothing is shared to contend on; the capped code serialises every redemption on its one "
        "counter row."
    )
    return Result(rows, notes)
