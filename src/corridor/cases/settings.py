"""Where the cases module keeps its database and keys, and its tunable limits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

from corridor.errors import ConfigError

ENV_DB = "CORRIDOR_CASES_DB"
ENV_KEYS = "CORRIDOR_CASES_KEYS"
ENV_COOKIE_INSECURE = "CORRIDOR_CASES_INSECURE_COOKIES"
ENV_LIMITS = "CORRIDOR_CASES_LIMITS"  # e.g. "register_per_minute=60,max_inflight=96"


def data_dir() -> Path:
    """The user's data directory for corridor (the same one as the flows store)."""
    return Path(user_data_dir("corridor", appauthor=False))


def default_db_url() -> str:
    return f"sqlite:///{data_dir() / 'cases.sqlite'}"


def resolve_db_url(explicit: str | None = None) -> str:
    """``--db`` wins over ``CORRIDOR_CASES_DB``, which wins over the user data dir.

    A plain path is taken as a SQLite file.
    """
    url = explicit or os.environ.get(ENV_DB) or default_db_url()
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser()}"
    return url


def resolve_keys_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The key file: ``--keys``, ``CORRIDOR_CASES_KEYS``, else beside the database."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_KEYS)
    if env:
        return Path(env).expanduser()
    return data_dir() / "cases-keys.json"


@dataclass
class Limits:
    """Rate limits and admission control; the benchmark raises them, tests lower them."""

    # registrations per client address per minute (a household registers once;
    # a shared phone in a shelter may register a few)
    register_per_minute: int = 20
    # failed status look-ups per reference and per client address per hour
    status_failures_per_hour: int = 10
    login_failures_before_lock: int = 5
    lock_minutes: int = 15
    login_per_minute: int = 10
    # registrations handled at once; beyond this the waiting room answers
    max_inflight: int = 48
    session_minutes: int = 30


def limits_from_env(text: str | None) -> Limits:
    """``Limits`` with the ``name=integer`` pairs of ``$CORRIDOR_CASES_LIMITS`` applied."""
    out = Limits()
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in Limits.__dataclass_fields__ or not value.strip().isdigit():
            known = ", ".join(Limits.__dataclass_fields__)
            raise ConfigError(
                f"{ENV_LIMITS}: `{part.strip()}` is not NAME=INTEGER with NAME one of: {known}"
            )
        setattr(out, name, int(value))
    return out


@dataclass
class Settings:
    db_url: str
    keys_path: Path
    limits: Limits = field(default_factory=Limits)
    secure_cookies: bool = True
    retention_days: int = 730

    @classmethod
    def resolve(
        cls,
        db_url: str | None = None,
        keys_path: str | os.PathLike[str] | None = None,
        limits: Limits | None = None,
    ) -> Settings:
        return cls(
            db_url=resolve_db_url(db_url),
            keys_path=resolve_keys_path(keys_path),
            limits=limits or limits_from_env(os.environ.get(ENV_LIMITS)),
            secure_cookies=os.environ.get(ENV_COOKIE_INSECURE, "") not in ("1", "true"),
        )
