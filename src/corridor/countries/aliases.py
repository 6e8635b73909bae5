"""The alias table: every known spelling of a country, folded, to its ISO3 code.

The table is built once, lazily, from five sources in decreasing order of
strength:

1. ``EXPLICIT`` — our display names (``data/names.csv``) and agency spellings
   (``data/aliases.csv``), including the sentinel words;
2. ``ISO`` — pycountry's English names, official and common names, alpha-2
   and alpha-3 codes, and the names of a few withdrawn codes whose successor
   is unambiguous (Burma, Zaire, East Timor, ...);
3. ``TRANSLATED`` — Spanish and French translations of those names from
   pycountry's ``iso3166-1`` gettext catalogue;
4. ``DERIVED`` — structural variants of all of the above: ``"Korea, Republic
   of"`` also as ``"Republic of Korea"`` and ``"Korea"``, ``"Bolivia (Estado
   Plurinacional de)"`` also as ``"Bolivia"`` and ``"Estado Plurinacional de
   Bolivia"``;
5. ``DEMONYM`` — nationality adjectives and their inflections.

Each name also yields same-strength spelling variants (apostrophes dropped,
``"The"`` dropped, ``Saint`` → ``St``). A key takes the code of its strongest
source; when that source gives two different codes the key is ambiguous and
dropped. Dropped keys are listed, with a reason, in :data:`DROPPED_KEYS`.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import pycountry

from corridor.countries._data import read_table
from corridor.countries.demonyms import demonym_entries
from corridor.countries.fold import fold

__all__ = ["DROPPED_KEYS", "AliasIndex", "Level", "alias_index", "alias_table"]


class Level:
    """Strength of an alias source (lower wins)."""

    EXPLICIT = 0
    ISO = 1
    TRANSLATED = 2
    DERIVED = 10  # added to the level of the name a variant derives from
    DEMONYM = 30


DROPPED_KEYS: Mapping[str, str] = {
    "na": "alpha-2 of Namibia, but also the usual 'not available' marker; write NAM or Namibia",
    "congolese": "nationality of both Congos (COD, COG)",
    "congoleses": "nationality of both Congos (COD, COG)",
    "congoleno": "nationality of both Congos (COD, COG)",
    "congolena": "nationality of both Congos (COD, COG)",
    "congolenos": "nationality of both Congos (COD, COG)",
    "congolenas": "nationality of both Congos (COD, COG)",
    "congoles": "nationality of both Congos (COD, COG)",
    "congolesa": "nationality of both Congos (COD, COG)",
    "congolesas": "nationality of both Congos (COD, COG)",
    "congolais": "nationality of both Congos (COD, COG)",
    "congolaise": "nationality of both Congos (COD, COG)",
    "congolaises": "nationality of both Congos (COD, COG)",
    "dominican": "English adjective of both Dominica (DMA) and the Dominican Republic (DOM)",
    "dominicans": "English adjective of both Dominica (DMA) and the Dominican Republic (DOM)",
    "san martin": "French part (MAF) or Dutch part (SXM) of Saint Martin",
}
"""Folded keys that never resolve, each with the reason."""

# Withdrawn ISO codes (alpha-4) whose names still mean one current country.
# Left out on purpose: Czechoslovakia, Yugoslavia, Serbia and Montenegro,
# USSR, Netherlands Antilles, German Democratic Republic and the other
# territories that split or merged (no single successor).
_HISTORIC_SUCCESSORS: Mapping[str, str] = {
    "BUMM": "MMR",
    "BYAA": "BLR",
    "DYBJ": "BEN",
    "HVBF": "BFA",
    "NHVU": "VUT",
    "RHZW": "ZWE",
    "SKIN": "IND",
    "TPTL": "TLS",
    "VDVN": "VNM",
    "YDYE": "YEM",
    "ZRCD": "COD",
}

_APOSTROPHES = re.compile(r"['’`´ʼ]")
_PARENTHESIS = re.compile(r"^(?P<before>[^()]*?)\s*\((?P<inner>[^()]*)\)\s*(?P<after>[^()]*)$")
_TRAILING_PREPOSITION = re.compile(
    r"\b(of|of the|de|del|de la|de los|de las|du|des|de l['’]|d['’])$", re.IGNORECASE
)
_ARTICLE_ONLY = {"the", "la", "le", "les", "l'", "el"}


@dataclass(frozen=True)
class AliasIndex:
    """The built alias table and how it was decided.

    Attributes:
        table: Folded key → ISO3 code.
        ambiguous: Keys whose strongest source named several codes (dropped).
        candidates: Key → (strongest level, codes at that level), for audit.
    """

    table: Mapping[str, str]
    ambiguous: Mapping[str, tuple[str, ...]]
    candidates: Mapping[str, tuple[int, frozenset[str]]]


def _spellings(name: str) -> set[str]:
    """Folded keys of one name: itself and same-strength spelling variants."""
    keys = {fold(name), fold(_APOSTROPHES.sub("", name))}
    for key in list(keys):
        tokens = key.split()
        if len(tokens) > 1 and tokens[0] == "the":
            keys.add(" ".join(tokens[1:]))
    for key in list(keys):
        tokens = key.split()
        if "saint" in tokens or "sainte" in tokens:
            short = {"saint": "st", "sainte": "ste"}
            keys.add(" ".join(short.get(t, t) for t in tokens))
    keys.discard("")
    return keys


def _derived_once(name: str) -> set[str]:
    out: set[str] = set()
    match = _PARENTHESIS.match(name)
    if match:
        before, inner, after = (match.group(g).strip() for g in ("before", "inner", "after"))
        out.add(f"{before} {after}".strip())
        if not after and _TRAILING_PREPOSITION.search(inner):
            out.add(f"{inner} {before}")
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts):
        head, tail = parts
        out.add(f"{tail} {head}")
        if _TRAILING_PREPOSITION.search(tail) or tail.lower() in _ARTICLE_ONLY:
            out.add(head)
    out.discard(name)
    out.discard("")
    return out


def _derived(name: str) -> set[str]:
    """Structural variants of a name (inversions, parenthesis removal), two deep."""
    first = _derived_once(name)
    second = {v for n in first for v in _derived_once(n)}
    return (first | second) - {name}


def _pycountry_names() -> Iterable[tuple[str, str, int]]:
    """(name, iso3, level) from pycountry: ISO names, codes and translations."""
    translators = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        for lang in ("es", "fr")
    ]
    for country in pycountry.countries:
        iso3 = country.alpha_3
        yield iso3, iso3, Level.ISO
        yield country.alpha_2, iso3, Level.ISO
        for attr in ("name", "official_name", "common_name"):
            text = getattr(country, attr, None)
            if not text:
                continue
            yield text, iso3, Level.ISO
            for translator in translators:
                yield translator.gettext(text), iso3, Level.TRANSLATED
    for old in pycountry.historic_countries:
        successor = _HISTORIC_SUCCESSORS.get(old.alpha_4)
        if successor:
            yield old.name, successor, Level.ISO


def _explicit_names() -> Iterable[tuple[str, str, int]]:
    for row in read_table("names.csv"):
        for lang in ("en", "es", "fr"):
            yield row[lang], row["iso3"], Level.EXPLICIT
        yield row["iso3"], row["iso3"], Level.EXPLICIT
    for row in read_table("aliases.csv"):
        yield row["alias"], row["iso3"], Level.EXPLICIT


def build_index() -> AliasIndex:
    """Build the alias table from all sources (uncached; see :func:`alias_index`).

    Returns:
        The :class:`AliasIndex`.
    """
    best: dict[str, tuple[int, set[str]]] = {}

    def add(key: str, iso3: str, level: int) -> None:
        current = best.get(key)
        if current is None or level < current[0]:
            best[key] = (level, {iso3})
        elif level == current[0]:
            current[1].add(iso3)

    seen: set[tuple[str, str, int]] = set()
    for name, iso3, level in (*_explicit_names(), *_pycountry_names()):
        if (name, iso3, level) in seen:
            continue
        seen.add((name, iso3, level))
        for key in _spellings(name):
            add(key, iso3, level)
        for variant in _derived(name):
            for key in _spellings(variant):
                add(key, iso3, level + Level.DERIVED)
    for form, iso3 in demonym_entries():
        for key in _spellings(form):
            add(key, iso3, Level.DEMONYM)

    table: dict[str, str] = {}
    ambiguous: dict[str, tuple[str, ...]] = {}
    for key, (_level, codes) in best.items():
        if len(codes) > 1:
            ambiguous[key] = tuple(sorted(codes))
        elif key not in DROPPED_KEYS:
            table[key] = next(iter(codes))
    candidates = {key: (level, frozenset(codes)) for key, (level, codes) in best.items()}
    return AliasIndex(table=table, ambiguous=ambiguous, candidates=candidates)


@cache
def alias_index() -> AliasIndex:
    """Return the alias index, built on first use and cached.

    Returns:
        The shared :class:`AliasIndex`.
    """
    return build_index()


def alias_table() -> Mapping[str, str]:
    """Return the alias table (folded key → ISO3), built on first use.

    Returns:
        A mapping from folded name to ISO3 code.
    """
    return alias_index().table
