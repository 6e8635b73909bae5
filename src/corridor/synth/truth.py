"""Ground-truth tables: people, groups and rings (records' truth is in ``records.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from corridor.synth.chunk import GUIDE, Chunk
from corridor.synth.households import CHILD, PARTNER
from corridor.synth.model import STAGES
from corridor.synth.records import Vocabularies, doc_columns, name_columns
from corridor.synth.rings import Rings

if TYPE_CHECKING:
    from corridor.synth.chunk import Context

PEOPLE_SCHEMA = pa.schema([
    ("person_id", pa.int64()), ("household_id", pa.int64()), ("group_id", pa.int64()),
    ("ring_id", pa.int64()), ("role", pa.string()), ("relation", pa.string()),
    ("sex", pa.string()), ("dob", pa.date32()), ("nat", pa.string()),
    ("given_names", pa.string()), ("surname1", pa.string()), ("surname2", pa.string()),
    ("doc_type", pa.string()), ("doc_number", pa.string()), ("phone", pa.string()),
    ("entry", pa.string()), ("entry_date", pa.date32()),
])  # fmt: skip
GROUP_SCHEMA = pa.schema([
    ("group_id", pa.int64()), ("ring_id", pa.int64()), ("entry", pa.string()),
    ("entry_date", pa.date32()), ("households", pa.int64()), ("people", pa.int64()),
    ("guide_id", pa.int64()),
])  # fmt: skip
RINGS_SCHEMA = pa.schema([
    ("ring_id", pa.int64()), ("guide_ids", pa.list_(pa.int64())),
    ("phones", pa.list_(pa.string())), ("addresses", pa.list_(pa.string())),
    ("sponsor_refs", pa.list_(pa.string())),
])  # fmt: skip
RELATIONS = ("head", "partner", "child")
#: where a person joined: the agency of their first stage, or SMO for registrants only
ENTRY = (*(s.agency for s in STAGES), "SMO")


def _entry(stage: np.ndarray) -> np.ndarray:
    return np.where(stage < 0, len(STAGES), stage)


def _phone(vocab: Vocabularies, nat: np.ndarray, number: np.ndarray) -> pa.Array:
    from corridor.synth import distort

    text = distort.join(vocab.calling.take(pa.array(nat)),
                        pa.array(np.maximum(number, 0)).cast(pa.string()), "")  # fmt: skip
    return distort.where(number < 0, pa.nulls(number.size, pa.string()), text)


def people_table(chunk: Chunk, vocab: Vocabularies, ctx: Context) -> pa.Table:
    """The chunk's people (guides are listed once, from the rings)."""
    idx = np.flatnonzero(chunk.role != GUIDE)
    ppl = chunk.people
    given, s1, s2 = name_columns(vocab, ppl, idx)
    kind, number = doc_columns(
        vocab, ppl.doc_type[idx].astype(np.int64), ppl.doc_number[idx], ppl.nat[idx]
    )
    rel = np.where(chunk.relation[idx] == CHILD, 2, np.where(chunk.relation[idx] == PARTNER, 1, 0))
    ring = chunk.ring_id[idx]
    return pa.Table.from_arrays([
        pa.array(chunk.person_id[idx]), pa.array(chunk.household_id[idx]),
        pa.array(chunk.group_id[idx]), pa.array(ring, mask=ring < 0),
        pa.array(np.full(idx.size, "member")), pa.array(RELATIONS).take(pa.array(rel)),
        pa.array(["M", "F"]).take(pa.array(chunk.sex[idx].astype(np.int64))),
        pa.array(ppl.dob[idx].astype("datetime64[D]"), pa.date32()),
        vocab.nats.take(pa.array(ppl.nat[idx])), given, s1, s2, kind, number,
        _phone(vocab, ppl.nat[idx], ppl.phone[idx]),
        pa.array(ENTRY).take(pa.array(_entry(chunk.entry_stage[idx]))),
        pa.array(chunk.entry_day[idx].astype("datetime64[D]"), pa.date32()),
    ], schema=PEOPLE_SCHEMA)  # fmt: skip


