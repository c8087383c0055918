"""Every table and blob container the app owns, so they can be created up front.

Each table has one owning store module (named beside it), the only code that knows its keys and row format.
Expired rows of the day-partitioned tables (and of `throttle`) are dropped by retention.expired_store, which
finds them by partition range, reading their keys only.
"""

PARTNERS = "partners"  # organisation.store
SCHOOLS = "schools"  # organisation.store
STAFF = "staff"  # organisation.store
LOGINS = "logins"  # credentials.logins_store
INVITATIONS = "invitations"  # organisation.invitations_store
REFRESH_TOKENS = "refreshtokens"  # identity.sessions_store
THROTTLE = "throttle"  # security.throttle_store
AUDIT = "audit"  # audit
PUPILS = "pupils"  # roster.store (pupil rows and their one codec); learning.record_store (learning records)
ACTIVITIES = "activities"  # learning.activities_store
CODES = "stampcodes"  # learning.activities_store
DUE = "duedates"  # due_dates
RETENTION_RUNS = "retentionruns"  # retention.runs_store
SCHOOL_STATS = "schoolstats"  # reports.store
VOCABULARY = "vocabulary"  # learning.activities_store
SSO_FLOWS = "ssoflows"  # identity.sso_store
PASSWORD_RESETS = "passwordresets"  # identity.resets_store
SIGN_IN_CHALLENGES = "signinchallenges"  # identity.challenges_store
SECOND_FACTORS = "secondfactors"  # credentials.factors_store
ALERTS = "alerts"  # alerts.store
VERIFICATIONS = "verifications"  # achievements.store
REVOCATIONS = "revocations"  # achievements.revocations_store
TRANSFERS = "transfers"  # transfer.store
DESTINATIONS = "destinations"  # destinations.store

TABLES = (
    PARTNERS, SCHOOLS, STAFF, LOGINS, INVITATIONS, REFRESH_TOKENS, THROTTLE, AUDIT,
    PUPILS, ACTIVITIES, CODES, DUE, RETENTION_RUNS, SCHOOL_STATS, VOCABULARY, SSO_FLOWS,
    PASSWORD_RESETS, SIGN_IN_CHALLENGES, SECOND_FACTORS, ALERTS, VERIFICATIONS, REVOCATIONS, TRANSFERS,
    DESTINATIONS,
)

MIS_UPLOADS = "mis-uploads"  # roster.uploads_store (the blob trigger reads it; retention sweeps leftovers)
MIS_REPORTS = "mis-reports"  # roster.uploads_store

CONTAINERS = (MIS_UPLOADS, MIS_REPORTS)
