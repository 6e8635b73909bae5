"""One chunk of people: households, identities, journeys, and the records they cause.

A chunk is a fixed number of people drawn with its own random generator
(``SeedSequence([seed, 2, chunk])``), so a run's output depends on the seed and
``--people`` only. Ids are global: ``chunk * CHUNK + local index``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from corridor.synth.households import HEAD, Households, draw_households
from corridor.synth.identities import People, draw_people, household_nats
from corridor.synth.journeys import Events, merge, simulate, smo_registrations
from corridor.synth.model import Model
from corridor.synth.names import NameBank
from corridor.synth.plan import Plan
from corridor.synth.rings import Rings, pick

#: People per chunk: fixed, so that a seed gives the same output on any machine.
CHUNK = 100_000
EPOCH = date(1970, 1, 1)
MEMBER, GUIDE = 0, 1


@dataclass
class Context:
    """What every chunk shares."""

    seed: int
    plan: Plan
    model: Model
    bank: NameBank
    nats: tuple[str, ...]
    pool_end: int
    rings: Rings
    smo_nat_weights: np.ndarray  # over target nats


@dataclass
class Chunk:
    """People (person-level arrays) and their records (record-level arrays)."""

    index: int
    person_id: np.ndarray
    household_id: np.ndarray
    group_id: np.ndarray
    ring_id: np.ndarray
    role: np.ndarray
    relation: np.ndarray
    sex: np.ndarray
    entry_stage: np.ndarray  # -1: registered at an SMO only
    entry_day: np.ndarray  # days since 1970-01-01
    people: People
    # per person: what they give as contact (phone with its calling-code country, address, sponsor)
    phone: np.ndarray
    phone_nat: np.ndarray
    address: np.ndarray
    sponsor: np.ndarray
    records: Events  # ``house`` holds the person's local index here


def build_chunk(ctx: Context, index: int, people: int) -> Chunk:
    """The people ``index * CHUNK ..`` of a run and every record they cause."""
    rng = np.random.default_rng(np.random.SeedSequence([ctx.seed, 2, index]))
    model, plan = ctx.model, ctx.plan
    window_day = (plan.targets.months[0] - EPOCH).days
    hh, n_travel_h = _households(ctx, rng, people)
    tnat = hh.h_nat
    h_nat = household_nats(rng, tnat, plan.targets.nats, ctx.pool_end)
    join_day = window_day + hh.g_day[hh.h_group][hh.p_house]
    ppl = draw_people(rng, hh, h_nat, ctx.nats, ctx.bank, model, join_day)
    start = np.cumsum(hh.h_size) - hh.h_size
    base = index * CHUNK
    person_id = base + np.arange(hh.people, dtype=np.int64)
    role = np.zeros(hh.people, dtype=np.int8)

    # groups moved by a ring; a guide takes the place of one single adult
    ring_h, guide_h, which = _rings(ctx, rng, hh)
    guide_p = start[guide_h]
    rings = ctx.rings
    _copy_identity(ppl, guide_p, rings.guides, which)
    hh.p_sex[guide_p] = rings.guide_sex[which]
    person_id[guide_p] = rings.guide_ids[which]
    role[guide_p] = GUIDE
    h_nat[guide_h] = rings.guides.nat[which]

    gtm = ctx.nats.index("GTM") if "GTM" in ctx.nats else -1
    is_gtm = h_nat == gtm  # returned Guatemalans are received by IGM
    ev_travel = simulate(plan, model, rng, _only(hh, n_travel_h), tnat[:n_travel_h],
                         is_gtm[:n_travel_h], plan.targets.months[0])  # fmt: skip
    ev_h = merge(ev_travel, _smo_registrations(ctx, rng, hh, h_nat, n_travel_h))
    phone, phone_nat, address, sponsor = _contacts(ctx, rng, hh, ppl, ring_h)
    phone[guide_p] = rings.guides.phone[which]
    phone_nat[guide_p] = rings.guides.nat[which]

    # household events -> one record per member
    size = hh.h_size[ev_h.house]
    rec_person = np.repeat(start[ev_h.house], size) + _ranks(size)
    rep = np.repeat(np.arange(ev_h.house.size), size)
    fields = ("agency", "geo", "day", "event", "place", "partner", "stage")
    records = Events(rec_person, *(getattr(ev_h, f)[rep] for f in fields))
    records.day = records.day + window_day
    entry_stage = np.where(np.arange(hh.h_size.size) < n_travel_h, hh.g_stage[hh.h_group], -1)
    return Chunk(
        index, person_id, base + hh.p_house, base + hh.h_group[hh.p_house],
        ring_h[hh.p_house].astype(np.int64), role, hh.p_relation, hh.p_sex,
        entry_stage[hh.p_house], join_day, ppl, phone, phone_nat, address, sponsor, records,
    )  # fmt: skip


def _households(ctx: Context, rng: np.random.Generator, people: int) -> tuple[Households, int]:
    """Travelling households first, then those who register at an SMO and stay."""
    model, plan = ctx.model, ctx.plan
    smo_only = round(people * model.smo_only_share)
    travel = draw_households(plan, model, rng, people - smo_only)
    stay = draw_households(plan, model, rng, smo_only)
    # those staying: SMO nationalities, registered after the offices opened
    smo_start = (model.smo_start - plan.targets.months[0]).days
    stay.g_stage = np.full(stay.g_stage.size, -1)
    stay.g_day = rng.integers(max(0, smo_start), plan.days, size=stay.g_stage.size)
    stay.h_nat = rng.choice(ctx.smo_nat_weights.size, size=stay.h_size.size,
                            p=ctx.smo_nat_weights)  # fmt: skip
    return _concat(travel, stay), travel.h_size.size


def _rings(
    ctx: Context, rng: np.random.Generator, hh: Households
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ring of each household (-1: none), guided households and their guides."""
    model, rings = ctx.model, ctx.rings
    n_g = hh.g_stage.size
    houses_in_group = np.bincount(hh.h_group, minlength=n_g)
    moved = (rng.random(n_g) < model.ring_group_share) & (hh.g_stage >= 0)
    moved &= houses_in_group >= 2
    ring_h = np.where(moved, rng.integers(0, rings.count, size=n_g), -1)[hh.h_group]
    # the first household of a ring group of 3+ households, if a single adult, is the guide
    first = np.flatnonzero(np.r_[True, hh.h_group[1:] != hh.h_group[:-1]])
    guide_h = first[
        (ring_h[first] >= 0) & (hh.h_size[first] == 1) & (houses_in_group[hh.h_group[first]] >= 3)
    ]
    r = ring_h[guide_h]
    span = rings.guide_start[r + 1] - rings.guide_start[r]
    which = rings.guide_start[r] + (rng.random(r.size) * span).astype(np.int64)
    # A guide of the household's own nationality where the ring has one (Venezuelans
    # guiding Venezuelans), so that guides leave the nationality mix as calibrated.
    slot_nat = hh.h_nat[guide_h]
    u = rng.random(r.size)
    for i in range(r.size):
        lo, hi = rings.guide_start[r[i]], rings.guide_start[r[i] + 1]
        same = np.flatnonzero(rings.guide_target_nat[lo:hi] == slot_nat[i])
        if same.size:
            which[i] = lo + same[int(u[i] * same.size)]
    return ring_h, guide_h, which


