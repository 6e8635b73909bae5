"""Columns and controlled vocabularies of the canonical `flows` table.

This is the contract of ``../shared/DESIGN.md``: outside tools query these
names, so change them only together with that document.
"""

from __future__ import annotations

# (name, DuckDB type) in table order.
FLOW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("period", "DATE"),
    ("freq", "VARCHAR"),
    ("geo", "VARCHAR"),
    ("agency", "VARCHAR"),
    ("area", "VARCHAR"),
    ("place", "VARCHAR"),
    ("event", "VARCHAR"),
    ("nat", "VARCHAR"),
    ("sex", "VARCHAR"),
    ("age", "VARCHAR"),
    ("family", "VARCHAR"),
    ("authority", "VARCHAR"),
    ("partner", "VARCHAR"),
    ("unit", "VARCHAR"),
    ("n", "BIGINT"),
    ("source", "VARCHAR"),
    ("release_id", "VARCHAR"),
)

COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in FLOW_COLUMNS)

# Columns that identify one count inside a release (everything but n/source/release).
KEY_COLUMNS: tuple[str, ...] = COLUMN_NAMES[:14]

# Breakdown dimensions a source may or may not carry; used to pick one source
# among several that describe the same counts (see store/selection.py).
DIMENSIONS: tuple[str, ...] = (
    "area",
    "place",
    "nat",
    "sex",
    "age",
    "family",
    "authority",
    "partner",
)

FREQ = frozenset({"M", "A"})
SEX = frozenset({"F", "M", ""})
AGE = frozenset({"adult", "minor", ""})
FAMILY = frozenset({"single", "family_unit", "accompanied_minor", "unaccompanied_minor", ""})
AUTHORITY = frozenset({"T8", "T42", ""})
UNITS = frozenset({"events", "persons"})
AREAS = frozenset({"southwest_land_border", "northern_land_border", "other", "darien", ""})

EVENTS = frozenset(
    {
        "apprehension",
        "inadmissible",
        "expulsion",
        "irregular_transit",
        "irregular_presence",
        "deportation",
        "assisted_return",
        "return_received",
        "death_missing",
        "smo_registration",
        "smo_referral",
        # UNHCR: people returned during the year
        "refugee_return",
        "idp_return",
    }
)

# Year-end stocks (UNHCR population statistics): people in a situation on
# 31 December, not movements. Never added to flows or across years; a query
# without an event filter leaves them out.
STOCK_EVENTS = frozenset(
    {
        "refugee_stock",
        "asylum_seeker_stock",
        "oip_stock",
        "idp_stock",
        "stateless_stock",
        "other_of_concern_stock",
    }
)
EVENTS = EVENTS | STOCK_EVENTS

# CBP's own definition of "encounters".
ENCOUNTER_EVENTS: tuple[str, ...] = ("apprehension", "inadmissible", "expulsion")

EVENT_ALIASES: dict[str, tuple[str, ...]] = {"encounters": ENCOUNTER_EVENTS}


def expand_event(name: str) -> tuple[str, ...]:
    """Expand an event name or alias (``encounters``) into canonical events."""
    key = name.strip().lower()
    if key in EVENT_ALIASES:
        return EVENT_ALIASES[key]
    return (key,)


def flows_ddl(table: str) -> str:
    """`CREATE TABLE` statement for a table with the canonical columns."""
    cols = ",\n  ".join(f"{name} {typ} NOT NULL" for name, typ in FLOW_COLUMNS)
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  {cols}\n)"
