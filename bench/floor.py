"""Raw-SDK floors: what bare azure-data-tables achieves against this run's Azurite.

Other benchmarks state their throughput as a ratio to these figures, measured on the same emulator in the
same run, so a slow or busy machine moves both sides alike. This module deliberately uses no project
code (no Storage, no request-counting hook, no retry settings): it is the baseline that project code is
judged against. Measuring helpers come from bench.harness, which imports no project code either.

Two ways to use it:
- `standard_floors(connection_string)`: the three reference figures, measured once per run and shared.
- the rate functions (`batched_upsert_rate`, `point_read_rate`, `raw_transaction_rate`) inside
  `bench.harness.compare(...)`, to pair a candidate with its floor run by run when drift matters.
"""

from __future__ import annotations

import base64
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from azure.core import MatchConditions
from azure.data.tables import TableClient, TransactionOperation, UpdateMode

from bench.harness import Throughput, compare, repeat_throughput, run_concurrently

BATCH_SIZE = 100  # the entity-group transaction limit, and what roster ingest sends
UPSERT_ROWS = 2_000  # per repeat: 20 transactions
VERSIONED_BATCH = BATCH_SIZE - 1  # rows beside the version row in a transaction (as roster.store.VERSIONED_BATCH)
READ_SEED_ROWS = 500  # entities the point-read floors read back, round robin
SEQUENTIAL_READS = 400
CONCURRENT_READS = 1_200
CONCURRENT_THREADS = 8
REPEATS = 5


@dataclass(frozen=True)
class UpsertFloor:
    rows_per_second: float
    transactions: Throughput  # one op = one transaction of BATCH_SIZE rows; latencies are per transaction


@dataclass(frozen=True)
class Floors:
    batched_upsert: UpsertFloor
    point_reads: Throughput
    point_reads_concurrent: Throughput
    concurrency_scaling: float  # median paired ratio concurrent / sequential reads/s


def sample_entity(partition_key: str, row_key: str) -> dict[str, str]:
    """A pupil-sized entity: eight short string properties, as a roster row becomes."""
    return {
        "PartitionKey": partition_key,
        "RowKey": row_key,
        "given_name": "Amelia-Rose",
        "family_name": "Okonkwo-Whitfield",
        "year_group": "Y6",
        "upn": "A123456789012",
        "username": f"amelia.okonkwo.{row_key}",
        "school_id": partition_key,
        "status": "active",
        "updated_at": "2025-09-01T08:30:00Z",
    }


def pupil_shaped_entity(partition_key: str, row_key: str) -> dict[str, str | int | bool]:
    """An entity shaped like a stored pupil row: the same 17 properties and value types (strings, booleans,
    integers), about 930 bytes of JSON; `sample_entity` is 10 properties, about 650 bytes."""
    return {
        "PartitionKey": partition_key,
        "RowKey": row_key,
        "first_name": "Amelia-Rose",
        "last_name": "Okonkwo-Whitfield",
        "date_of_birth": "2016-03-04",
        "gender": "female",
        "upn": "A330200016001X",
        "username": f"happyotter{row_key[-4:]}",
        "status": "active",
        "restricted": False,
        "total_minutes": 0,
        "created_at": "2025-09-01T08:30:00Z",
        "updated_at": "2025-09-01T08:30:00Z",
        "left_at": "",
        "deletion_due": "",
        "has_login": False,
        "cohort": 2015,
    }


EntityFactory = Callable[[str, str], dict]


def new_table(connection_string: str, prefix: str = "floor") -> TableClient:
    """A fresh table (unique name) so floors never share partitions with the app or each other."""
    client = TableClient.from_connection_string(connection_string, table_name=f"{prefix}{secrets.token_hex(4)}")
    client.create_table()
    return client


def upsert_batch(
    table: TableClient, partition_key: str, first: int, count: int = BATCH_SIZE, entity: EntityFactory = sample_entity
) -> None:
    table.submit_transaction(
        [
            (TransactionOperation.UPSERT, entity(partition_key, f"{n:08d}"), {"mode": UpdateMode.REPLACE})
            for n in range(first, first + count)
        ]
    )


