"""Stores and apps for the web tests: a hand-made store, and the real data when present."""

from __future__ import annotations

import csv
import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from corridor.store import Store, ingest
from corridor.web.pages import router
from corridor.web.render import STATIC
from tests.conftest import SHARED

MONTHS = pd.date_range("2022-01", periods=30, freq="MS")


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def build_small_store(tmp: Path) -> Store:
    """Darién (VEN, HTI) and Honduras (VEN) for 30 months, Mexico with a gap; no US, no returns."""
    rng = np.random.default_rng(7)
    darien = np.round(np.exp(8 + np.cumsum(rng.normal(0, 0.25, len(MONTHS)))))
    mexico = [
        (t, v) for i, (t, v) in enumerate(zip(MONTHS, darien, strict=True)) if i not in (10, 11)
    ]
    files = [
        _write(tmp / "irreg_darien_nat.csv", ["t", "q", "nat", "n"],
               [r for t, v in zip(MONTHS, darien, strict=True)
                for r in ([f"{t:%Y-%m-%d}", f"{t:%Y-%m-%d}", "VEN", int(v * 0.7)],
                          [f"{t:%Y-%m-%d}", f"{t:%Y-%m-%d}", "HTI", int(v * 0.3)])]),
        _write(tmp / "irreg_honduras_nat.csv", ["t", "nat", "n"],
               [[f"{t:%Y-%m-%d}", "VEN", int(v * 0.8)]
                for t, v in zip(MONTHS, darien, strict=True)]),
        _write(tmp / "irreg_mexico_nat.csv", ["t", "nat", "n"],
               [[f"{t:%Y-%m-%d}", "VEN", int(v * 1.5)] for t, v in mexico]),
    ]  # fmt: skip
    db = tmp / "corridor.duckdb"
    ingest(db, files)
    return Store(db)


def make_app(store: Store) -> FastAPI:
    """``corridor.api.create_app`` once it exists; until then the router on a bare app."""
    try:
        api = importlib.import_module("corridor.api")
    except ImportError:
        api = None
    if api is not None and hasattr(api, "create_app"):
        app: FastAPI = api.create_app(store.path)
        return app
    app = FastAPI()
    app.state.store = store
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return build_small_store(tmp_path_factory.mktemp("web_small"))


@pytest.fixture(scope="session")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    files = sorted((SHARED / "real").glob("*.csv")) if (SHARED / "real").is_dir() else []
    if not files:
        pytest.skip(f"real agency data not found at {SHARED} (../shared is absent)")
    db = tmp_path_factory.mktemp("web_real") / "corridor.duckdb"
    ingest(db, files)
    return Store(db)
