"""Alerts on hand-made stores: each rule kind fires or not, validation, idempotence, ingest."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.analysis.alert_rules import DEFAULT_RULES, Rule, load_rules, rules_for
from corridor.analysis.alerts import Alert, evaluate, list_alerts, save
from corridor.cli.main import app
from corridor.errors import ConfigError, QueryError
from corridor.store import Store, ingest

MONTHS = pd.date_range("2023-01", periods=30, freq="MS")
#: Honduras: VEN steady at 1,000 with a fall to 400 in the last month; HTI absent
#: until the last month (2,500): a new nationality and a month-on-month fall at once.
VEN = [1000.0] * 29 + [400.0]
HTI = [None] * 29 + [2500.0]
runner = CliRunner()


def _write(path: Path, header: list[str], rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _honduras(tmp: Path, months: pd.DatetimeIndex = MONTHS) -> Path:
    rows = [[f"{t:%Y-%m-%d}", nat, v] for t, ven, hti in zip(months, VEN, HTI, strict=True)
            for nat, v in (("VEN", ven), ("HTI", hti)) if v is not None]  # fmt: skip
    return _write(tmp / "irreg_honduras_nat.csv", ["t", "nat", "n"], rows)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    tmp = tmp_path_factory.mktemp("alerts")
    db = tmp / "c.duckdb"
    ingest(db, [_honduras(tmp)])
    return Store(db)


def rule(kind: str, **params: float | int | str) -> Rule:
    nat = params.pop("nat", None)
    return Rule("r", kind, "honduras", "warning", "{series} {month} {value}",
                nat=str(nat) if nat else None, params=params)  # fmt: skip


def test_threshold_fires_only_beyond_its_value(store: Store) -> None:
    (alert,) = evaluate(store, [rule("threshold", above=2000)])  # total 2,900 in June 2025
    assert (alert.period.isoformat(), alert.value, alert.threshold) == ("2025-06-01", 2900, 2000)
    assert alert.message == "Honduras (irregular arrivals) June 2025 2,900"
    assert alert.releases and alert.releases[0].startswith("gdidata.irreg_honduras_nat@")
    assert evaluate(store, [rule("threshold", above=3000)]) == []
    assert evaluate(store, [rule("threshold", below=500, nat="VEN")])[0].value == 400
    # With a start month every month since is checked; only the latest month fires.
    assert len(evaluate(store, [rule("threshold", above=2000)], since="2023-01")) == 1


def test_percent_change_mom_yoy_direction_and_base(store: Store) -> None:
    (fall,) = evaluate(store, [rule("percent_change", nat="VEN", change="mom", beyond=50)])
    assert fall.threshold == -50 and fall.value == 400
    assert evaluate(store, [rule("percent_change", nat="VEN", change="mom", beyond=70)]) == []
    up_only = rule("percent_change", nat="VEN", change="mom", beyond=50, direction="up")
    assert evaluate(store, [up_only]) == []
    assert evaluate(store, [rule("percent_change", nat="VEN", change="yoy", beyond=50)])
    big_base = rule("percent_change", nat="VEN", change="mom", beyond=50, min_base=5000)
    assert evaluate(store, [big_base]) == []
    # HTI had no previous month: a first appearance is not a percent change.
    assert evaluate(store, [rule("percent_change", nat="HTI", change="mom", beyond=1)]) == []


def test_percent_change_across_a_gap_never_fires(tmp_path: Path) -> None:
    gappy = MONTHS.delete(28)  # the month before the fall is missing
    global_rows = [[f"{t:%Y-%m-%d}", "VEN", v] for t, v in zip(MONTHS, VEN, strict=True)
                   if t in gappy]  # fmt: skip
    db = tmp_path / "c.duckdb"
    ingest(db, [_write(tmp_path / "irreg_honduras_nat.csv", ["t", "nat", "n"], global_rows)])
    assert evaluate(Store(db), [rule("percent_change", change="mom", beyond=10)]) == []


def _stub(hi80: float, hi95: float) -> object:
    calls: list[pd.Series] = []

    def forecast(series: pd.Series, horizon: int, levels: tuple[int, ...]) -> pd.DataFrame:
        calls.append(series)
        period = series.index[-1] + pd.DateOffset(months=horizon)
        bounds = {"lo80": 800.0, "hi80": hi80, "lo95": 700.0, "hi95": hi95}
        return pd.DataFrame([{"period": period, "mean": 1000.0, **bounds, "model": "stub"}])

    forecast.calls = calls  # type: ignore[attr-defined]
    return forecast


def test_forecast_exceeded_uses_the_months_before(store: Store) -> None:
    stub = _stub(hi80=2500, hi95=3500)
    (alert,) = evaluate(store, [rule("forecast_exceeded", level=80)], forecaster=stub)  # type: ignore[arg-type]
    assert (alert.lo, alert.hi, alert.value) == (800, 2500, 2900)
    history = stub.calls[0]  # type: ignore[attr-defined]
    assert history.index[-1] == pd.Timestamp("2025-05-01") and len(history) == 29
    assert evaluate(store, [rule("forecast_exceeded", level=95)], forecaster=stub) == []  # type: ignore[arg-type]
    short = rule("forecast_exceeded", level=80, min_history=36)
    assert evaluate(store, [short], forecaster=stub) == []  # type: ignore[arg-type]


def test_forecast_exceeded_with_the_real_forecaster(tmp_path: Path) -> None:
    pytest.importorskip("statsforecast")
    rng = np.random.default_rng(3)
    steady = np.round(1000 * np.exp(rng.normal(0, 0.05, 29))).tolist()
    rows = [[f"{t:%Y-%m-%d}", "VEN", v] for t, v in zip(MONTHS, [*steady, 5000], strict=True)]
    db = tmp_path / "c.duckdb"
    ingest(db, [_write(tmp_path / "irreg_honduras_nat.csv", ["t", "nat", "n"], rows)])
    (alert,) = evaluate(Store(db), [rule("forecast_exceeded", level=95)])
    assert alert.hi is not None and 1000 < alert.hi < 5000


def test_new_nationality_absent_then_large(store: Store) -> None:
    (alert,) = evaluate(store, [rule("new_nationality", window=6, small=0, exceeds=1000)])
    assert (alert.nat, alert.value) == ("HTI", 2500)
    assert evaluate(store, [rule("new_nationality", window=6, exceeds=3000)]) == []
    # VEN is always present: no share rise (it fell), so only HTI rises by points.
    rose = evaluate(store, [rule("new_nationality", window=6, share_points=50)])
    assert [a.nat for a in rose] == ["HTI"]
    assert evaluate(store, [rule("new_nationality", share_points=50, min_count=3000)]) == []
    # A window longer than the data before: everything would look new, so nothing fires.
    assert evaluate(store, [rule("new_nationality", window=40, exceeds=10)]) == []
    # fired by the share alone: 2,500 never crossed `exceeds`, so that is not its threshold
    (by_share,) = evaluate(store, [rule("new_nationality", exceeds=3000, share_points=50)])
    assert (by_share.value, by_share.threshold) == (2500, None)


def test_save_is_idempotent_per_rule_series_and_month(store: Store, tmp_path: Path) -> None:
    db = tmp_path / "copy.duckdb"
    db.write_bytes(store.path.read_bytes())
    copy = Store(db)
    rules = [rule("threshold", above=2000), rule("new_nationality", exceeds=1000)]
    first = save(copy, evaluate(copy, rules))
    assert len(first) == 2
    assert save(copy, evaluate(copy, rules)) == []
    assert save(copy, evaluate(copy, rules, since="2023-01")) == []
    stored = list_alerts(copy)
    assert len(stored) == 2 and set(stored["nat"]) == {"", "HTI"}
    assert next(iter(stored["releases"].iloc[0])).startswith("gdidata.irreg_honduras_nat@")
    assert list_alerts(copy, since="2025-07").empty


def test_list_alerts_before_any_evaluation_is_empty(store: Store) -> None:
    assert list_alerts(store).empty
    # a bad month is refused whether or not alerts were stored yet
    with pytest.raises(QueryError, match="not a month"):
        list_alerts(store, since="foo")


def _rules_file(tmp: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = 'id = "x"\nkind = "threshold"\ncheckpoint = "honduras"\nseverity = "info"\nabove = 1\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (BASE + "abov = 2\n",
         r"mine.toml: rule `x`: unknown key `abov` \(did you mean `above`\?\)"),
        (BASE.replace('"threshold"', '"treshold"'),
         r"unknown kind `treshold` \(did you mean `threshold`\?\)"),
        (BASE.replace('"honduras"', '"hondura"'),
         r"unknown checkpoint `hondura` \(did you mean `honduras`\?\)"),
        (BASE.replace('"info"', '"loud"'), "unknown severity `loud`; use one of: info"),
        (BASE + 'message = "{lable}"\n', r"unknown field `\{lable\}` \(did you mean `label`\?\)"),
        (BASE + 'message_es = "{mes}"\n', r"`message_es` uses unknown field `\{mes\}`"),
        (BASE + 'nat = "Venezuela"\n', "`nat` must be an ISO3 code"),
        (BASE.replace("above = 1", 'above = "1"'), "`above` must be a number"),
        (BASE.replace("above = 1", ""), "needs `above` or `below`"),
        (BASE.replace('"threshold"', '"percent_change"').replace("above = 1", 'change = "mom"'),
         "`beyond` .* is required"),
        (BASE.replace('"threshold"', '"forecast_exceeded"').replace("above = 1", "level = 90"),
         "`level` must be 80 or 95"),
        (BASE.replace('"threshold"', '"new_nationality"').replace("above = 1", 'nat = "VEN"'),
         "drop `nat`"),
    ],
)  # fmt: skip
def test_invalid_rules_name_file_rule_and_key(tmp_path: Path, body: str, message: str) -> None:
    path = _rules_file(tmp_path, "[[rule]]\n" + body)
    with pytest.raises(ConfigError, match=message):
        load_rules(path)


def test_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"mine.toml: unknown key `rules` \(did you mean `rule`"):
        load_rules(_rules_file(tmp_path, "[[rules]]\n" + BASE))
    with pytest.raises(ConfigError, match="appears twice"):
        load_rules(_rules_file(tmp_path, f"[[rule]]\n{BASE}\n[[rule]]\n{BASE}"))
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_rules(_rules_file(tmp_path, "[[rule]\n"))
    with pytest.raises(ConfigError, match="not found"):
        load_rules(tmp_path / "absent.toml")


def test_shipped_rules_load_and_user_rules_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = load_rules(DEFAULT_RULES)
    assert {r.kind for r in shipped} == {
        "threshold", "percent_change", "forecast_exceeded", "new_nationality"}  # fmt: skip
    mine = _rules_file(tmp_path, "[[rule]]\n" + BASE.replace('"x"', '"us-southwest-mom"'))
    monkeypatch.setenv("CORRIDOR_RULES", str(mine))
    merged = {r.id: r for r in rules_for()}
    assert len(merged) == len(shipped) and merged["us-southwest-mom"].kind == "threshold"
    monkeypatch.delenv("CORRIDOR_RULES")
    assert rules_for()[0].kind == shipped[0].kind


def test_evaluate_raises_or_collects_errors(store: Store) -> None:
    def broken(series: pd.Series, horizon: int, levels: tuple[int, ...]) -> pd.DataFrame:
        raise ConfigError("model failed")

    bad = rule("forecast_exceeded", level=80)
    with pytest.raises(ConfigError, match="model failed"):
        evaluate(store, [bad], forecaster=broken)
    problems: list[str] = []
    found = evaluate(store, [bad, rule("threshold", above=1)], forecaster=broken, errors=problems)
    assert [a.rule for a in found] == ["r"] and problems == ["rule `r`: model failed"]


def _alerts(out: str) -> list[Mapping[str, object]]:
    rows: list[Mapping[str, object]] = json.loads(out)
    return rows


def test_ingest_prints_new_alerts_and_stores_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = _rules_file(tmp_path, """
[[rule]]
id = "hti-new"
kind = "new_nationality"
checkpoint = "honduras"
exceeds = 1000
severity = "critical"
message = "{nat} new at {label}: {value} in {month}"
""")  # fmt: skip
    monkeypatch.setenv("CORRIDOR_RULES", str(rules))
    db = tmp_path / "store" / "c.duckdb"
    data = tmp_path / "data"
    data.mkdir()
    result = runner.invoke(app, ["ingest", "--db", str(db), str(_honduras(data))])
    assert result.exit_code == 0, result.output
    assert "alert (critical): HTI new at Honduras (irregular arrivals): 2,500 in June 2025" in (
        result.output
    )
    listed = runner.invoke(app, ["alerts", "--db", str(db), "-f", "json"])
    assert listed.exit_code == 0, listed.output
    # The shipped rules run too (the fall and the new total fire them): keep to ours.
    mine = [(r["nat"], r["period"]) for r in _alerts(listed.stdout) if r["rule"] == "hti-new"]
    assert mine == [("HTI", "2025-06-01")]
    again = runner.invoke(app, ["alerts", "--db", str(db), "--evaluate", "-f", "json"])
    assert len(_alerts(again.stdout)) == len(_alerts(listed.stdout))


def test_a_broken_rules_file_never_undoes_an_ingest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORRIDOR_RULES", str(_rules_file(tmp_path, "[[rule]]\nid = 1\n")))
    db = tmp_path / "c.duckdb"
    result = runner.invoke(app, ["ingest", "--db", str(db), str(_honduras(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "warning: alerts not evaluated: mine.toml: rule 1: `id` is required" in result.output
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM releases").fetchone() == (1,)
    finally:
        con.close()
    bad = runner.invoke(app, ["alerts", "--db", str(db), "--evaluate"])
    assert isinstance(bad.exception, ConfigError)  # asked for directly, it is an error


def test_alert_is_a_plain_record() -> None:
    assert Alert.__dataclass_fields__.keys() >= {"rule", "checkpoint", "nat", "period", "releases"}


def test_an_alert_names_only_the_releases_of_its_series(tmp_path: Path) -> None:
    from tests.conftest import FIXTURES

    # a second CBP release holding only the northern border for December 2023
    north = _write(tmp_path / "north.csv", [
        "Fiscal Year", "Month Grouping", "Month (abbv)", "Component", "Land Border Region",
        "Area of Responsibility", "AOR (Abbv)", "Demographic", "Citizenship",
        "Title of Authority", "Encounter Type", "Encounter Count",
    ], [["2024", "FYTD", "DEC", "U.S. Border Patrol", "Northern Land Border", "Blaine Sector",
         "BLW", "Single Adults", "MEXICO", "Title 8", "Apprehensions", "12"]])  # fmt: skip
    db = tmp_path / "c.duckdb"
    (southwest,) = ingest(db, [FIXTURES / "cbp" / "valid.csv"])
    ingest(db, [north])
    above = Rule("sw", "threshold", "us_southwest", "info", "{value}", params={"above": 1000.0})
    (alert,) = evaluate(Store(db), [above], since="2023-12")
    assert alert.period.isoformat() == "2023-12-01"
    assert alert.releases == (southwest.release_id,)


def test_rule_parameters_come_typed() -> None:
    r = rule("percent_change", change="mom", beyond=30, window=6)
    assert r.number("beyond", 0) == 30.0 and isinstance(r.number("beyond", 0), float)
    assert r.number("min_base", 0) == 0.0
    assert r.integer("window", 1) == 6 and r.integer("level", 95) == 95
