"""Near duplicates: Fellegi-Sunter scoring of people (table-driven), candidates found by blind
index only, households, what caseworkers see, and no plaintext at rest; both backends."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from corridor.cases import near_duplicates, retention
from corridor.cases.models import AuditEntry, Person, Registration
from corridor.cases.near_duplicates import FLAG_AT, Who, edits, jaro_winkler, score
from corridor.cases.runtime import Cases
from corridor.cases.settings import Settings
from tests.cases.conftest import OTHER, member, register, registration

BORN = date(1990, 3, 4)


class V(NamedTuple):
    """A registered person's fields as the applicant types them."""

    given: str
    surnames: str
    dob: date
    sex: str
    nationality: str
    doc_type: str = "none"
    doc_number: str | None = None

    def who(self) -> Who:
        return Who.of(*self)

    def body(self) -> dict[str, Any]:
        return member(
            given_names=self.given, surnames=self.surnames, dob=self.dob.isoformat(),
            sex=self.sex, nationality=self.nationality, doc_type=self.doc_type,
            doc_number=self.doc_number,
        )  # fmt: skip


BASE_V = V("María José", "Pérez Gómez", BORN, "F", "VEN", "passport", "P1234567")
BASE = BASE_V.who()
# case -> (other record, flagged?, a reason the caseworker is shown)
NEAR: dict[str, tuple[V, bool, str]] = {
    "typo in the surname": (
        V("María José", "Peres Gómez", BORN, "F", "VEN"),
        True,
        "surname one edit",
    ),
    "accents and case": (
        V("MARIA JOSE", "PEREZ GOMEZ", BORN, "F", "VEN"),
        True,
        "same given names",
    ),
    "second given name left out": (
        V("María", "Pérez Gómez", BORN, "F", "VEN"),
        True,
        "first given name or nickname equal",
    ),
    "nickname": (
        V("Mari", "Pérez Gómez", BORN, "F", "VEN"),
        True,
        "first given name or nickname equal",
    ),
    "given names and surnames swapped": (
        V("Pérez Gómez", "María José", BORN, "F", "VEN"),
        True,
        "given name and surname swapped",
    ),
    "second surname left out": (
        V("María José", "Pérez", BORN, "F", "VEN"),
        True,
        "same surname",
    ),
    "surname particle": (
        V("María José", "de Pérez Gómez", BORN, "F", "VEN"),
        True,
        "same surname",
    ),
    "day and month swapped": (
        V("María José", "Pérez Gómez", date(1990, 4, 3), "F", "VEN"),
        True,
        "dob day and month swapped",
    ),
    "one digit of the year": (
        V("María José", "Pérez Gómez", date(1991, 3, 4), "F", "VEN"),
        True,
        "dob one digit differs",
    ),
    "adjacent digits transposed": (
        V("María José", "Pérez Gómez", date(1990, 3, 14), "F", "VEN"),
        True,
        "dob one digit differs",
    ),
    "same document, names mistyped": (
        V("Maria Hose", "Peres Gomes", BORN, "F", "VEN", "passport", "P1234567"),
        True,
        "same document",
    ),
    "same name, another date of birth": (
        V("María José", "Pérez Gómez", date(1985, 7, 21), "F", "VEN"),
        False,
        "dob differs",
    ),
    "same name, born a year later": (
        V("María José", "Pérez Gómez", date(1991, 8, 21), "F", "VEN"),
        False,
        "dob year within one",
    ),
    "another person": (
        V("Carlos", "Rodríguez", date(1975, 1, 9), "M", "VEN"),
        False,
        "given names differ",
    ),
}


@pytest.mark.parametrize("case", list(NEAR))
def test_near_duplicates_are_scored_with_their_reasons(case: str) -> None:
    other, flagged, reason = NEAR[case]
    s = score(BASE, other.who())
    assert (s.probability >= FLAG_AT) is flagged, (s.probability, s.levels)
    assert reason in s.reasons()
    assert score(other.who(), BASE).probability == pytest.approx(s.probability)  # symmetric


def test_nicknames_and_swapped_names() -> None:
    jose = Who.of("José", "Ramírez", BORN, "M", "VEN")
    pepe = score(jose, Who.of("Pepe", "Ramírez", BORN, "M", "VEN"))
    assert pepe.probability >= FLAG_AT
    assert "first given name or nickname equal" in pepe.reasons()
    swapped = score(
        Who.of("María", "Pérez", BORN, "F", "VEN"), Who.of("Pérez", "María", BORN, "F", "VEN")
    )
    assert swapped.probability >= FLAG_AT
    assert swapped.levels["given"] == "swapped" and "surname" not in swapped.levels


