"""UNHCR population API pages and Refugee Data Finder CSVs: quirks, totals, layout changes, CLI.

The stock events these connectors write are not yet in ``schema.EVENTS``: until
they are, the ``stock_events`` fixture adds them to the contract check for the
duration of each test (``test_events_are_in_the_contract`` says when to drop it).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from typer.testing import CliRunner

from corridor.canonical import schema, validate
from corridor.cli.main import app
from corridor.errors import InputError
from corridor.fetch import fetch
from corridor.sources import registry
from corridor.sources.document import Probe
from corridor.sources.unhcr import API_PAGE, FINDER_CSV, GROUP, PROPOSED_EVENTS
from corridor.sources.unhcr.api import PUBLICATION
from corridor.sources.unhcr.events import FIELD_EVENTS
from corridor.store import Store, ingest
from tests.conftest import FIXTURES, digest
from tests.fetch.server import Route, serve
from tests.fetch.test_fetch import client
from tests.sources.test_snm_darien_cli import corridor

HERE = FIXTURES / "unhcr"
DASHES = HERE / "api_string_numbers_and_dashes.json"
PAGE1 = HERE / "api_page_1_of_2.json"
PAGE2 = HERE / "api_page_2_of_2.json"
NO_ORIGIN = HERE / "api_origin_not_broken_down.json"
METADATA = HERE / "finder_metadata_lines_before_header.csv"
VDA = HERE / "finder_venezuelans_displaced_abroad.csv"
#: fixture -> (source, persons stored = the file's counts without the host community)
EXPECTED = {
    DASHES: ("unhcr.population_api", 12_236_649),
    PAGE1: ("unhcr.population_api", 1_276_450),
    PAGE2: ("unhcr.population_api", 414_863),
    NO_ORIGIN: ("unhcr.population_api", 3_114_413),
    METADATA: ("unhcr.population_finder", 12_942_258),
    VDA: ("unhcr.population_finder", 12_750_045),
}
API_FIELDS = tuple(FIELD_EVENTS)
FINDER_FIELDS = {
    "Refugees under UNHCR's mandate": "refugees", "Asylum-seekers": "asylum_seekers",
    "Returned refugees": "returned_refugees", "IDPs of concern to UNHCR": "idps",
    "Returned IDPss": "returned_idps", "Stateless persons": "stateless",
    "Others of concern": "ooc", "Other people in need of international protection": "oip",
    "Venezuelans displaced abroad": "oip",
}  # fmt: skip


@pytest.fixture(autouse=True)
def stock_events(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let the contract check accept the proposed events until schema.EVENTS has them."""
    if not PROPOSED_EVENTS <= schema.EVENTS:
        monkeypatch.setitem(validate._VOCAB, "event", schema.EVENTS | PROPOSED_EVENTS)
    yield


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in Store(db).sql(sql).itertuples(index=False)]


def file_sums(path: Path) -> dict[str, int]:
    """The file's own total per population field, added up without corridor."""
    sums = dict.fromkeys(API_FIELDS, 0)
    if path.suffix == ".json":
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            for f in API_FIELDS:
                value = item.get(f)
                sums[f] += 0 if value in (None, "-") else int(value)
        return sums
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Year,"))
    for row in csv.DictReader(io.StringIO("\n".join(lines[start:]))):
        for column, f in FINDER_FIELDS.items():
            if column in row:
                sums[f] += int(row[column])
    return sums


def changed(tmp_path: Path, fixture: Path, old: str, new: str) -> Path:
    text = fixture.read_text(encoding="utf-8")
    assert old in text, old
    out = tmp_path / fixture.name
    out.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")
    return out


def fails(db: Path, *paths: Path) -> str:
    with pytest.raises(InputError) as err:
        ingest(db, list(paths))
    assert digest(db) is None
    return str(err.value)


