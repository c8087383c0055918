"""Partners, schools and staff accounts."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared import organisation, school_settings
from shared.api.spec import Reply
from shared.security.principal import STAFF_ROLES, Role

bp = func.Blueprint()
TAGS = ("organisation",)
MANAGERS = (Role.TRUST_ADMIN, Role.PARTNER_MANAGER)


@endpoint(bp, name="partners_create", method="POST", route="partners", summary="Create a partner (local CU)",
          roles=(Role.TRUST_ADMIN,), request=organisation.PartnerIn, response=organisation.PartnerOut, status=201,
          tags=TAGS)
def create_partner(call: HttpCall) -> organisation.PartnerOut:
    return organisation.create_partner(call.caller, call.body)


@endpoint(bp, name="partners_list", method="GET", route="partners", summary="Partners in the caller's scope",
          roles=MANAGERS, response=organisation.PartnerList, tags=TAGS)
def list_partners(call: HttpCall) -> organisation.PartnerList:
    return organisation.list_partners(call.caller)


@endpoint(bp, name="partner_managers_create", method="POST", route="partners/{partner_id}/managers",
          summary="Create a partner manager and their invitation", roles=MANAGERS, request=organisation.StaffIn,
          response=organisation.StaffCreatedOut, status=201, errors=(404, 409), tags=TAGS)
def create_manager(call: HttpCall) -> organisation.StaffCreatedOut:
    return organisation.create_partner_manager(call.caller, call.route["partner_id"], call.body)


@endpoint(bp, name="partner_managers_list", method="GET", route="partners/{partner_id}/managers",
          summary="A partner's managers", roles=MANAGERS, response=organisation.StaffList, errors=(404,), tags=TAGS)
def list_managers(call: HttpCall) -> organisation.StaffList:
    return organisation.list_partner_managers(call.caller, call.route["partner_id"])


@endpoint(bp, name="schools_create", method="POST", route="partners/{partner_id}/schools",
          summary="Add a member school to a partner", roles=MANAGERS, request=organisation.SchoolIn,
          response=organisation.SchoolOut,
          status=201, errors=(404,), tags=TAGS)
def create_school(call: HttpCall) -> organisation.SchoolOut:
    return organisation.create_school(call.caller, call.route["partner_id"], call.body)


@endpoint(bp, name="schools_list", method="GET", route="partners/{partner_id}/schools",
          summary="A partner's member schools", roles=MANAGERS, response=organisation.SchoolList, errors=(404,),
          tags=TAGS)
def list_schools(call: HttpCall) -> organisation.SchoolList:
    return organisation.list_schools(call.caller, call.route["partner_id"])


@endpoint(bp, name="school_get", method="GET", route="schools/{school_id}", summary="A school",
          roles=STAFF_ROLES, response=organisation.SchoolOut, errors=(404,), tags=TAGS)
def get_school(call: HttpCall) -> organisation.SchoolOut:
    return organisation.get_school(call.caller, call.route["school_id"])


@endpoint(bp, name="school_update", method="PATCH", route="schools/{school_id}",
          summary="Rename a school, change its date-of-birth policy, or mark it as having left the programme",
          roles=STAFF_ROLES, request=organisation.SchoolPatch, response=organisation.SchoolOut, errors=(404,),
          tags=TAGS)
def update_school(call: HttpCall) -> organisation.SchoolOut:
    return school_settings.update_school(call.caller, call.route["school_id"], call.body)


@endpoint(bp, name="school_staff_create", method="POST", route="schools/{school_id}/staff",
          summary="Create a school staff account and its invitation", roles=STAFF_ROLES, request=organisation.StaffIn,
          response=organisation.StaffCreatedOut, status=201, errors=(404, 409), tags=TAGS)
def create_staff(call: HttpCall) -> organisation.StaffCreatedOut:
    return organisation.create_school_staff(call.caller, call.route["school_id"], call.body)


@endpoint(bp, name="school_staff_list", method="GET", route="schools/{school_id}/staff",
          summary="A school's staff accounts", roles=STAFF_ROLES, response=organisation.StaffList, errors=(404,),
          tags=TAGS)
def list_staff(call: HttpCall) -> organisation.StaffList:
    return organisation.list_school_staff(call.caller, call.route["school_id"])


@endpoint(bp, name="staff_get", method="GET", route="staff/{staff_id}", summary="A staff account",
          roles=STAFF_ROLES, response=organisation.StaffOut, errors=(404,), tags=TAGS)
def get_staff(call: HttpCall) -> organisation.StaffOut:
    return organisation.get_staff(call.caller, call.route["staff_id"])


@endpoint(bp, name="staff_export", method="GET", route="staff/{staff_id}/export",
          summary="Subject-access export of everything stored about a staff member", roles=STAFF_ROLES,
          errors=(404,), tags=TAGS)
def export_staff(call: HttpCall) -> Reply:
    return Reply(body=organisation.export_staff(call.caller, call.route["staff_id"]))


@endpoint(bp, name="staff_rectify", method="PATCH", route="staff/{staff_id}", summary="Rectify a staff account",
          roles=STAFF_ROLES, request=organisation.StaffPatch, response=organisation.StaffOut, errors=(404, 409),
          tags=TAGS)
def rectify_staff(call: HttpCall) -> organisation.StaffOut:
    return organisation.rectify_staff(call.caller, call.route["staff_id"], call.body)


@endpoint(bp, name="staff_delete", method="DELETE", route="staff/{staff_id}", summary="Delete a staff account",
          roles=STAFF_ROLES, status=204, errors=(404, 409), tags=TAGS)
def delete_staff(call: HttpCall) -> None:
    organisation.delete_staff(call.caller, call.route["staff_id"])


@endpoint(bp, name="staff_invitation_resend", method="POST", route="staff/{staff_id}/invitation",
          summary="Send a new invitation (the old link stops working)", roles=MANAGERS,
          response=organisation.InvitationOut,
          status=201, errors=(403, 404, 409), tags=TAGS)
def resend_invitation(call: HttpCall) -> organisation.InvitationOut:
    return organisation.resend_invitation(call.caller, call.route["staff_id"])
