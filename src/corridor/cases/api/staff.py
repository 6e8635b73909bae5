"""Staff endpoints: sign-in, work queues, case view, screening, interviews, referrals,
appointments, aggregates, data-subject requests, retention and the audit check.

Every endpoint checks the role (``permissions.PERMISSIONS``) and the scope
(own office; receiving officers: cases referred to their country) and writes
an audit entry for each read, write and export.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import HTTPBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.cases import (
    aggregates,
    appointments,
    audit,
    caseview,
    near_duplicates,
    referrals,
    retention,
)
from corridor.cases.api.deps import SESSION_COOKIE, client, limit, runtime, staff, today
from corridor.cases.auth import login, logout
from corridor.cases.errors import Invalid, NotFound, Unauthorized
from corridor.cases.models import Draw, Interview, Office, Referral, Registration
from corridor.cases.permissions import Principal, require, require_case, require_office
from corridor.cases.registration import apply_screening, stored_applicant
from corridor.cases.schemas import (
    AggregateRow,
    AllocateIn,
    AuditOut,
    CaseOut,
    CheckOut,
    DrawOut,
    ExportOut,
    InterviewIn,
    LoginIn,
    LoginOut,
    PurgeOut,
    QueueItem,
    ReferralIn,
    ReferralOut,
    ScreeningOut,
    SubjectExport,
    TransitionIn,
)

bearer = HTTPBearer(auto_error=False, description="token from POST /api/v1/auth/login")
auth_router = APIRouter(tags=["staff sign-in"])
router = APIRouter(tags=["cases (staff)"], dependencies=[Depends(bearer)])
Office_ = Annotated[str | None, Query(description="office code; default: your own")]


def set_session_cookie(response: Response, token: str, secure: bool, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        secure=secure,
        samesite="strict",
        path="/",
    )


@auth_router.post("/auth/login", response_model=LoginOut)
def login_endpoint(body: LoginIn, request: Request, response: Response) -> LoginOut:
    """Password and TOTP code; answers a bearer token and sets an HttpOnly session cookie."""
    cases = runtime(request)
    lim = cases.settings.limits
    limit(cases, "login", client(request), lim.login_per_minute, 60)
    failure: Unauthorized | None = None
    with cases.db.session() as s:
        try:
            result = login(s, cases.keys, body.email, body.password, body.totp, lim)
        except Unauthorized as exc:  # committed: the failure count and audit entry stay
            failure = exc
    if failure is not None:
        raise failure
    set_session_cookie(
        response, result.token, cases.settings.secure_cookies, lim.session_minutes * 60
    )
    response.headers["Cache-Control"] = "no-store"
    u = result.user
    return LoginOut(
        token=result.token,
        csrf_token=result.csrf_token,
        role=u.role,
        office=u.office_code,
        country=u.country,
        expires_at=result.expires_at,
    )


@auth_router.post("/auth/logout", status_code=204)
def logout_endpoint(request: Request) -> Response:
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        logout(s, token or request.cookies.get(SESSION_COOKIE, ""))
        audit.record(s, p.actor, "auth.logout", "staff_user", p.user_id)
    out = Response(status_code=204)
    out.delete_cookie(SESSION_COOKIE, path="/")
    return out


def _office(s: Session, code: str) -> Office:
    office = s.get(Office, code)
    if office is None:
        raise NotFound(f"unknown office `{code}`")
    return office


def _case(s: Session, p: Principal, reference: str, action: str) -> Registration:
    reg = caseview.load(s, reference)
    require_case(p, action, reg.office_code, caseview.referral_countries(s, reg))
    if reg.erased_at is not None and action != "case.read":
        raise NotFound(f"{reg.reference} was erased")
    return reg


@router.get("/cases", response_model=list[QueueItem])
def queue(
    request: Request,
    office: Office_ = None,
    status: Annotated[str | None, Query(description="e.g. eligible, scheduled")] = None,
    limit_: Annotated[int, Query(alias="limit", ge=1, le=500)] = 100,
) -> list[QueueItem]:
    """The office's work queue, oldest first (no personal data)."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        code = office or p.office
        if code is None:
            raise Invalid("name the office (?office=CODE)")
        require_office(p, "case.list", code, _office(s, code).country)
        q = select(Registration).where(
            Registration.office_code == code, Registration.erased_at.is_(None)
        )
        if status:
            q = q.where(Registration.status == status)
        regs = s.scalars(q.order_by(Registration.created_at, Registration.id).limit(limit_)).all()
        if p.role in ("caseworker", "supervisor"):
            near_duplicates.score_listed(s, cases.keys, regs, p.actor)
        audit.record(
            s,
            p.actor,
            "case.list",
            "office",
            code,
            {"status": status, "n": len(regs)},
            durable=False,
        )
        return [
            QueueItem(
                reference=r.reference,
                status=r.status,
                nationality=r.nationality,
                household_size=r.household_size,
                registered_at=r.created_at,
                duplicate=bool(r.duplicate_of),
                near_duplicate=near_duplicates.best(r)
                if p.role in ("caseworker", "supervisor")
                else None,
            )
            for r in regs
        ]