# -- every fixture ---------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", list(EXPECTED), ids=lambda p: p.name)
def test_fixture_ingests_with_its_own_totals(fixture: Path, db: Path) -> None:
    source, total = EXPECTED[fixture]
    assert registry.sniff(Probe.read(fixture)).info.id == source  # type: ignore[union-attr]
    sums = file_sums(fixture)
    assert sum(sums.values()) == total
    (res,) = ingest(db, [fixture])
    assert (res.source, res.status, res.total) == (source, "new", total)
    by_event = dict(rows(db, "SELECT event, sum(n) FROM flows GROUP BY 1"))  # type: ignore[arg-type]
    expected = {FIELD_EVENTS[f]: n for f, n in sums.items() if n}
    assert by_event == expected
    assert rows(db, "SELECT DISTINCT agency, unit, freq, area, place FROM flows") == [
        ("UNHCR", "persons", "A", "", "")
    ]
    assert rows(db, "SELECT count(*) FROM flows WHERE month(period) <> 1 OR day(period) <> 1") == [
        (0,)
    ]
    assert rows(
        db, "SELECT count(*) FILTER (WHERE published <> computed) FROM declared_totals"
    ) == [(0,)]


def test_both_connectors_are_one_overlap_group() -> None:
    assert API_PAGE.info.group == FINDER_CSV.info.group == GROUP
    assert API_PAGE.info.dims == FINDER_CSV.info.dims == frozenset({"nat"})
    assert API_PAGE.info.events == FINDER_CSV.info.events == PROPOSED_EVENTS
    assert API_PAGE.info.agency == FINDER_CSV.info.agency == "UNHCR"
    assert PUBLICATION.page.startswith("https://api.unhcr.org/population/v1/population/?")


def test_events_are_in_the_contract() -> None:
    missing = sorted(PROPOSED_EVENTS - schema.EVENTS)
    if missing:
        pytest.skip(f"add to corridor.canonical.schema.EVENTS: {', '.join(missing)}")
    assert PROPOSED_EVENTS <= schema.EVENTS


# -- one test per quirk ------------------------------------------------------------------------


def test_numbers_as_strings_dashes_and_null(db: Path) -> None:
    (res,) = ingest(db, [DASHES])
    assert "3 counts written `-` are read as 0" in res.notes
    # geo = country of asylum, nat = origin; `"2875743"` is a number; null is 0
    got = rows(db, "SELECT geo, nat, event, n FROM flows WHERE geo IN ('COL', 'ECU') ORDER BY ALL")
    assert got == [
        ("COL", "COL", "idp_stock", 6885000),
        ("COL", "VEN", "asylum_seeker_stock", 13580),
        ("COL", "VEN", "oip_stock", 2875743),
        ("COL", "VEN", "refugee_stock", 4155),
        ("ECU", "VEN", "oip_stock", 363948),
        ("ECU", "VEN", "refugee_stock", 80011),
    ]
    assert "120,000 host community members are not stored (not a count of migrants)" in res.notes
    assert rows(db, "SELECT what, published, computed FROM declared_totals") == [
        ("items in the answer (`total`)", 6, 6)
    ]


def test_page_2_of_2_alone(db: Path) -> None:
    (res,) = ingest(db, [PAGE2])
    assert any(n.startswith("page 2 of 2: ingest every page") for n in res.notes)
    # UNHCR's own codes (`HON`, `STA`) are ignored for the ISO ones; stateless is STL
    assert rows(db, "SELECT geo, nat, event, n FROM flows WHERE nat IN ('HND', 'STL') "
                    "ORDER BY ALL") == [
        ("MEX", "STL", "stateless_stock", 13),
        ("USA", "HND", "asylum_seeker_stock", 301910),
        ("USA", "HND", "refugee_stock", 11270),
    ]  # fmt: skip
    assert rows(db, "SELECT count(*) FROM declared_totals") == [(0,)]  # `total` counts all pages


