"""Staff single sign-on end to end, offline: the app's functions against a local OpenID Connect provider."""

import logging
import secrets
import time
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest

from shared import audit
from shared.audit import Action
from shared.credentials.logins_store import LoginRecord, create_login, login_key, read_login
from shared.identity import sso
from shared.ids import clock_moved, new_id, utcnow
from shared.security.principal import Role
from shared.settings import get_settings
from tests import oidc_provider
from tests.world import staff_body

pytestmark = [
    # The app silences this at import, but pytest resets warning filters around each test.
    pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended:UserWarning"),
    # Raised inside oidc-provider-mock's use of authlib, not by the app.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.*"),
]

SSO_SETTINGS = ("SSO_CLIENT_ID", "SSO_CLIENT_SECRET", "SSO_AUTHORITY", "SSO_OIDC_AUTHORITY", "SSO_REDIRECT_URI")
CLIENT_ID = "cu-online-tests"


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[oidc_provider.LocalProvider]:
    with oidc_provider.running(tmp_path_factory.mktemp("oidc")) as running:
        yield running


@pytest.fixture
def sso_on(azurite, provider) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        # MSAL talks to the provider through requests, which trusts this bundle instead of the system's.
        mp.setenv("REQUESTS_CA_BUNDLE", str(provider.ca_file))
        mp.setenv("SSO_CLIENT_ID", CLIENT_ID)
        mp.setenv("SSO_CLIENT_SECRET", secrets.token_urlsafe(24))
        mp.setenv("SSO_OIDC_AUTHORITY", provider.authority)
        mp.delenv("SSO_AUTHORITY", raising=False)
        mp.delenv("SSO_REDIRECT_URI", raising=False)
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


@pytest.fixture
def sso_off(azurite) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        for name in SSO_SETTINGS:
            mp.delenv(name, raising=False)
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


def begin(world) -> str:
    resp = world.client.as_(None).get("/api/auth/sso/login")
    assert resp.status == 302, resp.body
    return resp.headers["location"]


def state_of(auth_uri: str) -> str:
    return dict(parse_qsl(urlsplit(auth_uri).query))["state"]


def answer_as(provider, auth_uri: str, claims: dict) -> dict[str, str]:
    """The provider signs in a person with these claims and sends the browser back with a code."""
    sub = secrets.token_hex(8)
    provider.set_user(sub, claims)
    return provider.authorize(auth_uri, sub)


def callback(world, params: dict[str, str]):
    return world.client.as_(None).get("/api/auth/sso/callback", params=params)


def refusals() -> list[audit.AuditEntry]:
    today = utcnow().date()
    found = audit.entries(audit.EVERYTHING, start=today - timedelta(days=1), end=today, limit=100_000)
    return [e for e in found if e.action == Action.SIGN_IN_SSO_REFUSED]


def add_pupil_login(storage, world, name: str) -> str:
    pupil_id = new_id("pup")
    record = LoginRecord(key=login_key(name), subject_id=pupil_id, role=Role.PUPIL, display_name="Pupil",
                         school_id=world.a.school_id, partner_id=world.a.partner_id)
    assert create_login(storage, record)
    return pupil_id


def test_login_redirects_to_the_provider_with_pkce_and_our_callback(world, provider, sso_on):
    auth_uri = begin(world)
    assert auth_uri.startswith(provider.authority + "/oauth2/authorize?")
    query = dict(parse_qsl(urlsplit(auth_uri).query))
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and query["code_challenge"] and query["nonce"]
    assert query["redirect_uri"] == "http://127.0.0.1:7071/api/auth/sso/callback"
    assert "offline_access" not in query["scope"].split()


def test_staff_member_whose_email_matches_gets_tokens(world, provider, sso_on, caplog):
    caplog.set_level(logging.DEBUG)
    email = world.a.staff.email
    resp = callback(world, answer_as(provider, begin(world), {"email": email.upper()}))
    assert resp.status == 200, resp.body
    body = resp.json()
    assert body["token_type"] == "Bearer" and body["refresh_token"]
    assert body["user"] == {"id": world.a.staff.id, "role": "school_staff", "display_name": "Alphateacher",
                            "school_id": world.a.school_id, "partner_id": world.a.partner_id}
    assert email not in resp.body.decode().lower()
    assert world.client.as_(body["access_token"]).get("/api/me").json()["id"] == world.a.staff.id
    app_logs = [r.getMessage() for r in caplog.records if not r.name.startswith(("werkzeug", "oidc_provider_mock"))]
    assert not [m for m in app_logs if email in m.lower()]
    today = utcnow().date()
    signed_in = [e for e in audit.entries(audit.EVERYTHING, start=today - timedelta(days=1), end=today,
                                          subject_id=world.a.staff.id)
                 if e.action == Action.SIGN_IN_SSO]
    assert signed_in and signed_in[0].actor_id == world.a.staff.id


def test_preferred_username_stands_in_when_the_token_has_no_email(world, provider, sso_on):
    resp = callback(world, answer_as(provider, begin(world), {"preferred_username": world.b.manager.email}))
    assert resp.status == 200, resp.body
    assert resp.json()["user"]["id"] == world.b.manager.id


