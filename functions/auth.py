"""Sign-in, tokens, invitations, single sign-on and the caller's profile."""

import azure.functions as func

from functions._http import HttpCall, endpoint
from shared import identity
from shared.api.spec import Reply
from shared.security.principal import ALL_ROLES, STAFF_ROLES, Role

bp = func.Blueprint()
TAGS = ("auth",)


@endpoint(bp, name="auth_login", method="POST", route="auth/login", summary="Sign in (staff email or pupil username)",
          roles=None, request=identity.LoginIn, response=identity.SignInOut, errors=(401, 429), tags=TAGS)
def login(call: HttpCall) -> identity.SignInOut:
    return identity.login(call.body.username, call.body.password, client_address=call.client_address)


@endpoint(bp, name="auth_refresh", method="POST", route="auth/refresh", summary="Swap a refresh token for new tokens",
          roles=None, request=identity.RefreshIn, response=identity.TokenOut, errors=(401,), tags=TAGS)
def refresh(call: HttpCall) -> identity.TokenOut:
    return identity.refresh(call.body.refresh_token)


@endpoint(bp, name="auth_logout", method="POST", route="auth/logout",
          summary="Sign out: ends this session and every other session of the person",
          roles=None, request=identity.RefreshIn, status=204, tags=TAGS)
def logout(call: HttpCall) -> None:
    identity.logout(call.body.refresh_token)


@endpoint(bp, name="auth_logout_all", method="POST", route="auth/logout-all",
          summary="Sign out everywhere: every access and refresh token of the caller stops working at once",
          roles=ALL_ROLES, status=204, tags=TAGS)
def logout_all(call: HttpCall) -> None:
    identity.logout_all(call.caller)


@endpoint(bp, name="auth_accept_invitation", method="POST", route="auth/invitations/accept",
          summary="Accept a staff invitation and set a password", roles=None, request=identity.AcceptInvitationIn,
          response=identity.SignInOut, errors=(410,), tags=TAGS)
def accept_invitation(call: HttpCall) -> identity.SignInOut:
    return identity.accept_invitation(call.body.token, call.body.password)


@endpoint(bp, name="auth_mfa_verify", method="POST", route="auth/mfa/verify",
          summary="Second step of a sign-in: a code from the authenticator app or a recovery code", roles=None,
          request=identity.ChallengeCodeIn, response=identity.TokenOut, errors=(401, 429), tags=TAGS)
def mfa_verify(call: HttpCall) -> identity.TokenOut:
    return identity.mfa_verify(call.body.challenge, call.body.code)


@endpoint(bp, name="auth_mfa_setup", method="POST", route="auth/mfa/setup",
          summary="At a first sign-in that requires it: a new authenticator secret and its QR code", roles=None,
          request=identity.ChallengeIn, response=identity.MfaSetupOut, errors=(401, 409), tags=TAGS)
def mfa_setup(call: HttpCall) -> identity.MfaSetupOut:
    return identity.mfa_start_setup_at_sign_in(call.body.challenge)


@endpoint(bp, name="auth_mfa_setup_confirm", method="POST", route="auth/mfa/setup/confirm",
          summary="Confirm the new authenticator with its first code: tokens and ten recovery codes",
          roles=None, request=identity.ChallengeCodeIn, response=identity.SignedInWithCodesOut, errors=(401, 409),
          tags=TAGS)
def mfa_setup_confirm(call: HttpCall) -> identity.SignedInWithCodesOut:
    return identity.mfa_confirm_setup_at_sign_in(call.body.challenge, call.body.code)


@endpoint(bp, name="auth_mfa_status", method="GET", route="auth/mfa", summary="The caller's two-step sign-in",
          roles=STAFF_ROLES, response=identity.MfaStatusOut, tags=TAGS)
def mfa_status(call: HttpCall) -> identity.MfaStatusOut:
    return identity.mfa_status(call.caller)


@endpoint(bp, name="auth_mfa_enrol", method="POST", route="auth/mfa/enrolment",
          summary="Set up two-step sign-in while signed in: a new authenticator secret and its QR code",
          roles=STAFF_ROLES, response=identity.MfaSetupOut, errors=(409,), tags=TAGS)
