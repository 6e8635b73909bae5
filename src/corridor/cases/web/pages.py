"""The applicant pages (/cases/{lang}/...) and the staff pages (/cases/staff/...).

Plain HTML forms: no JavaScript, no external asset. Applicant forms carry a
double-submit CSRF token (cookie + field) and a submission id, so a resubmitted
form (retry, back button, waiting room) never registers twice.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from sqlalchemy import select

from corridor.cases.api import public
from corridor.cases.api.deps import admission, client, in_db_thread, limit, runtime, today
from corridor.cases.errors import CasesError, Forbidden, NotFound, TooMany
from corridor.cases.models import Office
from corridor.cases.schemas import RegistrationIn
from corridor.cases.web import staff_pages
from corridor.cases.web.i18n import LANGS, NATIONALITIES, t
from corridor.cases.web.render import STATIC, page

PREFIX = "/cases"
FORM_COOKIE = "corridor_form"
EXTRA_MEMBERS = 3
MEMBER_FIELDS = (
    "given_names",
    "surnames",
    "dob",
    "sex",
    "nationality",
    "relationship",
    "doc_type",
    "doc_number",
    "arrival_date",
)
router = APIRouter(prefix=PREFIX, include_in_schema=False)


def _lang(lang: str) -> str:
    if lang not in LANGS:
        raise NotFound(f"no language `{lang}`")
    return lang


def form_token(request: Request) -> str:
    return request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)


def with_form_cookie(request: Request, response: Response, token: str) -> Response:
    if request.cookies.get(FORM_COOKIE) != token:
        response.set_cookie(
            FORM_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            path=PREFIX,
            secure=runtime(request).settings.secure_cookies,
        )
    return response


def check_form(request: Request, form: Any) -> None:
    cookie, sent = request.cookies.get(FORM_COOKIE, ""), str(form.get("csrf", ""))
    if not cookie or not sent or not secrets.compare_digest(cookie, sent):
        raise Forbidden("the form expired; open the page again")


def error_page(request: Request, exc: CasesError) -> Response:
    if request.url.path.startswith(f"{PREFIX}/staff"):
        return staff_pages.staff_error(request, exc)
    parts = request.url.path.split("/")
    lang = parts[2] if len(parts) > 2 and parts[2] in LANGS else "es"
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooMany) else {}
    resp = page(
        "message.html",
        exc.status,
        lang=lang,
        title=t(lang, "error_title"),
        message=exc.message,
        alert=True,
        back=f"{PREFIX}/{lang}",
    )
    resp.headers.update(headers)
    return resp


@router.get("")
def root() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/es", status_code=303)


@router.get("/{lang}")
def home(lang: str) -> HTMLResponse:
    return page("home.html", lang=_lang(lang))


@router.get("/{lang}/privacy")
def privacy(lang: str) -> HTMLResponse:
    return page("privacy.html", lang=_lang(lang), lang_path="/privacy")


def _offices(request: Request) -> list[Office]:
    cases = runtime(request)
    with cases.db.session() as s:
        return list(s.scalars(select(Office).where(Office.active).order_by(Office.code)))


def _register_form(
    request: Request, lang: str, values: dict[str, str], errors: list[str], status: int = 200
) -> Response:
    token = form_token(request)
    resp = page(
        "register.html",
        status,
        lang=lang,
        lang_path="/register",
        v=values,
        errors=errors,
        csrf=token,
        offices=_offices(request),
        submission_id=values.get("submission_id") or secrets.token_urlsafe(18),
        nationalities=list(NATIONALITIES),
        extra_members=EXTRA_MEMBERS,
    )
    return with_form_cookie(request, resp, token)


@router.get("/{lang}/register")
def register_form(lang: str, request: Request) -> Response:
    return _register_form(request, _lang(lang), {}, [])


def body_from_form(lang: str, form: dict[str, str]) -> dict[str, Any]:
    members = []
    for i in range(EXTRA_MEMBERS + 1):
        if i > 0 and not form.get(f"m{i}_given_names", "").strip():
            continue
        m: dict[str, Any] = {f: form.get(f"m{i}_{f}", "").strip() for f in MEMBER_FIELDS}
        m["relationship"] = "self" if i == 0 else (m["relationship"] or "other")
        m["doc_number"] = m["doc_number"] or None
        members.append(m)
    return {
        "office": form.get("office", ""),
        "lang": lang,
        "consent": form.get("consent") == "yes",
        "host_status": form.get("host_status", ""),
        "contact_phone": form.get("contact_phone", "").strip() or None,
        "contact_email": form.get("contact_email", "").strip() or None,
        "members": members,
        "submission_id": form.get("submission_id") or None,
    }


LABELS = ("given_names", "surnames", "dob", "arrival_date", "nationality", "doc_number")


def _label(lang: str, loc: list[str]) -> str:
    if loc[:1] == ["members"] and len(loc) >= 3:
        who = t(lang, "applicant") if loc[1] == "0" else t(lang, "member", n=loc[1])
        return f"{who}: {t(lang, loc[2]) if loc[2] in LABELS else loc[2]}"
    key = loc[0] if loc else ""
    named = {
        "consent": "consent",
        "contact_phone": "phone",
        "contact_email": "email",
        "office": "office",
        "host_status": "host_status",
    }
    return t(lang, named[key]) if key in named else key


def _problems(lang: str, exc: ValidationError) -> list[str]:
    out = []
    for e in exc.errors():
        what = t(lang, "required") if e.get("type") == "missing" else t(lang, "bad_value")
        out.append(f"{_label(lang, [str(x) for x in e.get('loc', ())])} — {what}")
    return out


@router.post("/{lang}/register")
async def register_submit(lang: str, request: Request) -> Response:
    lang = _lang(lang)
    form = {k: str(v) for k, v in (await request.form()).items()}
    check_form(request, form)
    try:
        body = RegistrationIn.model_validate(body_from_form(lang, form))
    except ValidationError as exc:
        return _register_form(request, lang, form, _problems(lang, exc), 400)
    cases = runtime(request)
    key = body.submission_id or ""
    try:
        with admission(request).enter(cases.settings.limits.max_inflight):
            limit(cases, "register", client(request), cases.settings.limits.register_per_minute, 60)
            from fastapi.concurrency import run_in_threadpool

            created = await run_in_threadpool(public.submit, cases, body, key, today())
    except TooMany as exc:
        resp = page("waiting.html", exc.status, lang=lang, fields=sorted(form.items()))
        resp.headers["Retry-After"] = str(exc.retry_after)
        return resp
    return page(
        "registered.html",
        lang=lang,
        reference=created.reference,
        token=created.status_token,
        eligible=created.eligible,
    )


@router.get("/{lang}/status")
def status_form(lang: str, request: Request) -> Response:
    lang = _lang(lang)
    token = form_token(request)
    resp = page("status_form.html", lang=lang, lang_path="/status", csrf=token, error=None)
    return with_form_cookie(request, resp, token)


@router.post("/{lang}/status")
async def status_submit(lang: str, request: Request) -> Response:
    lang = _lang(lang)
    form = await request.form()
    check_form(request, form)
    reference, secret = str(form.get("reference", "")), str(form.get("secret", ""))
    cases = runtime(request)
    try:
        st = await in_db_thread(
            request,
            cases.db.run,
            lambda s: public.own_status(s, cases, request, reference, secret),
            autocommit=True,
        )
    except NotFound:
        return page(
            "status_form.html", 404, lang=lang, csrf=form.get("csrf"), error=t(lang, "not_found")
        )
    return page("status.html", lang=lang, st=st, secret=secret, csrf=form.get("csrf"))


@router.post("/{lang}/withdraw")
async def withdraw(lang: str, request: Request) -> Response:
    lang = _lang(lang)
    form = await request.form()
    check_form(request, form)
    if form.get("confirm") != "yes":
        return RedirectResponse(f"{PREFIX}/{lang}/status", status_code=303)
    cases = runtime(request)
    from corridor.cases import retention

    with cases.db.session() as s:
        reg = public.own_registration(
            s, cases, request, str(form.get("reference", "")), str(form.get("secret", ""))
        )
        retention.erase(s, reg, f"applicant:{reg.reference}", "withdrawn by the applicant")
    return page(
        "message.html",
        lang=lang,
        title=t(lang, "s_withdrawn"),
        message=t(lang, "withdrawn_done"),
        alert=False,
        back=f"{PREFIX}/{lang}",
    )


def mount(app: FastAPI) -> None:
    # staff routes first: /cases/staff/... must not be read as a language
    app.include_router(staff_pages.router)
    app.include_router(router)
    app.mount("/cases-static", StaticFiles(directory=STATIC), name="cases-static")
