"""The canonical `flows` contract: columns, vocabularies and validation."""

from corridor.canonical.schema import (
    AGE,
    AREAS,
    AUTHORITY,
    DIMENSIONS,
    ENCOUNTER_EVENTS,
    EVENTS,
    FAMILY,
    FLOW_COLUMNS,
    FREQ,
    SEX,
    UNITS,
    expand_event,
)

__all__ = [
    "AGE",
    "AREAS",
    "AUTHORITY",
    "DIMENSIONS",
    "ENCOUNTER_EVENTS",
    "EVENTS",
    "FAMILY",
    "FLOW_COLUMNS",
    "FREQ",
    "SEX",
    "UNITS",
    "expand_event",
]