def test_unknown_email_is_refused_and_audited_without_personal_data(world, provider, sso_on):
    before = len(refusals())
    email = f"stranger.{secrets.token_hex(4)}@example.org.uk"
    resp = callback(world, answer_as(provider, begin(world), {"email": email}))
    assert resp.status == 401
    assert resp.content_type.startswith("application/problem+json")
    assert resp.json()["detail"] == sso.NOT_LINKED
    assert email not in resp.body.decode()
    after = refusals()
    assert len(after) == before + 1
    entry = after[0]
    assert entry.actor_id is None and entry.subject_ids == [] and entry.school_id is None


def test_a_pupil_login_cannot_be_used_through_sso(world, provider, sso_on, storage):
    name = f"pupil.{secrets.token_hex(4)}@example.org.uk"
    pupil_id = add_pupil_login(storage, world, name)
    resp = callback(world, answer_as(provider, begin(world), {"email": name}))
    assert resp.status == 401
    # The same answer as for an unknown email, so SSO cannot tell pupil names apart from nobody.
    assert resp.json()["detail"] == sso.NOT_LINKED
    assert refusals()[0].subject_ids == [pupil_id]


def test_a_replayed_callback_is_refused(world, provider, sso_on):
    params = answer_as(provider, begin(world), {"email": world.a.manager.email})
    assert callback(world, params).status == 200
    replay = callback(world, params)
    assert replay.status == 401
    assert replay.json()["detail"] == sso.FLOW_GONE


def test_a_sign_in_expires_after_ten_minutes(world, provider, sso_on):
    params = answer_as(provider, begin(world), {"email": world.a.manager.email})
    with clock_moved(sso.FLOW_LIFETIME + timedelta(seconds=1)):
        resp = callback(world, params)
    assert resp.status == 401
    assert resp.json()["detail"] == sso.FLOW_GONE


def test_unknown_or_missing_state_is_refused(world, sso_on):
    assert callback(world, {"code": "abc"}).status == 400
    unknown = callback(world, {"code": "abc", "state": secrets.token_urlsafe(16)})
    assert unknown.status == 401
    assert unknown.json()["detail"] == sso.FLOW_GONE


def test_a_refusal_at_the_provider_is_refused_here_and_ends_the_flow(world, provider, sso_on):
    auth_uri = begin(world)
    state = state_of(auth_uri)
    denied = callback(world, {"error": "access_denied", "state": state})
    assert denied.status == 401
    assert denied.json()["detail"] == sso.PROVIDER_REFUSED
    params = answer_as(provider, auth_uri, {"email": world.a.manager.email})
    assert callback(world, params).status == 401


def test_an_invited_staff_member_can_start_with_sso_and_becomes_active(world, provider, sso_on, storage):
    body = staff_body("ssoonly")
    created = world.as_(world.a.manager).post(f"/api/schools/{world.a.school_id}/staff", json=body).json()
    assert created["status"] == "invited"
    resp = callback(world, answer_as(provider, begin(world), {"email": body["email"]}))
    assert resp.status == 200, resp.body
    assert resp.json()["user"]["id"] == created["id"]
    assert world.as_(world.a.manager).get(f"/api/staff/{created['id']}").json()["status"] == "active"
    # Counted as activity, so staff who only ever use SSO are not erased as inactive.
    assert read_login(storage, login_key(body["email"])).inactive_due is not None


def test_both_endpoints_answer_404_when_sso_is_not_configured(world, sso_off):
    anon = world.client.as_(None)
    for resp in (anon.get("/api/auth/sso/login"), anon.get("/api/auth/sso/callback", params={"code": "x",
                                                                                          "state": "y"})):
        assert resp.status == 404
        assert resp.content_type.startswith("application/problem+json")
        assert resp.json()["detail"] == sso.NOT_CONFIGURED


@pytest.mark.parametrize(
    ("change", "accepted"),
    [({}, True), ({"aud": "someone-else"}, False), ({"tid": "another-tenant"}, False),
     ({"iss": "https://evil.example/tenant-1/v2.0"}, False), ({"exp": 1}, False), ({"iat": None}, False)],
    ids=["valid", "other audience", "other tenant", "other issuer", "expired", "no iat"],
)
def test_id_token_audience_issuer_and_lifetime_are_checked(change, accepted):
    # MSAL >= 1.38 leaves these checks to the app; a multi-tenant authority publishes an issuer template.
    app = SimpleNamespace(authority=SimpleNamespace(_issuer="https://login.example/{tenantid}/v2.0"))
    now = int(time.time())
    claims = {"iss": "https://login.example/tenant-1/v2.0", "tid": "tenant-1", "aud": CLIENT_ID, "sub": "s",
              "iat": now, "exp": now + 300, "email": "a@example.org.uk"}
    claims.update(change)
    token = jwt.encode({k: v for k, v in claims.items() if v is not None}, "k" * 32, algorithm="HS256")
    found = sso._identity_claims(app, SimpleNamespace(sso_client_id=CLIENT_ID), {"id_token": token})
    assert bool(found) is accepted


def test_the_status_probe_says_whether_sso_is_on_and_starts_no_flow(world, storage, sso_off):
    from shared.storage.names import SSO_FLOWS

    before = len(list(storage.table(SSO_FLOWS).list_entities()))
    assert world.client.as_(None).get("/api/auth/sso").json() == {"enabled": False}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SSO_CLIENT_ID", CLIENT_ID)
        mp.setenv("SSO_OIDC_AUTHORITY", "https://login.example/tenant")
        get_settings.cache_clear()
        assert world.client.as_(None).get("/api/auth/sso").json() == {"enabled": True}
    get_settings.cache_clear()
    assert len(list(storage.table(SSO_FLOWS).list_entities())) == before
