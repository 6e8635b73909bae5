"""Who may see leads: a signed-in investigator (cases accounts: password + TOTP), and
every view is an entry of the cases audit log (hash-chained, append-only).

Leads name people and contacts suspected of smuggling: they are shown only to the
``investigator`` role, never to case workers or analysts. The audit entry holds
what was seen (lead rank and community, counts), never the evidence itself.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from corridor.errors import CorridorError

ROLE = "investigator"


class AccessError(CorridorError):
    """Refused: ``status`` 401 (not signed in), 403 (not an investigator), 503 (no cases)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def audited_view(request: Request, action: str, entity_id: str, detail: dict[str, Any]) -> str:
    """Check the caller is a signed-in investigator and audit the view; the actor's name.

    Raises :class:`AccessError` otherwise (the refusal is audited too when the caller
    is signed in).
    """
    from corridor.cases import mount

    if not mount.available():
        raise AccessError("leads need the cases module for sign-in and audit", 503)
    from corridor.cases import audit
    from corridor.cases.api.deps import runtime, staff
    from corridor.cases.errors import CasesError

    try:
        cases = runtime(request)
    except CasesError as exc:
        raise AccessError(exc.message, 503) from None
    refused: AccessError | None = None
    with cases.db.session() as s:
        try:
            p = staff(s, request, cases)
        except CasesError as exc:
            raise AccessError(exc.message, exc.status) from None
        if p.role != ROLE:
            audit.record(s, p.actor, f"{action}.refused", "network_lead", entity_id, {})
            refused = AccessError(f"leads are for investigators; a {p.role} may not see them", 403)
        else:
            audit.record(s, p.actor, action, "network_lead", entity_id, detail)
    if refused is not None:
        raise refused
    return p.actor
