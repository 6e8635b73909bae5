"""``corridor trends`` and ``corridor view`` end to end on a hand-made store."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.store import ingest

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    darien = tmp / "irreg_darien_nat.csv"
    honduras = tmp / "irreg_honduras_nat.csv"
    values = [1000, 1200, 2500, 1100, 900, 800, 700, 1500, 1600, 1700, 1650, 1800, 900, 950]
    with darien.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["t", "q", "nat", "n"])
        for i, v in enumerate(values):
            t = f"2023-{i + 1:02d}-01" if i < 12 else f"2024-{i - 11:02d}-01"
            w.writerow([t, t, "VEN", v])
    with honduras.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["t", "nat", "n"])
        for i, v in enumerate(values):
            t = f"2023-{i + 1:02d}-01" if i < 12 else f"2024-{i - 11:02d}-01"
            w.writerow([t, "VEN", v])
    path = tmp / "corridor.duckdb"
    ingest(path, [darien, honduras])
    return path


def test_trends_json_and_spanish(db: Path) -> None:
    out = runner.invoke(app, ["trends", "darien", "--nat", "VEN", "--lang", "es", "-f", "json",
                              "--db", str(db)])  # fmt: skip
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["series_id"] == "darien" and data["nat"] == "VEN"
    assert data["latest_mom"]["sentence"] == (
        "Darién, Panamá (tránsitos irregulares), nacionales de Venezuela subió 5,6 % de enero "
        "de 2024 a febrero de 2024 (de 900 a 950)."
    )
    assert data["statements"][0] == data["latest_mom"]["sentence"]


def test_trends_csv_lists_statements(db: Path) -> None:
    out = runner.invoke(app, ["trends", "darien", "-f", "csv", "--db", str(db)])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0] == "kind,statement"
    assert any(line.startswith("high (month),") and "March 2023" in line for line in lines)


def test_trends_bad_input_is_one_line(db: Path) -> None:
    from corridor.errors import ConfigError, QueryError

    bad = runner.invoke(app, ["trends", "panama", "--db", str(db)])
    assert isinstance(bad.exception, QueryError)
    lang = runner.invoke(app, ["trends", "darien", "--lang", "fr", "--db", str(db)])
    assert isinstance(lang.exception, ConfigError)


def test_view_table_and_json(db: Path) -> None:
    out = runner.invoke(app, ["view", "--db", str(db), "-f", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["table"][0]["darien"] == 1000
    dh = data["ratios"][0]
    assert (dh["upstream"], dh["downstream"], dh["ratio"]) == ("darien", "honduras", 1.0)
    assert data["lead_times"][0]["lag"] == 0
    assert data["ratios"][0]["units"] == "persons/persons"
    assert data["ratios"][-1]["ratio"] is None  # no US data: NaN comes out as null
    table = runner.invoke(app, ["view", "--db", str(db), "--from", "2023-06"])
    assert table.exit_code == 0, table.output
    assert "lead times" in table.stdout and "2023-06" in table.stdout


def test_view_says_why_lead_times_are_missing(db: Path) -> None:
    out = runner.invoke(app, ["view", "--db", str(db), "--from", "2023-10"])
    assert out.exit_code == 0, out.output
    assert "widen --from/--to" in out.output
    assert "persons/persons" in out.output  # units beside the ratio