def mfa_enrol(call: HttpCall) -> identity.MfaSetupOut:
    return identity.mfa_start_setup(call.caller)


@endpoint(bp, name="auth_mfa_enrol_confirm", method="POST", route="auth/mfa/enrolment/confirm",
          summary="Confirm the new authenticator with its first code: ten recovery codes", roles=STAFF_ROLES,
          request=identity.CodeIn, response=identity.RecoveryCodesOut, errors=(409,), tags=TAGS)
def mfa_enrol_confirm(call: HttpCall) -> identity.RecoveryCodesOut:
    return identity.mfa_confirm_setup(call.caller, call.body.code)


@endpoint(bp, name="auth_mfa_recovery_codes", method="POST", route="auth/mfa/recovery-codes",
          summary="Ten new recovery codes (the old ones stop working)", roles=STAFF_ROLES, request=identity.CodeIn,
          response=identity.RecoveryCodesOut, errors=(409, 429), tags=TAGS)
def mfa_recovery_codes(call: HttpCall) -> identity.RecoveryCodesOut:
    return identity.mfa_renew_recovery_codes(call.caller, call.body.code)


@endpoint(bp, name="staff_mfa_reset", method="DELETE", route="staff/{staff_id}/mfa",
          summary="Reset a staff member's two-step sign-in (the Trust; audited)", roles=(Role.TRUST_ADMIN,),
          status=204, errors=(404,), tags=TAGS)
def mfa_reset(call: HttpCall) -> None:
    identity.mfa_reset(call.caller, call.route["staff_id"])


@endpoint(bp, name="auth_password_forgot", method="POST", route="auth/password/forgot",
          summary="Email a password reset link (the same answer whether or not the address has an account)",
          roles=None, request=identity.ForgotPasswordIn, status=202, errors=(429,), tags=TAGS)
def password_forgot(call: HttpCall) -> Reply:
    identity.forgot_password(call.body.email, call.client_address)
    return Reply(status=202, body={"status": "If the address has an account, a link is on its way."})


@endpoint(bp, name="auth_password_reset", method="POST", route="auth/password/reset",
          summary="Choose a new password with an emailed link (works once, for 30 minutes)", roles=None,
          request=identity.ResetPasswordIn, status=204, errors=(410,), tags=TAGS)
def password_reset(call: HttpCall) -> None:
    identity.reset_password(call.body.token, call.body.password)


@endpoint(bp, name="auth_password_change", method="POST", route="auth/password",
          summary="Change one's own password (the current one required); other sessions end", roles=STAFF_ROLES,
          request=identity.ChangePasswordIn, response=identity.TokenOut, errors=(429,), tags=TAGS)
def password_change(call: HttpCall) -> identity.TokenOut:
    return identity.change_password(call.caller, call.body.current_password, call.body.new_password)


@endpoint(bp, name="auth_sso_status", method="GET", route="auth/sso", summary="Is staff single sign-on on?",
          roles=None, response=identity.SsoStatus, tags=TAGS)
def sso_status(call: HttpCall) -> identity.SsoStatus:
    return identity.sso_status()


@endpoint(bp, name="auth_sso_login", method="GET", route="auth/sso/login",
          summary="Staff sign-in with Microsoft Entra ID: redirects to Microsoft", roles=None, status=302,
          errors=(404, 503), tags=TAGS)
def sso_login(call: HttpCall) -> Reply:
    return Reply(status=302, headers={"Location": identity.sso_start_sign_in()})


@endpoint(bp, name="auth_sso_callback", method="GET", route="auth/sso/callback",
          summary="Where Microsoft Entra ID returns the staff member; answers tokens as sign-in does", roles=None,
          query=identity.SsoCallbackQuery, response=identity.TokenOut, errors=(401, 404, 503), tags=TAGS)
def sso_callback(call: HttpCall) -> identity.TokenOut:
    return identity.sso_complete_sign_in(call.query.model_dump(exclude_none=True))


@endpoint(bp, name="me", method="GET", route="me", summary="The caller's profile", roles=ALL_ROLES,
          response=identity.MeOut,
          tags=TAGS)
def me(call: HttpCall) -> identity.MeOut:
    return identity.me(call.caller)
