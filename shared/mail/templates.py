"""The emails the service sends, in plain, friendly English (pure: no I/O).

Each names the product, says why the person is getting it and what to do if it was not them. None ever
contains a password; links carry their single-use secret in the URL fragment, so it never reaches a
server log.
"""

from __future__ import annotations

from datetime import datetime

from shared.mail.mailer import Message

PRODUCT = "Children's University Online"
SIGN_OFF = f"\nThank you,\nThe {PRODUCT} team\n"
NOT_YOU = "If you were not expecting this email, you can ignore it: nothing changes unless the link is used."


def _when(moment: datetime) -> str:
    return moment.strftime("%d %B %Y at %H:%M UTC").lstrip("0")


def invitation(to: str, nickname: str, url: str, expires_at: datetime, *, resent: bool = False) -> Message:
    opening = ("Here is a new link to set up your account. Any earlier invitation link no longer works."
               if resent else f"You have been given a staff account on {PRODUCT}.")
    return Message(
        to=to,
        subject=f"Your {PRODUCT} account" + (" (new invitation link)" if resent else ""),
        text=(
            f"Hello {nickname},\n\n{opening}\n\n"
            f"To choose your password and sign in, open this link:\n\n{url}\n\n"
            f"The link works once and until {_when(expires_at)}. If it runs out, ask whoever invited you to "
            f"send a new one.\n\n{NOT_YOU}\n{SIGN_OFF}"
        ),
        template="invitation_resent" if resent else "invitation",
    )


def password_reset(to: str, nickname: str, url: str, minutes: int) -> Message:
    return Message(
        to=to,
        subject=f"Reset your {PRODUCT} password",
        text=(
            f"Hello {nickname},\n\nSomeone (we hope you) asked to reset the password of your {PRODUCT} "
            f"account.\n\nTo choose a new password, open this link within {minutes} minutes:\n\n{url}\n\n"
            "The link works once. Choosing a new password signs you out everywhere else.\n\n"
            f"If you did not ask for this, you can ignore this email: your password stays as it is.\n{SIGN_OFF}"
        ),
        template="password_reset",
    )


def password_changed(to: str, nickname: str, at: datetime) -> Message:
    return Message(
        to=to,
        subject=f"Your {PRODUCT} password was changed",
        text=(
            f"Hello {nickname},\n\nThe password of your {PRODUCT} account was changed on {_when(at)}, and "
            "every other place you were signed in has been signed out.\n\n"
            "If this was not you, use \"Forgotten your password?\" on the sign-in page straight away and tell "
            f"your Children's University contact.\n{SIGN_OFF}"
        ),
        template="password_changed",
    )


def second_factor_reset(to: str, nickname: str, at: datetime) -> Message:
    return Message(
        to=to,
        subject=f"Your {PRODUCT} two-step sign-in was reset",
        text=(
            f"Hello {nickname},\n\nOn {_when(at)} the Children's University Trust reset the two-step sign-in of "
            f"your {PRODUCT} account. Next time you sign in you will be asked to set it up again with your "
            "authenticator app, and your old recovery codes no longer work.\n\n"
            f"If you did not ask for this, tell the Trust straight away.\n{SIGN_OFF}"
        ),
        template="second_factor_reset",
    )


def recovery_codes_renewed(to: str, nickname: str, at: datetime) -> Message:
    return Message(
        to=to,
        subject=f"New recovery codes for your {PRODUCT} account",
        text=(
            f"Hello {nickname},\n\nOn {_when(at)} new recovery codes were made for the two-step sign-in of your "
            f"{PRODUCT} account, and the old ones stopped working.\n\n"
            "If this was not you, someone may be signed in as you: use \"Forgotten your password?\" on the sign-in "
            f"page straight away and ask the Trust to reset your two-step sign-in.\n{SIGN_OFF}"
        ),
        template="recovery_codes_renewed",
    )


def alerts_digest(to: str, nickname: str, lines: list[str], url: str) -> Message:
    listed = "\n".join(f"  - {line}" for line in lines)
    return Message(
        to=to,
        subject=f"{PRODUCT}: {len(lines)} security alert{'s' if len(lines) != 1 else ''}",
        text=(
            f"Hello {nickname},\n\nThe audit trail of {PRODUCT} shows:\n\n{listed}\n\n"
            f"See the details in the compliance view:\n\n{url}\n{SIGN_OFF}"
        ),
        template="alerts",
    )
