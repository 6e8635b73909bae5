"""Backtest scores stored in the store: shown at once on pages and in the report, never stale."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from corridor.analysis.backtest_store import save_scores, stored_scores
from corridor.cli.main import app as cli
from corridor.store import Store, ingest
from corridor.web.report import report_html
from tests.web.conftest import build_small_store, make_app


def _scores() -> pd.DataFrame:
    return pd.DataFrame([
        {"series": "darien", "model": "naive", "horizon": 1, "mase": 1.25, "mape": 56.4,
         "coverage80": 0.89, "coverage95": 0.96, "surge_hit_rate": 0.0, "n_surges": 5,
         "n_origins": 28},
        {"series": "darien", "model": "corridor", "horizon": 1, "mase": 1.21, "mape": 56.0,
         "coverage80": 0.75, "coverage95": float("nan"), "surge_hit_rate": float("nan"),
         "n_surges": 0, "n_origins": 28},
    ])  # fmt: skip


def test_stored_scores_show_without_asking_and_go_stale_on_ingest(tmp_path: Path) -> None:
    store = build_small_store(tmp_path)
    assert stored_scores(store, "darien") is None
    assert save_scores(store, _scores(), nat=None, start="2023-01", end="2025-04") == 2
    got = stored_scores(store, "darien")
    assert got is not None and list(got["model"]) == ["corridor", "naive"]
    assert pd.isna(got.loc[got["model"] == "corridor", "coverage95"]).all()
    assert stored_scores(store, "honduras") is None
    assert stored_scores(store, "darien", "VEN") is None
    # saving again replaces, never duplicates
    save_scores(store, _scores(), nat=None, start="2023-01", end="2025-04")
    assert len(stored_scores(store, "darien")) == 2  # type: ignore[arg-type]

    html = TestClient(make_app(store)).get("/checkpoint/darien").text
    assert "How well each model forecast past months" in html
    assert "scores=1" not in html  # nothing left to ask for
    assert (
        '<tr class="best"><td>corridor</td><td class="num">1</td><td class="num">'
        "<strong>1.21</strong>" in html
    )
    assert "Rolling origin" in report_html(store)

    # New data: the scores describe the old data, so they are no longer shown.
    extra = tmp_path / "irreg_honduras.csv"
    with extra.open("w", newline="") as fh:
        csv.writer(fh).writerows([["t", "n"], ["2022-01-01", 5]])
    ingest(store.path, [extra])
    assert stored_scores(store, "darien") is None
    html = TestClient(make_app(Store(store.path))).get("/checkpoint/darien").text
    assert "scores=1" in html
    assert "corridor backtest --save" in report_html(store)


def test_backtest_save_from_the_cli(tmp_path: Path) -> None:
    store = build_small_store(tmp_path)
    out = CliRunner().invoke(cli, ["backtest", "darien", "--models", "naive,drift",
                                   "--horizons", "1", "--from", "2023-06", "--to", "2024-06",
                                   "--save", "--db", str(store.path), "-f", "csv"])  # fmt: skip
    assert out.exit_code == 0, out.output
    got = stored_scores(store, "darien")
    assert got is not None and sorted(got["model"]) == ["drift", "naive"]
    assert set(got["window_start"]) == {"2023-06"}


def test_nationality_charts_carry_their_forecast(tmp_path: Path) -> None:
    store = build_small_store(tmp_path)
    html = TestClient(make_app(store)).get("/nationality?nat=VEN").text
    assert html.count("Forecast for ") == html.count('class="panel"') >= 2
    assert html.count("<polygon") == 2 * html.count("Forecast for ")
    es = TestClient(make_app(store)).get("/nationality?nat=VEN&lang=es").text
    assert "Pronóstico para " in es
