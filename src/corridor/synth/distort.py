"""An agency's errors applied to the records it writes.

Each error is drawn per record with the agency's rate among the records where
it can happen (see ``data/profile.toml``), and flagged in the truth so that
tests and linkage evaluations can count them. Name codes are changed as
integers (variants, swaps, a dropped surname); string errors (typos, OCR,
capitals without accents) are applied to Arrow arrays, the slow per-string
edits only on the few records drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from corridor.synth.names import NameBank

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
# OCR confusions (either direction), as seen in machine-read identity documents.
_OCR = (("O", "0"), ("0", "O"), ("I", "1"), ("l", "1"), ("S", "5"), ("B", "8"), ("rn", "m"),
        ("m", "rn"), ("E", "F"), ("G", "6"), ("Z", "2"), ("e", "c"), ("a", "o"), ("u", "v"),
        ("n", "ri"), ("h", "b"))  # fmt: skip


@dataclass
class Names:
    """Name columns of a set of records, as vocabulary codes (-1: none)."""

    given1: np.ndarray
    given2: np.ndarray
    surname1: np.ndarray
    surname2: np.ndarray


def written_names(
    rng: np.random.Generator,
    bank: NameBank,
    vocab: pa.Array,
    names: Names,
    rate: dict[str, float],
    flags: dict[str, np.ndarray],
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Given names, first and second surname as an agency writes them; ``flags`` gets
    one boolean array per error kind drawn."""
    n = names.given1.size
    flags["transliteration"] = transliterate(rng, bank, names, rate["transliteration"])
    flags["swap_names"] = swap_names(rng, names, rate["swap_names"])
    flags["missing_surname2"] = drop_surname2(rng, names, rate["missing_surname2"])
    given = join(strings(vocab, names.given1), strings(vocab, names.given2), " ")
    sur1, sur2 = strings(vocab, names.surname1), strings(vocab, names.surname2)
    hyph = (names.surname2 >= 0) & (names.surname1 >= 0)
    hyph &= rng.random(n) < rate["hyphenate_surnames"]
    flags["hyphenate_surnames"] = hyph
    if hyph.any():
        sur1 = where(hyph, join(sur1, sur2, "-"), sur1)
        sur2 = where(hyph, pa.nulls(n, pa.string()), sur2)
    # a typo or an OCR confusion hits the given names or the first surname
    typo = rng.random(n) < rate["typo"]
    on_given = rng.random(n) < 0.5
    given, t1 = edit_strings(rng, given, typo & on_given, "typo")
    sur1, t2 = edit_strings(rng, sur1, typo & ~on_given, "typo")
    flags["typo"] = t1 | t2
    on_given = rng.random(n) < 0.5
    can = (ocr_applicable(given) & on_given) | (ocr_applicable(sur1) & ~on_given)
    ocr = can & (rng.random(n) < rate["ocr"])
    given, o1 = edit_strings(rng, given, ocr & on_given, "ocr")
    sur1, o2 = edit_strings(rng, sur1, ocr & ~on_given, "ocr")
    flags["ocr"] = o1 | o2
    upper = rng.random(n) < rate["upper_no_accents"]
    flags["upper_no_accents"] = upper
    if upper.any():
        given = where(upper, upper_no_accents(given), given)
        sur1 = where(upper, upper_no_accents(sur1), sur1)
        sur2 = where(upper, upper_no_accents(sur2), sur2)
    return given, sur1, sur2


def transliterate(
    rng: np.random.Generator, bank: NameBank, names: Names, rate: float
) -> np.ndarray:
    """Other spellings for names that have one, on a ``rate`` share of the records with any."""
    fields = (names.given1, names.given2, names.surname1, names.surname2)
    has = [(f >= 0) & (bank.n_variants[np.maximum(f, 0)] > 0) for f in fields]
    applicable = np.logical_or.reduce(has)
    hit = applicable & (rng.random(applicable.size) < rate)
    for f, h in zip(fields, has, strict=True):
        idx = np.flatnonzero(hit & h)
        k = bank.n_variants[f[idx]]
        col = (rng.random(idx.size) * k).astype(np.int64)
        f[idx] = bank.variants[f[idx], col]
    return hit


def swap_names(rng: np.random.Generator, names: Names, rate: float) -> np.ndarray:
    hit = rng.random(names.given1.size) < rate
    for a, b in ((names.given1, names.surname1), (names.given2, names.surname2)):
        tmp = a[hit].copy()
        a[hit] = b[hit]
        b[hit] = tmp
    # a record whose swapped given names are empty keeps its order
    empty = hit & (names.given1 < 0)
    if empty.any():
        names.given1[empty], names.surname1[empty] = names.surname1[empty], names.given1[empty]
        names.given2[empty], names.surname2[empty] = names.surname2[empty], names.given2[empty]
        hit &= ~empty
    return hit


