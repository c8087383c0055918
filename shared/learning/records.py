"""Where a pupil's learning record lives: beside their pupil row, in the school's partition of `pupils`.

RowKey `L|<pupil id>|<kind>|<rest>`: kinds are `r` (a redemption), `a` (an award reached). The range
`L|<pupil id>|` … `L|<pupil id>}` holds exactly one pupil's record ("}" sorts right after "|").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from shared.storage.clients import Storage
from shared.storage.names import CODES, PUPILS
from shared.storage.tables import Entity, query_all

REDEMPTION = "r"
AWARD = "a"


def learning_key(pupil_id: str, kind: str, rest: str) -> str:
    return f"L|{pupil_id}|{kind}|{rest}"


def learning_range(pupil_id: str) -> tuple[str, str]:
    return f"L|{pupil_id}|", f"L|{pupil_id}}}"


def learning_rows(storage: Storage, school_id: str, pupil_id: str) -> Iterator[Entity]:
    lo, hi = learning_range(pupil_id)
    yield from query_all(
        storage.table(PUPILS),
        "PartitionKey eq @s and RowKey ge @lo and RowKey lt @hi",
        {"s": school_id, "lo": lo, "hi": hi},
    )


def release_claims(storage: Storage, pupil_id: str, rows: Iterable[Entity]) -> None:
    """Remove the pupil from the single-use claims they hold (PK <code>, RK "claim").

    The claim row stays, without anyone's id, so a used single-use code stays used after erasure.
    """
    codes = storage.table(CODES)
    for row in rows:
        if row["RowKey"].split("|")[2:3] == [REDEMPTION] and row.get("single_use"):
            codes.upsert_entity({"PartitionKey": row["code"], "RowKey": "claim", "pupil_id": "", "erased": True})
