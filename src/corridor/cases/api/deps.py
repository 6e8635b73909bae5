"""Shared request plumbing: the opened installation, client address, staff sign-in, CSRF."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import partial
from typing import ParamSpec, TypeVar

import anyio
import anyio.to_thread
from fastapi import Request
from sqlalchemy.orm import Session

from corridor.cases.auth import principal_for
from corridor.cases.errors import CasesError, Forbidden, TooMany, Unauthorized
from corridor.cases.permissions import Principal
from corridor.cases.runtime import Cases
from corridor.cases.settings import Settings
from corridor.errors import ConfigError

SESSION_COOKIE = "corridor_staff"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_open_lock = threading.Lock()


class Unavailable(CasesError):
    status = 503


def runtime(request: Request) -> Cases:
    """The installation for this app, opened on first use (settings from app.state or env)."""
    state = request.app.state
    found: Cases | None = getattr(state, "cases_runtime", None)
    if found is not None:
        return found
    with _open_lock:
        found = getattr(state, "cases_runtime", None)
        if found is None:
            settings = getattr(state, "cases_settings", None) or Settings.resolve()
            try:
                found = Cases.open(settings, pool_size=getattr(state, "cases_pool", 10))
            except ConfigError as exc:
                raise Unavailable(f"cases are not set up here: {exc}") from None
            state.cases_runtime = found
    return found


def today() -> date:
    return date.today()


def client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit(cases: Cases, bucket: str, key: str, count: int, window: float) -> None:
    wait = cases.limiter.hit(bucket, key, count, window)
    if wait:
        raise TooMany("too many requests; try again later", wait)


def staff(session: Session, request: Request, cases: Cases) -> Principal:
    """The signed-in staff member: bearer token, or the session cookie plus a CSRF token on
    writes (header ``X-CSRF-Token``)."""
    auth = request.headers.get("authorization", "")
    via_cookie = False
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    else:
        token = request.cookies.get(SESSION_COOKIE, "")
        via_cookie = True
    if not token:
        raise Unauthorized("sign in first (POST /api/v1/auth/login)")
    p = principal_for(session, token, cases.settings.limits)
    if via_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not sent or not secrets.compare_digest(sent, p.csrf_token):
            raise Forbidden("missing or wrong CSRF token (X-CSRF-Token)")
    return p


class Admission:
    """At most ``limit`` registrations at once; the rest are sent to the waiting room."""

    def __init__(self) -> None:
        self.inflight = 0
        self._lock = threading.Lock()

    @contextmanager
    def enter(self, limit: int) -> Iterator[None]:
        with self._lock:
            if self.inflight >= limit:
                raise TooMany("intake is busy: you are in the waiting room", 5, status=503)
            self.inflight += 1
        try:
            yield
        finally:
            with self._lock:
                self.inflight -= 1


def admission(request: Request) -> Admission:
    found: Admission | None = getattr(request.app.state, "cases_admission", None)
    if found is None:
        found = request.app.state.cases_admission = Admission()
    return found


P = ParamSpec("P")
R = TypeVar("R")


async def in_db_thread(
    request: Request, work: Callable[P, R], *args: P.args, **kwargs: P.kwargs
) -> R:
    """``work`` in a worker thread, at most as many at once as the database pool holds
    connections (the public endpoints under load).

    FastAPI's thread pool runs up to 40 at once per process: beyond the pool's
    connections they only wait for one, and on two cores that many threads taking
    turns at the interpreter lock cost more CPU than the queue they replace
    (``benchmarks/cases_load.py`` at 180/s on PostgreSQL: 130/s done with 40 threads,
    175/s with 8).
    """
    state = request.app.state
    limiter: anyio.CapacityLimiter | None = getattr(state, "cases_db_threads", None)
    if limiter is None:
        limiter = state.cases_db_threads = anyio.CapacityLimiter(runtime(request).db.pool_size)
    return await anyio.to_thread.run_sync(partial(work, *args, **kwargs), limiter=limiter)
