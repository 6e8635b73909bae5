"""Engines for SQLite (WAL, one writer at a time) and PostgreSQL, sessions, and migrations."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

try:
    import fcntl
except ImportError:  # Windows: threads are still queued, processes meet SQLite's busy handler
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from corridor.errors import ConfigError

HEAD = "0003"
T = TypeVar("T")


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """An engine; SQLite files get WAL, foreign keys, a busy timeout and write-locking BEGINs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        event.listen(engine, "connect", _sqlite_connect)
        # Every transaction takes the write lock at BEGIN: the audit chain reads its
        # head and appends in one transaction, and a deferred BEGIN could not upgrade
        # to a write lock safely under WAL (SQLITE_BUSY_SNAPSHOT).
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        # No pool_pre_ping: under load it costs every transaction a round trip. A
        # connection is pinged only after it sat idle (the server may have restarted
        # meanwhile); one that died while in use is found by its first statement,
        # SQLAlchemy then drops the whole pool, and Database.run tries once more.
        engine = create_engine(
            parsed, pool_size=pool_size, max_overflow=pool_size, pool_recycle=3600
        )
        event.listen(engine, "checkin", _mark_idle)
        event.listen(engine, "checkout", _ping_if_idle)
        return engine
    raise ConfigError(
        f"unsupported cases database `{parsed.get_backend_name()}`",
    )


IDLE_PING_SECONDS = 10.0


def _mark_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    since = record.info.get("idle_since")
    if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
        return
    try:
        cur = dbapi_connection.cursor()
        cur.execute("SELECT 1")
        cur.close()
        dbapi_connection.rollback()  # no transaction left open: the session may want autocommit
    except Exception as exc:
        raise DisconnectionError() from exc  # the pool opens a new connection


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # autocommit at the driver level: SQLAlchemy's "begin" event issues BEGIN IMMEDIATE
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "corridor.cases:migrations")
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (Alembic), in one transaction."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return str(row[0]) if row else None


class WriterLock:
    """One SQLite writer at a time, queued here rather than in SQLite's busy handler.

    Every SQLite transaction takes the write lock at BEGIN. Threads (and processes:
    the server's workers, the CLI) that find it taken would sleep in SQLite's
    busy handler, in steps growing to 100 ms, which is what made the tail latency
    under load; a thread lock plus ``flock`` on a file beside the database wakes
    the next writer as soon as the previous one commits.
    """

    def __init__(self, path: Path | None) -> None:
        self._thread = threading.Lock()
        self._file: IO[bytes] | None = None
        if path is not None and fcntl is not None:
            self._file = open(f"{path}.lock", "a+b")  # noqa: SIM115 (held for the engine's life)

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread:
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if self._file is not None:
                    fcntl.flock(self._file, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


class Database:
    """An engine and its session factory; ``session()`` is one transaction."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.pool_size = pool_size
        self.engine = make_engine(url, pool_size=pool_size)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.autocommit_sessions = self.sessions
        if self.engine.dialect.name == "postgresql":
            self.autocommit_sessions = sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
            )
        self.writer: WriterLock | None = None
        if self.engine.dialect.name == "sqlite":
            db = self.engine.url.database
            self.writer = WriterLock(Path(db) if db and db != ":memory:" else None)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def require_schema(self) -> None:
        rev = current_revision(self.engine)
        if rev != HEAD:
            raise ConfigError(
                f"the cases database is not initialised (schema {rev or 'absent'}, "
                f"expected {HEAD})",
            )
        from corridor.cases.audit import CHAINS

        with self.engine.connect() as conn:
            heads = conn.exec_driver_sql("SELECT count(*) FROM audit_head").scalar()
        if heads != CHAINS:  # an entry for a chain without a head would not be written
            raise ConfigError(
                f"the cases audit log has {heads} chain heads, expected {CHAINS}: run "
                "`corridor cases audit verify` and restore the database"
            )

    @contextmanager
    def session(self, *, autocommit: bool = False) -> Iterator[Session]:
        """One transaction; ``autocommit`` on PostgreSQL runs each statement as its own
        (no BEGIN and COMMIT round trips) for requests whose writes are one statement
        (see ``registration.register``); SQLite ignores it."""
        if self.writer is None:
            factory = self.autocommit_sessions if autocommit else self.sessions
            with factory() as s, s.begin():
                yield s
            return
        with self.writer.held(), self.sessions() as s, s.begin():
            yield s

    def run(self, work: Callable[[Session], T], *, autocommit: bool = False) -> T:
        """``work(session)`` in :meth:`session`, tried once more if the connection turned
        out dead (a restarted database server); ``work`` must be safe to repeat."""
        try:
            with self.session(autocommit=autocommit) as s:
                return work(s)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        with self.session(autocommit=autocommit) as s:
            return work(s)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.writer is not None:
            self.writer.close()
