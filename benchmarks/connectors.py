"""Document-connector throughput on real data: IOM Missing Migrants incidents.

Rebuilds IOM's global download layout (``Missing_Migrants_Global_Figures_allData.csv``)
from the real incidents in ``../shared/data/real/iom_mmp.csv`` (IOM GDI's copy, 2014-2025),
then measures side by side in one run:

- pandas:   ``pandas.read_csv`` of the download (the floor for any Python parser)
- gdidata:  corridor ingesting the harmonised copy (the SQL path, ``gdidata.iom_mmp``)
- iom_mmp:  corridor ingesting the download (document path: parse, resolve countries,
            check each incident's total, monthly flows + the ``incidents`` table)

Usage: python benchmarks/connectors.py [--repeat K]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from corridor.config import shared_data_dir
from corridor.countries import name_of
from corridor.store import ingest

HEADER = [
    "Main ID", "Incident ID", "Incident Type", "Region of Incident", "Incident Date",
    "Incident year", "Month", "Number of Dead", "Minimum Estimated Number of Missing",
    "Total Number of Dead and Missing", "Number of Survivors", "Number of Females",
    "Number of Males", "Number of Children", "Country of Origin", "Region of Origin",
    "Cause of Death", "Country of Incident", "Migration Route", "Location of Incident",
    "Coordinates", "UNSD Geographical Grouping", "Information Source", "Link", "Source Quality",
]  # fmt: skip
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip


def _name(codes: str) -> str:
    # gdidata joins several origins with commas, as IOM's download does with names
    names = ["Unknown" if c in ("", "UNK") else name_of(c) for c in codes.split(",")]
    return ",".join(names)


def build_download(real: Path, out: Path) -> int:
    """The real incidents written in IOM's download layout; returns the incident count."""
    src = pd.read_csv(real, dtype=str, keep_default_na=False)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for i, row in enumerate(src.itertuples(index=False), start=1):
            year, month = int(row.t[:4]), int(row.t[5:7])
            dead = str(int(float(row.dead))) if row.dead else "0"
            coords = f"{row.lat}, {row.lon}" if row.lat and row.lon else ""
            # gdidata has a few negative survivor counts (-1); IOM's file would not
            survivors = row.surv.split(".")[0] if not row.surv.startswith("-") else ""
            writer.writerow([
                f"{year}.MMP{i:05d}", f"{year}.MMP{i:05d}", row.type, "", row.t, year,
                MONTHS[month - 1], dead, "", dead, survivors, "", "", "",
                _name(row.nat), "", row.cause, _name(row.geo), row.route, row.location, coords,
                "", "", "", "",
            ])  # fmt: skip
    return len(src)


def timed(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    shared = shared_data_dir()
    if shared is None:
        sys.exit("../shared/data is absent: this benchmark runs on the real incidents")
    real = shared / "real" / "iom_mmp.csv"
    with tempfile.TemporaryDirectory() as tmp:
        download = Path(tmp) / "Missing_Migrants_Global_Figures_allData.csv"
        incidents = build_download(real, download)
        counter = iter(range(10**6))

        def fresh(path: Path, source: str) -> Callable[[], object]:
            return lambda: ingest(Path(tmp) / f"s{next(counter)}.duckdb", [path], source=source)

        results = {
            "pandas read_csv": timed(lambda: pd.read_csv(download, dtype=str), args.repeat),
            "corridor gdidata.iom_mmp (SQL path)": timed(
                fresh(real, "gdidata.iom_mmp"), args.repeat),
            "corridor iom_mmp.global (document path)": timed(
                fresh(download, "iom_mmp.global"), args.repeat),
        }  # fmt: skip
    base = results["pandas read_csv"]
    print(f"{incidents:,} real IOM Missing Migrants incidents, median of {args.repeat} runs")
    for label, secs in results.items():
        print(f"  {label:<42} {secs:7.2f} s  {incidents / secs:>10,.0f} incidents/s  "
              f"{secs / base:6.1f}x pandas")  # fmt: skip


if __name__ == "__main__":
    main()
