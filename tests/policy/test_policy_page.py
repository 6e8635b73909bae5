"""The policy page: timeline, what-if form, projection, languages, errors, and a browser run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corridor.store import Store
from tests.policy.test_policy_cli import store  # noqa: F401  (the module's store fixture)
from tests.web.conftest import make_app
from tests.web.test_browser import CHROMIUM, Recorder, _serve, browser  # noqa: F401

EXTERNAL = re.compile(r"(?:https?:)?//(?!127\.0\.0\.1[:/]|localhost[:/])[\w.-]+", re.I)
ORIGINAL = "securing-the-border-2024-06"


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(make_app(store)) as c:
        yield c


def test_policy_page_shows_the_timeline(client: TestClient) -> None:
    html = client.get(f"/policy?rule={ORIGINAL}&lang=en").text
    assert "<h1>Policy rules on the data</h1>" in html
    assert html.count("<svg") == 2  # the averages with thresholds, the share of paths
    assert "Approximation: monthly data, not daily." in html
    assert '<table class="changes">' in html and "<td>lifted</td>" in html
    assert f"corridor policy evaluate {ORIGINAL} --paths 100" in html
    assert "This rule ended on 30 September 2024" in html  # nothing to project
    assert EXTERNAL.findall(html) == []


def test_what_if_form_changes_the_answer_and_the_command(client: TestClient) -> None:
    html = client.get(f"/policy?rule={ORIGINAL}&base={ORIGINAL}&lift_threshold=400").text
    assert "No change of state on the central path." in html
    assert "--set lift.threshold=400" in html
    assert 'name="lift_threshold" value="400"' in html
    # values typed for another rule are dropped when the rule is switched
    other = client.get(f"/policy?rule=securing-the-border-2024-10&base={ORIGINAL}"
                       "&lift_days=1").text  # fmt: skip
    assert 'name="lift_days" value="28"' in other and "--set" not in other


def test_projection_for_a_rule_still_in_force(client: TestClient) -> None:
    html = client.get("/policy?rule=securing-the-border-2024-10").text
    assert '<table class="projection">' in html
    assert "corridor policy project securing-the-border-2024-10 --months 6" in html


def test_spanish_page(client: TestClient) -> None:
    html = client.get(f"/policy?rule={ORIGINAL}&lang=es").text
    assert "Reglas de política sobre los datos" in html
    assert "Aproximación: datos mensuales" in html and "Esta regla terminó el" in html


def test_bad_values_are_a_400_page(client: TestClient) -> None:
    r = client.get(f"/policy?rule={ORIGINAL}&base={ORIGINAL}&lift_threshold=lots")
    assert r.status_code == 400 and "`lots` is not a number" in r.text
    r = client.get("/policy?rule=../../etc/passwd")
    assert r.status_code == 400 and "unknown policy rule" in r.text


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt install chromium)")
def test_browser_changes_a_threshold_and_sees_the_chart_change(
    browser: Any,  # noqa: F811
    store: Store,  # noqa: F811
) -> None:
    for base in _serve(store):
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        rec = Recorder(page)
        page.goto(f"{base}/policy?rule={ORIGINAL}&lang=en")
        before = page.locator("#policy-chart svg").inner_html()
        assert page.locator("table.changes td", has_text="lifted").count() == 1
        page.fill("input[name=lift_threshold]", "400")
        with page.expect_navigation():
            page.click("form.policy-form button[type=submit]")
        assert "lift_threshold=400" in page.url
        assert page.locator("#policy-chart svg").inner_html() != before
        assert page.locator("text=No change of state on the central path.").count() == 1
        # choosing another rule in the select submits the form (static/app.js)
        with page.expect_navigation():
            page.select_option("select[name=rule]", "securing-the-border-2024-10")
        assert page.locator("input[name=lift_days]").input_value() == "28"
        phone = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True)
        rec_phone = Recorder(phone)
        phone.goto(f"{base}/policy?lang=es")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"/policy overflows a 360 px screen: {width} px"
        assert rec.hosts() == {"127.0.0.1"} and rec_phone.hosts() == {"127.0.0.1"}
        phone.close()
        page.close()


def test_report_has_a_section_per_rule(store: Store, tmp_path: Any) -> None:  # noqa: F811
    from corridor.web.report import report_html
    from tests.web.conftest import build_small_store

    html = report_html(store, "en")
    assert "<h1>Policy rules on the data</h1>" in html
    assert html.count('<section class="policy">') == 2
    assert "Approximation: monthly data, not daily." in html
    # a store without the Border Patrol series: no section, no error
    assert "Policy rules on the data" not in report_html(build_small_store(tmp_path))


def test_the_command_on_the_page_reproduces_its_numbers(
    client: TestClient,
    store: Store,  # noqa: F811
) -> None:
    import html as html_lib
    import json
    import shlex
    from datetime import date

    from typer.testing import CliRunner

    from corridor.analysis.policy.policy_text import day
    from corridor.cli.main import app

    page = client.get(f"/policy?rule={ORIGINAL}&base={ORIGINAL}&lift_threshold=1200").text
    found = re.search(r'<code class="command">(corridor policy evaluate [^<]+)</code>', page)
    assert found is not None
    args = shlex.split(html_lib.unescape(found.group(1)))[1:]
    assert "--set" in args and "lift.threshold=1200" in args
    out = CliRunner().invoke(app, [*args, "-f", "json", "--db", str(store.path)])
    (change,) = json.loads(out.output)["changes"]
    shown = f"{day(date.fromisoformat(change['p05']), 'en')} – "
    shown += day(date.fromisoformat(change["p95"]), "en")
    assert shown in html_lib.unescape(page)
