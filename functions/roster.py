"""Roster upload (HTTP and the mis-uploads blob drop) and the staff-facing pupil endpoints."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared import erasure, roster
from shared.api.spec import Reply
from shared.security.principal import STAFF_ROLES

bp = func.Blueprint()
TAGS = ("roster",)
PUPIL = "schools/{school_id}/pupils/{pupil_id}"


@endpoint(bp, name="roster_upload", method="POST", route="schools/{school_id}/roster",
          summary="Upload an MIS export (CSV) or a JSON roster; full or partial sync; dry run",
          roles=STAFF_ROLES, query=roster.RosterQuery, request=roster.RosterJsonIn,
          request_content_types=roster.ROSTER_CONTENT_TYPES,
          response=roster.RosterReport, errors=(404, 409, 413, 415, 422), tags=TAGS)
def roster_upload(call: HttpCall) -> roster.RosterReport:
    return roster.ingest_for_caller(
        call.caller, call.route["school_id"], data=call.raw_body, content_type=call.content_type,
        body=call.body.model_dump(exclude_none=True) if call.content_type == roster.JSON_CONTENT_TYPE else None,
        mode=call.query.mode, dry_run=call.query.dry_run, confirm_leavers=call.query.confirm_leavers,
    )


@endpoint(bp, name="roster_uploads_list", method="GET", route="schools/{school_id}/roster/uploads",
          summary="Blob-dropped uploads waiting: held by the leaver guard, or not yet processed",
          roles=STAFF_ROLES, response=roster.HeldUploadList, errors=(404,), tags=TAGS)
def list_held_uploads(call: HttpCall) -> roster.HeldUploadList:
    return roster.held_uploads(call.caller, call.route["school_id"])


@endpoint(bp, name="roster_upload_confirm", method="POST", route="schools/{school_id}/roster/uploads/{name}/confirm",
          summary="Apply a held upload, confirming its number of leavers", roles=STAFF_ROLES, query=roster.ConfirmQuery,
          response=roster.RosterReport, errors=(404, 409, 422), tags=TAGS)
def confirm_held_upload(call: HttpCall) -> roster.RosterReport:
    return roster.confirm_upload(call.caller, call.route["school_id"], call.route["name"], call.query.confirm_leavers)


@endpoint(bp, name="roster_upload_discard", method="DELETE", route="schools/{school_id}/roster/uploads/{name}",
          summary="Discard a held upload without applying it", roles=STAFF_ROLES, status=204, errors=(404,),
          tags=TAGS)
def discard_held_upload(call: HttpCall) -> None:
    roster.discard_upload(call.caller, call.route["school_id"], call.route["name"])


# The whole container, not `{school_id}/{name}`: a file dropped in the wrong place (the container root, a
# "folder/") must still be reported and deleted, never left behind with its special-category columns.
@bp.function_name("ingest_mis_upload")
@bp.blob_trigger(arg_name="upload", path="mis-uploads/{name}", connection="AzureWebJobsStorage",
                 source=func.BlobSource.EVENT_GRID)
def ingest_mis_upload(upload: func.InputStream) -> None:
    roster.ingest_upload(upload.name or "", upload.read())


@endpoint(bp, name="pupils_list", method="GET", route="schools/{school_id}/pupils", summary="A page of pupils",
          roles=STAFF_ROLES, query=roster.PupilListQuery, response=roster.PupilList, errors=(404,), tags=TAGS)
def list_pupils(call: HttpCall) -> roster.PupilList:
    return roster.list_pupils(call.caller, call.route["school_id"], call.query)


@endpoint(bp, name="pupil_get", method="GET", route=PUPIL, summary="A pupil", roles=STAFF_ROLES,
          response=roster.PupilOut, errors=(404,), tags=TAGS)
def get_pupil(call: HttpCall) -> roster.PupilOut:
    return roster.read_pupil(call.caller, call.route["school_id"], call.route["pupil_id"])


@endpoint(bp, name="pupil_rectify", method="PATCH", route=PUPIL, summary="Rectify a pupil's details, or restrict",
          roles=STAFF_ROLES, request=roster.PupilPatch, response=roster.PupilOut, errors=(404,), tags=TAGS)
def rectify_pupil(call: HttpCall) -> roster.PupilOut:
    return roster.rectify_pupil(call.caller, call.route["school_id"], call.route["pupil_id"], call.body)


@endpoint(bp, name="pupil_erase", method="DELETE", route=PUPIL, summary="Erase a pupil completely",
          roles=STAFF_ROLES, status=204, errors=(404,), tags=TAGS)
def erase_pupil(call: HttpCall) -> None:
    erasure.erase_pupil(call.caller, call.route["school_id"], call.route["pupil_id"])


@endpoint(bp, name="pupil_password_reset", method="POST", route=PUPIL + "/password",
          summary="Give a pupil a new password (shown once)", roles=STAFF_ROLES, response=roster.PasswordOut,
          errors=(404,), tags=TAGS)
def reset_password(call: HttpCall) -> roster.PasswordOut:
    return roster.reset_password(call.caller, call.route["school_id"], call.route["pupil_id"])


@endpoint(bp, name="pupil_login_cards", method="POST", route="schools/{school_id}/login-cards",
          summary="Printable login cards with fresh passwords", roles=STAFF_ROLES, request=roster.LoginCardsIn,
          response_content_type="application/pdf", errors=(404,), tags=TAGS)
def login_cards(call: HttpCall) -> Reply:
    pdf = roster.login_cards(call.caller, call.route["school_id"], call.body)
    return Reply(body=pdf, content_type="application/pdf",
                 headers={"Content-Disposition": 'attachment; filename="login-cards.pdf"'})


@endpoint(bp, name="pupil_export", method="GET", route=PUPIL + "/export",
          summary="Subject-access export of everything stored about a pupil", roles=STAFF_ROLES, errors=(404,),
          tags=TAGS)
def export_pupil(call: HttpCall) -> Reply:
    return Reply(body=erasure.export_pupil(call.caller, call.route["school_id"], call.route["pupil_id"]))
