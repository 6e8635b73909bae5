"""Referrals to legal pathways as state machines, one per pathway.

Each state names who may leave it for which next state: the office (caseworker,
supervisor) or the receiving country's officer. Entering a state sets its
deadline; decisions (approved/denied) come from the receiving country only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from corridor.cases import audit, outbox
from corridor.cases.crypto import Keyring
from corridor.cases.errors import Conflict, Forbidden, Invalid
from corridor.cases.models import Referral, ReferralEvent, Registration

OFFICE, RECEIVING = "office", "receiving"
TERMINAL = frozenset({"denied", "departed", "withdrawn"})


@dataclass(frozen=True)
class Pathway:
    code: str
    title: str
    receiving_country: str
    initial: str
    # state -> {next state: who moves it}
    moves: dict[str, dict[str, str]]
    # days allowed in a state before the case is overdue
    deadlines: dict[str, int] = field(default_factory=dict)
    requires: str | None = None  # "sponsor_ref" or "invitation_ref"

    @property
    def states(self) -> set[str]:
        out = set(self.moves) | TERMINAL
        for nxt in self.moves.values():
            out |= set(nxt)
        return out

    def allowed(self, state: str, side: str) -> list[str]:
        nxt = dict(self.moves.get(state, {}))
        if state not in TERMINAL:
            nxt.setdefault("withdrawn", OFFICE)
        return sorted(s for s, who in nxt.items() if who == side)


def _decided(after: str, then: str) -> dict[str, dict[str, str]]:
    return {
        after: {"approved": RECEIVING, "denied": RECEIVING},
        "approved": {then: RECEIVING},
        then: {"departed": OFFICE},
    }


PATHWAYS: dict[str, Pathway] = {
    p.code: p
    for p in (
        Pathway(
            "usrap",
            "US Refugee Admissions Program",
            "USA",
            "referred",
            {
                "referred": {"prescreened": OFFICE},
                "prescreened": {"interviewed": RECEIVING},
                **_decided("interviewed", "travel_ready"),
            },
            {
                "referred": 30,
                "prescreened": 60,
                "interviewed": 120,
                "approved": 90,
                "travel_ready": 60,
            },
        ),
        Pathway(
            "parole",
            "Humanitarian parole with a US supporter",
            "USA",
            "awaiting_supporter",
            {
                "awaiting_supporter": {"supporter_confirmed": RECEIVING},
                **_decided("supporter_confirmed", "travel_authorized"),
            },
            {
                "awaiting_supporter": 30,
                "supporter_confirmed": 60,
                "approved": 30,
                "travel_authorized": 90,
            },
            requires="sponsor_ref",
        ),
        Pathway(
            "family_reunification",
            "Family reunification parole (by invitation)",
            "USA",
            "invited",
            {
                "invited": {"submitted": OFFICE},
                "submitted": {"interviewed": RECEIVING},
                **_decided("interviewed", "travel_authorized"),
            },
            {
                "invited": 30,
                "submitted": 90,
                "interviewed": 90,
                "approved": 60,
                "travel_authorized": 90,
            },
            requires="invitation_ref",
        ),
        Pathway(
            "labour",
            "Labour pathways (temporary work visas)",
            "USA",
            "referred",
            {
                "referred": {"employer_matched": RECEIVING},
                "employer_matched": {"visa_interview": RECEIVING},
                **_decided("visa_interview", "visa_issued"),
            },
            {
                "referred": 60,
                "employer_matched": 60,
                "visa_interview": 60,
                "approved": 30,
                "visa_issued": 90,
            },
        ),
        Pathway(
            "canada",
            "Canada (humanitarian and family streams)",
            "CAN",
            "referred",
            {
                "referred": {"accepted_for_processing": RECEIVING},
                **_decided("accepted_for_processing", "travel_ready"),
            },
            {"referred": 30, "accepted_for_processing": 180, "approved": 90, "travel_ready": 60},
        ),
        Pathway(
            "spain",
            "Spain (humanitarian and labour programmes)",
            "ESP",
            "referred",
            {
                "referred": {"accepted_for_processing": RECEIVING},
                **_decided("accepted_for_processing", "travel_ready"),
            },
            {"referred": 30, "accepted_for_processing": 180, "approved": 90, "travel_ready": 60},
        ),
    )
}


def pathway(code: str) -> Pathway:
    try:
        return PATHWAYS[code]
    except KeyError:
        raise Invalid(
            f"unknown pathway `{code}` (expected one of: {', '.join(sorted(PATHWAYS))})"
        ) from None


def _deadline(p: Pathway, state: str, today: date) -> date | None:
    days = p.deadlines.get(state)
    return today + timedelta(days=days) if days else None


def open_referral(
    session: Session,
    keys: Keyring,
    reg: Registration,
    code: str,
    actor: str,
    today: date,
    *,
    sponsor_ref: str | None = None,
    invitation_ref: str | None = None,
) -> Referral:
    p = pathway(code)
    # a closed case (e.g. denied by one country) may be referred to another pathway
    if reg.status not in ("eligible", "scheduled", "interviewed", "referred", "closed"):
        raise Conflict(f"{reg.reference} is `{reg.status}`: only eligible cases can be referred")
    if p.requires == "sponsor_ref" and not sponsor_ref:
        raise Invalid("parole needs the supporter's reference (sponsor_ref)")
    if p.requires == "invitation_ref" and not invitation_ref:
        raise Invalid("family reunification needs the invitation reference (invitation_ref)")
    live = [
        r
        for r in session.query(Referral).filter_by(registration_id=reg.id, pathway=code)
        if r.state not in TERMINAL
    ]
    if live:
        raise Conflict(f"{reg.reference} already has an open {code} referral")
    now = audit.now()
    ref = Referral(
        registration_id=reg.id,
        pathway=code,
        receiving_country=p.receiving_country,
        state=p.initial,
        deadline=_deadline(p, p.initial, today),
        sponsor_ref=sponsor_ref,
        invitation_ref=invitation_ref,
        opened_at=now,
        updated_at=now,
    )
    session.add(ref)
    session.flush()
    session.add(
        ReferralEvent(
            referral_id=ref.id, from_state=None, to_state=p.initial, at=now, actor=actor, note=""
        )
    )
    reg.status, reg.updated_at = "referred", now
    audit.record(
        session,
        actor,
        "referral.open",
        "referral",
        ref.id,
        {"reference": reg.reference, "pathway": code},
    )
    outbox.enqueue(session, keys, reg, "referral", {"state": p.initial})
    return ref


def transition(
    session: Session,
    keys: Keyring,
    ref: Referral,
    reg: Registration,
    to: str,
    side: str,
    actor: str,
    today: date,
    note: str = "",
) -> Referral:
    """Move a referral; ``side`` is who asks (office or receiving)."""
    p = pathway(ref.pathway)
    if to not in p.states:
        raise Invalid(f"`{to}` is not a state of {p.code}")
    if ref.state in TERMINAL:
        raise Conflict(f"the referral is already `{ref.state}`")
    mine = p.allowed(ref.state, side)
    if to not in mine:
        other = p.allowed(ref.state, RECEIVING if side == OFFICE else OFFICE)
        if to in other:
            whose = "the receiving country" if side == OFFICE else "the office"
            raise Forbidden(f"`{ref.state}` → `{to}` is for {whose}")
        raise Conflict(f"`{ref.state}` → `{to}` is not allowed (next: {', '.join(mine + other)})")
    now = audit.now()
    session.add(
        ReferralEvent(
            referral_id=ref.id,
            from_state=ref.state,
            to_state=to,
            at=now,
            actor=actor,
            note=note[:200],
        )
    )
    before = ref.state
    ref.state, ref.updated_at = to, now
    ref.deadline = _deadline(p, to, today)
    if to in ("approved", "denied"):
        ref.decision, ref.decided_at = to, now
    if to in TERMINAL and all(
        r.state in TERMINAL for r in session.query(Referral).filter_by(registration_id=reg.id)
    ):
        reg.status = "closed"
    reg.updated_at = now
    audit.record(
        session,
        actor,
        "referral.transition",
        "referral",
        ref.id,
        {"reference": reg.reference, "from": before, "to": to},
    )
    outbox.enqueue(session, keys, reg, "referral", {"state": to})
    return ref


def overdue(ref: Referral, today: date) -> bool:
    return ref.state not in TERMINAL and ref.deadline is not None and ref.deadline < today
