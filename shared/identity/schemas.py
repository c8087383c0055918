"""Sign-in API shapes: requests in and responses out."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.schemas import In
from shared.security.principal import Role


class _In(In):
    # Passwords and tokens are taken exactly as sent: trimming would change a password.
    model_config = ConfigDict(str_strip_whitespace=False)


class LoginIn(_In):
    username: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(_In):
    refresh_token: str = Field(min_length=1, max_length=512)


class AcceptInvitationIn(_In):
    token: str = Field(min_length=1, max_length=512)
    password: str = Field(min_length=1, max_length=256)


class UserOut(BaseModel):
    id: str
    role: Role
    display_name: str
    school_id: str | None = None
    partner_id: str | None = None


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    refresh_token: str
    user: UserOut


class MeOut(BaseModel):
    id: str
    role: Role
    display_name: str
    school_id: str | None = None
    partner_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    nickname: str | None = None
    email: str | None = None
    phone: str | None = None
    username: str | None = None
    year_group: int | None = None


class SignInOut(BaseModel):
    """The answer to a password step: tokens, or (`mfa_required`) a challenge for the second step."""

    access_token: str | None = None
    token_type: str = "Bearer"
    expires_in: int | None = None
    refresh_token: str | None = None
    user: UserOut | None = None
    mfa_required: bool = Field(default=False, description="true: no tokens yet; send a code with the challenge")
    mfa_enrolment_required: bool = Field(
        default=False, description="true: this account must set up two-step sign-in first (/api/auth/mfa/setup)"
    )
    mfa_challenge: str | None = Field(default=None, description="short-lived; for /api/auth/mfa/* only")
    mfa_challenge_expires_in: int | None = None

    @classmethod
    def with_tokens(cls, tokens: TokenOut) -> SignInOut:
        return cls(**tokens.model_dump())


class ChallengeIn(_In):
    challenge: str = Field(min_length=1, max_length=2048)


class ChallengeCodeIn(_In):
    challenge: str = Field(min_length=1, max_length=2048)
    code: str = Field(min_length=6, max_length=32, description="six digits from the app, or a recovery code")


class CodeIn(_In):
    code: str = Field(min_length=6, max_length=32, description="six digits from the authenticator app")


class MfaSetupOut(BaseModel):
    secret: str = Field(description="base32, for typing into an authenticator app")
    otpauth_uri: str
    qr_svg: str = Field(description="the otpauth URI as a QR code (SVG data URI)")


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str] = Field(description="shown once; each works once instead of a code from the app")


class SignedInWithCodesOut(TokenOut):
    recovery_codes: list[str]


class MfaStatusOut(BaseModel):
    enrolled: bool
    required: bool
    recovery_codes_left: int


class ForgotPasswordIn(_In):
    email: str = Field(min_length=3, max_length=254)


class ResetPasswordIn(_In):
    token: str = Field(min_length=1, max_length=512)
    password: str = Field(min_length=1, max_length=256)


class ChangePasswordIn(_In):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)
