"""Guatemala's Instituto Guatemalteco de Migración (IGM): Guatemalans returned.

IGM publishes yearly workbooks of Guatemalans received back by air from the
United States and by air and land from Mexico, by sex and age group, monthly.
"""

from corridor.sources.igm_guatemala.connector import IgmReturns

SOURCE = IgmReturns()
#: found by ``registry`` (every connector package exports this tuple)
CONNECTORS = (SOURCE,)

__all__ = ["CONNECTORS", "SOURCE", "IgmReturns"]
