"""Smuggling-network leads: ``/networks/leads`` and ``/networks/leads/{rank}``.

Investigators only (a cases account with the ``investigator`` role, signed in
with password and TOTP: bearer token or session cookie); every view, and every
refusal of a signed-in user, is written to the cases audit log. Answers are
never cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from corridor.errors import CorridorError

router = APIRouter(tags=["networks (investigators)"])
NO_STORE = {"Cache-Control": "no-store"}


def _refused(exc: CorridorError, status: int) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=status, headers=NO_STORE)


@router.get("/networks/leads")
def leads(request: Request, top: Annotated[int, Query(ge=1, le=1000)] = 100) -> JSONResponse:
    """Ranked leads (summary and reasons); the evidence is at ``/networks/leads/{rank}``."""
    from corridor.networks.access import AccessError, audited_view
    from corridor.networks.service import leads_of

    try:
        audited_view(request, "network.leads.read", "-", {"top": top})
        views = leads_of(request.app.state).views[:top]
    except AccessError as exc:
        return _refused(exc, exc.status)
    body = [v.summary() for v in views]
    return JSONResponse(_jsonable(body), headers=NO_STORE)


@router.get("/networks/leads/{rank}")
def lead(request: Request, rank: int) -> JSONResponse:
    """One lead with its evidence (suspects' crossings, shared values' records) and its
    core network (nodes and edges)."""
    from corridor.networks.access import AccessError, audited_view
    from corridor.networks.service import leads_of

    try:
        audited_view(request, "network.lead.read", str(rank), {"rank": rank})
        view = leads_of(request.app.state).get(rank)
    except AccessError as exc:
        return _refused(exc, exc.status)
    if view is None:
        return JSONResponse({"error": f"no lead ranked {rank}"}, 404, headers=NO_STORE)
    body = {
        **view.lead.to_dict(),
        "network": {
            "nodes": [n.__dict__ for n in view.graph.nodes],
            "edges": [e.__dict__ for e in view.graph.edges],
        },
    }
    return JSONResponse(_jsonable(body), headers=NO_STORE)


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))
