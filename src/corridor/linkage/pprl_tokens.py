"""Keyed exact tokens for privacy-preserving linkage.

A token is keyed BLAKE2b (a MAC, 8 bytes) of the normalised value under the
subkey HMAC-SHA256(key, label), as a signed 64-bit integer. Two records share a
token when (and, but for a 2^-64 chance, only when) their values are equal, and
only under the same key. A token reveals the equality of its value and nothing
else; the Bloom filter of a field already reveals as much (equal values give
identical filters), so a token of a whole field adds nothing, while a token of
a part (the first given name, one surname) adds the equality of that part.
``docs/linkage.md`` lists what each token discloses.

Two kinds are written by ``corridor encode``:

* comparison tokens (``k_<column>``) of the name parts the plaintext comparisons
  test for equality (first given name, each surname, all name tokens sorted);
  given name and surnames share one label so a given name written in the
  surname column still meets itself;
* blocking tokens (``kb_<rule>``), one per plaintext blocking rule: the rule's
  keys (``dob`` and the given name's initial, ...) hashed together, so the
  encoded files block exactly like the plaintext linker without revealing the
  keys apart.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from corridor.linkage.backend import Backend
from corridor.linkage.blocking import BlockingRule, default_rules, usable_rules

__all__ = [
    "TOKEN_COLUMNS",
    "blocking_token_column",
    "blocking_token_keys",
    "keyed_tokens",
    "token_rules",
]

# normalised column -> HMAC label (one label: the columns compare with each other)
TOKEN_COLUMNS: dict[str, str] = {
    "given": "name",  # equal to given1's token when the record gives one given name
    "given1": "name",
    "surname1": "name",
    "surname2": "name",
    "name_tokens": "name_tokens",
}


def keyed_tokens(values: Sequence[object], key: bytes, label: str) -> NDArray[np.int64]:
    """One token per value (0 where the value is missing), computed once per distinct value."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    # keyed BLAKE2b (a MAC) under a subkey HMAC-SHA256(key, label), its keyed state copied
    # per value: 3x faster than an HMAC per value
    subkey = hmac.digest(key, b"tok\x00" + label.encode(), "sha256")
    start = hashlib.blake2b(key=subkey, digest_size=8)

    def mac(value: object) -> bytes:
        state = start.copy()
        state.update(str(value).encode())
        return state.digest()

    digests = b"".join(mac(v) for v in uniques)
    table = np.zeros(len(uniques) + 1, dtype=np.int64)  # the last slot: missing values
    table[:-1] = np.frombuffer(digests, dtype="<i8")
    table[:-1][table[:-1] == 0] = 1  # 0 marks a missing value
    return table[codes]  # code -1 (missing) picks the trailing 0


def blocking_token_column(rule: BlockingRule, side: str = "") -> str:
    """The rule's token column: ``dob+given initial`` -> ``kb_dob_given_initial``.

    A crossed rule (keys on one side equal to other keys on the other) has a
    second column, ``side="r"``, for its right-hand keys.
    """
    slug = re.sub(r"[^a-z0-9]+", "_", rule.name.lower()).strip("_")
    return f"kb_{slug}" + (f"__{side}" if side else "")


def _joined_keys(keys: Sequence[str]) -> str:
    exprs = [k.format("x") for k in keys]
    nulls = " OR ".join(f"({e}) IS NULL" for e in exprs)
    parts = ", ".join(f"CAST({e} AS VARCHAR)" for e in exprs)
    # unit separator between keys: it is in no normalised value
    return f"CASE WHEN {nulls} THEN NULL ELSE concat_ws(chr(31), {parts}) END"


def blocking_token_keys(
    backend: Backend, table: str, present: Sequence[str]
) -> dict[str, tuple[str, list[str | None]]]:
    """Per usable plaintext blocking rule, its keys joined into one string per record.

    Returns ``column -> (label, strings)``; a crossed rule's two columns share one
    label, so its left keys meet the other record's right keys. The strings
    (``NULL`` where a key is missing, as the plaintext rule never matches then) are
    what the blocking tokens hash; they never leave the encoder.
    """
    rules = usable_rules(default_rules(), present)
    if not rules:
        return {}
    selects, labels = [], {}
    for r in rules:
        column = blocking_token_column(r)
        selects.append(f"{_joined_keys(r.left)} AS {column}")
        labels[column] = column
        if r.right:
            right = blocking_token_column(r, "r")
            selects.append(f"{_joined_keys(r.right)} AS {right}")
            labels[right] = column
    got = backend.fetch(f"SELECT {', '.join(selects)} FROM {table} x ORDER BY x._i")
    return {name: (labels[name], got[name].to_pylist()) for name in got.column_names}


def token_rules(columns: Sequence[str]) -> list[BlockingRule]:
    """The plaintext blocking rules whose tokens the encoded inputs carry, in their order.

    Each rule keeps the plaintext rule's columns, so EM leaves out the comparisons
    it blocks on exactly as in the plaintext linker, and whether it is broad (run
    only while the pairs of all rules so far fit the budget).
    """
    have = set(columns)
    out = []
    for r in default_rules():
        left, right = blocking_token_column(r), blocking_token_column(r, "r")
        if left not in have or (r.right and right not in have):
            continue
        crossed = ("{0}." + right,) if r.right else ()
        out.append(replace(r, left=("{0}." + left,), right=crossed))
    return out
