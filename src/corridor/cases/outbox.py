"""Notifications through an outbox: written in the same transaction as the change they
announce, sent later by ``corridor cases outbox send`` through an adapter.

Message parameters never hold PII (reference, language, dates); the recipient is
encrypted like any other field and decrypted only when sending.
"""

from __future__ import annotations

import json
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.cases import audit
from corridor.cases.crypto import Keyring
from corridor.cases.models import OutboxMessage, Registration
from corridor.errors import ConfigError

TEMPLATES: dict[str, dict[str, str]] = {
    "registered": {
        "es": "Registro {reference} recibido. Consulte su estado con su clave secreta.",
        "en": "Registration {reference} received. Check its status with your secret key.",
        "fr": "Inscription {reference} reçue. Consultez son état avec votre clé secrète.",
        "ht": "Enskripsyon {reference} resevwa. Tcheke estati li ak kle sekrè ou.",
    },
    "appointment": {
        "es": "Registro {reference}: cita el {day} en la oficina {office}.",
        "en": "Registration {reference}: appointment on {day} at office {office}.",
        "fr": "Inscription {reference} : rendez-vous le {day} au bureau {office}.",
        "ht": "Enskripsyon {reference}: randevou {day} nan biwo {office}.",
    },
    "referral": {
        "es": "Registro {reference}: su caso avanzó ({state}).",
        "en": "Registration {reference}: your case moved on ({state}).",
        "fr": "Inscription {reference} : votre dossier a avancé ({state}).",
        "ht": "Enskripsyon {reference}: dosye ou avanse ({state}).",
    },
}


def render(template: str, params: dict[str, Any]) -> str:
    lang = params.get("lang", "es")
    return TEMPLATES[template].get(lang, TEMPLATES[template]["es"]).format(**params)


def enqueue(
    session: Session,
    keys: Keyring,
    reg: Registration,
    template: str,
    params: dict[str, Any],
    recipients: dict[str, str | None] | None = None,
) -> int:
    """One message per contact channel the applicant gave; returns how many.

    ``recipients`` (channel -> address) spares decrypting what the caller holds.
    """
    full = {"reference": reg.reference, "lang": reg.lang, **params}
    n = 0
    for channel, enc, name in (
        ("sms", reg.contact_phone_enc, "contact_phone"),
        ("email", reg.contact_email_enc, "contact_email"),
    ):
        if enc is None:
            continue
        plain = recipients[channel] if recipients else keys.decrypt(enc, name)
        recipient = keys.encrypt(plain, "recipient")
        session.add(
            OutboxMessage(
                registration_id=reg.id,
                channel=channel,
                recipient_enc=recipient,
                template=template,
                params=full,
                status="pending",
                attempts=0,
                created_at=audit.now(),
            )
        )
        n += 1
    return n


class Adapter(Protocol):
    def send(self, channel: str, recipient: str, text: str) -> None: ...


@dataclass
class RecordingAdapter:
    """Keeps messages in memory (tests, dry runs): nothing leaves the process."""

    sent: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, channel: str, recipient: str, text: str) -> None:
        self.sent.append((channel, recipient, text))


@dataclass
class SpoolAdapter:
    """Writes one JSON file per message into a folder a gateway picks up."""

    folder: Path

    def send(self, channel: str, recipient: str, text: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        n = len(list(self.folder.glob("*.json")))
        tmp = self.folder / f".{n:08d}.tmp"
        tmp.write_text(json.dumps({"channel": channel, "to": recipient, "text": text}))
        tmp.replace(self.folder / f"{n:08d}.json")


@dataclass
class SmtpAdapter:
    """E-mail through an SMTP relay (STARTTLS when the relay offers it)."""

    host: str
    port: int = 25
    sender: str = "no-reply@localhost"

    def send(self, channel: str, recipient: str, text: str) -> None:
        if channel != "email":
            raise ConfigError("the SMTP adapter sends e-mail only")
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = self.sender, recipient, "Safe Mobility Office"
        msg.set_content(text)
        with smtplib.SMTP(self.host, self.port, timeout=20) as smtp:
            if smtp.has_extn("starttls"):
                smtp.starttls()
            smtp.send_message(msg)


@dataclass
class WebhookAdapter:
    """SMS through a gateway's HTTP endpoint (JSON ``{to, text}``)."""

    url: str
    post: Callable[..., Any] | None = None

    def send(self, channel: str, recipient: str, text: str) -> None:
        import httpx

        poster = self.post or httpx.post
        resp = poster(
            self.url, json={"channel": channel, "to": recipient, "text": text}, timeout=20
        )
        resp.raise_for_status()


def deliver(
    session: Session, keys: Keyring, adapters: dict[str, Adapter], *, limit: int = 500
) -> tuple[int, int]:
    """Send pending messages; returns (sent, failed). Failures are retried next time."""
    sent = failed = 0
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending")
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    for msg in rows:
        adapter = adapters.get(msg.channel)
        if adapter is None or msg.recipient_enc is None:
            continue
        try:
            adapter.send(
                msg.channel,
                keys.decrypt(msg.recipient_enc, "recipient") or "",
                render(msg.template, msg.params),
            )
        except Exception as exc:  # one gateway error must not stop the batch
            msg.attempts += 1
            msg.last_error = type(exc).__name__
            msg.status = "failed" if msg.attempts >= 5 else "pending"
            failed += 1
            continue
        msg.status, msg.sent_at, msg.attempts = "sent", audit.now(), msg.attempts + 1
        msg.recipient_enc = None  # not needed any more
        sent += 1
    return sent, failed