def _smo_registrations(
    ctx: Context, rng: np.random.Generator, hh: Households, h_nat: np.ndarray, n_travel_h: int
) -> Events:
    """Everyone staying registers; some travellers of SMO nationalities register first."""
    model = ctx.model
    smo_start = max(0, (model.smo_start - ctx.plan.targets.months[0]).days)
    smo_codes = [ctx.nats.index(c) for c in model.smo_nationalities if c in ctx.nats]
    n_h = hh.h_size.size
    h_day = hh.g_day[hh.h_group]
    before = (np.arange(n_h) < n_travel_h) & np.isin(h_nat, smo_codes) & (h_day >= smo_start + 10)
    before &= rng.random(n_h) < model.smo_before_share
    houses = np.concatenate([np.flatnonzero(before), np.arange(n_travel_h, n_h)])
    lead = rng.integers(10, 90, size=int(before.sum()))
    days = np.concatenate([np.maximum(h_day[before] - lead, smo_start), h_day[n_travel_h:]])
    return smo_registrations(model, houses, days, rng)


def _contacts(
    ctx: Context, rng: np.random.Generator, hh: Households, ppl: People, ring_h: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Phone (and its country), address and sponsor each person gives: their own, or
    their ring's (decided per household, so a family gives the same)."""
    rings = ctx.rings
    n_h = hh.h_size.size
    phone, phone_nat, address = ppl.phone.copy(), ppl.nat.copy(), ppl.address.copy()
    sponsor = rng.integers(100_000_000, 999_999_999, size=n_h, dtype=np.int64)[hh.p_house]
    safe_ring = np.maximum(ring_h, 0)
    for target, table in ((phone, rings.phones), (address, rings.addresses),
                          (sponsor, rings.sponsors)):  # fmt: skip
        h_uses = (ring_h >= 0) & (rng.random(n_h) < ctx.model.ring_contact_share)
        h_choice = pick(rng, table, safe_ring)
        uses = np.flatnonzero(h_uses[hh.p_house])
        target[uses] = h_choice[hh.p_house[uses]]
        if target is phone:
            phone_nat[uses] = rings.phone_nat[safe_ring[hh.p_house[uses]], 0]
    return phone, phone_nat, address, sponsor


def _ranks(size: np.ndarray) -> np.ndarray:
    """0..size-1 for each entry of ``size``, concatenated."""
    total = int(size.sum())
    starts = np.cumsum(size) - size
    return np.arange(total) - np.repeat(starts, size)


def _copy_identity(dst: People, at: np.ndarray, src: People, which: np.ndarray) -> None:
    for f in People.__dataclass_fields__:
        getattr(dst, f)[at] = getattr(src, f)[which]


def _only(hh: Households, n_houses: int) -> Households:
    """The first ``n_houses`` households (their groups come first too)."""
    n_groups = int(hh.h_group[:n_houses].max()) + 1 if n_houses else 0
    n_people = int(hh.h_size[:n_houses].sum())
    g, h, p = slice(0, n_groups), slice(0, n_houses), slice(0, n_people)
    return Households(
        hh.g_stage[g], hh.g_day[g], hh.h_group[h], hh.h_nat[h], hh.h_size[h],
        hh.p_house[p], hh.p_relation[p], hh.p_sex[p], hh.p_age[p],
    )  # fmt: skip


def _concat(a: Households, b: Households) -> Households:
    ng, nh = a.g_stage.size, a.h_size.size
    return Households(
        np.concatenate([a.g_stage, b.g_stage]), np.concatenate([a.g_day, b.g_day]),
        np.concatenate([a.h_group, b.h_group + ng]), np.concatenate([a.h_nat, b.h_nat]),
        np.concatenate([a.h_size, b.h_size]), np.concatenate([a.p_house, b.p_house + nh]),
        np.concatenate([a.p_relation, b.p_relation]), np.concatenate([a.p_sex, b.p_sex]),
        np.concatenate([a.p_age, b.p_age]),
    )  # fmt: skip


__all__ = ["CHUNK", "GUIDE", "HEAD", "MEMBER", "Chunk", "Context", "build_chunk"]
