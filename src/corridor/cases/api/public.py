"""Public endpoints: registration (idempotent) and the applicant's own status, export and
withdrawal. The status token travels in a header, never in the URL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from fastapi import APIRouter, Header, Request, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from corridor.cases import audit, pg_registration, registration, retention
from corridor.cases.api.deps import admission, client, in_db_thread, limit, runtime, today
from corridor.cases.errors import Invalid, NotFound, TooMany
from corridor.cases.models import Registration
from corridor.cases.registration import Created
from corridor.cases.runtime import Cases
from corridor.cases.schemas import (
    AppointmentOut,
    ReferralSummary,
    RegistrationCreated,
    RegistrationIn,
    RegistrationStatus,
    SubjectExport,
)

T = TypeVar("T")
router = APIRouter(tags=["registrations (public)"])
Token = Annotated[str, Header(alias="X-Status-Token", description="the secret from registration")]

NEXT_STEP = {
    "registered": "wait_screening",
    "eligible": "wait_appointment",
    "ineligible": "not_eligible",
    "scheduled": "attend_appointment",
    "interviewed": "wait_referral",
    "referred": "follow_referral",
    "closed": "closed",
    "withdrawn": "withdrawn",
}


def submit(cases: Cases, body: RegistrationIn, submission_id: str, day: date) -> Created:
    """Register, resolving a concurrent retry of the same submission to the first answer.

    References have 40 random bits: among 450,000 registrations of one country two
    draw the same one with a probability near 10 %, so a clash is drawn again.
    """
    for _ in range(5):
        try:
            return cases.db.run(
                lambda s: registration.register(s, cases.keys, body, submission_id, day),
                autocommit=True,  # one statement writes it all (see register)
            )
        except IntegrityError as exc:
            if registration.is_duplicate_submission(exc):
                break
            if "reference" not in str(exc.orig):
                raise
    with cases.db.session() as s:
        found = registration.replay(s, cases.keys, body, submission_id)
    if found is None:
        raise RuntimeError("five reference clashes in a row")
    return found


@router.post(
    "/registrations",
    response_model=RegistrationCreated,
    status_code=201,
    responses={
        200: {"description": "a retry: the first answer again"},
        409: {"description": "submission id reused with another body"},
        429: {"description": "rate limited"},
        503: {"description": "waiting room: intake busy, retry after Retry-After"},
    },
)
async def create_registration(
    body: RegistrationIn,
    request: Request,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> RegistrationCreated:
    """Register a household at an office. Send the same ``Idempotency-Key`` (or
    ``submission_id``) when retrying: a retry never creates a second registration."""
    cases = runtime(request)
    key = idempotency_key or body.submission_id
    if not key or not 16 <= len(key) <= 64:
        raise Invalid("send an Idempotency-Key header (16-64 characters) or a submission_id")
    limits = cases.settings.limits
    with admission(request).enter(limits.max_inflight):
        limit(cases, "register", client(request), limits.register_per_minute, 60)
        created = await in_db_thread(request, submit, cases, body, key, today())
    if created.replayed:
        response.status_code = 200
    response.headers["Cache-Control"] = "no-store"
    return RegistrationCreated(**created.__dict__)


def own_registration(
    s: Session, cases: Cases, request: Request, reference: str, token: str
) -> Registration:
    """The applicant's registration; failed guesses are limited per reference and address."""
    return guarded(
        cases, request, reference, lambda: registration.find_by_token(s, reference, token)
    )


def guarded(cases: Cases, request: Request, reference: str, find: Callable[[], T]) -> T:
    """``find()`` unless this reference or address made too many wrong guesses; a wrong
    guess (``NotFound``) is counted."""
    limits = cases.settings.limits
    ref_key = reference.strip().upper()
    for bucket, key in (("status-ref", ref_key), ("status-ip", client(request))):
        if cases.limiter.count(bucket, key, 3600) >= limits.status_failures_per_hour:
            raise TooMany("too many wrong attempts; try again later", 600)
    try:
        return find()
    except NotFound:
        for bucket, key in (("status-ref", ref_key), ("status-ip", client(request))):
            cases.limiter.hit(bucket, key, 10**9, 3600)
        raise


def own_status(
    s: Session, cases: Cases, request: Request, reference: str, token: str
) -> RegistrationStatus:
    """Status, latest booked appointment and referrals of the applicant's registration
    (one query), the read recorded in the audit log (the same statement on PostgreSQL)."""
    if s.get_bind().dialect.name == "postgresql":
        rows = guarded(
            cases, request, reference, lambda: pg_registration.status_rows(s, reference, token)
        )
        reg = rows[0]
    else:
        rows = guarded(
            cases, request, reference, lambda: registration.status_rows(s, reference, token)
        )
        reg = rows[0]
        audit.record(
            s,
            f"applicant:{reg.reference}",
            "registration.status",
            "registration",
            reg.reference,
            durable=False,
        )
    booked = [r for r in rows if r.appt_day is not None]
    appt = max(booked, key=lambda r: r.appt_day) if booked else None
    referrals = {r.referral_id: r for r in rows if r.referral_id is not None}
    return RegistrationStatus(
        reference=reg.reference,
        office=reg.office_code,
        status=reg.status,
        next_step=NEXT_STEP.get(reg.status, reg.status),
        registered_at=reg.created_at,
        appointment=AppointmentOut(
            day=appt.appt_day,
            office=appt.appt_office,
            allocation=appt.appt_allocation,
            status=appt.appt_status,
        )
        if appt
        else None,
        referrals=[
            ReferralSummary(pathway=r.pathway, state=r.state, deadline=r.deadline)
            for _, r in sorted(referrals.items())
        ],
    )


@router.get("/registrations/{reference}", response_model=RegistrationStatus)
async def registration_status(
    reference: str, request: Request, response: Response, x_status_token: Token
) -> RegistrationStatus:
    """Status, next step, appointment and referrals of one's own registration."""
    cases = runtime(request)
    # a read and one audit entry: two statements, each its own transaction
    out = await in_db_thread(
        request,
        cases.db.run,
        lambda s: own_status(s, cases, request, reference, x_status_token),
        autocommit=True,
    )
    response.headers["Cache-Control"] = "no-store"
    return out


@router.get("/registrations/{reference}/export", response_model=SubjectExport)
def export_own(
    reference: str, request: Request, response: Response, x_status_token: Token
) -> SubjectExport:
    """Everything held about one's own registration (data-subject access)."""
    cases = runtime(request)
    with cases.db.session() as s:
        reg = own_registration(s, cases, request, reference, x_status_token)
        data = retention.export_subject(s, cases.keys, reg)
        audit.record(
            s, f"applicant:{reg.reference}", "subject.export", "registration", reg.reference
        )
    response.headers["Cache-Control"] = "no-store"
    return SubjectExport(reference=reg.reference, data=data)


@router.delete("/registrations/{reference}", status_code=204)
def withdraw_own(reference: str, request: Request, x_status_token: Token) -> Response:
    """Withdraw and erase one's own registration (personal data removed at once)."""
    cases = runtime(request)
    with cases.db.session() as s:
        reg = own_registration(s, cases, request, reference, x_status_token)
        retention.erase(s, reg, f"applicant:{reg.reference}", "withdrawn by the applicant")
    return Response(status_code=204)
