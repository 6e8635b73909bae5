"""Resolution of country names to ISO3 codes by exact lookup of folded keys."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from corridor.countries.aliases import alias_table
from corridor.countries.fold import fold
from corridor.countries.names import name_of
from corridor.errors import Location, UnknownCountryError

__all__ = ["resolve", "resolve_many", "suggest"]


def resolve(name: str) -> str:
    """Resolve a country name, code or nationality adjective to ISO3.

    The lookup is exact on the folded name (see :func:`fold`); there is no
    fuzzy matching. Sentinel words resolve to ``OTH`` (other), ``STL``
    (stateless) or ``UNK`` (explicitly unknown).

    Args:
        name: The name as the agency wrote it, e.g. ``"Rep. Dem. del Congo"``.

    Returns:
        The ISO3 code, e.g. ``"COD"``.

    Raises:
        UnknownCountryError: ``name`` is blank or not a known alias; the error
            carries up to three suggestions such as ``"Venezuela (VEN)"``.
    """
    key = fold(name)
    if not key:
        raise UnknownCountryError(
            reason="blank country name",
            where=Location(value=name),
            hint="write a country, or an explicit word such as 'Unknown' or 'Other'",
        )
    found = alias_table().get(key)
    if found is not None:
        return found
    options = suggest(name)
    raise UnknownCountryError(
        reason="unknown country name",
        where=Location(value=name),
        hint=("did you mean: " + ", ".join(options) + "?") if options else None,
        suggestions=options,
    )


def resolve_many(names: Iterable[str]) -> dict[str, str | None]:
    """Resolve many names at once.

    Args:
        names: Names, typically the distinct values of a column.

    Returns:
        Each distinct name mapped to its ISO3 code, or None when it is
        blank or unknown.
    """
    table = alias_table()
    out: dict[str, str | None] = {}
    for name in names:
        if name not in out:
            out[name] = table.get(fold(name)) if isinstance(name, str) else None
    return out


def suggest(name: str, n: int = 3) -> list[str]:
    """Suggest known countries close to an unknown name.

    Only for error messages: closeness is measured with :mod:`difflib` over the
    folded alias keys and is never used to resolve a name.

    Args:
        name: The unknown name.
        n: Most suggestions to return.

    Returns:
        Up to ``n`` distinct countries, best first, formatted like
        ``"Costa Rica (CRI)"``.
    """
    key = fold(name)
    if not key or n <= 0:
        return []
    table = alias_table()
    matches = difflib.get_close_matches(key, table.keys(), n=max(10, 4 * n), cutoff=0.6)
    codes: list[str] = []
    for match in matches:
        code = table[match]
        if code not in codes:
            codes.append(code)
    return [f"{name_of(code)} ({code})" for code in codes[:n]]
