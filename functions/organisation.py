"""Partners, schools and staff accounts."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared.api.spec import Reply
from shared.organisation import service
from shared.organisation.models import (
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
from shared.security.principal import STAFF_ROLES, Role

bp = func.Blueprint()
TAGS = ("organisation",)
MANAGERS = (Role.TRUST_ADMIN, Role.PARTNER_MANAGER)


@endpoint(bp, name="partners_create", method="POST", route="partners", summary="Create a partner (local CU)",
          roles=(Role.TRUST_ADMIN,), request=PartnerIn, response=PartnerOut, status=201, tags=TAGS)
def create_partner(call: HttpCall) -> PartnerOut:
    return service.create_partner(call.caller, call.body)


@endpoint(bp, name="partners_list", method="GET", route="partners", summary="Partners in the caller's scope",
          roles=MANAGERS, response=PartnerList, tags=TAGS)
def list_partners(call: HttpCall) -> PartnerList:
    return service.list_partners(call.caller)


@endpoint(bp, name="partner_managers_create", method="POST", route="partners/{partner_id}/managers",
          summary="Create a partner manager and their invitation", roles=MANAGERS, request=StaffIn,
          response=StaffCreatedOut, status=201, errors=(404, 409), tags=TAGS)
def create_manager(call: HttpCall) -> StaffCreatedOut:
    return service.create_partner_manager(call.caller, call.route["partner_id"], call.body)


@endpoint(bp, name="partner_managers_list", method="GET", route="partners/{partner_id}/managers",
          summary="A partner's managers", roles=MANAGERS, response=StaffList, errors=(404,), tags=TAGS)
def list_managers(call: HttpCall) -> StaffList:
    return service.list_partner_managers(call.caller, call.route["partner_id"])


@endpoint(bp, name="schools_create", method="POST", route="partners/{partner_id}/schools",
          summary="Add a member school to a partner", roles=MANAGERS, request=SchoolIn, response=SchoolOut,
          status=201, errors=(404,), tags=TAGS)
def create_school(call: HttpCall) -> SchoolOut:
    return service.create_school(call.caller, call.route["partner_id"], call.body)


@endpoint(bp, name="schools_list", method="GET", route="partners/{partner_id}/schools",
          summary="A partner's member schools", roles=MANAGERS, response=SchoolList, errors=(404,), tags=TAGS)
def list_schools(call: HttpCall) -> SchoolList:
    return service.list_schools(call.caller, call.route["partner_id"])


@endpoint(bp, name="school_get", method="GET", route="schools/{school_id}", summary="A school",
          roles=STAFF_ROLES, response=SchoolOut, errors=(404,), tags=TAGS)
def get_school(call: HttpCall) -> SchoolOut:
    return service.get_school(call.caller, call.route["school_id"])


@endpoint(bp, name="school_update", method="PATCH", route="schools/{school_id}",
          summary="Rename a school, change its date-of-birth policy, or mark it as having left the programme",
          roles=STAFF_ROLES, request=SchoolPatch, response=SchoolOut, errors=(404,), tags=TAGS)
def update_school(call: HttpCall) -> SchoolOut:
    return service.update_school(call.caller, call.route["school_id"], call.body)


@endpoint(bp, name="school_staff_create", method="POST", route="schools/{school_id}/staff",
          summary="Create a school staff account and its invitation", roles=STAFF_ROLES, request=StaffIn,
          response=StaffCreatedOut, status=201, errors=(404, 409), tags=TAGS)
def create_staff(call: HttpCall) -> StaffCreatedOut:
    return service.create_school_staff(call.caller, call.route["school_id"], call.body)


@endpoint(bp, name="school_staff_list", method="GET", route="schools/{school_id}/staff",
          summary="A school's staff accounts", roles=STAFF_ROLES, response=StaffList, errors=(404,), tags=TAGS)
def list_staff(call: HttpCall) -> StaffList:
    return service.list_school_staff(call.caller, call.route["school_id"])


@endpoint(bp, name="staff_get", method="GET", route="staff/{staff_id}", summary="A staff account",
          roles=STAFF_ROLES, response=StaffOut, errors=(404,), tags=TAGS)
def get_staff(call: HttpCall) -> StaffOut:
    return service.get_staff(call.caller, call.route["staff_id"])


@endpoint(bp, name="staff_export", method="GET", route="staff/{staff_id}/export",
          summary="Subject-access export of everything stored about a staff member", roles=STAFF_ROLES,
          errors=(404,), tags=TAGS)
def export_staff(call: HttpCall) -> Reply:
    return Reply(body=service.export_staff(call.caller, call.route["staff_id"]))


@endpoint(bp, name="staff_rectify", method="PATCH", route="staff/{staff_id}", summary="Rectify a staff account",
          roles=STAFF_ROLES, request=StaffPatch, response=StaffOut, errors=(404, 409), tags=TAGS)
def rectify_staff(call: HttpCall) -> StaffOut:
    return service.rectify_staff(call.caller, call.route["staff_id"], call.body)


@endpoint(bp, name="staff_delete", method="DELETE", route="staff/{staff_id}", summary="Delete a staff account",
          roles=STAFF_ROLES, status=204, errors=(404,), tags=TAGS)
def delete_staff(call: HttpCall) -> None:
    service.delete_staff(call.caller, call.route["staff_id"])


@endpoint(bp, name="staff_invitation_resend", method="POST", route="staff/{staff_id}/invitation",
          summary="Send a new invitation (the old link stops working)", roles=MANAGERS, response=InvitationOut,
          status=201, errors=(403, 404, 409), tags=TAGS)
def resend_invitation(call: HttpCall) -> InvitationOut:
    return service.resend_invitation(call.caller, call.route["staff_id"])
