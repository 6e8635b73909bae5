"""Small hand-built record folders (the synth layout) whose graph is known by heart."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

COLUMNS = (
    "record_id",
    "agency",
    "geo",
    "event_date",
    "place",
    "phone",
    "group_ref",
    "address",
    "sponsor_ref",
    "doc_number",
    "dob",
)
GEO = {"SNM": "PAN", "DGME-CR": "CRI", "UPM": "MEX", "USBP": "USA", "OFO": "USA"}
D0 = date(2024, 1, 1)
GROUPS = 8


class Folder:
    """Records added one by one, with their truth; ``write`` lays out records/ and truth/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.rows: list[dict[str, Any]] = []
        self.truth: list[dict[str, Any]] = []

    def add(
        self,
        person: int,
        agency: str,
        day: int,
        *,
        place: str = "P1",
        ring: int | None = None,
        role: str = "member",
        **attrs: str | None,
    ) -> str:
        rid = f"{agency}-{len(self.rows):09d}"
        row: dict[str, Any] = dict.fromkeys(COLUMNS)
        row.update(
            record_id=rid,
            agency=agency,
            geo=GEO[agency],
            event_date=D0 + timedelta(days=day),
            place=place,
            **attrs,
        )
        self.rows.append(row)
        self.truth.append({"record_id": rid, "person_id": person, "ring_id": ring, "role": role})
        return rid

    def write(self) -> Path:
        (self.root / "records").mkdir(parents=True, exist_ok=True)
        (self.root / "truth").mkdir(parents=True, exist_ok=True)
        by_agency: dict[str, list[dict[str, Any]]] = {}
        for r in self.rows:
            by_agency.setdefault(r["agency"], []).append(r)
        for agency, rows in by_agency.items():
            table = pa.Table.from_pylist(
                rows,
                schema=pa.schema(
                    [(c, pa.date32() if c == "event_date" else pa.string()) for c in COLUMNS]
                ),
            )
            pq.write_table(table, self.root / "records" / f"{agency}.parquet")
        pq.write_table(
            pa.Table.from_pylist(
                self.truth,
                schema=pa.schema(
                    [
                        ("record_id", pa.string()),
                        ("person_id", pa.int64()),
                        ("ring_id", pa.int64()),
                        ("role", pa.string()),
                    ]
                ),
            ),
            self.root / "truth" / "records.parquet",
        )
        return self.root


def ring_folder(root: Path) -> Path:
    """One ring and some ordinary travellers.

    Ring 7: guide 900 crosses SNM and UPM with ``GROUPS`` groups of two people
    (days 0, 10, 20, ...); each group gives the ring's phone ``+57 111`` at UPM.
    Ordinary: household 500/501 (same phone ``+58 222``, same day), and
    travellers 600..603 who pass alone.
    """
    f = Folder(root)
    person = 100
    for g in range(GROUPS):
        day = g * 10
        members = [person, person + 1]
        person += 2
        for p in [*members, 900]:
            role = "guide" if p == 900 else "member"
            f.add(p, "SNM", day, ring=7, role=role, group_ref=f"G{g}")
            f.add(
                p,
                "UPM",
                day + 5,
                place="Tapachula",
                ring=7,
                role=role,
                phone="+57 111" if p != 900 else None,
            )
    f.add(500, "SNM", 3, group_ref="H1", phone="+58 222")
    f.add(501, "SNM", 3, group_ref="H1", phone="+58 222")
    f.add(500, "USBP", 40, address="1 Main St, Houston, TX")
    f.add(501, "USBP", 40, address="1 Main St, Houston, TX")
    for i in range(4):
        f.add(600 + i, "SNM", 50 + i, group_ref=f"S{i}")
        f.add(600 + i, "USBP", 80 + i)
    return f.write()


@pytest.fixture
def folder(tmp_path: Path) -> Callable[[], Folder]:
    return lambda: Folder(tmp_path / "run")


@pytest.fixture
def ring(tmp_path: Path) -> Path:
    return ring_folder(tmp_path / "ring")
