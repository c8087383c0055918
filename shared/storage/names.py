"""Every table, blob container and queue the app owns, so they can be created up front."""

PARTNERS = "partners"
SCHOOLS = "schools"
STAFF = "staff"
LOGINS = "logins"
INVITATIONS = "invitations"
REFRESH_TOKENS = "refreshtokens"
THROTTLE = "throttle"
AUDIT = "audit"
PUPILS = "pupils"
ACTIVITIES = "activities"
CODES = "stampcodes"
LEARNING = "learning"
DUE = "duedates"
RETENTION_RUNS = "retentionruns"
SCHOOL_STATS = "schoolstats"
VOCABULARY = "vocabulary"
SSO_FLOWS = "ssoflows"

TABLES = (
    PARTNERS, SCHOOLS, STAFF, LOGINS, INVITATIONS, REFRESH_TOKENS, THROTTLE, AUDIT,
    PUPILS, ACTIVITIES, CODES, LEARNING, DUE, RETENTION_RUNS, SCHOOL_STATS, VOCABULARY, SSO_FLOWS,
)

MIS_UPLOADS = "mis-uploads"
MIS_REPORTS = "mis-reports"

CONTAINERS = (MIS_UPLOADS, MIS_REPORTS)
QUEUES: tuple[str, ...] = ()
