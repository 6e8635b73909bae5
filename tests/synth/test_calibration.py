"""Aggregates match the targets per month, checkpoint and nationality within sampling noise.

The noise is measured, not assumed: people travel in groups, so a count is a sum
over groups and its variance is estimated by the sum of squared group counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from corridor.synth import targets as targets_mod
from corridor.synth.run import SynthResult, synth
from corridor.synth.targets import Targets

# checkpoint -> (agencies, events) of the simulated records it counts
CHECKPOINT_RECORDS = {
    "darien": (("SNM",), ("irregular_transit",)),
    "honduras": (("INM-HN",), ("irregular_transit",)),
    "mexico": (("UPM",), ("irregular_presence",)),
    "us_southwest": (("USBP", "OFO"), ("apprehension", "expulsion", "inadmissible")),
    "guatemala_returns": (("IGM",), ("return_received",)),
}


def _counts(out: Path, checkpoint: str, nats: tuple[str, ...], by: str) -> pd.DataFrame:
    """Simulated counts per ``by`` (``month`` or ``nat``) with their variance: a sum over
    independent groups, estimated by the sum of each group's squared count."""
    agencies, events = CHECKPOINT_RECORDS[checkpoint]
    ag = ", ".join(f"'{a}'" for a in agencies)
    ev = ", ".join(f"'{e}'" for e in events)
    named = ", ".join(f"'{n}'" for n in nats if n != "OTH")
    sql = f"""
        WITH r AS (
            SELECT date_trunc('month', r.event_date) AS month,
                   CASE WHEN p.nat IN ({named}) THEN p.nat ELSE 'OTH' END AS nat, t.group_id
            FROM read_parquet('{out}/records/*.parquet') r
            JOIN read_parquet('{out}/truth/records.parquet') t USING (record_id)
            JOIN read_parquet('{out}/truth/people.parquet') p USING (person_id)
            WHERE r.agency IN ({ag}) AND r.event IN ({ev})
        ), g AS (SELECT {by}, group_id, count(*) AS n FROM r GROUP BY ALL)
        SELECT {by}, sum(n) AS n, sum(n * n) AS var FROM g GROUP BY ALL
    """
    return duckdb.connect().execute(sql).df()


def _z_scores(run: SynthResult, targets: Targets, checkpoint: str, by: str) -> np.ndarray:
    scale = run.manifest["scale"]
    agg = _counts(run.out, checkpoint, targets.nats, by).set_index(by)
    expected = targets.counts[checkpoint] * scale
    if by == "month":
        exp = expected.sum(axis=1)
        keys: list[object] = [pd.Timestamp(m) for m in targets.months]
        agg.index = [pd.Timestamp(k) for k in agg.index]
    else:
        exp = expected.sum(axis=0)
        keys = list(targets.nats)
    obs = agg["n"].reindex(keys).fillna(0).to_numpy()
    var = agg["var"].reindex(keys).fillna(0).to_numpy()
    keep = exp >= 20  # cells big enough for a normal approximation
    return (obs[keep] - exp[keep]) / np.sqrt(np.maximum(var[keep], exp[keep]))


@pytest.mark.parametrize("checkpoint", list(CHECKPOINT_RECORDS))
def test_totals_over_the_window_match(calibration_run: SynthResult, checkpoint: str) -> None:
    """Over the whole window the noise is small: a bias of a few percent would show."""
    targets = targets_mod.builtin()
    got = _counts(calibration_run.out, checkpoint, targets.nats, "group_id")
    expected = targets.counts[checkpoint].sum() * calibration_run.manifest["scale"]
    z = (got["n"].sum() - expected) / np.sqrt(got["var"].sum())
    assert abs(z) < 4.0, (checkpoint, got["n"].sum(), expected)


