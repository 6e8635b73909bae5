"""The REST API on a small fixture store (no ../shared needed) and on the real data."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corridor.api import create_app
from corridor.store import ingest
from tests.conftest import FIXTURES

V1 = "/api/v1"


@pytest.fixture
def store(db: Path) -> Path:
    ingest(db, [FIXTURES / "cbp" / "valid.csv"])
    return db


@pytest.fixture
def client(store: Path) -> TestClient:
    return TestClient(create_app(store))


def test_flows_filters_group_and_notes(client: TestClient) -> None:
    r = client.get(f"{V1}/flows", params={"geo": "USA", "event": "apprehension", "by": "nat"})
    assert r.status_code == 200
    body = r.json()
    assert body["notes"] == []
    assert {row["nat"]: row["n"] for row in body["data"]} == {"MEX": 1204, "VEN": 310, "GTM": 57}
    r = client.get(f"{V1}/flows", params={"nat": "MEX,VEN", "from": "2023-12", "to": "2023-12"})
    assert r.json()["data"] == [{"period": "2023-12-01", "n": 1514}]
    r = client.get(f"{V1}/flows", params={"event": "encounters", "area": "southwest_land_border",
                                          "by": "year"})  # fmt: skip
    assert [row["year"] for row in r.json()["data"]] == [2023, 2024]


def test_csv_by_query_or_accept(client: TestClient) -> None:
    r = client.get(f"{V1}/flows", params={"by": "nat", "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["nat"]: int(row["n"]) for row in rows}["CHN"] == 88
    r = client.get(f"{V1}/checkpoints", headers={"Accept": "text/csv"})
    assert r.text.splitlines()[0].startswith("id,label,label_es")
    assert client.get(f"{V1}/flows", params={"format": "xml"}).status_code == 400


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        (f"{V1}/flows?by=bogus", 400, "cannot group by `bogus`"),
        (f"{V1}/flows?from=2024-13", 400, "out of range"),
        (f"{V1}/flows?freq=W", 400, "frequency `W`"),
        (f"{V1}/series/nowhere", 404, "unknown checkpoint `nowhere`"),
        (f"{V1}/revisions/nope", 404, "unknown source `nope`"),
        (f"{V1}/revisions/cbp.encounters", 400, "cbp.encounters"),  # one release only
        (f"{V1}/quality?release=nope", 400, "nope"),
        (f"{V1}/sql?q=SELECT 1&limit=0", 400, "limit"),
        (f"{V1}/sql?q=SELECT * FROM read_csv('/etc/passwd')", 400, "SQL failed"),
        (f"{V1}/sql?q=COPY flows TO '/tmp/corridor_api_leak.csv'", 400, "SQL failed"),
        (f"{V1}/trends/nowhere", 404, "unknown checkpoint"),
        (f"{V1}/trends/us_southwest?from=2030-01", 400, "between 2030-01 and the end"),
        (f"{V1}/series/darien?format=csv", 200, "month,n"),
        (f"{V1}/forecasts/nowhere", 404, "unknown checkpoint"),
        (f"{V1}/forecasts/darien?model=bogus", 400, "unknown model `bogus`"),
        (f"{V1}/forecasts/darien?horizon=25", 400, "horizon"),
        (f"{V1}/forecasts/darien", 400, "no data for darien"),
        (f"{V1}/backtests?horizons=a", 400, "horizons"),
        (f"{V1}/backtests?models=", 400, "models: name at least one"),
        (f"{V1}/backtests?checkpoint=us_southwest&models=naive&from=foo", 400, "not a month"),
        (f"{V1}/backtests?checkpoint=nowhere", 404, "unknown checkpoint"),
        (f"{V1}/alerts?checkpoint=nowhere", 400, "unknown checkpoint"),
        (f"{V1}/alerts", 200, '"data":[]'),
        (f"{V1}/alerts?since=foo", 400, "not a month"),
    ],
)
def test_errors_are_one_json_line(client: TestClient, url: str, status: int, says: str) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text
    assert says in r.text
    assert "Traceback" not in r.text
    if status >= 400:
        assert set(r.json()) == {"error"}


def test_missing_store_is_503(tmp_path: Path) -> None:
    r = TestClient(create_app(tmp_path / "none.duckdb")).get(f"{V1}/flows")
    assert r.status_code == 503
    assert "no store at" in r.json()["error"]


def test_series_checkpoints_sources_releases(client: TestClient) -> None:
    r = client.get(f"{V1}/series/us_southwest", params={"nat": "mex"})
    body = r.json()
    assert body["unit"] == "events" and body["nat"] == "MEX"
    assert body["data"] == [{"month": "2023-12-01", "n": 1204.0}]
    ids = [cp["id"] for cp in client.get(f"{V1}/checkpoints").json()["data"]]
    assert ids[0] == "darien" and "us_southwest" in ids
    srcs = {s["source"]: s for s in client.get(f"{V1}/sources").json()["data"]}
    assert srcs["cbp.encounters"]["releases"] == 1 and srcs["cbp.encounters"]["url"]
    assert srcs["cbp.encounters"]["agency"] and srcs["cbp.encounters"]["geo"] == "USA"
    rel = client.get(f"{V1}/releases").json()["data"]
    assert rel[0]["source"] == "cbp.encounters" and "T" in rel[0]["ingested_at"]


def test_quality_and_revisions(client: TestClient, store: Path) -> None:
    q = client.get(f"{V1}/quality").json()
    assert q["releases"][0]["source"] == "cbp.encounters" and isinstance(q["data"], list)
    ingest(store, [FIXTURES / "cbp" / "revised.csv"])
    rev = client.get(f"{V1}/revisions/cbp.encounters").json()
    assert rev["summary"].startswith("cbp.encounters:") and rev["cells"]
    cells = client.get(f"{V1}/revisions/cbp.encounters?cells=true&format=csv").text
    assert cells.splitlines()[0].endswith("kind") or "kind" in cells.splitlines()[0]


def test_sql_is_read_only_and_limited(client: TestClient) -> None:
    body = client.get(f"{V1}/sql", params={"q": "SELECT * FROM flows;", "limit": 2}).json()
    assert len(body["data"]) == 2 and body["truncated"] is True
    r = client.get(f"{V1}/sql", params={"q": "DELETE FROM flows"})
    assert r.status_code == 400
    assert not Path("/tmp/corridor_api_leak.csv").exists()
    n = client.get(f"{V1}/sql", params={"q": "SELECT count(*) AS n FROM flows"}).json()
    assert n["data"][0]["n"] > 0


def test_cache_etag_and_new_release(client: TestClient, store: Path) -> None:
    url = f"{V1}/flows?by=nat"
    first = client.get(url)
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    # An ingest (a new release) changes the answer and so the ETag.
    ingest(store, [FIXTURES / "cbp" / "revised.csv"])
    second = client.get(url, headers={"If-None-Match": etag})
    assert second.status_code == 200 and second.headers["etag"] != etag
    assert second.json() != first.json()


def test_store_replaced_while_serving(client: TestClient, store: Path, tmp_path: Path) -> None:
    client.get(f"{V1}/flows")
    other = tmp_path / "other.duckdb"
    ingest(other, [FIXTURES / "cbp" / "revised.csv"])
    shutil.move(other, store)  # what an ingest into a copy then rename does
    mex = client.get(f"{V1}/flows?nat=MEX&by=nat").json()["data"]
    assert mex and mex[0]["n"] != 1204


def test_gzip_and_cache_hits_answer_the_same(client: TestClient) -> None:
    first = client.get(f"{V1}/sources", headers={"Accept-Encoding": "gzip"})
    hit = client.get(f"{V1}/sources", headers={"Accept-Encoding": "gzip"})  # from the cache
    assert first.headers["content-encoding"] == hit.headers["content-encoding"] == "gzip"
    assert first.json() == hit.json() and first.headers["etag"] == hit.headers["etag"]
    plain = client.get(f"{V1}/sources", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == first.json()
    as_csv = client.get(f"{V1}/sources", headers={"Accept": "text/csv"})
    assert as_csv.text.startswith("source,") and as_csv.headers["etag"] != first.headers["etag"]


def test_without_cache(store: Path) -> None:
    client = TestClient(create_app(store, cache_size=0))
    a, b = client.get(f"{V1}/flows?by=nat"), client.get(f"{V1}/flows?by=nat")
    assert a.json() == b.json() and a.headers["etag"] == b.headers["etag"]


def test_openapi_lists_routes_and_docs_are_local(client: TestClient) -> None:
    paths = set(client.get(f"{V1}/openapi.json").json()["paths"])
    for route in (
        "flows",
        "series/{checkpoint_id}",
        "checkpoints",
        "sources",
        "releases",
        "quality",
        "revisions/{source}",
        "sql",
        "trends/{checkpoint_id}",
        "corridor",
        "forecasts/{checkpoint_id}",
        "backtests",
        "alerts",
    ):
        assert f"{V1}/{route}" in paths  # fmt: skip
    html = client.get("/docs").text
    assert "swagger-ui-bundle.js" in html
    assert not re.findall(r"https?://", html), "docs must not load anything from another host"
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc").status_code == 404


def test_real_data(shared_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "real.duckdb"
    ingest(db, sorted((shared_data / "real").glob("*.csv")))
    client = TestClient(create_app(db))
    params = {
        "geo": "PAN",
        "event": "irregular_transit",
        "from": "2023",
        "to": "2023",
        "by": "year",
    }
    darien = client.get(f"{V1}/flows", params=params)
    assert darien.json()["data"] == [{"year": 2023, "n": 520085}]
    series = client.get(f"{V1}/series/darien", params={"from": "2023-01", "to": "2023-12"})
    assert sum(row["n"] for row in series.json()["data"]) == 520085
    trends = client.get(f"{V1}/trends/us_southwest").json()
    assert trends["statements"] and trends["unit"] == "events"
    view = client.get(f"{V1}/corridor", params={"nat": "VEN", "from": "2023-01"}).json()
    assert view["nat"] == "VEN" and view["data"]
    assert client.get(f"{V1}/corridor?format=csv&from=2023-01").text.startswith("month,")
    assert client.get(f"{V1}/quality").json()["releases"]
    fc = client.get(f"{V1}/forecasts/darien", params={"horizon": 3}).json()
    assert len(fc["data"]) == 3 and fc["last_month"] and fc["model"]
    assert all(r["lo95"] <= r["lo80"] <= r["mean"] <= r["hi80"] <= r["hi95"] for r in fc["data"])
    params = {"checkpoint": "honduras", "models": "naive", "horizons": "1"}
    scores = client.get(f"{V1}/backtests", params=params).json()["data"]
    assert [(r["series"], r["model"], r["horizon"]) for r in scores] == [("honduras", "naive", 1)]
    assert scores[0]["mape"] == pytest.approx(29.8, abs=0.1)  # as in analysis.series


def test_repeated_parameter_in_another_order_is_another_answer(client: TestClient) -> None:
    # FastAPI reads the last of repeated values, so the order is part of the question.
    first = client.get(f"{V1}/flows?nat=MEX&nat=VEN&by=nat").json()["data"]
    second = client.get(f"{V1}/flows?nat=VEN&nat=MEX&by=nat").json()["data"]
    assert [r["nat"] for r in first] == ["VEN"]
    assert [r["nat"] for r in second] == ["MEX"]


def test_openapi_documents_csv_and_the_error_shape(client: TestClient) -> None:
    paths = client.get(f"{V1}/openapi.json").json()["paths"]
    for route in ("flows", "series/{checkpoint_id}", "trends/{checkpoint_id}", "corridor",
                  "forecasts/{checkpoint_id}", "backtests", "alerts"):  # fmt: skip
        responses = paths[f"{V1}/{route}"]["get"]["responses"]
        assert {"application/json", "text/csv"} <= set(responses["200"]["content"]), route
        error = responses["400"]["content"]["application/json"]["schema"]
        assert error["properties"] == {"error": {"type": "string"}}, route
    assert "404" in paths[f"{V1}/series/{{checkpoint_id}}"]["get"]["responses"]


def test_backtests_by_default_score_the_checkpoints_that_have_data(tmp_path: Path) -> None:
    from tests.web.conftest import build_small_store  # Darién, Honduras, Mexico only

    client = TestClient(create_app(build_small_store(tmp_path).path))
    r = client.get(f"{V1}/backtests", params={"models": "naive", "horizons": "1"})
    assert r.status_code == 200, r.text
    assert {row["series"] for row in r.json()["data"]} == {"darien", "honduras", "mexico"}
    # a checkpoint asked for by name still has to have data
    r = client.get(f"{V1}/backtests", params={"checkpoint": "us_southwest", "models": "naive"})
    assert r.status_code == 400 and "no data for us_southwest" in r.json()["error"]


def test_cache_hits_read_headers_as_the_app_does(client: TestClient) -> None:
    # two Accept headers: the app reads the first (CSV); a cache hit must answer the same
    client.get(f"{V1}/checkpoints")  # caches the JSON answer
    twice = [("accept", "text/csv"), ("accept", "application/json")]
    for _ in range(2):  # a miss, then a hit
        r = client.get(f"{V1}/checkpoints", headers=twice)
        assert r.headers["content-type"].startswith("text/csv")
