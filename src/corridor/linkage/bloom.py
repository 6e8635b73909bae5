"""Keyed Bloom filters of text fields, and MinHash LSH keys, for privacy-preserving linkage.

Each field value becomes a Bloom filter of its padded bigrams. The bit
positions of a bigram come from HMAC-SHA256 under the agencies' shared secret
key, with the field name mixed in ("random hashing": each position is a
separate slice of the digest, not the double-hashing scheme that published
attacks exploit). Without the key nobody can compute which bits a bigram sets,
so a dictionary of names cannot simply be encoded and compared; with a
different key two encodings of the same name share only chance bits.

Blocking keys are MinHash signatures of the same bigrams, also keyed, combined
into bands (locality-sensitive hashing): two records land in the same band
when ``rows`` consecutive MinHash values agree.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["FILTER_BITS", "HASHES", "bigrams", "bloom_filters", "minhash_bands"]

FILTER_BITS = 256  # per field: 4 x uint64, so a Dice score is 4 AND + 4 popcounts
HASHES = 12  # bit positions per bigram (up to 16 fit in one SHA-256 digest)


def bigrams(value: str) -> list[str]:
    """Padded character bigrams: ``ana`` -> ``_a an na a_``."""
    padded = f"_{value}_"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


class _Positions:
    """Bit positions of a bigram under one key and field (cached per gram)."""

    def __init__(self, key: bytes, field: str, bits: int, hashes: int):
        self.key = key
        self.prefix = field.encode() + b"\x00"
        self.bits = bits
        self.hashes = hashes
        self.cache: dict[str, NDArray[np.int64]] = {}

    def __call__(self, gram: str) -> NDArray[np.int64]:
        got = self.cache.get(gram)
        if got is None:
            digest = hmac.new(self.key, self.prefix + gram.encode(), hashlib.sha256).digest()
            chunks = np.frombuffer(digest, dtype=">u2")[: self.hashes].astype(np.int64)
            got = chunks % self.bits
            self.cache[gram] = got
        return got


def bloom_filters(
    values: Sequence[str | None],
    key: bytes,
    field: str,
    bits: int = FILTER_BITS,
    hashes: int = HASHES,
) -> tuple[NDArray[np.uint64], NDArray[np.bool_]]:
    """Bloom filters of ``values`` as packed words, and which values were present.

    Returns:
        ``(filters, present)``: ``filters`` is ``len(values) x bits/64`` uint64
        (little-endian bit order), all zero where a value is missing.
    """
    # each distinct value once: names repeat a lot
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    positions = _Positions(key, field, bits, hashes)
    table = np.zeros((len(uniques) + 1, bits // 8), dtype=np.uint8)  # last row: missing
    filled = np.zeros(len(uniques) + 1, dtype=np.bool_)
    for i, value in enumerate(uniques):
        if value == "":
            continue
        bitset = np.zeros(bits, dtype=np.bool_)
        for gram in bigrams(str(value)):
            bitset[positions(gram)] = True
        table[i] = np.packbits(bitset, bitorder="little")
        filled[i] = True
    return np.ascontiguousarray(table[codes]).view(np.uint64), filled[codes]


class _GramHasher:
    def __init__(self, key: bytes, group: str, count: int):
        self.key = key
        self.group = group.encode()
        self.count = count
        self.cache: dict[str, NDArray[np.uint32]] = {}

    def __call__(self, gram: str) -> NDArray[np.uint32]:
        got = self.cache.get(gram)
        if got is None:
            raw = b""
            block = 0
            while len(raw) < 4 * self.count:
                msg = b"lsh\x00" + self.group + b"\x00" + bytes([block]) + gram.encode()
                raw += hmac.new(self.key, msg, hashlib.sha512).digest()
                block += 1
            got = np.frombuffer(raw[: 4 * self.count], dtype="<u4").copy()
            self.cache[gram] = got
        return got


def minhash_bands(
    grams_per_record: Iterable[frozenset[str] | None],
    key: bytes,
    group: str,
    bands: int,
    rows: int,
) -> NDArray[np.int64]:
    """``records x bands`` LSH keys (0 where a record has no grams).

    A band's key mixes ``rows`` keyed MinHash values; records agreeing on a
    band key very probably share most bigrams of the group's fields.
    """
    hasher = _GramHasher(key, group, bands * rows)
    records = list(grams_per_record)
    out = np.zeros((len(records), bands), dtype=np.int64)
    by_set: dict[frozenset[str], NDArray[np.int64]] = {}
    mix = (np.uint64(0x9E3779B97F4A7C15) ** np.arange(rows, dtype=np.uint64)).astype(np.uint64)
    for row, grams in enumerate(records):
        if not grams:
            continue
        keys = by_set.get(grams)
        if keys is None:
            sig = np.min(np.stack([hasher(g) for g in grams]), axis=0).astype(np.uint64)
            with np.errstate(over="ignore"):
                banded = (sig.reshape(bands, rows) * mix).sum(axis=1)
            keys = (banded >> np.uint64(1)).astype(np.int64) + 1
            by_set[grams] = keys
        out[row] = keys
    return out
