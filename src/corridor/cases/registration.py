"""Registration (idempotent), automatic screening, duplicate flags, and status look-up."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from corridor.cases import audit, duplicates, near_duplicates, pg_registration
from corridor.cases.crypto import Keyring
from corridor.cases.eligibility import Applicant, Decision, age_on, load_rules, screen
from corridor.cases.errors import Conflict, Invalid, NotFound
from corridor.cases.identifiers import (
    new_reference,
    new_status_token,
    normalise_reference,
    token_hash,
    token_matches,
)
from corridor.cases.models import (
    Appointment,
    Office,
    OutboxMessage,
    Person,
    Referral,
    Registration,
    Screening,
)
from corridor.cases.schemas import RegistrationIn

CONSENT_VERSION = "2024-01"
LIVE = ("registered", "eligible", "ineligible", "scheduled", "interviewed", "referred")


@dataclass
class Created:
    reference: str
    status_token: str
    status: str
    eligible: bool
    replayed: bool


def body_hash(body: RegistrationIn) -> str:
    data = body.model_dump(mode="json", exclude={"submission_id"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def register(
    db_session: Session, keys: Keyring, body: RegistrationIn, submission_id: str, today: date
) -> Created:
    """Store one household's registration, screened against the rules in force today.

    Runs in the caller's session; on PostgreSQL every write, the audit entry
    included, is one statement, so the session may be an autocommit one
    (``Database.session(autocommit=True)``). A ``submission_id`` used before makes the
    insert fail (IntegrityError, see :func:`is_duplicate_submission`); the caller
    then answers with :func:`replay`: the first answer for the same body, a
    conflict for another. Checking first would cost every registration a query
    to spare the rare retry one.
    """
    country = office_country(db_session, body.office)
    principal = body.members[0]
    programme = load_rules().get(country)
    if programme is None:
        raise Invalid(f"no eligibility rules for {country}")
    decision = screen(programme, applicant_of(body), today)
    token = new_status_token()
    now = audit.now()
    persons: list[dict[str, Any]] = []
    name_idx: list[str] = []
    doc_idx: list[str] = []
    for pos, m in enumerate(body.members):
        idx = duplicates.name_dob_indexes(keys, m.given_names, m.surnames, m.dob)
        doc = duplicates.doc_index(keys, m.doc_type, m.doc_number)
        name_idx += idx
        if doc:
            doc_idx.append(doc)
        persons.append(
            {
                "position": pos,
                "relationship": "self" if pos == 0 else m.relationship,
                "sex": m.sex,
                "nationality": m.nationality,
                "minor": age_on(m.dob, today) < 18,
                "given_names_enc": keys.encrypt(m.given_names, "given_names"),
                "surnames_enc": keys.encrypt(m.surnames, "surnames"),
                "dob_enc": keys.encrypt(m.dob.isoformat(), "dob"),
                "arrival_date_enc": keys.encrypt(m.arrival_date.isoformat(), "arrival_date"),
                "doc_type": m.doc_type,
                "doc_number_enc": keys.encrypt(m.doc_number, "doc_number"),
                "name_dob_bidx": idx[0] if idx else None,
                "doc_bidx": doc,
                # near duplicates are scored after the commit; only their keys are written now
                **near_duplicates.stored_indexes(
                    keys,
                    near_duplicates.Who.of(m.given_names, m.surnames, m.dob),
                    country,
                ),
            }
        )
    matches = duplicates.find_matches(db_session, name_idx, doc_idx)
    reference = new_reference(country)
    status = "eligible" if decision.eligible else "ineligible"
    row = {
        "reference": reference,
        "office_code": body.office,
        "submission_id": submission_id,
        "body_hash": body_hash(body),
        "status_token_hash": token_hash(token),
        "status_token_enc": keys.encrypt(token, "status_token"),
        "status": status,
        "lang": body.lang,
        "host_status": body.host_status,
        "nationality": principal.nationality,
        "household_size": len(body.members),
        "consent_version": CONSENT_VERSION,
        "contact_phone_enc": keys.encrypt(body.contact_phone, "contact_phone"),
        "contact_email_enc": keys.encrypt(body.contact_email, "contact_email"),
        "phone_bidx": keys.blind_index(body.contact_phone, "phone"),
        "duplicate_of": matches or None,
        "created_at": now,
        "updated_at": now,
        "erased_at": None,
    }
    screening = {
        "programme": decision.programme,
        "eligible": decision.eligible,
        "rule_version": decision.rule_version,
        "checks": [c.as_dict() for c in decision.checks],
        "as_of": today,
        "screened_at": now,
        "screened_by": None,
    }
    messages = [
        {
            "channel": channel,
            "recipient_enc": keys.encrypt(address, "recipient"),
            "template": "registered",
            "params": {"reference": reference, "lang": body.lang},
            "status": "pending",
            "attempts": 0,
            "last_error": None,
            "created_at": now,
            "sent_at": None,
        }
        for channel, address in (("sms", body.contact_phone), ("email", body.contact_email))
        if address
    ]
    entry = audit.entry(
        f"applicant:{reference}",
        "registration.create",
        "registration",
        reference,
        {
            "office": body.office,
            "members": len(body.members),
            "eligible": decision.eligible,
            "duplicates": len(matches),
        },
    )
    if db_session.get_bind().dialect.name == "postgresql":
        pg_registration.insert_registration(db_session, row, persons, screening, messages, entry)
    else:
        _insert_rows(db_session, row, persons, screening, messages, entry)
    return Created(reference, token, status, decision.eligible, False)


def _insert_rows(
    db_session: Session,
    row: dict[str, Any],
    persons: list[dict[str, Any]],
    screening: dict[str, Any],
    messages: list[dict[str, Any]],
    entry: audit.Entry,
) -> None:
    """One statement per table (SQLite; PostgreSQL takes them all at once), the audit
    entry chained at commit."""
    # Core statements: the unit of work cost more than the SQL on this hot path
    reg_id = db_session.execute(
        insert(_REGISTRATIONS).returning(_REGISTRATIONS.c.id), [row]
    ).scalar_one()
    db_session.execute(insert(_PERSONS), [{**p, "registration_id": reg_id} for p in persons])
    db_session.execute(insert(_SCREENINGS), [{**screening, "registration_id": reg_id}])
    if messages:
        db_session.execute(insert(_OUTBOX), [{**m, "registration_id": reg_id} for m in messages])
    audit.record_entry(db_session, entry)


_REGISTRATIONS = cast(Table, Registration.__table__)
_PERSONS = cast(Table, Person.__table__)
_SCREENINGS = cast(Table, Screening.__table__)
_OUTBOX = cast(Table, OutboxMessage.__table__)


_OFFICES: dict[tuple[str, str], tuple[float, str]] = {}
OFFICE_TTL = 30.0  # seconds an office's country and status are trusted from memory


def office_country(db_session: Session, code: str) -> str:
    """The office's country (cached briefly: read on every registration, changed rarely)."""
    key = (str(db_session.get_bind().engine.url), code)
    hit = _OFFICES.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    office = db_session.get(Office, code)
    if office is None or not office.active:
        _OFFICES.pop(key, None)
        raise Invalid(f"unknown office `{code}`")
    _OFFICES[key] = (time.monotonic() + OFFICE_TTL, office.country)
    return office.country


