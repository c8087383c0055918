"""A local SMTP server (aiosmtpd) that keeps what it receives, for `make run` and the test suite.

It stands in for Azure Communication Services Email: the app sends real SMTP to it, and people (the
devhost's page /devhost/mail) and tests (`Mailbox.messages`) read what arrived. Loopback only; nothing is
relayed anywhere.
"""

from __future__ import annotations

import email
import html
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.policy import default as default_policy

from aiosmtpd.controller import Controller

from devhost.azurite import free_port


@dataclass(frozen=True)
class ReceivedMail:
    received_at: str
    sender: str
    to: list[str]
    subject: str
    text: str
    template: str


class _Keeper:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        body = parsed.get_body(preferencelist=("plain",))
        self.mailbox.keep(ReceivedMail(
            received_at=datetime.now(UTC).isoformat(timespec="seconds"),
            sender=envelope.mail_from,
            to=list(envelope.rcpt_tos),
            subject=str(parsed.get("Subject", "")),
            text=body.get_content() if body is not None else "",
            template=str(parsed.get("X-CUO-Template", "")),
        ))
        return "250 Message accepted"


class Mailbox:
    """An SMTP server on 127.0.0.1 and the messages it received, newest last."""

    def __init__(self, port: int | None = None) -> None:
        # aiosmtpd logs each line of each message at DEBUG: addresses and reset links must not reach logs.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self._messages: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._controller = Controller(_Keeper(self), hostname=self.host, port=self.port)

    def start(self) -> Mailbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def keep(self, mail: ReceivedMail) -> None:
        with self._lock:
            self._messages.append(mail)

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[ReceivedMail]:
        """Messages sent to `address` (compared case-insensitively), oldest first."""
        wanted = address.lower()
        return [m for m in self.messages if wanted in (a.lower() for a in m.to)]

    def settings(self) -> dict[str, str]:
        """The app settings that point the app's mailer here."""
        return {"MAIL_SMTP_HOST": self.host, "MAIL_SMTP_PORT": str(self.port)}


def mail_page(mailbox: Mailbox) -> str:
    """The messages received, newest first, as a small HTML page (local development only)."""
    items = []
    for mail in reversed(mailbox.messages):
        items.append(
            "<article><h2>{subject}</h2><p class=meta>to {to} at {at}</p><pre>{text}</pre></article>".format(
                subject=html.escape(mail.subject), to=html.escape(", ".join(mail.to)),
                at=html.escape(mail.received_at), text=html.escape(mail.text),
            )
        )
    body = "\n".join(items) or "<p>No email yet. Invitations, password resets and alerts appear here.</p>"
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Local mailbox</title>"
        "<style>body{font:16px system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
        "article{border-top:1px solid #ccc;padding:.5rem 0}pre{white-space:pre-wrap}.meta{color:#444}</style>"
        f"</head><body><h1>Local mailbox ({len(mailbox.messages)})</h1>"
        f"<p>Email the local service sent, caught by the devhost's SMTP server on port {mailbox.port}. "
        f"Nothing leaves this machine.</p>{body}</body></html>"
    )
