"""Smuggling-network leads on simulated corridors: quality, time and memory, side by side.

For each size, the simulator writes its folder once (kept in the temp folder and
reused by later runs with the same size and seed), then each configuration runs
`corridor networks --evaluate` in its own process, so its wall time and peak
resident memory (ru_maxrss) are its own:

- ``truth``: perfect linkage (the simulator's people);
- ``split``/``merge``: truth with a share of the entities split into their
  records or merged in pairs (how leads degrade with linkage errors);
- ``keyed``: contacts replaced by HMACs before the graph is built;
- ``linkage``: `corridor link` clusters of all agencies' files (sizes up to
  ``--link-max``, since linking every record takes longest).

    .venv/bin/python benchmarks/networks.py                        # 100k and 1M people
    .venv/bin/python benchmarks/networks.py --people 100000 --link-max 100000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_SECONDS = 300.0
TARGET_RSS_GB = 4.0
TOP = 100


def _child(args: list[str]) -> tuple[float, float, str]:
    """Run ``args`` and return (seconds, peak RSS in GB, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"child failed: {' '.join(args)}")
    return took, usage.ru_maxrss / 1024 / 1024, out


def _corridor() -> list[str]:
    script = Path(sys.executable).parent / "corridor"
    return [str(script)] if script.exists() else [sys.executable, "-m", "corridor.cli"]


def _synth(root: Path, people: int, seed: int) -> Path:
    out = root / f"networks-synth-{people}-{seed}"
    if not (out / "manifest.json").exists():
        _child([*_corridor(), "synth", "--people", str(people), "--seed", str(seed),
                "--out", str(out), "--force"])  # fmt: skip
    return out


def _link(root: Path, folder: Path) -> tuple[Path, float, float]:
    out = root / f"{folder.name}-link"
    files = sorted(str(p) for p in (folder / "records").glob("*.parquet"))
    took, rss, _ = _child([*_corridor(), "link", *files, "--id", "record_id", "--out", str(out)])
    return out / "clusters.parquet", took, rss


def _row(folder: Path, people: int, name: str, extra: list[str]) -> dict[str, Any]:
    args = [*_corridor(), "networks", str(folder), "--top", str(TOP), "--evaluate",
            "--format", "json", *extra]  # fmt: skip
    took, rss, out = _child(args)
    ev = json.loads(out)["evaluation"]
    print(f"{people:,} people, {name}: {took:.1f} s", flush=True)
    return {"people": people, "entities": name, "seconds": took, "rss_gb": rss, **ev}


def _print(rows: list[dict[str, Any]]) -> None:
    print(
        "| people | entities | seconds | peak RSS | guide recall (top 100) | guides named "
        "| member recall | flagged precision (flagged) | top-100 precision | rings found |"
    )
    print("|---" * 10 + "|")
    for r in rows:
        print(
            f"| {r['people']:,} | {r['entities']} | {r['seconds']:.1f} | {r['rss_gb']:.2f} GB "
            f"| {r['guide_recall']:.3f} | {r['guide_recall_named']:.3f} "
            f"| {r['member_recall']:.3f} | {r['flagged_precision']:.3f} ({r['flagged']}) "
            f"| {r['top_precision']:.3f} | {r['rings_found']}/{r['rings']} |"
        )
    for r in rows:
        if r["entities"] != "truth" or r["people"] < 1_000_000:
            continue
        ok = (
            r["seconds"] < TARGET_SECONDS
            and r["rss_gb"] < TARGET_RSS_GB
            and r["guide_recall"] >= 0.9
            and r["flagged_precision"] >= 0.8
        )
        print(
            f"target at {r['people']:,} people (guide recall >= 0.9, flagged precision >= 0.8, "
            f"< {TARGET_SECONDS:.0f} s, < {TARGET_RSS_GB:.0f} GB): {'met' if ok else 'NOT met'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--link-max", type=int, default=100_000,
                        help="run `corridor link` for sizes up to this many people")  # fmt: skip
    parser.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    key = args.tmp / "networks-bench.key"
    key.write_bytes(os.urandom(32).hex().encode())
    rows: list[dict[str, Any]] = []
    try:
        for people in args.people:
            folder = _synth(args.tmp, people, args.seed)
            rows.append(_row(folder, people, "truth", []))
            rows.append(_row(folder, people, "truth, 10% split", ["--split", "0.1"]))
            rows.append(_row(folder, people, "truth, 10% merged", ["--merge", "0.1"]))
            rows.append(_row(folder, people, "truth, keyed", ["--key", str(key)]))
            if people <= args.link_max:
                clusters, took, rss = _link(args.tmp, folder)
                print(f"corridor link, {people:,} people: {took:.1f} s, {rss:.2f} GB", flush=True)
                rows.append(_row(folder, people, "corridor link", ["--entities", str(clusters)]))
    finally:
        key.unlink()
    _print(rows)


if __name__ == "__main__":
    main()
