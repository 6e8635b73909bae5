"""CBP "Nationwide Encounters" / "Southwest Land Border Encounters" CSV files."""

from corridor.sources.cbp_encounters.connector import CbpEncounters

SOURCE = CbpEncounters()

__all__ = ["SOURCE", "CbpEncounters"]
