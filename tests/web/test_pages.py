"""The pages through HTTP (no browser): content, filters, languages, errors, no external hosts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corridor.analysis.series import CHECKPOINTS
from corridor.cli.main import app as cli
from corridor.store import Store
from corridor.web import views
from corridor.web.report import report_html
from tests.web.conftest import build_small_store, make_app

PAGES = [
    "/",
    "/?lang=es",
    "/nationality",
    "/nationality?nat=HTI&lang=es",
    "/checkpoint/darien",
    "/checkpoint/darien?from=2023-01&to=2023-06",
    "/checkpoint/mexico?lang=es",
    "/checkpoint/us_southwest",
    "/sources",
    "/alerts?lang=es",
]
EXTERNAL = re.compile(r"(?:https?:)?//(?!127\.0\.0\.1[:/]|localhost[:/])[\w.-]+", re.I)


@pytest.fixture(scope="module")
def client(small_store: Store) -> Iterator[TestClient]:
    with TestClient(make_app(small_store)) as c:
        yield c


def end_value(html: str) -> str:
    found = re.search(r'<tspan class="end-value">([^<]+)</tspan>', html)
    assert found, "no labelled end value"
    return found.group(1)


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_without_external_references(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert EXTERNAL.findall(r.text) == []
    assert '<script src="/static/app.js"' in r.text  # the only script, served locally


def test_overview_has_one_panel_per_checkpoint_in_corridor_order(client: TestClient) -> None:
    html = client.get("/?lang=en").text
    positions = [html.index(f'id="panel-{cp.id}"') for cp in CHECKPOINTS]
    assert positions == sorted(positions)
    assert html.count("<svg") == 3  # Darién, Honduras, Mexico; no US or returns data
    assert html.count("No data in the store.") == 2
    assert "events (one person may count twice)" in html  # Mexico counts events
    assert "Latest month: June 2024" in html


def test_language_from_query_then_accept_language(client: TestClient) -> None:
    es = client.get("/", headers={"Accept-Language": "es-419,es;q=0.9"}).text
    assert '<html lang="es">' in es and "Último mes" in es
    en = client.get("/?lang=en", headers={"Accept-Language": "es"}).text
    assert '<html lang="en">' in en and "Latest month" in en
    # the switch keeps the current filters
    cp = client.get("/checkpoint/darien?from=2023-01&lang=en").text
    assert 'href="/checkpoint/darien?from=2023-01&amp;lang=es"' in cp


def test_period_filter_changes_the_chart_and_top_table(client: TestClient) -> None:
    full = client.get("/checkpoint/darien").text
    window = client.get("/checkpoint/darien?from=2022-03&to=2022-05").text
    assert end_value(full) != end_value(window)
    assert 'value="2022-03"' in window
    assert "Top nationalities, March 2022 to May 2022" in window
    assert "Venezuela (VEN)" in window and "70.0%" in window
    empty = client.get("/checkpoint/darien?from=2010-01&to=2010-12").text
    assert "No data between these months." in empty and "<svg" not in empty


def test_nationality_explorer(client: TestClient) -> None:
    ven = client.get("/nationality?nat=ven").text
    hti = client.get("/nationality?nat=HTI").text
    assert ven.count('class="panel"') == 3  # VEN counted at Darién, Honduras and Mexico
    assert hti.count('class="panel"') == 1  # HTI only at Darién
    assert '<option value="HTI" selected>' in hti
    assert end_value(ven) != end_value(hti)


def test_sources_list_releases(client: TestClient) -> None:
    html = client.get("/sources").text
    for name in ("irreg_darien_nat.csv", "irreg_honduras_nat.csv", "irreg_mexico_nat.csv"):
        assert name in html


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/checkpoint/nowhere", 404, "unknown checkpoint `nowhere`"),
        ("/checkpoint/darien?from=2023-13", 400, "`2023-13` is not a month"),
        ("/nationality?nat=XYZ", 400, "no counts for nationality `XYZ`"),
        ("/checkpoint/darien?from=2024-01&to=2023-01", 400, "`from` (2024-01) is after `to`"),
        # the store would refuse it later anyway: say so before, in the page's words
        ("/checkpoint/darien?from=Jan%202023", 400, "`Jan 2023` is not a month"),
    ],
)
def test_bad_requests_are_pages_with_one_message(
    client: TestClient, url: str, status: int, message: str
) -> None:
    r = client.get(url)
    assert r.status_code == status
    assert message in r.text and "Traceback" not in r.text


def test_missing_store_is_an_error_page(tmp_path: Path) -> None:
    with TestClient(make_app(Store(tmp_path / "none.duckdb"))) as c:
        r = c.get("/")
    assert r.status_code == 500 and "no store at" in r.text


def test_report_is_one_self_contained_file(small_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli, ["report", "--out", str(out), "--lang", "es", "--db", str(small_store.path)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert EXTERNAL.findall(html) == []
    assert "<link" not in html and "<script" not in html and "<style>" in html
    assert html.count("<svg") == 3 + 3  # overview panels + checkpoint charts with data
    assert "Qué cambió" in html and "Fuentes de datos" in html


def test_report_is_written_all_or_nothing(
    small_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor.web.report import write_report

    out = tmp_path / "report.html"
    out.write_text("the report of yesterday", encoding="utf-8")

    def disk_full(self: Path, text: str, encoding: str | None = None) -> int:
        with open(self, "w", encoding=encoding) as fh:
            fh.write(text[:100])
        raise OSError("No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_report(small_store, out)
    monkeypatch.undo()
    assert out.read_text(encoding="utf-8") == "the report of yesterday"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no half-written file left


def test_report_rejects_unknown_language(small_store: Store, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["report", "--out", str(tmp_path / "r.html"), "--lang", "de",
              "--db", str(small_store.path)],
    )  # fmt: skip
    assert result.exit_code != 0
    assert "unknown language `de`" in str(result.exception or result.output)


def test_real_data_pages(real_store: Store) -> None:
    with TestClient(make_app(real_store)) as c:
        ov = c.get("/?lang=en").text
        assert ov.count("<svg") == len(CHECKPOINTS)
        us = c.get("/checkpoint/us_southwest?from=2023-01&to=2023-12").text
        assert end_value(us) == "301,981"  # CBP's southwest peak, December 2023
        darien_2023 = c.get("/checkpoint/darien?from=2023-01&to=2023-12").text
        # the Darién 2023 total of 520,085 split by nationality: Venezuela first
        assert re.search(r"<td>Venezuela \(VEN\)</td><td class=\"num\">328,650</td>", darien_2023)
        for url in PAGES:
            r = c.get(url)
            assert r.status_code == 200 and EXTERNAL.findall(r.text) == []


def test_forecast_with_80_and_95_intervals(client: TestClient) -> None:
    html = client.get("/checkpoint/darien?lang=en").text
    assert html.count("<polygon") == 2  # the 95% and 80% bands
    assert '<tspan class="end-label">Forecast</tspan>' in html
    assert re.search(r"80% and 95% prediction intervals\. Model: \w+", html)
    table = html[html.index('<table class="forecast">') :]
    assert table[: table.index("</table>")].count("<tr>") == 1 + 6  # header + 6 months
    assert "July 2024" in table  # the month after the last one observed
    assert "scores=1" in html  # scoring is offered, not run: it takes seconds
    past = client.get("/checkpoint/darien?to=2023-01").text
    assert "<polygon" not in past  # a window that ends in the past gets no forecast


def test_backtest_scores_on_request(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page shows ``analysis.backtest``'s table as it comes (stand-in: the real one is slow)."""
    import corridor.analysis.backtest as bt

    asked: dict[str, object] = {}

    def fake_backtest(panel: dict[str, pd.Series], **kwargs: object) -> pd.DataFrame:
        asked.update(kwargs, panel=sorted(panel))
        return pd.DataFrame([
            {"series": "darien", "model": "naive", "horizon": 1, "mase": 1.0, "mape": 56.44,
             "coverage80": 0.7, "coverage95": 0.9, "surge_hit_rate": 0.0, "n_surges": 2,
             "n_origins": 17},
            {"series": "darien", "model": "corridor", "horizon": 1, "mase": 0.81,
             "mape": 40.0, "coverage80": 0.82, "coverage95": float("nan"),
             "surge_hit_rate": 0.5, "n_surges": 2, "n_origins": 17},
        ])  # fmt: skip

    monkeypatch.setattr(bt, "backtest", fake_backtest)
    views._scores.cache_clear()
    html = client.get("/checkpoint/darien?lang=es&scores=1").text
    assert asked["series"] == ["darien"] and asked["horizons"] == (1, 3)
    assert asked["panel"] == sorted(cp.id for cp in CHECKPOINTS)  # upstream series for the model
    assert "Qué tan bien pronosticó cada modelo" in html
    assert re.search(r"<td>naive</td><td class=\"num\">1</td><td class=\"num\">1,00</td>"
                     r"<td class=\"num\">56,4</td><td class=\"num\">70 %</td>", html)  # fmt: skip
    assert '<td class="num">– %</td>' in html  # a score that could not be computed
    views._scores.cache_clear()


