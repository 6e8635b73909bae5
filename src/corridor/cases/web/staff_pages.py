"""Staff pages: sign-in with TOTP, the office queue, a case with screening, interview and
referral forms. Every form carries the session's CSRF token; the service functions and
permission checks are the API's own."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.cases import appointments, audit, caseview, near_duplicates, referrals
from corridor.cases.api.deps import SESSION_COOKIE, client, limit, runtime, today
from corridor.cases.api.staff import set_session_cookie
from corridor.cases.auth import login, logout, principal_for
from corridor.cases.errors import CasesError, Forbidden, Invalid, Unauthorized
from corridor.cases.models import Interview, Office, Referral, Registration
from corridor.cases.permissions import Principal, require_case, require_office
from corridor.cases.registration import apply_screening, stored_applicant
from corridor.cases.web.render import page
from corridor.cases.web.staff_i18n import (
    STAFF_LANGS,
    STAFF_TEXT,
    code_label,
    remember_lang,
    st,
    staff_lang,
)

router = APIRouter(prefix="/cases/staff", include_in_schema=False)
LOGIN_COOKIE = "corridor_login"
STATUSES = ("eligible", "ineligible", "scheduled", "interviewed", "referred", "closed", "withdrawn")


def _me(s: Session, request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return principal_for(s, token, runtime(request).settings.limits)
    except Unauthorized:
        return None


async def _form(request: Request, me: Principal) -> dict[str, str]:
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not secrets.compare_digest(form.get("csrf", ""), me.csrf_token or "-"):
        raise Forbidden("the form expired; open the page again")
    return form


def _page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A staff page in the chosen language, with a switch that keeps the page and its filter."""
    lang = staff_lang(request)
    keep = {k: v for k, v in request.query_params.items() if k in ("status", "office")}
    switch = {
        code: f"{request.url.path}?{urlencode({**keep, 'lang': code})}" for code in STAFF_LANGS
    }
    resp = page(template, status, lang=lang, switch=switch, **context)
    return remember_lang(request, resp, lang, runtime(request).settings.secure_cookies)


def _to_login() -> RedirectResponse:
    return RedirectResponse("/cases/staff/login", status_code=303)


@router.get("/login")
def login_form(request: Request, failed: bool = False) -> Response:
    token = secrets.token_urlsafe(24)
    error = st(staff_lang(request), "error_401") if failed else None
    resp = _page(request, "staff_login.html", csrf=token, me=None, error=error)
    resp.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        path="/cases/staff",
        secure=runtime(request).settings.secure_cookies,
    )
    return resp


@router.post("/login")
async def login_submit(request: Request) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, form.get("csrf", "")):
        raise Forbidden("the sign-in form expired; open it again")
    cases = runtime(request)
    lim = cases.settings.limits
    limit(cases, "login", client(request), lim.login_per_minute, 60)
    failure: Unauthorized | None = None
    with cases.db.session() as s:
        try:
            result = login(
                s,
                cases.keys,
                form.get("email", ""),
                form.get("password", ""),
                form.get("totp", ""),
                lim,
            )
            # investigators have no office queue: their work is the smuggling-network leads
            landing = "/networks" if result.user.role == "investigator" else "/cases/staff/queue"
        except Unauthorized as exc:
            failure = exc
    if failure is not None:
        resp = login_form(request, failed=True)
        resp.status_code = 401
        return resp
    resp = RedirectResponse(landing, status_code=303)
    set_session_cookie(resp, result.token, cases.settings.secure_cookies, lim.session_minutes * 60)
    resp.delete_cookie(LOGIN_COOKIE, path="/cases/staff")
    return resp


@router.post("/logout")
async def logout_submit(request: Request) -> Response:
    cases = runtime(request)
    with cases.db.session() as s:
        me = _me(s, request)
        if me is not None:
            await _form(request, me)
            logout(s, request.cookies.get(SESSION_COOKIE, ""))
            audit.record(s, me.actor, "auth.logout", "staff_user", me.user_id)
    resp = _to_login()
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/queue")
def queue(request: Request, status: str = "", office: str = "", flash: str = "") -> Response:
    cases = runtime(request)
    with cases.db.session() as s:
        me = _me(s, request)
        if me is None:
            return _to_login()
        code = office or me.office or ""
        items: list[Registration] = []
        if code:
            row = s.get(Office, code)
            if row is None:
                raise Invalid(f"unknown office `{code}`")
            require_office(me, "case.list", code, row.country)
            q = select(Registration).where(
                Registration.office_code == code, Registration.erased_at.is_(None)
            )
            if status:
                q = q.where(Registration.status == status)
            items = list(s.scalars(q.order_by(Registration.created_at).limit(200)))
            if me.role in ("caseworker", "supervisor"):
                near_duplicates.score_listed(s, cases.keys, items, me.actor)
            audit.record(s, me.actor, "case.list", "office", code, {"n": len(items)}, durable=False)
        elif me.role != "admin":
            raise Forbidden(f"a {me.role} has no office queue")
        view = [
            {
                "reference": r.reference,
                "status": r.status,
                "nationality": r.nationality,
                "household_size": r.household_size,
                "registered_at": r.created_at,
                "duplicate": bool(r.duplicate_of),
                "near": near_duplicates.best(r)
                if me.role in ("caseworker", "supervisor")
                else None,
            }
            for r in items
        ]
    return _page(
        request,
        "staff_queue.html",
        me=me,
        office=code,
        items=view,
        chosen=status,
        statuses=STATUSES,
        flash=flash or None,
    )


