"""Learning: activities and their stamp codes, redemptions, a pupil's progress and certificates.

- `store`: the one owner of `activities`, `stampcodes`, `vocabulary` and the learning rows beside each pupil row.
- `activities`, `redemption`, `progress`: the services (who may do what, then one store call per step).
- `awards`, `codes`, `stats`: pure rules; `code_sheet`: the printed code sheet.
- `model`: domain records; `schemas`: API requests and responses; `errors`: why a redemption is refused.
This module's names are the entry points `functions/` uses.
"""

from shared.learning.activities import (
    code_sheet_csv,
    code_sheet_pdf,
    create_activity,
    create_codes,
    extend_vocabulary,
    list_activities,
    list_codes,
    vocabulary,
)
from shared.learning.assembly import school_awards
from shared.learning.group import record_group_session
from shared.learning.progress import my_progress, pupil_progress, visible_certificate
from shared.learning.redemption import redeem
from shared.learning.schemas import (
    ActivityIn,
    ActivityList,
    ActivityOut,
    ActivityQuery,
    CodeList,
    CodesIn,
    CodesQuery,
    GroupRedemptionIn,
    GroupRedemptionOut,
    ProgressOut,
    RedemptionIn,
    RedemptionOut,
    SchoolAwardList,
    SchoolAwardsQuery,
    VocabularyIn,
    VocabularyOut,
)

__all__ = [
    "GroupRedemptionIn",
    "GroupRedemptionOut",
    "SchoolAwardList",
    "SchoolAwardsQuery",
    "record_group_session",
    "school_awards",
    "ActivityIn",
    "ActivityList",
    "ActivityOut",
    "ActivityQuery",
    "CodeList",
    "CodesIn",
    "CodesQuery",
    "ProgressOut",
    "RedemptionIn",
    "RedemptionOut",
    "VocabularyIn",
    "VocabularyOut",
    "code_sheet_csv",
    "code_sheet_pdf",
    "create_activity",
    "create_codes",
    "extend_vocabulary",
    "list_activities",
    "list_codes",
    "my_progress",
    "pupil_progress",
    "visible_certificate",
    "redeem",
    "vocabulary",
]
