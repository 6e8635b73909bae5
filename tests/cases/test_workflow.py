"""Referral state machines (each pathway), appointments with capacity and an auditable draw,
re-screening, the outbox, retention and erasure, and monthly aggregates into the store."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from corridor.cases import appointments, outbox, referrals, registration, retention
from corridor.cases.errors import Conflict, Forbidden, Invalid
from corridor.cases.models import Appointment, Draw, OutboxMessage, Registration
from corridor.cases.runtime import Cases
from tests.cases.conftest import OTHER, OWN, TODAY, member, register
from tests.cases.conftest import registration as reg_body

OFFICE, RECEIVING = referrals.OFFICE, referrals.RECEIVING

# pathway -> the path to departure, each step with who takes it
HAPPY = {
    "usrap": [
        ("prescreened", OFFICE),
        ("interviewed", RECEIVING),
        ("approved", RECEIVING),
        ("travel_ready", RECEIVING),
        ("departed", OFFICE),
    ],
    "parole": [
        ("supporter_confirmed", RECEIVING),
        ("approved", RECEIVING),
        ("travel_authorized", RECEIVING),
        ("departed", OFFICE),
    ],
    "family_reunification": [
        ("submitted", OFFICE),
        ("interviewed", RECEIVING),
        ("approved", RECEIVING),
        ("travel_authorized", RECEIVING),
        ("departed", OFFICE),
    ],
    "labour": [
        ("employer_matched", RECEIVING),
        ("visa_interview", RECEIVING),
        ("approved", RECEIVING),
        ("visa_issued", RECEIVING),
        ("departed", OFFICE),
    ],
    "canada": [
        ("accepted_for_processing", RECEIVING),
        ("approved", RECEIVING),
        ("travel_ready", RECEIVING),
        ("departed", OFFICE),
    ],
    "spain": [
        ("accepted_for_processing", RECEIVING),
        ("approved", RECEIVING),
        ("travel_ready", RECEIVING),
        ("departed", OFFICE),
    ],
}
EXTRA = {"parole": {"sponsor_ref": "SUP-1"}, "family_reunification": {"invitation_ref": "INV-1"}}


def _eligible(client: TestClient, cases: Cases, office: str = OWN) -> Registration:
    ref = register(client, reg_body(office=office))["reference"]
    with cases.db.session() as s:
        found = s.scalar(select(Registration).where(Registration.reference == ref))
        assert found is not None
        return found


def test_every_pathway_is_covered() -> None:
    assert set(HAPPY) == set(referrals.PATHWAYS)


@pytest.mark.parametrize("code", sorted(HAPPY))
def test_pathway_to_departure(client: TestClient, cases: Cases, code: str) -> None:
    reg = _eligible(client, cases)
    with cases.db.session() as s:
        s.add(reg)
        ref = referrals.open_referral(
            s, cases.keys, reg, code, "staff:1", TODAY, **EXTRA.get(code, {})
        )
        p = referrals.PATHWAYS[code]
        assert ref.state == p.initial and ref.deadline is not None
        assert ref.receiving_country == p.receiving_country
        for to, side in HAPPY[code]:
            wrong = RECEIVING if side == OFFICE else OFFICE
            with pytest.raises(Forbidden):
                referrals.transition(s, cases.keys, ref, reg, to, wrong, "x", TODAY)
            referrals.transition(s, cases.keys, ref, reg, to, side, "x", TODAY)
            assert ref.state == to
        assert ref.decision == "approved" and reg.status == "closed"
        with pytest.raises(Conflict, match="already `departed`"):
            referrals.transition(s, cases.keys, ref, reg, "withdrawn", OFFICE, "x", TODAY)


@pytest.mark.parametrize("code", sorted(HAPPY))
def test_denial_and_withdrawal(client: TestClient, cases: Cases, code: str) -> None:
    reg = _eligible(client, cases)
    with cases.db.session() as s:
        s.add(reg)
        ref = referrals.open_referral(s, cases.keys, reg, code, "x", TODAY, **EXTRA.get(code, {}))
        steps = HAPPY[code]
        until = next(i for i, (to, _) in enumerate(steps) if to == "approved")
        for to, side in steps[:until]:
            referrals.transition(s, cases.keys, ref, reg, to, side, "x", TODAY)
        # skipping a step is refused, naming what may come next
        with pytest.raises(Conflict, match="not allowed"):
            referrals.transition(s, cases.keys, ref, reg, "departed", OFFICE, "x", TODAY)
        referrals.transition(s, cases.keys, ref, reg, "denied", RECEIVING, "x", TODAY)
        assert ref.decision == "denied" and ref.deadline is None
        other = referrals.open_referral(
            s, cases.keys, reg, "spain" if code != "spain" else "canada", "x", TODAY
        )
        referrals.transition(s, cases.keys, other, reg, "withdrawn", OFFICE, "x", TODAY)
        assert reg.status == "closed"


def test_referral_preconditions(client: TestClient, cases: Cases) -> None:
    reg = _eligible(client, cases)
    with cases.db.session() as s:
        s.add(reg)
        with pytest.raises(Invalid, match="sponsor_ref"):
            referrals.open_referral(s, cases.keys, reg, "parole", "x", TODAY)
        with pytest.raises(Invalid, match="invitation_ref"):
            referrals.open_referral(s, cases.keys, reg, "family_reunification", "x", TODAY)
        with pytest.raises(Invalid, match="unknown pathway"):
            referrals.open_referral(s, cases.keys, reg, "mars", "x", TODAY)
        referrals.open_referral(s, cases.keys, reg, "usrap", "x", TODAY)
        with pytest.raises(Conflict, match="already has an open usrap"):
            referrals.open_referral(s, cases.keys, reg, "usrap", "x", TODAY)
    ineligible = register(client, reg_body(members=[member(nationality="PER")]))["reference"]
    with cases.db.session() as s:
        r2 = s.scalar(select(Registration).where(Registration.reference == ineligible))
        assert r2 is not None
        with pytest.raises(Conflict, match="only eligible cases"):
            referrals.open_referral(s, cases.keys, r2, "usrap", "x", TODAY)


def test_deadlines_and_overdue(client: TestClient, cases: Cases) -> None:
    reg = _eligible(client, cases)
    with cases.db.session() as s:
        s.add(reg)
        ref = referrals.open_referral(s, cases.keys, reg, "usrap", "x", TODAY)
        assert ref.deadline == TODAY + timedelta(days=30)
        assert not referrals.overdue(ref, TODAY + timedelta(days=30))
        assert referrals.overdue(ref, TODAY + timedelta(days=31))


def test_referral_over_the_api_with_decision_from_the_receiving_country(
    client: TestClient, cases: Cases, tokens: dict[str, dict[str, str]]
) -> None:
    ref = register(client, reg_body())["reference"]
    opened = client.post(
        f"/api/v1/cases/{ref}/referrals", json={"pathway": "usrap"}, headers=tokens["caseworker"]
    )
    assert opened.status_code == 201 and opened.json()["allowed"] == ["prescreened", "withdrawn"]
    rid = opened.json()["id"]
    move = f"/api/v1/referrals/{rid}/transitions"
    assert (
        client.post(move, json={"to": "prescreened"}, headers=tokens["caseworker"]).status_code
        == 200
    )
    # the office cannot decide for the receiving country
    r = client.post(move, json={"to": "interviewed"}, headers=tokens["caseworker"])
    assert r.status_code == 403 and "receiving country" in r.json()["error"]
    r = client.post(move, json={"to": "interviewed"}, headers=tokens["receiving_officer"])
    assert r.status_code == 200 and r.json()["allowed"] == ["approved", "denied"]
    # the Canadian officer has no say on a US referral
    r = client.post(move, json={"to": "approved"}, headers=tokens["receiving_officer_other"])
    assert r.status_code == 403
    status = client.get(f"/api/v1/cases/{ref}", headers=tokens["caseworker"]).json()
    assert status["referrals"][0]["state"] == "interviewed"


def test_allocation_splits_capacity_and_the_draw_can_be_recomputed(
    client: TestClient, cases: Cases
) -> None:
    office = "GTM-GUA"  # capacity 50, half first-come; nobody else books here
    for _ in range(70):
        register(client, reg_body(office=office, members=[member(nationality="GTM")]))
    day = TODAY + timedelta(days=3)
    with cases.db.session() as s:
        a = appointments.allocate(
            s, cases.keys, office, day, "staff:1", None, TODAY, seed="ab" * 16
        )
    assert len(a.fcfs) == 25 and len(a.drawn) == 25 and len(a.candidates) == 45
    assert a.drawn == appointments.draw_order("ab" * 16, a.candidates)[:25]
    with cases.db.session() as s:
        d = s.get(Draw, a.draw_id)
        assert d is not None and appointments.verify_draw(d)
        loser = next(c for c in d.candidates if c not in d.selected)
        forged = Draw(seed=d.seed, candidates=d.candidates, selected=[*d.selected[:-1], loser])
        assert not appointments.verify_draw(forged)  # a swapped winner is noticed
    with cases.db.session() as s:
        regs = s.scalars(select(Registration).where(Registration.office_code == office)).all()
        assert sum(r.status == "scheduled" for r in regs) == 50
        # the earliest registrations got the first-come places
        oldest = sorted(regs, key=lambda r: (r.created_at, r.id))[:25]
        assert {r.reference for r in oldest} == set(a.fcfs)
        again = appointments.allocate(s, cases.keys, office, day, "staff:1", None, TODAY)
        assert again.fcfs == [] and again.drawn == []  # the day is full
    with pytest.raises(Invalid, match="in the past"), cases.db.session() as s:
        appointments.allocate(s, cases.keys, office, TODAY - timedelta(days=1), "x", None, TODAY)


def test_the_applicant_sees_the_appointment(
    client: TestClient, cases: Cases, tokens: dict[str, dict[str, str]]
) -> None:
    out = register(client, reg_body(office=OTHER, members=[member(nationality="NIC")]))
    day = (TODAY + timedelta(days=9)).isoformat()
    r = client.post(
        f"/api/v1/offices/{OTHER}/appointments",
        json={"day": day},
        headers=tokens["supervisor_other"],
    )
    assert r.status_code == 201
    st = client.get(
        f"/api/v1/registrations/{out['reference']}", headers={"X-Status-Token": out["status_token"]}
    ).json()
    if out["reference"] in r.json()["fcfs"] + r.json()["selected"]:
        assert st["status"] == "scheduled" and st["appointment"]["day"] == day
        assert st["next_step"] == "attend_appointment"
    else:
        assert st["appointment"] is None


def test_the_status_shows_the_latest_booked_appointment_and_every_referral_once(
    client: TestClient, cases: Cases
) -> None:
    """The status is one joined query: two booked appointments and two referrals give four
    rows, which must still read as one appointment and two referrals."""
    out = register(client, reg_body())
    days = [TODAY + timedelta(days=d) for d in (5, 12, 20)]
    with cases.db.session() as s:
        reg = s.scalars(
            select(Registration).where(Registration.reference == out["reference"])
        ).one()
        for day, state in zip(days, ("booked", "booked", "cancelled"), strict=True):
            s.add(
                Appointment(
                    registration_id=reg.id,
                    office_code=OWN,
                    day=day,
                    allocation="fcfs",
                    status=state,
                    created_at=reg.created_at,
                )
            )
        for pathway in ("usrap", "labour"):
            referrals.open_referral(s, cases.keys, reg, pathway, "staff:1", TODAY)
    st = client.get(
        f"/api/v1/registrations/{out['reference']}", headers={"X-Status-Token": out["status_token"]}
    ).json()
    assert st["appointment"]["day"] == days[1].isoformat()  # the latest booked one
    assert [r["pathway"] for r in st["referrals"]] == ["usrap", "labour"]


def test_outbox_messages_wait_and_are_sent_by_an_adapter(client: TestClient, cases: Cases) -> None:
    out = register(
        client, reg_body(lang="ht", contact_phone="+57 300 5550000", contact_email="a@example.org")
    )
    with cases.db.session() as s:
        reg = s.scalar(select(Registration).where(Registration.reference == out["reference"]))
        assert reg is not None
        msgs = s.scalars(select(OutboxMessage).where(OutboxMessage.registration_id == reg.id))
        pending = {m.channel: m for m in msgs}
        assert set(pending) == {"sms", "email"}
        assert all(
            m.status == "pending" and "a@example.org" not in str(m.params) for m in pending.values()
        )
    recorder = outbox.RecordingAdapter()
    with cases.db.session() as s:
        sent, failed = outbox.deliver(
            s, cases.keys, {"sms": recorder, "email": recorder}, limit=10_000
        )
    assert failed == 0 and sent >= 2
    mine = [m for m in recorder.sent if out["reference"] in m[2]]
    assert sorted(m[:2] for m in mine) == [("email", "a@example.org"), ("sms", "+57 300 5550000")]
    assert mine[0][2].startswith("Enskripsyon")  # Haitian Creole


def test_rescreening_after_a_rule_change(
    client: TestClient, cases: Cases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = register(client, reg_body(office="ECU-GYE", members=[member(nationality="PER")]))
    assert out["status"] == "ineligible"
    shipped = Path(registration.__file__).parent / "rules" / "eligibility"
    for f in shipped.glob("*.toml"):
        text = f.read_text(encoding="utf-8")
        if f.name == "ECU.toml":  # Peruvians added
            text = text.replace('"COL"]', '"COL", "PER"]')
        (tmp_path / f.name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("CORRIDOR_CASES_RULES", str(tmp_path))
    with cases.db.session() as s:
        changed = registration.rescreen_changed(s, cases.keys, office="ECU-GYE")
    assert changed >= 1
    with cases.db.session() as s:
        reg = s.scalar(select(Registration).where(Registration.reference == out["reference"]))
        assert reg is not None and reg.status == "eligible"
        last = registration.latest_screening(s, reg)
        assert last is not None and last.eligible
    with cases.db.session() as s:  # nothing changed since: nothing to do
        assert registration.rescreen_changed(s, cases.keys, office="ECU-GYE") == 0


def test_erasure_keeps_statistics_only(client: TestClient, cases: Cases) -> None:
    out = register(client, reg_body(contact_phone="+57 300 1112233"))
    with cases.db.session() as s:
        reg = s.scalar(select(Registration).where(Registration.reference == out["reference"]))
        assert reg is not None
        before = retention.export_subject(s, cases.keys, reg)
        assert before["members"][0]["surnames"] == "Pérez Gómez"
        retention.erase(s, reg, "staff:1", "request")
    with cases.db.session() as s:
        reg = s.scalar(select(Registration).where(Registration.reference == out["reference"]))
        assert reg is not None
        after = retention.export_subject(s, cases.keys, reg)
        assert after["members"][0]["surnames"] is None and after["contact_phone"] is None
        assert after["members"][0]["nationality"] == "VEN" and reg.status == "withdrawn"
        assert reg.persons[0].name_dob_bidx is None and reg.status_token_enc is None


def test_purge_erases_only_finished_old_cases(client: TestClient, cases: Cases) -> None:
    old = register(client, reg_body(members=[member(nationality="PER")]))["reference"]
    live = register(client, reg_body())["reference"]
    with cases.db.session() as s:
        for ref in (old, live):
            r = s.scalar(select(Registration).where(Registration.reference == ref))
            assert r is not None
            r.updated_at = r.updated_at - timedelta(days=800)
    with cases.db.session() as s:
        assert retention.purge(s, 730, "cli") >= 1
    with cases.db.session() as s:
        got = {
            r.reference: r
            for r in s.scalars(select(Registration).where(Registration.reference.in_([old, live])))
        }
        assert got[old].erased_at is not None
        assert got[live].erased_at is None  # still eligible: not finished


def test_monthly_aggregates_reach_the_flows_store(
    client: TestClient, cases: Cases, tokens: dict[str, dict[str, str]], app: Any
) -> None:
    out = register(
        client,
        reg_body(
            office="COL-MDE",
            members=[member(), member(given_names="Hijo", relationship="child", dob="2015-05-05")],
        ),
    )
    client.post(
        f"/api/v1/cases/{out['reference']}/referrals",
        json={"pathway": "spain"},
        headers=tokens["admin"],
    )  # admins do not refer: 403, nothing opened
    rows = client.get("/api/v1/aggregates", headers=tokens["admin"]).json()
    month = f"{date.today():%Y-%m}"
    mde = [r for r in rows if r["office"] == "COL-MDE" and r["event"] == "smo_registration"]
    assert mde == [
        {
            "month": month,
            "office": "COL-MDE",
            "nationality": "VEN",
            "event": "smo_registration",
            "persons": 2,
        }
    ]
    exported = client.post("/api/v1/aggregates/export", headers=tokens["admin"])
    assert exported.status_code == 200, exported.text
    releases = exported.json()["releases"]
    assert any(r.startswith("cases.smo_col@") for r in releases)
    con = duckdb.connect(str(app.state.db_path), read_only=True)
    try:
        got = con.execute(
            "SELECT geo, agency, place, nat, n, unit FROM flows WHERE event = 'smo_registration' "
            "AND place = 'COL-MDE'"
        ).fetchall()
        refs = con.execute("SELECT sum(n) FROM flows WHERE event = 'smo_referral'").fetchone()
    finally:
        con.close()
    assert got == [("COL", "SMO", "COL-MDE", "VEN", 2, "persons")]
    assert refs is not None and refs[0] > 0  # referrals opened earlier in this module
    again = client.post("/api/v1/aggregates/export", headers=tokens["admin"]).json()
    assert again["releases"] == releases  # the same counts: the same releases


def test_spool_and_webhook_adapters(tmp_path: Path) -> None:
    spool = outbox.SpoolAdapter(tmp_path / "spool")
    spool.send("sms", "+57 300 1", "hola")
    spool.send("email", "a@example.org", "hello")
    files = sorted((tmp_path / "spool").glob("*.json"))
    assert [f.name for f in files] == ["00000000.json", "00000001.json"]
    assert '"to": "a@example.org"' in files[1].read_text()
    posted: list[dict[str, Any]] = []

    class Answer:
        def raise_for_status(self) -> None:
            return None

    def post(url: str, json: dict[str, Any], timeout: float) -> Answer:
        posted.append({"url": url, **json})
        return Answer()

    outbox.WebhookAdapter("http://gateway.invalid/sms", post=post).send("sms", "+1", "hi")
    assert posted == [
        {"url": "http://gateway.invalid/sms", "channel": "sms", "to": "+1", "text": "hi"}
    ]
