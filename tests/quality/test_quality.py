"""``corridor check`` and ``corridor revisions`` on hand-made releases and on the real series."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from corridor.errors import Location, QueryError
from corridor.quality import check, revisions
from corridor.quality.html import render_html
from corridor.sources import registry
from corridor.sources.base import SourceInfo
from corridor.sources.document import (
    DeclaredTotal,
    DocumentSource,
    Parsed,
    Probe,
    canonical_frame,
    read_text,
)
from corridor.store import Store, ingest
from tests.cli.test_cli import CMD
from tests.conftest import FIXTURES


class Monthly(DocumentSource):
    """``MONTHLY`` then ``YYYY-MM,NAT,n`` lines; ``TOTAL,YYYY-MM,n`` prints a month's total."""

    info = SourceInfo(
        id="toy.monthly", title="Toy", publisher="Tests", geo="HND", group="HND.toy",
        dims=frozenset({"nat"}),
    )  # fmt: skip

    def sniff(self, probe: Probe) -> bool:
        return probe.first_line == "MONTHLY"

    def parse(self, path: Path) -> Parsed:
        records, totals = [], []
        for row, line in enumerate(read_text(path).splitlines()[1:], start=2):
            a, b, c = line.split(",")
            if a == "TOTAL":
                totals.append((row, date.fromisoformat(b + "-01"), int(c)))
            else:
                records.append({"period": date.fromisoformat(a + "-01"), "nat": b, "n": int(c)})
        rows = canonical_frame(
            records, freq="M", geo="HND", agency="INM-HN", event="irregular_transit",
            unit="persons",
        )  # fmt: skip
        declared = [
            DeclaredTotal(f"Total {p:%Y-%m}", p, n, int(rows.loc[rows["period"] == p, "n"].sum()),
                          Location(str(path), r, "n"))
            for r, p, n in totals
        ]  # fmt: skip
        return Parsed(rows, totals=declared)


