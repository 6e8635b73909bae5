"""The ingest path for document connectors (workbooks, PDF text, JSON), with a toy layout."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from corridor.errors import InputError, Location
from corridor.sources import registry
from corridor.sources.base import SourceInfo
from corridor.sources.document import (
    DeclaredTotal,
    DocumentSource,
    Parsed,
    Probe,
    canonical_frame,
    parse_count,
    read_text,
)
from corridor.store import Store, ingest
from tests.conftest import digest


class ToyTable(DocumentSource):
    """``TOY TABLE`` then lines ``YYYY-MM;ISO3;count`` and a ``TOTAL;count`` line."""

    info = SourceInfo(
        id="toy.table", title="Toy", publisher="Tests", geo="PAN", group="PAN.toy",
        dims=frozenset({"nat"}), agency="SNM", events=frozenset({"irregular_transit"}),
    )  # fmt: skip

    def sniff(self, probe: Probe) -> bool:
        return probe.first_line == "TOY TABLE"

    def parse(self, path: Path) -> Parsed:
        records, total, total_row = [], 0, 0
        for number, line in enumerate(read_text(path).splitlines(), start=1):
            cells = line.split(";")
            if cells[0] == "TOTAL":
                total = parse_count(cells[1], Location(str(path), number, "count"))
                total_row = number
            elif number > 1:
                where = Location(str(path), number, "count")
                records.append(
                    {"period": date.fromisoformat(cells[0] + "-01"), "nat": cells[1],
                     "n": parse_count(cells[2], where)}
                )  # fmt: skip
        rows = canonical_frame(
            records, freq="M", geo="PAN", agency="SNM", area="darien",
            event="irregular_transit", unit="persons",
        )  # fmt: skip
        computed = int(rows["n"].sum())
        extras = {"toy_points": pd.DataFrame({"label": ["a"], "lat": [8.5]})}
        return Parsed(
            rows, ["toy note"], [DeclaredTotal("TOTAL", None, total, computed,
                                               Location(str(path), total_row, "count"))],
            extras,
        )  # fmt: skip


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> ToyTable:
    src = ToyTable()
    monkeypatch.setitem(registry.SOURCES, src.info.id, src)
    return src


def test_document_rows_totals_and_extras_reach_the_store(toy: ToyTable, tmp_path: Path) -> None:
    f = tmp_path / "toy.txt"
    f.write_text("TOY TABLE\n2024-01;VEN;1,200\n2024-01;VEN;-\n2024-02;HTI;30\nTOTAL;1,231\n")
    db = tmp_path / "s.duckdb"
    (res,) = ingest(db, [f])
    assert (res.source, res.status, res.total, res.rows) == ("toy.table", "new", 1230, 2)
    assert res.notes == ["toy note"]
    store = Store(db)
    flows = store.sql("SELECT nat, n, event, area FROM flows ORDER BY nat")
    assert flows.values.tolist() == [["HTI", 30, "irregular_transit", "darien"],
                                     ["VEN", 1200, "irregular_transit", "darien"]]  # fmt: skip
    tot = store.sql("SELECT what, published, computed, file_row FROM declared_totals")
    assert tot.values.tolist() == [["TOTAL", 1231, 1230, 5]]
    pts = store.sql("SELECT source, label, lat FROM toy_points")
    assert pts.values.tolist() == [["toy.table", "a", 8.5]]
    # the same bytes again: nothing new
    (again,) = ingest(db, [f])
    assert again.status == "unchanged"


def test_bad_document_cell_writes_nothing(toy: ToyTable, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("TOY TABLE\n2024-01;VEN;5\nTOTAL;5\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("TOY TABLE\n2024-01;VEN;5\n2024-02;VEN;12.5\n")
    db = tmp_path / "s.duckdb"
    with pytest.raises(InputError) as err:
        ingest(db, [good, bad])
    assert str(err.value).startswith("bad.txt, row 3, column `count`, value `12.5`: not a count")
    assert digest(db) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,234", 1234), ("-", 0), ("", 0), ("12 345", 12345), ("7", 7), ("3\u00a0000", 3000)],
)
def test_parse_count_accepts_published_forms(text: str, expected: int) -> None:
    assert parse_count(text, Location()) == expected


@pytest.mark.parametrize("text", ["-3", "1,23", "abc", "1.5"])
def test_parse_count_rejects_the_rest(text: str) -> None:
    with pytest.raises(InputError):
        parse_count(text, Location("f.csv", 2, "n"))


def test_parse_count_preliminary_mark() -> None:
    assert parse_count("1,024p", Location(), marks="p") == 1024


class Snapshot(DocumentSource):
    """``SNAP`` then ``YYYY-MM;GEO;EVENT;n`` lines; a full snapshot when ``snapshot`` is set."""

    def __init__(self, snapshot: bool) -> None:
        self.info = SourceInfo(
            id="toy.snap", title="Toy", publisher="Tests", geo="", group="toy.snap",
            dims=frozenset({"nat"}), snapshot=snapshot,
        )  # fmt: skip

    def sniff(self, probe: Probe) -> bool:
        return probe.first_line == "SNAP"

    def parse(self, path: Path) -> Parsed:
        records = []
        for line in read_text(path).splitlines()[1:]:
            month, geo, event, n = line.split(";")
            records.append({"period": date.fromisoformat(month + "-01"), "geo": geo,
                            "event": event, "n": int(n)})  # fmt: skip
        return Parsed(
            canonical_frame(records, freq="M", agency="IOM-MMP", unit="persons", nat="UNK")
        )


@pytest.mark.parametrize(("snapshot", "expected"), [(True, 12), (False, 17)])
def test_snapshot_release_replaces_every_geo_of_its_periods(
    snapshot: bool, expected: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = Snapshot(snapshot)
    monkeypatch.setitem(registry.SOURCES, src.info.id, src)
    v1, v2 = tmp_path / "v1.txt", tmp_path / "v2.txt"
    v1.write_text("SNAP\n2024-03;PAN;death_missing;10\n2024-03;MEX;death_missing;5\n")
    # the MEX incident was withdrawn (or moved) in the newer download
    v2.write_text("SNAP\n2024-03;PAN;death_missing;12\n")
    db = tmp_path / "s.duckdb"
    ingest(db, [v1])
    ingest(db, [v2])
    assert int(Store(db).sql("SELECT sum(n) FROM flows").iat[0, 0]) == expected


def test_stocks_only_when_asked_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = Snapshot(False)
    monkeypatch.setitem(registry.SOURCES, src.info.id, src)
    f = tmp_path / "s.txt"
    f.write_text("SNAP\n2024-03;COL;irregular_transit;7\n2024-03;COL;refugee_stock;1000\n")
    db = tmp_path / "s.duckdb"
    ingest(db, [f])
    store = Store(db)
    assert int(store.flows(geo="COL", by=[])["n"].sum()) == 7
    assert int(store.flows(geo="COL", event="refugee_stock", by=[])["n"].sum()) == 1000


def test_unknown_workbook_and_pdf_are_named_as_such(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Something", "else"])  # type: ignore[union-attr]
    xlsx = tmp_path / "other.xlsx"
    book.save(xlsx)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n")
    for path, kind in ((xlsx, "workbook"), (pdf, "PDF")):
        with pytest.raises(InputError, match=f"no connector recognises this {kind}"):
            ingest(tmp_path / "s.duckdb", [path])
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Año;País;Cantidad\n2024;Perú;3\n".encode("latin-1"))
    with pytest.raises(InputError, match="no connector recognises this file, and its header"):
        ingest(tmp_path / "s.duckdb", [latin])
    assert not (tmp_path / "s.duckdb").exists()
