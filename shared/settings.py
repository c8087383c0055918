"""The one typed settings object, read from app settings (environment / local.settings.json Values).

Created once per process by `get_settings()`. Outside local development it refuses to start with a
missing or placeholder secret, so a misconfigured deployment fails at its first request instead of
issuing tokens signed with a guessable key.
"""

from __future__ import annotations

import functools
from enum import StrEnum

from pydantic import AliasChoices, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    LOCAL = "local"
    TEST = "test"
    PRODUCTION = "production"


PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "<", "xxx", "secret")
MIN_SIGNING_KEY_LENGTH = 32
AZURITE_CONNECTION_STRING = "UseDevelopmentStorage=true"


class SettingsError(RuntimeError):
    """The app settings are unusable; the message names the setting, never its value."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, frozen=True)

    environment: Environment = Field(
        default=Environment.PRODUCTION, validation_alias=AliasChoices("CUO_ENVIRONMENT")
    )

    # Storage: a connection string locally (Azurite), an account name + managed identity in Azure.
    storage_connection_string: str | None = Field(
        default=None, validation_alias=AliasChoices("AzureWebJobsStorage")
    )
    storage_account_name: str | None = Field(
        default=None, validation_alias=AliasChoices("AzureWebJobsStorage__accountName")
    )
    storage_client_id: str | None = Field(
        default=None, validation_alias=AliasChoices("AzureWebJobsStorage__clientId")
    )
    # How long one storage request may wait to connect and for each read of its answer, and how often the SDK
    # retries a failed one (with back-off): a stalled storage then answers 503 with Retry-After in bounded
    # time. The defaults are the Blob SDK's own timeouts (the Table SDK's are 300 s).
    storage_connect_timeout_seconds: float = Field(
        default=20, gt=0, le=300, validation_alias=AliasChoices("STORAGE_CONNECT_TIMEOUT_SECONDS")
    )
    storage_read_timeout_seconds: float = Field(
        default=60, gt=0, le=300, validation_alias=AliasChoices("STORAGE_READ_TIMEOUT_SECONDS")
    )
    storage_retries: int = Field(default=5, ge=0, le=10, validation_alias=AliasChoices("STORAGE_RETRIES"))

    # Tokens.
    token_signing_key: str = Field(default="", validation_alias=AliasChoices("TOKEN_SIGNING_KEY"))
    token_issuer: str = Field(
        default="https://cu-online.local", validation_alias=AliasChoices("TOKEN_ISSUER")
    )
    token_audience: str = Field(default="cu-online-api", validation_alias=AliasChoices("TOKEN_AUDIENCE"))
    access_token_minutes: int = Field(default=15, ge=1, le=60, validation_alias=AliasChoices("ACCESS_TOKEN_MINUTES"))
    refresh_token_days: int = Field(default=14, ge=1, le=90, validation_alias=AliasChoices("REFRESH_TOKEN_DAYS"))
    invitation_days: int = Field(default=7, ge=1, le=30, validation_alias=AliasChoices("INVITATION_DAYS"))
    # Open Badges credentials: any high-entropy secret (Key Vault in Azure); the Ed25519 key is derived
    # from it. Retired keys stay published (their public halves, base64url) so old badges still verify.
    credential_signing_key: str = Field(default="", validation_alias=AliasChoices("CREDENTIAL_SIGNING_KEY"))
    credential_retired_keys: str = Field(default="", validation_alias=AliasChoices("CREDENTIAL_RETIRED_KEYS"))
    public_base_url: str = Field(
        default="http://127.0.0.1:7071", validation_alias=AliasChoices("PUBLIC_BASE_URL")
    )
    cors_allowed_origins: str = Field(default="", validation_alias=AliasChoices("CORS_ALLOWED_ORIGINS"))

    # Password hashing (Argon2id). Defaults are the OWASP recommendation (m=19 MiB, t=2, p=1).
    argon2_memory_kib: int = Field(default=19456, ge=8192, validation_alias=AliasChoices("ARGON2_MEMORY_KIB"))
    argon2_time_cost: int = Field(default=2, ge=1, validation_alias=AliasChoices("ARGON2_TIME_COST"))
    argon2_parallelism: int = Field(default=1, ge=1, validation_alias=AliasChoices("ARGON2_PARALLELISM"))

    # Sign-in with Microsoft Entra ID (off unless client id and authority are set).
    sso_client_id: str | None = Field(default=None, validation_alias=AliasChoices("SSO_CLIENT_ID"))
    sso_client_secret: str | None = Field(default=None, validation_alias=AliasChoices("SSO_CLIENT_SECRET"))
    sso_authority: str | None = Field(default=None, validation_alias=AliasChoices("SSO_AUTHORITY"))
    sso_oidc_authority: str | None = Field(default=None, validation_alias=AliasChoices("SSO_OIDC_AUTHORITY"))
    sso_redirect_uri: str | None = Field(default=None, validation_alias=AliasChoices("SSO_REDIRECT_URI"))

    # Email: a local SMTP server (devhost and tests) or Azure Communication Services Email (managed identity).
    mail_sender: str = Field(
        default="DoNotReply@cu-online.local", validation_alias=AliasChoices("MAIL_SENDER")
    )
    mail_smtp_host: str | None = Field(default=None, validation_alias=AliasChoices("MAIL_SMTP_HOST"))
    mail_smtp_port: int = Field(default=2525, ge=1, le=65535, validation_alias=AliasChoices("MAIL_SMTP_PORT"))
    mail_acs_endpoint: str | None = Field(default=None, validation_alias=AliasChoices("MAIL_ACS_ENDPOINT"))
    mail_client_id: str | None = Field(default=None, validation_alias=AliasChoices("MAIL_CLIENT_ID"))
    password_reset_minutes: int = Field(
        default=30, ge=5, le=120, validation_alias=AliasChoices("PASSWORD_RESET_MINUTES")
    )

    # Roster ingest.
    roster_max_bytes: int = Field(default=5_000_000, ge=1_000, validation_alias=AliasChoices("ROSTER_MAX_BYTES"))
    # A full sync that would mark more than this share of the school's active pupils as left (and at least
    # ROSTER_MIN_HELD_LEAVERS of them) is held until someone confirms the number.
    roster_max_leaver_share: float = Field(
        default=0.2, ge=0, le=1, validation_alias=AliasChoices("ROSTER_MAX_LEAVER_SHARE")
    )
    roster_min_held_leavers: int = Field(default=5, ge=1, validation_alias=AliasChoices("ROSTER_MIN_HELD_LEAVERS"))
    # How long one sync may hold its school's upload lease before another may take it over (a crashed run).
    roster_lease_seconds: int = Field(default=180, ge=10, validation_alias=AliasChoices("ROSTER_LEASE_SECONDS"))
    # How long a blob drop waits for another sync of the same school before handing the blob back for a retry.
    roster_lease_wait_seconds: float = Field(
        default=45, ge=0, validation_alias=AliasChoices("ROSTER_LEASE_WAIT_SECONDS")
    )

    # Retention (DESIGN.md section 7 defaults).
    retention_schedule: str = Field(default="0 0 2 * * *", validation_alias=AliasChoices("RETENTION_SCHEDULE"))
    leaver_grace_days: int = Field(default=30, ge=0, validation_alias=AliasChoices("LEAVER_GRACE_DAYS"))
    school_exit_grace_days: int = Field(default=30, ge=0, validation_alias=AliasChoices("SCHOOL_EXIT_GRACE_DAYS"))
    staff_inactive_months: int = Field(default=24, ge=1, validation_alias=AliasChoices("STAFF_INACTIVE_MONTHS"))
    audit_retention_months: int = Field(default=24, ge=1, validation_alias=AliasChoices("AUDIT_RETENTION_MONTHS"))
    upload_sweep_hours: int = Field(default=24, ge=1, validation_alias=AliasChoices("UPLOAD_SWEEP_HOURS"))
    retention_batch_limit: int = Field(default=500, ge=1, validation_alias=AliasChoices("RETENTION_BATCH_LIMIT"))

    # Reports: how often the per-school summaries behind partner and national reports are rolled up.
    reports_rollup_schedule: str = Field(
        default="0 30 * * * *", validation_alias=AliasChoices("REPORTS_ROLLUP_SCHEDULE")
    )

    @property
    def is_local(self) -> bool:
        return self.environment in (Environment.LOCAL, Environment.TEST)

    @property
    def credential_secret(self) -> str | None:
        """The secret the credential signing key is derived from; None when badges cannot be signed.

        Locally a settings file from before this setting existed still works: the key is then derived
        from the token key (under its own label, so the two keys differ). Never outside local and test.
        """
        key = self.credential_signing_key
        if len(key) >= MIN_SIGNING_KEY_LENGTH and not any(m in key.lower() for m in PLACEHOLDER_MARKERS):
            return key
        if self.is_local and self.token_signing_key:
            return "credential-signing:" + self.token_signing_key
        return None

    @property
    def sso_enabled(self) -> bool:
        return bool(self.sso_client_id and (self.sso_authority or self.sso_oidc_authority))

    @model_validator(mode="after")
    def _refuse_unsafe_configuration(self) -> Settings:
        if not (self.storage_connection_string or self.storage_account_name):
            raise ValueError(
                "storage is not configured: set AzureWebJobsStorage (connection string) "
                "or AzureWebJobsStorage__accountName (managed identity)"
            )
        if self.is_local:
            return self
        key = self.token_signing_key
        if len(key) < MIN_SIGNING_KEY_LENGTH or any(m in key.lower() for m in PLACEHOLDER_MARKERS):
            raise ValueError(
                f"TOKEN_SIGNING_KEY is missing, a placeholder or shorter than {MIN_SIGNING_KEY_LENGTH} "
                "characters; in Azure it comes from Key Vault"
            )
        if self.storage_connection_string and "AccountKey=" in self.storage_connection_string:
            raise ValueError(
                "AzureWebJobsStorage holds an account key; in Azure use AzureWebJobsStorage__accountName "
                "with the managed identity"
            )
        credential_key = self.credential_signing_key
        if credential_key and (len(credential_key) < MIN_SIGNING_KEY_LENGTH
                               or any(m in credential_key.lower() for m in PLACEHOLDER_MARKERS)):
            raise ValueError(
                f"CREDENTIAL_SIGNING_KEY is a placeholder or shorter than {MIN_SIGNING_KEY_LENGTH} characters; "
                "in Azure it comes from Key Vault"
            )
        if self.sso_client_id and not self.sso_client_secret:
            raise ValueError("SSO_CLIENT_ID is set but SSO_CLIENT_SECRET is missing")
        return self


def load_settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"invalid app settings: {problems}") from None
    if settings.is_local and not settings.token_signing_key:
        raise SettingsError("TOKEN_SIGNING_KEY is not set (python -m devhost creates local.settings.json with one)")
    return settings


@functools.cache
def get_settings() -> Settings:
    return load_settings()
