"""Polite HTTP downloads: retries with backoff, timeouts, a named user agent, checked bytes."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import httpx

from corridor import __version__
from corridor.errors import CorridorError

USER_AGENT = (
    f"corridor/{__version__} (open-source migration statistics alignment; "
    "fetches official publications once per run)"
)
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class FetchError(CorridorError):
    """A publication could not be downloaded (after retries)."""


@dataclass(frozen=True)
class Downloaded:
    url: str
    path: Path  # a temporary file the caller moves or deletes
    sha256: str
    size: int
    last_modified: datetime | None
    content_type: str


@dataclass
class Client:
    """One HTTP client per fetch run; waits ``delay`` seconds between requests."""

    timeout: float = 60.0
    retries: int = 3
    backoff: float = 2.0
    delay: float = 1.0
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        self._http = httpx.Client(
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 15.0)),
            follow_redirects=True,
        )
        self._last = 0.0

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_text(self, url: str) -> str:
        """A page (to discover links); errors after the last retry."""
        response = self._request(url, None)
        if response is None:
            raise FetchError(f"{url}: the server answered 304 to an unconditional request")
        try:
            return response.text
        finally:
            response.close()

    def download(
        self, url: str, into: Path, *, if_modified_since: datetime | None = None
    ) -> Downloaded | None:
        """Stream ``url`` into a temporary file in ``into``; None when not modified.

        The body is checked against ``Content-Length`` (a cut connection must
        not become a release) and hashed while it is written.
        """
        response = self._request(url, if_modified_since, stream=True)
        if response is None:
            return None
        into.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=into, prefix=".part-")
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in response.iter_bytes(1 << 16):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        except httpx.HTTPError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise FetchError(f"{url}: download broke off after {size:,} bytes: {exc}") from exc
        finally:
            response.close()
        expected = response.headers.get("content-length")
        encoded = response.headers.get("content-encoding", "identity") != "identity"
        if expected and not encoded and int(expected) != size:
            Path(tmp).unlink(missing_ok=True)
            raise FetchError(f"{url}: got {size:,} bytes, the server announced {expected}")
        if size == 0:
            Path(tmp).unlink(missing_ok=True)
            raise FetchError(f"{url}: the server sent an empty file")
        return Downloaded(
            url=str(response.url),
            path=Path(tmp),
            sha256=digest.hexdigest(),
            size=size,
            last_modified=_http_date(response.headers.get("last-modified")),
            content_type=response.headers.get("content-type", ""),
        )

    def _request(
        self, url: str, if_modified_since: datetime | None, *, stream: bool = False
    ) -> httpx.Response | None:
        headers = {}
        if if_modified_since is not None:
            headers["If-Modified-Since"] = format_datetime(if_modified_since, usegmt=True)
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self._wait(attempt, problem))
            self._pace()
            try:
                request = self._http.build_request("GET", url, headers=headers)
                response = self._http.send(request, stream=stream)
            except httpx.TimeoutException:
                problem = f"timed out after {self.timeout:g} s"
                continue
            except httpx.TransportError as exc:
                problem = f"connection failed: {exc}"
                continue
            if response.status_code == 304:
                response.close()
                return None
            if response.status_code in RETRY_STATUS:
                problem = f"HTTP {response.status_code}"
                retry_after = response.headers.get("retry-after", "")
                if retry_after.isdigit():
                    problem += f";retry-after={retry_after}"
                response.close()
                continue
            if response.status_code >= 400:
                response.close()
                raise FetchError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
            return response
        shown = problem.split(";")[0]
        raise FetchError(f"{url}: {shown} ({self.retries + 1} attempts)")

    def _wait(self, attempt: int, problem: str) -> float:
        if ";retry-after=" in problem:
            return min(float(problem.rsplit("=", 1)[1]), 300.0)
        return float(self.backoff * (2 ** (attempt - 1)))

    def _pace(self) -> None:
        # One request at a time, spaced: these are small agency web servers.
        gap = time.monotonic() - self._last
        if self._last and gap < self.delay:
            self.sleep(self.delay - gap)
        self._last = time.monotonic()


def _http_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


__all__ = ["USER_AGENT", "Client", "Downloaded", "FetchError"]