def batched_upsert_rate(
    connection_string: str, *, rows: int = UPSERT_ROWS, repeats: int = REPEATS, entity: EntityFactory = sample_entity
) -> UpsertFloor:
    """Rows/s of sequential 100-entity upsert transactions into one partition (median of repeats)."""
    table = new_table(connection_string, "floorupsert")
    transactions = max(1, rows // BATCH_SIZE)
    runs = iter(range(repeats))

    def one_run() -> Throughput:
        # A new partition per repeat, so every repeat inserts (as a first roster upload does) rather than
        # some repeats inserting and others overwriting.
        partition_key = f"school{next(runs)}"
        return run_concurrently(
            lambda i: upsert_batch(table, partition_key, i * BATCH_SIZE, entity=entity), ops=transactions
        )

    median = repeat_throughput(one_run, repeats=repeats)
    return UpsertFloor(rows_per_second=median.per_second * BATCH_SIZE, transactions=median)


VERSION_ROW = "pup^version"  # as roster.store names it


def _app_like_id(prefix: str) -> str:
    # The same alphabet and length as the app's ids, without importing it: where a key lands in the
    # emulator's sorted indexes decides what inserting it costs.
    return f"{prefix}_{base64.b32encode(secrets.token_bytes(10)).decode().lower()}"


def versioned_upsert_run(
    connection_string: str, *, rows: int, entity: EntityFactory = sample_entity, table_name: str | None = None,
    version_row: bool = True,
) -> Throughput:
    """One run of what a roster sync must write for `rows` new pupils: sequential transactions into a new
    partition, each of up to 99 row upserts (replace) plus the partition's version row, inserted by the first
    transaction and then replaced under the ETag (If-Match) the previous transaction returned. One op = one
    transaction; latencies are per transaction.

    Keys are random and shaped like the app's ids (partition `sch_`, rows `pup_`, each followed by 16
    lower-case base32 characters, made before the clock starts as a sync's plan makes them), so in a shared
    table they land where a school's pupils would in the emulator's indexes. `table_name`: write into that
    existing table rather than a fresh one, so the floor meets the emulator state the candidate meets:
    Azurite keeps each table in memory with sorted indexes it updates on every insert, so writes slow as a
    table grows (by a fifth to a third at the bench's size, see `roster_oneroster`) and cost more the earlier
    their keys sort. `version_row=False`: the rows alone, in full transactions of 100.
    """
    table = (TableClient.from_connection_string(connection_string, table_name=table_name) if table_name
             else new_table(connection_string, "floorversioned"))
    partition_key = _app_like_id("sch")
    per_tx = VERSIONED_BATCH if version_row else BATCH_SIZE
    keys = [_app_like_id("pup") for _ in range(rows)]
    version: list[str | None] = [None]

    def transaction(i: int) -> None:
        marker = {"PartitionKey": partition_key, "RowKey": VERSION_ROW}
        guard = ((TransactionOperation.CREATE, marker) if version[0] is None else
                 (TransactionOperation.UPDATE, marker,
                  {"mode": UpdateMode.REPLACE, "etag": version[0], "match_condition": MatchConditions.IfNotModified}))
        first = i * per_tx
        rows_ops = [(TransactionOperation.UPSERT, entity(partition_key, key), {"mode": UpdateMode.REPLACE})
                    for key in keys[first:first + per_tx]]
        if not version_row:
            table.submit_transaction(rows_ops)
            return
        version[0] = table.submit_transaction([guard, *rows_ops])[0]["etag"]

    return run_concurrently(transaction, ops=-(-rows // per_tx))


def warm_up_ops(ops: int, threads: int, *, floor: int = 20) -> int:
    """Ops for a warm-up run: a few per thread, so every thread of a concurrent run has a warm connection."""
    return max(min(floor, ops), 2 * threads)


_seeded: dict[str, TableClient] = {}
_seeded_lock = threading.Lock()


def seeded_table(connection_string: str, rows: int = READ_SEED_ROWS) -> TableClient:
    """One table per Azurite with `rows` entities in partition "school0", seeded once and shared by the floors."""
    with _seeded_lock:
        table = _seeded.get(connection_string)
        if table is None:
            table = new_table(connection_string, "floorread")
            for first in range(0, rows, BATCH_SIZE):
                upsert_batch(table, "school0", first, min(BATCH_SIZE, rows - first))
            _seeded[connection_string] = table
        return table


def single_upsert_rate(
    connection_string: str, *, rows: int = UPSERT_ROWS, entity: EntityFactory = sample_entity
) -> Throughput:
    """Rows/s of one `upsert_entity` request per row, sequentially, into a new partition: the naive way to
    load a roster, against which batching is judged. One op = one row."""
    table = new_table(connection_string, "floorsingle")
    partition_key = f"school{secrets.token_hex(3)}"
    return run_concurrently(lambda i: table.upsert_entity(entity(partition_key, f"{i:08d}")), ops=rows)


def point_read_rate(
    connection_string: str,
    *,
    reads: int = SEQUENTIAL_READS,
    threads: int = 1,
    repeats: int = REPEATS,
    seed_rows: int = READ_SEED_ROWS,
) -> Throughput:
    """Point reads (get_entity by PartitionKey + RowKey) per second; one client shared by all threads, as the
    app shares one client per table."""
    table = seeded_table(connection_string, seed_rows)
    # Warm-up on as many threads as the measured runs, so each opens its pooled connection before timing.
    run_concurrently(
        lambda i: table.get_entity("school0", f"{i % seed_rows:08d}"), ops=warm_up_ops(reads, threads), threads=threads
    )
    return repeat_throughput(
        lambda: run_concurrently(
            lambda i: table.get_entity("school0", f"{i % seed_rows:08d}"), ops=reads, threads=threads
        ),
        repeats=repeats,
    )


def raw_transaction_op(
    table: TableClient,
    *,
    reads_per_op: int,
    writes_per_op: int,
    inserts_per_op: int = 0,
    seed_rows: int = READ_SEED_ROWS,
    tag: str = "run",
) -> Callable[[int], None]:
    """One raw "read N, then write atomically" operation: the shape of a redemption (read code and pupil,
    then add the redemption and update the totals in one entity-group transaction).

    `inserts_per_op` single-entity inserts go between the reads and the transaction (a single-use code's
    claim row). `tag` keeps the rows of separate runs apart, so every run inserts new rows rather than later
    runs overwriting the first run's.
    """

    def op(i: int) -> None:
        for k in range(reads_per_op):
            table.get_entity("school0", f"{(i * reads_per_op + k) % seed_rows:08d}")
        for k in range(inserts_per_op):
            table.create_entity({"PartitionKey": f"{tag}claim{i:08d}", "RowKey": f"claim{k}", "owner": f"{i:08d}"})
        # Partitions spread by op so concurrent ops write side by side, as different pupils would.
        partition_key = f"{tag}{i % 64}"
        table.submit_transaction(
            [
                (TransactionOperation.UPSERT, sample_entity(partition_key, f"{i:08d}-{k}"), {"mode": UpdateMode.MERGE})
                for k in range(writes_per_op)
            ]
        )

    return op


def raw_transaction_rate(
    connection_string: str,
    *,
    reads_per_op: int,
    writes_per_op: int = 2,
    inserts_per_op: int = 0,
    ops: int = 200,
    threads: int = 1,
    repeats: int = REPEATS,
    seed_rows: int = READ_SEED_ROWS,
) -> Throughput:
    """Ops/s where one op is `reads_per_op` point reads, `inserts_per_op` inserts and one transaction of
    `writes_per_op` upserts."""
    table = seeded_table(connection_string, seed_rows)

    def op_for_run() -> Callable[[int], None]:
        return raw_transaction_op(
            table, reads_per_op=reads_per_op, writes_per_op=writes_per_op, inserts_per_op=inserts_per_op,
            seed_rows=seed_rows, tag=f"tx{secrets.token_hex(3)}p",
        )

    run_concurrently(op_for_run(), ops=warm_up_ops(ops, threads, floor=10), threads=threads)  # warm-up
    return repeat_throughput(lambda: run_concurrently(op_for_run(), ops=ops, threads=threads), repeats=repeats)


_standard: dict[str, Floors] = {}


def standard_floors(connection_string: str) -> Floors:
    """The reference figures for this Azurite, measured on first call and reused for the rest of the run."""
    floors = _standard.get(connection_string)
    if floors is None:
        upsert = batched_upsert_rate(connection_string)
        # Sequential and concurrent reads in alternating pairs, so their ratio is not skewed by drift.
        reads = compare(
            lambda: point_read_rate(
                connection_string, reads=CONCURRENT_READS, threads=CONCURRENT_THREADS, repeats=1
            ),
            lambda: point_read_rate(connection_string, reads=SEQUENTIAL_READS, repeats=1),
            repeats=REPEATS,
        )
        floors = _standard[connection_string] = Floors(
            batched_upsert=upsert,
            point_reads=reads.baseline,
            point_reads_concurrent=reads.candidate,
            concurrency_scaling=reads.ratio,
        )
    return floors
