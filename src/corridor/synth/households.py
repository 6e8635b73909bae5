"""Groups of households joining the corridor, and the people in them.

A group is drawn with its stage and day of joining (from the plan's joiners);
its households share the group's path and timing, each with a nationality
drawn from the joiners' mix at that stage and month. People in a household are
a head, maybe a partner and children.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from corridor.synth.model import Model
from corridor.synth.plan import Plan

HEAD, PARTNER, CHILD = 0, 1, 2
MALE, FEMALE = 0, 1


@dataclass
class Households:
    """Groups, households and people of one chunk (local indices)."""

    # groups
    g_stage: np.ndarray
    g_day: np.ndarray
    # households
    h_group: np.ndarray
    h_nat: np.ndarray  # index into plan.targets.nats
    h_size: np.ndarray
    # people
    p_house: np.ndarray
    p_relation: np.ndarray
    p_sex: np.ndarray
    p_age: np.ndarray  # whole years at joining

    @property
    def people(self) -> int:
        return int(self.p_house.size)


def _mean_household_size(model: Model) -> float:
    single, couple, family = model.household_kinds
    adults = 1.5  # a family has one or two adults
    children = (1 + model.max_children) / 2
    return (single + 2 * couple + family * (adults + children)) / (single + couple + family)


def draw_households(plan: Plan, model: Model, rng: np.random.Generator, people: int) -> Households:
    """Groups and households until ``people`` people, the last household cut to fit."""
    if people <= 0:
        return _empty()
    n_s = plan.joiners.shape[0]
    per_group = np.array(
        [model.households_per_group_darien if s == 0 else model.households_per_group_later
         for s in range(n_s)]
    ) * _mean_household_size(model)  # fmt: skip
    # Groups are drawn in proportion to joiners / group size, so that people
    # come out in proportion to the joiners.
    weight = plan.joiners.sum(axis=2) / per_group[:, None]
    flat = weight.ravel() / weight.sum()
    n_groups = int(1.05 * people / np.dot(flat, np.repeat(per_group, weight.shape[1]))) + 16
    cells = rng.choice(flat.size, size=n_groups, p=flat)
    g_stage, g_month = np.divmod(cells, weight.shape[1])
    lo = plan.month_start[g_month]
    g_day = lo + rng.integers(0, plan.month_start[g_month + 1] - lo)
    lam = np.where(g_stage == 0, model.households_per_group_darien,
                   model.households_per_group_later) - 1.0  # fmt: skip
    n_house = 1 + rng.poisson(lam)
    h_group = np.repeat(np.arange(n_groups), n_house)
    # household kind and size
    kinds = np.asarray(model.household_kinds) / sum(model.household_kinds)
    kind = rng.choice(3, size=h_group.size, p=kinds)
    two_adults = rng.random(h_group.size) < 0.5
    children = rng.integers(1, model.max_children + 1, size=h_group.size)
    adults = np.where(kind == 0, 1, np.where(kind == 1, 2, 1 + two_adults))
    kids = np.where(kind == 2, children, 0)
    size = adults + kids
    # cut at `people`
    total = np.cumsum(size)
    keep = int(np.searchsorted(total, people, side="left")) + 1
    if keep > size.size:  # too few groups drawn (rare): draw again, bigger
        return draw_households(plan, model, rng, people) if people else _empty()
    size = size[:keep].copy()
    size[-1] -= int(total[keep - 1] - people)
    adults, kids = np.minimum(adults[:keep], size), np.maximum(size - adults[:keep], 0)
    h_group = h_group[:keep]
    used_groups = int(h_group.max()) + 1 if keep else 0
    g_stage, g_month, g_day = g_stage[:used_groups], g_month[:used_groups], g_day[:used_groups]
    # nationality: the joiners' mix at the group's stage and month
    mix = plan.joiners[g_stage[h_group], g_month[h_group]]
    cum = np.cumsum(mix, axis=1)
    u = rng.random(keep) * cum[:, -1]
    h_nat = (cum < u[:, None]).sum(axis=1)
    return _people(rng, g_stage, g_day, h_group, h_nat, size, adults, kids)


def _people(
    rng: np.random.Generator,
    g_stage: np.ndarray,
    g_day: np.ndarray,
    h_group: np.ndarray,
    h_nat: np.ndarray,
    size: np.ndarray,
    adults: np.ndarray,
    kids: np.ndarray,
) -> Households:
    p_house = np.repeat(np.arange(size.size), size)
    start = np.cumsum(size) - size
    pos = np.arange(p_house.size) - start[p_house]
    relation = np.where(pos == 0, HEAD, np.where(pos < adults[p_house], PARTNER, CHILD))
    # heads of single households are mostly men; with a partner, heads are men and
    # partners women; a lone adult with children is more often a woman
    lone_parent = (adults[p_house] == 1) & (kids[p_house] > 0)
    p_female = np.where(
        relation == CHILD, 0.5,
        np.where(relation == PARTNER, 1.0,
                 np.where(lone_parent, 0.6, np.where(adults[p_house] == 2, 0.0, 0.3))),
    )  # fmt: skip
    sex = (rng.random(p_house.size) < p_female).astype(np.int8)
    # adults: 18-65, most in their twenties and thirties; children 0-17
    adult_age = np.clip(18 + rng.gamma(2.2, 6.0, p_house.size), 18, 70).astype(np.int16)
    head_age = adult_age[start][p_house]
    child_cap = np.clip(head_age - 16, 1, 18)
    child_age = (rng.random(p_house.size) * child_cap).astype(np.int16)
    age = np.where(relation == CHILD, child_age, adult_age)
    return Households(g_stage, g_day, h_group, h_nat, size, p_house, relation, sex, age)


def _empty() -> Households:
    z = np.zeros(0, dtype=np.int64)
    return Households(z, z, z, z, z, z, z, z.astype(np.int8), z.astype(np.int16))
