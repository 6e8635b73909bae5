"""The shipped rules on the agencies' real series (skipped when ../shared is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.analysis.alert_rules import Rule, rules_for
from corridor.analysis.alerts import Alert, evaluate
from corridor.store import Store, ingest
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Store:
    files = sorted((SHARED / "real").glob("irreg_*.csv"))
    if not files:
        pytest.skip(f"real agency data not found at {SHARED} (../shared is absent)")
    db: Path = tmp_path_factory.mktemp("real") / "corridor.duckdb"
    ingest(db, files)
    return Store(db)


@pytest.fixture(scope="module")
def since_2023(real: Store) -> list[Alert]:
    return evaluate(real, rules_for(None), since="2023-01")


def test_percent_change_finds_the_january_2024_us_southwest_fall(since_2023: list[Alert]) -> None:
    found = {a.period.isoformat(): a for a in since_2023 if a.rule == "us-southwest-mom"}
    jan = found["2024-01-01"]
    # CBP southwest encounters, all components: 301,981 in December 2023, 176,195 in January.
    assert jan.message == (
        "US southwest border (CBP encounters) fell 41.7% from December 2023 to January 2024 "
        "(301,981 to 176,195)"
    )
    assert jan.releases and all(r.startswith("gdidata.irreg_usa@") for r in jan.releases)
    assert "2025-02-01" in found  # the February 2025 fall (-80.9%) too


def test_threshold_marks_the_late_2023_peak(since_2023: list[Alert]) -> None:
    peak = sorted(a.period.isoformat() for a in since_2023 if a.rule == "us-southwest-record-level")
    assert "2023-12-01" in peak and all(p.startswith("2023") for p in peak)


def test_new_nationality_finds_haiti_arriving_in_honduras(since_2023: list[Alert]) -> None:
    hti = [a for a in since_2023 if a.rule == "honduras-new-nationality" and a.nat == "HTI"]
    # October 2023: 35,529 Haitians, a share up from 7.9% to 34.8%.
    assert "2023-10-01" in {a.period.isoformat() for a in hti}


def test_latest_month_only_by_default(real: Store) -> None:
    latest = evaluate(real, rules_for(None))
    assert latest and {a.period.isoformat() for a in latest} <= {"2025-04-01", "2025-05-01"}
    mexico = [a for a in latest if a.rule == "mexico-mom"]
    assert mexico and mexico[0].message.startswith("Mexico (irregular presence events) fell 60.2%")


def test_forecast_rule_on_the_real_series(real: Store) -> None:
    pytest.importorskip("statsforecast")
    rule = Rule("fc", "forecast_exceeded", "us_southwest", "info", "{month} {value} > {hi}",
                params={"level": 80})  # fmt: skip
    found = evaluate(real, [rule], since="2022-01")
    # Measured: only March 2022 (222,574) exceeds the 80% bound of the forecast before it.
    assert [a.period.isoformat() for a in found] == ["2022-03-01"]
    assert all(a.hi is not None and a.value > a.hi for a in found)
