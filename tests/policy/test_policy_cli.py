"""``corridor policy`` end to end: rules, evaluate (store or daily file), what-if, project."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.store import Store, ingest

runner = CliRunner()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Border Patrol southwest encounters: 3,000 a day until June 2024, then 1,000."""
    tmp = tmp_path_factory.mktemp("policy_cli")
    months = pd.date_range("2022-01-01", "2024-12-01", freq="MS")
    rows = ["t,t_fy,component,area,authority,type,demog,nat,n"]
    for t in months:
        per_day = 3000 if t < pd.Timestamp("2024-07-01") else 1000
        n = per_day * t.days_in_month
        rows.append(f"{t:%Y-%m-%d},{t:%Y-%m-%d},U.S. Border Patrol,Southwest Land Border,"
                    f"Title 8,Apprehensions,Single Adults,,{n}")  # fmt: skip
    path = tmp / "irreg_usa.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ingest(tmp / "c.duckdb", [path])
    return Store(tmp / "c.duckdb")


def test_rules_lists_the_shipped_rules() -> None:
    out = runner.invoke(app, ["policy", "rules", "-f", "csv"])
    assert out.exit_code == 0
    assert "securing-the-border-2024-06" in out.output and "28 consecutive days" in out.output


def test_evaluate_on_the_store_says_it_approximates(store: Store) -> None:
    out = runner.invoke(app, ["policy", "evaluate", "securing-the-border-2024-06", "--paths",
                              "20", "--db", str(store.path)])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "Approximation: monthly data, not daily." in out.output
    assert "lifted" in out.output
    data = json.loads(runner.invoke(app, ["policy", "evaluate", "securing-the-border-2024-06",
                                          "--paths", "20", "-f", "json",
                                          "--db", str(store.path)]).output)  # fmt: skip
    assert data["approximate"] is True and data["transitions"][0]["state"] == "lifted"
    assert data["changes"][0]["share_of_paths"] > 0.9


def test_evaluate_a_daily_file_exactly_and_a_what_if(tmp_path: Path) -> None:
    days = pd.date_range("2024-05-01", periods=120, freq="D")
    values = np.where(days < pd.Timestamp("2024-07-01"), 3000, 1400)
    path = tmp_path / "daily.csv"
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "n": values}).to_csv(path, index=False)
    base = ["policy", "evaluate", "securing-the-border-2024-06", "--daily", str(path), "-f"]
    got = json.loads(runner.invoke(app, [*base, "json"]).output)
    assert got["transitions"][0]["date"] == "2024-07-21" and "approximate" not in got
    # what-if: lifting below 1,300 never happens at 1,400 a day
    what_if = json.loads(runner.invoke(app, [*base, "json", "--set",
                                             "lift.threshold=1300"]).output)  # fmt: skip
    assert what_if["transitions"] == []
    table = runner.invoke(app, [*base, "table", "--lang", "es"])
    assert "21 de julio de 2024: se levanta" in table.output


def test_project_with_the_forecast(store: Store) -> None:
    args = ["policy", "project", "securing-the-border-2024-10", "--months", "3", "--paths", "20"]
    out = runner.invoke(app, [*args, "-f", "json", "--db", str(store.path)])
    assert out.exit_code == 0, out.output
    got = json.loads(out.output)
    assert [m["period"] for m in got["months"]] == ["2025-01", "2025-02", "2025-03"]
    assert got["state_at_data_end"] in ("in_force", "lifted")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["evaluate", "nope"], "unknown policy rule `nope`"),
        (["evaluate", "securing-the-border-2024-06", "--set", "lift.threshold"],
         "use KEY=VALUE"),
        (["evaluate", "securing-the-border-2024-06", "--set", "lift.windows=3"],
         "unknown setting `lift.windows`"),
        (["evaluate", "securing-the-border-2024-06", "--daily", "/nonexistent.csv"],
         "no such file"),
        (["evaluate", "securing-the-border-2024-06", "--rho", "1.5"], "correlation"),
        (["project", "securing-the-border-2024-06"], "ended on 2024-09-30"),
        (["evaluate", "securing-the-border-2024-06", "--lang", "fr"], "unknown language"),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_error(store: Store, args: list[str], message: str) -> None:
    out = runner.invoke(app, ["policy", *args, "--db", str(store.path)])
    assert out.exit_code != 0
    assert message in str(out.exception)


def test_pathway_list_and_bad_options(store: Store) -> None:
    listed = runner.invoke(app, ["policy", "pathway", "-f", "csv"])
    assert listed.exit_code == 0 and "chnv" in listed.output
    bad = runner.invoke(app, ["policy", "pathway", "chnv", "--pre", "2022-02", "--db",
                              str(store.path)])  # fmt: skip
    assert bad.exit_code != 0 and "use FIRST:LAST months" in str(bad.exception)
    bad = runner.invoke(app, ["policy", "pathway", "chnv", "--controls", "VEN", "--db",
                              str(store.path)])  # fmt: skip
    assert bad.exit_code != 0 and "cannot be a comparison nationality" in str(bad.exception)