@router.get("/case/{reference}")
def case(request: Request, reference: str, flash: str = "") -> Response:
    cases = runtime(request)
    with cases.db.session() as s:
        me = _me(s, request)
        if me is None:
            return _to_login()
        reg = caseview.load(s, reference)
        require_case(me, "case.read", reg.office_code, caseview.referral_countries(s, reg))
        audit.record(s, me.actor, "case.read", "registration", reg.reference, durable=False)
        view = caseview.build(s, cases.keys, reg, me, today())
    office_role = me.role in ("caseworker", "supervisor")
    return _page(
        request,
        "staff_case.html",
        me=me,
        c=view,
        flash=flash or None,
        can_screen=office_role and reg.erased_at is None,
        can_refer=office_role
        and view.status in ("eligible", "scheduled", "interviewed", "referred"),
        pathways=list(referrals.PATHWAYS.values()),
    )


def _back(reference: str, flash: str) -> RedirectResponse:
    return RedirectResponse(f"/cases/staff/case/{reference}?flash={quote(flash)}", 303)


async def _case_action(request: Request, reference: str, action: str) -> Response:
    cases = runtime(request)
    with cases.db.session() as s:
        me = _me(s, request)
        if me is None:
            return _to_login()
        form = await _form(request, me)
        reg = caseview.load(s, reference)
        require_case(me, action, reg.office_code, caseview.referral_countries(s, reg))
        flash = _do(s, cases, me, reg, action, form, staff_lang(request))
    return _back(reg.reference, flash)


def _do(
    s: Session,
    cases: Any,
    me: Principal,
    reg: Registration,
    action: str,
    form: dict[str, str],
    lang: str,
) -> str:
    """Carry out a case action; returns the flash message in ``lang``."""
    if action == "case.screen":
        d = apply_screening(
            s, reg, stored_applicant(cases.keys, reg), reg.created_at.date(), me.user_id
        )
        audit.record(
            s,
            me.actor,
            "case.screen",
            "registration",
            reg.reference,
            {"to": reg.status, "rules": d.rule_version},
        )
        result = st(lang, "result_eligible" if d.eligible else "result_not_eligible")
        return st(lang, "flash_screened", result=result, rules=d.rule_version)
    if action == "case.interview":
        outcome = form.get("outcome", "")
        if outcome not in ("completed", "no_show", "rescheduled"):
            raise Invalid(f"unknown outcome `{outcome}`")
        s.add(
            Interview(
                registration_id=reg.id,
                staff_id=me.user_id,
                held_at=audit.now(),
                outcome=outcome,
                notes_enc=cases.keys.encrypt(form.get("notes") or None, "interview_notes"),
            )
        )
        if outcome == "completed" and reg.status in ("eligible", "scheduled"):
            reg.status = "interviewed"
        audit.record(
            s, me.actor, "case.interview", "registration", reg.reference, {"outcome": outcome}
        )
        return st(lang, "flash_interview", outcome=code_label(lang, outcome))
    ref = referrals.open_referral(
        s,
        cases.keys,
        reg,
        form.get("pathway", ""),
        me.actor,
        today(),
        sponsor_ref=form.get("sponsor_ref") or None,
        invitation_ref=form.get("invitation_ref") or None,
    )
    return st(lang, "flash_referred", pathway=ref.pathway)


@router.post("/case/{reference}/screen")
async def screen_case(request: Request, reference: str) -> Response:
    return await _case_action(request, reference, "case.screen")


@router.post("/case/{reference}/interview")
async def interview_case(request: Request, reference: str) -> Response:
    return await _case_action(request, reference, "case.interview")


@router.post("/case/{reference}/refer")
async def refer_case(request: Request, reference: str) -> Response:
    return await _case_action(request, reference, "referral.open")


@router.post("/referral/{referral_id}/move")
async def move_referral(request: Request, referral_id: int) -> Response:
    cases = runtime(request)
    with cases.db.session() as s:
        me = _me(s, request)
        if me is None:
            return _to_login()
        form = await _form(request, me)
        ref = s.get(Referral, referral_id)
        reg = s.get(Registration, ref.registration_id) if ref else None
        if ref is None or reg is None:
            raise Invalid(f"no referral {referral_id}")
        require_case(me, "referral.transition", reg.office_code, [ref.receiving_country])
        referrals.transition(
            s, cases.keys, ref, reg, form.get("to", ""), me.side, me.actor, today()
        )
    lang = staff_lang(request)
    flash = st(lang, "flash_moved", pathway=ref.pathway, state=code_label(lang, ref.state))
    return _back(reg.reference, flash)


@router.post("/allocate")
async def allocate(request: Request) -> Response:
    cases = runtime(request)
    with cases.db.session() as s:
        me = _me(s, request)
        if me is None:
            return _to_login()
        form = await _form(request, me)
        if me.office is None:
            raise Forbidden("only office supervisors allocate appointments")
        office = s.get(Office, me.office)
        assert office is not None
        require_office(me, "appointment.allocate", office.code, office.country)
        try:
            day = date.fromisoformat(form.get("day", ""))
        except ValueError:
            raise Invalid(f"`{form.get('day')}` is not a date") from None
        a = appointments.allocate(s, cases.keys, office.code, day, me.actor, me.user_id, today())
    flash = st(staff_lang(request), "flash_allocated", fcfs=len(a.fcfs), drawn=len(a.drawn))
    return RedirectResponse(f"/cases/staff/queue?flash={quote(flash)}", 303)


def staff_error(request: Request, exc: CasesError) -> Response:
    """The error in the staff's language; the English detail only on English pages (it
    comes from the shared services, and the API returns it as is)."""
    lang = staff_lang(request)
    key = f"error_{exc.status}"
    error = st(lang, key if key in STAFF_TEXT else "error_other")
    detail = exc.message if lang == "en" else None
    return _page(request, "staff_base.html", exc.status, me=None, error=error, detail=detail)
