"""What a staff member sees of a case: decrypted, then masked for their role."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor.cases import near_duplicates
from corridor.cases.crypto import Keyring
from corridor.cases.errors import NotFound
from corridor.cases.identifiers import normalise_reference
from corridor.cases.models import Appointment, Interview, Referral, Registration, Screening
from corridor.cases.permissions import Principal, shown
from corridor.cases.referrals import overdue, pathway
from corridor.cases.schemas import (
    AppointmentOut,
    CaseOut,
    CheckOut,
    NearDuplicateOut,
    PersonOut,
    ReferralOut,
    ScreeningOut,
)


def load(session: Session, reference: str) -> Registration:
    reg = session.scalar(
        select(Registration).where(Registration.reference == normalise_reference(reference))
    )
    if reg is None:
        raise NotFound(f"no case `{normalise_reference(reference)}`")
    return reg


def referral_countries(session: Session, reg: Registration) -> list[str]:
    return list(
        session.scalars(
            select(Referral.receiving_country).where(Referral.registration_id == reg.id)
        )
    )


def build(
    session: Session, keys: Keyring, reg: Registration, who: Principal, today: date
) -> CaseOut:
    role = who.role
    sees_duplicates = role in ("caseworker", "supervisor")
    if sees_duplicates and reg.near_scored_at is None and reg.erased_at is None:
        # scored when first needed rather than on the public registration's hot path
        near_duplicates.score_registration(session, keys, reg, who.actor)

    def dec(value: str | None, name: str, kind: str) -> str | None:
        return shown(role, kind, keys.decrypt(value, name))

    members = [
        PersonOut(
            position=p.position,
            relationship=p.relationship_,
            given_names=dec(p.given_names_enc, "given_names", "names"),
            surnames=dec(p.surnames_enc, "surnames", "names"),
            dob=dec(p.dob_enc, "dob", "dob"),
            sex=p.sex,
            nationality=p.nationality,
            doc_type=p.doc_type,
            doc_number=dec(p.doc_number_enc, "doc_number", "doc"),
            arrival_date=dec(p.arrival_date_enc, "arrival_date", "dob"),
        )
        for p in reg.persons
    ]
    screenings = [
        ScreeningOut(
            eligible=s.eligible,
            programme=s.programme,
            rule_version=s.rule_version,
            as_of=s.as_of,
            screened_at=s.screened_at,
            checks=[CheckOut(**c) for c in s.checks],
        )
        for s in session.scalars(
            select(Screening).where(Screening.registration_id == reg.id).order_by(Screening.id)
        )
    ]
    appts = [
        AppointmentOut(day=a.day, office=a.office_code, allocation=a.allocation, status=a.status)
        for a in session.scalars(
            select(Appointment)
            .where(Appointment.registration_id == reg.id)
            .order_by(Appointment.day)
        )
    ]
    refs = []
    for r in session.scalars(
        select(Referral).where(Referral.registration_id == reg.id).order_by(Referral.id)
    ):
        # receiving officers see only the referrals to their own country
        if role == "receiving_officer" and r.receiving_country != who.country:
            continue
        refs.append(
            ReferralOut(
                id=r.id,
                pathway=r.pathway,
                receiving_country=r.receiving_country,
                state=r.state,
                deadline=r.deadline,
                overdue=overdue(r, today),
                decision=r.decision,
                allowed=pathway(r.pathway).allowed(r.state, who.side)
                if role in ("caseworker", "supervisor", "receiving_officer")
                else [],
            )
        )
    interviews = session.scalar(
        select(func.count()).select_from(Interview).where(Interview.registration_id == reg.id)
    )
    return CaseOut(
        reference=reg.reference,
        office=reg.office_code,
        status=reg.status,
        lang=reg.lang,
        host_status=reg.host_status,
        nationality=reg.nationality,
        household_size=reg.household_size,
        registered_at=reg.created_at,
        contact_phone=dec(reg.contact_phone_enc, "contact_phone", "contact"),
        contact_email=dec(reg.contact_email_enc, "contact_email", "contact"),
        duplicate_of=list(reg.duplicate_of or []) if sees_duplicates else [],
        near_duplicates=[
            NearDuplicateOut(**e, summary=near_duplicates.describe(e))
            for e in (reg.near_duplicates or [])
        ]
        if sees_duplicates
        else [],
        members=members,
        screenings=screenings,
        appointments=appts,
        referrals=refs,
        interviews=interviews or 0,
    )
