"""Sending email: one `Mailer` interface, an SMTP sender (local) and Azure Communication Services (Azure).

Which one is used follows the settings: `MAIL_ACS_ENDPOINT` (Azure, the Function App's managed identity),
else `MAIL_SMTP_HOST` (the local SMTP server the devhost and the test suite start), else no mail at all
(the sender is logged as off once; links are still returned to whoever asked for them).
Logs name the template and the outcome, never the address or the text: both are personal data or secrets.
"""

from __future__ import annotations

import functools
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from shared.settings import Settings, get_settings

log = logging.getLogger("cuo.mail")
SMTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Message:
    """One plain-text email to one person. `template` names the kind of message for logs."""

    to: str
    subject: str
    text: str
    template: str


class Mailer(Protocol):
    def send(self, message: Message) -> None:
        """Hand the message to the mail service; raises when it refuses."""


class SmtpMailer:
    """Plain SMTP to a local server (no TLS, no login: loopback only, for the devhost and the tests)."""

    def __init__(self, host: str, port: int, sender: str) -> None:
        self.host, self.port, self.sender = host, port, sender

    def send(self, message: Message) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email["X-CUO-Template"] = message.template
        email.set_content(message.text)
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            smtp.send_message(email)


class AcsMailer:
    """Azure Communication Services Email through its SDK, signed in with the managed identity."""

    def __init__(self, endpoint: str, sender: str, client_id: str | None) -> None:
        from azure.communication.email import EmailClient
        from azure.identity import DefaultAzureCredential

        self.sender = sender
        self.client = EmailClient(endpoint, DefaultAzureCredential(managed_identity_client_id=client_id))

    def send(self, message: Message) -> None:
        # begin_send returns once the service has accepted the message; delivery is the service's job,
        # so the request does not wait for it.
        self.client.begin_send({
            "senderAddress": self.sender,
            "recipients": {"to": [{"address": message.to}]},
            "content": {"subject": message.subject, "plainText": message.text},
            "userEngagementTrackingDisabled": True,
        })


class NoMailer:
    """Mail is not configured: nothing is sent."""

    def send(self, message: Message) -> None:
        log.warning("mail is not configured; message not sent", extra={"template": message.template})


def mailer_for(settings: Settings) -> Mailer:
    if settings.mail_acs_endpoint:
        return AcsMailer(settings.mail_acs_endpoint, settings.mail_sender, settings.mail_client_id)
    if settings.mail_smtp_host:
        return SmtpMailer(settings.mail_smtp_host, settings.mail_smtp_port, settings.mail_sender)
    return NoMailer()


@functools.cache
def get_mailer() -> Mailer:
    return mailer_for(get_settings())


def send(message: Message, *, mailer: Mailer | None = None) -> bool:
    """Send, and say whether it went. A mail failure never fails the request that caused it (the link or
    notice can be given again), so it is logged by error type and template only."""
    try:
        (mailer or get_mailer()).send(message)
    except Exception as exc:  # noqa: BLE001 - any transport error; logged without the message or address
        log.warning("mail not sent", extra={"template": message.template, "error_type": type(exc).__name__})
        return False
    log.info("mail sent", extra={"template": message.template})
    return True