@router.get("/cases/{reference}", response_model=CaseOut)
def read_case(reference: str, request: Request) -> CaseOut:
    """One case, with personal fields shown, masked or hidden according to your role."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        reg = _case(s, p, reference, "case.read")
        audit.record(s, p.actor, "case.read", "registration", reg.reference, durable=False)
        return caseview.build(s, cases.keys, reg, p, today())


@router.post("/cases/{reference}/screening", response_model=ScreeningOut)
def rescreen(reference: str, request: Request) -> ScreeningOut:
    """Screen again with the rules as now written (as of the registration date)."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        reg = _case(s, p, reference, "case.screen")
        before = reg.status
        d = apply_screening(
            s, reg, stored_applicant(cases.keys, reg), reg.created_at.date(), p.user_id
        )
        audit.record(
            s,
            p.actor,
            "case.screen",
            "registration",
            reg.reference,
            {"from": before, "to": reg.status, "rules": d.rule_version},
        )
        return ScreeningOut(
            eligible=d.eligible,
            programme=d.programme,
            rule_version=d.rule_version,
            as_of=d.as_of,
            screened_at=audit.now(),
            checks=[CheckOut(**c.as_dict()) for c in d.checks],
        )


@router.post("/cases/{reference}/interviews", status_code=201)
def record_interview(reference: str, body: InterviewIn, request: Request) -> dict[str, int]:
    """Record an interview; its notes are encrypted like any personal field."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        reg = _case(s, p, reference, "case.interview")
        row = Interview(
            registration_id=reg.id,
            staff_id=p.user_id,
            held_at=audit.now(),
            outcome=body.outcome,
            notes_enc=cases.keys.encrypt(body.notes or None, "interview_notes"),
        )
        s.add(row)
        if body.outcome == "completed" and reg.status in ("eligible", "scheduled"):
            reg.status, reg.updated_at = "interviewed", audit.now()
        s.flush()
        audit.record(
            s, p.actor, "case.interview", "registration", reg.reference, {"outcome": body.outcome}
        )
        return {"id": row.id}


def _referral_out(r: Referral, p: Principal) -> ReferralOut:
    return ReferralOut(
        id=r.id,
        pathway=r.pathway,
        receiving_country=r.receiving_country,
        state=r.state,
        deadline=r.deadline,
        overdue=referrals.overdue(r, today()),
        decision=r.decision,
        allowed=referrals.pathway(r.pathway).allowed(r.state, p.side),
    )


@router.post("/cases/{reference}/referrals", response_model=ReferralOut, status_code=201)
def open_referral(reference: str, body: ReferralIn, request: Request) -> ReferralOut:
    """Refer an eligible case to a pathway (usrap, parole, family_reunification, labour,
    canada, spain)."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        reg = _case(s, p, reference, "referral.open")
        ref = referrals.open_referral(
            s,
            cases.keys,
            reg,
            body.pathway,
            p.actor,
            today(),
            sponsor_ref=body.sponsor_ref,
            invitation_ref=body.invitation_ref,
        )
        return _referral_out(ref, p)