def test_a_different_document_lowers_the_probability_but_still_flags() -> None:
    same_doc = score(
        BASE, Who.of("María José", "Pérez Gómez", BORN, "F", "VEN", "passport", "P1234567")
    )
    other_doc = score(
        BASE, Who.of("María José", "Pérez Gómez", BORN, "F", "VEN", "passport", "P7654000")
    )
    assert FLAG_AT <= other_doc.probability < 0.99 < same_doc.probability
    assert "different document" in other_doc.reasons()
    # a national id and a passport number are not compared at all
    cedula = score(BASE, Who.of("María José", "Pérez Gómez", BORN, "F", "VEN", "national_id", "1"))
    assert "document" not in cedula.levels


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("martha", "marhta", 0.961), ("dwayne", "duane", 0.84), ("dixon", "dicksonx", 0.813),
     ("abc", "abc", 1.0), ("abc", "", 0.0), ("abc", "xyz", 0.0)],
)  # fmt: skip
def test_jaro_winkler_matches_the_published_values(a: str, b: str, expected: float) -> None:
    assert jaro_winkler(a, b) == pytest.approx(expected, abs=0.001)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("19900304", "19900340", 1), ("perez", "peres", 1), ("perez", "perez", 0), ("ab", "", 2),
     ("gomez", "gomes z", 2)],
)  # fmt: skip
def test_edits_count_a_transposition_once(a: str, b: str, expected: int) -> None:
    assert edits(a, b) == expected


# -- on the database, through the API ---------------------------------------------------


def unique(stem: str) -> str:
    """A surname no other test of this module registers (letters only)."""
    return stem + "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(6))


def person(given: str, surnames: str, dob: str, **kw: Any) -> dict[str, Any]:
    """A member without a document unless one is given (two random passport numbers would
    count against the match)."""
    kw = {"doc_type": "none", "doc_number": None, **kw}
    return member(given_names=given, surnames=surnames, dob=dob, **kw)


def read(client: TestClient, headers: dict[str, str], reference: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/cases/{reference}", headers=headers)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_a_caseworker_sees_near_duplicates_with_reasons(
    client: TestClient, tokens: dict[str, dict[str, str]], cases: Cases
) -> None:
    surname = unique("Castañeda")
    first = register(
        client, registration(members=[person("Yusmary", f"{surname} Ruiz", "1988-02-07")])
    )
    typo = surname[:-1] + ("a" if surname[-1] != "a" else "e")
    again = register(client, registration(members=[person("Yusmari", typo, "1988-07-02")]))
    stranger = register(
        client, registration(members=[person("Yusmary", f"{surname} Ruiz", "1961-11-30")])
    )
    case = read(client, tokens["caseworker"], again["reference"])
    assert case["duplicate_of"] == []  # not an exact duplicate
    [near] = case["near_duplicates"]
    assert near["reference"] == first["reference"] and near["p"] >= FLAG_AT
    assert near["people"][0]["reasons"] == [
        "given name one edit",
        "surname one edit",
        "dob day and month swapped",
    ]
    assert near["summary"].startswith(f"possible duplicate of {first['reference']}, p=")
    # decrypting the candidates is a read of their data: audited, by whom, with what it found
    with cases.db.session() as s:
        entry = s.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "duplicates.score",
                AuditEntry.entity_id == again["reference"],
            )
        ).one()
        assert entry.actor.startswith("staff:") and entry.detail == {
            "flagged": [first["reference"]]
        }
    # the earlier registration lists the later one too
    back = read(client, tokens["supervisor"], first["reference"])["near_duplicates"]
    assert [e["reference"] for e in back] == [again["reference"]]
    # the same name born 27 years earlier is someone else
    assert read(client, tokens["caseworker"], stranger["reference"])["near_duplicates"] == []
    # roles without the duplicate flags see none
    assert read(client, tokens["admin"], again["reference"])["near_duplicates"] == []


