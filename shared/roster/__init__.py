"""Pupils: roster ingest (MIS exports, JSON lists, the blob drop) and the staff-facing pupil endpoints.

- `parsing`, `columns`, `decoding`, `rules`: file to validated, minimised pupil records (pure, no I/O).
- `ingest`: a sync plan applied to storage; `blob_drop`: files dropped in `mis-uploads`.
- `pupils`: list, read, rectify, password reset, login cards (erasure and export: `shared.erasure`).
- `store`: the one owner of the pupil rows (`pupil_rows`, `get_pupil`, ...); `model`: domain records;
  `schemas`: API requests and responses; `errors`: why a whole upload is refused.
This module's names are the entry points `functions/` uses.
"""

from shared.organisation.model import DobPolicy
from shared.roster.blob_drop import confirm_upload, discard_upload, held_uploads, ingest_upload
from shared.roster.errors import RosterTooLarge, RosterUnreadable
from shared.roster.formats import JSON_CONTENT_TYPE, ROSTER_CONTENT_TYPES
from shared.roster.ingest import ingest_for_caller
from shared.roster.model import Gender, ParsedRoster, PupilRecord
from shared.roster.parsing import parse_csv, parse_json_pupils
from shared.roster.pupils import list_pupils, login_cards, read_pupil, rectify_pupil, reset_password
from shared.roster.schemas import (
    ConfirmQuery,
    HeldUploadList,
    LoginCardsIn,
    PasswordOut,
    PupilList,
    PupilListQuery,
    PupilOut,
    PupilPatch,
    RosterJsonIn,
    RosterQuery,
    RosterReport,
)

__all__ = [
    "ConfirmQuery",
    "HeldUploadList",
    "confirm_upload",
    "discard_upload",
    "held_uploads",
    "DobPolicy",
    "Gender",
    "ParsedRoster",
    "PupilRecord",
    "RosterTooLarge",
    "RosterUnreadable",
    "parse_csv",
    "parse_json_pupils",
    "JSON_CONTENT_TYPE",
    "LoginCardsIn",
    "PasswordOut",
    "PupilList",
    "PupilListQuery",
    "PupilOut",
    "PupilPatch",
    "ROSTER_CONTENT_TYPES",
    "RosterJsonIn",
    "RosterQuery",
    "RosterReport",
    "ingest_for_caller",
    "ingest_upload",
    "list_pupils",
    "login_cards",
    "read_pupil",
    "rectify_pupil",
    "reset_password",
]
