"""Registration over the REST API: idempotent, screened, duplicate-flagged, and the
applicant's own status by reference plus a secret header."""

from __future__ import annotations

import secrets
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from corridor.cases.models import Registration
from corridor.cases.runtime import Cases
from tests.cases.conftest import OWN, member, register, registration


def post(client: TestClient, body: dict[str, Any], key: str | None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/registrations", json=body, headers=headers)


def count(cases: Cases) -> int:
    with cases.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Registration)) or 0)


def test_registration_answers_a_reference_and_a_secret(client: TestClient) -> None:
    out = register(client)
    assert out["reference"].startswith("COL-")
    assert len(out["status_token"]) == 24
    assert out["status"] == "eligible" and out["eligible"] is True
    assert out["replayed"] is False


def test_a_retry_returns_the_first_answer_and_creates_nothing(
    client: TestClient, cases: Cases
) -> None:
    body, key = registration(), secrets.token_urlsafe(16)
    first = post(client, body, key)
    before = count(cases)
    again = post(client, body, key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reference"] == first.json()["reference"]
    assert again.json()["status_token"] == first.json()["status_token"]
    assert again.json()["replayed"] is True
    assert count(cases) == before


def test_submission_id_in_the_body_works_like_the_header(client: TestClient) -> None:
    body = registration(submission_id=secrets.token_urlsafe(16))
    a, b = post(client, body, None), post(client, body, None)
    assert (a.status_code, b.status_code) == (201, 200)
    assert a.json()["reference"] == b.json()["reference"]


def test_the_same_key_with_another_body_is_a_conflict(client: TestClient) -> None:
    key = secrets.token_urlsafe(16)
    assert post(client, registration(), key).status_code == 201
    other = registration(members=[member(given_names="Otra")])
    r = post(client, other, key)
    assert r.status_code == 409
    assert "different registration" in r.json()["error"]


def test_a_submission_without_a_key_is_refused(client: TestClient) -> None:
    r = post(client, registration(), None)
    assert r.status_code == 422
    assert "Idempotency-Key" in r.json()["error"]


def test_concurrent_retries_register_once(client: TestClient, cases: Cases) -> None:
    body, key = registration(), secrets.token_urlsafe(16)
    before = count(cases)
    answers: list[Any] = []

    def send() -> None:
        answers.append(post(client, body, key))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers) == [200] * 5 + [201]
    assert len({a.json()["reference"] for a in answers}) == 1
    assert count(cases) == before + 1


def test_invalid_bodies_name_the_field(client: TestClient) -> None:
    bad = registration(members=[member(nationality="Venezuela")])
    r = post(client, bad, secrets.token_urlsafe(16))
    assert r.status_code == 400
    assert "members.0.nationality" in r.json()["error"]
    r = post(client, registration(consent=False), secrets.token_urlsafe(16))
    assert r.status_code == 400 and "consent" in r.json()["error"]
    r = post(client, registration(office="ZZZ-ZZZ"), secrets.token_urlsafe(16))
    assert r.status_code == 422 and "ZZZ-ZZZ" in r.json()["error"]


def test_an_ineligible_household_is_registered_and_told(client: TestClient) -> None:
    out = register(client, registration(members=[member(nationality="PER")]))
    assert out["status"] == "ineligible" and out["eligible"] is False


def test_status_needs_the_secret_in_a_header(client: TestClient) -> None:
    out = register(client)
    ref, token = out["reference"], out["status_token"]
    ok = client.get(f"/api/v1/registrations/{ref}", headers={"X-Status-Token": token})
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "eligible" and body["next_step"] == "wait_appointment"
    assert body["appointment"] is None and body["referrals"] == []
    assert "María" not in ok.text
    assert ok.headers["cache-control"] == "no-store"
    # lower case and without dashes is the same secret
    loose = token.replace("-", "").lower()
    assert (
        client.get(f"/api/v1/registrations/{ref}", headers={"X-Status-Token": loose}).status_code
        == 200
    )
    # never from the query string
    assert client.get(f"/api/v1/registrations/{ref}?token={token}").status_code == 400


