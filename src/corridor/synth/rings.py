"""Smuggling rings: guides who cross again and again, shared phones, addresses, sponsors.

Rings exist for the whole run (drawn once from the seed, before any chunk), so
a guide crosses with groups of every chunk. A ring group's members give the
ring's phone, address or sponsor with probability ``ring_contact_share``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from corridor.synth.households import HEAD, Households
from corridor.synth.identities import GUIDE_NATS, People, draw_people
from corridor.synth.model import Model
from corridor.synth.names import NameBank


@dataclass
class Rings:
    """Rings and their guides; guide ``i`` of ring ``r`` is ``guide_start[r] + i``."""

    guide_start: np.ndarray  # (rings + 1,) offsets into the guide arrays
    guide_ids: np.ndarray  # person ids of the guides
    guides: People
    guide_sex: np.ndarray
    guide_ring: np.ndarray
    #: each guide's nationality as an index into the targets' nationalities (-1: not there)
    guide_target_nat: np.ndarray
    #: (rings, k) codes, -1 padded: phone numbers, their calling-code country, addresses, sponsors
    phones: np.ndarray
    phone_nat: np.ndarray
    addresses: np.ndarray
    sponsors: np.ndarray

    @property
    def count(self) -> int:
        return int(self.guide_start.size - 1)


def _padded(
    rng: np.random.Generator, n: int, span: tuple[int, int], lo: int, hi: int
) -> np.ndarray:
    k = rng.integers(span[0], span[1] + 1, size=n)
    values = rng.integers(lo, hi, size=(n, span[1]), dtype=np.int64)
    values[np.arange(span[1])[None, :] >= k[:, None]] = -1
    return values


def draw_rings(
    rng: np.random.Generator,
    model: Model,
    people: int,
    nats: tuple[str, ...],
    target_nats: tuple[str, ...],
    bank: NameBank,
    first_id: int,
    window_start_day: int,
) -> Rings:
    """Rings for a run of ``people``; guides get person ids from ``first_id``."""
    n = max(1, round(people / model.people_per_ring))
    k = rng.integers(model.guides_per_ring[0], model.guides_per_ring[1] + 1, size=n)
    start = np.concatenate([[0], np.cumsum(k)])
    total = int(start[-1])
    guide_nat = np.array([nats.index(c) for c in GUIDE_NATS])[
        rng.integers(0, len(GUIDE_NATS), total)
    ]
    hh = Households(
        np.zeros(total, dtype=np.int64), np.zeros(total, dtype=np.int64),
        np.arange(total), guide_nat, np.ones(total, dtype=np.int64), np.arange(total),
        np.full(total, HEAD), (rng.random(total) < 0.1).astype(np.int8),
        np.clip(22 + rng.gamma(3.0, 4.0, total), 20, 60).astype(np.int16),
    )  # fmt: skip
    guides = draw_people(rng, hh, guide_nat, nats, bank, model,
                         np.full(total, window_start_day, dtype=np.int64))  # fmt: skip
    guides.phone = rng.integers(3_000_000_000, 9_999_999_999, size=total, dtype=np.int64)
    phones = _padded(rng, n, model.shared_phones_per_ring, 3_000_000_000, 9_999_999_999)
    ring_nat = np.array([nats.index(c) for c in GUIDE_NATS])[rng.integers(0, len(GUIDE_NATS), n)]
    phone_nat = np.repeat(ring_nat[:, None], phones.shape[1], axis=1)
    addresses = _padded(rng, n, model.shared_addresses_per_ring, 0, 2**40)
    sponsors = _padded(rng, n, model.sponsors_per_ring, 100_000_000, 999_999_999)
    target_nat = np.array([target_nats.index(nats[i]) if nats[i] in target_nats else -1
                           for i in guide_nat])  # fmt: skip
    return Rings(start, first_id + np.arange(total, dtype=np.int64), guides, hh.p_sex,
                 np.repeat(np.arange(n), k), target_nat, phones, phone_nat, addresses,
                 sponsors)  # fmt: skip


def pick(rng: np.random.Generator, table: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """One non-padding entry of ``table`` per ring in ``ring``."""
    valid = (table >= 0).sum(axis=1)
    col = (rng.random(ring.size) * valid[ring]).astype(np.int64)
    return np.asarray(table[ring, col])
