"""Staff sign-in with Microsoft Entra ID: OpenID Connect authorization-code flow with PKCE, through MSAL.

`start_sign_in` keeps MSAL's flow (PKCE verifier, nonce, state) server-side and sends the browser to the
provider; `complete_sign_in` takes the flow back exactly once, redeems the code and signs in the staff
member whose email matches the ID token. Off (404) unless the SSO settings are present.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import warnings
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import jwt
import msal
from pydantic import BaseModel, ConfigDict, Field

from shared import audit
from shared.audit import Action
from shared.credentials.logins_store import LoginRecord, login_key, read_login
from shared.errors import ConcurrencyConflict, InvalidRequest, NotFound, ServiceUnavailable, Unauthenticated
from shared.identity import sso_store
from shared.identity.schemas import TokenOut
from shared.identity.service import issue_tokens, note_staff_sign_in, save_login_best_effort
from shared.ids import utcnow
from shared.organisation.service import activate_staff
from shared.security.principal import STAFF_ROLES
from shared.settings import Settings, get_settings
from shared.storage.clients import Storage, get_storage

log = logging.getLogger(__name__)

# MSAL adds openid and profile (preferred_username) itself; email asks Entra for the email claim.
SCOPES = ["email"]
FLOW_LIFETIME = timedelta(minutes=10)
CLOCK_SKEW_SECONDS = 120
PROVIDER_TIMEOUT_SECONDS = 10
CALLBACK_PATH = "/api/auth/sso/callback"

NOT_CONFIGURED = "Sign-in with Microsoft is not set up for this service."
UNAVAILABLE = "Sign-in with Microsoft is not available right now. Try again later or sign in with your password."
INCOMPLETE = "The sign-in response has no state or code. Start again from the sign-in page."
FLOW_GONE = "This sign-in has expired or was already used. Start again from the sign-in page."
PROVIDER_REFUSED = "Microsoft Entra ID did not confirm the sign-in. Start again from the sign-in page."
NOT_LINKED = (
    "Your Microsoft account is not linked to a staff account here. Ask whoever manages your account to "
    "use the email address of your Microsoft account."
)

# API.md fixes a GET callback, so the response comes back in the query string. The code in it is useless
# without the PKCE verifier and client secret that never leave the server, and it works only once.
warnings.filterwarnings("ignore", message=r"response_mode='form_post' is recommended", category=UserWarning)


class SsoStatus(BaseModel):
    enabled: bool


def status() -> SsoStatus:
    """Whether "Sign in with Microsoft" should be offered (a probe that starts no flow)."""
    return SsoStatus(enabled=get_settings().sso_enabled)


class SsoCallbackQuery(BaseModel):
    """What the provider appends to the redirect URI; anything else it adds (session_state...) is ignored."""

    model_config = ConfigDict(extra="ignore")

    code: str | None = Field(default=None, max_length=8192)
    state: str | None = Field(default=None, max_length=512)
    error: str | None = Field(default=None, max_length=256)


class _NoTokenCache(msal.TokenCache):
    """Keeps nothing: the ID token is needed once, and people's Entra tokens have no purpose in memory here."""

    def add(self, event: dict, now: Any = None) -> None:
        return None


@functools.lru_cache(maxsize=1)
def _client(settings: Settings) -> msal.ConfidentialClientApplication:
    """Built on first use (MSAL fetches the provider's discovery document), then reused while settings last."""
    authority = {"oidc_authority": settings.sso_oidc_authority} if settings.sso_oidc_authority else {
        "authority": settings.sso_authority}
    try:
        app = msal.ConfidentialClientApplication(
            settings.sso_client_id,
            client_credential=settings.sso_client_secret,
            token_cache=_NoTokenCache(),
            # No Entra refresh token: the app issues its own tokens and never calls Microsoft on the user's behalf.
            exclude_scopes=["offline_access"],
            timeout=PROVIDER_TIMEOUT_SECONDS,
            **authority,
        )
    except (ValueError, OSError) as exc:
        log.warning("sso provider unusable", extra={"error_type": type(exc).__name__})
        raise ServiceUnavailable(UNAVAILABLE) from None
    # MSAL keeps the discovered issuer only privately and, since 1.38, no longer checks the ID token against it.
    if not getattr(app.authority, "_issuer", None):
        log.warning("sso provider publishes no issuer", extra={"category": "sso_configuration"})
        raise ServiceUnavailable(UNAVAILABLE)
    return app


def _settings() -> Settings:
    settings = get_settings()
    if not settings.sso_enabled:
        raise NotFound(NOT_CONFIGURED)
    return settings


def _redirect_uri(settings: Settings) -> str:
    return settings.sso_redirect_uri or settings.public_base_url.rstrip("/") + CALLBACK_PATH


# --- pending flows (rows in `sso_store`) -----------------------------------------------------------

