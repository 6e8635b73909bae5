"""`corridor ingest` of SNM Darién files and `corridor query` of the result, as a user runs them."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, digest

FIX = FIXTURES / "snm_darien"


def corridor(db: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "corridor"
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "corridor.cli"]
    env = {k: v for k, v in os.environ.items() if k != "CORRIDOR_DEBUG"}
    return subprocess.run(
        [*cmd, *(str(a) for a in args), "--db", str(db)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip


def rows(proc: subprocess.CompletedProcess[str]) -> list[dict[str, str]]:
    assert proc.returncode == 0, proc.stderr
    return list(csv.DictReader(io.StringIO(proc.stdout)))


def test_ingest_then_query_pdf_text(db: Path) -> None:
    proc = corridor(db, "ingest", FIX / "pdf_text_layout.txt")
    assert proc.returncode == 0, proc.stderr
    assert "snm.darien_nat" in proc.stdout and "total 520,085" in proc.stdout
    proc = corridor(db, "ingest", FIX / "pdf_text_layout.txt", "--source", "snm.darien_dmg")
    assert proc.returncode == 0, proc.stderr
    ven = rows(corridor(db, "query", "--nat", "VEN", "--by", "nat,year", "-f", "csv"))
    assert ven == [{"nat": "VEN", "year": "2023", "n": "328650"}]
    year = rows(corridor(db, "query", "--by", "year", "-f", "csv"))
    assert year == [{"year": "2023", "n": "520085"}]  # both tables, counted once
    sexes = rows(corridor(db, "query", "--by", "sex,age", "-f", "csv"))
    assert {(r["sex"], r["age"]) for r in sexes} == {
        ("F", "adult"), ("F", "minor"), ("M", "adult"), ("M", "minor"),
    }  # fmt: skip


def test_cli_layout_change_is_one_clean_message(db: Path) -> None:
    proc = corridor(db, "ingest", FIX / "month_renamed_enero.xlsx")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    message = proc.stderr + proc.stdout
    assert "month_renamed_enero.xlsx, row 6, column `Ene.`, value `Enero`" in message
    assert "column `Ene.` is missing; found `Enero` — the layout changed" in message
    assert digest(db) is None