def test_a_wrong_secret_or_reference_gives_the_same_answer(client: TestClient) -> None:
    out = register(client)
    wrong_token = client.get(
        f"/api/v1/registrations/{out['reference']}",
        headers={"X-Status-Token": "AAAA-BBBB-CCCC-DDDD-EEEE"},
    )
    wrong_ref = client.get(
        "/api/v1/registrations/COL-0000-0000", headers={"X-Status-Token": out["status_token"]}
    )
    assert wrong_token.status_code == wrong_ref.status_code == 404
    assert wrong_token.json() == wrong_ref.json()


def test_status_answers_are_never_served_from_the_cache(client: TestClient) -> None:
    out = register(client)
    url = f"/api/v1/registrations/{out['reference']}"
    assert client.get(url, headers={"X-Status-Token": out["status_token"]}).status_code == 200
    # same path, wrong secret: the API's response cache must not answer it
    assert client.get(url, headers={"X-Status-Token": "X" * 20}).status_code == 404


def test_duplicates_are_flagged_by_name_date_or_document(client: TestClient, cases: Cases) -> None:
    first = register(
        client,
        registration(
            members=[
                member(
                    given_names="Yolanda", surnames="Rivas Mora", dob="1985-02-07", doc_number="X1"
                )
            ]
        ),
    )
    # same person: names in another order and case, day and month swapped, no document
    second = register(
        client,
        registration(
            members=[
                member(
                    given_names="RIVAS MORA",
                    surnames="yolanda",
                    dob="1985-07-02",
                    doc_type="none",
                    doc_number=None,
                )
            ]
        ),
    )
    # same passport, other name
    third = register(
        client, registration(members=[member(given_names="Ana", surnames="B", doc_number="X1")])
    )
    # a nickname and the particles of a compound surname
    fourth = register(
        client,
        registration(
            members=[
                member(
                    given_names="Pepe",
                    surnames="Ramírez de la Cruz",
                    dob="1979-12-30",
                    doc_number="Y1",
                )
            ]
        ),
    )
    fifth = register(
        client,
        registration(
            members=[
                member(
                    given_names="José", surnames="Ramirez Cruz", dob="1979-12-30", doc_number="Y2"
                )
            ]
        ),
    )
    with cases.db.session() as s:
        dup = s.scalar(
            select(Registration.duplicate_of).where(Registration.reference == fifth["reference"])
        )
        assert dup == [fourth["reference"]]
    with cases.db.session() as s:
        regs = {
            r.reference: r
            for r in s.scalars(
                select(Registration).where(
                    Registration.reference.in_(
                        [first["reference"], second["reference"], third["reference"]]
                    )
                )
            )
        }
        assert regs[first["reference"]].duplicate_of is None
        assert regs[second["reference"]].duplicate_of == [first["reference"]]
        assert first["reference"] in (regs[third["reference"]].duplicate_of or [])


def test_applicants_can_export_and_withdraw_their_own_data(client: TestClient) -> None:
    out = register(client, registration(contact_phone="+57 300 1234567"))
    ref, hdr = out["reference"], {"X-Status-Token": out["status_token"]}
    exported = client.get(f"/api/v1/registrations/{ref}/export", headers=hdr)
    assert exported.status_code == 200
    data = exported.json()["data"]
    assert data["members"][0]["given_names"] == "María José"
    assert data["contact_phone"] == "+57 300 1234567"
    assert client.delete(f"/api/v1/registrations/{ref}", headers=hdr).status_code == 204
    # the secret no longer opens anything
    assert client.get(f"/api/v1/registrations/{ref}", headers=hdr).status_code == 404


def test_the_office_must_exist_and_lives_in_the_body(client: TestClient) -> None:
    out = register(
        client,
        registration(
            office="ECU-UIO", members=[member(nationality="COL", arrival_date="2023-10-18")]
        ),
    )
    assert out["reference"].startswith("ECU-") and out["eligible"] is True
    assert OWN == "COL-BOG"


