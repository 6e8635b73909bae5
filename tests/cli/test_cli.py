"""The installed ``corridor`` command, run as a subprocess against stores in tmp_path."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

import corridor
from corridor.store import ingest
from corridor.store.ingest import file_sha256
from tests.conftest import FIXTURES, digest

CBP = FIXTURES / "cbp"
VALID = CBP / "valid.csv"
T = TypeVar("T")
R = TypeVar("R")
COMMANDS = (
    "ingest",
    "sources",
    "releases",
    "fetch",
    "check",
    "revisions",
    "query",
    "export",
    "demo",
    "trends",
    "view",
    "report",
    "serve",
    "alerts",
    "forecast",
    "backtest",
    "synth",
    "cases",
    "link",
    "encode",
    "journeys",
    "policy",
    "networks",
)


def corridor_command() -> list[str]:
    """The console script installed beside this interpreter, else ``python -m``."""
    script = Path(sys.executable).parent / "corridor"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "corridor.cli"]


CMD = corridor_command()


def run(db: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CORRIDOR_DEBUG"}
    env["CORRIDOR_DB"] = str(db)
    return subprocess.run(
        [*CMD, *(str(a) for a in args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,  # a safety net against a hang, not a speed check
        check=False,
    )


def parallel(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``fn`` over ``items`` in threads (each call waits on its own subprocess)."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 1)) as pool:
        return list(pool.map(fn, items))


def run_each(db: Path, *calls: list[str | Path]) -> list[subprocess.CompletedProcess[str]]:
    """Independent read-only calls on one store, in parallel."""
    return parallel(lambda args: run(db, *args), calls)


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """stderr must be exactly one line holding ``error:`` and no traceback."""
    err = proc.stderr
    assert "Traceback" not in err, err
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    assert err.startswith("error: "), repr(err)
    return err.strip()


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the valid CBP fixture, built once (copied by ``seeded``)."""
    db = tmp_path_factory.mktemp("cli-seed") / "corridor.duckdb"
    ingest(db, [VALID])
    return db


