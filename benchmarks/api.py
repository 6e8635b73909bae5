"""REST API latency under 50 concurrent clients vs the same computation called directly.

Builds a store from ../shared/data/real (or takes --db), starts uvicorn on
127.0.0.1 twice (response cache on, and off) and, for the main calls, measures
p50/p95 latency with 50 concurrent clients, each its own keep-alive
connection, driven from one asyncio loop (a light load generator). Beside
it, the same library call (Store.flows, series.monthly, Store.sources,
quality.check) made in-process by 50 threads: the direct DuckDB query of the
same numbers, without HTTP.

Usage: python benchmarks/api.py [--db STORE] [--clients 50] [--requests 10]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from corridor.analysis.series import checkpoint, monthly
from corridor.quality import check
from corridor.store import Store, ingest

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


def calls(store: Store) -> list[tuple[str, str, Callable[[], object]]]:
    """(name, API path, the direct call computing the same numbers)."""
    return [
        ("flows by period (US SW)",
         "/api/v1/flows?geo=USA&event=encounters&area=southwest_land_border&by=period",
         lambda: Store(store.path).flows(geo="USA", event="encounters",
                                         area="southwest_land_border", by=["period"])),
        ("series/darien", "/api/v1/series/darien",
         lambda: monthly(Store(store.path), checkpoint("darien"))),
        ("sources", "/api/v1/sources", lambda: Store(store.path).sources()),
        ("quality", "/api/v1/quality", lambda: check(Store(store.path))),
    ]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(db: Path, cache_size: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    code = (
        "import uvicorn; from corridor.api import create_app; "
        f"uvicorn.run(create_app({str(db)!r}, cache_size={cache_size}), "
        f"host='127.0.0.1', port={port}, log_level='warning', access_log=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code])
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/api/v1/checkpoints", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("uvicorn did not start")


def hammer(work: Callable[[int], Callable[[], object]], clients: int, requests: int) -> list[float]:
    """Latencies (s) of clients x requests calls; ``work(i)`` gives client i's call."""
    times: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def run(i: int) -> None:
        call = work(i)
        barrier.wait()
        mine = []
        for _ in range(requests):
            t = time.perf_counter()
            call()
            mine.append(time.perf_counter() - t)
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _client(
    host: str, port: int, path: str, requests: int, start: asyncio.Event, times: list[float]
) -> None:
    """One keep-alive connection sending ``requests`` GETs one after another.

    A minimal HTTP/1.1 client on asyncio streams: the load generator must cost
    far less than the server, or the latencies measure the clients (50 httpx
    threads under one GIL added tens of ms to the tail on two cores).
    """
    reader, writer = await asyncio.open_connection(host, port)
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
               "Accept-Encoding: gzip\r\n\r\n").encode()  # fmt: skip
    await start.wait()
    try:
        for _ in range(requests):
            t = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head.split(b" ", 2)[1]
            if status != b"200":
                raise SystemExit(f"{path}: HTTP {status.decode()}")
            length = re.search(rb"(?i)content-length:\s*(\d+)", head)
            if length is None:
                raise SystemExit(f"{path}: no Content-Length in the answer")
            await reader.readexactly(int(length.group(1)))
            times.append(time.perf_counter() - t)
    finally:
        writer.close()


async def _load(base: str, path: str, clients: int, requests: int) -> list[float]:
    host, port = base.removeprefix("http://").split(":")
    times: list[float] = []
    start = asyncio.Event()
    tasks = [asyncio.create_task(_client(host, int(port), path, requests, start, times))
             for _ in range(clients)]  # fmt: skip
    await asyncio.sleep(0.2)  # every connection open before the first request
    start.set()
    await asyncio.gather(*tasks)
    return times


def api_times(base: str, path: str, clients: int, requests: int, warm: bool = True) -> list[float]:
    if warm:
        httpx.get(base + path, timeout=120).raise_for_status()  # fills the cache
    return asyncio.run(_load(base, path, clients, requests))


def first_asked(path: str) -> str:
    """The same call under a query string the server has never seen: a cache miss,
    as for every request right after an ingest (unknown parameters are ignored)."""
    return f"{path}{'&' if '?' in path else '?'}bench_cold={time.perf_counter_ns()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="an existing store (default: built from real data)")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=10, help="per client, cached API")
    ap.add_argument("--slow-requests", type=int, default=1,
                    help="per client, uncached API and direct calls")  # fmt: skip
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            if not REAL.is_dir():
                raise SystemExit(f"{REAL} is absent: pass --db STORE")
            db = Path(tmp) / "c.duckdb"
            ingest(db, sorted(REAL.glob("*.csv")))
        store = Store(db)
        rows: list[tuple[str, int, list[float], list[float], list[float], list[float], list[float]]]
        rows = []
        cached, cached_base = start_server(db, cache_size=512)
        uncached, uncached_base = start_server(db, cache_size=0)
        try:
            for name, path, direct in calls(store):
                alone = api_times(cached_base, path, 1, args.requests * 10)
                hot = api_times(cached_base, path, args.clients, args.requests)
                first = api_times(cached_base, first_asked(path), args.clients, 1, warm=False)
                cold = api_times(uncached_base, path, args.clients, args.slow_requests)
                direct()
                inproc = hammer(lambda i, f=direct: f, args.clients, args.slow_requests)  # type: ignore[misc]
                size = len(httpx.get(cached_base + path, timeout=60).content)
                rows.append((name, size, alone, hot, first, cold, inproc))
        finally:
            for proc in (cached, uncached):
                proc.terminate()
                proc.wait()
    print(f"{args.clients} concurrent clients; ms as p50 / p95 "
          f"(cached: {args.clients * args.requests} requests per call, "
          f"others: {args.clients * args.slow_requests})")  # fmt: skip
    print("| call | JSON size | API cached, 1 client | API cached | API, first ask (50 at once) "
          "| API, no cache | direct call (no HTTP) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, size, *times in rows:
        cells = [f"{pct(t, 0.5):.1f} / {pct(t, 0.95):.1f}" for t in times]
        print(f"| {name} | {size / 1000:.0f} kB | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
