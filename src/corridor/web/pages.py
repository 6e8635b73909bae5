"""The dashboard's HTML pages as a FastAPI router.

The app (``corridor.api.create_app``) includes ``router`` and mounts
``corridor/web/static`` at ``/static``; the store is taken from
``app.state.store`` (a :class:`Store`) or ``app.state.db_path``.
Filters are GET forms, so every page works without JavaScript.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from corridor.analysis.series import checkpoint
from corridor.errors import ConfigError, CorridorError, InputError, QueryError
from corridor.store import Store
from corridor.web import i18n, views
from corridor.web.render import render

router = APIRouter(default_response_class=HTMLResponse)


def store_of(request: Request) -> Store:
    """The app's store: ``app.state.store``, else a Store on ``app.state.db_path``."""
    store = getattr(request.app.state, "store", None)
    if isinstance(store, Store):
        return store
    return Store(getattr(request.app.state, "db_path", None))


def lang_of(request: Request) -> str:
    """``?lang=`` when given, else the browser's Accept-Language, else English."""
    asked = request.query_params.get("lang")
    if asked:
        return i18n.check(asked)
    return i18n.from_accept_language(request.headers.get("accept-language"))


def _page(
    request: Request, template: str, heading: str, status: int = 200, **ctx: object
) -> HTMLResponse:
    lang = lang_of(request)
    other = "es" if lang == "en" else "en"
    params = {**request.query_params, "lang": other}
    html = render(
        template, lang=lang, other_lang=other, heading=heading,
        switch_url=f"{request.url.path}?{urlencode(params)}", **ctx,
    )  # fmt: skip
    return HTMLResponse(html, status_code=status)


def _error(request: Request, exc: CorridorError, status: int | None = None) -> HTMLResponse:
    """One message on an error page: 400 for a bad request, 500 for the server's own problem
    (e.g. the store is missing), or the ``status`` given (404 for a page that does not exist)."""
    if status is None:
        status = 400 if isinstance(exc, (QueryError, ConfigError, InputError)) else 500
    lang = lang_of(request)
    return _page(request, "error.html", i18n.t("error", lang), status, message=str(exc))


@router.get("/")
def overview_page(request: Request) -> HTMLResponse:
    lang = lang_of(request)
    try:
        store = store_of(request)
        items = views.overview(store, lang)
        alerts = views.alerts(store, lang)
    except CorridorError as exc:
        return _error(request, exc)
    return _page(
        request, "overview.html", i18n.t("overview_title", lang), items=items, alerts=alerts
    )


@router.get("/alerts")
def alerts_page(request: Request) -> HTMLResponse:
    lang = lang_of(request)
    try:
        alerts = views.alerts(store_of(request), lang)
    except CorridorError as exc:
        return _error(request, exc)
    return _page(request, "alerts.html", i18n.t("alerts_title", lang), alerts=alerts)


@router.get("/nationality")
def nationality_page(request: Request, nat: str | None = None) -> HTMLResponse:
    lang = lang_of(request)
    try:
        store = store_of(request)
        nats = views.nationalities(store, lang)
        codes = [n["code"] for n in nats]
        chosen = (nat or ("VEN" if "VEN" in codes else (codes[0] if codes else ""))).upper()
        if chosen and codes and chosen not in codes:
            raise QueryError(f"no counts for nationality `{chosen}` at any checkpoint")
        charts = views.nationality(store, chosen, lang) if chosen else []
        along = views.along_corridor(store, chosen, lang) if chosen else []
    except CorridorError as exc:
        return _error(request, exc)
    heading = i18n.t("nat_title", lang, nat=views.nat_name(chosen, lang)) if chosen else ""
    return _page(
        request, "nationality.html", heading, nats=nats, nat=chosen, charts=charts, along=along
    )


@router.get("/checkpoint/{cp_id}")
def checkpoint_page(request: Request, cp_id: str) -> HTMLResponse:
    lang = lang_of(request)
    q = request.query_params
    try:
        checkpoint(cp_id)
    except QueryError as exc:  # no such page
        return _error(request, exc, 404)
    try:
        d = views.checkpoint_detail(
            store_of(request),
            cp_id,
            lang,
            start=q.get("from"),
            end=q.get("to"),
            scores=q.get("scores") == "1",
        )
    except CorridorError as exc:
        return _error(request, exc)
    return _page(request, "checkpoint.html", d["title"], d=d)


@router.get("/policy")
def policy_page(request: Request) -> HTMLResponse:
    from corridor.web.policy_view import pathway_section
    from corridor.web.policy_view import policy_page as build

    lang = lang_of(request)
    try:
        store = store_of(request)
        p = build(store, request.query_params, lang)
        pw = pathway_section(store, request.query_params.get("pathway"), lang)
    except CorridorError as exc:
        return _error(request, exc)
    return _page(request, "policy.html", i18n.t("policy_title", lang), p=p, pw=pw)


@router.get("/sources")
def sources_page(request: Request) -> HTMLResponse:
    lang = lang_of(request)
    try:
        s = views.sources(store_of(request), lang)
    except CorridorError as exc:
        return _error(request, exc)
    return _page(request, "sources.html", i18n.t("sources_title", lang), s=s)