def test_pages_fetched_are_merged_into_one_release(db: Path, tmp_path: Path) -> None:
    parts = urlsplit(PUBLICATION.page)
    query = dict(parse_qsl(parts.query))
    routes = {
        f"{parts.path}?{parts.query}": Route(PAGE1.read_bytes(), "application/json"),
        f"{parts.path}?{urlencode({**query, 'page': '2'})}": Route(
            PAGE2.read_bytes(), "application/json"
        ),
    }
    with serve(routes) as site, client() as http:
        (got,) = fetch(db, ["unhcr.population_api"], mirror=site.base, client=http)
    assert got.path is not None and got.path.name == "unhcr_population.json"
    assert got.ingest is not None and got.ingest.total == 1_276_450 + 414_863
    # one release: the USA rows of both pages are all in `flows`
    assert rows(db, "SELECT nat, sum(n) FROM flows WHERE geo = 'USA' GROUP BY 1 ORDER BY 1") == [
        ("GTM", 341980), ("HND", 313180), ("VEN", 558530),
    ]  # fmt: skip
    assert rows(db, "SELECT published, computed FROM declared_totals") == [(9, 9)]


def test_origin_not_broken_down_is_unknown(db: Path) -> None:
    (res,) = ingest(db, [NO_ORIGIN])
    assert "2 rows are not broken down by origin (`-`): nat UNK" in res.notes
    assert rows(db, "SELECT DISTINCT nat FROM flows") == [("UNK",)]


def test_metadata_lines_before_the_header(db: Path) -> None:
    (res,) = ingest(db, [METADATA])
    assert any(n.startswith("3 line(s) about the extraction before the table") for n in res.notes)
    sql = "SELECT year(period), n FROM flows WHERE geo = 'COL' AND nat = 'VEN' AND event = '{}'"
    assert rows(db, sql.format("oip_stock") + " ORDER BY 1") == [(2022, 2460000), (2023, 2875743)]
    # returns are stored too, as returns during the year
    assert rows(db, "SELECT geo, nat, n FROM flows WHERE event = 'refugee_return'") == [
        ("GTM", "GTM", 1250)
    ]


def test_venezuelans_displaced_abroad_is_the_old_oip_column(db: Path) -> None:
    (res,) = ingest(db, [VDA])
    assert ("older column spellings: `Venezuelans displaced abroad` for `Other people in need "
            "of international protection`") in res.notes  # fmt: skip
    assert rows(db, "SELECT year(period), geo, n FROM flows WHERE event = 'oip_stock' "
                    "ORDER BY ALL") == [(2019, "COL", 1771237), (2020, "COL", 1715831),
                                        (2020, "PER", 477700)]  # fmt: skip
    assert rows(db, "SELECT geo, n FROM flows WHERE nat = 'STL'") == [("PAN", 12)]


def test_api_and_finder_in_one_store_are_not_added_together(db: Path) -> None:
    ingest(db, [DASHES, METADATA])
    got = Store(db).flows(geo="COL", nat="VEN", event="oip_stock", freq="A", by=("period",))
    assert got["n"].tolist() == [2460000, 2875743]  # 2023 once, not twice


# -- layout changes and bad values: a clear message, nothing written ---------------------------


def test_api_new_field(db: Path, tmp_path: Path) -> None:
    path = changed(tmp_path, DASHES, '"hst":"-"', '"hst":"-","unrwa_refugees":0')
    msg = fails(db, path)
    assert "row 1, column `unrwa_refugees`, value `0`: unexpected field `unrwa_refugees` in " \
        "item 1 — the API changed" in msg  # fmt: skip


def test_api_renamed_field(db: Path, tmp_path: Path) -> None:
    text = DASHES.read_text(encoding="utf-8").replace('"coa_iso"', '"coa_iso3"')
    path = tmp_path / DASHES.name
    path.write_text(text, encoding="utf-8")
    assert "unexpected field `coa_iso3` in item 1 — the API changed" in fails(db, path)


def test_api_unknown_code_and_name(db: Path, tmp_path: Path) -> None:
    path = changed(tmp_path, DASHES, '"coo_name":"Nicaragua","coo":"NIC","coo_iso":"NIC"',
                   '"coo_name":"Nicaragüita","coo":"NIX","coo_iso":"NIX"')  # fmt: skip
    msg = fails(db, path)
    assert "row 5, column `coo_name`, value `Nicaragüita`: unknown country" in msg


