"""Interview appointments with daily capacity per office: part first-come, first-served,
the rest by a random draw anyone can recompute from its recorded seed and candidates."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from corridor.cases import audit, outbox
from corridor.cases.crypto import Keyring
from corridor.cases.errors import Invalid, NotFound
from corridor.cases.models import Appointment, Draw, Office, Registration


def draw_order(seed: str, candidates: list[str]) -> list[str]:
    """Candidates ranked by SHA-256(seed, reference): a seeded, reproducible shuffle."""
    return sorted(candidates, key=lambda ref: hashlib.sha256(f"{seed}:{ref}".encode()).digest())


@dataclass
class Allocation:
    draw_id: int
    seed: str
    fcfs: list[str]
    drawn: list[str]
    candidates: list[str]


def allocate(
    session: Session,
    keys: Keyring,
    office_code: str,
    day: date,
    actor: str,
    staff_id: int | None,
    today: date,
    seed: str | None = None,
) -> Allocation:
    """Fill the day's free places with eligible cases that have no appointment yet."""
    office = session.get(Office, office_code)
    if office is None:
        raise NotFound(f"unknown office `{office_code}`")
    if day < today:
        raise Invalid(f"{day} is in the past")
    booked = (
        session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(
                Appointment.office_code == office_code,
                Appointment.day == day,
                Appointment.status == "booked",
            )
        )
        or 0
    )
    free = max(office.daily_capacity - booked, 0)
    waiting = session.scalars(
        select(Registration)
        .where(Registration.office_code == office_code, Registration.status == "eligible")
        .order_by(Registration.created_at, Registration.id)
    ).all()
    n_fcfs = min(round(free * office.fcfs_share), len(waiting))
    first, rest = waiting[:n_fcfs], waiting[n_fcfs:]
    seed = seed or secrets.token_hex(16)
    candidates = [r.reference for r in rest]
    drawn_refs = draw_order(seed, candidates)[: max(free - n_fcfs, 0)]
    draw = Draw(
        office_code=office_code,
        day=day,
        seed=seed,
        candidates=candidates,
        selected=drawn_refs,
        created_at=audit.now(),
        created_by=staff_id,
    )
    session.add(draw)
    session.flush()
    by_ref = {r.reference: r for r in rest}
    for reg, how in [(r, "fcfs") for r in first] + [(by_ref[x], "draw") for x in drawn_refs]:
        session.add(
            Appointment(
                registration_id=reg.id,
                office_code=office_code,
                day=day,
                allocation=how,
                draw_id=draw.id if how == "draw" else None,
                status="booked",
                created_at=audit.now(),
            )
        )
        reg.status, reg.updated_at = "scheduled", audit.now()
        outbox.enqueue(
            session, keys, reg, "appointment", {"day": day.isoformat(), "office": office_code}
        )
    fcfs_refs = [r.reference for r in first]
    audit.record(
        session,
        actor,
        "appointment.allocate",
        "office",
        office_code,
        {
            "day": day.isoformat(),
            "draw": draw.id,
            "seed": seed,
            "fcfs": len(fcfs_refs),
            "drawn": len(drawn_refs),
            "candidates": len(candidates),
        },
    )
    return Allocation(draw.id, seed, fcfs_refs, drawn_refs, candidates)


def verify_draw(draw: Draw) -> bool:
    """True when the recorded selection is what the seed gives."""
    return draw_order(draw.seed, list(draw.candidates))[: len(draw.selected)] == draw.selected