def test_openapi_documents_the_cases_endpoints(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/registrations", "post"),
        ("/api/v1/registrations/{reference}", "get"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/cases/{reference}", "get"),
        ("/api/v1/cases", "get"),
        ("/api/v1/referrals/{referral_id}/transitions", "post"),
        ("/api/v1/offices/{office}/appointments", "post"),
        ("/api/v1/audit/verify", "get"),
    ]:
        assert method in paths[path], path
    schemas = spec["components"]["schemas"]
    for name in (
        "RegistrationIn",
        "RegistrationCreated",
        "RegistrationStatus",
        "LoginIn",
        "CaseOut",
        "ReferralOut",
    ):
        assert name in schemas
    params = paths["/api/v1/registrations/{reference}"]["get"]["parameters"]
    assert {"name": "X-Status-Token", "in": "header"}.items() <= params[1].items()


def test_a_reference_drawn_twice_is_drawn_again(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corridor.cases import registration as reg_module

    first = register(client)["reference"]
    draws = iter([first, "COL-ZZZZ-" + secrets.token_hex(2).upper()])
    monkeypatch.setattr(reg_module, "new_reference", lambda country: next(draws))
    second = register(client)
    assert second["reference"] != first and second["reference"].startswith("COL-ZZZZ-")


def test_connections_killed_by_a_server_restart_cost_no_public_request(
    client: TestClient, cases: Cases, backend: str
) -> None:
    """The pool does not ping every connection it hands out (a round trip per request):
    a registration or status check that meets a dead one is run again on a new one."""
    if backend != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    from sqlalchemy import text

    out = register(client)
    with cases.db.engine.connect() as conn:  # what a restart does to every other session
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    status = client.get(
        f"/api/v1/registrations/{out['reference']}", headers={"X-Status-Token": out["status_token"]}
    )
    assert status.status_code == 200, status.text
    assert register(client)["reference"] != out["reference"]
    cases.db.engine.dispose()  # this fixture's own pooled connections died too


def test_idle_connections_are_pinged_before_use(
    cases: Cases, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    from sqlalchemy import create_engine, text

    from corridor.cases import db as db_module

    monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.0)
    cases.db.engine.dispose()
    with cases.db.session() as s:  # the pool's one connection, idle afterwards
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar()
    admin = create_engine(cases.db.engine.url)
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    admin.dispose()
    with cases.db.session() as s:  # pinged, found dead, replaced: no error
        assert s.execute(text("SELECT pg_backend_pid()")).scalar() != pid


def test_a_status_check_is_audited_and_a_wrong_secret_leaves_no_entry(
    client: TestClient, cases: Cases
) -> None:
    """On PostgreSQL the read and its audit entry are one statement: the entry must be
    written exactly when the registration was found."""
    from corridor.cases import audit
    from corridor.cases.models import AuditEntry

    out = register(client)
    url = f"/api/v1/registrations/{out['reference']}"

    def reads() -> int:
        with cases.db.session() as s:
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(
                        AuditEntry.action == "registration.status",
                        AuditEntry.entity_id == out["reference"],
                    )
                )
                or 0
            )

    wrong = "A" * 20 if out["status_token"][0] != "A" else "B" * 20
    assert client.get(url, headers={"X-Status-Token": wrong}).status_code == 404
    assert reads() == 0
    assert client.get(url, headers={"X-Status-Token": out["status_token"]}).status_code == 200
    assert reads() == 1
    with cases.db.session() as s:
        assert audit.verify(s).ok


def test_the_postgresql_statements_stay_within_psycopgs_parse_cache() -> None:
    """psycopg parses a statement once only while it has at most 50 parameters: one more
    made every registration parse its statement again."""
    from corridor.cases import pg_registration

    for statement in (pg_registration._STATEMENT, pg_registration._STATUS):
        assert len(statement._bindparams) <= pg_registration.MAX_PARAMS
