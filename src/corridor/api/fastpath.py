"""Cache hits answered before routing: no validation, no thread hand-off, body pre-gzipped.

Under 50 concurrent clients a cached answer must cost well under a millisecond
of the one event loop, so this ASGI middleware serves it from the key the
endpoint stored (see ``respond``); anything else goes on to the app.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from corridor.api.respond import FORMATS, ResponseCache, StoreVersion, cache_key


class CacheHits:
    def __init__(
        self, app: ASGIApp, *, prefix: str, cache: ResponseCache, version: StoreVersion
    ) -> None:
        self.app, self.prefix, self.cache, self.version = app, prefix, cache, version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(self.prefix)
            or self.cache.size <= 0
        ):
            await self.app(scope, receive, send)
            return
        headers: dict[str, str] = {}
        for k, v in scope["headers"]:  # the first of repeated headers, as Request.headers.get
            headers.setdefault(k.decode("latin-1"), v.decode("latin-1"))
        query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        asked = [v for k, v in query if k == "format"]
        fmt = asked[-1] if asked else ("csv" if "text/csv" in headers.get("accept", "") else "json")
        hit = None
        if fmt in FORMATS:
            hit = self.cache.get(cache_key(self.version.get(), scope["path"], query, fmt))
        if hit is None:
            await self.app(scope, receive, send)
            return
        out = hit.headers()
        status, body = 200, hit.body
        if headers.get("if-none-match") == out["etag"]:
            status, body = 304, b""
        else:
            out["content-type"] = hit.media_type
            if hit.gzipped is not None and "gzip" in headers.get("accept-encoding", ""):
                out["content-encoding"], body = "gzip", hit.gzipped
            out["content-length"] = str(len(body))
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in out.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})