def test_household_duplicates(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    surname = unique("Villalobos")
    mother = person("Ana Lucía", f"{surname} Mena", "1984-05-19", sex="F")
    son = person("Jhon", f"{surname} Mena", "2012-10-01", sex="M", relationship="child")
    first = register(client, registration(members=[mother, son]))
    mother2 = person("Ana", f"{surname}", "1984-05-19", sex="F")
    son2 = person("John", f"{surname} Mena", "2012-01-10", sex="M", relationship="child")
    again = register(client, registration(members=[mother2, son2]))
    [near] = read(client, tokens["caseworker"], again["reference"])["near_duplicates"]
    assert near["reference"] == first["reference"]
    assert near["household"] == "2 of 2 members"
    assert sorted((x["member"], x["their_member"]) for x in near["people"]) == [(0, 0), (1, 1)]


def test_the_queue_scores_and_flags(client: TestClient, tokens: dict[str, dict[str, str]]) -> None:
    surname = unique("Bermúdez")
    register(client, registration(members=[person("Wilmer", surname, "1979-12-24", sex="M")]))
    again = register(
        client, registration(members=[person("Wilmer Antonio", surname, "1979-12-24", sex="M")])
    )
    r = client.get("/api/v1/cases?limit=500", headers=tokens["caseworker"])
    assert r.status_code == 200, r.text
    flags = {x["reference"]: x["near_duplicate"] for x in r.json()}
    assert flags[again["reference"]] is not None and flags[again["reference"]] >= FLAG_AT


def test_candidates_stay_within_the_country_for_the_date_of_birth(
    client: TestClient, cases: Cases
) -> None:
    """The dob-alone key is per country: a Costa Rica registration with another surname is
    no candidate for a Colombian one born the same day."""
    dob = "1966-06-16"
    col = register(client, registration(members=[person("Omaira", unique("Zuluaga"), dob)]))
    register(
        client,
        registration(
            office=OTHER, members=[person("Omaira", unique("Zambrano"), dob, nationality="NIC")]
        ),
    )
    with cases.db.session() as s:
        reg = s.scalar(select(Registration).where(Registration.reference == col["reference"]))
        assert reg is not None
        assert near_duplicates.find(s, cases.keys, reg, "COL") == []


def test_erasure_removes_the_keys_and_the_flags(
    client: TestClient, tokens: dict[str, dict[str, str]], cases: Cases
) -> None:
    surname = unique("Ocampo")
    first = register(
        client, registration(members=[person("Deivis", surname, "1993-09-08", sex="M")])
    )
    again = register(
        client, registration(members=[person("Deivys", surname, "1993-09-08", sex="M")])
    )
    assert read(client, tokens["caseworker"], again["reference"])["near_duplicates"]
    with cases.db.session() as s:
        reg = s.scalar(select(Registration).where(Registration.reference == first["reference"]))
        assert reg is not None
        retention.erase(s, reg, "test", "request")
    with cases.db.session() as s:
        reg = s.scalar(select(Registration).where(Registration.reference == first["reference"]))
        assert reg is not None and reg.near_duplicates is None
        assert all(p.dob_block_bidx is None and p.name_block_bidx is None for p in reg.persons)
    assert read(client, tokens["caseworker"], again["reference"])["near_duplicates"] == []


def test_reindex_and_score_pending_fill_rows_written_before_0003(
    client: TestClient, cases: Cases
) -> None:
    surname = unique("Arboleda")
    first = register(
        client, registration(members=[person("Keiner", surname, "2001-04-30", sex="M")])
    )
    again = register(
        client, registration(members=[person("Keyner", surname, "2001-04-30", sex="M")])
    )
    with cases.db.session() as s:
        ids = list(
            s.scalars(
                select(Registration.id).where(
                    Registration.reference.in_([first["reference"], again["reference"]])
                )
            )
        )
        before = {
            p.id: (p.dob_block_bidx, p.year_surname_bidx, p.name_block_bidx)
            for p in s.scalars(select(Person).where(Person.registration_id.in_(ids)))
        }
        # as the migration leaves them
        s.execute(
            update(Person)
            .where(Person.registration_id.in_(ids))
            .values(dob_block_bidx=None, year_surname_bidx=None, name_block_bidx=None)
        )
    with cases.db.session() as s:
        assert near_duplicates.reindex(s, cases.keys) >= 2
    with cases.db.session() as s:
        after = {
            p.id: (p.dob_block_bidx, p.year_surname_bidx, p.name_block_bidx)
            for p in s.scalars(select(Person).where(Person.registration_id.in_(ids)))
        }
        assert after == before and all(all(v) for v in after.values())
        assert near_duplicates.score_pending(s, cases.keys) >= 1
    with cases.db.session() as s:
        reg = s.scalar(select(Registration).where(Registration.reference == again["reference"]))
        assert reg is not None and reg.near_scored_at is not None
        assert [e["reference"] for e in reg.near_duplicates or []] == [first["reference"]]


def test_no_plaintext_pii_after_scoring(
    client: TestClient,
    tokens: dict[str, dict[str, str]],
    cases: Cases,
    backend: str,
    settings: Settings,
) -> None:
    given, surname = f"Yorleidis{secrets.token_hex(3)}", unique("Quiñónez")
    register(client, registration(members=[person(given, surname, "1970-01-31", sex="F")]))
    again = register(
        client, registration(members=[person(given, surname + "s", "1970-01-31", sex="F")])
    )
    assert read(client, tokens["caseworker"], again["reference"])["near_duplicates"]
    needles = [given, surname, "1970-01-31", "1970|", surname[:3].lower() + "|"]
    if backend == "sqlite":
        path = Path(settings.db_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for n in needles[:3]:
            assert n.encode() not in raw, n
    with cases.db.engine.connect() as conn:
        for table in ("registrations", "persons", "audit_log"):
            dump = " ".join(str(row) for row in conn.execute(text(f"SELECT * FROM {table}")))
            for n in needles:
                assert n not in dump, (table, n)


def test_upgrade_to_0003_then_reindex_and_duplicates_commands(
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Rows written at 0002 get no blocking keys from the migration (it has no key file):
    ``corridor cases reindex`` computes them, ``corridor cases duplicates`` scores."""
    from corridor.cases import registration as registration_module
    from corridor.cases.db import migrate
    from corridor.cases.schemas import RegistrationIn
    from corridor.cli.main import main
    from tests.cases.conftest import TODAY, make_settings
    from tests.cases.test_migrations import _downgrade

    for settings in make_settings(backend, tmp_path):
        cases = Cases.open(settings)
        try:
            surname = unique("Montaño")
            refs = []
            for given in ("Leidy Johana", "Leidy"):
                body = RegistrationIn(
                    **registration(members=[person(given, surname, "1995-10-02", sex="F")])
                )
                with cases.db.session() as s:
                    refs.append(
                        registration_module.register(
                            s, cases.keys, body, secrets.token_hex(8), TODAY
                        ).reference
                    )
            _downgrade(cases.db, "0002")
            migrate(cases.db.engine)
            with cases.db.session() as s:
                assert all(p.dob_block_bidx is None for p in s.scalars(select(Person)))
            outs = []
            for command in ("reindex", "duplicates"):
                argv = ["corridor", "cases", command, "--db", settings.db_url]
                argv += ["--keys", str(settings.keys_path)]
                monkeypatch.setattr("sys.argv", argv)
                capsys.readouterr()
                try:
                    main()
                except SystemExit as exc:
                    assert not exc.code
                outs.append(capsys.readouterr().out)
            assert outs == ["2 people indexed\n", "2 registrations scored for near duplicates\n"]
            with cases.db.session() as s:
                regs = {
                    r.reference: r
                    for r in s.scalars(select(Registration).where(Registration.reference.in_(refs)))
                }
                assert [e["reference"] for e in regs[refs[1]].near_duplicates or []] == [refs[0]]
                assert [e["reference"] for e in regs[refs[0]].near_duplicates or []] == [refs[1]]
        finally:
            cases.close()


def test_the_staff_pages_show_near_duplicates(app: Any, client: TestClient) -> None:
    from tests.cases.conftest import add_account
    from tests.cases.test_pages import staff_login

    surname = unique("Guerrero")
    first = register(client, registration(members=[person("Nairobis", surname, "1983-03-15")]))
    again = register(client, registration(members=[person("Nairobi", surname, "1983-03-15")]))
    with TestClient(app, base_url="https://testserver", headers={"Accept-Language": "en"}) as c:
        staff_login(
            c, add_account(app.state.cases_runtime, "nearpages", "caseworker", "COL-BOG", None)
        )
        queue = c.get("/cases/staff/queue")
        assert queue.status_code == 200
        row = next(line for line in queue.text.splitlines() if again["reference"] in line)
        assert 'title="possible duplicate, p=' in row
        case = c.get(f"/cases/staff/case/{again['reference']}")
        assert case.status_code == 200
        assert f"possible duplicate of {first['reference']}, p=" in case.text
        assert "never merged automatically" in case.text


@pytest.mark.parametrize("case", list(NEAR))
def test_the_table_through_registration_candidates_and_scoring(
    case: str, client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    """Each case of the table registered after the base: found by blind index and flagged
    exactly when its score says so."""
    other, flagged, _ = NEAR[case]
    base = register(client, registration(members=[BASE_V.body()]))
    again = register(client, registration(members=[other.body()]))
    near = read(client, tokens["caseworker"], again["reference"])["near_duplicates"]
    assert (base["reference"] in {e["reference"] for e in near}) is flagged, near
