"""Keyed exact tokens of ``corridor encode`` and the comparison levels they give."""

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from corridor.linkage.backend import open_backend
from corridor.linkage.blocking import default_rules
from corridor.linkage.comparators import gamma_sql
from corridor.linkage.config import LinkOptions
from corridor.linkage.link import link_files
from corridor.linkage.pprl import encode_file, load_encoded, pprl_comparisons, pprl_rules
from corridor.linkage.pprl_tokens import blocking_token_column, keyed_tokens, token_rules
from tests.linkage.people import two_agencies

KEY = b"k3y-shared-only-between-agencies-7f2a"
OTHER_KEY = b"another-agency-key-not-shared-91c0"
COLUMNS = ["id", "given_name", "surname", "surname2", "dob", "sex", "nationality"]


def _encode(folder: Path, rows: list[dict[str, str]], key: bytes, name: str) -> Path:
    src = folder / f"{name}.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    (folder / f"{name}.key").write_bytes(key)
    out = folder / f"{name}.enc.parquet"
    encode_file(src, folder / f"{name}.key", "id", out)
    return out


@pytest.fixture
def pprl_levels(tmp_path: Path):
    """``pprl_levels(a, b)`` -> {comparison: level label} of two encoded records."""

    def compare(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
        enc = _encode(tmp_path, [{"id": "1", **a}, {"id": "2", **b}], KEY, "pair")
        with open_backend() as be:
            load_encoded(be, [enc], "id")
            out = {}
            have = set(be.fetch("SELECT * FROM recs LIMIT 0").column_names)
            for c in pprl_comparisons():
                if c.columns[0] not in have:
                    continue
                level = be.scalar(
                    f"SELECT {gamma_sql(c)} FROM recs l, recs r WHERE l._i = 0 AND r._i = 1"
                )
                out[c.name] = c.labels()[int(level)]
        return out

    return compare


BASE = {
    "given_name": "José Luis",
    "surname": "García",
    "surname2": "López",
    "dob": "1990-03-07",
    "sex": "M",
    "nationality": "VEN",
}


def test_tokens_are_keyed_labelled_and_deterministic():
    values = ["garcia", "lopez", None, "garcia"]
    first = keyed_tokens(values, KEY, "name")
    assert (first == keyed_tokens(values, KEY, "name")).all()
    assert first[0] == first[3] and first[0] != first[1] and first[2] == 0
    assert not set(first[:2]) & set(keyed_tokens(values, OTHER_KEY, "name"))
    assert not set(first[:2]) & set(keyed_tokens(values, KEY, "name_tokens"))


def test_nickname_and_first_given_name_levels(pprl_levels):
    assert pprl_levels(BASE, BASE)["given"] == "identical filters"
    assert pprl_levels(BASE, {**BASE, "given_name": "Pepe"})["given"] == (
        "first given name or nickname"
    )
    assert pprl_levels(BASE, {**BASE, "given_name": "José"})["given"] == (
        "first given name or nickname"
    )
    assert pprl_levels(BASE, {**BASE, "given_name": "José Manuel"})["given"] == (
        "first given name equal, second differs"
    )


def test_surname_levels_see_each_surname(pprl_levels):
    # the second surname left out: the first still agrees exactly
    got = pprl_levels(BASE, {**BASE, "surname2": ""})
    assert got["surnames"] == "first surname, and second where both have one"
    # the two surnames in the other order share one surname
    got = pprl_levels(BASE, {**BASE, "surname": "López", "surname2": "García"})
    assert got["surnames"] == "one surname shared, other position"
    got = pprl_levels(BASE, {**BASE, "surname2": "Ruiz"})
    assert got["surnames"] == "first equal, second differs"
    got = pprl_levels(BASE, {**BASE, "surname": "Pérez", "surname2": "Ruiz"})
    assert got["surnames"] == "else"


def test_swapped_names_count_once(pprl_levels):
    swapped = {**BASE, "given_name": "García", "surname": "José", "surname2": ""}
    base = {**BASE, "given_name": "José", "surname2": ""}
    got = pprl_levels(base, swapped)
    assert got["given"] == "swapped with surname"
    assert got["surnames"] == "missing"  # neutral: the given-name comparison counted it


def test_date_levels(pprl_levels):
    assert pprl_levels(BASE, {**BASE, "dob": "1990-07-03"})["dob"] == "day and month swapped"
    assert pprl_levels(BASE, {**BASE, "dob": "1991-11-28"})["dob"] == "year within 1"
    assert pprl_levels(BASE, {**BASE, "dob": "1970-11-28"})["dob"] == "else"


def test_encoded_file_carries_tokens_not_values_nor_key(tmp_path):
    enc = _encode(tmp_path, [{"id": "1", **BASE}], KEY, "one")
    table = pq.read_table(enc)
    names = table.column_names
    assert {"k_given1", "k_surname1", "k_surname2", "k_name_tokens"} <= set(names)
    assert blocking_token_column(default_rules()[0]) in names
    raw = enc.read_bytes()
    for secret in (KEY, b"garcia", b"lopez", b"19900307", b"jose"):
        assert secret not in raw.lower()


def test_encoding_is_deterministic_and_a_wrong_key_shares_no_token(tmp_path):
    rows = [{"id": str(i), **BASE, "dob": f"19{50 + i}-03-07"} for i in range(20)]
    one = pd.read_parquet(_encode(tmp_path, rows, KEY, "one"))
    again = pd.read_parquet(_encode(tmp_path, rows, KEY, "again"))
    other = pd.read_parquet(_encode(tmp_path, rows, OTHER_KEY, "other"))
    pd.testing.assert_frame_equal(one, again)
    for col in (c for c in one.columns if c.startswith(("k_", "kb_", "lsh_"))):
        assert not set(one[col].dropna()) & set(other[col].dropna()), col


def test_blocking_mirrors_the_plaintext_rules(tmp_path):
    enc = _encode(tmp_path, [{"id": "1", **BASE}, {"id": "2", **BASE}], KEY, "two")
    with open_backend() as be:
        load_encoded(be, [enc], "id")
        rules = pprl_rules(be)
        columns = be.fetch("SELECT * FROM recs LIMIT 0").column_names
        # the identical records share every rule's token
        for r in token_rules(columns):
            col = r.left[0].format("x").split(".")[1]
            same = be.scalar(f"SELECT count(DISTINCT {col}) = 1 AND count({col}) = 2 FROM recs")
            assert same, r.name
    plain = {r.name: r.columns for r in default_rules()}
    mirrored = [r for r in rules if r.name in plain]
    assert mirrored and rules[: len(mirrored)] == mirrored  # the tokens first, then LSH
    assert all(r.columns == plain[r.name] for r in mirrored)
    assert "dob+given initial" in {r.name for r in mirrored}
    assert np.any([r.name.startswith("lsh names") for r in rules])


def test_files_without_single_name_tokens_still_link(tmp_path):
    """An agency may drop the single-name tokens: the comparisons fall back to Dice."""
    a, b, truth = two_agencies(tmp_path)
    (tmp_path / "k").write_bytes(KEY)
    stripped = []
    for path in (a, b):
        enc = tmp_path / f"{path.stem}.enc.parquet"
        encode_file(path, tmp_path / "k", "id", enc)
        table = pq.read_table(enc)
        table = table.drop_columns(["k_given1", "k_surname1", "k_surname2"])
        pq.write_table(table, enc)
        stripped.append(enc)
    link_files(stripped, tmp_path / "out", LinkOptions("id"), pprl=True)
    pairs = pd.read_parquet(tmp_path / "out" / "pairs.parquet")
    found = set(zip(pairs.left_id, pairs.right_id, strict=True))
    assert len(found & truth) >= 0.8 * len(truth) and len(found - truth) <= 0.05 * len(found)


def test_crossed_rules_meet_swapped_names(tmp_path):
    """A crossed plaintext rule (given name <-> surname) becomes two token columns."""
    crossed = [r for r in default_rules() if r.right]
    if not crossed:
        pytest.skip("the plaintext rules have no crossed rule")
    base = {**BASE, "given_name": "José", "surname2": ""}
    swapped = {**base, "given_name": "García", "surname": "José"}
    enc = _encode(tmp_path, [{"id": "1", **base}, {"id": "2", **swapped}], KEY, "swap")
    table = pd.read_parquet(enc)
    for r in crossed:
        left, right = blocking_token_column(r), blocking_token_column(r, "r")
        if left not in table or right not in table:
            continue  # a rule on fields these records lack
        met = (table[left][0] == table[right][1]) or (table[left][1] == table[right][0])
        if r.name.startswith("swapped"):
            assert met, r.name
    with open_backend() as be:
        load_encoded(be, [enc], "id")
        names = {r.name for r in pprl_rules(be) if r.right}
    written = {
        r.name
        for r in crossed
        if {blocking_token_column(r), blocking_token_column(r, "r")} <= set(table.columns)
    }
    if any(r.name == "swapped names+year" for r in crossed):
        assert "swapped names+year" in written
    assert names == written  # a side no record fills (no date missing here) is not written