def _take_flow(storage: Storage, state: str, now: datetime) -> dict:
    """The flow of `state`, exactly once; FLOW_GONE when unknown, already taken, or expired."""
    pending = sso_store.take(storage, state, now=now, lifetime=FLOW_LIFETIME)
    if pending is None or pending.expires_at <= now:
        raise Unauthenticated(FLOW_GONE)
    return pending.flow


# --- the ID token ---------------------------------------------------------------------------------

def _identity_claims(app: msal.ConfidentialClientApplication, settings: Settings, result: dict) -> dict:
    """Audience, lifetime and issuer of the ID token, which MSAL (>= 1.38) leaves to the app.

    The signature is not checked: the token came straight from the token endpoint over TLS in exchange for
    our client secret, which OpenID Connect Core 3.1.3.7 (6) accepts in place of it.
    """
    id_token = result.get("id_token")
    if not isinstance(id_token, str):
        return {}
    try:
        claims = jwt.decode(
            id_token,
            options={"verify_signature": False, "verify_aud": True, "verify_exp": True, "verify_iat": True,
                     "require": ["iss", "aud", "exp", "iat", "sub"]},
            audience=settings.sso_client_id,
            leeway=CLOCK_SKEW_SECONDS,
        )
    except jwt.InvalidTokenError:
        return {}
    # Entra's multi-tenant authorities publish "https://login.microsoftonline.com/{tenantid}/v2.0".
    expected = app.authority._issuer.replace("{tenantid}", str(claims.get("tid", "")))
    return claims if claims["iss"] == expected else {}


def _email(claims: dict) -> str | None:
    for name in ("email", "preferred_username", "upn"):
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return value
    return None


# --- sign-in --------------------------------------------------------------------------------------

def start_sign_in(*, storage: Storage | None = None) -> str:
    """Begin a sign-in; returns the provider URL to send the browser to."""
    settings = _settings()
    storage = storage or get_storage()
    flow = _client(settings).initiate_auth_code_flow(scopes=SCOPES, redirect_uri=_redirect_uri(settings))
    sso_store.save(storage, flow, expires_at=utcnow() + FLOW_LIFETIME)
    return flow["auth_uri"]


def _refuse(storage: Storage, category: str, record: LoginRecord | None = None) -> Unauthenticated:
    log.info("sso sign-in refused", extra={"category": category})
    audit.record(Action.SIGN_IN_SSO_REFUSED, actor_id=None, storage=storage,
                 subject_ids=[record.subject_id] if record else [],
                 school_id=record.school_id if record else None, partner_id=record.partner_id if record else None)
    return Unauthenticated(NOT_LINKED if category in ("no_account", "not_staff", "no_email") else PROVIDER_REFUSED)


def _note_sign_in(storage: Storage, record: LoginRecord, now: datetime) -> None:
    """What a password sign-in records too, so staff who only use SSO are not erased as inactive."""
    if record.password_hash is None and record.last_sign_in_at is None:
        # Never signed in with the invitation: proving the same email through Entra completes it.
        with contextlib.suppress(ConcurrencyConflict):
            activate_staff(storage, record.subject_id)
    if note_staff_sign_in(storage, record, now):
        save_login_best_effort(storage, record)


def complete_sign_in(params: Mapping[str, str], *, storage: Storage | None = None) -> TokenOut:
    """Finish a sign-in from the provider's redirect (`code`/`error` and `state`); tokens as for a login."""
    settings = _settings()
    storage = storage or get_storage()
    now = utcnow()
    state = params.get("state")
    if not state or not (params.get("code") or params.get("error")):
        raise InvalidRequest(INCOMPLETE)
    # The client first: if the provider cannot be reached, the flow is still there for a retry.
    app = _client(settings)
    flow = _take_flow(storage, state, now)
    try:
        result = app.acquire_token_by_auth_code_flow(flow, dict(params))
    except (ValueError, RuntimeError) as exc:
        # MSAL's state and nonce checks; their messages carry those values, so only the type is logged.
        log.warning("sso response rejected", extra={"error_type": type(exc).__name__})
        raise Unauthenticated(PROVIDER_REFUSED) from None
    except OSError as exc:
        log.warning("sso provider unreachable", extra={"error_type": type(exc).__name__})
        raise ServiceUnavailable(UNAVAILABLE) from None
    if "error" in result:
        log.info("sso provider refused", extra={"category": "provider_error"})
        raise Unauthenticated(PROVIDER_REFUSED)
    claims = _identity_claims(app, settings, result)
    if not claims:
        raise _refuse(storage, "invalid_id_token")
    email = _email(claims)
    if email is None:
        raise _refuse(storage, "no_email")
    record = read_login(storage, login_key(email))
    if record is None:
        raise _refuse(storage, "no_account")
    if record.role not in STAFF_ROLES:
        raise _refuse(storage, "not_staff", record)
    _note_sign_in(storage, record, now)
    tokens = issue_tokens(storage, record.principal, record.display_name, now)
    audit.record(Action.SIGN_IN_SSO, actor_id=record.subject_id, subject_ids=[record.subject_id], storage=storage,
                 school_id=record.school_id, partner_id=record.partner_id)
    return tokens
