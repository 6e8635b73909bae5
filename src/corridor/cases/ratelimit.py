"""In-process sliding-window counters (per client address, reference or account).

One server process per installation is the supported deployment; several
processes would each count separately (the limits then apply per process).
"""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    def __init__(self) -> None:
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, key: str, limit: int, window: float) -> int:
        """Count one event; 0 when allowed, else seconds until the oldest event expires."""
        now = time.monotonic()
        with self._lock:
            q = self._hits.setdefault((bucket, key), deque())
            while q and q[0] <= now - window:
                q.popleft()
            if len(q) >= limit:
                return max(1, int(q[0] + window - now) + 1)
            q.append(now)
            if len(self._hits) > 100_000:  # bound memory under a flood of addresses
                self._sweep(now, window)
            return 0

    def count(self, bucket: str, key: str, window: float) -> int:
        now = time.monotonic()
        with self._lock:
            q = self._hits.get((bucket, key))
            return sum(1 for t in q if t > now - window) if q else 0

    def reset(self, bucket: str, key: str) -> None:
        with self._lock:
            self._hits.pop((bucket, key), None)

    def _sweep(self, now: float, window: float) -> None:
        for k in [k for k, q in self._hits.items() if not q or q[-1] <= now - window]:
            del self._hits[k]
