"""One opened cases installation: settings, database, keys, rules, limiters."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from sqlalchemy import select

from corridor.cases import audit
from corridor.cases.crypto import Keyring
from corridor.cases.db import Database, migrate
from corridor.cases.models import Office
from corridor.cases.ratelimit import RateLimiter
from corridor.cases.settings import Settings


@dataclass
class Cases:
    settings: Settings
    db: Database
    keys: Keyring
    limiter: RateLimiter = field(default_factory=RateLimiter)

    @classmethod
    def open(cls, settings: Settings, *, pool_size: int = 10) -> Cases:
        """An initialised installation; ``ConfigError`` says to run ``cases init`` otherwise."""
        keys = Keyring.load(settings.keys_path)
        db = Database(settings.db_url, pool_size=pool_size)
        try:
            db.require_schema()
        except Exception:
            db.dispose()
            raise
        return cls(settings, db, keys)

    def close(self) -> None:
        self.db.dispose()


def shipped_offices() -> list[dict[str, Any]]:
    text = (resources.files("corridor.cases") / "rules" / "offices.toml").read_text("utf-8")
    offices: list[dict[str, Any]] = tomllib.loads(text)["office"]
    return offices


@dataclass
class InitResult:
    keys_created: bool
    offices_added: int
    db_url: str


def initialise(settings: Settings) -> InitResult:
    """Create the key file if absent, migrate the schema, and add the example offices."""
    created = False
    if not settings.keys_path.exists():
        Keyring.generate().save(settings.keys_path)
        created = True
    Keyring.load(settings.keys_path)  # a broken file fails here, before any schema change
    db = Database(settings.db_url, pool_size=1)
    try:
        migrate(db.engine)
        added = 0
        with db.session() as s:
            known = set(s.scalars(select(Office.code)))
            for o in shipped_offices():
                if o["code"] not in known:
                    s.add(Office(**o, active=True))
                    added += 1
            audit.record(
                s,
                "cli",
                "cases.init",
                "system",
                "-",
                {"offices_added": added, "keys_created": created},
            )
    finally:
        db.dispose()
    return InitResult(created, added, _redact(settings.db_url))


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
