"""Safe Mobility Office intake under load: registrations and status checks per second.

Starts `corridor serve`'s app (uvicorn, one process) on 127.0.0.1 over a fresh cases
installation, on SQLite and on PostgreSQL, and drives it from one asyncio loop
with an open-loop schedule: at each offered rate, a new applicant arrives every
1/rate seconds whatever the server does (latency is measured from the scheduled
arrival, so a slow server is not hidden by a slow client). Each applicant
registers (one household, a fresh Idempotency-Key), checks the status once with
the secret, and 5 % of them resend the same registration (a retry after a lost
answer). Answers 503 (waiting room) and 429 are retried after Retry-After with
the same key. After each step the database is counted: every applicant must
have exactly one registration (zero lost, zero duplicated).

The target from the issue: 450,000 registrations an hour = 125/s with p95
under 200 ms. The ceiling is the highest offered rate still meeting it.

Backend ``postgresql-async`` is PostgreSQL with ``synchronous_commit = off``: not for a
deployment (a crash may lose acknowledged registrations), it shows what the flush to disk
at each commit costs while the audit chain's head row is locked.

Usage: python benchmarks/cases_load.py [--backends sqlite,postgresql,postgresql-async]
       [--workers 1,2] [--rates 60,90,125,160]
       [--seconds 15] [--pg-url postgresql://user:pw@127.0.0.1/db]  (or CORRIDOR_TEST_PG_URL)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from corridor.cases.models import Registration
from corridor.cases.runtime import initialise
from corridor.cases.settings import Settings

TARGET_RATE, TARGET_P95_MS = 125.0, 200.0
CONNECTIONS = 96


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    db_url: str, keys: Path, store: Path, workers: int
) -> tuple[subprocess.Popen[bytes], str]:
    """uvicorn over ``corridor.api.create_app`` (as ``corridor serve`` runs it), ``workers``
    processes sharing the database; one client address sends everything here, so the
    per-address limits are lifted."""
    port = free_port()
    env = {
        **os.environ,
        "CORRIDOR_DB": str(store),
        "CORRIDOR_CASES_DB": db_url,
        "CORRIDOR_CASES_KEYS": str(keys),
        "CORRIDOR_CASES_LIMITS": "register_per_minute=1000000000,"
        "status_failures_per_hour=1000000000",
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "corridor.api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
        "--timeout-keep-alive",
        "300",
        "--backlog",
        "4096",
    ]
    proc = subprocess.Popen(cmd, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            if httpx.get(f"{base}/cases/es", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("uvicorn did not start")


class Conn:
    """One keep-alive HTTP/1.1 connection on asyncio streams (a light load generator)."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str
    ) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    async def call(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n"
        for k, v in (headers or {}).items():
            head += f"{k}: {v}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        status = int(raw.split(b" ", 2)[1])
        hdrs = {
            m.group(1).lower().decode(): m.group(2).decode()
            for m in re.finditer(rb"(?m)^([^:\r\n]+):\s*(.*?)\r$", raw)
        }
        data = await self.reader.readexactly(int(hdrs.get("content-length", "0")))
        return status, hdrs, data


def household(i: int) -> dict[str, object]:
    nat = ("VEN", "HTI", "CUB")[i % 3]
    members = [
        {
            "given_names": f"Nombre{i}",
            "surnames": f"Apellido{i} Prueba",
            "dob": f"19{60 + i % 40}-0{1 + i % 9}-1{i % 10}",
            "sex": "FM"[i % 2],
            "nationality": nat,
            "arrival_date": "2023-01-15",
            "doc_type": "passport",
            "doc_number": f"P{i:09d}",
        }
    ]
    if i % 3 == 0:
        members.append(
            {
                "given_names": f"Hijo{i}",
                "surnames": f"Apellido{i}",
                "sex": "M",
                "dob": "2015-05-05",
                "nationality": nat,
                "relationship": "child",
                "arrival_date": "2023-01-15",
            }
        )
    return {
        "office": ("COL-BOG", "COL-MDE", "COL-CLO")[i % 3],
        "lang": "es",
        "consent": True,
        "host_status": "irregular",
        "contact_phone": f"+57 300 {i:07d}",
        "members": members,
    }


@dataclass
class Step:
    rate: float
    seconds: float
    reg_ms: list[float] = field(default_factory=list)
    status_ms: list[float] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)  # idempotency key -> reference
    deferred: int = 0  # 503/429 answers, retried
    reconnects: int = 0
    mismatched_retries: int = 0
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0


async def reopen(conn: Conn) -> Conn:
    conn.writer.close()
    host, port = conn.host.split(":")
    r, w = await asyncio.open_connection(host, int(port))
    return Conn(r, w, conn.host)


