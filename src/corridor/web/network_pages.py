"""Dashboard pages of smuggling-network leads: ``/networks`` and ``/networks/{rank}``.

Server-rendered, no JavaScript: the lead's core network is laid out in Python
and drawn as inline SVG. Investigators only (the cases sign-in cookie from
``/cases/staff/login``); every view is audited, like the API.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from corridor.web.render import render

router = APIRouter(default_response_class=HTMLResponse)
NO_STORE = {"Cache-Control": "no-store"}


def _page(heading: str, status: int = 200, **ctx: object) -> HTMLResponse:
    html = render("network.html", lang="en", other_lang="es", heading=heading,
                  switch_url="?lang=es", **ctx)  # fmt: skip
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


def _refusal(message: str, status: int) -> HTMLResponse:
    return _page("Network leads", status, message=message, login=status == 401)


@router.get("/networks")
def leads_page(request: Request) -> HTMLResponse:
    from corridor.errors import CorridorError
    from corridor.networks.access import AccessError, audited_view
    from corridor.networks.service import leads_of

    try:
        audited_view(request, "network.leads.read", "-", {"page": True})
        views = leads_of(request.app.state).views
    except AccessError as exc:
        return _refusal(str(exc), exc.status)
    except CorridorError as exc:
        return _refusal(str(exc), 503)
    return _page("Network leads", leads=[v.lead for v in views])


@router.get("/networks/{rank}")
def lead_page(request: Request, rank: int) -> HTMLResponse:
    from corridor.errors import CorridorError
    from corridor.networks.access import AccessError, audited_view
    from corridor.networks.layout import network_svg
    from corridor.networks.service import leads_of

    try:
        audited_view(request, "network.lead.read", str(rank), {"rank": rank, "page": True})
        view = leads_of(request.app.state).get(rank)
    except AccessError as exc:
        return _refusal(str(exc), exc.status)
    except CorridorError as exc:
        return _refusal(str(exc), 503)
    if view is None:
        return _refusal(f"no lead ranked {rank}", 404)
    return _page(f"Lead {rank}", lead=view.lead, svg=network_svg(view.graph))
