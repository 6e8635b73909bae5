"""Culturally plausible names, drawn as integer codes into one shared vocabulary.

Names stay integers until records are written (``records.py`` turns codes into
strings with one Arrow ``take``), so millions of people cost a few numpy draws.
Frequencies are Zipf-like over each list (see ``data/names.toml``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

#: Zipf exponents: surnames are more concentrated than given names.
ZIPF_GIVEN = 0.9
ZIPF_SURNAME = 1.0
FALLBACK_CULTURE = "hispanic"


@dataclass(frozen=True)
class Culture:
    name: str
    two_surnames: bool
    second_given: float
    given_m: np.ndarray  # vocabulary codes
    given_f: np.ndarray
    surname: np.ndarray
    cum_given_m: np.ndarray  # cumulative weights for searchsorted
    cum_given_f: np.ndarray
    cum_surname: np.ndarray


@dataclass(frozen=True)
class NameBank:
    """Every name of every culture, with spelling variants, as one vocabulary."""

    vocab: tuple[str, ...]
    cultures: tuple[Culture, ...]
    #: ISO3 nationality -> index into ``cultures``
    culture_of: dict[str, int]
    #: (vocab, max variants) codes of other spellings, -1 padded
    variants: np.ndarray
    n_variants: np.ndarray

    def culture_index(self, nat: str) -> int:
        return self.culture_of.get(nat, self.culture_of.get("*", 0))

    def draw(
        self, rng: np.random.Generator, cum: np.ndarray, codes: np.ndarray, n: int
    ) -> np.ndarray:
        """``n`` codes from one list, Zipf-weighted."""
        u = rng.random(n)
        return codes[np.searchsorted(cum, u, side="right").clip(0, codes.size - 1)]


def _cum_zipf(n: int, s: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** s
    c = np.cumsum(w)
    return np.asarray(c / c[-1])


@cache
def load() -> NameBank:
    """The name lists shipped as package data (``data/names.toml``)."""
    text = resources.files("corridor.synth").joinpath("data/names.toml").read_text("utf-8")
    raw = tomllib.loads(text)["cultures"]
    vocab: list[str] = []
    code: dict[str, int] = {}

    def intern(name: str) -> int:
        if name not in code:
            code[name] = len(vocab)
            vocab.append(name)
        return code[name]

    cultures: list[Culture] = []
    culture_of: dict[str, int] = {}
    variant_lists: dict[int, list[int]] = {}
    for i, (cname, spec) in enumerate(raw.items()):
        gm = np.array([intern(x) for x in spec["given_m"]])
        gf = np.array([intern(x) for x in spec["given_f"]])
        sn = np.array([intern(x) for x in spec["surname"]])
        cultures.append(
            Culture(
                cname, spec["surnames"] == 2, float(spec["second_given"]), gm, gf, sn,
                _cum_zipf(gm.size, ZIPF_GIVEN), _cum_zipf(gf.size, ZIPF_GIVEN),
                _cum_zipf(sn.size, ZIPF_SURNAME),
            )
        )  # fmt: skip
        for nat in spec["nationalities"]:
            culture_of.setdefault(nat, i)
        if cname == FALLBACK_CULTURE:
            culture_of["*"] = i
        for name, others in spec.get("variants", {}).items():
            variant_lists.setdefault(intern(name), []).extend(intern(o) for o in others)
    width = max((len(v) for v in variant_lists.values()), default=1)
    variants = np.full((len(vocab), width), -1, dtype=np.int64)
    n_variants = np.zeros(len(vocab), dtype=np.int64)
    for src, others in variant_lists.items():
        variants[src, : len(others)] = others
        n_variants[src] = len(others)
    return NameBank(tuple(vocab), tuple(cultures), culture_of, variants, n_variants)