def test_nationality_along_the_corridor(client: TestClient) -> None:
    html = client.get("/nationality?nat=VEN&lang=en").text
    rows = re.findall(
        r"<tr><td>([^<]+)</td><td class=\"num\">([^<]+)(.*?)</td><td>([^<]+)</td>", html
    )
    found = {stretch: (ratio, rest, lead) for stretch, ratio, rest, lead in rows}
    # Honduras is 0.8 and Darién's VEN 0.7 of the same walk (114 per 100, same month);
    # Mexico 1.5 of it, minus two months (188 per 100 Honduras)
    ratio, _, lead = found["Darién, Panama → Honduras"]
    assert ratio.startswith("114 (30 months both cover)")
    assert lead == "0 months (r = 1.00)"
    ratio, rest, _ = found["Honduras → Mexico"]
    assert ratio.startswith("188 (28 months") and "persons vs events" in rest
    es = client.get("/nationality?nat=VEN&lang=es").text
    assert "A lo largo del corredor" in es and "0 meses (r = 1,00)" in es


def test_alerts_listed_on_overview_checkpoint_alerts_page_and_report(tmp_path: Path) -> None:
    from corridor.analysis.alerts import Alert, save

    store = build_small_store(tmp_path)
    with TestClient(make_app(store)) as c:
        assert "No alerts stored" in c.get("/alerts?lang=en").text
    save(store, [
        Alert("mexico-mom", "mexico", None, date(2024, 6, 1), 5898.0, -50.0, None, None,
              "Mexico fell 60.2% from May 2024 to June 2024", "warning",
              datetime(2024, 7, 1), ("gdidata.irreg_mexico_nat@x",)),
        Alert("darien-new", "darien", "HTI", date(2024, 5, 1), 10.0, None, None, None,
              "Darién: HTI rising", "info", datetime(2024, 7, 1), ("r",)),
    ])  # fmt: skip
    with TestClient(make_app(store)) as c:
        overview = c.get("/?lang=es").text
        mexico = c.get("/checkpoint/mexico?lang=en").text
        page = c.get("/alerts?lang=en").text
    assert overview.count('class="sev-') == 2
    # stored without Spanish messages: shown in English, with a note saying why
    assert "advertencia" in overview and "Algunas alertas se guardaron antes" in overview
    assert overview.index("junio de 2024") < overview.index("mayo de 2024")  # newest first
    assert mexico.count('class="sev-') == 1 and "Mexico fell 60.2%" in mexico
    assert page.count('class="sev-') == 2 and "(darien-new)" in page
    html = report_html(store, "en")
    assert html.count('class="sev-') == 2 + 2  # the list, and each checkpoint's own


