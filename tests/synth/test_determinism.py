"""Same seed, same bytes; another seed, other people; chunks do not change the result."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from corridor.synth import chunk as chunk_mod
from corridor.synth import run as run_mod
from corridor.synth.run import synth


def _digests(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    a = synth(tmp_path / "a", people=6_000, seed=5).out
    b = synth(tmp_path / "b", people=6_000, seed=5).out
    assert _digests(a) == _digests(b)
    assert len(_digests(a)) == 8 + 4 + 7 + 1  # records, truth, flows, manifest


def test_another_seed_gives_other_people(tmp_path: Path) -> None:
    a = synth(tmp_path / "a", people=6_000, seed=5).out
    c = synth(tmp_path / "c", people=6_000, seed=6).out
    names_a = pq.read_table(a / "truth" / "people.parquet").column("surname1").to_pylist()
    names_c = pq.read_table(c / "truth" / "people.parquet").column("surname1").to_pylist()
    assert names_a != names_c
    assert _digests(a)["records/SNM.parquet"] != _digests(c)["records/SNM.parquet"]


def test_several_chunks_are_deterministic_and_ids_stay_unique(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # small chunks so that the multi-chunk path runs in a test
    monkeypatch.setattr(chunk_mod, "CHUNK", 2_500)
    monkeypatch.setattr(run_mod, "CHUNK", 2_500)
    a = synth(tmp_path / "a", people=6_000, seed=9)
    b = synth(tmp_path / "b", people=6_000, seed=9)
    assert a.manifest["chunk_size"] == 2_500
    assert _digests(a.out) == _digests(b.out)
    people = pq.read_table(a.out / "truth" / "people.parquet").to_pandas()
    assert people["person_id"].is_unique
    members = people[people["role"] == "member"]
    # ids are chunk * CHUNK + local index: three chunks of people
    assert set(members["person_id"] // 2_500) == {0, 1, 2}
    truth = pq.read_table(a.out / "truth" / "records.parquet").to_pandas()
    assert truth["record_id"].is_unique
