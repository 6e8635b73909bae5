"""Resolve any country name an agency writes to its ISO3 code.

Names are folded (accents, case, punctuation) and looked up exactly in an
alias table built from ISO names, Spanish and French translations, agency
spellings and nationality adjectives. There is no fuzzy matching: an unknown
name raises :class:`~corridor.errors.UnknownCountryError` with suggestions.

Example:
    >>> from corridor.countries import resolve, name_of
    >>> resolve("Rep. Dem. del Congo"), resolve("venezolanas"), resolve("Otros")
    ('COD', 'VEN', 'OTH')
    >>> name_of("CIV", "es")
    'Costa de Marfil'
"""

from corridor.countries.aliases import DROPPED_KEYS, alias_table
from corridor.countries.fold import fold
from corridor.countries.names import (
    CORRIDOR_ORDER,
    OTHER,
    SENTINELS,
    STATELESS,
    UNKNOWN,
    corridor_rank,
    is_iso3,
    name_of,
)
from corridor.countries.regions import Region, region_of
from corridor.countries.resolver import resolve, resolve_many, suggest

__all__ = [
    "CORRIDOR_ORDER",
    "DROPPED_KEYS",
    "OTHER",
    "SENTINELS",
    "STATELESS",
    "UNKNOWN",
    "Region",
    "alias_table",
    "corridor_rank",
    "fold",
    "is_iso3",
    "name_of",
    "region_of",
    "resolve",
    "resolve_many",
    "suggest",
]
