"""Eligibility checks explained in the caseworker's language: every check the shipped rules
produce has a Spanish sentence made from its values, and the English one is its stored
detail word for word."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from corridor.cases.eligibility import Applicant, screen
from corridor.cases.web.staff_i18n import check_sentence
from tests.cases.conftest import add_account, register, registration
from tests.cases.test_eligibility import CASES, RULES
from tests.cases.test_pages import staff_login


def _checks() -> list[dict[str, Any]]:
    out = []
    for country, nat, arrival, dob, status, as_of, *_ in CASES:
        decision = screen(RULES[country], Applicant(nat, dob, arrival, status), as_of)
        out.extend(c.as_dict() for c in decision.checks)
    return out


def test_every_check_reads_in_spanish_and_english() -> None:
    seen = set()
    for check in _checks():
        seen.add((check["rule"], check["ok"]))
        en, es = check_sentence("en", check), check_sentence("es", check)
        assert en == check["detail"], check  # the same sentence the API's detail gives
        assert es and es != en, check
        for value in check["params"].values():
            assert str(value) in es, (value, es)
    # the shipped rules' table reaches each rule both ways (in force only fails)
    expected = {
        (r, ok) for r in ("nationality", "presence", "min_age", "status") for ok in (True, False)
    }
    assert expected | {("in_force", False)} <= seen, sorted(seen)


def test_a_screening_stored_before_params_keeps_its_english_detail() -> None:
    old = {"rule": "presence", "ok": False, "detail": "arrived after the cut-off 2023-06-11"}
    assert check_sentence("en", old) == old["detail"]
    assert check_sentence("es", old) == ""  # the page shows the label and ✗ only


def test_the_case_page_explains_the_screening_in_spanish(app: Any, client: TestClient) -> None:
    reg = register(client, registration())
    with TestClient(app, base_url="https://testserver") as c:
        staff_login(
            c, add_account(app.state.cases_runtime, "es-checks", "caseworker", "COL-BOG", None)
        )
        page = c.get(f"/cases/staff/case/{reg['reference']}?lang=es")
        assert page.status_code == 200
        assert "nacionalidad VEN: está entre" in page.text
        assert "is one of" not in page.text
        page = c.get(f"/cases/staff/case/{reg['reference']}?lang=en")
        assert "nationality VEN is one of" in page.text
