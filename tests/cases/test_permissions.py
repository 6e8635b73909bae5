"""The permission matrix: every role × every staff endpoint × own and other office.

The expected sets are written out here (not derived from ``PERMISSIONS``), for a
case in each of two offices: COL-BOG (referred to the USA) and CRI-SJO (referred
to Canada). ``x`` stands for the account of the same role in the other office
(or, for receiving officers, the other receiving country).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corridor.cases.runtime import Cases
from tests.cases.conftest import ACCOUNTS, OTHER, OWN, TODAY, register, registration

ROLES = [*ACCOUNTS, "applicant", "nobody"]


@dataclass
class Target:
    office: str
    reference: str
    referral: int
    draw: int
    token: str


def _make_case(
    client: TestClient, tokens: dict[str, dict[str, str]], office: str, pathway: str, suffix: str
) -> tuple[str, int, str]:
    out = register(client, registration(office=office))
    ref = out["reference"]
    r = client.post(
        f"/api/v1/cases/{ref}/referrals",
        json={"pathway": pathway},
        headers=tokens[f"supervisor{suffix}"],
    )
    assert r.status_code == 201, r.text
    return ref, int(r.json()["id"]), out["status_token"]


@pytest.fixture(scope="module")
def targets(client: TestClient, tokens: dict[str, dict[str, str]]) -> dict[str, Target]:
    out = {}
    for name, office, pathway, suffix in (
        ("own", OWN, "usrap", ""),
        ("other", OTHER, "canada", "_other"),
    ):
        ref, referral, token = _make_case(client, tokens, office, pathway, suffix)
        day = (TODAY + timedelta(days=400 + len(out))).isoformat()
        d = client.post(
            f"/api/v1/offices/{office}/appointments",
            json={"day": day},
            headers=tokens[f"supervisor{suffix}"],
        )
        assert d.status_code == 201, d.text
        out[name] = Target(office, ref, referral, int(d.json()["id"]), token)
    return out


@dataclass
class Endpoint:
    name: str
    method: str
    path: Callable[[Target], str]
    body: Any
    allowed: set[str]  # for the COL-BOG target; mirrored for CRI-SJO


far_day = (TODAY + timedelta(days=900)).isoformat()
ENDPOINTS = [
    Endpoint(
        "queue",
        "GET",
        lambda t: f"/api/v1/cases?office={t.office}",
        None,
        {"caseworker", "supervisor", "admin"},
    ),
    Endpoint(
        "read",
        "GET",
        lambda t: f"/api/v1/cases/{t.reference}",
        None,
        {"caseworker", "supervisor", "receiving_officer", "admin"},
    ),
    Endpoint(
        "screen",
        "POST",
        lambda t: f"/api/v1/cases/{t.reference}/screening",
        None,
        {"caseworker", "supervisor"},
    ),
    Endpoint(
        "interview",
        "POST",
        lambda t: f"/api/v1/cases/{t.reference}/interviews",
        {"outcome": "no_show"},
        {"caseworker", "supervisor"},
    ),
    # an unknown pathway / state: allowed roles get 422 past the permission check
    Endpoint(
        "refer",
        "POST",
        lambda t: f"/api/v1/cases/{t.reference}/referrals",
        {"pathway": "nowhere"},
        {"caseworker", "supervisor"},
    ),
    Endpoint(
        "transition",
        "POST",
        lambda t: f"/api/v1/referrals/{t.referral}/transitions",
        {"to": "nowhere"},
        {"caseworker", "supervisor", "receiving_officer"},
    ),
    Endpoint(
        "allocate",
        "POST",
        lambda t: f"/api/v1/offices/{t.office}/appointments",
        {"day": far_day},
        {"supervisor"},
    ),
    Endpoint("draw", "GET", lambda t: f"/api/v1/draws/{t.draw}", None, {"supervisor", "admin"}),
    Endpoint(
        "aggregates",
        "GET",
        lambda t: f"/api/v1/aggregates?office={t.office}",
        None,
        {"supervisor", "analyst", "admin"},
    ),
    Endpoint(
        "aggregates_export",
        "POST",
        lambda t: "/api/v1/aggregates/export",
        None,
        {"analyst", "analyst_other", "admin"},
    ),
    Endpoint(
        "subject_export",
        "GET",
        lambda t: f"/api/v1/cases/{t.reference}/export",
        None,
        {"supervisor", "admin"},
    ),
    Endpoint("purge", "POST", lambda t: "/api/v1/retention/purge", None, {"admin"}),
    Endpoint("audit", "GET", lambda t: "/api/v1/audit/verify", None, {"admin"}),
]


def mirror(names: set[str]) -> set[str]:
    """The same roles seen from the other office (admin has no counterpart: global)."""
    out = set()
    for n in names:
        if n.endswith("_other"):
            out.add(n[: -len("_other")])
        else:
            out.add(f"{n}_other" if f"{n}_other" in ACCOUNTS else n)
    return out


def headers_for(role: str, tokens: dict[str, dict[str, str]], target: Target) -> dict[str, str]:
    if role == "applicant":  # an applicant's secret opens only /registrations/{own}
        return {"X-Status-Token": target.token}
    if role == "nobody":
        return {}
    return tokens[role]


@pytest.mark.parametrize("side", ["own", "other"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_matrix(
    client: TestClient,
    tokens: dict[str, dict[str, str]],
    targets: dict[str, Target],
    endpoint: Endpoint,
    side: str,
) -> None:
    target = targets[side]
    allowed = endpoint.allowed if side == "own" else mirror(endpoint.allowed)
    problems = []
    for role in ROLES:
        r = client.request(
            endpoint.method,
            endpoint.path(target),
            json=endpoint.body,
            headers=headers_for(role, tokens, target),
        )
        if role in ("applicant", "nobody"):
            expected_ok, ok = False, r.status_code == 401
        elif role in allowed:
            expected_ok, ok = True, r.status_code not in (401, 403)
        else:
            expected_ok, ok = False, r.status_code == 403
        if not ok:
            want = "allowed" if expected_ok else "refused"
            problems.append(f"{role}: {r.status_code} (expected {want}) {r.text[:120]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("side", ["own", "other"])
def test_erasure_matrix(client: TestClient, tokens: dict[str, dict[str, str]], side: str) -> None:
    allowed = {"supervisor", "admin"} if side == "own" else {"supervisor_other", "admin"}
    office, pathway, suffix = (OWN, "usrap", "") if side == "own" else (OTHER, "canada", "_other")
    for role in ROLES:
        ref, _, token = _make_case(client, tokens, office, pathway, suffix)
        target = Target(office, ref, 0, 0, token)
        r = client.delete(f"/api/v1/cases/{ref}", headers=headers_for(role, tokens, target))
        if role in ("applicant", "nobody"):
            assert r.status_code == 401, role
        elif role in allowed:
            assert r.status_code == 204, (role, r.text)
        else:
            assert r.status_code == 403, (role, r.status_code, r.text)


def test_fields_are_masked_by_role(
    client: TestClient, tokens: dict[str, dict[str, str]], targets: dict[str, Target]
) -> None:
    ref = targets["own"].reference
    seen = {
        role: client.get(f"/api/v1/cases/{ref}", headers=tokens[role]).json()
        for role in ("caseworker", "receiving_officer", "admin")
    }
    full, officer, admin = (
        seen[r]["members"][0] for r in ("caseworker", "receiving_officer", "admin")
    )
    assert full["given_names"] == "María José" and full["dob"] == "1990-03-04"
    assert full["doc_number"].startswith("P") and "*" not in full["doc_number"]
    assert officer["given_names"] == "María José"
    assert (
        officer["doc_number"].startswith("*****")
        and officer["doc_number"][-3:] == full["doc_number"][-3:]
    )
    assert admin["given_names"] == "M*** J***" and admin["dob"] == "1990-**-**"
    # a receiving officer sees only the referral to their own country
    assert [r["receiving_country"] for r in seen["receiving_officer"]["referrals"]] == ["USA"]


def test_the_applicant_secret_opens_only_its_own_registration(
    client: TestClient, targets: dict[str, Target]
) -> None:
    own, other = targets["own"], targets["other"]
    ok = client.get(f"/api/v1/registrations/{own.reference}", headers={"X-Status-Token": own.token})
    assert ok.status_code == 200
    crossed = client.get(
        f"/api/v1/registrations/{other.reference}", headers={"X-Status-Token": own.token}
    )
    assert crossed.status_code == 404


def test_staff_tokens_do_not_open_applicant_endpoints(
    client: TestClient, tokens: dict[str, dict[str, str]], targets: dict[str, Target]
) -> None:
    r = client.get(f"/api/v1/registrations/{targets['own'].reference}", headers=tokens["admin"])
    assert r.status_code == 400  # the secret header is required
    assert secrets.compare_digest("a", "a")


def test_cases_is_a_module_fixture(cases: Cases) -> None:
    assert cases.db.dialect in ("sqlite", "postgresql")
