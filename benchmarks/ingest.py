"""Ingest throughput: corridor end to end vs a plain DuckDB scan of the same file.

Builds a CBP "Nationwide Encounters"-format CSV with at least 1M rows (unique
keys, realistic labels, CRLF like CBP's downloads), then measures in one run:

- plain:    DuckDB ``read_csv`` + ``GROUP BY`` month/component (the practical limit)
- corridor: ``corridor.store.ingest`` into a fresh store (parse, check every cell,
            resolve countries, map to the canonical table, write one release)

Usage: python benchmarks/ingest.py [--rows N] [--repeat K]
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

import duckdb
import pycountry

from corridor.store import ingest

MONTHS = ["OCT", "NOV", "DEC", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP"]
AORS = [
    ("U.S. Border Patrol", "Southwest Land Border", s, a)
    for s, a in [("Big Bend Sector", "BBT"), ("Del Rio Sector", "DRT"), ("El Centro Sector", "ELC"),
                 ("El Paso Sector", "EPT"), ("Laredo Sector", "LRT"),
                 ("Rio Grande Valley Sector", "RGV"), ("San Diego Sector", "SDC"),
                 ("Tucson Sector", "TCA"), ("Yuma Sector", "YUM")]
] + [
    ("U.S. Border Patrol", "Northern Land Border", s, a)
    for s, a in [("Blaine Sector", "BLW"), ("Buffalo Sector", "BUN"), ("Detroit Sector", "DTM"),
                 ("Grand Forks Sector", "GFN"), ("Swanton Sector", "SWB")]
] + [
    ("Office of Field Operations", r, f"{c} Field Office", c)
    for r, c in [("Southwest Land Border", "El Paso"), ("Southwest Land Border", "Laredo"),
                 ("Southwest Land Border", "San Diego"), ("Southwest Land Border", "Tucson"),
                 ("Northern Land Border", "Buffalo"), ("Northern Land Border", "Detroit"),
                 ("Northern Land Border", "Seattle"), ("Other", "Miami"), ("Other", "New York"),
                 ("Other", "Houston"), ("Other", "Atlanta")]
]  # fmt: skip
DEMOGRAPHICS = ["Single Adults", "FMUA", "Accompanied Minors", "UC / Single Minors"]
HEADER = ["Fiscal Year", "Month Grouping", "Month (abbv)", "Component", "Land Border Region",
          "Area of Responsibility", "AOR (Abbv)", "Demographic", "Citizenship",
          "Title of Authority", "Encounter Type", "Encounter Count"]  # fmt: skip


def citizenships() -> list[str]:
    """Country names written the way CBP writes them (upper case, plain names)."""
    by_code: dict[str, str] = {}
    for c in pycountry.countries:
        by_code[c.alpha_3] = getattr(c, "common_name", c.name).upper()
    # CBP's own spellings replace the ISO names for these
    by_code.update({"CHN": "CHINA, PEOPLES REPUBLIC OF", "MMR": "MYANMAR (BURMA)",
                    "KOR": "KOREA, SOUTH", "TUR": "TURKEY"})  # fmt: skip
    return [*sorted(by_code.values()), "OTHER"]


def build(path: Path, rows: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    nats = citizenships()
    written = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow(HEADER)
        fy = 2014
        while written < rows:
            fy += 1
            for month in MONTHS:
                for comp, region, aor, abbv in AORS:
                    kind = "Apprehensions" if comp == "U.S. Border Patrol" else "Inadmissibles"
                    for demo in DEMOGRAPHICS:
                        for nat in nats:
                            title = "Title 8"
                            out.writerow([fy, "FYTD", month, comp, region, aor, abbv, demo, nat,
                                          title, kind, int(rng.expovariate(1 / 40))])  # fmt: skip
                            written += 1
                            if written >= rows:
                                return written
    return written


def plain_scan(path: Path) -> float:
    con = duckdb.connect()
    t0 = time.perf_counter()
    con.execute(
        f'SELECT "Fiscal Year", "Month (abbv)", "Component", sum("Encounter Count") '
        f"FROM read_csv('{path}') GROUP BY ALL"
    ).fetchall()
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


def corridor_ingest(path: Path, workdir: Path, k: int) -> float:
    db = workdir / f"bench{k}.duckdb"
    t0 = time.perf_counter()
    (res,) = ingest(db, [path])
    elapsed = time.perf_counter() - t0
    assert res.status == "new" and res.rows > 0
    db.unlink()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="corridor-bench-") as tmp:
        work = Path(tmp)
        path = work / "cbp_nationwide_encounters_bench.csv"
        t0 = time.perf_counter()
        rows = build(path, args.rows)
        size = path.stat().st_size / 1e6
        print(
            f"built {rows:,} rows ({size:.0f} MB) in {time.perf_counter() - t0:.1f}s: {path.name}"
        )
        plain = []
        ours = []
        for k in range(args.repeat):  # interleaved so both see the same machine state
            plain.append(plain_scan(path))
            ours.append(corridor_ingest(path, work, k))
        best_plain, best_ours = min(plain), min(ours)
        print(f"{'':<32}{'best s':>9}{'rows/s':>14}")
        print(
            f"{'plain DuckDB read_csv+GROUP BY':<32}{best_plain:>9.2f}{rows / best_plain:>14,.0f}"
        )
        print(f"{'corridor ingest (end to end)':<32}{best_ours:>9.2f}{rows / best_ours:>14,.0f}")
        ratio = best_plain / best_ours
        print(f"corridor / plain rate: {ratio:.2f} (target: >= 1M rows/s or >= 0.33)")


if __name__ == "__main__":
    main()
