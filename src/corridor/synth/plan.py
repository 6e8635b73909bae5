"""Calibration: who joins the corridor where and when, so the counts hit the targets.

People move stage by stage (``model.STAGES``). For a calibrated stage the
expected arrivals from upstream (a daily convolution of the upstream counts with
the travel delay) are compared with the target, month by month and per
nationality: when more would arrive than the target, each arrival is counted
(and goes on) with probability ``accept`` (the others stop, settle or turn
back before being counted); when fewer, the rest are people who join the
corridor there (``joiners``). At the US border the target counts events, and a
person counts once plus repeat encounters; Guatemala's returns are matched by
the share of Guatemalans removed from the US after their last encounter.

Everything is in expectation and independent of ``--people``: the run scales
the joiners to the number of people asked for and samples them.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import numpy as np

from corridor.synth.model import STAGES, Model
from corridor.synth.targets import Targets

#: repeat encounters followed per person (0.2 ** 8: negligible beyond)
MAX_REPEATS = 8


@dataclass(frozen=True)
class Plan:
    """Per stage, month and nationality: joiners (people) and acceptance of arrivals."""

    targets: Targets
    #: day index -> month index
    month_of_day: np.ndarray
    #: first day index of each month (and one past the end)
    month_start: np.ndarray
    joiners: np.ndarray  # (stages, months, nats)
    accept: np.ndarray  # (stages, months, nats)
    #: probability that a Guatemalan arriving at the US border in a month is removed
    gtm_removal: np.ndarray  # (months,)
    #: expected counts per stage (targets where calibrated), for the manifest/tests
    expected: np.ndarray  # (stages, months, nats)

    @property
    def days(self) -> int:
        return int(self.month_of_day.size)


def _uniform(lo: int, hi: int) -> np.ndarray:
    pmf = np.zeros(hi + 1)
    pmf[lo : hi + 1] = 1.0 / (hi - lo + 1)
    return pmf


def _convolve(daily: np.ndarray, pmf: np.ndarray) -> np.ndarray:
    """Daily series (days x nats) shifted by a delay distribution, cut at the window end."""
    out = np.zeros_like(daily)
    for t, p in enumerate(pmf):
        if p and t < daily.shape[0]:
            out[t:] += p * daily[: daily.shape[0] - t]
    return out


def _repeat_pmfs(model: Model, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Expected encounters per person by day offset, and the pmf of the last one."""
    step = _uniform(*model.us_repeat_delay)
    r = model.us_repeat_rate
    events = np.zeros(days)
    last = np.zeros(days)
    cur = np.zeros(days)
    cur[0] = 1.0
    for i in range(MAX_REPEATS + 1):
        events += (r**i) * cur
        last += (r**i) * (1 - r) * cur
        cur = np.convolve(cur, step)[:days]
    return events, last


def build_plan(targets: Targets, model: Model) -> Plan:
    """Solve joiners and acceptance for every stage from the targets (see module doc)."""
    months = targets.months
    dim = np.array([_days_in_month(m.year, m.month) for m in months])
    month_start = np.concatenate([[0], np.cumsum(dim)])
    days = int(month_start[-1])
    month_of_day = np.repeat(np.arange(len(months)), dim)
    n_s, n_m, n_k = len(STAGES), len(months), len(targets.nats)
    joiners = np.zeros((n_s, n_m, n_k))
    accept = np.ones((n_s, n_m, n_k))
    expected = np.zeros((n_s, n_m, n_k))
    events_pmf, last_pmf = _repeat_pmfs(model, days)

    counted_prev = np.zeros((days, n_k))
    for s, stage in enumerate(STAGES):
        if s == 0:
            incoming = np.zeros((days, n_k))
        else:
            prev = STAGES[s - 1]
            go_on = prev.go_on * (1 - (model.mexico_return_share if prev.geo == "MEX" else 0.0))
            incoming = go_on * _convolve(counted_prev, _uniform(*prev.delay))
        if not stage.target:
            counted = incoming
        else:
            target = targets.counts[stage.target]
            per_person = events_pmf if stage.geo == "USA" else np.array([1.0])
            a, j = _solve(incoming, target, per_person, month_start)
            accept[s], joiners[s] = a, j
            counted = incoming * a[month_of_day] + (j / dim[:, None])[month_of_day]
        expected[s] = _monthly(counted, month_start)
        if stage.geo == "USA":
            expected[s] = _monthly(_convolve(counted, events_pmf), month_start)
            usa_people = counted
        if stage.geo == "MEX":
            mex_counted = counted
        counted_prev = counted

    gtm_removal = _solve_returns(targets, model, mex_counted, usa_people, last_pmf, month_start)
    return Plan(targets, month_of_day, month_start, joiners, accept, gtm_removal, expected)


def _solve(
    incoming: np.ndarray, target: np.ndarray, per_person: np.ndarray, month_start: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Month by month: acceptance of arrivals first, joiners for the rest."""
    days, n_k = incoming.shape
    n_m = target.shape[0]
    accept = np.ones((n_m, n_k))
    join = np.zeros((n_m, n_k))
    # events already placed in each month by people of earlier months
    placed = np.zeros((days, n_k))
    for m in range(n_m):
        lo, hi = month_start[m], month_start[m + 1]
        prior = placed[lo:hi].sum(axis=0)
        arr = np.zeros((days, n_k))
        arr[lo:hi] = incoming[lo:hi]
        f_inc = _convolve(arr, per_person)[lo:hi].sum(axis=0)
        uni = np.zeros((days, 1))
        uni[lo:hi] = 1.0 / (hi - lo)
        f_join = float(_convolve(uni, per_person)[lo:hi].sum())
        need = np.clip(target[m] - prior, 0.0, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(f_inc > 0, np.minimum(1.0, need / f_inc), 1.0)
        j = np.clip(need - a * f_inc, 0.0, None) / f_join
        accept[m], join[m] = a, j
        people = arr * a + uni * j
        placed += _convolve(people, per_person)
    return accept, join


def _solve_returns(
    targets: Targets,
    model: Model,
    mex_counted: np.ndarray,
    usa_people: np.ndarray,
    last_pmf: np.ndarray,
    month_start: np.ndarray,
) -> np.ndarray:
    """Removal probability per arrival month for Guatemalans at the US border."""
    n_m = len(targets.months)
    if "GTM" not in targets.nats:
        return np.zeros(n_m)
    k = targets.nats.index("GTM")
    target = targets.counts["guatemala_returns"].sum(axis=1)
    from_mex = model.mexico_return_share * _convolve(
        mex_counted[:, [k]], _uniform(*model.mexico_return_delay)
    )
    back = np.convolve(last_pmf, _uniform(*model.us_removal_delay))[: last_pmf.size]
    removal = np.zeros(n_m)
    placed = from_mex[:, 0].copy()
    for m in range(n_m):
        lo, hi = month_start[m], month_start[m + 1]
        arr = np.zeros((usa_people.shape[0], 1))
        arr[lo:hi, 0] = usa_people[lo:hi, k]
        per_unit = _convolve(arr, back)[:, 0]
        g = per_unit[lo:hi].sum()
        need = max(0.0, target[m] - placed[lo:hi].sum())
        u = min(1.0, need / g) if g > 0 else 0.0
        removal[m] = u
        placed += u * per_unit
    return removal


def _monthly(daily: np.ndarray, month_start: np.ndarray) -> np.ndarray:
    return np.add.reduceat(daily, month_start[:-1], axis=0)


def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]
