"""Sign-in: passwords and SSO to tokens, refresh, sign-out, session revocation, and the caller's profile.

- `service`: sign-in, refresh, logout, invitation acceptance, `authenticate`; `sso`: Microsoft Entra ID sign-in.
- `sessions`: refresh-token families (rows in `sessions_store`, the one owner of `refreshtokens`) and the
  per-person session version.
- `tokens`: access tokens; `subjects`: the person behind a token. The attempt throttle and its back-off are
  `shared.security` (`throttle`, `lockout`), also used by stamp-code guessing.
Login rows, passwords and usernames are `shared.credentials` (below organisation and roster, which use them).
This module's names are the entry points `functions/` uses.
"""

from shared.identity.recovery import change_password, forgot_password, reset_password
from shared.identity.schemas import (
    AcceptInvitationIn,
    ChallengeCodeIn,
    ChallengeIn,
    ChangePasswordIn,
    CodeIn,
    ForgotPasswordIn,
    LoginIn,
    MeOut,
    MfaSetupOut,
    MfaStatusOut,
    RecoveryCodesOut,
    RefreshIn,
    ResetPasswordIn,
    SignedInWithCodesOut,
    SignInOut,
    TokenOut,
)
from shared.identity.second_factor import (
    confirm_setup as mfa_confirm_setup,
)
from shared.identity.second_factor import (
    confirm_setup_at_sign_in as mfa_confirm_setup_at_sign_in,
)
from shared.identity.second_factor import (
    renew_recovery_codes as mfa_renew_recovery_codes,
)
from shared.identity.second_factor import (
    reset as mfa_reset,
)
from shared.identity.second_factor import (
    start_setup as mfa_start_setup,
)
from shared.identity.second_factor import (
    start_setup_at_sign_in as mfa_start_setup_at_sign_in,
)
from shared.identity.second_factor import (
    status as mfa_status,
)
from shared.identity.second_factor import (
    verify as mfa_verify,
)
from shared.identity.service import accept_invitation, login, logout, logout_all, me, refresh
from shared.identity.sso import (
    SsoCallbackQuery,
    SsoStatus,
)
from shared.identity.sso import (
    complete_sign_in as sso_complete_sign_in,
)
from shared.identity.sso import (
    start_sign_in as sso_start_sign_in,
)
from shared.identity.sso import (
    status as sso_status,
)

__all__ = [
    "AcceptInvitationIn",
    "ChallengeCodeIn",
    "ChallengeIn",
    "ChangePasswordIn",
    "CodeIn",
    "ForgotPasswordIn",
    "LoginIn",
    "MeOut",
    "MfaSetupOut",
    "MfaStatusOut",
    "RecoveryCodesOut",
    "RefreshIn",
    "ResetPasswordIn",
    "SignInOut",
    "SignedInWithCodesOut",
    "SsoCallbackQuery",
    "SsoStatus",
    "TokenOut",
    "accept_invitation",
    "change_password",
    "forgot_password",
    "login",
    "logout",
    "logout_all",
    "me",
    "mfa_confirm_setup",
    "mfa_confirm_setup_at_sign_in",
    "mfa_renew_recovery_codes",
    "mfa_reset",
    "mfa_start_setup",
    "mfa_start_setup_at_sign_in",
    "mfa_status",
    "mfa_verify",
    "refresh",
    "reset_password",
    "sso_complete_sign_in",
    "sso_start_sign_in",
    "sso_status",
]
