"""The proclamation rules on the real monthly Border Patrol series (skipped without ../shared)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from corridor.analysis.policy.approx import Noise, evaluate_monthly
from corridor.analysis.policy.rules import load_rule
from corridor.analysis.series import checkpoint, monthly
from corridor.store import Store, ingest


@pytest.fixture(scope="module")
def usbp(tmp_path_factory: pytest.TempPathFactory) -> object:
    from tests.conftest import SHARED

    path = SHARED / "real" / "irreg_usa.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is absent)")
    db: Path = tmp_path_factory.mktemp("policy") / "c.duckdb"
    ingest(db, [path])
    return monthly(Store(db), checkpoint("usbp_southwest", variants=True), start="2023-06")


def test_june_2024_rule_on_real_data(usbp: object) -> None:
    # June 2024: 83,536 Border Patrol encounters (2,785 a day); July-September
    # 1,795-1,871 a day: the central path stays in force until the rule's end...
    mt = evaluate_monthly(load_rule("securing-the-border-2024-06"), usbp, Noise(seed=0))  # type: ignore[arg-type]
    assert mt.central.transitions == []
    assert mt.central.periods() == [(date(2024, 6, 5), date(2024, 9, 30), "in_force")]
    # ...but with daily swings a 7-day average below 1,500 is plausible: the
    # weakness the September amendment (28 days in a row) closed
    lifted = next(f for f in mt.first if f.state == "lifted")
    assert 0.1 < lifted.share < 0.9


def test_amended_rule_lifts_early_2025_on_real_data(usbp: object) -> None:
    # December 2024 1,527 a day, January 2025 939: 28 days below 1,500 end in
    # mid-January, the lift 14 days later, around 1 February 2025
    mt = evaluate_monthly(load_rule("securing-the-border-2024-10"), usbp, Noise(seed=0))  # type: ignore[arg-type]
    (lift,) = mt.central.transitions
    assert lift.state == "lifted" and date(2025, 1, 20) <= lift.date <= date(2025, 2, 20)
    (spread,) = mt.spreads
    assert spread.share > 0.9
