"""Partners, schools and staff accounts, and the tenancy check.

- `access`: the one tenancy check (`visible_partner`, `visible_school`, `visible_staff`), or the 404.
- `store`: the one owner of `partners`, `schools`, `staff`; `invitations_store`: of `invitations`.
- `service`: create, list, read, rectify, delete; `model`: domain records; `schemas`: API requests and responses.
This module's names are the entry points `functions/` uses.
"""

from shared.organisation.schemas import (
    InvitationOut,
    PartnerIn,
    PartnerList,
    PartnerOut,
    SchoolIn,
    SchoolList,
    SchoolOut,
    SchoolPatch,
    StaffCreatedOut,
    StaffIn,
    StaffList,
    StaffOut,
    StaffPatch,
)
from shared.organisation.service import (
    create_partner,
    create_partner_manager,
    create_school,
    create_school_staff,
    delete_staff,
    export_staff,
    get_school,
    get_staff,
    list_partner_managers,
    list_partners,
    list_school_staff,
    list_schools,
    rectify_staff,
    resend_invitation,
)

__all__ = [
    "InvitationOut",
    "PartnerIn",
    "PartnerList",
    "PartnerOut",
    "SchoolIn",
    "SchoolList",
    "SchoolOut",
    "SchoolPatch",
    "StaffCreatedOut",
    "StaffIn",
    "StaffList",
    "StaffOut",
    "StaffPatch",
    "create_partner",
    "create_partner_manager",
    "create_school",
    "create_school_staff",
    "delete_staff",
    "export_staff",
    "get_school",
    "get_staff",
    "list_partner_managers",
    "list_partners",
    "list_school_staff",
    "list_schools",
    "rectify_staff",
    "resend_invitation",
]
