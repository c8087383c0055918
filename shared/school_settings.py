"""Changing a school (PATCH /schools/{id}): organisation's rules for the school row, and what the change
means for the pupils the school already has.

It sits above both organisation and roster, so neither imports the other for it: a school switching to the
generic date-of-birth policy has the dates already stored reduced to the year at once, not at the next sync.
"""

from __future__ import annotations

from shared.organisation import service as organisation
from shared.organisation.model import DobPolicy
from shared.organisation.schemas import SchoolOut, SchoolPatch
from shared.roster import store as roster_store
from shared.security.principal import Principal
from shared.storage.clients import Storage, get_storage


def update_school(caller: Principal, school_id: str, body: SchoolPatch, *, storage: Storage | None = None) -> SchoolOut:
    storage = storage or get_storage()
    updated = organisation.update_school(caller, school_id, body, storage=storage)
    if body.dob_policy is DobPolicy.GENERIC:
        # Generic means only the year is kept: dates already stored are reduced now, not at the next sync.
        roster_store.blur_dates_of_birth(storage, updated.id)
    return updated
