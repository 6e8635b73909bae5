"""Honduras' Instituto Nacional de Migración (INM): irregular migrants entering Honduras.

Read from the CSV files its Power BI dashboard exports: the monthly total, by
nationality, and by men/women/boys/girls (three sources, one overlap group).
"""

from corridor.sources.inm_honduras.connector import (
    InmByNationality,
    InmBySexAge,
    InmExport,
    InmTotal,
)

TOTAL = InmTotal()
BY_NATIONALITY = InmByNationality()
BY_SEX_AGE = InmBySexAge()
#: found by ``registry`` (every connector package exports this tuple)
CONNECTORS = (TOTAL, BY_NATIONALITY, BY_SEX_AGE)

__all__ = [
    "BY_NATIONALITY",
    "BY_SEX_AGE",
    "CONNECTORS",
    "TOTAL",
    "InmByNationality",
    "InmBySexAge",
    "InmExport",
    "InmTotal",
]
