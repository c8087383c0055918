"""Activities, stamp codes, redemption, progress and certificates."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared import learning
from shared.achievements import assembly
from shared.api.spec import Reply
from shared.security.principal import ALL_ROLES, STAFF_ROLES, Role

bp = func.Blueprint()
TAGS = ("learning",)


@endpoint(bp, name="vocabulary_get", method="GET", route="vocabulary", summary="Skills and interests",
          roles=ALL_ROLES, response=learning.VocabularyOut, tags=TAGS)
def get_vocabulary(call: HttpCall) -> learning.VocabularyOut:
    return learning.vocabulary()


@endpoint(bp, name="vocabulary_extend", method="POST", route="vocabulary", summary="Add a skill or interest",
          roles=(Role.TRUST_ADMIN,), request=learning.VocabularyIn, response=learning.VocabularyOut, status=201,
          tags=TAGS)
def extend_vocabulary(call: HttpCall) -> learning.VocabularyOut:
    return learning.extend_vocabulary(call.caller, call.body)


@endpoint(bp, name="activities_create", method="POST", route="activities",
          summary="Create a partner activity (learning destination) or a school club", roles=STAFF_ROLES,
          request=learning.ActivityIn, response=learning.ActivityOut, status=201, errors=(404,), tags=TAGS)
def create_activity(call: HttpCall) -> learning.ActivityOut:
    return learning.create_activity(call.caller, call.body)


@endpoint(bp, name="activities_list", method="GET", route="activities", summary="A partner's or a school's activities",
          roles=STAFF_ROLES, query=learning.ActivityQuery, response=learning.ActivityList, errors=(404,), tags=TAGS)
def list_activities(call: HttpCall) -> learning.ActivityList:
    return learning.list_activities(call.caller, call.query)


@endpoint(bp, name="codes_create", method="POST", route="activities/{activity_id}/codes",
          summary="Generate stamp codes for an activity", roles=STAFF_ROLES, request=learning.CodesIn,
          response=learning.CodeList,
          status=201, errors=(404,), tags=TAGS)
def create_codes(call: HttpCall) -> learning.CodeList:
    return learning.create_codes(call.caller, call.route["activity_id"], call.body)


@endpoint(bp, name="codes_list", method="GET", route="activities/{activity_id}/codes",
          summary="An activity's stamp codes (JSON, or a printable code sheet as csv or pdf)", roles=STAFF_ROLES,
          query=learning.CodesQuery, response=learning.CodeList,
          alternative_content_types=("text/csv", "application/pdf"), errors=(404,), tags=TAGS)
def list_codes(call: HttpCall) -> learning.CodeList | Reply:
    activity, codes = learning.list_codes(call.caller, call.route["activity_id"])
    if call.query.format == "csv":
        return Reply(body=learning.code_sheet_csv(activity, codes), content_type="text/csv",
                     headers={"Content-Disposition": 'attachment; filename="stamp-codes.csv"'})
    if call.query.format == "pdf":
        return Reply(body=learning.code_sheet_pdf(activity, codes, include_used=call.query.include_used),
                     content_type="application/pdf",
                     headers={"Content-Disposition": 'attachment; filename="stamp-codes.pdf"'})
    return codes


@endpoint(bp, name="redemptions_create", method="POST", route="redemptions", summary="Redeem a stamp code",
          roles=(Role.PUPIL, Role.SCHOOL_STAFF), request=learning.RedemptionIn, response=learning.RedemptionOut,
          status=201,
          errors=(404, 409, 410, 429), tags=TAGS)
def redeem(call: HttpCall) -> learning.RedemptionOut:
    return learning.redeem(call.caller, call.body, client_address=call.client_address)


@endpoint(bp, name="group_redemptions_create", method="POST", route="schools/{school_id}/group-redemptions",
          summary="Record hours for a group (one activity, many pupils; exactly once per pupil and session_id)",
          roles=(Role.SCHOOL_STAFF,), request=learning.GroupRedemptionIn, response=learning.GroupRedemptionOut,
          errors=(404, 410),
          tags=TAGS)
def record_group_session(call: HttpCall) -> learning.GroupRedemptionOut:
    return learning.record_group_session(call.caller, call.route["school_id"], call.body)


@endpoint(bp, name="my_progress", method="GET", route="me/progress", summary="The signed-in pupil's progress",
          roles=(Role.PUPIL,), response=learning.ProgressOut, tags=TAGS)
def my_progress(call: HttpCall) -> learning.ProgressOut:
    return learning.my_progress(call.caller)


@endpoint(bp, name="pupil_progress", method="GET", route="schools/{school_id}/pupils/{pupil_id}/progress",
          summary="A pupil's progress", roles=STAFF_ROLES, response=learning.ProgressOut, errors=(404,), tags=TAGS)
def pupil_progress(call: HttpCall) -> learning.ProgressOut:
    return learning.pupil_progress(call.caller, call.route["school_id"], call.route["pupil_id"])


@endpoint(bp, name="school_awards", method="GET", route="schools/{school_id}/awards",
          summary="Awards reached in a date range; format=pdf gives every certificate in one PDF (an assembly)",
          roles=STAFF_ROLES, query=learning.SchoolAwardsQuery, response=learning.SchoolAwardList, errors=(404,),
          tags=TAGS)
def school_awards(call: HttpCall) -> learning.SchoolAwardList | Reply:
    if call.query.format == "pdf":
        pdf = assembly.assembly_certificates_pdf(call.caller, call.route["school_id"], call.query)
        return Reply(body=pdf, content_type="application/pdf",
                     headers={"Content-Disposition": 'attachment; filename="assembly-certificates.pdf"'})
    return learning.school_awards(call.caller, call.route["school_id"], call.query)