async def send(
    conn: Conn,
    step: Step,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[Conn, int, dict[str, str], bytes]:
    """One call; a dropped connection is reopened and the same request sent again (safe:
    registrations carry their Idempotency-Key), 503/429 are retried after Retry-After."""
    for _ in range(20):
        try:
            status, hdrs, data = await conn.call(method, path, body, headers)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            step.reconnects += 1
            conn = await reopen(conn)
            continue
        if status in (429, 503):
            step.deferred += 1
            await asyncio.sleep(float(hdrs.get("retry-after", "1")))
            continue
        return conn, status, hdrs, data
    raise RuntimeError(f"{method} {path}: no answer after 20 tries")


async def applicant(pool: asyncio.Queue[Conn], step: Step, i: int, due: float) -> None:
    key = f"bench-{secrets.token_hex(12)}"
    body = json.dumps(household(i)).encode()
    conn = await pool.get()
    try:
        conn, status, _, data = await send(
            conn, step, "POST", "/api/v1/registrations", body, {"Idempotency-Key": key}
        )
        step.reg_ms.append((time.perf_counter() - due) * 1000)
        if status not in (200, 201):
            step.errors.append(f"POST {status} {data[:80]!r}")
            return
        out = json.loads(data)
        step.refs[key] = out["reference"]
        t = time.perf_counter()
        conn, status, _, data = await send(
            conn,
            step,
            "GET",
            f"/api/v1/registrations/{out['reference']}",
            headers={"X-Status-Token": out["status_token"]},
        )
        step.status_ms.append((time.perf_counter() - t) * 1000)
        if status != 200:
            step.errors.append(f"GET {status}")
        if i % 20 == 0:  # the answer was lost on the way: the phone sends it again
            conn, status, _, data = await send(
                conn, step, "POST", "/api/v1/registrations", body, {"Idempotency-Key": key}
            )
            if status != 200 or json.loads(data)["reference"] != out["reference"]:
                step.mismatched_retries += 1
    except Exception as exc:  # reported, and counted as lost if nothing was stored
        step.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        pool.put_nowait(conn)


async def run_step(base: str, rate: float, seconds: float, first: int) -> Step:
    host, port = base.removeprefix("http://").split(":")
    pool: asyncio.Queue[Conn] = asyncio.Queue()
    for _ in range(CONNECTIONS):
        r, w = await asyncio.open_connection(host, int(port))
        pool.put_nowait(Conn(r, w, f"{host}:{port}"))
    step = Step(rate, seconds)
    tasks = []
    start = time.perf_counter()
    n = int(rate * seconds)
    for k in range(n):
        due = start + k / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(applicant(pool, step, first + k, due)))
    await asyncio.gather(*tasks)
    step.elapsed = time.perf_counter() - start
    while not pool.empty():
        pool.get_nowait().writer.close()
    return step


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server and its worker processes (Linux /proc)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def backend_cpu(pg_url: str, database: str) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL client backend connected to ``database``
    (serving this benchmark's server processes; other users of the PostgreSQL server are not
    counted, nor autovacuum, the WAL writer and the checkpointer)."""
    admin = create_engine(make_url(pg_url).set(drivername="postgresql+psycopg"))
    try:
        with admin.connect() as c:
            pids = c.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = :d "
                    "AND backend_type = 'client backend'"
                ),
                {"d": database},
            ).scalars()
            pids = list(pids)
    finally:
        admin.dispose()
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def count_registrations(db_url: str, keys: list[str]) -> tuple[int, int]:
    """(rows for these keys, distinct references among them)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            total = 0
            refs: set[str] = set()
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                rows = (
                    c.execute(
                        select(Registration.reference).where(Registration.submission_id.in_(chunk))
                    )
                    .scalars()
                    .all()
                )
                total += len(rows)
                refs.update(rows)
            return total, len(refs)
    finally:
        engine.dispose()