def test_a_year_as_to_means_its_december(small_store: Store) -> None:
    # as in Store.flows and the API: from 2023-06 to 2023 is June to December
    d = views.checkpoint_detail(small_store, "darien", "en", start="2023-06", end="2023")
    assert d["span"] == "June 2023 to December 2023"


def test_along_the_corridor_with_no_one_upstream(tmp_path: Path) -> None:
    # AFG counted as 0 in the Darién and 5 a month in Honduras: no ratio, and no 500
    import csv

    months = pd.date_range("2022-01", periods=20, freq="MS")
    files = []
    for name, header, rows in (
        ("irreg_darien_nat.csv", ["t", "q", "nat", "n"],
         [[f"{m:%Y-%m-%d}", f"{m:%Y-%m-%d}", nat, n] for m in months
          for nat, n in (("VEN", 100), ("AFG", 0))]),
        ("irreg_honduras_nat.csv", ["t", "nat", "n"],
         [[f"{m:%Y-%m-%d}", nat, n] for m in months for nat, n in (("VEN", 80), ("AFG", 5))]),
    ):  # fmt: skip
        with (tmp_path / name).open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([header, *rows])
        files.append(tmp_path / name)
    from corridor.store import ingest

    ingest(tmp_path / "c.duckdb", files)
    rows = views.along_corridor(Store(tmp_path / "c.duckdb"), "AFG", "en")
    assert [r["ratio"] for r in rows] == ["– (20 months both cover)"]


