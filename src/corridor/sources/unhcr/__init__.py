"""UNHCR population statistics: refugees, asylum-seekers, IDPs, stateless and others.

Annual figures by country of asylum (``geo``) and origin (``nat``), read from
the population API's JSON pages (``api``) and from the Refugee Data Finder CSV
(``finder``). They are year-end stocks: see ``events`` for the event names and
the ones the canonical contract must add (``PROPOSED_EVENTS``).
"""

from corridor.sources.unhcr.api import UnhcrApiPage
from corridor.sources.unhcr.common import CODE_ALIASES, GROUP, NAME_ALIASES
from corridor.sources.unhcr.events import FIELD_EVENTS, PROPOSED_EVENTS
from corridor.sources.unhcr.finder import COLUMNS, UnhcrFinderCsv

API_PAGE = UnhcrApiPage()
FINDER_CSV = UnhcrFinderCsv()
#: found by ``registry`` (every connector package exports this tuple)
CONNECTORS = (API_PAGE, FINDER_CSV)

__all__ = [
    "API_PAGE",
    "CODE_ALIASES",
    "COLUMNS",
    "CONNECTORS",
    "FIELD_EVENTS",
    "FINDER_CSV",
    "GROUP",
    "NAME_ALIASES",
    "PROPOSED_EVENTS",
    "UnhcrApiPage",
    "UnhcrFinderCsv",
]
