import numpy as np
import pandas as pd
import pytest

from corridor.errors import InputError
from corridor.linkage.bloom import bigrams, bloom_filters
from corridor.linkage.config import LinkOptions
from corridor.linkage.dice import dice_matrix, dice_pairs
from corridor.linkage.link import link_files
from corridor.linkage.pprl import encode_file, read_key
from tests.linkage.people import two_agencies

KEY = b"k3y-shared-only-between-agencies-7f2a"
OTHER_KEY = b"another-agency-key-not-shared-91c0"


@pytest.fixture(scope="module")
def encoded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pprl")
    a, b, truth = two_agencies(folder)
    (folder / "key").write_bytes(KEY + b"\n")
    (folder / "other").write_bytes(OTHER_KEY)
    encode_file(a, folder / "key", "id", folder / "a.enc.parquet")
    encode_file(b, folder / "key", "id", folder / "b.enc.parquet")
    encode_file(b, folder / "other", "id", folder / "b.other.parquet")
    return folder, a, b, truth


def _pairs(folder) -> set:
    pairs = pd.read_parquet(folder / "pairs.parquet")
    return set(zip(pairs.left_id, pairs.right_id, strict=True))


def _f1(pred, truth):
    return 2 * len(pred & truth) / (len(pred) + len(truth))


def test_encoded_files_hold_no_names_and_no_key(encoded):
    folder, _a, _b, _ = encoded
    table = pd.read_parquet(folder / "a.enc.parquet")
    assert "given_name" not in table.columns and "bf_given" in table.columns
    assert {"dob_y", "sex"} <= set(table.columns)  # coarse blocking keys in clear
    raw = (folder / "a.enc.parquet").read_bytes()
    assert KEY not in raw and b"garcia" not in raw.lower() and b"Garc" not in raw


def test_pprl_link_is_close_to_plaintext(encoded, tmp_path):
    folder, a, b, truth = encoded
    link_files([a, b], tmp_path / "plain", LinkOptions("id"))
    result = link_files(
        [folder / "a.enc.parquet", folder / "b.enc.parquet"],
        tmp_path / "pprl",
        LinkOptions("id"),
        pprl=True,
    )
    assert result.score.model.pprl
    plain, private = _f1(_pairs(tmp_path / "plain"), truth), _f1(_pairs(tmp_path / "pprl"), truth)
    assert private >= plain - 0.03
    for path in (tmp_path / "pprl").iterdir():
        assert KEY not in path.read_bytes()


def test_a_wrong_key_links_nothing(encoded, tmp_path):
    folder, _a, _b, _ = encoded
    link_files(
        [folder / "a.enc.parquet", folder / "b.other.parquet"],
        tmp_path / "out",
        LinkOptions("id"),
        pprl=True,
    )
    assert _pairs(tmp_path / "out") == set()


def test_key_file_checks(tmp_path):
    short = tmp_path / "short.key"
    short.write_bytes(b"tiny")
    with pytest.raises(InputError, match="at least 16"):
        read_key(short)
    with pytest.raises(InputError, match="cannot read the key file"):
        read_key(tmp_path / "absent.key")


def test_plain_input_to_pprl_is_refused(encoded, tmp_path):
    _folder, a, _b, _ = encoded
    with pytest.raises(InputError, match="corridor encode"):
        link_files([a], tmp_path / "out", LinkOptions("id"), pprl=True)
    assert not (tmp_path / "out").exists()


def test_bloom_filters_are_keyed_and_deterministic():
    same, _ = bloom_filters(["maria", "maria", None], KEY, "given")
    other, _ = bloom_filters(["maria"], OTHER_KEY, "given")
    field, _ = bloom_filters(["maria"], KEY, "surnames")
    assert (same[0] == same[1]).all() and not same[2].any()
    assert not (same[0] == other[0]).all() and not (same[0] == field[0]).all()
    assert bigrams("ana") == ["_a", "an", "na", "a_"]


def _dice_ref(x: np.ndarray, y: np.ndarray) -> float:
    bx = np.unpackbits(x.view(np.uint8)).astype(bool)
    by = np.unpackbits(y.view(np.uint8)).astype(bool)
    total = bx.sum() + by.sum()
    return 2 * (bx & by).sum() / total if total else 0.0


def test_dice_kernels_match_a_reference():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2**63, (300, 4), dtype=np.uint64)
    b = rng.integers(0, 2**63, (270, 4), dtype=np.uint64)
    b[5] = a[7]
    matrix = dice_matrix(a, b, tile=64, threads=2)
    assert matrix.shape == (300, 270)
    assert matrix[7, 5] == pytest.approx(1.0)
    for i, j in [(0, 0), (299, 269), (12, 200)]:
        assert matrix[i, j] == pytest.approx(_dice_ref(a[i], b[j]), abs=1e-6)
    left, right = np.array([7, 12]), np.array([5, 200])
    np.testing.assert_allclose(dice_pairs(a, b, left, right), matrix[left, right], atol=1e-6)
