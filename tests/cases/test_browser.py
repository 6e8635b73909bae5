"""The applicant and staff pages in a real browser (Debian's Chromium through Playwright).

Applicants register on a phone-sized viewport with JavaScript off (the pages must
not need it), in Spanish and Haitian Creole; a caseworker signs in with a TOTP code,
opens the queue, screens a case and refers it. Every request stays on 127.0.0.1.
"""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from corridor.cases.runtime import Cases
from corridor.cases.settings import Settings
from tests.cases.conftest import PASSWORD, ROOMY, add_account, make_app, registration

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt install chromium)"
    ),
    pytest.mark.skipif(
        importlib.util.find_spec("playwright") is None,
        reason="playwright is not installed (pip install playwright; no browser download needed)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Settings]]:
    import uvicorn

    from corridor.cases.runtime import initialise

    tmp = tmp_path_factory.mktemp("cases_browser")
    settings = Settings(f"sqlite:///{tmp / 'cases.sqlite'}", tmp / "keys.json", ROOMY)
    initialise(settings)
    app = make_app(settings, tmp / "store.duckdb")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", settings
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        rt = getattr(app.state, "cases_runtime", None)
        if rt is not None:
            rt.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _hosts(urls: list[str]) -> set[str]:
    return {urlsplit(u).hostname or u for u in urls if not u.startswith("data:")}


def _no_overflow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"


@pytest.mark.parametrize(
    ("lang", "register_label", "done", "status_label", "eligible_text"),
    [
        ("es", "Registrarse", "Registro recibido", "Ver estado", "Elegible: en espera de cita"),
        (
            "ht",
            "Enskri",
            "Nou resevwa enskripsyon ou",
            "Wè estati a",
            "Elijib: ap tann yon randevou",
        ),
    ],
)
def test_registration_on_a_phone_without_javascript(
    browser: Any,
    site: tuple[str, Settings],
    lang: str,
    register_label: str,
    done: str,
    status_label: str,
    eligible_text: str,
) -> None:
    base, _ = site
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
    page = ctx.new_page()
    urls: list[str] = []
    page.on("request", lambda req: urls.append(req.url))
    page.goto(f"{base}/cases/{lang}")
    _no_overflow(page)
    page.get_by_role("link", name=register_label, exact=True).click()
    _no_overflow(page)
    page.select_option("#office", "COL-BOG")
    page.select_option("#host_status", "irregular")
    page.fill("#m0_given_names", "Wilna")
    page.fill("#m0_surnames", "Jean-Louis")
    page.fill("#m0_dob", "1991-08-15")
    page.select_option("#m0_sex", "F")
    page.select_option("#m0_nationality", "HTI")
    page.fill("#m0_arrival_date", "2023-02-01")
    page.fill("#m1_given_names", "Ti Jak")
    page.fill("#m1_surnames", "Jean-Louis")
    page.fill("#m1_dob", "2019-03-03")
    page.select_option("#m1_nationality", "HTI")
    page.fill("#m1_arrival_date", "2023-02-01")
    page.fill("#contact_phone", "+57 300 1234567")
    page.check("input[name=consent]")
    page.locator("button[type=submit]").click()
    assert page.locator("h1").inner_text() == done
    _no_overflow(page)
    reference = page.locator("#reference").inner_text()
    secret = page.locator("#secret").inner_text()
    assert reference.startswith("COL-") and len(secret) == 24
    # the applicant comes back later and checks the status
    page.goto(f"{base}/cases/{lang}/status")
    page.fill("#reference", reference)
    page.fill("#secret", secret)
    page.get_by_role("button", name=status_label).click()
    assert page.locator("#state").inner_text() == eligible_text
    _no_overflow(page)
    assert _hosts(urls) == {"127.0.0.1"}
    ctx.close()


def test_a_caseworkers_day(browser: Any, site: tuple[str, Settings]) -> None:
    """Sign in with TOTP, the queue, a case, screen it, interview, refer, move the referral."""
    import httpx
    import pyotp

    base, settings = site
    cases = Cases.open(settings)
    try:
        acct = add_account(cases, "day", "caseworker", "COL-BOG", None)
    finally:
        cases.close()
    with httpx.Client(base_url=base) as http:
        refs = [
            http.post(
                "/api/v1/registrations",
                json=registration(),
                headers={"Idempotency-Key": f"browser-day-{i:08d}"},
            ).json()["reference"]
            for i in range(2)
        ]
    # the English staff pages, chosen by the browser's Accept-Language
    ctx = browser.new_context(viewport={"width": 1100, "height": 900}, locale="en-US")
    page = ctx.new_page()
    urls: list[str] = []
    page.on("request", lambda req: urls.append(req.url))
    page.goto(f"{base}/cases/staff/queue")
    assert page.url.endswith("/cases/staff/login")
    page.fill("#email", acct.email)
    page.fill("#password", PASSWORD)
    page.fill("#totp", pyotp.TOTP(acct.secret).now())
    page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith("/cases/staff/queue")
    assert page.locator("#queue").inner_text().count("COL-") >= 2
    page.get_by_role("link", name=refs[0]).click()
    assert "Status: eligible" in page.locator("#case-status").inner_text()
    assert "Wilna" not in page.content()
    page.locator("#screen").click()
    assert "Screened: eligible" in page.locator("[role=status]").inner_text()
    page.select_option("#outcome", "completed")
    page.fill("#notes", "Documents checked.")
    page.get_by_role("button", name="Record interview").click()
    assert "Interview recorded" in page.locator("[role=status]").inner_text()
    page.select_option("#pathway", "usrap")
    page.locator("#refer").click()
    assert "Referred to usrap" in page.locator("[role=status]").inner_text()
    page.get_by_role("button", name="→ prescreened").click()
    assert "usrap: prescreened" in page.locator("[role=status]").inner_text()
    assert "prescreened" in page.locator("div[id^=referral-] .state").inner_text()
    # the language switch keeps the case open, in Spanish from then on
    case_url = page.url.split("?")[0]
    page.get_by_role("link", name="Español").click()
    assert page.url.split("?")[0] == case_url
    assert "Estado: referido" in page.locator("#case-status").inner_text()
    assert "preevaluado" in page.locator("div[id^=referral-] .state").inner_text()
    page.get_by_role("link", name="Cola").click()
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("button", name="Cerrar sesión").click()
    assert page.url.endswith("/cases/staff/login")
    page.goto(f"{base}/cases/staff/case/{refs[0]}")
    assert page.url.endswith("/cases/staff/login")
    assert _hosts(urls) == {"127.0.0.1"}
    ctx.close()
