"""Monthly counts of registered and referred people by office and nationality, and their
export to the flows store (events ``smo_registration`` and ``smo_referral``).

The export writes one CSV per host country and ingests it through a mapping
connector (``cases.smo_<country>``), so each export is a release like any
agency file: the same counts twice are a no-op, changed counts a new release.
"""

from __future__ import annotations

import csv
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from corridor.cases.models import Office, Person, Referral, Registration


@dataclass(frozen=True)
class Row:
    month: str  # YYYY-MM
    office: str
    country: str
    nationality: str
    event: str
    persons: int


def monthly(
    session: Session, *, office: str | None = None, country: str | None = None
) -> list[Row]:
    """Registered persons (every household member, by own nationality) and referred persons
    (the household of each referral, by the principal's nationality), by month opened."""
    countries = {o.code: o.country for o in session.scalars(select(Office))}
    counts: Counter[tuple[str, str, str, str]] = Counter()
    q = select(Registration.created_at, Registration.office_code, Person.nationality).join(
        Person, Person.registration_id == Registration.id
    )
    for at, code, nat in session.execute(q):
        counts[(f"{at:%Y-%m}", code, nat, "smo_registration")] += 1
    rq = select(
        Referral.opened_at,
        Registration.office_code,
        Registration.nationality,
        Registration.household_size,
    ).join(Registration, Registration.id == Referral.registration_id)
    for at, code, nat, size in session.execute(rq):
        counts[(f"{at:%Y-%m}", code, nat, "smo_referral")] += size
    rows = [Row(m, o, countries[o], n, e, c) for (m, o, n, e), c in counts.items()]
    if office:
        rows = [r for r in rows if r.office == office]
    if country:
        rows = [r for r in rows if r.country == country]
    return sorted(rows, key=lambda r: (r.month, r.office, r.nationality, r.event))


MAPPING = """[source]
id = "cases.smo_{lc}"
title = "Safe Mobility Office registrations and referrals, {country}"
publisher = "corridor cases (this installation)"
agency = "SMO"
geo = "{country}"
group = "{country}.smo"
notes = "People registered (smo_registration) and referred (smo_referral) per office."

[file]
format = "csv"
file_name = '^smo_{lc}_'

[period]
column = "month"

[columns]
place = "office"
nat = "nationality"
event = "event"
n = "persons"

[fixed]
unit = "persons"
"""


def export_to_store(rows: list[Row], store_path: Path) -> list[str]:
    """Ingest the counts into the DuckDB store; returns the release ids (new or unchanged)."""
    from corridor.sources.mapped import register_mapping
    from corridor.store import ingest

    releases: list[str] = []
    with tempfile.TemporaryDirectory(prefix="corridor-smo-") as tmp:
        folder = Path(tmp)
        for country in sorted({r.country for r in rows}):
            lc = country.lower()
            mapping = folder / f"smo_{lc}.toml"
            mapping.write_text(MAPPING.format(lc=lc, country=country), encoding="utf-8")
            src = register_mapping(mapping)
            data = folder / f"smo_{lc}_monthly.csv"
            with data.open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(["month", "office", "nationality", "event", "persons"])
                for r in rows:
                    if r.country == country:
                        w.writerow([r.month, r.office, r.nationality, r.event, r.persons])
            for res in ingest(store_path, [data], source=src.info.id):
                releases.append(res.release_id)
    return releases
