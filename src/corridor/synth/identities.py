"""Who people are: nationality, names, date of birth, documents, phone, address.

Everything is an integer code until records are written: names are codes into
the ``NameBank`` vocabulary, documents and phones are numbers with a prefix
code, addresses are (number, street, city) codes into ``ADDRESS_*`` lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from corridor.synth.households import CHILD, FEMALE, PARTNER, Households
from corridor.synth.model import Model
from corridor.synth.names import NameBank

#: Countries the people counted as "other" in the targets come from.
OTHER_POOL: tuple[str, ...] = (
    "RUS", "TUR", "MRT", "GHA", "NGA", "CMR", "SOM", "EGY", "PAK", "UZB", "GIN", "SEN",
    "KAZ", "GEO", "CIV", "BFA", "MLI", "ETH", "ERI", "IRN", "SYR", "ARG", "NIC", "SLV",
)  # fmt: skip

#: International calling codes of the nationalities (others: +1 style generic 999).
CALLING: dict[str, str] = {
    "VEN": "58", "COL": "57", "ECU": "593", "PER": "51", "CHL": "56", "CUB": "53",
    "DOM": "1809", "MEX": "52", "GTM": "502", "HND": "504", "SLV": "503", "NIC": "505",
    "BOL": "591", "BRA": "55", "HTI": "509", "CHN": "86", "TWN": "886", "IND": "91",
    "NPL": "977", "BGD": "880", "AFG": "93", "PAK": "92", "VNM": "84", "AGO": "244",
    "CMR": "237", "SEN": "221", "GIN": "224", "MRT": "222", "UZB": "998", "RUS": "7",
    "TUR": "90", "EGY": "20", "GHA": "233", "NGA": "234", "PAN": "507", "CRI": "506",
    "USA": "1", "ARG": "54",
}  # fmt: skip


@dataclass
class People:
    """Identity codes of the people of one chunk (aligned with ``Households.p_*``)."""

    nat: np.ndarray  # index into the run's nationality list
    given1: np.ndarray
    given2: np.ndarray  # -1: none
    surname1: np.ndarray
    surname2: np.ndarray  # -1: none
    dob: np.ndarray  # days since 1970-01-01
    doc_type: np.ndarray  # 0 none, 1 passport, 2 national ID
    doc_number: np.ndarray  # int64
    phone: np.ndarray  # int64 subscriber number, -1 none
    address: np.ndarray  # int64 address code, -1 none


#: Nationalities of smugglers' guides (people of the transit countries).
GUIDE_NATS: tuple[str, ...] = ("COL", "PAN", "CRI", "MEX", "GTM", "HND", "ECU", "VEN")


def nationalities(target_nats: tuple[str, ...]) -> tuple[tuple[str, ...], int]:
    """The run's nationality list (the targets' countries, the "other" pool, the
    guides' countries) and where the pool ends."""
    named = [n for n in target_nats if n != "OTH"]
    pool = [n for n in OTHER_POOL if n not in named]
    extra = [n for n in GUIDE_NATS if n not in named and n not in pool]
    return (*named, *pool, *extra), len(named) + len(pool)


def household_nats(
    rng: np.random.Generator, h_nat: np.ndarray, target_nats: tuple[str, ...], pool_end: int
) -> np.ndarray:
    """Household nationality as an index into the run's list (``OTH`` drawn from the pool)."""
    out = h_nat.copy()
    if "OTH" in target_nats:
        oth = h_nat == target_nats.index("OTH")
        first = len(target_nats) - 1
        out[oth] = first + rng.integers(0, pool_end - first, size=int(oth.sum()))
    return out


def draw_people(
    rng: np.random.Generator,
    hh: Households,
    h_nat: np.ndarray,
    nats: tuple[str, ...],
    bank: NameBank,
    model: Model,
    join_day: np.ndarray,
) -> People:
    """Names, dates of birth, documents and phones for everyone in ``hh``.

    ``join_day`` is each person's joining day (days since 1970-01-01).
    """
    n = hh.people
    nat = h_nat[hh.p_house]
    culture = np.array([bank.culture_index(c) for c in nats])[nat]
    given1 = np.zeros(n, dtype=np.int64)
    given2 = np.full(n, -1, dtype=np.int64)
    sur1 = np.zeros(n, dtype=np.int64)
    sur2 = np.full(n, -1, dtype=np.int64)
    female = hh.p_sex == FEMALE
    for ci, cul in enumerate(bank.cultures):
        sel = culture == ci
        if not sel.any():
            continue
        for want_f, cum, codes in ((False, cul.cum_given_m, cul.given_m),
                                   (True, cul.cum_given_f, cul.given_f)):  # fmt: skip
            idx = np.flatnonzero(sel & (female == want_f))
            given1[idx] = bank.draw(rng, cum, codes, idx.size)
            two = idx[rng.random(idx.size) < cul.second_given]
            second = bank.draw(rng, cum, codes, two.size)
            ok = second != given1[two]
            given2[two[ok]] = second[ok]
        idx = np.flatnonzero(sel)
        sur1[idx] = bank.draw(rng, cul.cum_surname, cul.surname, idx.size)
        if cul.two_surnames:
            sur2[idx] = bank.draw(rng, cul.cum_surname, cul.surname, idx.size)
    # Children take their father's first surname and their mother's first
    # surname (two-surname cultures), or the head's surname(s) otherwise.
    start = np.cumsum(hh.h_size) - hh.h_size
    head = start[hh.p_house]
    has_partner = (hh.h_size[hh.p_house] > 1) & (
        hh.p_relation[np.minimum(head + 1, n - 1)] == PARTNER
    )
    child = hh.p_relation == CHILD
    sur1[child] = sur1[head[child]]
    two_cultures = np.array([c.two_surnames for c in bank.cultures])[culture]
    mother_first = np.where(has_partner, sur1[np.minimum(head + 1, n - 1)], sur2[head])
    sur2[child] = np.where(two_cultures[child], mother_first[child], -1)

    dob = join_day - hh.p_age.astype(np.int64) * 365 - rng.integers(0, 365, size=n)
    # documents: passport share by nationality, else a national ID
    share = np.array([model.passport_share.get(c, model.passport_share["*"]) for c in nats])[nat]
    u = rng.random(n)
    doc_type = np.where(
        u < share, 1, np.where(u < share + (1 - share) * model.national_id_share, 2, 0)
    )
    doc_type = np.where((hh.p_age < 10) & (rng.random(n) < 0.6), 0, doc_type).astype(np.int8)
    doc_number = rng.integers(10_000_000, 99_999_999, size=n, dtype=np.int64)
    # one phone per household (the head's), given by every member
    h_phone = np.where(
        rng.random(hh.h_size.size) < model.phone_share,
        rng.integers(3_000_000_000, 9_999_999_999, size=hh.h_size.size, dtype=np.int64), -1,
    )  # fmt: skip
    h_addr = np.where(
        rng.random(hh.h_size.size) < model.us_address_share,
        rng.integers(0, 2**40, size=hh.h_size.size, dtype=np.int64), -1,
    )  # fmt: skip
    return People(nat, given1, given2, sur1, sur2, dob, doc_type, doc_number,
                  h_phone[hh.p_house], h_addr[hh.p_house])  # fmt: skip
