"""The dashboard in a real browser (Debian's Chromium through Playwright).

Checks what only a browser shows: the select submits the form, a phone
viewport has no horizontal overflow, and no request leaves 127.0.0.1.
"""

from __future__ import annotations

import importlib.util
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from corridor.store import Store
from tests.web.conftest import make_app

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium tries to reach Google's services.
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

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


def _serve(store: Store) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(make_app(store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def small_url(small_store: Store) -> Iterator[str]:
    yield from _serve(small_store)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


class Recorder:
    """Every URL the page requests."""

    def __init__(self, page: Any) -> None:
        self.urls: list[str] = []
        page.on("request", lambda req: self.urls.append(req.url))

    def hosts(self) -> set[str]:
        return {urlsplit(u).hostname or u for u in self.urls if not u.startswith("data:")}


def _end_value(page: Any, scope: str = "body") -> str:
    text: str = page.locator(f"{scope} tspan.end-value").first.text_content() or ""
    return text


def _walk(browser: Any, base: str) -> set[str]:
    """Overview, then the filters and the language switch, as a user would; returns hosts."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    rec = Recorder(page)
    page.goto(base + "/?lang=en")
    assert page.locator("section.panel svg.chart").count() >= 1
    assert page.locator("h1").inner_text().startswith("The corridor, south to north")

    # the nationality explorer: choosing in the select submits the form (static/app.js)
    page.goto(base + "/nationality?nat=VEN&lang=en")
    before = _end_value(page)
    with page.expect_navigation():
        page.select_option("select[name=nat]", "HTI")
    assert "nat=HTI" in page.url
    assert _end_value(page) != before

    # the checkpoint's period filter, through the plain form
    page.goto(base + "/checkpoint/darien?lang=en")
    path_before = page.locator("svg.chart path").first.get_attribute("d")
    page.fill("input[name=from]", "2022-03")
    page.fill("input[name=to]", "2022-05")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "from=2022-03" in page.url
    assert page.locator("svg.chart path").first.get_attribute("d") != path_before

    # the language switch keeps the filter
    with page.expect_navigation():
        page.click("header a.lang")
    assert page.locator("html").get_attribute("lang") == "es"
    assert "from=2022-03" in page.url
    assert page.locator("input[name=from]").input_value() == "2022-03"
    page.close()

    # a phone: nothing wider than the screen
    phone = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True)
    rec_phone = Recorder(phone)
    for url in ("/", "/checkpoint/darien", "/nationality", "/sources"):
        phone.goto(base + url)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{url} overflows a 360 px screen: {width} px"
    phone.close()
    return rec.hosts() | rec_phone.hosts()


def test_browser_walk_small_store(browser: Any, small_url: str) -> None:
    assert _walk(browser, small_url) == {"127.0.0.1"}


def test_browser_walk_real_data(browser: Any, real_store: Store) -> None:
    for base in _serve(real_store):
        assert _walk(browser, base) == {"127.0.0.1"}
        page = browser.new_page()
        page.goto(base + "/checkpoint/us_southwest?from=2023-01&to=2023-12&lang=en")
        assert re.fullmatch(r"301,981", _end_value(page))
        page.close()
