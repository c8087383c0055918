"""Open Badges 3.0 credentials: signed VC-JWTs checked with an independent JOSE library (joserfc)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from shared.verification_codes import name_hash
from tests.functions.test_learning import codes_for, partner_activity, pupil_session, redeem
from tests.world import World

# RFC 9864 prefers the algorithm name "Ed25519"; Open Badges verifiers still expect "EdDSA".
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/context"


def _badges(world: World, on: bool) -> None:
    resp = world.as_(world.a.manager).patch(f"/api/schools/{world.a.school_id}", json={"open_badges": on})
    assert resp.status == 200 and resp.json()["open_badges"] is on


def _awarded(world: World) -> tuple[str, object, dict]:
    pupil_id, pupil = pupil_session(world)
    activity = partner_activity(world, hours=30, title="Forest school", skills=["teamwork", "communication"])
    (code,) = codes_for(world, activity["id"])
    assert redeem(pupil, code).status == 201
    return pupil_id, pupil, pupil.get("/api/me/progress").json()["awards"][0]


def _verified(world: World, token: str) -> tuple[dict, dict]:
    """Header and claims, the signature checked against the JWKS the API publishes anonymously."""
    keys = world.client.as_(None).get("/api/credentials/jwks")
    assert keys.status == 200
    decoded = jwt.decode(token, KeySet.import_key_set(keys.json()), algorithms=["EdDSA"])
    return decoded.header, decoded.claims


def test_badges_are_off_until_the_school_switches_them_on(world):
    _badges(world, False)
    _, pupil, award = _awarded(world)
    resp = pupil.get(f"/api/certificates/{award['certificate_id']}/credential")
    assert resp.status == 403 and resp.json()["title"] == "Digital badges are off"


def test_a_credential_verifies_with_an_independent_library_and_has_every_required_field(world):
    _badges(world, True)
    pupil_id, pupil, award = _awarded(world)
    resp = pupil.get(f"/api/certificates/{award['certificate_id']}/credential")
    assert resp.status == 200, resp.body
    assert resp.content_type.startswith("application/vc+jwt")
    header, vc = _verified(world, resp.body.decode())
    assert header["alg"] == "EdDSA" and header["kid"] and header["typ"] == "vc+jwt"
    # OpenBadgeCredential (AchievementCredential): required properties.
    assert vc["@context"][0] == VC_CONTEXT and vc["@context"][1].startswith(OB_CONTEXT_PREFIX)
    assert vc["id"].startswith("urn:uuid:")
    assert "VerifiableCredential" in vc["type"] and "OpenBadgeCredential" in vc["type"]
    assert vc["validFrom"] == award["achieved_at"] and vc["name"] == "Bronze Award"
    # Profile: id and type required.
    assert vc["issuer"]["id"].endswith("/api/credentials/issuer") and vc["issuer"]["type"] == ["Profile"]
    # AchievementSubject: type and achievement required; the recipient only as a hashed IdentityObject.
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and "id" not in subject
    (identity,) = subject["identifier"]
    assert identity["type"] == "IdentityObject" and identity["hashed"] is True
    assert identity["identityType"] == "name" and identity["identityHash"].startswith("sha256$")
    record = world.as_(world.a.staff).get(f"/api/schools/{world.a.school_id}/pupils/{pupil_id}").json()
    name = f"{record['first_name']} {record['last_name']}"
    assert identity["identityHash"] == name_hash(name, identity["salt"])
    # Achievement: id, type, name, description and criteria required; skills as alignments.
    achievement = subject["achievement"]
    assert {"id", "type", "name", "description", "criteria"} <= set(achievement)
    assert achievement["type"] == ["Achievement"] and "30 hours" in achievement["criteria"]["narrative"]
    assert {a["targetName"] for a in achievement["alignment"]} == {"teamwork", "communication"}
    assert all(a["type"] == ["Alignment"] and a["targetUrl"] for a in achievement["alignment"])
    # JWT claims mirror the credential.
    assert vc["iss"] == vc["issuer"]["id"] and vc["jti"] == vc["id"] and isinstance(vc["nbf"], int)
    assert vc["credentialStatus"]["type"] == "1EdTechRevocationList"
    # Nothing that names the child or the school.
    school = world.as_(world.a.staff).get(f"/api/schools/{world.a.school_id}").json()
    payload = base64.urlsafe_b64decode(resp.body.split(b".")[1] + b"==").decode()
    for secret in (record["first_name"], record["last_name"], record["date_of_birth"], school["name"],
                   world.a.school_id, pupil_id):
        assert secret not in payload


def test_a_tampered_credential_does_not_verify(world):
    _badges(world, True)
    _, pupil, award = _awarded(world)
    token = pupil.get(f"/api/certificates/{award['certificate_id']}/credential").body.decode()
    head, body, signature = token.split(".")
    claims = base64.urlsafe_b64decode(body + "==").replace(b"Bronze Award", b"Golden Award")
    forged = ".".join([head, base64.urlsafe_b64encode(claims).decode().rstrip("="), signature])
    with pytest.raises(BadSignatureError):
        _verified(world, forged)


def test_erasure_revokes_the_credential(world):
    _badges(world, True)
    pupil_id, pupil, award = _awarded(world)
    _, vc = _verified(world, pupil.get(f"/api/certificates/{award['certificate_id']}/credential").body.decode())
    status_url = vc["credentialStatus"]["id"]
    path = status_url[status_url.index("/api/"):]
    before = world.client.as_(None).get(path).json()
    assert vc["id"] not in {r["id"] for r in before["revokedCredentials"]}
    assert world.as_(world.a.staff).delete(f"/api/schools/{world.a.school_id}/pupils/{pupil_id}").status == 204
    after = world.client.as_(None).get(path).json()
    assert after["id"] == status_url and after["issuer"] == vc["issuer"]["id"]
    assert {"id": vc["id"], "revoked": True, "revocationReason": "The record was erased."} in after[
        "revokedCredentials"]


def test_the_issuer_profile_and_achievements_are_public(world):
    anonymous = world.client.as_(None)
    profile = anonymous.get("/api/credentials/issuer").json()
    assert profile["type"] == ["Profile"] and profile["id"].endswith("/api/credentials/issuer")
    achievement = anonymous.get("/api/credentials/achievements/gold-fellowship").json()
    assert achievement["name"] == "Gold Fellowship" and achievement["type"] == ["Achievement"]
    assert anonymous.get("/api/credentials/achievements/platinum").status == 404
    assert anonymous.get("/api/credentials/status/not-a-month").status == 404


def test_after_rotation_old_badges_still_verify_and_the_kid_names_the_key(world, monkeypatch):
    from shared.achievements import signing
    from shared.settings import get_settings

    _badges(world, True)
    _, pupil, award = _awarded(world)
    old_token = pupil.get(f"/api/certificates/{award['certificate_id']}/credential").body.decode()
    old_x = signing.current_key().jwk["x"]
    monkeypatch.setenv("CREDENTIAL_SIGNING_KEY", base64.urlsafe_b64encode(hashlib.sha256(b"rotated").digest()).decode())
    monkeypatch.setenv("CREDENTIAL_RETIRED_KEYS", old_x)
    get_settings.cache_clear()
    try:
        new_token = pupil.get(f"/api/certificates/{award['certificate_id']}/credential").body.decode()
        old_header, _ = _verified(world, old_token)
        new_header, _ = _verified(world, new_token)
        assert old_header["kid"] != new_header["kid"]
        kids = {k["kid"] for k in world.client.as_(None).get("/api/credentials/jwks").json()["keys"]}
        assert kids == {old_header["kid"], new_header["kid"]}
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
