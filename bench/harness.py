"""The benchmark registry, the context a benchmark receives, and the measuring helpers.

Nothing here imports project code at module level: `bench.floor` builds on these helpers and must stay
a bare-SDK baseline, and the unit tests exercise the pure parts without settings or storage.
"""

from __future__ import annotations

import functools
import itertools
import os
import secrets
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from shared.storage.clients import Storage
    from shared.storage.counting import RequestTally

T = TypeVar("T")

# What `UseDevelopmentStorage=true` would mean to the app; replaced by the run's own Azurite before any use.
PLACEHOLDER_STORAGE = "UseDevelopmentStorage=true"


# --- results -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    metric: str
    value: float | int | str
    unit: str = ""
    note: str = ""


@dataclass
class Result:
    rows: list[Row]
    notes: str = ""  # markdown, appended under the section's table in RESULTS.md


# --- registry ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Benchmark:
    name: str
    issue: str
    title: str
    run: Callable[[BenchContext], Result | list[Row]]

    def __call__(self, ctx: BenchContext) -> Result:
        outcome = self.run(ctx)
        return outcome if isinstance(outcome, Result) else Result(rows=list(outcome))


REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    name: str, *, issue: str = "platform", title: str | None = None
) -> Callable[[Callable[[BenchContext], Result | list[Row]]], Callable[[BenchContext], Result | list[Row]]]:
    """Register a benchmark. `name` selects it on the command line and keys its section in RESULTS.md."""
    if not name or any(c.isspace() for c in name) or "-->" in name:
        raise ValueError(f"benchmark name {name!r} must be one word (it is used in section markers)")
    if '"' in issue or "-->" in issue:
        raise ValueError(f"issue {issue!r} must not contain a quote or '-->' (it is used in section markers)")

    def register(fn: Callable[[BenchContext], Result | list[Row]]) -> Callable[[BenchContext], Result | list[Row]]:
        existing = REGISTRY.get(name)
        if existing is not None and existing.run is not fn:
            raise ValueError(f"benchmark {name!r} is registered twice")
        REGISTRY[name] = Benchmark(name=name, issue=issue, title=title or name, run=fn)
        return fn

    return register


# --- the app's environment -----------------------------------------------------------------------------


def prepare_environment(connection_string: str | None = None) -> None:
    """App settings for a test environment; call before importing app modules that may read settings.

    The signing key is random per run so no benchmark can depend on (or leak) a real one, and storage
    always points at this run's Azurite, whatever the caller's shell holds.
    """
    os.environ["CUO_ENVIRONMENT"] = "test"
    os.environ["TOKEN_SIGNING_KEY"] = secrets.token_urlsafe(48)
    os.environ["AzureWebJobsStorage"] = connection_string or PLACEHOLDER_STORAGE


def reset_app_state(connection_string: str) -> None:
    """Point the app at `connection_string` and drop its cached settings and process-wide storage."""
    from shared.settings import get_settings
    from shared.storage.clients import reset_storage

    os.environ["AzureWebJobsStorage"] = connection_string
    get_settings.cache_clear()
    reset_storage()


@dataclass
class BenchContext:
    """What a benchmark gets: this run's Azurite and, on first use, a fresh Storage with its tables in place."""

    connection_string: str
    azurite_version: str = "unknown"

    @functools.cached_property
    def storage(self) -> Storage:
        from shared.settings import get_settings
        from shared.storage.clients import Storage

        storage = Storage(get_settings())
        # Creating the tables is set-up, not part of anything a benchmark measures.
        storage.ensure_once()
        return storage


# --- timing --------------------------------------------------------------------------------------------


def percentile(samples: Sequence[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), so p50 of an even count is a midpoint."""
    if not samples:
        raise ValueError("percentile of no samples")
    if not 0 <= pct <= 100:
        raise ValueError(f"percentile {pct} is outside 0..100")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of repeated runs of one callable."""

    samples: tuple[float, ...]

    @property
    def best(self) -> float:
        return min(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def time_call(fn: Callable[[], object], *, repeats: int = 5, warmup: int = 1) -> Timing:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return Timing(tuple(samples))


@dataclass(frozen=True)
class Throughput:
    ops: int
    seconds: float
    threads: int
    latencies: tuple[float, ...] = field(repr=False)

    @property
    def per_second(self) -> float:
        return self.ops / self.seconds if self.seconds > 0 else float("inf")

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 50) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.latencies, 95) * 1000


