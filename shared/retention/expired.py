"""Dropping expired rows and leftover uploads: invitations, refresh tokens, SSO flows, password-reset links,
used sign-in challenges, audit, throttle, MIS uploads.

The cut-offs are `policy`'s; the rows are found and deleted by `expired_store`, by partition ranges, so
the cost follows the rows due, with no record of which days were done and no blind spot for days older
than a look-back window. The throttle table is listed whole (its kinds grow over time); that is cheap
because this sweep keeps it down to its last two days.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from shared.retention import expired_store, policy
from shared.retention.expired_store import Batch
from shared.retention.model import Category
from shared.retention.sweep import ItemGuard, Sweep
from shared.storage.names import (
    ALERTS,
    AUDIT,
    INVITATIONS,
    PASSWORD_RESETS,
    REFRESH_TOKENS,
    SIGN_IN_CHALLENGES,
    SSO_FLOWS,
    THROTTLE,
)


def _drop(sweep: Sweep, name: str, table_name: str, batches: Iterable[Batch], category: Category) -> None:
    guard = ItemGuard(sweep, name)
    for batch in batches:
        if not sweep.take():
            return
        with guard.item():
            expired_store.delete(sweep.storage, table_name, batch)
            sweep.journal.count(category, len(batch[1]))


def _drop_partitions_before(sweep: Sweep, name: str, table_name: str, before: str, category: Category) -> None:
    _drop(sweep, name, table_name, expired_store.batches_before(sweep.storage, table_name, before), category)


def sweep_invitations(sweep: Sweep) -> None:
    _drop_partitions_before(sweep, "invitations", INVITATIONS, policy.expired_before(sweep.today),
                            Category.INVITATIONS_DELETED)


def sweep_refresh_tokens(sweep: Sweep) -> None:
    _drop_partitions_before(sweep, "refresh_tokens", REFRESH_TOKENS, policy.expired_before(sweep.today),
                            Category.REFRESH_TOKENS_DELETED)


def sweep_sso_flows(sweep: Sweep) -> None:
    _drop_partitions_before(sweep, "sso_flows", SSO_FLOWS, policy.expired_before(sweep.today),
                            Category.SSO_FLOWS_DELETED)


def sweep_password_resets(sweep: Sweep) -> None:
    before = policy.expired_before(sweep.today)
    _drop_partitions_before(sweep, "password_resets", PASSWORD_RESETS, before, Category.PASSWORD_RESETS_DELETED)
    # Each person's pointer to their live link (they hold the staff id) goes once that link has expired.
    _drop(sweep, "password_resets", PASSWORD_RESETS,
          expired_store.link_pointer_batches(sweep.storage, PASSWORD_RESETS, before), Category.PASSWORD_RESETS_DELETED)


def sweep_sign_in_challenges(sweep: Sweep) -> None:
    _drop_partitions_before(sweep, "sign_in_challenges", SIGN_IN_CHALLENGES, policy.expired_before(sweep.today),
                            Category.SIGN_IN_CHALLENGES_DELETED)


def sweep_audit(sweep: Sweep) -> None:
    kept_from = policy.audit_kept_from(sweep.today, sweep.settings.audit_retention_months)
    _drop_partitions_before(sweep, "audit", AUDIT, kept_from, Category.AUDIT_ENTRIES_DELETED)
    # The alert index is part of the audit trail and goes with it.
    _drop_partitions_before(sweep, "alerts", ALERTS, kept_from, Category.AUDIT_ENTRIES_DELETED)


def sweep_throttle(sweep: Sweep) -> None:
    batches = expired_store.throttle_batches(sweep.storage, partial(policy.throttle_is_old, today=sweep.today))
    _drop(sweep, "throttle", THROTTLE, batches, Category.THROTTLE_ROWS_DELETED)


def sweep_mis_uploads(sweep: Sweep) -> None:
    """Raw MIS exports left in `mis-uploads` (the blob trigger deletes each once processed)."""
    guard = ItemGuard(sweep, "mis_uploads")
    for name, last_modified in expired_store.uploads(sweep.storage):
        if not policy.upload_is_stale(last_modified, sweep.now, sweep.settings.upload_sweep_hours):
            continue
        if not sweep.take():
            return
        with guard.item():
            if expired_store.delete_upload(sweep.storage, name):
                sweep.journal.count(Category.MIS_UPLOADS_DELETED)
