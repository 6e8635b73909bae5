"""``corridor fetch`` against a local server playing CBP's site and a paged JSON API."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from corridor.errors import InputError
from corridor.fetch import USER_AGENT, Client, FetchError, fetch, mirrored
from corridor.sources import registry
from corridor.sources.base import Publication, SourceInfo
from corridor.sources.document import DocumentSource, Parsed, Probe, canonical_frame
from corridor.store import Store
from tests.cli.test_cli import CMD
from tests.conftest import FIXTURES, digest
from tests.fetch.server import Route, Site, serve

VALID = (FIXTURES / "cbp" / "valid.csv").read_bytes()
PAGE = "/document/stats/nationwide-encounters"
FILE = "/sites/default/files/assets/documents/2024-Feb/nationwide-encounters-fy23-fy24-aor.csv"
OLD = "/sites/default/files/assets/documents/2021-Oct/nationwide-encounters-fy19-fy21-aor.csv"


def cbp_page(*links: str) -> Route:
    items = "".join(f'<li><a href="{link}">CSV</a></li>' for link in links)
    html = f"<html><body><h1>Nationwide Encounters</h1><ul>{items}</ul>" \
        '<a href="/about">About CBP</a></body></html>'  # fmt: skip
    return Route(html.encode(), "text/html; charset=utf-8")


def client() -> Client:
    return Client(timeout=5, retries=2, delay=0, sleep=lambda _s: None)


def run_fetch(site: Site, db: Path, **kw: object) -> list:  # type: ignore[type-arg]
    with client() as http:
        return fetch(db, ["cbp.encounters"], mirror=site.base, client=http, **kw)  # type: ignore[arg-type]


def test_fetch_discovers_downloads_archives_and_ingests(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with serve({PAGE: cbp_page(FILE, "/about"), FILE: Route(VALID, "text/csv")}) as site:
        (got,) = run_fetch(site, db)
        assert got.status == "new" and got.ingest is not None
        assert got.ingest.release_id.startswith("cbp.encounters@")
        assert got.path is not None and got.path.read_bytes() == VALID
        assert got.path.parent.parent == tmp_path / "archive" / "cbp.encounters"
        assert got.path.name == "nationwide-encounters-fy23-fy24-aor.csv"
        # polite: our user agent on every request
        assert all(h.get("User-Agent") == USER_AGENT for _, h in site.requests)
        (again,) = run_fetch(site, db)
    assert again.status == "unchanged"
    assert Store(db).releases()["release_id"].tolist() == [got.ingest.release_id]
    assert int(Store(db).sql("SELECT sum(n) FROM flows").iat[0, 0]) == 1662


def test_fetch_retries_server_errors(tmp_path: Path) -> None:
    routes = {PAGE: cbp_page(FILE), FILE: Route(VALID, failures=[503, 502])}
    with serve(routes) as site:
        (got,) = run_fetch(site, tmp_path / "s.duckdb")
        assert got.status == "new"
        assert site.hits(FILE) == 3


def test_fetch_gives_up_after_retries(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with (
        serve({PAGE: cbp_page(FILE), FILE: Route(VALID, failures=[503] * 5)}) as site,
        pytest.raises(FetchError, match=r"HTTP 503 \(3 attempts\)"),
    ):
        run_fetch(site, db)
    assert digest(db) is None


def test_cut_download_is_not_a_release(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with (
        serve({PAGE: cbp_page(FILE), FILE: Route(VALID, truncate=True)}) as site,
        pytest.raises(FetchError, match=r"broke off|announced"),
    ):
        run_fetch(site, db)
    assert digest(db) is None
    assert not [p for p in (tmp_path / "archive").rglob("*") if p.is_file()]


def test_missing_file_and_changed_page(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with serve({PAGE: cbp_page(FILE)}) as site, pytest.raises(FetchError, match="HTTP 404"):
        run_fetch(site, db)
    with (
        serve({PAGE: cbp_page("/data/encounters.xlsx")}) as site,
        pytest.raises(FetchError, match=r"no link matches .* publication page changed"),
    ):
        run_fetch(site, db)


def test_since_skips_old_years_and_asks_if_modified(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    routes = {PAGE: cbp_page(OLD, FILE), FILE: Route(VALID), OLD: Route(b"x")}
    with serve(routes) as site:
        old, new = run_fetch(site, db, since=date(2023, 1, 1))
        assert old.status == "skipped (before --since)" and site.hits(OLD) == 0
        assert new.status == "new"
        assert any("If-Modified-Since" in h for p, h in site.requests if p == FILE)
        # the server's copy (Nov 2023) is older than --since: 304, nothing downloaded
        (_, again) = run_fetch(site, db, since=date(2024, 6, 1))
        assert again.status == "not modified"


def test_bad_file_keeps_download_and_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    broken = VALID.replace(b"Southwest Land Border", b"Southwest Land Bordr", 1)
    with (
        serve({PAGE: cbp_page(FILE), FILE: Route(broken)}) as site,
        pytest.raises(InputError, match=r"nationwide-encounters-fy23-fy24-aor\.csv, row"),
    ):
        run_fetch(site, db)
    assert digest(db) is None
    kept = [p for p in (tmp_path / "archive").rglob("*.csv")]
    assert len(kept) == 1 and kept[0].read_bytes() == broken


def test_mirrored_keeps_path_and_query() -> None:
    url = "https://api.example.org/population/v1/population/?limit=2&page=1"
    assert (
        mirrored(url, "http://127.0.0.1:9/m")
        == "http://127.0.0.1:9/m/population/v1/population/?limit=2&page=1"
    )
    assert mirrored(url, None) == url
    assert (
        mirrored("http://127.0.0.1:9/m/x.csv", "http://127.0.0.1:9/m")
        == "http://127.0.0.1:9/m/x.csv"
    )


class PagedJson(DocumentSource):
    """A toy paged API (``{"page":..,"maxPages":..,"items":[..]}``) to test paging."""

    info = SourceInfo(
        id="toy.api", title="Toy API", publisher="Tests", geo="COL", group="COL.toy",
        dims=frozenset({"nat"}),
        publication=Publication("https://api.example.org/v1/stock/?limit=2", save_as="stock.json"),
    )  # fmt: skip

    def sniff(self, probe: Probe) -> bool:
        return probe.suffix == ".json" and '"maxPages"' in probe.text

    def parse(self, path: Path) -> Parsed:
        items = json.loads(path.read_text())["items"]
        rows = canonical_frame(
            ({"period": date(i["year"], 1, 1), "nat": i["coo"], "n": i["n"]} for i in items),
            freq="A", geo="COL", agency="UNHCR", event="irregular_presence", unit="persons",
        )  # fmt: skip
        return Parsed(rows)


def test_json_api_is_followed_page_by_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = PagedJson()
    monkeypatch.setitem(registry.SOURCES, src.info.id, src)
    pages = {
        1: [{"year": 2023, "coo": "VEN", "n": 10}, {"year": 2023, "coo": "HTI", "n": 5}],
        2: [{"year": 2023, "coo": "CUB", "n": 1}],
    }
    routes = {
        "/v1/stock/?limit=2" if p == 1 else f"/v1/stock/?limit=2&page={p}": Route(
            json.dumps({"page": p, "maxPages": 2, "items": items}).encode(), "application/json"
        )
        for p, items in pages.items()
    }
    db = tmp_path / "s.duckdb"
    with serve(routes) as site, client() as http:
        got = fetch(db, ["toy.api"], mirror=site.base, client=http)
    (merged,) = got
    assert merged.path is not None and merged.path.name == "stock.json"
    assert len(json.loads(merged.path.read_text())["items"]) == 3
    kept = sorted(p.name for p in (tmp_path / "archive" / "toy.api").rglob("*.json"))
    assert kept == ["stock-p2.json", "stock.json", "stock.json"]  # both pages + the merge
    assert int(Store(db).sql("SELECT sum(n) FROM flows").iat[0, 0]) == 16


def test_unfetchable_source_says_so(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="no known publication address"):
        fetch(tmp_path / "s.duckdb", ["gdidata.irreg_usa"])


def test_cli_fetch_against_local_server(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with serve({PAGE: cbp_page(FILE), FILE: Route(VALID)}) as site:
        args = [*CMD, "fetch", "cbp.encounters", "--db", str(db), "--mirror", site.base,
                "--delay", "0", "-f", "csv"]  # fmt: skip
        proc = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert ",new,cbp.encounters@" in proc.stdout
    listed = subprocess.run([*CMD, "fetch", "--list", "-f", "csv"], capture_output=True,
                            text=True, timeout=120, check=False)  # fmt: skip
    assert "cbp.encounters" in listed.stdout and "https://www.cbp.gov/" in listed.stdout


def test_every_publication_is_well_formed() -> None:
    import re

    from corridor.fetch import fetchable

    sources = fetchable()
    assert len(sources) >= 3
    for src in sources:
        pub = src.info.publication
        assert pub is not None and pub.page.startswith("https://"), src.info.id
        re.compile(pub.links)  # a broken pattern would only fail on the day of a fetch
        assert src.info.agency and src.info.events, src.info.id


def test_fetch_agency_workbooks_and_pdf(tmp_path: Path) -> None:
    """SNM's statistics page links yearly PDFs and workbooks: both are fetched and ingested."""
    snm = FIXTURES / "snm_darien"
    xlsx = "/wp-content/uploads/2024/01/irregulares-por-darien-2023.xlsx"
    pdf = "/wp-content/uploads/2024/01/irregulares-darien-2023.pdf"
    routes = {
        "/estadisticas/": cbp_page(xlsx, pdf, "/wp-content/uploads/2024/01/informe-anual.pdf"),
        xlsx: Route((snm / "year_2023.xlsx").read_bytes()),
        pdf: Route((snm / "pdf_direct.pdf").read_bytes(), "application/pdf"),
    }
    db = tmp_path / "s.duckdb"
    with serve(routes) as site, client() as http:
        got = fetch(db, ["snm.darien_nat"], mirror=site.base, client=http)
    assert [g.status for g in got] == ["new", "new"]
    # both files hold 2023: the later release supersedes, the year is counted once
    assert int(Store(db).flows(geo="PAN", by=[])["n"].sum()) == 520_085


def test_year_pages_from_since_or_last_year() -> None:
    from corridor.fetch.fetcher import discover
    from corridor.sources.base import Publication

    pub = Publication("https://example.org/tables?Anual={year}&Secc=3", links=r"\.xlsx$")
    page = '<a href="/files/cuadro_3.1.1_{y}.xlsx">3.1.1</a>'
    with (
        serve(
            {
                f"/tables?Anual={y}&Secc=3": Route(page.format(y=y).encode(), "text/html")
                for y in (2023, 2024, 2025)
            }
        ) as site,
        client() as http,
    ):
        default = discover(http, pub, site.base, lambda _m: None, today=date(2025, 2, 1))
        since = discover(http, pub, site.base, lambda _m: None, since=date(2023, 6, 1),
                         today=date(2025, 2, 1))  # fmt: skip
    assert [u.rsplit("/", 1)[1] for u in default] == ["cuadro_3.1.1_2024.xlsx",
                                                      "cuadro_3.1.1_2025.xlsx"]  # fmt: skip
    assert len(since) == 3