def replay(
    db_session: Session, keys: Keyring, body: RegistrationIn, submission_id: str
) -> Created | None:
    reg = db_session.scalar(select(Registration).where(Registration.submission_id == submission_id))
    if reg is None:
        return None
    if reg.body_hash != body_hash(body):
        raise Conflict("this submission id was already used for a different registration")
    token = keys.decrypt(reg.status_token_enc, "status_token")
    if token is None:  # erased since
        raise Conflict("this registration was withdrawn and erased")
    eligible = reg.status not in ("ineligible",)
    return Created(reg.reference, token, reg.status, eligible, True)


def is_duplicate_submission(exc: IntegrityError) -> bool:
    return "submission_id" in str(exc.orig) or "registrations_submission_id" in str(exc.orig)


def applicant_of(body: RegistrationIn) -> Applicant:
    p = body.members[0]
    return Applicant(p.nationality, p.dob, p.arrival_date, body.host_status)


def stored_applicant(keys: Keyring, reg: Registration) -> Applicant:
    p = reg.persons[0]
    dob, arrival = keys.decrypt(p.dob_enc, "dob"), keys.decrypt(p.arrival_date_enc, "arrival_date")
    if dob is None or arrival is None:
        raise Conflict(f"{reg.reference}: personal data erased; it cannot be screened")
    return Applicant(
        p.nationality, date.fromisoformat(dob), date.fromisoformat(arrival), reg.host_status
    )


