"""What the simulator is calibrated to: monthly counts per checkpoint and nationality.

Targets come either from a corridor store (``from_store``: the checkpoints of
``corridor.analysis.series``, so the overlap rules apply) or from the compact
built-in set shipped as package data (``builtin``), which holds monthly totals
and yearly nationality shares of the same checkpoints with their sources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import numpy as np

from corridor.errors import ConfigError

#: The checkpoints the simulator is calibrated to, as in ``analysis.series``.
CALIBRATED = ("darien", "honduras", "mexico", "us_southwest", "guatemala_returns")
#: Nationalities beyond this many (by volume over all checkpoints) become ``OTH``.
MAX_NATIONALITIES = 30
#: Codes that are not one country: their people get a country from the ``OTH`` pool.
NOT_A_COUNTRY = frozenset({"OTH", "UNK", "STL"})


@dataclass(frozen=True)
class Targets:
    """Counts per checkpoint, month and nationality (``OTH``: every other country)."""

    months: tuple[date, ...]
    nats: tuple[str, ...]
    #: checkpoint id -> array (months x nats) of counts (persons or events as published)
    counts: dict[str, np.ndarray]
    #: checkpoint id -> where the figures come from
    sources: dict[str, str]

    def total(self, checkpoint: str) -> np.ndarray:
        """Monthly totals of one checkpoint."""
        return np.asarray(self.counts[checkpoint].sum(axis=1))


def month_range(start: date, end: date) -> tuple[date, ...]:
    """First days of every month from ``start`` to ``end`` inclusive."""
    out: list[date] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


def parse_month(text: str, what: str) -> date:
    """``YYYY-MM`` as the first day of that month, or a ConfigError naming ``what``."""
    try:
        y, m = text.strip().split("-")[:2]
        return date(int(y), int(m), 1)
    except (ValueError, TypeError):
        raise ConfigError(f"{what}: `{text}` is not a month (YYYY-MM)") from None


def _keep_top(per_cp: dict[str, dict[str, np.ndarray]], n_months: int) -> tuple[str, ...]:
    volume: dict[str, float] = {}
    for table in per_cp.values():
        for nat, col in table.items():
            if nat not in NOT_A_COUNTRY:
                volume[nat] = volume.get(nat, 0.0) + float(col.sum())
    top = sorted(volume, key=lambda k: (-volume[k], k))[:MAX_NATIONALITIES]
    return (*sorted(top), "OTH")


def _assemble(
    months: tuple[date, ...],
    per_cp: dict[str, dict[str, np.ndarray]],
    sources: dict[str, str],
) -> Targets:
    nats = _keep_top(per_cp, len(months))
    index = {k: i for i, k in enumerate(nats)}
    counts: dict[str, np.ndarray] = {}
    for cp, table in per_cp.items():
        arr = np.zeros((len(months), len(nats)))
        for nat, col in table.items():
            arr[:, index.get(nat, index["OTH"])] += col
        counts[cp] = arr
    return Targets(months, nats, counts, sources)


def from_store(db: Path, start: str | None = None, end: str | None = None) -> Targets:
    """Targets read from a corridor store over ``start``..``end`` (default: the last
    24 months that every calibrated checkpoint covers)."""
    from corridor.analysis.series import by_nationality, checkpoint, monthly
    from corridor.store import Store

    if not db.exists():
        raise ConfigError(f"--calibrate-from: no store at `{db}`")
    store = Store(db)
    totals = {cp: monthly(store, checkpoint(cp)) for cp in CALIBRATED}
    missing = [cp for cp, s in totals.items() if s.dropna().empty]
    if missing:
        raise ConfigError(
            f"--calibrate-from: the store `{db}` has no data for "
            + ", ".join(missing)
            + " (ingest the agencies' series first, e.g. `corridor demo`)"
        )
    first = max(s.dropna().index.min() for s in totals.values()).date()
    last = min(s.dropna().index.max() for s in totals.values()).date()
    hi = parse_month(end, "--end") if end else last
    lo = parse_month(start, "--start") if start else _months_before(hi, 23)
    lo = max(lo, first)
    months = month_range(lo, hi)
    if not months:
        raise ConfigError(f"--calibrate-from: no months between {lo:%Y-%m} and {hi:%Y-%m}")
    per_cp: dict[str, dict[str, np.ndarray]] = {}
    sources: dict[str, str] = {}
    for cp in CALIBRATED:
        wide = by_nationality(store, checkpoint(cp), start=lo, end=hi)
        total = totals[cp].reindex([np.datetime64(m) for m in months]).fillna(0.0)
        wide = wide.reindex([np.datetime64(m) for m in months]).fillna(0.0)
        table = {str(c): wide[c].to_numpy(dtype="float64") for c in wide.columns}
        # Months with a total but no nationality breakdown: spread the total
        # over the nationality mix of the whole window.
        _fill_unsplit(table, total.to_numpy(dtype="float64"))
        per_cp[cp] = table
        sources[cp] = f"store {db.name}: checkpoint `{cp}` ({lo:%Y-%m}..{hi:%Y-%m})"
    return _assemble(months, per_cp, sources)


def _fill_unsplit(table: dict[str, np.ndarray], total: np.ndarray) -> None:
    split = sum(table.values()) if table else np.zeros_like(total)
    gap = np.clip(total - split, 0.0, None)
    if not gap.any():
        return
    if not table:
        table["OTH"] = total.copy()
        return
    overall = {k: float(v.sum()) for k, v in table.items()}
    whole = sum(overall.values()) or 1.0
    for k in table:
        table[k] = table[k] + gap * overall[k] / whole


def _months_before(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - n, 12)
    return date(y, m + 1, 1)


def builtin() -> Targets:
    """The compact parameter set shipped with corridor (see ``data/targets.json``)."""
    raw = json.loads(resources.files("corridor.synth").joinpath("data/targets.json").read_text())
    return from_json(raw)


def from_json(raw: dict) -> Targets:
    """Targets from the built-in layout: monthly totals and yearly nationality shares."""
    months = month_range(parse_month(raw["start"], "start"), parse_month(raw["end"], "end"))
    per_cp: dict[str, dict[str, np.ndarray]] = {}
    sources: dict[str, str] = {}
    for cp, spec in raw["checkpoints"].items():
        total = np.asarray(spec["monthly"], dtype="float64")
        if len(total) != len(months):
            raise ConfigError(f"targets: `{cp}` has {len(total)} months, expected {len(months)}")
        table: dict[str, np.ndarray] = {}
        for year, shares in spec["shares"].items():
            mask = np.array([m.year == int(year) for m in months])
            norm = sum(shares.values()) or 1.0
            for nat, share in shares.items():
                col = table.setdefault(nat, np.zeros(len(months)))
                col[mask] += total[mask] * share / norm
        per_cp[cp] = table
        sources[cp] = spec["source"]
    return _assemble(months, per_cp, sources)


def to_json(targets: Targets, sources: dict[str, str], top: int = 20) -> dict:
    """The built-in layout for ``targets`` (yearly shares of the ``top`` nationalities)."""
    out: dict = {
        "start": f"{targets.months[0]:%Y-%m}",
        "end": f"{targets.months[-1]:%Y-%m}",
        "checkpoints": {},
    }
    years = sorted({m.year for m in targets.months})
    for cp, arr in targets.counts.items():
        shares: dict[str, dict[str, float]] = {}
        for year in years:
            mask = np.array([m.year == year for m in targets.months])
            col = arr[mask].sum(axis=0)
            whole = col.sum() or 1.0
            order = np.argsort(-col)
            kept = {targets.nats[i]: round(float(col[i] / whole), 4) for i in order[:top]}
            kept = {k: v for k, v in kept.items() if v > 0}
            rest = round(1.0 - sum(kept.values()), 4)
            if rest > 0:
                kept["OTH"] = round(kept.get("OTH", 0.0) + rest, 4)
            shares[str(year)] = kept
        out["checkpoints"][cp] = {
            "source": sources.get(cp, targets.sources.get(cp, "")),
            "monthly": [round(x) for x in arr.sum(axis=1)],
            "shares": shares,
        }
    return out


_SHIPPED_SOURCES = {
    "darien": "Panama SNM, Darién irregular transits by nationality (monthly), as published "
    "by SNM and harmonised by IOM GDI (gdidata irreg_darien_nat)",
    "honduras": "Honduras INM, irregular arrivals by nationality (monthly), INM Power BI "
    "exports / gdidata irreg_honduras_nat",
    "mexico": "Mexico UPM Boletín mensual, table 3.1.1 (foreigners presented to or channelled "
    "by the INM: events), gdidata irreg_mexico_nat",
    "us_southwest": "US CBP Southwest Land Border Encounters (USBP + OFO, Title 8 and 42: "
    "events), gdidata irreg_usa",
    "guatemala_returns": "Guatemala IGM, Guatemalans returned from Mexico and the US "
    "(monthly), gdidata irreg_guatemala",
}


def write_builtin(db: Path, out: Path, start: str = "2023-01", end: str = "2024-12") -> None:
    """Regenerate the shipped parameter set from a store with the agencies' series."""
    body = to_json(from_store(db, start, end), _SHIPPED_SOURCES)
    about = (
        f"Monthly totals and yearly nationality shares of the corridor checkpoints, {start}.."
        f"{end}, from the agencies' publications (see each source). Regenerate from a store "
        "with `python -m corridor.synth.targets STORE OUT.json`."
    )
    out.write_text(json.dumps({"about": about, **body}, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":  # pragma: no cover - a maintenance helper
    import sys

    write_builtin(Path(sys.argv[1]), Path(sys.argv[2]))
