"""Pathway effects through the CLI, the API, the page and the report, on the real data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.store import Store, ingest
from corridor.web.report import report_html
from tests.web.conftest import make_app


@pytest.fixture(scope="module")
def usa(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from tests.conftest import SHARED

    path = SHARED / "real" / "irreg_usa.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is absent)")
    db: Path = tmp_path_factory.mktemp("pathways") / "c.duckdb"
    ingest(db, [path])
    return Store(db)


@pytest.fixture(scope="module")
def client(usa: Store) -> Iterator[TestClient]:
    with TestClient(make_app(usa)) as c:
        yield c


def test_cli(usa: Store) -> None:
    out = CliRunner().invoke(app, ["policy", "pathway", "chnv", "--db", str(usa.path)])
    assert out.exit_code == 0, out.output
    assert "Difference-in-differences" in out.output and "caveat:" in out.output
    got = json.loads(CliRunner().invoke(app, ["policy", "pathway", "chnv", "-f", "json",
                                              "--db", str(usa.path)]).output)  # fmt: skip
    assert got["treated"] == ["CUB", "HTI", "NIC", "VEN"] and got["caveats"]


def test_api(client: TestClient) -> None:
    ids = [p["id"] for p in client.get("/api/v1/policy/pathways").json()["data"]]
    assert "chnv" in ids
    got = client.get("/api/v1/policy/pathways/chnv?lang=es").json()
    assert got["statements"] and got["method"] and got["data"][0]["period"]
    assert client.get("/api/v1/policy/pathways/chnv?format=csv").text.startswith("period,")
    r = client.get("/api/v1/policy/pathways/chnv.toml")
    assert r.status_code == 400 and "unknown pathway" in r.json()["error"]


def test_page_and_report(client: TestClient, usa: Store) -> None:
    html = client.get("/policy?pathway=chnv&lang=en").text
    assert "Legal pathways: effect on encounters" in html
    assert '<figure id="pathway-chart"><svg' in html and "Caveats" in html
    assert "corridor policy pathway chnv --lang en" in html
    bad = client.get("/policy?pathway=nope")
    assert bad.status_code == 400 and "unknown pathway `nope`" in bad.text
    report = report_html(usa, "es")
    assert "Diferencia en diferencias" in report or "diferencia en diferencias" in report.lower()
