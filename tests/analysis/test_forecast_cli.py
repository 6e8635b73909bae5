"""``corridor forecast`` and ``corridor backtest`` end to end on a hand-made store."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from corridor.cli.forecast_cmds import backtest_cmd, forecast_cmd
from corridor.errors import ConfigError, QueryError
from corridor.store import ingest

runner = CliRunner()
app = typer.Typer()
app.command("forecast")(forecast_cmd)
app.command("backtest")(backtest_cmd)

MONTHS = 40  # 2021-01 .. 2024-04


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("fc")
    rng = np.random.default_rng(5)
    up = 3000 * np.exp(np.cumsum(rng.normal(0, 0.3, MONTHS)))
    down = 1000 * np.exp(np.cumsum(np.r_[0, 0.8 * np.diff(np.log(up))]))
    periods = [f"{2021 + i // 12}-{i % 12 + 1:02d}-01" for i in range(MONTHS)]
    darien, honduras = tmp / "irreg_darien_nat.csv", tmp / "irreg_honduras_nat.csv"
    with darien.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["t", "q", "nat", "n"])
        w.writerows([t, t, "VEN", round(v)] for t, v in zip(periods, up, strict=True))
    with honduras.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["t", "nat", "n"])
        w.writerows([t, "VEN", round(v)] for t, v in zip(periods, down, strict=True))
    path = tmp / "corridor.duckdb"
    ingest(path, [darien, honduras])
    return path


def test_forecast_json(db: Path) -> None:
    out = runner.invoke(app, ["forecast", "darien", "--horizon", "3", "-f", "json",
                              "--db", str(db)])  # fmt: skip
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert [r["period"] for r in rows] == ["2024-05", "2024-06", "2024-07"]
    assert all(r["lo95"] <= r["lo80"] <= r["mean"] <= r["hi80"] <= r["hi95"] for r in rows)
    assert rows[0]["model"] == "ets"


def test_forecast_corridor_model_with_nationality(db: Path) -> None:
    out = runner.invoke(app, ["forecast", "honduras", "--nat", "ven", "--model", "corridor",
                              "-f", "csv", "--db", str(db)])  # fmt: skip
    assert out.exit_code == 0, out.output
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "period,mean,lo80,hi80,lo95,hi95,model"
    assert len(lines) == 7 and lines[1].endswith(",corridor")


def test_backtest_table(db: Path) -> None:
    out = runner.invoke(app, ["backtest", "honduras", "--models", "naive,corridor",
                              "--horizons", "1,2", "--from", "2023-09", "--to", "2024-04",
                              "-f", "json", "--db", str(db)])  # fmt: skip
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert [(r["model"], r["horizon"]) for r in rows] == [
        ("naive", 1), ("naive", 2), ("corridor", 1), ("corridor", 2)
    ]  # fmt: skip
    assert all(r["n_origins"] == 8 for r in rows)
    by = {(r["model"], r["horizon"]): r["mase"] for r in rows}
    assert by[("corridor", 1)] < by[("naive", 1)]  # Honduras follows Darién a month later


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (["forecast", "darien", "--model", "oracle"], ConfigError, "unknown model"),
        (["forecast", "nowhere"], QueryError, "unknown checkpoint"),
        (["forecast", "mexico"], QueryError, "no data"),
        (["forecast", "darien", "--nat", "XXX"], QueryError, "no data"),
        (["backtest", "--horizons", "1,x"], ConfigError, "whole numbers"),
        (["backtest", "darien", "--models", "naive,oracle"], ConfigError, "unknown model"),
    ],
)
def test_errors(db: Path, args: list[str], error: type[Exception], message: str) -> None:
    out = runner.invoke(app, [*args, "--db", str(db)])
    assert out.exit_code != 0
    assert isinstance(out.exception, error), out.output
    assert message in str(out.exception)


def test_forecast_top_nationalities(db: Path) -> None:
    out = runner.invoke(app, ["forecast", "darien", "--top", "3", "--horizon", "2", "-f", "json",
                              "--db", str(db)])  # fmt: skip
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert [(r["nat"], r["period"]) for r in rows] == [("VEN", "2024-05"), ("VEN", "2024-06")]
    bad = runner.invoke(app, ["forecast", "darien", "--top", "3", "--nat", "VEN", "--db", str(db)])
    assert isinstance(bad.exception, ConfigError)
