"""IOM's Missing Migrants Project: the global download of dead and missing migrants.

Read from ``Missing_Migrants_Global_Figures_allData.csv`` (or ``.xlsx``) as
published on https://missingmigrants.iom.int/downloads, in the current layout
and the older ones (see ``columns.ALIASES``). Incidents go to the extra table
``incidents``; monthly ``death_missing`` counts to ``flows``.
"""

from corridor.sources.iom_mmp.columns import ALIASES
from corridor.sources.iom_mmp.connector import INCIDENTS_TABLE, INFO, PUBLICATION, MmpGlobal
from corridor.sources.iom_mmp.values import COUNTRY_ALIASES

GLOBAL = MmpGlobal()
#: found by ``registry`` (every connector package exports this tuple)
CONNECTORS = (GLOBAL,)

__all__ = [
    "ALIASES",
    "CONNECTORS",
    "COUNTRY_ALIASES",
    "GLOBAL",
    "INCIDENTS_TABLE",
    "INFO",
    "PUBLICATION",
    "MmpGlobal",
]
