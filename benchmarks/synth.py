"""Throughput and memory of `corridor synth`, side by side over sizes, in one run.

Each size runs in its own process (so its peak resident memory is its own),
followed by a baseline in another process: re-writing the same records with
plain pyarrow (read every Parquet file, write it again), the floor any
generator writing these files pays. The ratios (time per person across sizes,
memory across sizes) show that the run streams: time grows linearly and memory
stays flat.

    .venv/bin/python benchmarks/synth.py                       # 250k and 1M people
    .venv/bin/python benchmarks/synth.py --people 200000 2000000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 120.0
TARGET_RSS_GB = 4.0


def _child(args: list[str]) -> tuple[float, float, str]:
    """Run ``python args`` and return (seconds, peak RSS in GB, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - started
    out = proc.stdout.read() if proc.stdout else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"child failed ({proc.returncode}): {' '.join(args)}")
    return took, usage.ru_maxrss / 1024 / 1024, out


def _run_synth(out: str, people: int, seed: int) -> None:
    from corridor.synth.run import synth

    result = synth(Path(out), people=people, seed=seed, force=True)
    print(json.dumps(result.manifest["counts"]))


def _rewrite(src: str) -> None:
    import pyarrow.parquet as pq

    dst = Path(src + ".copy")
    dst.mkdir(exist_ok=True)
    rows = 0
    for path in sorted((Path(src) / "records").glob("*.parquet")):
        table = pq.read_table(path)
        pq.write_table(table, dst / path.name, compression="zstd")
        rows += table.num_rows
    shutil.rmtree(dst)
    print(json.dumps({"rows": rows}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=[250_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.worker:
        kind, *rest = opts.worker
        if kind == "synth":
            _run_synth(rest[0], int(rest[1]), int(rest[2]))
        else:
            _rewrite(rest[0])
        return

    me = str(Path(__file__).resolve())
    rows = []
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as tmp:
        for people in opts.people:
            out = str(Path(tmp) / f"p{people}")
            secs, rss, text = _child([me, "--worker", "synth", out, str(people), str(opts.seed)])
            counts = json.loads(text.strip().splitlines()[-1])
            copy_secs, copy_rss, _ = _child([me, "--worker", "rewrite", out])
            size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
            rows.append((people, counts["records_total"], secs, rss, copy_secs, copy_rss, size))
            shutil.rmtree(out)

    print(
        f"corridor synth, seed {opts.seed}, {os.cpu_count()} cores, Python {sys.version.split()[0]}"
    )
    head = (f"{'people':>10} {'records':>10} {'seconds':>8} {'people/s':>9} {'records/s':>10} "
            f"{'peak RSS':>9} {'output':>8} {'rewrite s':>9} {'synth/rewrite':>13}")  # fmt: skip
    print(head)
    print("-" * len(head))
    for people, records, secs, rss, copy_secs, _copy_rss, size in rows:
        print(
            f"{people:>10,} {records:>10,} {secs:>8.1f} {people / secs:>9,.0f} "
            f"{records / secs:>10,.0f} {rss:>7.2f}GB {size / 1e6:>6.0f}MB {copy_secs:>9.1f} "
            f"{secs / copy_secs:>13.1f}"
        )
    if len(rows) > 1:
        (p0, _, s0, m0, *_), (p1, _, s1, m1, *_) = rows[0], rows[-1]
        print(
            f"\n{p1:,} vs {p0:,} people: {p1 / p0:.1f}x the people, {s1 / s0:.2f}x the time, "
            f"{m1 / m0:.2f}x the peak memory"
        )
    for people, _, secs, rss, *_ in rows:
        if people >= 1_000_000:
            ok = secs < TARGET_SECONDS * people / 1_000_000 and rss < TARGET_RSS_GB
            print(f"target for {people:,} people (<{TARGET_SECONDS * people / 1e6:.0f} s, "
                  f"<{TARGET_RSS_GB:.0f} GB): {'met' if ok else 'MISSED'}")  # fmt: skip


if __name__ == "__main__":
    main()
