"""Sign-in, tokens, invitations, single sign-on and the caller's profile."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared.api.spec import Reply
from shared.identity import service, sso
from shared.identity.models import AcceptInvitationIn, LoginIn, MeOut, RefreshIn, TokenOut
from shared.security.principal import ALL_ROLES

bp = func.Blueprint()
TAGS = ("auth",)


@endpoint(bp, name="auth_login", method="POST", route="auth/login", summary="Sign in (staff email or pupil username)",
          roles=None, request=LoginIn, response=TokenOut, errors=(401, 429), tags=TAGS)
def login(call: HttpCall) -> TokenOut:
    return service.login(call.body.username, call.body.password)


@endpoint(bp, name="auth_refresh", method="POST", route="auth/refresh", summary="Swap a refresh token for new tokens",
          roles=None, request=RefreshIn, response=TokenOut, errors=(401,), tags=TAGS)
def refresh(call: HttpCall) -> TokenOut:
    return service.refresh(call.body.refresh_token)


@endpoint(bp, name="auth_logout", method="POST", route="auth/logout",
          summary="Sign out: ends this session and every other session of the person",
          roles=None, request=RefreshIn, status=204, tags=TAGS)
def logout(call: HttpCall) -> None:
    service.logout(call.body.refresh_token)


@endpoint(bp, name="auth_logout_all", method="POST", route="auth/logout-all",
          summary="Sign out everywhere: every access and refresh token of the caller stops working at once",
          roles=ALL_ROLES, status=204, tags=TAGS)
def logout_all(call: HttpCall) -> None:
    service.logout_all(call.caller)


@endpoint(bp, name="auth_accept_invitation", method="POST", route="auth/invitations/accept",
          summary="Accept a staff invitation and set a password", roles=None, request=AcceptInvitationIn,
          response=TokenOut, errors=(410,), tags=TAGS)
def accept_invitation(call: HttpCall) -> TokenOut:
    return service.accept_invitation(call.body.token, call.body.password)


@endpoint(bp, name="auth_sso_status", method="GET", route="auth/sso", summary="Is staff single sign-on on?",
          roles=None, response=sso.SsoStatus, tags=TAGS)
def sso_status(call: HttpCall) -> sso.SsoStatus:
    return sso.status()


@endpoint(bp, name="auth_sso_login", method="GET", route="auth/sso/login",
          summary="Staff sign-in with Microsoft Entra ID: redirects to Microsoft", roles=None, status=302,
          errors=(404, 503), tags=TAGS)
def sso_login(call: HttpCall) -> Reply:
    return Reply(status=302, headers={"Location": sso.start_sign_in()})


@endpoint(bp, name="auth_sso_callback", method="GET", route="auth/sso/callback",
          summary="Where Microsoft Entra ID returns the staff member; answers tokens as sign-in does", roles=None,
          query=sso.SsoCallbackQuery, response=TokenOut, errors=(401, 404, 503), tags=TAGS)
def sso_callback(call: HttpCall) -> TokenOut:
    return sso.complete_sign_in(call.query.model_dump(exclude_none=True))


@endpoint(bp, name="me", method="GET", route="me", summary="The caller's profile", roles=ALL_ROLES, response=MeOut,
          tags=TAGS)
def me(call: HttpCall) -> MeOut:
    return service.me(call.caller)