def run_concurrently(op: Callable[[int], object], *, ops: int, threads: int = 1) -> Throughput:
    """Run `op(i)` for i in range(ops) on `threads` threads; ops/s over the wall clock plus per-op latency.

    Threads take the next index from a shared counter rather than a fixed share, so one slow thread
    does not leave the others idle and understate throughput. With one thread the ops run on the
    caller's thread, which keeps its context (request counting scopes) and avoids thread start-up.
    """
    if ops < 1 or threads < 1:
        raise ValueError("ops and threads must be at least 1")
    if threads == 1:
        latencies = []
        started = time.perf_counter()
        for i in range(ops):
            t0 = time.perf_counter()
            op(i)
            latencies.append(time.perf_counter() - t0)
        return Throughput(ops, time.perf_counter() - started, 1, tuple(latencies))

    indices = itertools.count()
    lock = threading.Lock()
    per_thread: list[list[float]] = [[] for _ in range(threads)]
    failures: list[BaseException] = []
    # Every worker and the timer start together, so thread creation is not counted as work.
    start_line = threading.Barrier(threads + 1)

    def worker(slot: int) -> None:
        mine = per_thread[slot]
        start_line.wait()
        while not failures:
            with lock:
                i = next(indices)
            if i >= ops:
                return
            t0 = time.perf_counter()
            try:
                op(i)
            except BaseException as exc:
                failures.append(exc)
                return
            mine.append(time.perf_counter() - t0)

    pool = [threading.Thread(target=worker, args=(slot,), daemon=True) for slot in range(threads)]
    for thread in pool:
        thread.start()
    start_line.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - started
    if failures:
        raise failures[0]
    return Throughput(ops, seconds, threads, tuple(itertools.chain.from_iterable(per_thread)))


def median_run(runs: Sequence[Throughput]) -> Throughput:
    """The run with the median rate (a real run, so its latencies belong to it)."""
    ordered = sorted(runs, key=lambda r: r.per_second)
    return ordered[(len(ordered) - 1) // 2]


def repeat_throughput(measure: Callable[[], Throughput], *, repeats: int = 3) -> Throughput:
    return median_run([measure() for _ in range(repeats)])


@dataclass(frozen=True)
class Comparison:
    candidate: Throughput
    baseline: Throughput
    ratios: tuple[float, ...]

    @property
    def ratio(self) -> float:
        """Median of the paired ratios candidate/baseline: above 1 means faster than the baseline."""
        return statistics.median(self.ratios)


def compare(
    candidate: Callable[[], Throughput], baseline: Callable[[], Throughput], *, repeats: int = 3
) -> Comparison:
    """Measure candidate and baseline in alternating pairs (ABBA order) and take the median paired ratio.

    Pairing adjacent runs cancels slow drift of a noisy machine (another process, a growing emulator)
    that a single baseline measured minutes earlier would not.
    """
    cands, bases, ratios = [], [], []
    for n in range(repeats):
        if n % 2 == 0:
            cand, base = candidate(), baseline()
        else:
            base, cand = baseline(), candidate()
        cands.append(cand)
        bases.append(base)
        ratios.append(cand.per_second / base.per_second)
    return Comparison(median_run(cands), median_run(bases), tuple(ratios))


# --- storage requests ----------------------------------------------------------------------------------


def count_requests(fn: Callable[[], T]) -> tuple[T, RequestTally]:
    """Run `fn` and count the storage requests it sent through the app's clients (on this thread only)."""
    from shared.storage.counting import request_counter

    with request_counter.measure() as tally:
        result = fn()
    return result, tally


def count_path(fn: Callable[[], object], expect: type[BaseException] | None = None) -> RequestTally:
    """Storage requests of one call of a success path (`expect` None) or a failure path (must raise `expect`)."""

    def call() -> None:
        if expect is None:
            fn()
            return
        try:
            fn()
        except expect:
            return
        raise AssertionError(f"expected {expect.__name__}")

    return count_requests(call)[1]


def describe_kinds(tally: RequestTally) -> str:
    return ", ".join(f"{kind} ×{n}" for kind, n in sorted(tally.by_kind.items())) or "none"
