"""``corridor fetch``: download a source's current official files, keep them, ingest them.

Every downloaded version is kept under the archive directory (beside the
store by default) as ``<source>/<sha256[:12]>/<file name>``, so nothing
fetched is ever lost even when its ingest fails; a file already fetched is
recognised by its bytes and becomes no new release.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

from corridor.fetch.http import Client, Downloaded, FetchError
from corridor.sources import registry
from corridor.sources.base import Publication, Source
from corridor.store.ingest import IngestResult, ingest

Progress = Callable[[str], None]
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


@dataclass
class Fetched:
    """One file a fetch run looked at."""

    source: str
    url: str
    status: str  # "new", "unchanged", "not modified", "skipped (before --since)"
    path: Path | None = None
    ingest: IngestResult | None = None


def fetchable() -> list[Source]:
    """Connectors that know where their agency publishes."""
    return [s for s in registry.SOURCES.values() if s.info.publication is not None]


def fetch(
    db_path: Path,
    source_ids: Iterable[str],
    *,
    since: date | None = None,
    mirror: str | None = None,
    archive: Path | None = None,
    client: Client | None = None,
    progress: Progress | None = None,
) -> list[Fetched]:
    """Download the current files of each source, archive them and ingest them.

    Args:
        db_path: the store to ingest into.
        source_ids: connector ids (see :func:`fetchable`).
        since: skip files whose name carries only years before it, and ask the
            server for files modified since then (HTTP ``If-Modified-Since``).
        mirror: a base URL that replaces the scheme and host of every official
            URL (an agency mirror, or a local test server).
        archive: where downloads are kept (default: ``archive/`` beside the store).

    Raises:
        FetchError: a page or file could not be downloaded; files already
            downloaded stay in the archive.
        InputError: a downloaded file failed its checks; nothing was ingested.
    """
    say = progress or (lambda _msg: None)
    archive = archive or Path(db_path).parent / "archive"
    sources = [_fetchable(registry.get(s)) for s in source_ids]
    if not sources:
        raise FetchError("no source given: see `corridor fetch --list`")
    own = client is None
    http = client or Client()
    done: list[Fetched] = []
    try:
        for src in sources:
            done.extend(_fetch_source(http, src, since, mirror, archive, say))
    finally:
        if own:
            http.close()
    by_source: dict[str, list[Fetched]] = {}
    for item in done:
        if item.path is not None:
            by_source.setdefault(item.source, []).append(item)
    for source_id, items in by_source.items():
        say(f"ingesting {len(items)} file(s) of {source_id}")
        results = ingest(db_path, [i.path for i in items if i.path], source=source_id)
        for item, result in zip(items, results, strict=True):
            item.ingest = result
            item.status = result.status
    return done


def _fetchable(src: Source) -> Source:
    if src.info.publication is None:
        raise FetchError(
            f"`{src.info.id}` has no known publication address; ingest its files with "
            "`corridor ingest` (see `corridor fetch --list`)"
        )
    return src


def _fetch_source(
    http: Client, src: Source, since: date | None, mirror: str | None, archive: Path,
    say: Progress,
) -> list[Fetched]:  # fmt: skip
    pub = src.info.publication
    assert pub is not None
    urls = discover(http, pub, mirror, say, since=since)
    modified_since = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
    out: list[Fetched] = []
    queue = list(urls)
    while queue:
        url = queue.pop(0)
        if since and _only_years_before(url, since):
            out.append(Fetched(src.info.id, url, "skipped (before --since)"))
            continue
        say(f"downloading {url}")
        got = http.download(url, archive / ".incoming", if_modified_since=modified_since)
        if got is None:
            out.append(Fetched(src.info.id, url, "not modified"))
            continue
        path = _keep(got, archive / src.info.id, pub)
        pages = [path]
        following = _next_page(url, path)
        while following:
            say(f"downloading {following}")
            page = http.download(following, archive / ".incoming")
            if page is None:
                raise FetchError(f"{following}: the server answered 304 to a page request")
            pages.append(_keep(page, archive / src.info.id, pub))
            following = _next_page(following, pages[-1])
        if len(pages) > 1:
            # One release per publication, not per page: pages of one answer
            # cover the same slices and would supersede each other.
            path = _merge_pages(pages, archive / src.info.id, pub)
        out.append(Fetched(src.info.id, url, "downloaded", path))
    return out


def discover(
    http: Client, pub: Publication, mirror: str | None, say: Progress,
    *, since: date | None = None, today: date | None = None,
) -> list[str]:  # fmt: skip
    """The file URLs of a publication: the page itself, or its links matching ``pub.links``."""
    pages = [mirrored(p, mirror) for p in _pages(pub.page, since, today or date.today())]
    if not pub.links:
        return pages
    pattern = re.compile(pub.links, re.IGNORECASE)
    found: list[str] = []
    for page in pages:
        say(f"reading {page}")
        for href in _links(http.get_text(page)):
            url = mirrored(urljoin(page, href), mirror)
            if pattern.search(unquote(url)) and url not in found:
                found.append(url)
    if not found:
        raise FetchError(
            f"{', '.join(pages)}: no link matches `{pub.links}`; the publication page changed, "
            "or the files moved (download them by hand and use `corridor ingest`)"
        )
    return found


def _pages(page: str, since: date | None, today: date) -> list[str]:
    if "{year}" not in page:
        return [page]
    first = since.year if since else today.year - 1
    return [page.replace("{year}", str(y)) for y in range(min(first, today.year), today.year + 1)]


def mirrored(url: str, mirror: str | None) -> str:
    """``url`` with scheme and host replaced by ``mirror``'s (its path prefixed)."""
    if not mirror:
        return url
    parts, base = urlsplit(url), urlsplit(mirror.replace("{host}", urlsplit(url).netloc))
    if parts.netloc == base.netloc and parts.path.startswith(base.path.rstrip("/")):
        return url  # already on the mirror (a relative link resolved against it)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, ""))