def months(first: str, count: int) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def write(path: Path, series: dict[str, dict[str, int]], totals: dict[str, int]) -> Path:
    lines = ["MONTHLY"]
    for nat, values in series.items():
        lines += [f"{m},{nat},{n}" for m, n in values.items()]
    lines += [f"TOTAL,{m},{n}" for m, n in totals.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> Monthly:
    src = Monthly()
    monkeypatch.setitem(registry.SOURCES, src.info.id, src)
    return src


@pytest.fixture
def flawed(toy: Monthly, tmp_path: Path) -> Path:
    """Two years of VEN (a jump in month 14), HTI appearing, CUB vanishing, UNK, one gap."""
    span = [m for m in months("2023-01", 24) if m != "2023-07"]  # July 2023 missing
    ven = {m: 1000 + 10 * i for i, m in enumerate(span)}
    ven["2024-03"] = 9000  # a surge
    hti = {m: 300 for m in span if m >= "2024-01"}
    cub = {m: 200 for m in span if m <= "2024-06"}
    unk = {m: 40 for m in span}
    totals = {"2023-01": 1000 + 200 + 40, "2023-02": 9999}  # Feb's printed total is wrong
    db = tmp_path / "s.duckdb"
    ingest(db, [write(tmp_path / "a.txt", {"VEN": ven, "HTI": hti, "CUB": cub, "UNK": unk},
                      totals)])  # fmt: skip
    return db


def test_each_check_finds_its_flaw(flawed: Path) -> None:
    report = check(Store(flawed))
    by = {(f.check, f.series or "", f.period): f for f in report.findings}
    gap = by[("missing_month", "", date(2023, 7, 1))]
    assert gap.message == "2023-07 missing inside the span 2023-01..2024-12"
    total = next(f for f in report.findings if f.check == "total_mismatch")
    assert "prints 9,999, its details add up to 1,250 (+8,749)" in total.message
    assert "(row " in total.message and total.period == date(2023, 2, 1)
    jumps = [f for f in report.findings if f.check == "jump"]
    assert {(f.series, f.period) for f in jumps} >= {
        ("HND/irregular_transit VEN", date(2024, 3, 1)),
        ("HND/irregular_transit VEN", date(2024, 4, 1)),
    }
    assert all(f.period != date(2023, 8, 1) for f in jumps)  # the gap is not a jump
    unk = next(f for f in report.findings if f.check == "unknown_code")
    assert unk.severity == "info" and "could only be mapped to UNK" in unk.message
    appears = [f for f in report.findings if f.check == "nationality_appears"]
    assert [(f.series, f.period) for f in appears] == [("HTI", date(2024, 1, 1))]
    vanishes = [f for f in report.findings if f.check == "nationality_vanishes"]
    assert [(f.series, f.period) for f in vanishes] == [("CUB", date(2024, 6, 1))]
    assert report.warnings >= 3


def test_clean_release_has_no_warnings(toy: Monthly, tmp_path: Path) -> None:
    span = months("2022-01", 24)
    db = tmp_path / "s.duckdb"
    ven = {m: 500 + (i % 3) * 20 for i, m in enumerate(span)}
    ingest(db, [write(tmp_path / "c.txt", {"VEN": ven}, {"2022-01": 500})])
    report = check(Store(db))
    assert report.findings == []


def test_month_dropped_by_a_new_release(toy: Monthly, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    ingest(db, [write(tmp_path / "v1.txt", {"VEN": dict.fromkeys(months("2024-01", 6), 100)}, {})])
    ingest(db, [write(tmp_path / "v2.txt", {"VEN": dict.fromkeys(months("2024-01", 4), 100)}, {})])
    report = check(Store(db))
    gone = [f.message for f in report.findings if f.check == "missing_month"]
    assert len(gone) == 2 and "was in the previous release toy.monthly@" in gone[0]


def test_check_cli_table_json_html(flawed: Path, tmp_path: Path) -> None:
    html = tmp_path / "out" / "quality.html"
    base = [*CMD, "check", "--db", str(flawed)]

    def env_run(*a: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*base, *a], capture_output=True, text=True, timeout=120, check=False)

    # the toy connector is registered only in this process: the CLI sees the store only
    proc = env_run("-f", "json", "--html", str(html))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["warnings"] >= 3 and data["releases"][0]["source"] == "toy.monthly"
    page = html.read_text()
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")
    assert "2023-07 missing inside the span" in page
    strict = env_run("--strict")
    assert strict.returncode == 1 and "missing_month" in strict.stdout
    unknown = env_run("nope.source")
    assert unknown.returncode == 2 and "no releases of nope.source" in unknown.stderr


def test_html_escapes_text(flawed: Path) -> None:
    report = check(Store(flawed))
    report.releases[0]["file_name"] = "<b>x</b>.csv"
    assert "&lt;b&gt;x&lt;/b&gt;.csv" in render_html(report)


# --- revisions ---------------------------------------------------------------------------


def test_revisions_between_cbp_releases(db: Path) -> None:
    ingest(db, [FIXTURES / "cbp" / "valid.csv"])
    ingest(db, [FIXTURES / "cbp" / "revised.csv"])
    rep = revisions(Store(db), "cbp.encounters")
    assert rep.old.startswith("cbp.encounters@") and rep.old != rep.new
    (cell,) = rep.cells.to_dict("records")
    assert (cell["nat"], cell["period"], cell["old_n"], cell["new_n"], cell["diff"]) == (
        "MEX",
        "2023-12",
        1204,
        1250,
        46,
    )
    assert cell["kind"] == "revised" and cell["pct"] == pytest.approx(3.82)
    dec = rep.periods.set_index("period").loc["2023-12"]
    assert (dec["diff"], dec["cells_revised"]) == (46, 1)
    assert "1 cell(s) changed" in rep.summary() and "net +46" in rep.summary()


def test_revisions_new_months_are_not_revisions(toy: Monthly, tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    ingest(db, [write(tmp_path / "v1.txt", {"VEN": {"2024-01": 100, "2024-02": 120}}, {})])
    v2 = {"VEN": {"2024-01": 100, "2024-02": 90, "2024-03": 50}, "HTI": {"2024-02": 7}}
    ingest(db, [write(tmp_path / "v2.txt", v2, {})])
    rep = revisions(Store(db), "toy.monthly")
    got = {(c["nat"], c["period"], c["kind"], c["diff"]) for c in rep.cells.to_dict("records")}
    assert got == {("VEN", "2024-02", "revised", -30), ("HTI", "2024-02", "added", 7)}
    assert rep.new_periods == ["2024-03"]


def test_revisions_errors(db: Path) -> None:
    ingest(db, [FIXTURES / "cbp" / "valid.csv"])
    with pytest.raises(QueryError, match="only one release"):
        revisions(Store(db), "cbp.encounters")
    with pytest.raises(QueryError, match=r"no releases of `gdidata\.irreg_usa`"):
        revisions(Store(db), "gdidata.irreg_usa")
    with pytest.raises(QueryError, match="is not a release of"):
        revisions(Store(db), "cbp.encounters", old="cbp.encounters@000000000000")


def test_revisions_cli(db: Path) -> None:
    ingest(db, [FIXTURES / "cbp" / "valid.csv"])
    ingest(db, [FIXTURES / "cbp" / "revised.csv"])
    base = [*CMD, "revisions", "cbp.encounters", "--db", str(db)]

    def run(*a: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*base, *a], capture_output=True, text=True, timeout=120, check=False)

    table = run()
    assert table.returncode == 0, table.stderr
    assert "1 cell(s) changed" in table.stderr and "2023-12" in table.stdout
    cells = run("--cells", "-f", "csv")
    assert "MEX" in cells.stdout and ",1204,1250,revised,46," in cells.stdout
    js = json.loads(run("-f", "json").stdout)
    assert js["cells"][0]["diff"] == 46


# --- the real series ---------------------------------------------------------------------


def test_check_real_series(shared_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "real.duckdb"
    real = shared_data / "real"
    ingest(db, [real / "irreg_darien_nat.csv", real / "irreg_usa.csv"])
    report = check(Store(db))
    gaps = [f.message for f in report.findings
            if f.check == "missing_month" and f.source == "gdidata.irreg_darien_nat"]  # fmt: skip
    # Panama published no Darién figures for April-May and July 2020 (border closed).
    assert gaps == ["2 months, 2020-04..2020-05 missing inside the span 2020-01..2025-04",
                    "2020-07 missing inside the span 2020-01..2025-04"]  # fmt: skip
    usbp = [f for f in report.findings if f.check == "jump"
            and f.series == "USA/southwest_land_border/apprehension"]  # fmt: skip
    assert any(f.period == date(2020, 4, 1) and "fell 94.9%" in f.message for f in usbp)


def test_overlap_disagreement_flags_a_preferred_partial_file(tmp_path: Path) -> None:
    """CBP's own file is preferred over IOM's copy; an excerpt of it would undercount."""
    gdi = tmp_path / "irreg_usa.csv"
    gdi.write_text(
        "t,t_fy,component,area,authority,type,demog,nat,n\n"
        "2023-12-01,2024-12-01,U.S. Border Patrol,Southwest Land Border,Title 8,Apprehensions,"
        "Single Adults,,250000\n"
        "2024-01-01,2024-01-01,U.S. Border Patrol,Southwest Land Border,Title 8,Apprehensions,"
        "Single Adults,,57\n",
        encoding="utf-8",
    )
    db = tmp_path / "c.duckdb"
    ingest(db, [gdi, FIXTURES / "cbp" / "valid.csv"])  # the CBP fixture: 1,514 in Dec 2023
    found = [f for f in check(Store(db)).findings if f.check == "overlap_disagreement"]
    assert len(found) == 1
    (f,) = found
    assert (f.source, f.severity, f.period) == ("cbp.encounters", "warning", date(2023, 12, 1))
    assert "2023-12: 1,514 against 250,000 (-99%)" in f.message
    assert "gdidata.irreg_usa" in f.message and "undercount" in f.message
    # January agrees (57 both): not a finding; the less preferred side reports nothing
    assert all(g.source == "cbp.encounters" for g in found)
