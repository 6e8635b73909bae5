"""Country names as the SNM Darién tables spell them.

The shared alias table (``corridor.countries``) knows almost every SNM
spelling; the few it lacks are kept here rather than in the shared CSVs.
"""

from __future__ import annotations

from corridor.countries import resolve
from corridor.errors import UnknownCountryError
from corridor.sources.snm_darien.labels import key

#: folded SNM spelling -> ISO3, for names the shared alias table does not know
SNM_ALIASES: dict[str, str] = {
    # the SNM abbreviates both Congos; "Rep. Dem. del Congo" is in the shared table
    "rep. del congo": "COG",
}


def country_code(name: str) -> str | None:
    """The ISO3 code of a country row's label, or None when no alias matches."""
    local = SNM_ALIASES.get(key(name))
    if local is not None:
        return local
    try:
        return resolve(name)
    except UnknownCountryError:
        return None
