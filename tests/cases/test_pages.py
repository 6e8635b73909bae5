"""The applicant and staff pages through the app (no browser): every language, forms with
CSRF and submission ids, the waiting room, and a caseworker's actions."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corridor.cases.settings import Limits
from corridor.cases.web.i18n import LANGS, TEXT
from tests.cases.conftest import PASSWORD, Account, add_account, make_app, make_settings


@pytest.fixture(scope="module")
def web(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def hidden(html: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert m, name
    return m.group(1)


def form(c: TestClient, lang: str = "es", **over: str) -> dict[str, str]:
    page = c.get(f"/cases/{lang}/register")
    assert page.status_code == 200
    for i in range(4):  # every member's nationality list is filled
        assert f'id="m{i}_nationality" name="m{i}_nationality">\n<option value="VEN"' in page.text
    data = {
        "csrf": hidden(page.text, "csrf"),
        "submission_id": hidden(page.text, "submission_id"),
        "office": "COL-BOG",
        "host_status": "irregular",
        "consent": "yes",
        "m0_given_names": "Jean",
        "m0_surnames": "Baptiste",
        "m0_dob": "1988-04-02",
        "m0_sex": "M",
        "m0_nationality": "HTI",
        "m0_arrival_date": "2022-12-01",
        "m0_doc_type": "passport",
        "m0_doc_number": f"HT{secrets.randbelow(10**7)}",
        "m1_given_names": "Rose",
        "m1_surnames": "Baptiste",
        "m1_dob": "2016-01-09",
        "m1_sex": "F",
        "m1_nationality": "HTI",
        "m1_arrival_date": "2022-12-01",
        "m1_relationship": "child",
        "m1_doc_type": "none",
    }
    data.update(over)
    return data


def test_every_text_has_four_languages() -> None:
    assert LANGS == ("es", "en", "fr", "ht")
    assert all(len(v) == 4 and all(x.strip() for x in v) for v in TEXT.values())


@pytest.mark.parametrize("lang", LANGS)
def test_pages_in_each_language_are_light(web: TestClient, lang: str) -> None:
    for path in ("", "/register", "/status", "/privacy"):
        r = web.get(f"/cases/{lang}{path}")
        assert r.status_code == 200, path
        assert f'<html lang="{lang}">' in r.text
        assert "<script" not in r.text and "http://" not in r.text.replace("https://", "")
        assert r.headers["content-security-policy"].startswith("default-src 'none'")
        assert len(r.content) < 20_000  # the register form included
    css = web.get("/cases-static/cases.css")
    assert css.status_code == 200 and len(css.content) < 4000


def test_register_in_haitian_creole_then_check_the_status(web: TestClient) -> None:
    data = form(web, "ht")
    r = web.post("/cases/ht/register", data=data)
    assert r.status_code == 200, r.text
    assert "Nou resevwa enskripsyon ou" in r.text
    ref = re.search(r'id="reference">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    secret = re.search(r'id="secret">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    # the back button / a retry: the same registration, not a second one
    again = web.post("/cases/ht/register", data=data)
    assert ref in again.text and secret in again.text
    page = web.get("/cases/ht/status")
    st = web.post(
        "/cases/ht/status",
        data={"csrf": hidden(page.text, "csrf"), "reference": ref.lower(), "secret": secret},
    )
    assert st.status_code == 200 and "Elijib: ap tann yon randevou" in st.text
    bad = web.post(
        "/cases/ht/status",
        data={"csrf": hidden(page.text, "csrf"), "reference": ref, "secret": "WRONG"},
    )
    assert bad.status_code == 404 and "Nou pa jwenn" in bad.text


def test_form_errors_are_shown_in_the_language_and_keep_the_answers(web: TestClient) -> None:
    r = web.post("/cases/es/register", data=form(web, "es", m0_dob="", m0_surnames="Zúñiga"))
    assert r.status_code == 400
    assert "Solicitante principal: Fecha de nacimiento — valor no válido" in r.text
    assert 'value="Zúñiga"' in r.text


def test_forms_without_the_csrf_token_are_refused(web: TestClient) -> None:
    data = form(web)
    data["csrf"] = "forged"
    r = web.post("/cases/es/register", data=data)
    assert r.status_code == 403
    assert "<html" in r.text  # a page, not JSON


def test_withdrawal_from_the_status_page(web: TestClient) -> None:
    r = web.post("/cases/fr/register", data=form(web, "fr"))
    ref = re.search(r'id="reference">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    secret = re.search(r'id="secret">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    csrf = hidden(web.get("/cases/fr/status").text, "csrf")
    done = web.post(
        "/cases/fr/withdraw",
        data={"csrf": csrf, "reference": ref, "secret": secret, "confirm": "yes"},
    )
    assert done.status_code == 200 and "données effacées" in done.text
    gone = web.post("/cases/fr/status", data={"csrf": csrf, "reference": ref, "secret": secret})
    assert gone.status_code == 404


def test_the_waiting_room_keeps_the_answers(backend: str, tmp_path: Path) -> None:
    for settings in make_settings(backend, tmp_path, Limits(max_inflight=0)):
        with TestClient(
            make_app(settings, tmp_path / "s.duckdb"), base_url="https://testserver"
        ) as c:
            data = form(c, "es")
            r = c.post("/cases/es/register", data=data)
            assert r.status_code == 503 and "Sala de espera" in r.text
            assert r.headers["retry-after"] == "5"
            assert f'value="{data["submission_id"]}"' in r.text
            assert 'value="Baptiste"' in r.text


def staff_login(c: TestClient, acct: Account) -> None:
    page = c.get("/cases/staff/login")
    r = c.post(
        "/cases/staff/login",
        data={
            "csrf": hidden(page.text, "csrf"),
            "email": acct.email,
            "password": PASSWORD,
            "totp": acct.code(),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def test_a_caseworker_screens_and_refers_from_the_pages(app: Any) -> None:
    with TestClient(app, base_url="https://testserver") as c:
        reg = c.post("/cases/es/register", data=form(c, "es"))
        ref = re.search(r'id="reference">([^<]+)<', reg.text).group(1)  # type: ignore[union-attr]
        c.cookies.clear()
        assert c.get("/cases/staff/queue", follow_redirects=False).status_code == 303
        rt = app.state.cases_runtime
        acct = add_account(rt, "pages", "caseworker", "COL-BOG", None)
        c.headers["Accept-Language"] = "en-GB,en;q=0.9"  # the staff pages in English
        staff_login(c, acct)
        queue = c.get("/cases/staff/queue?status=eligible")
        assert queue.status_code == 200 and ref in queue.text
        case = c.get(f"/cases/staff/case/{ref}")
        assert "Jean Baptiste" in case.text and "rules smo-col@2023-06-12" in case.text
        csrf = hidden(case.text, "csrf")
        assert c.post(f"/cases/staff/case/{ref}/screen", data={"csrf": "x"}).status_code == 403
        r = c.post(f"/cases/staff/case/{ref}/screen", data={"csrf": csrf})
        assert r.status_code == 200 and "Screened: eligible" in r.text
        r = c.post(f"/cases/staff/case/{ref}/refer", data={"csrf": csrf, "pathway": "usrap"})
        assert "Referred to usrap" in r.text and "→ prescreened" in r.text
        rid = re.search(r"/cases/staff/referral/(\d+)/move", r.text).group(1)  # type: ignore[union-attr]
        r = c.post(f"/cases/staff/referral/{rid}/move", data={"csrf": csrf, "to": "prescreened"})
        assert "usrap: prescreened" in r.text
        # a caseworker of another office is refused
        other = add_account(rt, "pages2", "caseworker", "CRI-SJO", None)
        c.cookies.clear()
        staff_login(c, other)
        assert c.get(f"/cases/staff/case/{ref}").status_code == 403
