"""Incremental linking of encoded batches (``link --pprl --into PREVIOUS``)."""

import json

import pandas as pd
import pytest

from corridor.errors import InputError
from corridor.linkage.config import LinkOptions
from corridor.linkage.link import link_files
from corridor.linkage.pprl import encode_file
from tests.linkage.people import two_agencies, write_csv

KEY = b"k3y-shared-only-between-agencies-7f2a"
OTHER_KEY = b"another-agency-key-not-shared-91c0"


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    """Agency A and the first 50 of B encoded, linked; B's other rows encoded as a batch."""
    folder = tmp_path_factory.mktemp("pprl_inc")
    a, b, truth = two_agencies(folder)
    rows = pd.read_csv(b, dtype=str, keep_default_na=False)
    first = write_csv(folder / "b_first.csv", rows.iloc[:50].to_dict("records"))
    later = write_csv(folder / "b_later.csv", rows.iloc[50:].to_dict("records"))
    (folder / "key").write_bytes(KEY)
    (folder / "other").write_bytes(OTHER_KEY)
    enc = {}
    for name, path in (("a", a), ("first", first), ("later", later)):
        enc[name] = folder / f"{name}.enc.parquet"
        encode_file(path, folder / "key", "id", enc[name])
    enc["later_other"] = folder / "later.other.parquet"
    encode_file(later, folder / "other", "id", enc["later_other"])
    run1 = folder / "run1"
    link_files([enc["a"], enc["first"]], run1, LinkOptions("id"), pprl=True)
    late_ids = set(rows.iloc[50:]["id"])
    late_truth = {(x, y) for x, y in truth if y in late_ids}
    return folder, enc, run1, late_truth


def test_encoded_batch_joins_previous_entities_without_renumbering(batches, tmp_path):
    _folder, enc, run1, late_truth = batches
    before = pd.read_parquet(run1 / "clusters.parquet")
    run2 = tmp_path / "run2"
    result = link_files([enc["later"]], run2, LinkOptions("id"), pprl=True, previous=run1)
    assert result.score.model.pprl
    after = pd.read_parquet(run2 / "clusters.parquet")
    assert len(after) == len(before) + len(pd.read_parquet(enc["later"]))
    kept = before.merge(after, on="record_id", suffixes=("_before", "_after"))
    assert len(kept) == len(before)
    assert (kept.entity_id_before == kept.entity_id_after).all()  # nobody renumbered
    entity = dict(zip(after.record_id, after.entity_id, strict=True))
    found = sum(entity[x] == entity[y] for x, y in late_truth)
    assert found >= 0.9 * len(late_truth)
    changes = json.loads((run2 / "changes.json").read_text())
    assert changes["new_records"] == len(pd.read_parquet(enc["later"]))
    for path in run2.iterdir():
        assert KEY not in path.read_bytes()


def test_a_batch_under_another_key_joins_nobody(batches, tmp_path):
    _folder, enc, run1, _late_truth = batches
    before = pd.read_parquet(run1 / "clusters.parquet")
    run2 = tmp_path / "run2"
    link_files([enc["later_other"]], run2, LinkOptions("id"), pprl=True, previous=run1)
    after = pd.read_parquet(run2 / "clusters.parquet")
    old_entities = set(before.entity_id)
    new = after[~after.record_id.isin(before.record_id)]
    assert not set(new.entity_id) & old_entities
    pairs = pd.read_parquet(run2 / "pairs.parquet")
    assert not set(pairs.right_id) & set(new.record_id)  # no pair with a new record
    assert not set(pairs.left_id) & set(new.record_id)


def test_plaintext_and_encoded_runs_do_not_mix(batches, tmp_path):
    folder, enc, run1, _late_truth = batches
    with pytest.raises(InputError, match="previous run linked encoded records"):
        link_files([folder / "b_later.csv"], tmp_path / "x", LinkOptions("id"), previous=run1)
    plain = tmp_path / "plain"
    link_files([folder / "agency_a.csv", folder / "b_first.csv"], plain, LinkOptions("id"))
    with pytest.raises(InputError, match="previous run linked plaintext records"):
        link_files([enc["later"]], tmp_path / "y", LinkOptions("id"), pprl=True, previous=plain)
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_a_model_with_other_levels_is_refused(batches, tmp_path):
    _folder, enc, run1, _late_truth = batches
    old = tmp_path / "old"
    old.mkdir()
    for path in run1.iterdir():
        (old / path.name).write_bytes(path.read_bytes())
    model = json.loads((old / "model.json").read_text())
    model["comparisons"][0]["levels"].pop(1)  # as if written by a version with fewer levels
    (old / "model.json").write_text(json.dumps(model))
    with pytest.raises(InputError, match="levels"):
        link_files([enc["later"]], tmp_path / "x", LinkOptions("id"), pprl=True, previous=old)
