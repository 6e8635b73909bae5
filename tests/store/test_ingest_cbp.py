"""Ingesting CBP files: totals, header styles, releases, and broken inputs."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest

import corridor
from corridor.errors import InputError, UnknownCountryError
from corridor.store import ingest
from tests.conftest import FIXTURES, digest

CBP = FIXTURES / "cbp"


def raw_totals(path: Path) -> dict[tuple[str, str, str], int]:
    """Per (fiscal year, month, component) sums straight from the file."""
    text = path.read_text(encoding="utf-8-sig")
    out: dict[tuple[str, str, str], int] = {}
    for row in csv.DictReader(io.StringIO(text)):
        key = (row["Fiscal Year"], row["Month (abbv)"], row["Component"])
        out[key] = out.get(key, 0) + int(row["Encounter Count"].replace(",", ""))
    return out


def month_of(fy: str, mon: str) -> str:
    months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    m = months.index(mon) + 1
    year = int(fy) - (1 if m >= 10 else 0)
    return f"{year}-{m:02d}"


COMPONENT = {"U.S. Border Patrol": "USBP", "Office of Field Operations": "OFO"}


def store_totals(db: Path) -> dict[tuple[str, str], int]:
    df = corridor.open(db).flows(by=["period", "agency"], source="cbp.encounters")
    return {(f"{r.period:%Y-%m}", r.agency): int(r.n) for r in df.itertuples()}


def expected_totals(path: Path) -> dict[tuple[str, str], int]:
    return {
        (month_of(fy, mon), COMPONENT[comp]): n for (fy, mon, comp), n in raw_totals(path).items()
    }


def test_valid_fixture_totals(db: Path) -> None:
    (res,) = ingest(db, [CBP / "valid.csv"])
    assert res.status == "new" and res.source == "cbp.encounters"
    assert store_totals(db) == expected_totals(CBP / "valid.csv")
    s = corridor.open(db)
    df = s.flows(by=["period", "nat"], agency="OFO", area="southwest_land_border")
    assert df.to_dict("records")[0]["nat"] == "CHN"
    # FY2024 DEC is calendar 2023-12; FY2023 APR is 2023-04
    assert s.flows(start="2023-12", end="2023-12")["n"].tolist() == [1204 + 310]
    assert s.flows(start="2023-04", end="2023-04", nat="MMR")["n"].tolist() == [3]


def test_sample_totals_match_raw_file(db: Path, cbp_sample: Path) -> None:
    ingest(db, [cbp_sample])
    assert store_totals(db) == expected_totals(cbp_sample)


def _variant(src: Path, dst: Path, *, snake: bool, crlf: bool, bom: bool, shuffle: bool,
             thousands: bool) -> Path:  # fmt: skip
    text = src.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    if snake:
        header = [
            h.lower()
            .replace(" (abbv)", "_abbv")
            .replace(" ", "_")
            .replace("(", "")
            .replace(")", "")
            for h in header
        ]
    if shuffle:
        random.Random(3).shuffle(body)
    if thousands:
        body = [[*r[:-1], f"{int(r[-1].replace(',', '')):,}"] for r in body]
    else:
        body = [[*r[:-1], r[-1].replace(",", "")] for r in body]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n" if crlf else "\n").writerows([header, *body])
    data = buf.getvalue().encode()
    dst.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return dst


@pytest.mark.parametrize(
    "snake,crlf,bom,shuffle,thousands",
    [
        (False, False, False, False, False),
        (True, False, False, False, False),
        (False, True, True, False, False),
        (True, True, False, True, True),
        (False, False, True, True, True),
    ],
)
def test_same_totals_whatever_the_style(
    tmp_path: Path, cbp_sample: Path, snake: bool, crlf: bool, bom: bool, shuffle: bool,
    thousands: bool,
) -> None:  # fmt: skip
    path = _variant(cbp_sample, tmp_path / "variant.csv", snake=snake, crlf=crlf, bom=bom,
                    shuffle=shuffle, thousands=thousands)  # fmt: skip
    db = tmp_path / "v.duckdb"
    ingest(db, [path])
    assert store_totals(db) == expected_totals(cbp_sample)


def test_reingest_is_a_noop(db: Path) -> None:
    ingest(db, [CBP / "valid.csv"])
    before = digest(db)
    (res,) = ingest(db, [CBP / "valid.csv"])
    assert res.status == "unchanged"
    assert digest(db) == before
    assert len(corridor.open(db).releases()) == 1


def test_revised_file_supersedes(db: Path, tmp_path: Path) -> None:
    ingest(db, [CBP / "valid.csv"])
    (res,) = ingest(db, [CBP / "revised.csv"])
    assert res.status == "new"
    s = corridor.open(db)
    rel = s.releases()
    assert len(rel) == 2
    newest, older = rel.iloc[0], rel.iloc[1]
    assert newest["release_id"] == res.release_id and newest["current_slices"] > 0
    assert older["current_slices"] == 0  # every slice superseded
    assert s.flows(start="2023-12", end="2023-12")["n"].tolist() == [1250 + 310]
    # every release is kept
    all_rows = s.sql("SELECT count(DISTINCT release_id) AS k FROM flows_all")
    assert int(all_rows["k"][0]) == 2


BROKEN = [
    ("truncated.csv", "row 5", "truncated"),
    ("semicolon_delimiter.csv", "row 1", "semicolons"),
    ("unknown_columns.csv", "row 1", "unknown column set"),
    ("negative_count.csv", "row 4", "negative"),
    ("non_numeric_count.csv", "row 5", "not a whole number"),
    ("unknown_country.csv", "row 3", "VENEZUALA"),
    ("duplicate_key.csv", "row 8", "duplicate key"),
    ("empty.csv", "empty.csv", "empty"),
    ("binary.xlsx", "binary.xlsx", "cannot open the workbook"),
    ("unknown_component.csv", "row 3", "Coast Guard"),
    ("bad_month.csv", "row 3", "DECEMBER"),
]


@pytest.mark.parametrize("name,where,words", BROKEN)
def test_broken_inputs_leave_store_untouched(db: Path, name: str, where: str, words: str) -> None:
    ingest(db, [CBP / "valid.csv"])
    before = digest(db)
    with pytest.raises(InputError) as info:
        ingest(db, [CBP / name])
    message = str(info.value)
    assert name in message and where in message and words in message
    assert "\n" not in message
    assert digest(db) == before


def test_broken_input_on_new_store_creates_nothing(db: Path) -> None:
    with pytest.raises(InputError):
        ingest(db, [CBP / "negative_count.csv"])
    assert not db.exists()


def test_one_bad_file_stops_all(db: Path) -> None:
    with pytest.raises(InputError):
        ingest(db, [CBP / "valid.csv", CBP / "unknown_country.csv"])
    assert not db.exists()


def test_unknown_country_suggests(db: Path) -> None:
    with pytest.raises(UnknownCountryError) as info:
        ingest(db, [CBP / "unknown_country.csv"])
    assert any("VEN" in s for s in info.value.suggestions)
    assert "column `Citizenship`" in str(info.value)


def test_header_only_file_is_an_error(db: Path) -> None:
    with pytest.raises(InputError, match="no data rows"):
        ingest(db, [CBP / "header_only.csv"])
    assert not db.exists()
