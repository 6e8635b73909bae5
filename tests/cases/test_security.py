"""Audit chain tampering, plaintext PII at rest, encryption and key rotation, sign-in with
TOTP (replay, lock-out), CSRF with cookies, rate limits and the waiting room."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from corridor.cases import audit
from corridor.cases.crypto import Keyring
from corridor.cases.models import AuditEntry, Person, Registration
from corridor.cases.rotation import rotate
from corridor.cases.runtime import Cases
from corridor.cases.settings import Limits, Settings
from tests.cases.conftest import (
    PASSWORD,
    Account,
    add_account,
    make_app,
    make_settings,
    member,
    register,
    registration,
)


@pytest.fixture
def fresh(backend: str, tmp_path: Path) -> Iterator[Cases]:
    """A separate installation: these tests break things on purpose."""
    for settings in make_settings(backend, tmp_path):
        c = Cases.open(settings)
        yield c
        c.close()


def _tamper_chain() -> tuple[str, int]:
    """An entity whose chain is not the one ``cases init`` wrote to: its entries are
    numbered 1, 2, ... in that chain."""
    init_chain = audit.chain_of("system", "-")
    for i in range(100):
        chain = audit.chain_of("registration", f"R-audit-{i}")
        if chain != init_chain:
            return f"R-audit-{i}", chain
    raise AssertionError("every entity in one chain")


def _entries(c: Cases, n: int) -> int:
    """``n`` entries about one entity, in one transaction; returns their chain."""
    entity_id, chain = _tamper_chain()
    with c.db.session() as s:
        for i in range(n):
            audit.record(s, "test", "thing.read", "registration", entity_id, {"i": i})
    return chain


def _unprotect(c: Cases) -> None:
    """What an attacker with database access would do first: drop the triggers."""
    with c.db.engine.begin() as conn:
        if c.db.dialect == "postgresql":
            conn.execute(text("DROP TRIGGER audit_log_no_update ON audit_log"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))


def test_the_audit_log_refuses_updates_and_deletes(fresh: Cases) -> None:
    _entries(fresh, 3)
    for stmt in (
        "UPDATE audit_log SET actor = 'x' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 3",
    ):
        with pytest.raises(DBAPIError, match="append-only"), fresh.db.engine.begin() as conn:
            conn.execute(text(stmt))
    with fresh.db.session() as s:
        assert audit.verify(s).ok


@pytest.mark.parametrize("attack", ["edit", "delete_middle", "truncate", "reorder"])
def test_tampering_is_detected(fresh: Cases, attack: str) -> None:
    chain = _entries(fresh, 6)
    with fresh.db.session() as s:
        before = audit.verify(s)
    assert before.ok and before.entries == 7  # + init
    _unprotect(fresh)
    with fresh.db.engine.begin() as conn:

        def run(sql: str) -> None:
            conn.execute(text(sql + " AND chain = :c"), {"c": chain})

        if attack == "edit":
            run("UPDATE audit_log SET entity_id = 'R99' WHERE seq = 4")
        elif attack == "delete_middle":
            run("DELETE FROM audit_log WHERE seq = 4")
        elif attack == "truncate":
            run("DELETE FROM audit_log WHERE seq = 6")
        else:
            run("UPDATE audit_log SET seq = 100 WHERE seq = 3")
            run("UPDATE audit_log SET seq = 3 WHERE seq = 4")
            run("UPDATE audit_log SET seq = 4 WHERE seq = 100")
    with fresh.db.session() as s:
        v = audit.verify(s)
    assert not v.ok and v.chain == chain
    assert v.seq == {"edit": 4, "delete_middle": 5, "truncate": 5, "reorder": 3}[attack], v


@pytest.mark.parametrize("attack", ["move_to_another_chain", "swap_heads", "forged_chain"])
def test_tampering_across_chains_is_detected(fresh: Cases, attack: str) -> None:
    chain = _entries(fresh, 3)
    other = 1 + chain % audit.CHAINS
    _unprotect(fresh)
    with fresh.db.engine.begin() as conn:
        if attack == "move_to_another_chain":  # the last entry, head rows fixed up to match
            conn.execute(
                text("UPDATE audit_log SET chain = :o, seq = 1 WHERE chain = :c AND seq = 3"),
                {"o": other, "c": chain},
            )
            conn.execute(
                text(
                    "UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit_log "
                    "WHERE chain = :o AND seq = 1) WHERE id = :o"
                ),
                {"o": other},
            )
        elif attack == "swap_heads":
            conn.execute(text("UPDATE audit_head SET hash = :h WHERE id = :o"), {
                "h": "f" * 64, "o": other})  # fmt: skip
        else:  # entries under a chain number that has no head row
            conn.execute(text("UPDATE audit_log SET chain = 99 WHERE chain = :c"), {"c": chain})
    with fresh.db.session() as s:
        v = audit.verify(s)
    assert not v.ok, v


def test_concurrent_requests_append_to_every_chain(fresh: Cases) -> None:
    """Threads each committing entries about many entities (single and several per
    transaction): every chain stays whole."""
    from concurrent.futures import ThreadPoolExecutor

    def work(t: int) -> None:
        for i in range(10):
            with fresh.db.session() as s:
                audit.record(s, "test", "thing.read", "registration", f"T{t}-{i}")
            with fresh.db.session() as s:
                for j in range(3):
                    audit.record(s, "test", "thing.write", "registration", f"T{t}-{i}-{j}")

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(work, range(6)))
    with fresh.db.session() as s:
        v = audit.verify(s)
        chains = s.scalar(text("SELECT count(DISTINCT chain) FROM audit_log"))
    assert v.ok and v.entries == 1 + 6 * 10 * 4, v
    assert chains == audit.CHAINS


def test_several_entries_need_a_transaction(fresh: Cases, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite sessions always take the write lock first")
    with pytest.raises(RuntimeError, match="autocommit"), fresh.db.session(autocommit=True) as s:
        audit.record(s, "test", "thing.read", "registration", "A")
        audit.record(s, "test", "thing.read", "registration", "B")
    with fresh.db.session(autocommit=True) as s:  # one entry: one statement
        audit.record(s, "test", "thing.read", "registration", "A")
    with fresh.db.session() as s:
        v = audit.verify(s)
    assert v.ok and v.entries == 2, v


def test_audit_verify_cli_exits_1_on_tampering(
    fresh: Cases, backend: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from corridor.cli.main import main

    _unprotect(fresh)
    with fresh.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'someone else' WHERE seq = 1"))
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "corridor",
            "cases",
            "audit",
            "verify",
            "--db",
            fresh.settings.db_url,
            "--keys",
            str(fresh.settings.keys_path),
        ],
    )
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 1
    err = capsys.readouterr().err
    chain = audit.chain_of("system", "-")  # where `cases init` wrote its entry
    assert f"audit log broken at chain {chain} entry 1: entry altered" in err


def test_no_plaintext_pii_in_the_database(
    client: TestClient, cases: Cases, backend: str, settings: Settings
) -> None:
    name, surname = f"Zoraida{secrets.token_hex(3)}", f"Quintero{secrets.token_hex(3)}"
    doc, phone = f"V{secrets.randbelow(10**9):09d}", "+57 311 9876543"
    register(
        client,
        registration(
            contact_phone=phone,
            contact_email="zq@example.org",
            members=[
                member(
                    given_names=name,
                    surnames=surname,
                    doc_number=doc,
                    dob="1977-11-23",
                    arrival_date="2021-09-17",
                )
            ],
        ),
    )
    needles = [name, surname, doc, "9876543", "zq@example.org", "1977-11-23", "2021-09-17"]
    if backend == "sqlite":
        path = Path(settings.db_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for n in needles:
            assert n.encode() not in raw, n
            assert n.encode("utf-16-le") not in raw, n
    # every text column of every table, on either backend
    with cases.db.engine.connect() as conn:
        for table in ("registrations", "persons", "outbox", "audit_log", "screenings"):
            dump = " ".join(str(row) for row in conn.execute(text(f"SELECT * FROM {table}")))
            for n in needles:
                assert n not in dump, (table, n)


def test_ciphertexts_are_bound_to_their_field(cases: Cases) -> None:
    token = cases.keys.encrypt("Pérez", "surnames")
    assert token is not None and "Pérez" not in token
    assert cases.keys.decrypt(token, "surnames") == "Pérez"
    from cryptography.exceptions import InvalidTag

    with pytest.raises(InvalidTag):
        cases.keys.decrypt(token, "given_names")  # moved into another column
    assert cases.keys.encrypt("Pérez", "surnames") != token  # fresh nonce each time


def test_blind_indexes_fold_case_accents_and_spaces(cases: Cases) -> None:
    k = cases.keys
    assert k.blind_index("José  PÉREZ", "x") == k.blind_index("jose perez", "x")
    assert k.blind_index("jose perez", "x") != k.blind_index("jose perez", "y")
    assert Keyring.generate().blind_index("jose", "x") != k.blind_index("jose", "x")


def test_key_rotation_reencrypts_every_field_and_retires_the_old_key(
    fresh: Cases, tmp_path: Path
) -> None:
    app = make_app(fresh.settings, tmp_path / "store.duckdb")
    with TestClient(app, base_url="https://testserver") as c:
        out = register(c, registration(contact_phone="+57 300 0000001"))
    add_account(fresh, "rot", "caseworker", "COL-BOG", None)
    old = fresh.keys.active
    kid, n = rotate(fresh)
    assert kid != old and n >= 8  # 5 person fields, phone, token, totp secret, outbox
    ring = Keyring.load(fresh.settings.keys_path)
    assert list(ring.data_keys) == [kid]
    with fresh.db.session() as s:
        p = s.scalars(select(Person)).first()
        assert p is not None and p.surnames_enc is not None
        assert p.surnames_enc.startswith(f"{kid}.")
        assert ring.decrypt(p.surnames_enc, "surnames") == "Pérez Gómez"
        reg = s.scalar(select(Registration).where(Registration.reference == out["reference"]))
        assert (
            reg is not None
            and ring.decrypt(reg.status_token_enc, "status_token") == out["status_token"]
        )


# --- sign-in -----------------------------------------------------------------------------


def _login(c: TestClient, acct: Account, code: str | None = None, password: str = PASSWORD) -> Any:
    return c.post(
        "/api/v1/auth/login",
        json={"email": acct.email, "password": password, "totp": code or acct.code()},
    )


def test_login_needs_password_and_a_fresh_totp_code(client: TestClient, cases: Cases) -> None:
    acct = add_account(cases, "login", "caseworker", "COL-BOG", None)
    assert _login(client, acct, password="wrong password!").status_code == 401
    assert (
        _login(client, acct, code="000000" if acct.code() != "000000" else "111111").status_code
        == 401
    )
    ok = _login(client, acct)
    assert ok.status_code == 200, ok.text
    assert ok.json()["role"] == "caseworker" and ok.json()["office"] == "COL-BOG"
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    # the same code again is a replay
    replay = _login(client, acct, code=acct.code())
    assert replay.status_code == 401
    client.cookies.clear()


def test_unknown_accounts_get_the_same_answer(client: TestClient) -> None:
    ghost = Account("ghost@example.org", "admin", None, None, pyotp.random_base32())
    r = _login(client, ghost)
    assert r.status_code == 401 and r.json()["error"] == "wrong e-mail, password or code"


def test_repeated_failures_lock_the_account(client: TestClient, cases: Cases) -> None:
    acct = add_account(cases, "lock", "caseworker", "COL-BOG", None)
    for _ in range(5):
        assert _login(client, acct, password="not the password").status_code == 401
    locked = _login(client, acct)
    assert locked.status_code == 401 and "locked" in locked.json()["error"]


def test_cookie_sessions_need_the_csrf_token_for_writes(client: TestClient, cases: Cases) -> None:
    acct = add_account(cases, "csrf", "caseworker", "COL-BOG", None)
    ok = _login(client, acct)
    csrf = ok.json()["csrf_token"]
    ref = register(client)["reference"]
    assert client.get(f"/api/v1/cases/{ref}").status_code == 200  # reads: cookie is enough
    path = f"/api/v1/cases/{ref}/interviews"
    assert client.post(path, json={"outcome": "no_show"}).status_code == 403
    assert (
        client.post(
            path, json={"outcome": "no_show"}, headers={"X-CSRF-Token": "forged"}
        ).status_code
        == 403
    )
    assert (
        client.post(path, json={"outcome": "no_show"}, headers={"X-CSRF-Token": csrf}).status_code
        == 201
    )
    client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert client.get(f"/api/v1/cases/{ref}").status_code == 401
    client.cookies.clear()


# --- limits ------------------------------------------------------------------------------


def _client(backend: str, tmp_path: Path, limits: Limits) -> Iterator[TestClient]:
    for settings in make_settings(backend, tmp_path, limits):
        app = make_app(settings, tmp_path / "store.duckdb")
        with TestClient(app, base_url="https://testserver") as c:
            yield c


@pytest.fixture
def full(backend: str, tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(backend, tmp_path, Limits(max_inflight=0))


@pytest.fixture
def tight(backend: str, tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(backend, tmp_path, Limits(register_per_minute=3, status_failures_per_hour=3))


def test_the_waiting_room_answers_503_with_retry_after(full: TestClient) -> None:
    r = full.post(
        "/api/v1/registrations",
        json=registration(),
        headers={"Idempotency-Key": secrets.token_urlsafe(16)},
    )
    assert r.status_code == 503
    assert r.headers["retry-after"] == "5" and "waiting room" in r.json()["error"]


def test_rate_limits(tight: TestClient) -> None:
    codes = [
        tight.post(
            "/api/v1/registrations",
            json=registration(),
            headers={"Idempotency-Key": secrets.token_urlsafe(16)},
        ).status_code
        for _ in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    guesses = [
        tight.get(
            "/api/v1/registrations/COL-0000-0000", headers={"X-Status-Token": "A" * 20}
        ).status_code
        for _ in range(4)
    ]
    assert guesses == [404, 404, 404, 429]


def test_entries_are_chained_at_commit_in_order_and_dropped_on_rollback(fresh: Cases) -> None:
    with fresh.db.session() as s:
        start = audit.verify(s).entries
    chain = _entries(fresh, 3)  # one transaction, three entries
    try:
        with fresh.db.session() as s:
            audit.record(s, "test", "thing.write", "registration", "R-gone")
            raise RuntimeError("the request failed")
    except RuntimeError:
        pass
    with fresh.db.session() as s:
        check = audit.verify(s)
        rows = s.execute(
            select(AuditEntry.seq, AuditEntry.detail)
            .where(AuditEntry.chain == chain)
            .order_by(AuditEntry.seq)
        ).all()
        gone = s.scalar(text("SELECT count(*) FROM audit_log WHERE entity_id = 'R-gone'"))
    assert check.ok and check.entries == start + 3 and gone == 0
    assert [(r.seq, r.detail["i"]) for r in rows] == [(1, 0), (2, 1), (3, 2)]