def guides_table(rings: Rings, vocab: Vocabularies) -> pa.Table:
    """The rings' guides as people (role ``guide``)."""
    n = rings.guide_ids.size
    g = rings.guides
    idx = np.arange(n)
    given, s1, s2 = name_columns(vocab, g, idx)
    kind, number = doc_columns(vocab, g.doc_type.astype(np.int64), g.doc_number, g.nat)
    none = pa.nulls(n, pa.int64())
    return pa.Table.from_arrays([
        pa.array(rings.guide_ids), none, none, pa.array(rings.guide_ring),
        pa.array(np.full(n, "guide")), pa.array(np.full(n, "head")),
        pa.array(["M", "F"]).take(pa.array(rings.guide_sex.astype(np.int64))),
        pa.array(g.dob.astype("datetime64[D]"), pa.date32()), vocab.nats.take(pa.array(g.nat)),
        given, s1, s2, kind, number, _phone(vocab, g.nat, g.phone),
        pa.nulls(n, pa.string()), pa.nulls(n, pa.date32()),
    ], schema=PEOPLE_SCHEMA)  # fmt: skip


def group_table(chunk: Chunk, ctx: Context) -> pa.Table:
    """Travel groups of the chunk (SMO registrants without travel are left out)."""
    travel = chunk.entry_stage >= 0
    gid = chunk.group_id[travel]
    groups, first, people = np.unique(gid, return_index=True, return_counts=True)
    rows = np.flatnonzero(travel)[first]
    households = _households_per_group(gid, chunk.household_id[travel], groups)
    guide_rows = np.flatnonzero(chunk.role == GUIDE)
    guide = np.full(groups.size, -1, dtype=np.int64)
    guide[np.searchsorted(groups, chunk.group_id[guide_rows])] = chunk.person_id[guide_rows]
    ring = chunk.ring_id[rows]
    return pa.Table.from_arrays([
        pa.array(groups), pa.array(ring, mask=ring < 0),
        pa.array(ENTRY).take(pa.array(_entry(chunk.entry_stage[rows]))),
        pa.array(chunk.entry_day[rows].astype("datetime64[D]"), pa.date32()),
        pa.array(households), pa.array(people), pa.array(guide, mask=guide < 0),
    ], schema=GROUP_SCHEMA)  # fmt: skip


def _households_per_group(
    group_id: np.ndarray, household_id: np.ndarray, groups: np.ndarray
) -> np.ndarray:
    pairs = np.unique(np.stack([group_id, household_id], axis=1), axis=0)
    g, n = np.unique(pairs[:, 0], return_counts=True)
    out = np.zeros(groups.size, dtype=np.int64)
    out[np.searchsorted(groups, g)] = n
    return out


def rings_table(rings: Rings, vocab: Vocabularies) -> pa.Table:
    """Each ring: its guides and the phones, addresses and sponsors its groups share."""
    from corridor.synth.addresses import us_addresses

    n = rings.count
    guides = [
        rings.guide_ids[rings.guide_start[r] : rings.guide_start[r + 1]].tolist() for r in range(n)
    ]
    phones = _phone(vocab, rings.phone_nat.ravel(), rings.phones.ravel()).to_pylist()
    addresses = us_addresses(rings.addresses.ravel()).to_pylist()
    k_p, k_a = rings.phones.shape[1], rings.addresses.shape[1]
    return pa.Table.from_arrays([
        pa.array(np.arange(n, dtype=np.int64)), pa.array(guides, pa.list_(pa.int64())),
        pa.array([[x for x in phones[r * k_p:(r + 1) * k_p] if x] for r in range(n)]),
        pa.array([[x for x in addresses[r * k_a:(r + 1) * k_a] if x] for r in range(n)]),
        pa.array([[f"SPN{x}" for x in rings.sponsors[r] if x >= 0] for r in range(n)]),
    ], schema=RINGS_SCHEMA)  # fmt: skip
