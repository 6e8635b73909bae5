"""Nationality adjectives (demonyms) in English, Spanish and French.

``data/demonyms.csv`` lists base forms (masculine singular); the rules here
generate the feminine and plural forms, e.g. *venezolano* → *venezolana,
venezolanos, venezolanas*; *alemán* → *alemana, alemanes, alemanas*;
*haïtien* → *haïtienne, haïtiens, haïtiennes*; *Haitian* → *Haitians*.
Forms no rule covers (*grecque*, *turque*) are listed in the file as extra
base forms. Every generated form is an exact alias, never a fuzzy pattern.
"""

from __future__ import annotations

from functools import cache

from corridor.countries._data import read_table

__all__ = ["demonym_entries", "inflect"]

_UNACCENT = str.maketrans("áéíóú", "aeiou")
_VOWELS = set("aeiouáéíóúü")


def _drop_last_accent(word: str) -> str:
    """Drop the accent of the last vowel (alemán → aleman, francés → frances)."""
    for i in range(len(word) - 1, -1, -1):
        if word[i] in _VOWELS:
            return word[:i] + word[i].translate(_UNACCENT) + word[i + 1 :]
    return word


def _es_word(word: str) -> list[tuple[str, str, str, str]]:
    """Spanish paradigms (m. sg., f. sg., m. pl., f. pl.) of one word."""
    if word.endswith("ense") or word[-1] in "ae":
        return [(word, word, word + "s", word + "s")]
    if word.endswith("o"):
        stem = word[:-1]
        return [(word, stem + "a", word + "s", stem + "as")]
    if word[-1] in "íú":
        return [(word, word, word + "es", word + "es"), (word, word, word + "s", word + "s")]
    if word[-1] in "iuy":
        return [(word, word, word + "s", word + "s")]
    stem = _drop_last_accent(word)
    return [(word, stem + "a", stem + "es", stem + "as")]


def _fr_word(word: str) -> tuple[str, str, str, str]:
    """French paradigm (m. sg., f. sg., m. pl., f. pl.) of one word."""
    if word.endswith(("en", "on")):
        return (word, word + "ne", word + "s", word + "nes")
    if word[-1] in "eèé":
        return (word, word, word + "s", word + "s")
    if word[-1] in "sx":
        return (word, word + "e", word, word + "es")
    return (word, word + "e", word + "s", word + "es")


def _en_word(word: str) -> tuple[str, ...]:
    """English singular and plural of one word."""
    if word.endswith(("ese", "ss", "sh", "tch", "nch", "s")):
        return (word,)
    return (word, word + "s")


def inflect(form: str, lang: str) -> set[str]:
    """Return a base demonym with all its gender and number inflections.

    Args:
        form: Masculine singular base form, e.g. ``"ecuatoriano"``.
        lang: ``"en"``, ``"es"`` or ``"fr"``.

    Returns:
        The base form and its inflections, e.g. ``{"ecuatoriano",
        "ecuatoriana", "ecuatorianos", "ecuatorianas"}``. Spanish multi-word
        forms agree word by word; English forms pluralise their last word.

    Raises:
        ValueError: ``lang`` is not supported.
    """
    words = form.split()
    if not words:
        return set()
    if lang == "en":
        head = " ".join(words[:-1])
        return {f"{head} {w}".strip() for w in _en_word(words[-1])}
    if lang == "es":
        out: set[str] = set()
        paradigms = [_es_word(w) for w in words]
        for alt in range(max(len(p) for p in paradigms)):
            chosen = [p[min(alt, len(p) - 1)] for p in paradigms]
            out.update(" ".join(c[i] for c in chosen) for i in range(4))
        return out
    if lang == "fr":
        cells = [_fr_word(w) for w in words]
        return {" ".join(c[i] for c in cells) for i in range(4)}
    raise ValueError(f"unsupported language {lang!r}")


@cache
def demonym_entries() -> tuple[tuple[str, str], ...]:
    """Return every demonym form with its country.

    Returns:
        ``(form, iso3)`` pairs for all base forms in ``data/demonyms.csv``
        and their generated inflections (not folded).
    """
    pairs: set[tuple[str, str]] = set()
    for row in read_table("demonyms.csv"):
        for form in inflect(row["form"], row["lang"]):
            pairs.add((form, row["iso3"]))
    return tuple(sorted(pairs))