@pytest.fixture(scope="module")
def calibration_run(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    return synth(tmp_path_factory.mktemp("cal") / "run", people=150_000, seed=11)


@pytest.mark.parametrize("checkpoint", list(CHECKPOINT_RECORDS))
@pytest.mark.parametrize("by", ["month", "nat"])
def test_aggregates_match_targets_within_noise(
    calibration_run: SynthResult, checkpoint: str, by: str
) -> None:
    z = _z_scores(calibration_run, targets_mod.builtin(), checkpoint, by)
    assert z.size >= (1 if checkpoint == "guatemala_returns" and by == "nat" else 5)
    # up to 24 cells per series: 5 standard deviations is beyond noise, not beyond a bug
    assert np.abs(z).max() < 5.0, np.round(z, 2)
    if z.size >= 5:
        # the spread is that of noise: neither systematically off nor too tight to be random
        assert 0.1 < float(np.mean(z**2)) < 3.0, np.round(z, 2)


def test_flow_files_sum_to_the_records(calibration_run: SynthResult) -> None:
    out = calibration_run.out
    con = duckdb.connect()
    flows = con.execute(
        f"SELECT agency, sum(n) FROM read_csv('{out}/flows/*.csv', all_varchar=true, "
        "columns={'period':'VARCHAR','geo':'VARCHAR','agency':'VARCHAR','area':'VARCHAR',"
        "'place':'VARCHAR','event':'VARCHAR','nat':'VARCHAR','sex':'VARCHAR','age':'VARCHAR',"
        "'family':'VARCHAR','authority':'VARCHAR','partner':'VARCHAR','unit':'VARCHAR',"
        "'n':'BIGINT','synth_seed':'VARCHAR'}, header=true) GROUP BY 1"
    ).fetchall()
    records = json.loads((out / "manifest.json").read_text())["counts"]["records"]
    assert dict(flows) == {a: n for a, n in records.items() if n}


def test_calibrate_from_a_store(tmp_path: Path, calibration_run: SynthResult) -> None:
    """A store holding the first run's aggregates calibrates a second run to them."""
    from corridor.store import ingest

    db = tmp_path / "synth.duckdb"
    ingest(db, sorted((calibration_run.out / "flows").glob("*.csv")))
    from_store = targets_mod.from_store(db)
    assert len(from_store.months) == 24
    # the targets read back are the first run's published counts
    out = calibration_run.out
    records = f"read_parquet('{out}/records/*.parquet')"
    sql = f"SELECT count(*) FROM {records} WHERE agency IN ('USBP', 'OFO')"
    us = duckdb.connect().execute(sql).fetchone()[0]
    assert from_store.counts["us_southwest"].sum() == pytest.approx(us)
    second = synth(tmp_path / "second", people=60_000, seed=12, calibrate_from=db)
    assert second.manifest["calibration"] == {"store": str(db)}
    for checkpoint in ("us_southwest", "mexico"):
        z = _z_scores(second, from_store, checkpoint, "month")
        assert np.abs(z).max() < 5.0, (checkpoint, np.round(z, 2))


def test_calibrate_from_a_store_without_the_checkpoints(tmp_path: Path) -> None:
    from corridor.errors import ConfigError
    from corridor.store import ingest
    from tests.conftest import FIXTURES

    db = tmp_path / "cbp.duckdb"
    ingest(db, [FIXTURES / "cbp" / "valid.csv"])
    with pytest.raises(ConfigError, match="no data for darien"):
        targets_mod.from_store(db)
    with pytest.raises(ConfigError, match="no store"):
        targets_mod.from_store(tmp_path / "absent.duckdb")


@pytest.mark.shared
def test_builtin_targets_are_the_real_series(shared_data: Path, tmp_path: Path) -> None:
    """The shipped parameter set holds the agencies' published monthly totals."""
    from corridor.store import ingest

    db = tmp_path / "real.duckdb"
    files = sorted((shared_data / "real").glob("irreg_*.csv"))
    ingest(db, files)
    real = targets_mod.from_store(db, "2023-01", "2024-12")
    shipped = targets_mod.builtin()
    for cp in targets_mod.CALIBRATED:
        np.testing.assert_allclose(shipped.total(cp), real.total(cp), rtol=1e-6, atol=1)
