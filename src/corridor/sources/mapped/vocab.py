"""The canonical values a mapped field may take (the contract in canonical/schema.py)."""

from __future__ import annotations

from corridor.canonical import schema
from corridor.countries import is_iso3, resolve
from corridor.errors import UnknownCountryError

VOCAB: dict[str, frozenset[str]] = {
    "sex": schema.SEX,
    "age": schema.AGE,
    "family": schema.FAMILY,
    "authority": schema.AUTHORITY,
    "unit": schema.UNITS,
    "area": schema.AREAS,
    "event": schema.EVENTS,
}
COUNTRY_FIELDS = frozenset({"nat", "partner"})


def canonical(field: str, value: str, *, loose: bool = False) -> str | None:
    """``value`` as the canonical value of ``field``, or None when it is not one.

    ``loose`` (for published cells) also accepts a vocabulary value in another
    case (``m`` for ``M``); mapping files must write the canonical form.
    Countries may be an ISO3 code or any name the alias table knows.
    """
    if field in COUNTRY_FIELDS:
        if is_iso3(value) or (field == "partner" and value == ""):
            return value
        try:
            return resolve(value)
        except UnknownCountryError:
            return None
    allowed = VOCAB.get(field)
    if allowed is None:  # place: free text as published
        return value
    if value in allowed:
        return value
    if loose:
        for option in allowed:
            if option and option.casefold() == value.casefold():
                return option
    return None


def expected(field: str) -> str:
    """The valid values of ``field``, for a hint."""
    if field in COUNTRY_FIELDS:
        return "an ISO3 code such as `VEN`, a country name, or `UNK`/`OTH`/`STL`"
    allowed = VOCAB.get(field)
    if allowed is None:
        return "any text"
    return "one of: " + ", ".join(f"`{v}`" for v in sorted(allowed))
