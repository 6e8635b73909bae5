"""Journeys: where and when each household is counted, returned or registered.

Households move stage by stage with their group (one delay per group and
stage, so a group arrives together); at a calibrated stage an arrival is
counted with the plan's acceptance probability, otherwise it stops there.
Every count is an event: one record per person of the household.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from corridor.synth.households import Households
from corridor.synth.model import OFO_PLACES, RETURN_PLACES, SMO_PLACES, STAGES, Model
from corridor.synth.plan import MAX_REPEATS, Plan

EVENTS: tuple[str, ...] = (
    "irregular_transit", "irregular_presence", "apprehension", "expulsion", "inadmissible",
    "deportation", "assisted_return", "return_received", "smo_registration",
)  # fmt: skip
AGENCY_GEO: dict[str, str] = {
    "SNM": "PAN", "DGME-CR": "CRI", "INM-HN": "HND", "IGM": "GTM", "UPM": "MEX",
    "USBP": "USA", "OFO": "USA", "SMO": "",
}  # fmt: skip
AGENCY_LIST: tuple[str, ...] = tuple(AGENCY_GEO)
GEOS: tuple[str, ...] = ("PAN", "CRI", "HND", "GTM", "MEX", "USA", "COL", "ECU")
PLACE_LIST: tuple[str, ...] = tuple(
    dict.fromkeys(
        [p for st in STAGES for p, _ in st.places]
        + [p for p, _ in OFO_PLACES] + [p for p, _ in RETURN_PLACES]
        + [p for office in SMO_PLACES.values() for p, _ in office]
    )
)  # fmt: skip
_PLACE = {p: i for i, p in enumerate(PLACE_LIST)}
_EV = {e: i for i, e in enumerate(EVENTS)}
_AG = {a: i for i, a in enumerate(AGENCY_LIST)}
_GEO = {g: i for i, g in enumerate(GEOS)}


@dataclass
class Events:
    """Household-level events of one chunk."""

    house: np.ndarray
    agency: np.ndarray  # index into AGENCY_LIST
    geo: np.ndarray  # index into GEOS
    day: np.ndarray  # window-relative day
    event: np.ndarray  # index into EVENTS
    place: np.ndarray  # index into PLACE_LIST
    partner: np.ndarray  # index into GEOS, -1 none
    stage: np.ndarray  # stage index (-1 returns and SMO)


class _Collector:
    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, house: np.ndarray, agency: str | np.ndarray, geo: str | np.ndarray,
            day: np.ndarray, event: str | np.ndarray, place: np.ndarray,
            partner: str = "", stage: int = -1) -> None:  # fmt: skip
        n = house.size
        if not n:
            return
        self.parts.append((
            house,
            _codes(agency, _AG, n), _codes(geo, _GEO, n), day,
            _codes(event, _EV, n), place,
            np.full(n, _GEO[partner] if partner else -1), np.full(n, stage),
        ))  # fmt: skip

    def build(self) -> Events:
        if not self.parts:
            z = np.zeros(0, dtype=np.int64)
            return Events(z, z, z, z, z, z, z, z)
        cols = [np.concatenate([p[i] for p in self.parts]).astype(np.int64) for i in range(8)]
        return Events(*cols)


def _codes(value: str | np.ndarray, table: dict[str, int], n: int) -> np.ndarray:
    return np.full(n, table[value]) if isinstance(value, str) else value


def _place(rng: np.random.Generator, places: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    names = np.array([_PLACE[p] for p, _ in places])
    w = np.array([x for _, x in places])
    return names[rng.choice(names.size, size=n, p=w / w.sum())]


def simulate(
    plan: Plan,
    model: Model,
    rng: np.random.Generator,
    hh: Households,
    h_tnat: np.ndarray,
    is_gtm: np.ndarray,
    window_start: date,
) -> Events:
    """Events of the travelling households of ``hh`` (``h_tnat``: target nationality)."""
    out = _Collector()
    n_h = hh.h_size.size
    days = plan.days
    g = hh.h_group
    n_g = hh.g_stage.size
    delays = np.stack([rng.integers(st.delay[0], st.delay[1] + 1, size=n_g) for st in STAGES], 1)
    # one station per group and stage: a group is received together
    places = np.stack([_place(rng, st.places, n_g) for st in STAGES], 1)
    t42_end = (model.title42_end - window_start).days
    entry = hh.g_stage[g]
    day_h = hh.g_day[g].copy()
    travelling = np.zeros(n_h, dtype=bool)
    for s, st in enumerate(STAGES):
        arrive = np.where(entry == s, hh.g_day[g], day_h + (delays[g, s - 1] if s else 0))
        passing = travelling & (arrive < days)
        month = plan.month_of_day[np.minimum(arrive, days - 1)]
        accepted = passing & (rng.random(n_h) < plan.accept[s, month, h_tnat])
        counted = (entry == s) | accepted
        day_h = np.where(counted, arrive, day_h)
        idx = np.flatnonzero(counted)
        if st.geo == "USA":
            _us_border(out, plan, model, rng, idx, day_h, g, places[:, s], is_gtm, t42_end)
            break
        recorded = idx[rng.random(idx.size) < st.recorded] if st.recorded < 1 else idx
        out.add(recorded, st.agency, st.geo, day_h[recorded], st.event, places[g[recorded], s],
                stage=s)  # fmt: skip
        go_on = rng.random(n_h) < st.go_on
        if st.geo == "MEX":
            returned = idx[rng.random(idx.size) < model.mexico_return_share]
            _mexico_returns(out, model, rng, returned, day_h, days, is_gtm)
            go_on[returned] = False
        travelling = counted & go_on
    return out.build()


def _mexico_returns(
    out: _Collector, model: Model, rng: np.random.Generator, idx: np.ndarray,
    day_h: np.ndarray, days: int, is_gtm: np.ndarray,
) -> None:  # fmt: skip
    back = day_h[idx] + rng.integers(model.mexico_return_delay[0],
                                     model.mexico_return_delay[1] + 1, size=idx.size)  # fmt: skip
    ok = back < days
    idx, back = idx[ok], back[ok]
    event = np.where(rng.random(idx.size) < 0.7, _EV["assisted_return"], _EV["deportation"])
    out.add(idx, "UPM", "MEX", back, event, _place(rng, (("Chiapas", 0.7), ("Tabasco", 0.3)),
                                                   idx.size))  # fmt: skip
    gtm = is_gtm[idx]
    out.add(idx[gtm], "IGM", "GTM", back[gtm], "return_received",
            _place(rng, RETURN_PLACES, int(gtm.sum())), partner="MEX")  # fmt: skip


def _us_border(
    out: _Collector, plan: Plan, model: Model, rng: np.random.Generator, idx: np.ndarray,
    day_h: np.ndarray, g: np.ndarray, sector: np.ndarray, is_gtm: np.ndarray, t42_end: int,
) -> None:  # fmt: skip
    days = plan.days
    first = day_h[idx]
    cur = first.copy()
    alive = np.ones(idx.size, dtype=bool)
    last = first.copy()
    for i in range(MAX_REPEATS + 1):
        if i:
            alive &= rng.random(idx.size) < model.us_repeat_rate
            cur = cur + rng.integers(model.us_repeat_delay[0], model.us_repeat_delay[1] + 1,
                                     size=idx.size)  # fmt: skip
        now = np.flatnonzero(alive & (cur < days))
        if not now.size:
            if not alive.any():
                break
            continue
        last[now] = cur[now]
        h, d = idx[now], cur[now]
        ofo = rng.random(now.size) < model.ofo_share
        t42 = (d < t42_end) & (rng.random(now.size) < model.title42_share)
        event = np.where(t42, _EV["expulsion"], _EV["apprehension"])
        usbp = ~ofo
        out.add(
            h[usbp], "USBP", "USA", d[usbp], event[usbp], sector[g[h[usbp]]], stage=len(STAGES) - 1
        )
        ports = _place(rng, OFO_PLACES, int(ofo.sum()))
        out.add(h[ofo], "OFO", "USA", d[ofo], "inadmissible", ports,
                stage=len(STAGES) - 1)  # fmt: skip
    # Guatemalans removed after their last encounter are received back home.
    gtm = idx[is_gtm[idx]]
    month = plan.month_of_day[np.minimum(day_h[gtm], days - 1)]
    removed = rng.random(gtm.size) < plan.gtm_removal[month]
    pos = np.searchsorted(idx, gtm[removed])
    back = last[pos] + rng.integers(model.us_removal_delay[0], model.us_removal_delay[1] + 1,
                                    size=pos.size)  # fmt: skip
    ok = back < days
    h = gtm[removed][ok]
    out.add(h, "IGM", "GTM", back[ok], "return_received",
            _place(rng, RETURN_PLACES, int(ok.sum())), partner="USA")  # fmt: skip


def smo_registrations(
    model: Model, houses: np.ndarray, days: np.ndarray, rng: np.random.Generator
) -> Events:
    """Registrations at Safe Mobility Offices of ``houses`` on ``days``."""
    out = _Collector()
    offices = model.smo_offices
    geo_names = np.array([_GEO[g] for g, _ in offices])
    w = np.array([x for _, x in offices])
    office = rng.choice(len(offices), size=houses.size, p=w / w.sum())
    place = np.zeros(houses.size, dtype=np.int64)
    for i, (geo, _) in enumerate(offices):
        sel = np.flatnonzero(office == i)
        place[sel] = _place(rng, SMO_PLACES[geo], sel.size)
    out.add(houses, "SMO", geo_names[office], days, "smo_registration", place)
    return out.build()


def merge(*parts: Events) -> Events:
    """One ``Events`` from several."""
    return Events(*[np.concatenate([getattr(p, f) for p in parts]).astype(np.int64)
                    for f in Events.__dataclass_fields__])  # fmt: skip
