"""Shared fixtures: paths to the agencies' real data (skipped when absent) and stores."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` beside the checkout; skip the test when it is absent."""
    if not (SHARED / "real").is_dir():
        pytest.skip(f"real agency data not found at {SHARED} (../shared is absent)")
    return SHARED


@pytest.fixture
def cbp_sample(shared_data: Path) -> Path:
    path = shared_data / "raw" / "cbp_nationwide_encounters_aor_sample.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store" / "corridor.duckdb"


def digest(path: Path) -> str | None:
    """SHA-256 of a file, or None when it does not exist (store untouched checks)."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None
