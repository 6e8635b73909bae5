"""CBP "Nationwide Encounters" / "Southwest Land Border Encounters" CSV files."""

from corridor.sources.cbp_encounters.connector import CbpEncounters

SOURCE = CbpEncounters()
#: found by ``registry`` (every connector package exports this tuple)
CONNECTORS = (SOURCE,)

__all__ = ["CONNECTORS", "SOURCE", "CbpEncounters"]