@router.post("/referrals/{referral_id}/transitions", response_model=ReferralOut)
def move_referral(referral_id: int, body: TransitionIn, request: Request) -> ReferralOut:
    """Move a referral to its next state; decisions are the receiving country's."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        ref = s.get(Referral, referral_id)
        if ref is None:
            raise NotFound(f"no referral {referral_id}")
        reg = s.get(Registration, ref.registration_id)
        assert reg is not None
        require_case(p, "referral.transition", reg.office_code, [ref.receiving_country])
        referrals.transition(s, cases.keys, ref, reg, body.to, p.side, p.actor, today(), body.note)
        return _referral_out(ref, p)


def _draw_out(d: Draw, fcfs: list[str]) -> DrawOut:
    return DrawOut(
        id=d.id,
        office=d.office_code,
        day=d.day,
        seed=d.seed,
        fcfs=fcfs,
        candidates=list(d.candidates),
        selected=list(d.selected),
    )


@router.post("/offices/{office}/appointments", response_model=DrawOut, status_code=201)
def allocate(office: str, body: AllocateIn, request: Request) -> DrawOut:
    """Give the day's free places: a share first-come, first-served, the rest by a seeded draw."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        require_office(p, "appointment.allocate", office, _office(s, office).country)
        a = appointments.allocate(
            s, cases.keys, office, body.day, p.actor, p.user_id, today(), body.seed
        )
        d = s.get(Draw, a.draw_id)
        assert d is not None
        return _draw_out(d, a.fcfs)


@router.get("/draws/{draw_id}", response_model=DrawOut)
def read_draw(draw_id: int, request: Request) -> DrawOut:
    """A recorded draw (seed, candidates, selection): recompute it to audit the allocation."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        d = s.get(Draw, draw_id)
        if d is None:
            raise NotFound(f"no draw {draw_id}")
        require_office(p, "draw.read", d.office_code, _office(s, d.office_code).country)
        audit.record(s, p.actor, "draw.read", "draw", d.id)
        return _draw_out(d, [])


@router.get("/aggregates", response_model=list[AggregateRow])
def read_aggregates(request: Request, office: Office_ = None) -> list[AggregateRow]:
    """People registered and referred per month, office and nationality (no personal data)."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        require(p, "aggregates.read")
        code = office or (p.office if p.role == "supervisor" else None)
        if code is not None:
            require_office(p, "aggregates.read", code, _office(s, code).country)
        country = p.country if p.role == "analyst" else None
        rows = aggregates.monthly(s, office=code, country=country)
        audit.record(s, p.actor, "aggregates.read", "office", code or "*", {"rows": len(rows)})
        return [
            AggregateRow(
                month=r.month,
                office=r.office,
                nationality=r.nationality,
                event=r.event,
                persons=r.persons,
            )
            for r in rows
        ]


@router.post("/aggregates/export", response_model=ExportOut)
def export_aggregates(request: Request) -> ExportOut:
    """Write the monthly counts into the flows store this server reads (a new release)."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        require(p, "aggregates.export")
        country = p.country if p.role == "analyst" else None
        rows = aggregates.monthly(s, country=country)
        releases = aggregates.export_to_store(rows, request.app.state.db_path) if rows else []
        audit.record(
            s,
            p.actor,
            "aggregates.export",
            "store",
            "flows",
            {"rows": len(rows), "releases": releases},
        )
    return ExportOut(rows=len(rows), releases=releases)


@router.get("/cases/{reference}/export", response_model=SubjectExport)
def export_subject(reference: str, request: Request) -> SubjectExport:
    """Everything held about a registration, for a data-subject access request."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        reg = _case(s, p, reference, "subject.export")
        data = retention.export_subject(s, cases.keys, reg)
        audit.record(s, p.actor, "subject.export", "registration", reg.reference)
        return SubjectExport(reference=reg.reference, data=data)


@router.delete("/cases/{reference}", status_code=204)
def erase_subject(reference: str, request: Request) -> Response:
    """Erase a registration's personal data (statistics stay)."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        reg = _case(s, p, reference, "subject.erase")
        retention.erase(s, reg, p.actor, "erasure request")
    return Response(status_code=204)


@router.post("/retention/purge", response_model=PurgeOut)
def purge(request: Request) -> PurgeOut:
    """Erase finished cases older than the retention period."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        require(p, "retention.purge")
        return PurgeOut(erased=retention.purge(s, cases.settings.retention_days, p.actor))


@router.get("/audit/verify", response_model=AuditOut)
def verify_audit(request: Request) -> AuditOut:
    """Recompute every audit chain."""
    cases = runtime(request)
    with cases.db.session() as s:
        p = staff(s, request, cases)
        require(p, "audit.verify")
        audit.record(s, p.actor, "audit.verify", "system", "-")
    with cases.db.session() as s:
        v = audit.verify(s)
    return AuditOut(
        ok=v.ok, entries=v.entries, head=v.head, problem=v.problem, seq=v.seq, chain=v.chain
    )