def apply_screening(
    db_session: Session, reg: Registration, who: Applicant, as_of: date, staff_id: int | None
) -> Decision:
    country = office_country(db_session, reg.office_code)
    programme = load_rules().get(country)
    if programme is None:
        raise Invalid(f"no eligibility rules for {country}")
    decision = screen(programme, who, as_of)
    db_session.add(
        Screening(
            registration_id=reg.id,
            programme=decision.programme,
            eligible=decision.eligible,
            rule_version=decision.rule_version,
            checks=[c.as_dict() for c in decision.checks],
            as_of=as_of,
            screened_at=audit.now(),
            screened_by=staff_id,
        )
    )
    if reg.status in ("registered", "eligible", "ineligible"):
        reg.status = "eligible" if decision.eligible else "ineligible"
        reg.updated_at = audit.now()
    return decision


def latest_screening(db_session: Session, reg: Registration) -> Screening | None:
    return db_session.scalar(
        select(Screening)
        .where(Screening.registration_id == reg.id)
        .order_by(Screening.id.desc())
        .limit(1)
    )


def rescreen_changed(db_session: Session, keys: Keyring, *, office: str | None = None) -> int:
    """Screen again every live case whose last decision used another rule version.

    Each case is judged as of its registration date with the rules as they are
    now written (a corrected file changes the version hash).
    """
    changed = 0
    query = select(Registration).where(Registration.status.in_(("eligible", "ineligible")))
    if office:
        query = query.where(Registration.office_code == office)
    rules = load_rules()
    for reg in db_session.scalars(query).all():
        office_row = db_session.get(Office, reg.office_code)
        assert office_row is not None
        programme = rules.get(office_row.country)
        last = latest_screening(db_session, reg)
        as_of = reg.created_at.date()
        if programme is None or last is None:
            continue
        version = programme.version_on(as_of)
        current = f"{programme.programme}@{version.id if version else 'none'}#{programme.digest}"
        if last.rule_version == current:
            continue
        before = reg.status
        apply_screening(db_session, reg, stored_applicant(keys, reg), as_of, None)
        audit.record(
            db_session,
            "system",
            "registration.rescreen",
            "registration",
            reg.reference,
            {"from": before, "to": reg.status, "rules": current},
        )
        changed += 1
    return changed


def find_by_token(db_session: Session, reference: str, token: str) -> Registration:
    """The registration, if the token is its own; the same error whichever part is wrong."""
    reg = db_session.scalar(
        select(Registration).where(Registration.reference == normalise_reference(reference))
    )
    if reg is None or reg.erased_at is not None or not token_matches(token, reg.status_token_hash):
        raise NotFound("no registration with this reference and secret")
    return reg


_APPOINTMENTS = cast(Table, Appointment.__table__)
_REFERRALS = cast(Table, Referral.__table__)
# the status page in one query: the registration, its booked appointments and its
# referrals (a few rows at most; most registrations have neither yet)
_STATUS = (
    select(
        _REGISTRATIONS.c.reference,
        _REGISTRATIONS.c.office_code,
        _REGISTRATIONS.c.status,
        _REGISTRATIONS.c.created_at,
        _REGISTRATIONS.c.erased_at,
        _REGISTRATIONS.c.status_token_hash,
        _APPOINTMENTS.c.day.label("appt_day"),
        _APPOINTMENTS.c.office_code.label("appt_office"),
        _APPOINTMENTS.c.allocation.label("appt_allocation"),
        _APPOINTMENTS.c.status.label("appt_status"),
        _REFERRALS.c.id.label("referral_id"),
        _REFERRALS.c.pathway,
        _REFERRALS.c.state,
        _REFERRALS.c.deadline,
    )
    .select_from(
        _REGISTRATIONS.outerjoin(
            _APPOINTMENTS,
            and_(
                _APPOINTMENTS.c.registration_id == _REGISTRATIONS.c.id,
                _APPOINTMENTS.c.status == "booked",
            ),
        ).outerjoin(_REFERRALS, _REFERRALS.c.registration_id == _REGISTRATIONS.c.id)
    )
    .where(_REGISTRATIONS.c.reference == bindparam("reference"))
)


def status_rows(db_session: Session, reference: str, token: str) -> list[Any]:
    """The registration joined with its booked appointments and referrals, if the token
    is its own (one query); the same error whichever part is wrong."""
    rows = list(db_session.execute(_STATUS, {"reference": normalise_reference(reference)}))
    first = rows[0] if rows else None
    if (
        first is None
        or first.erased_at is not None
        or not token_matches(token, first.status_token_hash)
    ):
        raise NotFound("no registration with this reference and secret")
    return rows
