"""Leads in the API and the dashboard: investigators only, every view audited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy")

from fastapi.testclient import TestClient
from sqlalchemy import select

from corridor.cases import audit
from corridor.cases.models import AuditEntry
from corridor.cases.runtime import Cases
from corridor.networks.service import NetworkSettings
from tests.cases.conftest import OWN, Account, add_account, login, make_settings
from tests.networks.conftest import ring_folder


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from corridor.api import create_app

    root = tmp_path_factory.mktemp("access")
    folder = ring_folder(root / "ring")
    for settings in make_settings("sqlite", root):
        cases = Cases.open(settings)
        accounts = {
            "investigator": add_account(cases, "inv", "investigator", None, None),
            "investigator_cookie": add_account(cases, "inv2", "investigator", None, None),
            "caseworker": add_account(cases, "cw", "caseworker", OWN, None),
            "admin": add_account(cases, "adm", "admin", None, None),
        }
        app = create_app(root / "store.duckdb")
        app.state.cases_settings = settings
        app.state.networks_settings = NetworkSettings(folder)
        with TestClient(app, base_url="https://testserver") as client:
            yield {"client": client, "accounts": accounts, "cases": cases}
        rt = getattr(app.state, "cases_runtime", None)
        if rt is not None:
            rt.close()
        cases.close()


def _entries(cases: Cases, action: str) -> list[AuditEntry]:
    with cases.db.session() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        s.expunge_all()
    return rows


def _headers(setup: dict[str, Any], who: str) -> dict[str, str]:
    """Signed in once per account (a TOTP code is accepted only once)."""
    tokens: dict[str, dict[str, str]] = setup.setdefault("tokens", {})
    if who not in tokens:
        acct: Account = setup["accounts"][who]
        tokens[who] = login(setup["client"], acct)
    return tokens[who]


def test_anonymous_is_refused_everywhere(setup: dict[str, Any]) -> None:
    c: TestClient = setup["client"]
    for path in ("/api/v1/networks/leads", "/api/v1/networks/leads/1"):
        r = c.get(path)
        assert r.status_code == 401 and "sign in" in r.json()["error"]
        assert "P900" not in r.text and r.headers["cache-control"] == "no-store"
    for path in ("/networks", "/networks/1"):
        r = c.get(path)
        assert r.status_code == 401 and "Sign in" in r.text and "P900" not in r.text
    r = c.get("/api/v1/networks/leads", headers={"Authorization": "Bearer forged"})
    assert r.status_code == 401


@pytest.mark.parametrize("who", ["caseworker", "admin"])
def test_other_roles_are_refused_and_the_refusal_audited(setup: dict[str, Any], who: str) -> None:
    c: TestClient = setup["client"]
    before = len(_entries(setup["cases"], "network.lead.read.refused"))
    r = c.get("/api/v1/networks/leads/1", headers=_headers(setup, who))
    assert r.status_code == 403 and "investigators" in r.json()["error"]
    assert "P900" not in r.text
    assert len(_entries(setup["cases"], "network.lead.read.refused")) == before + 1


def test_investigator_sees_leads_and_each_view_is_audited(setup: dict[str, Any]) -> None:
    c: TestClient = setup["client"]
    h = _headers(setup, "investigator")
    before = len(_entries(setup["cases"], "network.lead.read"))
    r = c.get("/api/v1/networks/leads", headers=h)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    (summary,) = r.json()
    assert summary["rank"] == 1 and summary["reasons"] and "suspects" not in summary
    r = c.get("/api/v1/networks/leads/1", headers=h)
    assert r.status_code == 200
    lead = r.json()
    assert lead["suspects"][0]["entity"] == "P900"
    assert {n["id"] for n in lead["network"]["nodes"]} >= {"P900", "v|phone|+57 111"}
    assert c.get("/api/v1/networks/leads/9", headers=h).status_code == 404
    entries = _entries(setup["cases"], "network.lead.read")
    assert len(entries) == before + 2  # the 404 view is audited too
    assert entries[-2].detail == {"rank": 1} and "P900" not in str(entries[-2].detail)
    # a later anonymous request is not answered from any cache
    assert c.get("/api/v1/networks/leads/1").status_code == 401
    with setup["cases"].db.session() as s:
        assert audit.verify(s).ok


def test_investigator_page_draws_the_network_with_evidence(setup: dict[str, Any]) -> None:
    c: TestClient = setup["client"]
    h = _headers(setup, "investigator")
    r = c.get("/networks", headers=h)
    assert r.status_code == 200 and 'href="/networks/1"' in r.text
    r = c.get("/networks/1", headers=h)
    assert r.status_code == 200
    html = r.text
    assert "<svg" in html and "<circle" in html and '<script src="http' not in html
    assert "P900" in html and "+57 111" in html and "Tapachula" in html
    assert "SNM-" in html and "UPM-" in html  # the records behind the evidence
    assert len(_entries(setup["cases"], "network.lead.read")) >= 1
    r = c.get("/networks/1", headers=_headers(setup, "caseworker"))
    assert r.status_code == 403 and "P900" not in r.text


def test_without_a_folder_the_investigator_is_told(
    setup: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor.networks.service import ENV_DIR, leads_of

    monkeypatch.delenv(ENV_DIR, raising=False)

    class State:
        pass

    with pytest.raises(Exception, match=ENV_DIR):
        leads_of(State())


def test_page_with_the_session_cookie_of_the_staff_sign_in(setup: dict[str, Any]) -> None:
    from tests.cases.conftest import PASSWORD

    c: TestClient = setup["client"]
    acct: Account = setup["accounts"]["investigator_cookie"]  # signed in here only
    r = c.post("/api/v1/auth/login",
               json={"email": acct.email, "password": PASSWORD, "totp": acct.code()})  # fmt: skip
    assert r.status_code == 200
    assert "corridor_staff" in c.cookies
    try:
        r = c.get("/networks/1")  # no bearer header: the cookie alone
        assert r.status_code == 200 and "P900" in r.text
    finally:
        c.cookies.clear()


def test_an_investigator_signing_in_on_the_staff_pages_lands_on_the_leads(
    setup: dict[str, Any],
) -> None:
    from tests.cases.conftest import PASSWORD
    from tests.cases.test_pages import hidden

    c: TestClient = setup["client"]
    acct = add_account(setup["cases"], "inv3", "investigator", None, None)
    c.cookies.clear()
    page = c.get("/cases/staff/login")
    r = c.post("/cases/staff/login", data={"csrf": hidden(page.text, "csrf"),
               "email": acct.email, "password": PASSWORD, "totp": acct.code()},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/networks"
    c.cookies.clear()