def _only_years_before(url: str, since: date) -> bool:
    # Agencies put the year in the file name or in an upload folder
    # (``/documents/2021-Oct/...``): a path whose years all precede --since is older.
    years = [int(y) for y in _YEAR.findall(unquote(urlsplit(url).path))]
    return bool(years) and max(years) < since.year


def _keep(got: Downloaded, folder: Path, pub: Publication) -> Path:
    """Move a download into ``folder/<sha12>/<name>``; an existing copy is reused."""
    name = PurePosixPath(unquote(urlsplit(got.url).path)).name
    query = dict(parse_qsl(urlsplit(got.url).query))
    if pub.save_as:
        stem, dot, ext = pub.save_as.rpartition(".")
        page = query.get("page")
        name = f"{stem}-p{page}.{ext}" if page and dot else pub.save_as
    if not name or name.startswith("."):
        name = "download"
    target = folder / got.sha256[:12] / name
    if target.exists():
        got.path.unlink(missing_ok=True)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(got.path, target)
    return target


def _merge_pages(pages: list[Path], folder: Path, pub: Publication) -> Path:
    """All pages' ``items`` in one answer shaped like a single page (pages stay archived)."""
    bodies = [json.loads(p.read_text(encoding="utf-8")) for p in pages]
    merged = dict(bodies[0])
    merged["items"] = [item for body in bodies for item in body.get("items", [])]
    merged["page"], merged["maxPages"] = 1, 1
    data = json.dumps(merged, ensure_ascii=False, sort_keys=True).encode("utf-8")
    sha = hashlib.sha256(data).hexdigest()
    name = pub.save_as or pages[0].name
    target = folder / sha[:12] / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        tmp = target.with_name(f".part-{name}")
        tmp.write_bytes(data)
        tmp.replace(target)
    return target


def _next_page(url: str, path: Path) -> str | None:
    """The next page of a paged JSON API answer (``page`` < ``maxPages``), if any."""
    if path.suffix.lower() != ".json":
        return None
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None  # the connector reports a broken file with its location
    if not isinstance(body, dict):
        return None
    page, last = body.get("page"), body.get("maxPages")
    if not isinstance(page, int) or not isinstance(last, int) or page >= last:
        return None
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["page"] = str(page + 1)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href.strip())


def _links(html: str) -> list[str]:
    parser = _LinkParser()
    parser.feed(html)
    return parser.links


__all__ = ["Fetched", "discover", "fetch", "fetchable", "mirrored"]