def test_top_nationalities_name_the_months_they_cover(tmp_path: Path) -> None:
    # totals from 2020, the breakdown by nationality only from 2021 (as Honduras: 2014 / 2018)
    import csv

    from corridor.store import ingest

    total = tmp_path / "irreg_honduras.csv"
    by_nat = tmp_path / "irreg_honduras_nat.csv"
    with total.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [
                ["t", "n"],
                *[[f"{m:%Y-%m-%d}", 100] for m in pd.date_range("2020-01", "2021-12", freq="MS")],
            ]
        )
    with by_nat.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [
                ["t", "nat", "n"],
                *[
                    [f"{m:%Y-%m-%d}", "VEN", 100]
                    for m in pd.date_range("2021-01", "2021-12", freq="MS")
                ],
            ]
        )
    ingest(tmp_path / "c.duckdb", [total, by_nat])
    d = views.checkpoint_detail(Store(tmp_path / "c.duckdb"), "honduras", "en")
    assert [r["count"] for r in d["top"]] == ["1,200"]
    assert d["span"] == "January 2021 to December 2021"  # the heading of the top table


def test_cached_forecast_follows_a_store_replaced_with_the_same_mtime(tmp_path: Path) -> None:
    # e.g. a backup restored with `cp -p`/rsync -a: the mtime alone does not tell the stores apart
    import csv
    import os

    from corridor.analysis.series import checkpoint
    from corridor.store import ingest

    (tmp_path / "a").mkdir()
    store = build_small_store(tmp_path / "a")
    darien = checkpoint("darien")
    before = views.forecast_of(store, darien, "en")
    assert before is not None
    flat = tmp_path / "irreg_darien_nat.csv"
    with flat.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["t", "q", "nat", "n"], *[
            [f"{m:%Y-%m-%d}", f"{m:%Y-%m-%d}", "VEN", 5000]
            for m in pd.date_range("2022-01", periods=30, freq="MS")]])  # fmt: skip
    other = tmp_path / "b.duckdb"
    ingest(other, [flat])
    st = store.path.stat()
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, store.path)
    after = views.forecast_of(store, darien, "en")
    assert after is not None and round(float(after["mean"].iloc[0])) == 5000
