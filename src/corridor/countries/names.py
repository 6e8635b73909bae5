"""Known ISO3 codes, sentinels, display names and the corridor order."""

from __future__ import annotations

from functools import cache

from corridor.countries._data import read_table
from corridor.errors import ConfigError, Location, UnknownCountryError

__all__ = [
    "CORRIDOR_ORDER",
    "LANGUAGES",
    "OTHER",
    "SENTINELS",
    "STATELESS",
    "UNKNOWN",
    "corridor_rank",
    "is_iso3",
    "known_codes",
    "name_of",
]

OTHER = "OTH"
"""Sentinel for a residual "other countries" category."""
STATELESS = "STL"
"""Sentinel for stateless persons."""
UNKNOWN = "UNK"
"""Sentinel for an explicitly unknown nationality (never used for blanks)."""
SENTINELS: frozenset[str] = frozenset({OTHER, STATELESS, UNKNOWN})

LANGUAGES: tuple[str, ...] = ("en", "es", "fr")

CORRIDOR_ORDER: tuple[str, ...] = ("COL", "PAN", "CRI", "NIC", "HND", "GTM", "MEX", "USA")
"""Countries of the Americas corridor, south to north."""

_RANK = {iso3: rank for rank, iso3 in enumerate(CORRIDOR_ORDER)}


@cache
def _names() -> dict[str, dict[str, str]]:
    return {row["iso3"]: {lang: row[lang] for lang in LANGUAGES} for row in read_table("names.csv")}


def known_codes() -> frozenset[str]:
    """Return every ISO3 code the resolver can produce.

    Returns:
        All ISO 3166-1 alpha-3 codes, Kosovo's ``XKX``, IOM's ``TIB`` (Tibet,
        kept as gdidata publishes it) and the sentinels
        ``OTH``, ``STL`` and ``UNK``.
    """
    return frozenset(_names())


def is_iso3(code: str) -> bool:
    """Tell whether ``code`` is a known ISO3 code (exact, upper case).

    Args:
        code: A candidate code such as ``"VEN"``.

    Returns:
        True for ISO 3166-1 alpha-3 codes, ``XKX``, ``TIB`` and the sentinels
        ``OTH``, ``STL``, ``UNK``; False otherwise (including ``"ven"``).
    """
    return code in _names()


def name_of(iso3: str, lang: str = "en") -> str:
    """Return the display name of a country code.

    Args:
        iso3: A known ISO3 code or sentinel.
        lang: ``"en"``, ``"es"`` or ``"fr"``.

    Returns:
        A short display name, e.g. ``name_of("CIV", "es") == "Costa de Marfil"``;
        sentinels are named "Other", "Stateless" and "Unknown" (translated).

    Raises:
        UnknownCountryError: ``iso3`` is not a known code.
        ConfigError: ``lang`` is not one of the supported languages.
    """
    if lang not in LANGUAGES:
        raise ConfigError(f"unsupported language {lang!r}; use one of {', '.join(LANGUAGES)}")
    try:
        return _names()[iso3][lang]
    except KeyError:
        raise UnknownCountryError(
            reason="not a known ISO3 country code", where=Location(value=iso3)
        ) from None


def corridor_rank(iso3: str) -> int | None:
    """Return the position of a country along the corridor.

    Args:
        iso3: An ISO3 code.

    Returns:
        0 for Colombia up to 7 for the United States (see
        :data:`CORRIDOR_ORDER`), or None for a country off the corridor.
    """
    return _RANK.get(iso3)
