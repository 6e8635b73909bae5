"""One small simulated corridor shared by the synth tests (built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.synth.run import SynthResult, synth

SMALL = 30_000


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> SynthResult:
    out = tmp_path_factory.mktemp("synth") / "run"
    return synth(out, people=SMALL, seed=7)


@pytest.fixture(scope="session")
def small_out(small_run: SynthResult) -> Path:
    return small_run.out
