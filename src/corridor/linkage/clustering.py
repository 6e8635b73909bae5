"""Entities: connected components of the linked pairs, with stable ids.

An entity id is derived from the smallest record id in the entity
(``E`` + 16 hex digits of its MD5), so linking the same records twice gives
the same ids, and an entity keeps its id when records join it.
:func:`carry_ids` keeps the ids of a previous run when entities grow, merge
or split, and records each merge and split.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from corridor.linkage.backend import Backend

__all__ = [
    "IdChanges",
    "carry_ids",
    "components",
    "dob_conflict",
    "entity_id",
    "entity_ids",
    "record_dobs",
    "split_conflicts",
]


def components(n: int, left: NDArray[np.int64], right: NDArray[np.int64]) -> NDArray[np.int64]:
    """Component label (its smallest member) of each of ``n`` nodes joined by the edges."""
    parent = np.arange(n, dtype=np.int64)
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    while True:
        pl, pr = parent[left], parent[right]
        lo, hi = np.minimum(pl, pr), np.maximum(pl, pr)
        differ = lo != hi
        if not differ.any():
            return parent
        # hook each larger root under the smaller, then compress paths fully
        np.minimum.at(parent, hi[differ], lo[differ])
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
        left, right = left[differ], right[differ]


def dob_conflict(a: object, b: object) -> bool:
    """Whether two ``YYYYMMDD`` dates of birth cannot be one person's.

    Missing dates never conflict; nor do a one-digit typo or a day/month swap,
    which are how one person's date is mistyped.
    """
    if not isinstance(a, str) or not isinstance(b, str) or a == b:
        return False
    if len(a) != 8 or len(b) != 8:
        return a[:4] != b[:4]
    if a[:4] == b[:4] and a[4:6] == b[6:8] and a[6:8] == b[4:6]:
        return False
    return sum(x != y for x, y in zip(a, b, strict=True)) > 1


def split_conflicts(
    labels: NDArray[np.int64],
    left: NDArray[np.int64],
    right: NDArray[np.int64],
    weight: NDArray[np.float64],
    dob: Sequence[object],
) -> NDArray[np.int64]:
    """Re-cluster components of 3+ records so no entity joins conflicting dates of birth.

    Connected components chain different people through one wrong link
    (A-B and B-C kept, A and C plainly different). Inside each such component
    the pairs are re-joined strongest first, and a join is refused when any
    record on one side has a date of birth that conflicts with one on the
    other (:func:`dob_conflict`) and the two were not linked directly, so a
    chain breaks at its weakest, wrong link while a person's records stay
    together (also when the model linked two of them despite mistyped dates). Components of one or
    two records are left as they are. Returns labels (smallest member).
    """
    labels = np.asarray(labels, dtype=np.int64).copy()
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    size = np.bincount(labels, minlength=len(labels))
    big = size[labels[left]] > 2
    if not big.any():
        return labels
    el, er, ew = left[big], right[big], np.asarray(weight, dtype=np.float64)[big]
    nodes = np.unique(np.concatenate([el, er]))
    parent: dict[int, int] = {int(i): int(i) for i in nodes}
    members: dict[int, list[int]] = {int(i): [int(i)] for i in nodes}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # two records the model linked directly despite their dates (a typo in two digits)
    # are not a conflict: only records joined through others are
    linked = set(zip(np.minimum(el, er).tolist(), np.maximum(el, er).tolist(), strict=True))
    for k in np.argsort(-ew, kind="stable"):
        a, b = root(int(el[k])), root(int(er[k]))
        if a == b:
            continue
        if any(
            dob_conflict(dob[x], dob[y]) and (min(x, y), max(x, y)) not in linked
            for x in members[a]
            for y in members[b]
        ):
            continue
        a, b = min(a, b), max(a, b)
        parent[b] = a
        members[a].extend(members.pop(b))
    for r, group in members.items():
        labels[group] = r  # a root is its group's smallest member (joins keep the smaller)
    return labels


def record_dobs(backend: Backend, table: str) -> list[object]:
    """Dates of birth of ``table`` in ``_i`` order; all None when it has none (PPRL)."""
    names = backend.fetch(f"SELECT * FROM {table} LIMIT 0").schema.names
    col = "dob" if "dob" in names else "NULL"
    return backend.fetch(f"SELECT {col} FROM {table} ORDER BY _i").column(0).to_pylist()


def entity_id(record_id: str) -> str:
    """The id of an entity whose smallest record id is ``record_id``."""
    return "E" + hashlib.md5(record_id.encode(), usedforsecurity=False).hexdigest()[:16]


def entity_ids(record_ids: pd.Series, labels: NDArray[np.int64]) -> pd.Series:
    """One stable entity id per record from component labels."""
    ids = record_ids.astype(str).to_numpy(dtype=object)
    labels = np.asarray(labels)
    # sorted by id once: a component's first record in that order is its smallest id
    order = np.argsort(ids, kind="stable")
    uniq, first = np.unique(labels[order], return_index=True)
    names = np.array([entity_id(rid) for rid in ids[order[first]]], dtype=object)
    return pd.Series(names[np.searchsorted(uniq, labels)], index=record_ids.index)


@dataclass
class IdChanges:
    """What happened to previous entities in a new clustering."""

    merges: list[dict[str, object]]
    splits: list[dict[str, object]]
    new: int
    kept: int


def carry_ids(clusters: pd.DataFrame, previous: pd.DataFrame) -> tuple[pd.DataFrame, IdChanges]:
    """Give new clusters the ids of the previous entities they continue.

    Args:
        clusters: ``record_id, entity_id`` as just computed.
        previous: ``record_id, entity_id`` of an earlier run.

    Returns:
        The clusters with carried ids, and the merges/splits. A previous
        entity's id goes to the new cluster holding most of its records (ties:
        the smaller new id); a new cluster that holds several previous
        entities keeps the id of the largest (ties: smallest id) and records a
        merge; other pieces of a split entity get fresh ids and a split entry.
    """
    cur = clusters[["record_id", "entity_id"]].astype(str)
    prev = previous[["record_id", "entity_id"]].astype(str).rename(columns={"entity_id": "old"})
    joined = cur.merge(prev, on="record_id", how="left")
    overlap = (
        joined.dropna(subset=["old"])
        .groupby(["old", "entity_id"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["old", "n", "entity_id"], ascending=[True, False, True])
    )
    # each old id goes to the cluster holding most of its records
    best = overlap.drop_duplicates("old")
    sizes = prev.groupby("old").size().rename("size")
    best = best.join(sizes, on="old").sort_values(
        ["entity_id", "size", "old"], ascending=[True, False, True]
    )
    winner = best.drop_duplicates("entity_id")  # a cluster keeps one old id
    rename = dict(zip(winner["entity_id"], winner["old"], strict=True))
    merges = [
        {"into": rename[eid], "merged": sorted(group["old"].tolist())}
        for eid, group in best.groupby("entity_id")
        if len(group) > 1
    ]
    split_rows = overlap[
        ~overlap.set_index(["old", "entity_id"]).index.isin(
            list(zip(best["old"], best["entity_id"], strict=True))
        )
    ]
    splits: list[dict[str, object]] = []
    for old, group in split_rows.groupby("old"):
        pieces = [rename.get(e, e) for e in group["entity_id"]]
        splits.append({"from": old, "pieces": sorted(pieces)})
    # a fresh id must not collide with a carried one
    taken = set(rename.values())
    out = cur.copy()
    mapped = out["entity_id"].map(rename)
    fresh = out["entity_id"].where(mapped.isna())
    clash = fresh.isin(taken)
    out["entity_id"] = mapped.fillna(fresh.where(~clash, fresh + "-1"))
    return out, IdChanges(
        merges, splits, int(mapped.isna().groupby(out["entity_id"]).all().sum()), len(rename)
    )
