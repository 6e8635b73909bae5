"""Roles, what each may do, and the office/country scope of every case-level action.

Applicants are not accounts: they hold a reference and a status token, which
give access to their own registration only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from corridor.cases.errors import Forbidden

STAFF_ROLES = ("caseworker", "supervisor", "receiving_officer", "analyst", "admin", "investigator")
ROLES = ("applicant", *STAFF_ROLES)
RECEIVING_COUNTRIES = ("USA", "CAN", "ESP")

PERMISSIONS: dict[str, frozenset[str]] = {
    k: frozenset(v)
    for k, v in {
        "case.list": ("caseworker", "supervisor", "admin"),
        "case.read": ("caseworker", "supervisor", "receiving_officer", "admin"),
        "case.screen": ("caseworker", "supervisor"),
        "case.interview": ("caseworker", "supervisor"),
        "referral.open": ("caseworker", "supervisor"),
        "referral.transition": ("caseworker", "supervisor", "receiving_officer"),
        "appointment.allocate": ("supervisor",),
        "draw.read": ("supervisor", "admin"),
        "subject.export": ("supervisor", "admin"),
        "subject.erase": ("supervisor", "admin"),
        "aggregates.read": ("supervisor", "analyst", "admin"),
        "aggregates.export": ("analyst", "admin"),
        "audit.verify": ("admin",),
        "retention.purge": ("admin",),
    }.items()
}


@dataclass(frozen=True)
class Principal:
    user_id: int
    role: str
    office: str | None  # office roles
    country: str | None  # receiving officer: receiving country; analyst: host-country scope
    csrf_token: str = ""
    via_cookie: bool = False

    @property
    def actor(self) -> str:
        return f"staff:{self.user_id}"

    @property
    def side(self) -> str:
        return "receiving" if self.role == "receiving_officer" else "office"


def require(p: Principal, action: str) -> None:
    if p.role not in PERMISSIONS[action]:
        raise Forbidden(f"a {p.role} may not {action.replace('.', ' ')}")


def require_office(p: Principal, action: str, office: str, office_country: str) -> None:
    """Office-level actions: own office for office roles, own country for analysts."""
    require(p, action)
    if p.role == "admin":
        return
    if p.role == "analyst":
        if p.country is None or p.country == office_country:
            return
    elif p.office == office:
        return
    raise Forbidden("this office is outside your scope")


def require_case(p: Principal, action: str, office: str, referral_countries: Iterable[str]) -> None:
    """Case-level actions: own office; receiving officers only cases referred to their country."""
    require(p, action)
    if p.role == "admin":
        return
    if p.role == "receiving_officer":
        if p.country in set(referral_countries):
            return
    elif p.office == office:
        return
    raise Forbidden("this case is outside your scope")


def mask_name(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(w[0] + "***" for w in value.split() if w)


def mask_tail(value: str | None, keep: int = 3) -> str | None:
    if value is None:
        return None
    return "*" * max(len(value) - keep, 3) + value[-keep:]


def mask_date(value: str | None) -> str | None:
    return None if value is None else value[:4] + "-**-**"


# field -> what each role sees: "full", "mask" or "hide"
FIELD_VIEW: dict[str, dict[str, str]] = {
    "caseworker": {"names": "full", "dob": "full", "doc": "full", "contact": "full"},
    "supervisor": {"names": "full", "dob": "full", "doc": "full", "contact": "full"},
    "receiving_officer": {"names": "full", "dob": "full", "doc": "mask", "contact": "hide"},
    "admin": {"names": "mask", "dob": "mask", "doc": "mask", "contact": "hide"},
}


def shown(role: str, kind: str, value: str | None) -> str | None:
    view = FIELD_VIEW.get(role, {}).get(kind, "hide")
    if view == "full" or value is None:
        return value if view == "full" else None
    if view == "hide":
        return None
    if kind == "names":
        return mask_name(value)
    if kind == "dob":
        return mask_date(value)
    return mask_tail(value)
