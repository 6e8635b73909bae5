"""Dice similarity of Bloom filters packed as uint64 words (numpy popcount).

``dice = 2 |a AND b| / (|a| + |b|)``. The linker computes the same in SQL
(``bit_count`` on UBIGINT words); these kernels serve batch scoring outside
a database and the throughput benchmark.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["dice_matrix", "dice_pairs", "popcounts"]


def popcounts(filters: NDArray[np.uint64]) -> NDArray[np.int32]:
    """Set bits per filter (rows of words)."""
    return np.bitwise_count(filters).sum(axis=1, dtype=np.int32)


def dice_pairs(
    a: NDArray[np.uint64],
    b: NDArray[np.uint64],
    left: NDArray[np.int64],
    right: NDArray[np.int64],
    a_counts: NDArray[np.int32] | None = None,
    b_counts: NDArray[np.int32] | None = None,
) -> NDArray[np.float32]:
    """Dice of ``a[left[i]]`` and ``b[right[i]]`` for each pair ``i`` (0 when both empty)."""
    ca = popcounts(a) if a_counts is None else a_counts
    cb = popcounts(b) if b_counts is None else b_counts
    inter = np.zeros(len(left), dtype=np.int32)
    for w in range(a.shape[1]):  # word by word: no (pairs x words) temporary
        inter += np.bitwise_count(a[left, w] & b[right, w])
    denom = (ca[left] + cb[right]).astype(np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(denom > 0, 2.0 * inter / denom, 0.0)
    return out.astype(np.float32)


def _tile(
    a: NDArray[np.uint64],
    b: NDArray[np.uint64],
    ca: NDArray[np.int32],
    cb: NDArray[np.int32],
    out: NDArray[np.float32],
    tile: int,
) -> None:
    # buffers reused per tile: the (tile x tile) temporaries stay in cache
    tmp = np.empty((tile, tile), dtype=np.uint64)
    cnt = np.empty((tile, tile), dtype=np.uint8)
    acc = np.empty((tile, tile), dtype=np.uint16)
    for j in range(0, len(b), tile):
        bb = b[j : j + tile]
        n, m = len(a), len(bb)
        t, c, s = tmp[:n, :m], cnt[:n, :m], acc[:n, :m]
        s[:] = 0
        for w in range(a.shape[1]):
            np.bitwise_and(a[:, w, None], bb[None, :, w], out=t)
            np.bitwise_count(t, out=c)
            np.add(s, c, out=s, casting="unsafe")
        denom = (ca[:, None] + cb[None, j : j + tile]).astype(np.float32)
        np.maximum(denom, 1.0, out=denom)
        np.divide(2.0 * s, denom, out=out[:, j : j + tile])


def dice_matrix(
    a: NDArray[np.uint64], b: NDArray[np.uint64], tile: int = 256, threads: int = 2
) -> NDArray[np.float32]:
    """All-against-all Dice of two blocks of filters (``len(a) x len(b)``), tiled, threaded.

    numpy releases the GIL inside each operation, so row tiles run in parallel.
    """
    from concurrent.futures import ThreadPoolExecutor

    ca, cb = popcounts(a), popcounts(b)
    out = np.empty((len(a), len(b)), dtype=np.float32)
    starts = range(0, len(a), tile)

    def run(i: int) -> None:
        _tile(a[i : i + tile], b, ca[i : i + tile], cb, out[i : i + tile], tile)

    if threads <= 1 or len(starts) == 1:
        for i in starts:
            run(i)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(run, starts))
    return out