def drop_surname2(rng: np.random.Generator, names: Names, rate: float) -> np.ndarray:
    hit = (names.surname2 >= 0) & (rng.random(names.surname2.size) < rate)
    names.surname2[hit] = -1
    return hit


def strings(vocab: pa.Array, codes: np.ndarray) -> pa.Array:
    """Vocabulary strings for codes (-1: null)."""
    return vocab.take(pa.array(codes, mask=codes < 0))


def join(a: pa.Array, b: pa.Array, sep: str) -> pa.Array:
    return pc.binary_join_element_wise(a, b, sep, null_handling="skip")


def upper_no_accents(arr: pa.Array) -> pa.Array:
    """Capitals without diacritics (Đ has no decomposition: written D)."""
    up = pc.utf8_upper(arr)
    bare = pc.replace_substring_regex(pc.utf8_normalize(up, "NFD"), r"\p{Mn}", "")
    return pc.replace_substring(pc.utf8_normalize(bare, "NFC"), "Đ", "D")


def where(mask: np.ndarray, yes: pa.Array, no: pa.Array) -> pa.Array:
    if not mask.any():
        return no
    if mask.all():
        return yes
    return pc.if_else(pa.array(mask), yes, no)


def ocr_applicable(arr: pa.Array) -> np.ndarray:
    """Records whose text has a character OCR can confuse."""
    pattern = "|".join(sorted({a for a, _ in _OCR}, key=len, reverse=True))
    found = pc.match_substring_regex(arr, pattern)
    return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)


def edit_strings(
    rng: np.random.Generator, arr: pa.Array, mask: np.ndarray, edit: str
) -> tuple[pa.Array, np.ndarray]:
    """One typo (``edit="typo"``) or OCR confusion on each masked record (in Python: few)."""
    n = len(arr)
    drawn = np.flatnonzero(mask)
    done = np.zeros(n, dtype=bool)
    if not drawn.size:
        return arr, done
    values = arr.take(pa.array(drawn)).to_pylist()
    out: list[str] = []
    seeds = rng.random((drawn.size, 3))
    for i, (text, u) in enumerate(zip(values, seeds, strict=True)):
        new = _typo(text, u) if edit == "typo" else _ocr(text, u)
        if new is not None and new != text:
            done[drawn[i]] = True
            out.append(new)
    if not out:
        return arr, done
    return pc.replace_with_mask(arr, pa.array(done), pa.array(out, pa.string())), done


def _typo(text: str | None, u: np.ndarray) -> str | None:
    if not text:
        return None
    pos = int(u[0] * len(text))
    letter = _LETTERS[int(u[2] * 26)]
    if text[pos].isupper():
        letter = letter.upper()
    kind = int(u[1] * 4) if len(text) >= 3 else 0
    if kind == 1:  # delete
        return text[:pos] + text[pos + 1 :]
    if kind == 2 and text[pos] != letter:  # replace
        return text[:pos] + letter + text[pos + 1 :]
    if kind == 3:  # transpose
        pos = min(pos, len(text) - 2)
        if text[pos] != text[pos + 1]:
            return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
    return text[:pos] + letter + text[pos:]  # insert (and the fallback)


def _ocr(text: str | None, u: np.ndarray) -> str | None:
    if not text:
        return None
    options = [(i, a, b) for a, b in _OCR for i in _find_all(text, a)]
    if not options:
        return None
    i, a, b = options[int(u[0] * len(options))]
    return text[:i] + b + text[i + len(a) :]


def _find_all(text: str, part: str) -> list[int]:
    out, start = [], text.find(part)
    while start >= 0:
        out.append(start)
        start = text.find(part, start + 1)
    return out


def swap_day_month(
    rng: np.random.Generator, dob: np.ndarray, rate: float
) -> tuple[np.ndarray, np.ndarray]:
    """Dates (days since 1970) with day and month swapped where possible, and the flags."""
    d = dob.astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    years = d.astype("datetime64[Y]")
    day = (d - months).astype(np.int64) + 1
    month = (months - years).astype(np.int64) + 1
    applicable = (day <= 12) & (day != month)
    hit = applicable & (rng.random(dob.size) < rate)
    swapped = (years.astype("datetime64[M]") + (day - 1).astype("timedelta64[M]")).astype(
        "datetime64[D]"
    ) + (month - 1).astype("timedelta64[D]")
    return np.where(hit, swapped.astype(np.int64), dob), hit
