"""Moving school: a transfer code for a leaver's record, entered by the new school."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared.security.principal import STAFF_ROLES
from shared.transfer import service
from shared.transfer.schemas import TransferCodeOut, TransferIn, TransferOut

bp = func.Blueprint()
TAGS = ("transfer",)
PUPIL = "schools/{school_id}/pupils/{pupil_id}"


@endpoint(bp, name="transfer_code_issue", method="POST", route=PUPIL + "/transfer-code",
          summary="A one-time transfer code for a leaver's record (old school), valid until its erasure date",
          roles=STAFF_ROLES, response=TransferCodeOut, status=201, errors=(404, 409), tags=TAGS)
def issue_code(call: HttpCall) -> TransferCodeOut:
    return service.issue_code(call.caller, call.route["school_id"], call.route["pupil_id"])


@endpoint(bp, name="transfer_redeem", method="POST", route=PUPIL + "/transfer",
          summary="Move a leaver's learning record from the old school to this pupil (new school); safe to retry",
          roles=STAFF_ROLES, request=TransferIn, response=TransferOut, errors=(400, 404, 409, 410, 429), tags=TAGS)
def redeem(call: HttpCall) -> TransferOut:
    return service.redeem_code(call.caller, call.route["school_id"], call.route["pupil_id"], call.body,
                                call.client_address)