def installation(backend: str, tmp: Path, pg_url: str | None) -> tuple[str, Path, str | None]:
    keys = tmp / f"{backend}-keys.json"
    if backend == "sqlite":
        url = f"sqlite:///{tmp / 'cases.sqlite'}"
        initialise(Settings(url, keys))
        return url, keys, None
    if not pg_url:
        raise SystemExit("postgresql: give --pg-url or set CORRIDOR_TEST_PG_URL")
    name = f"corridor_bench_{secrets.token_hex(4)}"
    admin = create_engine(
        make_url(pg_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        if backend == "postgresql-async":
            # where the time goes, not a setting to deploy: a crash may lose the last
            # acknowledged registrations
            c.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    url = make_url(pg_url).set(drivername="postgresql+psycopg", database=name)
    rendered = url.render_as_string(hide_password=False)
    initialise(Settings(rendered, keys))
    return rendered, keys, name


def drop(pg_url: str, name: str) -> None:
    admin = create_engine(
        make_url(pg_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    try:
        for attempt in range(20):  # FORCE cannot end an autovacuum worker: wait for it
            try:
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                return
            except DBAPIError:
                if attempt == 19:
                    raise
                time.sleep(0.5)
    finally:
        admin.dispose()


def measure(
    backend: str, workers: int, rates: list[float], seconds: float, pg_url: str | None
) -> list[str]:
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="corridor-cases-bench-") as tmpdir:
        tmp = Path(tmpdir)
        url, keys, pg_name = installation(backend, tmp, pg_url)
        proc, base = start_server(url, keys, tmp / "store.duckdb", workers)
        try:
            asyncio.run(run_step(base, 20, 2, 10_000_000))  # warm-up: every worker opened
            first = 0
            for rate in rates:
                cpu0 = server_cpu(proc.pid)
                pg0 = backend_cpu(pg_url, pg_name) if pg_url and pg_name else {}
                step = asyncio.run(run_step(base, rate, seconds, first))
                done = max(len(step.refs), 1)
                cpu_ms = (server_cpu(proc.pid) - cpu0) * 1000 / done
                pg1 = backend_cpu(pg_url, pg_name) if pg_url and pg_name else {}
                pg_ms = sum(t - pg0.get(pid, 0.0) for pid, t in pg1.items()) * 1000 / done
                load = os.getloadavg()[0]
                first += int(rate * seconds)
                stored, distinct = count_registrations(url, list(step.refs))
                lost = int(rate * seconds) - stored
                dup = stored - distinct + step.mismatched_retries
                achieved = len(step.refs) / step.elapsed
                p95 = pct(step.reg_ms, 0.95)
                ok = (
                    achieved >= 0.95 * rate
                    and p95 < TARGET_P95_MS
                    and lost == 0
                    and dup == 0
                    and not step.errors
                )
                rows.append(
                    f"{backend:<10} {workers:>7} {rate:>9.0f} {achieved:>7.1f} "
                    f"{len(step.status_ms) / step.elapsed:>8.1f} "
                    f"{pct(step.reg_ms, 0.5):>8.1f} {p95:>8.1f} "
                    f"{pct(step.status_ms, 0.95):>7.1f} {step.deferred:>7} {lost:>5} "
                    f"{dup:>4} {step.reconnects:>6} {len(step.errors):>6} {cpu_ms:>7.1f} "
                    f"{pg_ms if pg_name else float('nan'):>6.1f} {load:>5.1f}  "
                    f"{'yes' if ok else 'no'}"
                )
                print(rows[-1], flush=True)
                if step.errors:
                    print(f"  first error: {step.errors[0]}", flush=True)
                if not ok and p95 > 5 * TARGET_P95_MS:
                    break  # far past the ceiling: higher rates only queue longer
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            if pg_name and pg_url:
                drop(pg_url, pg_name)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--workers", default="1,2", help="uvicorn worker processes to compare")
    ap.add_argument("--rates", default="60,90,125,160")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--pg-url", default=os.environ.get("CORRIDOR_TEST_PG_URL"))
    args = ap.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    load = os.getloadavg()[0]
    print(
        f"{os.cpu_count()} CPUs (load average {load:.1f} at start); {args.seconds:.0f} s per "
        f"step; target {TARGET_RATE:.0f} registrations/s with p95 < {TARGET_P95_MS:.0f} ms; "
        f"{CONNECTIONS} connections"
    )
    header = (
        f"{'backend':<10} {'workers':>7} {'offered/s':>9} {'reg/s':>7} {'status/s':>8} "
        f"{'reg p50':>8} {'reg p95':>8} {'st p95':>7} {'503/429':>7} {'lost':>5} "
        f"{'dup':>4} {'reconn':>6} {'errors':>6} {'cpu ms':>7} {'pg ms':>6} {'load':>5}  "
        "meets target"
    )
    print(header)
    rows: list[str] = []
    for backend in [b for b in args.backends.split(",") if b]:
        if backend.startswith("postgresql") and not args.pg_url:
            rows.append(f"{backend:<10} skipped: no --pg-url / CORRIDOR_TEST_PG_URL")
            continue
        for workers in [int(w) for w in args.workers.split(",")]:
            rows += measure(backend, workers, rates, args.seconds, args.pg_url)
    print()
    print(header)
    for r in rows:
        print(r)
    ceilings: dict[tuple[str, str], str] = {}
    for r in rows:
        parts = r.split()
        if parts[-1] == "yes":
            ceilings[(parts[0], parts[1])] = parts[2]
    print(
        "cpu ms: server CPU time per applicant (registration + status check + 5 % resent), "
        "all worker processes; pg ms: the same for the PostgreSQL backends serving them; "
        "load: the 1-minute load average after the step (2 cores, shared)"
    )
    for (backend, workers), rate in ceilings.items():
        print(
            f"ceiling {backend}, {workers} worker(s): {rate} registrations/s (and as many "
            f"status checks) with p95 < {TARGET_P95_MS:.0f} ms, none lost or duplicated"
        )


if __name__ == "__main__":
    main()