@pytest.fixture
def seeded(seeded_template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "seeded.duckdb"
    shutil.copyfile(seeded_template, db)
    return db


# --- package and help ----------------------------------------------------------------


def test_import_corridor() -> None:
    assert callable(corridor.open)
    assert issubclass(corridor.CorridorError, Exception)
    assert corridor.__version__
    proc = subprocess.run(
        [sys.executable, "-c", "import corridor; print(corridor.__version__)"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stdout.strip() == corridor.__version__


def test_help_lists_every_command(tmp_path: Path) -> None:
    from corridor.cli.main import app

    registered = {c.name for c in app.registered_commands}
    registered |= {g.name for g in app.registered_groups}  # sub-apps such as `cases`
    assert registered == set(COMMANDS)
    env = {**os.environ, "CORRIDOR_DB": str(tmp_path / "unused.duckdb")}
    commands = [[*CMD, "--help"], [sys.executable, "-m", "corridor.cli", "--help"]]
    procs = parallel(
        lambda cmd: subprocess.run(
            cmd, capture_output=True, text=True, env=env, check=False, timeout=300
        ),
        commands,
    )
    for proc in procs:
        assert proc.returncode == 0, proc.stderr
        for name in COMMANDS:
            assert f" {name} " in proc.stdout, name
    assert not (tmp_path / "unused.duckdb").exists()


# --- ingest ------------------------------------------------------------------------


def test_ingest_prints_the_release(db: Path) -> None:
    release = f"cbp.encounters@{file_sha256(VALID)[:12]}"
    proc = run(db, "ingest", VALID)
    assert proc.returncode == 0, proc.stderr
    assert f"+ valid.csv: cbp.encounters release {release}, 6 rows, total 1,662" in proc.stdout
    assert "2023-04..2024-01" in proc.stdout
    assert f"store: {db}" in proc.stdout
    assert proc.stderr == ""
    before = digest(db)
    again = run(db, "ingest", VALID)
    assert again.returncode == 0, again.stderr
    assert f"= valid.csv: unchanged, already release {release}" in again.stdout
    assert digest(db) == before


def test_db_option_wins_over_environment(tmp_path: Path) -> None:
    env_db, opt_db = tmp_path / "env.duckdb", tmp_path / "opt.duckdb"
    proc = run(env_db, "ingest", "--db", opt_db, VALID)
    assert proc.returncode == 0, proc.stderr
    assert opt_db.exists() and not env_db.exists()


BROKEN = [
    "truncated.csv",
    "semicolon_delimiter.csv",
    "unknown_columns.csv",
    "negative_count.csv",
    "non_numeric_count.csv",
    "unknown_country.csv",
    "duplicate_key.csv",
    "empty.csv",
    "binary.xlsx",
    "unknown_component.csv",
    "bad_month.csv",
    "header_only.csv",
]


def test_every_broken_fixture_is_listed() -> None:
    present = {p.name for p in CBP.iterdir()} - {"valid.csv", "revised.csv"}
    assert present == set(BROKEN)


@dataclass(frozen=True)
class Outcome:
    proc: subprocess.CompletedProcess[str]
    before: str | None
    after: str | None


@pytest.fixture(scope="module")
def broken_runs(
    seeded_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Outcome]:
    """``corridor ingest`` of every broken fixture, each on its own seeded store.

    The runs are independent, so they go in parallel (CLI start-up dominates).
    """
    root = tmp_path_factory.mktemp("cli-broken")

    def one(name: str) -> tuple[str, Outcome]:
        db = root / f"{name}.duckdb"
        shutil.copyfile(seeded_template, db)
        before = digest(db)
        proc = run(db, "ingest", CBP / name)
        return name, Outcome(proc, before, digest(db))

    return dict(parallel(one, BROKEN))


@pytest.mark.parametrize("name", BROKEN)
def test_broken_fixture_exits_1_with_one_line(broken_runs: dict[str, Outcome], name: str) -> None:
    outcome = broken_runs[name]
    proc = outcome.proc
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    line = one_error_line(proc)
    assert name in line
    assert proc.stdout == ""
    assert outcome.before is not None and outcome.after == outcome.before


def test_markup_like_values_are_printed_verbatim(seeded: Path, tmp_path: Path) -> None:
    bad = tmp_path / "irreg_honduras_nat.csv"
    bad.write_text("t,nat,n\n2023-01-01,[/b] [red]X,5\n", encoding="utf-8")
    before = digest(seeded)
    proc = run(seeded, "ingest", bad)
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert "value `[/b] [red]X`" in line and "unknown country name" in line
    assert digest(seeded) == before
    odd = tmp_path / "cbp[2024] :fire:.csv"
    shutil.copyfile(CBP / "revised.csv", odd)
    ok = run(seeded, "ingest", odd)
    assert ok.returncode == 0, ok.stderr
    assert "+ cbp[2024] :fire:.csv: cbp.encounters release" in ok.stdout


def test_ingest_missing_file(db: Path, tmp_path: Path) -> None:
    proc = run(db, "ingest", tmp_path / "nope.csv")
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert "nope.csv" in line and "file not found" in line
    assert not db.exists()


def test_ingest_bad_published_date(db: Path) -> None:
    proc = run(db, "ingest", "--published", "last tuesday", VALID)
    assert proc.returncode == 2
    assert "--published" in one_error_line(proc)
    assert not db.exists()


def test_ingest_with_forced_source(db: Path) -> None:
    proc = run(db, "ingest", "--source", "gdidata.irreg_usa", VALID)
    assert proc.returncode == 1
    assert "does not fit source `gdidata.irreg_usa`" in one_error_line(proc)
    assert not db.exists()


# --- query ---------------------------------------------------------------------------


def test_query_csv(seeded: Path) -> None:
    totals, ofo = run_each(
        seeded,
        ["query", "-f", "csv"],
        ["query", "--agency", "OFO", "--by", "nat,area", "-f", "csv"],
    )
    assert totals.returncode == 0, totals.stderr
    assert totals.stdout == "period,n\n2023-04-01,3\n2023-12-01,1514\n2024-01-01,145\n"
    assert ofo.returncode == 0, ofo.stderr
    rows = list(csv.DictReader(io.StringIO(ofo.stdout)))
    assert rows == [
        {"nat": "CAN", "area": "northern_land_border", "n": "0"},
        {"nat": "CHN", "area": "southwest_land_border", "n": "88"},
    ]


def test_query_json(seeded: Path) -> None:
    proc = run(
        seeded, "query", "--event", "encounters", "--area", "southwest_land_border",
        "--from", "2023-12", "--to", "2024-01", "--by", "period,agency", "-f", "json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    got = [(d["period"][:10], d["agency"], d["n"]) for d in data]
    assert got == [
        ("2023-12-01", "USBP", 1514),
        ("2024-01-01", "OFO", 88),
        ("2024-01-01", "USBP", 57),
    ]


def test_query_table_and_note(seeded: Path) -> None:
    proc = run(seeded, "query", "--by", "sex")
    assert proc.returncode == 0, proc.stderr
    assert "1,662" in proc.stdout
    assert "note:" in proc.stderr and "sex" in proc.stderr


def test_query_sql(seeded: Path) -> None:
    proc = run(
        seeded, "query", "--sql", "SELECT count(*) AS k, sum(n) AS total FROM flows", "-f", "csv"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "k,total\n6,1662\n"


WRITES = ["DELETE FROM flow_rows", "DROP VIEW flows", "CREATE TABLE t AS SELECT 1"]


def test_query_sql_write_fails(seeded: Path) -> None:
    before = digest(seeded)
    procs = parallel(lambda statement: run(seeded, "query", "--sql", statement), WRITES)
    for statement, proc in zip(WRITES, procs, strict=True):
        assert proc.returncode == 2, statement
        assert "SQL failed" in one_error_line(proc)
    assert digest(seeded) == before


USAGE_ERRORS: list[tuple[list[str], str]] = [
    (["--by", "bogus"], "cannot group by `bogus`"),
    (["--from", "2023-13"], "out of range"),
    (["--freq", "Q"], "frequency"),
    (["-f", "xml"], "unknown output format"),
]


def test_query_usage_errors_exit_2(seeded: Path) -> None:
    procs = parallel(lambda case: run(seeded, "query", *case[0]), USAGE_ERRORS)
    for (args, words), proc in zip(USAGE_ERRORS, procs, strict=True):
        assert proc.returncode == 2, args
        assert words in one_error_line(proc), args


def test_query_without_a_store(tmp_path: Path) -> None:
    missing = tmp_path / "nothing" / "corridor.duckdb"
    proc = run(missing, "query")
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert f"no store at {missing}" in line and "corridor ingest" in line
    assert not missing.exists() and not missing.parent.exists()


# --- releases, sources, export, demo -------------------------------------------------


def test_releases(seeded: Path) -> None:
    proc, table = run_each(seeded, ["releases", "-f", "csv"], ["releases"])
    assert proc.returncode == 0, proc.stderr
    (row,) = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert row["release_id"] == f"cbp.encounters@{file_sha256(VALID)[:12]}"
    assert row["file_name"] == "valid.csv" and row["rows"] == "6"
    assert row["current_slices"] == row["slices"]
    assert table.returncode == 0 and "cbp.encounters@" in table.stdout


def test_sources(seeded: Path) -> None:
    proc, table = run_each(
        seeded, ["sources", "--in-store", "-f", "csv"], ["sources", "--in-store"]
    )
    assert proc.returncode == 0, proc.stderr
    (row,) = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert row["source"] == "cbp.encounters" and row["total"] == "1662"
    assert (row["first"], row["last"]) == ("2023-04", "2024-01")
    assert table.returncode == 0 and "USA.cbp_encounters" in table.stdout


def test_sources_lists_every_connector_without_a_store(tmp_path: Path) -> None:
    proc = run(tmp_path / "none.duckdb", "sources", "-f", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = {r["source"]: r for r in csv.DictReader(io.StringIO(proc.stdout))}
    assert {"gdidata.irreg_usa", "gdidata.irreg_darien_nat", "gdidata.countrynames"} <= set(rows)
    cbp = rows["cbp.encounters"]
    assert (cbp["agency"], cbp["geo"], cbp["fetch"]) == ("USBP, OFO", "USA", "yes")
    assert cbp["events"] == "apprehension,expulsion,inadmissible"
    assert cbp["url"].startswith("https://www.cbp.gov/")
    assert "releases" not in cbp  # no store: nothing held


def test_sources_shows_what_the_store_holds(seeded: Path) -> None:
    proc = run(seeded, "sources", "-f", "csv")
    rows = {r["source"]: r for r in csv.DictReader(io.StringIO(proc.stdout))}
    assert rows["cbp.encounters"]["releases"] == "1"
    assert rows["cbp.encounters"]["last"] == "2024-01"
    assert rows["gdidata.irreg_usa"]["releases"] == "0"


def test_export(seeded: Path, tmp_path: Path) -> None:
    out, csv_out = tmp_path / "flows.sdmx.csv", tmp_path / "dec.csv"
    sdmx, dec = run_each(
        seeded,
        ["export", "--format", "sdmx-csv", "--out", out, "--geo", "USA"],
        ["export", "-o", csv_out, "--from", "2023-12", "--to", "2023-12"],
    )
    assert sdmx.returncode == 0, sdmx.stderr
    assert "wrote 6 rows" in sdmx.stdout
    assert out.read_text().startswith("DATAFLOW,FREQ,REF_AREA")
    assert dec.returncode == 0, dec.stderr
    assert len(list(csv.DictReader(csv_out.open()))) == 2


def test_export_to_missing_folder(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "flows.csv"
    proc = run(seeded, "export", "--out", out)
    assert proc.returncode == 2
    assert "does not exist" in one_error_line(proc)
    assert not out.parent.exists()


def test_demo(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(VALID, data / "valid.csv")
    db, out = tmp_path / "demo" / "corridor.duckdb", tmp_path / "exports"
    proc = run(tmp_path / "unused.duckdb", "demo", "--db", db, "--data", data, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for name in ("flows.csv", "flows.parquet", "flows.hxl.csv", "flows.sdmx.csv"):
        assert (out / name).stat().st_size > 0, name
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "flows.csv",
            "flows.parquet",
            "flows.hxl.csv",
            "flows.sdmx.csv",
            "quality.html",
            "report.html",
        ]
    )
    assert "Data quality" in (out / "quality.html").read_text()
    assert "<svg" in (out / "report.html").read_text()
    # not a terminal: the demo ends instead of serving the dashboard
    assert "dashboard: corridor serve --db" in proc.stdout
    assert "US southwest border" in proc.stdout and "data quality" in proc.stdout
    assert int(corridor.open(db).flows(by=[])["n"].sum()) == 1662
    assert not (tmp_path / "unused.duckdb").exists()


def test_demo_with_a_missing_data_folder(tmp_path: Path) -> None:
    proc = run(tmp_path / "x.duckdb", "demo", "--db", tmp_path / "d.duckdb", "--data",
               tmp_path / "nope", "--out", tmp_path / "o")  # fmt: skip
    assert proc.returncode == 2
    assert "not a folder" in one_error_line(proc)
    assert not (tmp_path / "d.duckdb").exists()


def test_readme_documents_every_command() -> None:
    from corridor.cli.main import app

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    names = [c.name for c in app.registered_commands if c.name]
    assert names
    missing = [n for n in names if f"corridor {n}" not in readme and n != "demo"]
    assert not missing, f"README does not show: {missing}"
    assert "make demo" in readme and "make test" in readme


def test_ingest_with_a_mapping_file(tmp_path: Path) -> None:
    mapping = (Path(corridor.__file__).parent / "sources" / "mapped" / "examples"
               / "migracion_co_irregular_transit.toml")  # fmt: skip
    data = FIXTURES / "mapped" / "latin1_semicolon_dotted_thousands.csv"
    own = tmp_path / "my_mapping.toml"
    text = mapping.read_text(encoding="utf-8")
    own.write_text(text.replace('id = "migracion_co.irregular_transit"', 'id = "mine.col_transit"'))
    db = tmp_path / "s.duckdb"
    proc = run(db, "ingest", data, "--mapping", own)
    assert proc.returncode == 0, proc.stderr
    assert "mine.col_transit release mine.col_transit@" in proc.stdout
    both = run(db, "ingest", data, "--mapping", own, "--source", "cbp.encounters")
    assert both.returncode == 2 and "exclude each other" in one_error_line(both)
    broken = tmp_path / "broken.toml"
    broken.write_text(own.read_text(encoding="utf-8").replace("nat = ", "nation = ", 1))
    bad = run(tmp_path / "t.duckdb", "ingest", data, "--mapping", broken)
    assert bad.returncode == 2 and "broken.toml" in one_error_line(bad)
    assert not (tmp_path / "t.duckdb").exists()


def test_iom_and_unhcr_exports_show_up_with_their_events(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    mmp = FIXTURES / "iom_mmp" / "several_origins_in_one_cell.csv"
    unhcr = FIXTURES / "unhcr" / "finder_metadata_lines_before_header.csv"
    assert run(db, "ingest", mmp, unhcr).returncode == 0
    events = run(db, "query", "--sql", "SELECT DISTINCT source, event FROM flows", "-f", "csv")
    pairs = {tuple(p) for p in csv.reader(io.StringIO(events.stdout))} - {("source", "event")}
    assert ("iom_mmp.global", "death_missing") in pairs
    assert {"refugee_stock", "asylum_seeker_stock"} <= {p[1] for p in pairs}
    # stocks are annual: a monthly query finds nothing and says where to look
    monthly = run(db, "query", "--geo", "COL", "--event", "refugee_stock", "--by", "year")
    assert "add --freq A" in monthly.stderr
    annual = run(db, "query", "--geo", "COL", "--event", "refugee_stock", "--by", "year",
                 "--freq", "A")  # fmt: skip
    assert annual.returncode == 0 and " 2023 " in annual.stdout and "2,023" not in annual.stdout
    # flows without an event filter never add stocks in
    total = run(db, "query", "--freq", "A", "--by", "event", "-f", "csv")
    assert "refugee_stock" not in total.stdout
