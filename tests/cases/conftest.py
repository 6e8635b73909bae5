"""Installations of the cases module on SQLite and (when a server is given) PostgreSQL,
staff accounts for every role in two offices, and API clients.

PostgreSQL tests read ``CORRIDOR_TEST_PG_URL`` (a role allowed to create databases);
each module gets a fresh database, dropped afterwards. ``.ci/run`` sets it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from corridor.cases import auth
from corridor.cases.auth import create_user
from corridor.cases.runtime import Cases, initialise
from corridor.cases.settings import Limits, Settings

# cheap hashing in tests (the production parameters are argon2-cffi's defaults)
auth.ARGON2.update(time_cost=1, memory_cost=1024, parallelism=1)

PG_ENV = "CORRIDOR_TEST_PG_URL"
OWN, OTHER = "COL-BOG", "CRI-SJO"
PASSWORD = "correct horse battery staple"
# many registrations from one test client: the per-address limit is tested on its own
ROOMY = Limits(register_per_minute=100_000, login_per_minute=1000)


def _pg_database() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (postgresql://user:pw@host/db); "
            ".ci/run starts a server and sets it"
        )
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"corridor_t_{secrets.token_hex(4)}"
    url = make_url(base).set(drivername="postgresql+psycopg")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        # from template0: copying template1 fails while anyone else is connected to it
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
        # a throwaway database: no flush to disk at every commit (the suite's wall time)
        c.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(admin, name)
        admin.dispose()


def _drop(admin: Any, name: str) -> None:
    """DROP ... WITH (FORCE), tried again for a few seconds: it cannot end an autovacuum
    worker that happens to be in the database (those belong to the superuser)."""
    import time

    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    for attempt in range(20):
        try:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == 19:
                raise
            time.sleep(0.5)


def make_settings(backend: str, folder: Path, limits: Limits | None = None) -> Iterator[Settings]:
    if backend == "postgresql":
        for url in _pg_database():
            s = Settings(url, folder / "keys.json", limits or ROOMY, secure_cookies=True)
            initialise(s)
            yield s
    else:
        s = Settings(
            f"sqlite:///{folder / 'cases.sqlite'}",
            folder / "keys.json",
            limits or ROOMY,
            secure_cookies=True,
        )
        initialise(s)
        yield s


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def settings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    yield from make_settings(backend, tmp_path_factory.mktemp(f"cases_{backend}"))


@pytest.fixture(scope="module")
def cases(settings: Settings) -> Iterator[Cases]:
    c = Cases.open(settings)
    yield c
    c.close()


@dataclass
class Account:
    email: str
    role: str
    office: str | None
    country: str | None
    secret: str

    def code(self) -> str:
        return pyotp.TOTP(self.secret).now()


# name -> (role, office, country)
ACCOUNTS: dict[str, tuple[str, str | None, str | None]] = {
    "caseworker": ("caseworker", OWN, None),
    "caseworker_other": ("caseworker", OTHER, None),
    "supervisor": ("supervisor", OWN, None),
    "supervisor_other": ("supervisor", OTHER, None),
    "receiving_officer": ("receiving_officer", None, "USA"),
    "receiving_officer_other": ("receiving_officer", None, "CAN"),
    "analyst": ("analyst", OWN, None),  # scoped to Colombia through the office
    "analyst_other": ("analyst", OTHER, None),
    "admin": ("admin", None, None),
}


def add_account(
    cases: Cases, name: str, role: str, office: str | None, country: str | None
) -> Account:
    email = f"{name}.{secrets.token_hex(3)}@example.org"
    with cases.db.session() as s:
        _user, uri = create_user(
            s, cases.keys, email, PASSWORD, role, office=office, country=country
        )
    secret = pyotp.parse_uri(uri).secret
    return Account(email, role, office, country, secret)


@pytest.fixture(scope="module")
def accounts(cases: Cases) -> dict[str, Account]:
    return {name: add_account(cases, name, *spec) for name, spec in ACCOUNTS.items()}


def make_app(settings: Settings, store: Path) -> Any:
    from corridor.api import create_app

    app = create_app(store)
    app.state.cases_settings = settings
    return app


@pytest.fixture(scope="module")
def app(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    a = make_app(settings, tmp_path_factory.mktemp("store") / "corridor.duckdb")
    yield a
    rt = getattr(a.state, "cases_runtime", None)
    if rt is not None:
        rt.close()


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as c:
        yield c


def login(client: TestClient, acct: Account) -> dict[str, str]:
    """Bearer headers for an account (a fresh TOTP step is waited for if needed)."""
    r = client.post(
        "/api/v1/auth/login", json={"email": acct.email, "password": PASSWORD, "totp": acct.code()}
    )
    assert r.status_code == 200, r.text
    client.cookies.clear()  # the API tests use the bearer token
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture(scope="module")
def tokens(client: TestClient, accounts: dict[str, Account]) -> dict[str, dict[str, str]]:
    return {name: login(client, acct) for name, acct in accounts.items()}


def member(**kw: Any) -> dict[str, Any]:
    base = {
        "given_names": "María José",
        "surnames": "Pérez Gómez",
        "dob": "1990-03-04",
        "sex": "F",
        "nationality": "VEN",
        "arrival_date": "2023-05-01",
        "doc_type": "passport",
        "doc_number": f"P{secrets.randbelow(10**8):08d}",
    }
    base.update(kw)
    return base


def registration(office: str = OWN, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "office": office,
        "lang": "es",
        "consent": True,
        "host_status": "irregular",
        "members": [member()],
    }
    body.update(kw)
    return body


def register(client: TestClient, body: dict[str, Any] | None = None) -> dict[str, Any]:
    r = client.post(
        "/api/v1/registrations",
        json=body or registration(),
        headers={"Idempotency-Key": secrets.token_urlsafe(16)},
    )
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


TODAY = date.today()
