"""Exports of ``flows``: CSV, Parquet, HXL, SDMX-CSV, filters, and no partial files."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest

import corridor
from corridor.canonical.schema import COLUMN_NAMES, FLOW_COLUMNS
from corridor.errors import ConfigError, InputError
from corridor.store import export as export_module
from corridor.store import ingest
from tests.conftest import FIXTURES

VALID = FIXTURES / "cbp" / "valid.csv"
TOTAL = 1204 + 310 + 57 + 88 + 0 + 3  # every count in valid.csv
ROWS = 6


@pytest.fixture
def store(db: Path) -> corridor.Store:
    (res,) = ingest(db, [VALID])
    assert res.status == "new"
    return corridor.open(db)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def records(path: Path, skip: int = 0) -> list[dict[str, str]]:
    rows = read_csv(path)
    header, body = rows[0], rows[1 + skip :]
    return [dict(zip(header, r, strict=True)) for r in body]


def store_total(store: corridor.Store) -> int:
    return int(store.flows(by=[])["n"].sum())


def test_store_total_is_the_fixture_total(store: corridor.Store) -> None:
    assert store_total(store) == TOTAL


def test_csv(store: corridor.Store, out_dir: Path) -> None:
    out = out_dir / "flows.csv"
    assert store.export("csv", out) == ROWS
    rows = read_csv(out)
    assert rows[0] == list(COLUMN_NAMES)
    body = records(out)
    assert len(body) == ROWS
    assert sum(int(r["n"]) for r in body) == TOTAL
    assert {r["period"] for r in body} == {"2023-04-01", "2023-12-01", "2024-01-01"}
    assert {r["source"] for r in body} == {"cbp.encounters"}
    assert all(r["sex"] == "" for r in body)
    mex = next(r for r in body if r["nat"] == "MEX")
    assert mex["agency"] == "USBP" and mex["n"] == "1204" and mex["family"] == "single"


def test_parquet(store: corridor.Store, out_dir: Path) -> None:
    out = out_dir / "flows.parquet"
    assert store.export("parquet", out) == ROWS
    con = duckdb.connect()
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(out)]).fetchall()
        assert [(r[0], r[1]) for r in described] == list(FLOW_COLUMNS)
        count, total, first = con.execute(
            "SELECT count(*), sum(n), min(period) FROM read_parquet(?)", [str(out)]
        ).fetchall()[0]
    finally:
        con.close()
    assert (count, int(total), f"{first:%Y-%m-%d}") == (ROWS, TOTAL, "2023-04-01")


def test_hxl(store: corridor.Store, out_dir: Path) -> None:
    out = out_dir / "flows.hxl.csv"
    assert store.export("hxl", out) == ROWS
    rows = read_csv(out)
    header, tags = rows[0], rows[1]
    assert header == list(COLUMN_NAMES)
    assert all(t.startswith("#") for t in tags)
    for tag in ("#date+month", "#country+code", "#origin+country+code", "#affected+num"):
        assert tag in tags
    col = dict(zip(tags, header, strict=True))
    assert col["#affected+num"] == "n" and col["#origin+country+code"] == "nat"
    body = records(out, skip=1)
    assert len(body) == ROWS
    assert sum(int(r["n"]) for r in body) == store_total(store) == TOTAL
    assert all(re.fullmatch(r"\d{4}-\d{2}", r["period"]) for r in body)


def test_sdmx_csv(store: corridor.Store, out_dir: Path) -> None:
    out = out_dir / "flows.sdmx.csv"
    assert store.export("sdmx-csv", out) == ROWS
    header = read_csv(out)[0]
    assert header[:3] == ["DATAFLOW", "FREQ", "REF_AREA"]
    for name in ("CITIZENSHIP", "TIME_PERIOD", "OBS_VALUE"):
        assert name in header
    body = records(out)
    assert len(body) == ROWS
    assert all(re.fullmatch(r"\d{4}-\d{2}", r["TIME_PERIOD"]) for r in body)
    assert {r["TIME_PERIOD"] for r in body} == {"2023-04", "2023-12", "2024-01"}
    assert {r["SEX"] for r in body} == {"_T"}  # blank sex is the total
    assert {r["FREQ"] for r in body} == {"M"}
    assert {r["REF_AREA"] for r in body} == {"USA"}
    assert {r["COUNTERPART_AREA"] for r in body} == {"_T"}
    assert sum(int(r["OBS_VALUE"]) for r in body) == TOTAL
    assert {r["CITIZENSHIP"] for r in body} == {"MEX", "VEN", "GTM", "CHN", "CAN", "MMR"}
    ages = {r["CITIZENSHIP"]: r["AGE"] for r in body}
    assert ages["MEX"] == "Y_GE18" and ages["CAN"] == "Y_LT18" and ages["VEN"] == "_T"


def test_missing_folder_fails_and_writes_nothing(store: corridor.Store, tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "flows.csv"
    with pytest.raises(ConfigError, match="does not exist"):
        store.export("csv", out)
    assert not out.exists()
    assert not (tmp_path / "no").exists()


def test_unknown_format(store: corridor.Store, out_dir: Path) -> None:
    with pytest.raises(ConfigError, match="unknown export format"):
        store.export("xlsx", out_dir / "flows.xlsx")
    assert list(out_dir.iterdir()) == []


def test_directory_as_target(store: corridor.Store, out_dir: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        store.export("csv", out_dir)
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize("fmt, writer", [("hxl", "_write_hxl"), ("sdmx-csv", "_write_sdmx")])
def test_failing_export_leaves_no_partial_file(
    store: corridor.Store, out_dir: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, writer: str
) -> None:
    def broken(con: object, rel: str, params: list[object], tmp: Path) -> None:
        tmp.write_text("period,n\n2023-12,1\n")  # half-written, then the disk "fills up"
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module, writer, broken)
    out = out_dir / "flows.csv"
    with pytest.raises(OSError, match="No space"):
        store.export(fmt, out)
    assert list(out_dir.iterdir()) == []


def test_failing_export_keeps_the_previous_file(
    store: corridor.Store, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = out_dir / "flows.csv"
    store.export("csv", out)
    before = out.read_bytes()

    def broken(*args: object) -> None:
        raise duckdb.IOException("simulated write failure")

    monkeypatch.setattr(export_module, "_copy", broken)
    with pytest.raises(duckdb.IOException):
        store.export("csv", out)
    assert out.read_bytes() == before
    assert [p.name for p in out_dir.iterdir()] == ["flows.csv"]


def test_export_replaces_an_existing_file(store: corridor.Store, out_dir: Path) -> None:
    out = out_dir / "flows.csv"
    out.write_text("old\n")
    assert store.export("csv", out) == ROWS
    assert read_csv(out)[0] == list(COLUMN_NAMES)
    assert [p.name for p in out_dir.iterdir()] == ["flows.csv"]


def test_filters(store: corridor.Store, out_dir: Path) -> None:
    assert store.export("csv", out_dir / "usa.csv", geo="usa") == ROWS
    assert store.export("csv", out_dir / "pan.csv", geo="PAN") == 0
    assert records(out_dir / "pan.csv") == []
    assert read_csv(out_dir / "pan.csv")[0] == list(COLUMN_NAMES)

    dec = out_dir / "dec.csv"
    assert store.export("csv", dec, start="2023-12", end="2023-12") == 2
    body = records(dec)
    assert {r["period"] for r in body} == {"2023-12-01"}
    assert sum(int(r["n"]) for r in body) == 1204 + 310

    since = out_dir / "since.sdmx.csv"
    assert store.export("sdmx-csv", since, start="2024-01") == 3
    assert {r["TIME_PERIOD"] for r in records(since)} == {"2024-01"}

    until = out_dir / "until.hxl.csv"
    assert store.export("hxl", until, end="2023") == 3
    assert {r["period"] for r in records(until, skip=1)} == {"2023-04", "2023-12"}

    assert store.export("csv", out_dir / "src.csv", source="cbp.encounters") == ROWS
    assert store.export("csv", out_dir / "none.csv", source="gdidata.irreg_usa") == 0


def test_all_releases(store: corridor.Store, out_dir: Path) -> None:
    ingest(store.path, [FIXTURES / "cbp" / "revised.csv"])
    assert store.export("csv", out_dir / "latest.csv") == ROWS
    latest = records(out_dir / "latest.csv")
    assert sum(int(r["n"]) for r in latest) == TOTAL - 1204 + 1250
    assert len({r["release_id"] for r in latest}) == 1
    assert store.export("csv", out_dir / "all.csv", all_releases=True) == 2 * ROWS
    assert len({r["release_id"] for r in records(out_dir / "all.csv")}) == 2
