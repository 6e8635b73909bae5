"""Evaluation against truth: exact on the hand-built ring, sensible on a small simulation."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.networks.evaluate import evaluate
from corridor.networks.inputs import Degrade
from corridor.networks.run import Options, analyse


def test_scores_on_the_hand_built_ring(ring: Path) -> None:
    a = analyse(ring, Options(top=10))
    try:
        s = evaluate(a)
    finally:
        a.close()
    assert (s.leads, s.guides, s.guide_recall, s.guide_recall_named) == (1, 1, 1.0, 1.0)
    assert s.ring_members == 17 and s.member_recall == 1.0
    assert (s.flagged, s.flagged_precision, s.rings, s.rings_found) == (1, 1.0, 1, 1)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from corridor.synth.run import synth

    out = tmp_path_factory.mktemp("nw") / "synth"
    synth(out, people=30_000, seed=3)
    return out


def test_simulated_rings_are_found_and_degrade_with_linkage_errors(simulated: Path) -> None:
    a = analyse(simulated, Options(top=3))
    try:
        good = evaluate(a)
    finally:
        a.close()
    assert good.rings == 3 and good.rings_found == 3
    assert good.guide_recall >= 0.9 and good.flagged_precision >= 0.8
    b = analyse(simulated, Options(top=3, degrade=Degrade(split=0.5, seed=2)))
    try:
        bad = evaluate(b)
    finally:
        b.close()
    assert bad.guide_recall_named < good.guide_recall_named


def test_evaluate_needs_truth(ring: Path) -> None:
    import shutil

    from corridor.errors import ConfigError

    a = analyse(ring, Options(top=10))
    try:
        shutil.rmtree(ring / "truth")
        with pytest.raises(ConfigError, match="truth"):
            evaluate(a)
    finally:
        a.close()
