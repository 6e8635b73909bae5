"""Monthly aggregates of the simulated records, in the CSV layout ``corridor ingest`` reads.

Each agency "publishes" its monthly counts by nationality, sex and age, as the
real agencies do: from the true attributes of the people it counted (agency
statistics are cleaned before publication; the record-level errors stay in the
records). One CSV per source (``flows/synth_<code>.csv``), read back by the
``synth_flows`` connector as sources ``synth.<code>``.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np

from corridor.synth.chunk import Chunk
from corridor.synth.journeys import AGENCY_LIST, EVENTS, GEOS

#: agency -> (file/source code, area, unit)
PUBLISHES: dict[str, tuple[str, str, str]] = {
    "SNM": ("pan", "darien", "persons"),
    "DGME-CR": ("cri", "", "persons"),
    "INM-HN": ("hnd", "", "persons"),
    "IGM": ("gtm", "", "persons"),
    "UPM": ("mex", "", "events"),
    "USBP": ("usa", "southwest_land_border", "events"),
    "OFO": ("usa", "southwest_land_border", "events"),
    "SMO": ("smo", "", "persons"),
}
HEADER = ("period", "geo", "agency", "area", "place", "event", "nat", "sex", "age", "family",
          "authority", "partner", "unit", "n", "synth_seed")  # fmt: skip
_ADULT_DAYS = int(18 * 365.25)


class FlowCounter:
    """Counts of records per agency, geo, event, month, nationality, sex, age and partner."""

    def __init__(self, window_start: date, nats: tuple[str, ...]) -> None:
        self.start = np.datetime64(window_start, "M")
        self.nats = nats
        self.counts: Counter[tuple[int, ...]] = Counter()

    def add(self, chunk: Chunk) -> None:
        ev = chunk.records
        if not ev.house.size:
            return
        p = ev.house
        month = (ev.day.astype("datetime64[D]").astype("datetime64[M]") - self.start).astype(
            np.int64
        )
        minor = (ev.day - chunk.people.dob[p]) < _ADULT_DAYS
        cols = [ev.agency, ev.geo, ev.event, month, chunk.people.nat[p], chunk.sex[p], minor,
                ev.partner + 1]  # fmt: skip
        # one int64 key per record (mixed radix): a 1-D unique is far faster than rows
        radix = [int(c.max()) + 1 for c in cols]
        key = np.zeros(ev.house.size, dtype=np.int64)
        for col, r in zip(cols, radix, strict=True):
            key = key * r + col.astype(np.int64)
        keys, n = np.unique(key, return_counts=True)
        parts = []
        for r in reversed(radix):
            keys, rem = np.divmod(keys, r)
            parts.append(rem)
        rows = np.stack(parts[::-1], axis=1).tolist()
        for row, count in zip(rows, n.tolist(), strict=True):
            self.counts[tuple(row)] += count

    def write(self, folder: Path, seed: int) -> dict[str, int]:
        """One CSV per source; returns rows per file name."""
        folder.mkdir(parents=True, exist_ok=True)
        rows: dict[str, list[tuple[object, ...]]] = {}
        for (agency, geo, event, month, nat, sex, minor, partner), n in sorted(self.counts.items()):
            name = AGENCY_LIST[agency]
            code, area, unit = PUBLISHES[name]
            ev = EVENTS[event]
            authority = "T42" if ev == "expulsion" else "T8" if name in ("USBP", "OFO") else ""
            period = (self.start + np.timedelta64(month, "M")).astype("datetime64[D]")
            rows.setdefault(code, []).append((
                str(period), GEOS[geo], name, area, "", ev, self.nats[nat], "MF"[sex],
                "minor" if minor else "adult", "", authority,
                GEOS[partner - 1] if partner else "", unit, n, seed,
            ))  # fmt: skip
        written: dict[str, int] = {}
        for code, body in sorted(rows.items()):
            path = folder / f"synth_{code}.csv"
            merged = _merge(body)
            with path.open("w", newline="", encoding="utf-8") as fh:
                out = csv.writer(fh, lineterminator="\n")
                out.writerow(HEADER)
                out.writerows(merged)
            written[path.name] = len(merged)
        return written


def _merge(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Sum rows equal on every column but ``n`` (USBP and OFO share a file)."""
    total: Counter[tuple[object, ...]] = Counter()
    for row in rows:
        key = row[:13] + row[14:]
        total[key] += int(row[13])  # type: ignore[call-overload]
    return [(*k[:13], n, *k[13:]) for k, n in sorted(total.items(), key=lambda kv: str(kv[0]))]
