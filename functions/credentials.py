"""Achievements checked from outside: verification codes (anonymous, throttled per client), and Open
Badges 3.0 credentials with the issuer's profile, public keys and revocation lists (anonymous)."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared.achievements import badges, certificates, verification
from shared.achievements.schemas import NameMatchIn, NameMatchOut, VerificationOut
from shared.api.spec import Reply
from shared.security.principal import ALL_ROLES

bp = func.Blueprint()
TAGS = ("credentials",)


@endpoint(bp, name="verify_check", method="GET", route="verify/{code}",
          summary="Is this certificate genuine? (award, hours, date, issuer; never the child's name or school)",
          roles=None, response=VerificationOut, errors=(404, 429), tags=TAGS)
def check(call: HttpCall) -> VerificationOut:
    return verification.check(call.route["code"], call.client_address)


@endpoint(bp, name="verify_name", method="POST", route="verify/{code}",
          summary="Does a name the checker already has match this certificate? (yes or no only)",
          roles=None, request=NameMatchIn, response=NameMatchOut, errors=(404, 429), tags=TAGS)
def match_name(call: HttpCall) -> NameMatchOut:
    return verification.match_name(call.route["code"], call.body, call.client_address)


@endpoint(bp, name="certificate_get", method="GET", route="certificates/{certificate_id}",
          summary="A certificate as PDF, with its verification code and QR code", roles=ALL_ROLES,
          response_content_type="application/pdf", errors=(404,), tags=TAGS)
def certificate(call: HttpCall) -> Reply:
    pdf = certificates.certificate_pdf(call.caller, call.route["certificate_id"])
    return Reply(body=pdf, content_type="application/pdf",
                 headers={"Content-Disposition": 'inline; filename="certificate.pdf"'})


@endpoint(bp, name="credential_get", method="GET", route="certificates/{certificate_id}/credential",
          summary="The award as an Open Badges 3.0 credential (VC-JWT, EdDSA), where the school allows it",
          roles=ALL_ROLES, response_content_type="application/vc+jwt", errors=(403, 404, 503), tags=TAGS)
def credential(call: HttpCall) -> Reply:
    token = badges.credential_jwt(call.caller, call.route["certificate_id"])
    return Reply(body=token, content_type="application/vc+jwt",
                 headers={"Content-Disposition": 'attachment; filename="badge.jwt"'})


@endpoint(bp, name="credential_issuer", method="GET", route="credentials/issuer",
          summary="The issuer's Open Badges profile", roles=None, tags=TAGS)
def issuer(call: HttpCall) -> Reply:
    return Reply(body=badges.issuer_profile(), content_type="application/json",
                 headers={"Cache-Control": "public, max-age=3600"})


@endpoint(bp, name="credential_keys", method="GET", route="credentials/jwks",
          summary="The issuer's public keys (JWKS): the current key and the retired ones", roles=None,
          errors=(503,), tags=TAGS)
def keys(call: HttpCall) -> Reply:
    return Reply(body=badges.public_keys(), content_type="application/jwk-set+json",
                 headers={"Cache-Control": "public, max-age=3600"})


@endpoint(bp, name="credential_achievement", method="GET", route="credentials/achievements/{award_key}",
          summary="An award as an Open Badges achievement", roles=None, errors=(404,), tags=TAGS)
def achievement(call: HttpCall) -> Reply:
    return Reply(body=badges.achievement(call.route["award_key"]), content_type="application/json")


@endpoint(bp, name="credential_status", method="GET", route="credentials/status/{list_id}",
          summary="A revocation list (1EdTech Revocation List): credentials revoked, e.g. by erasure",
          roles=None, errors=(404,), tags=TAGS)
def status(call: HttpCall) -> Reply:
    return Reply(body=badges.revocation_list(call.route["list_id"]), content_type="application/json")
