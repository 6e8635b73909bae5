"""Data-subject export and erasure, and the retention purge.

Erasure removes every personal field (ciphertexts, blind indexes, the status
token, outbox recipients, interview notes) and keeps what the statistics need:
office, nationality, household size, dates and states.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from corridor.cases import audit
from corridor.cases.crypto import Keyring
from corridor.cases.models import (
    Appointment,
    Interview,
    OutboxMessage,
    Referral,
    Registration,
    Screening,
)

FINISHED = ("ineligible", "closed", "withdrawn")


def export_subject(session: Session, keys: Keyring, reg: Registration) -> dict[str, Any]:
    """Everything held about one registration, decrypted (for the data subject)."""
    members = []
    for p in reg.persons:
        members.append(
            {
                "given_names": keys.decrypt(p.given_names_enc, "given_names"),
                "surnames": keys.decrypt(p.surnames_enc, "surnames"),
                "dob": keys.decrypt(p.dob_enc, "dob"),
                "arrival_date": keys.decrypt(p.arrival_date_enc, "arrival_date"),
                "sex": p.sex,
                "nationality": p.nationality,
                "relationship": p.relationship_,
                "doc_type": p.doc_type,
                "doc_number": keys.decrypt(p.doc_number_enc, "doc_number"),
            }
        )
    screenings = session.scalars(select(Screening).where(Screening.registration_id == reg.id))
    appts = session.scalars(select(Appointment).where(Appointment.registration_id == reg.id))
    refs = session.scalars(select(Referral).where(Referral.registration_id == reg.id))
    return {
        "reference": reg.reference,
        "office": reg.office_code,
        "status": reg.status,
        "registered_at": reg.created_at.isoformat(),
        "lang": reg.lang,
        "host_status": reg.host_status,
        "consent_version": reg.consent_version,
        "contact_phone": keys.decrypt(reg.contact_phone_enc, "contact_phone"),
        "contact_email": keys.decrypt(reg.contact_email_enc, "contact_email"),
        "members": members,
        "screenings": [
            {
                "eligible": s.eligible,
                "rule_version": s.rule_version,
                "checks": s.checks,
                "as_of": s.as_of.isoformat(),
            }
            for s in screenings
        ],
        "appointments": [{"day": a.day.isoformat(), "status": a.status} for a in appts],
        "referrals": [
            {"pathway": r.pathway, "state": r.state, "decision": r.decision} for r in refs
        ],
    }


def erase(session: Session, reg: Registration, actor: str, reason: str) -> None:
    now = audit.now()
    for p in reg.persons:
        p.given_names_enc = p.surnames_enc = p.dob_enc = p.arrival_date_enc = None
        p.doc_number_enc = p.name_dob_bidx = p.doc_bidx = None
        p.dob_block_bidx = p.year_surname_bidx = p.name_block_bidx = None
    # the registrations listing this one as a near duplicate list it no longer
    for entry in reg.near_duplicates or []:
        other = session.scalar(
            select(Registration).where(Registration.reference == entry["reference"])
        )
        if other is not None and other.near_duplicates:
            left = [e for e in other.near_duplicates if e["reference"] != reg.reference]
            other.near_duplicates = left or None
    reg.near_duplicates = None
    reg.contact_phone_enc = reg.contact_email_enc = reg.phone_bidx = None
    reg.status_token_enc = None
    reg.status_token_hash = "erased"
    reg.duplicate_of = None
    reg.erased_at = reg.updated_at = now
    if reg.status not in FINISHED:
        reg.status = "withdrawn"
    session.execute(
        update(Interview).where(Interview.registration_id == reg.id).values(notes_enc=None)
    )
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.registration_id == reg.id)
        .values(recipient_enc=None, status="cancelled")
    )
    audit.record(
        session, actor, "registration.erase", "registration", reg.reference, {"reason": reason}
    )


def purge(session: Session, retention_days: int, actor: str) -> int:
    """Erase finished cases untouched for ``retention_days``; returns how many."""
    cutoff = audit.now() - timedelta(days=retention_days)
    regs = session.scalars(
        select(Registration).where(
            Registration.erased_at.is_(None),
            Registration.status.in_(FINISHED),
            Registration.updated_at < cutoff,
        )
    ).all()
    for reg in regs:
        erase(session, reg, actor, "retention")
    audit.record(
        session,
        actor,
        "retention.purge",
        "system",
        "-",
        {"erased": len(regs), "days": retention_days},
    )
    return len(regs)
