"""What proves who someone is, below every package that manages people: the login rows (`logins_store`, the
one owner of the `logins` table), second factors (`factors_store`), password rules and hashing (`passwords`),
and pupil usernames (`usernames`). Sign-in itself is `shared.identity`.
"""

# The property on a person's own row (pupil row, staff row) whose increase ends every session they have.
SESSION_VERSION = "session_version"
