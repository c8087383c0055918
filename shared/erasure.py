"""Complete erasure and subject-access export of a pupil: one place that knows every row about a person.

What a pupil leaves in storage: the pupil row and their learning record (both in the school's partition
of `pupils`), their login row (keyed by a hash of the username), a leaver due-date row, and the claims
of single-use stamp codes they redeemed. Audit entries keep only the pseudonymous pupil id.
"""

from __future__ import annotations

from datetime import date

from azure.data.tables import UpdateMode

from shared.identity.logins import login_key, login_keys
from shared.learning.records import learning_rows, release_claims
from shared.organisation.models import School
from shared.roster.ingest import leaver_due_partition
from shared.roster.store import Pupil, pupil_entity
from shared.storage.clients import Storage
from shared.storage.names import DUE, LOGINS, PUPILS
from shared.storage.tables import delete_op, get_entity, submit_batches, update_if_match


def erase_pupil_everywhere(storage: Storage, school_id: str, pupil: Pupil, *, etag: str) -> None:
    """Erase the pupil everywhere; idempotent, so a crash half-way is finished by running it again.

    First the pupil row is marked as being erased under `etag`, the ETag of the read that decided the
    erasure: if the row changed since (a roster re-sync brought the pupil back), ConcurrencyConflict is
    raised before anything is deleted. From the mark on, a sync treats the row as gone and a redemption
    refuses it, so the learning record read next is complete and nothing is added behind it.

    The pupil row goes after everything personal, so an interrupted erasure is found again from it and
    finished; the leaver due-date row goes after the pupil row, so the retention timer finds it too.
    """
    table = storage.table(PUPILS)
    update_if_match(table, {"PartitionKey": school_id, "RowKey": pupil.id, "erasing": True}, etag,
                    mode=UpdateMode.MERGE)
    rows = list(learning_rows(storage, school_id, pupil.id))
    release_claims(storage, pupil.id, rows)
    submit_batches(table, [delete_op(school_id, r["RowKey"]) for r in rows])
    pk, rk = login_keys(login_key(pupil.username))
    storage.table(LOGINS).delete_entity(pk, rk)
    table.delete_entity(school_id, pupil.id)
    if pupil.deletion_due:
        storage.table(DUE).delete_entity(
            leaver_due_partition(date.fromisoformat(pupil.deletion_due)), f"{school_id}~{pupil.id}"
        )


def pupil_records(storage: Storage, school: School, pupil: Pupil) -> dict:
    """Every stored fact about the pupil, machine-readable (subject access request)."""
    row = get_entity(storage.table(PUPILS), school.id, pupil.id) or pupil_entity(pupil)
    stored = {k: v for k, v in row.items() if k not in ("PartitionKey", "RowKey")}
    learning = [
        {k: v for k, v in row.items() if k not in ("PartitionKey",)}
        for row in learning_rows(storage, school.id, pupil.id)
    ]
    return {
        "pupil_id": pupil.id,
        "school": {"id": school.id, "name": school.name},
        "pupil": stored,
        "learning_record": learning,
        "sign_in": {"username": pupil.username, "has_password": pupil.has_login},
    }