def test_api_bad_count(db: Path, tmp_path: Path) -> None:
    msg = fails(db, changed(tmp_path, DASHES, '"refugees":"4155"', '"refugees":"4155.5"'))
    assert "row 1, column `refugees`, value `4155.5`: not a count" in msg


def test_api_not_json(db: Path, tmp_path: Path) -> None:
    path = changed(tmp_path, DASHES, '"items":[', '"items":[,')
    assert "not JSON" in fails(db, path)


def test_api_without_asylum_breakdown(db: Path, tmp_path: Path) -> None:
    path = changed(tmp_path, NO_ORIGIN, '"coa_name":"Colombia","coa":"COL","coa_iso":"COL"',
                   '"coa_name":"-","coa":"-","coa_iso":"-"')  # fmt: skip
    msg = fails(db, path)
    assert "no country of asylum" in msg and "coa_all=true" in msg


def test_finder_renamed_column(db: Path, tmp_path: Path) -> None:
    path = changed(tmp_path, METADATA, "Country of asylum (ISO),", "Asylum country (ISO),")
    msg = fails(db, path)
    assert "row 5, column `Asylum country (ISO)`, value `Asylum country (ISO)`: unexpected " \
        "column `Asylum country (ISO)` — the layout changed" in msg  # fmt: skip


def test_finder_required_column_gone(db: Path, tmp_path: Path) -> None:
    path = changed(tmp_path, VDA, "Country of origin,Country of origin (ISO)", "Origin,Origin ISO")
    msg = fails(db, path)
    assert "column `Country of origin (ISO)` is missing; found `Origin` — the layout changed" in msg


def test_finder_new_population_column(db: Path, tmp_path: Path) -> None:
    path = changed(tmp_path, VDA, "Others of concern\n", "Others of concern,Returnees\n")
    assert "unexpected column `Returnees` — the layout changed" in fails(db, path)


def test_finder_duplicate_row(db: Path, tmp_path: Path) -> None:
    line = "2020,Venezuela (Bolivarian Republic of),VEN,Peru,PER,1230,496095,0,477700,0,0"
    path = changed(tmp_path, VDA, line, f"{line}\n{line}")
    msg = fails(db, path)
    assert "row 5, value `2020, VEN, PER`: the same year, origin and asylum as row 4" in msg


def test_finder_bad_year(db: Path, tmp_path: Path) -> None:
    path = changed(tmp_path, VDA, "2019,Venezuela", "FY19,Venezuela")
    assert "row 2, column `Year`, value `FY19`: not a year" in fails(db, path)


def test_broken_page_among_good_files_writes_nothing(db: Path, tmp_path: Path) -> None:
    bad = changed(tmp_path, PAGE2, '"refugees":11270', '"refugees":-5')
    fails(db, METADATA, PAGE1, bad)


# -- the command line ---------------------------------------------------------------------------


def test_cli_ingest_then_query(db: Path) -> None:
    runner = CliRunner()
    got = runner.invoke(app, ["ingest", str(METADATA), "--db", str(db)])
    assert got.exit_code == 0, got.output
    assert "unhcr.population_finder" in got.output
    got = runner.invoke(app, ["query", "--db", str(db), "--freq", "A", "--event", "oip_stock",
                              "--by", "geo,year", "-f", "csv"])  # fmt: skip
    assert got.exit_code == 0, got.output
    assert list(csv.DictReader(io.StringIO(got.output))) == [
        {"geo": "COL", "year": "2022", "n": "2460000"},
        {"geo": "COL", "year": "2023", "n": "2875743"},
        {"geo": "PAN", "year": "2023", "n": "146620"},
    ]


def test_cli_layout_change_is_one_clean_message(db: Path, tmp_path: Path) -> None:
    path = changed(tmp_path, DASHES, '"hst":"-"', '"hst":"-","unrwa_refugees":0')
    proc = corridor(db, "ingest", path)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "unexpected field `unrwa_refugees` in item 1 — the API changed" in proc.stderr
    assert digest(db) is None
