"""A local HTTP server on 127.0.0.1 playing an agency's web site (no test uses the internet)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes
    content_type: str = "application/octet-stream"
    #: statuses answered before the body, one per request (e.g. [503, 503])
    failures: list[int] = field(default_factory=list)
    #: announce more bytes than sent, then close (a cut connection)
    truncate: bool = False
    last_modified: float = 1_700_000_000.0


@dataclass
class Site:
    routes: dict[str, Route]
    base: str = ""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[Site]:
    site = Site(routes)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append((self.path, dict(self.headers.items())))
            route = site.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            if route.failures:
                self.send_error(route.failures.pop(0))
                return
            since = self.headers.get("If-Modified-Since")
            if since and parsedate_to_datetime(since).timestamp() >= route.last_modified:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Last-Modified", formatdate(route.last_modified, usegmt=True))
            size = len(route.body) + (1000 if route.truncate else 0)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            self.wfile.write(route.body)
            if route.truncate:
                self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
