"""What each agency writes: person records with its conventions and errors, and the truth.

Columns are the person-record columns of DESIGN.md (``RECORD_SCHEMA``) plus
``address`` and ``sponsor_ref`` (null where the agency does not ask). The truth
table links every record to its person, household, group and ring, and flags
the errors drawn for it (``TRUTH_SCHEMA``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from corridor.synth import distort
from corridor.synth.addresses import local_addresses, us_addresses
from corridor.synth.chunk import GUIDE, Chunk
from corridor.synth.identities import CALLING, People
from corridor.synth.journeys import AGENCY_LIST, EVENTS, GEOS, PLACE_LIST
from corridor.synth.names import NameBank
from corridor.synth.profile import ERRORS, AgencyProfile

RECORD_SCHEMA = pa.schema([
    ("record_id", pa.string()), ("agency", pa.string()), ("geo", pa.string()),
    ("event", pa.string()), ("event_date", pa.date32()), ("place", pa.string()),
    ("given_names", pa.string()), ("surname1", pa.string()), ("surname2", pa.string()),
    ("dob", pa.date32()), ("sex", pa.string()), ("nat", pa.string()),
    ("doc_type", pa.string()), ("doc_number", pa.string()), ("phone", pa.string()),
    ("group_ref", pa.string()), ("address", pa.string()), ("sponsor_ref", pa.string()),
])  # fmt: skip
TRUTH_SCHEMA = pa.schema(
    [("record_id", pa.string()), ("person_id", pa.int64()), ("household_id", pa.int64()),
     ("group_id", pa.int64()), ("ring_id", pa.int64()), ("role", pa.string()),
     *[(f"err_{e}", pa.bool_()) for e in ERRORS],
     *[(f"missing_{m}", pa.bool_()) for m in ("dob", "sex", "nat", "doc_number")]]
)  # fmt: skip
DOC_TYPES = (None, "passport", "national_id")
_NULL = pa.scalar(None, pa.string())


@dataclass
class Vocabularies:
    """String tables the codes point into, built once per run."""

    names: pa.Array
    nats: pa.Array
    places: pa.Array
    events: pa.Array
    geos: pa.Array
    calling: pa.Array  # per run nationality: "+58 "
    passport_prefix: pa.Array  # per run nationality: "VE"
    id_prefix: pa.Array

    @classmethod
    def build(cls, bank: NameBank, nats: tuple[str, ...]) -> Vocabularies:
        return cls(
            pa.array(bank.vocab), pa.array(nats), pa.array(PLACE_LIST), pa.array(EVENTS),
            pa.array(GEOS), pa.array([f"+{CALLING.get(n, '999')} " for n in nats]),
            pa.array([n[:2] for n in nats]),
            pa.array(["V" if n == "VEN" else "E" if n == "CUB" else "" for n in nats]),
        )  # fmt: skip


def doc_columns(
    vocab: Vocabularies, doc_type: np.ndarray, number: np.ndarray, nat: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """Document type and number as written (passports: country letters + 7 digits)."""
    passport = doc_type == 1
    digits = pc.utf8_lpad(
        pa.array(np.where(passport, number % 10_000_000, number)).cast(pa.string()), 7, "0"
    )
    prefix = pc.if_else(pa.array(passport), vocab.passport_prefix.take(pa.array(nat)),
                        vocab.id_prefix.take(pa.array(nat)))  # fmt: skip
    text = distort.where(doc_type == 0, pa.nulls(doc_type.size, pa.string()),
                         distort.join(prefix, digits, ""))  # fmt: skip
    kind = pa.array(list(DOC_TYPES), pa.string()).take(pa.array(doc_type.astype(np.int64)))
    return kind, text


def name_columns(vocab: Vocabularies, people: People, idx: np.ndarray) -> tuple[pa.Array, ...]:
    """True given names, first and second surname of ``people[idx]``."""
    given = distort.join(distort.strings(vocab.names, people.given1[idx]),
                         distort.strings(vocab.names, people.given2[idx]), " ")  # fmt: skip
    return (given, distort.strings(vocab.names, people.surname1[idx]),
            distort.strings(vocab.names, people.surname2[idx]))  # fmt: skip


def agency_tables(
    chunk: Chunk,
    agency: str,
    profile: AgencyProfile,
    vocab: Vocabularies,
    bank: NameBank,
    rng: np.random.Generator,
    first_seq: int,
) -> tuple[pa.Table, pa.Table]:
    """The records ``agency`` writes for this chunk's people, and their truth rows."""
    code = AGENCY_LIST.index(agency)
    ev = chunk.records
    sel = np.flatnonzero(ev.agency == code)
    sel = sel[np.argsort(ev.day[sel], kind="stable")]  # agencies file records by date
    n = sel.size
    p = ev.house[sel]
    ppl = chunk.people
    err: dict[str, np.ndarray] = {}
    rate = profile.errors

    names = distort.Names(ppl.given1[p].copy(), ppl.given2[p].copy(),
                          ppl.surname1[p].copy(), ppl.surname2[p].copy())  # fmt: skip
    given, sur1, sur2 = distort.written_names(rng, bank, vocab.names, names, rate, err)
    dob, err["swap_day_month"] = distort.swap_day_month(rng, ppl.dob[p], rate["swap_day_month"])
    miss = {k: rng.random(n) < v for k, v in profile.missing.items()}
    asks = {k: rng.random(n) < v for k, v in profile.records.items()}

    # documents: the person's, unless the agency does not ask, it is missing, or it changed
    doc_type = ppl.doc_type[p]
    has_doc = (doc_type > 0) & asks["doc_number"]
    miss["doc_number"] &= has_doc
    written = has_doc & ~miss["doc_number"]
    number = ppl.doc_number[p].copy()
    changed = written & (rng.random(n) < rate["changed_document"])
    number[changed] = rng.integers(10_000_000, 99_999_999, size=int(changed.sum()))
    err["changed_document"] = changed
    nat = ppl.nat[p]
    doc_kind, doc_text = doc_columns(vocab, np.where(written, doc_type, 0), number, nat)

    phone, address, sponsor = _contacts(chunk, p, ev.geo[sel], agency, asks, vocab)
    group_id = chunk.group_id[p]
    # the agency's own group number: stable within the agency, opaque across agencies
    ref = (group_id * 2_654_435_761 + (code + 1) * 97_531) % 10_000_000
    group_ref = distort.where(
        asks["group_ref"],
        distort.join(pa.array(np.full(n, f"{agency[:3]}G")), pa.array(ref).cast(pa.string()), ""),
        pa.nulls(n, pa.string()),
    )  # fmt: skip

    seq = np.arange(first_seq, first_seq + n, dtype=np.int64)
    record_id = distort.join(pa.array(np.full(n, f"{agency}-")),
                             pc.utf8_lpad(pa.array(seq).cast(pa.string()), 9, "0"), "")  # fmt: skip
    sex = pa.array(["M", "F"]).take(pa.array(chunk.sex[p].astype(np.int64), mask=miss["sex"]))
    nat_col = vocab.nats.take(pa.array(nat, mask=miss["nat"]))
    dob_col = pa.array(dob.astype("datetime64[D]"), pa.date32(), mask=miss["dob"])
    day = ev.day[sel].astype("datetime64[D]")
    table = pa.Table.from_arrays(
        [record_id, pa.array(np.full(n, agency)), vocab.geos.take(pa.array(ev.geo[sel])),
         vocab.events.take(pa.array(ev.event[sel])), pa.array(day, pa.date32()),
         vocab.places.take(pa.array(ev.place[sel])), given, sur1, sur2, dob_col, sex, nat_col,
         doc_kind, doc_text, phone, group_ref, address, sponsor],
        schema=RECORD_SCHEMA,
    )  # fmt: skip
    ring = chunk.ring_id[p]
    truth = pa.Table.from_arrays(
        [record_id, pa.array(chunk.person_id[p]), pa.array(chunk.household_id[p]),
         pa.array(group_id), pa.array(ring, mask=ring < 0),
         pa.array(np.where(chunk.role[p] == GUIDE, "guide", "member")),
         *[pa.array(err[e]) for e in ERRORS],
         *[pa.array(miss[m]) for m in ("dob", "sex", "nat", "doc_number")]],
        schema=TRUTH_SCHEMA,
    )  # fmt: skip
    return table, truth


def _contacts(
    chunk: Chunk, p: np.ndarray, geo: np.ndarray, agency: str, asks: dict[str, np.ndarray],
    vocab: Vocabularies,
) -> tuple[pa.Array, pa.Array, pa.Array]:  # fmt: skip
    """Phone, address and sponsor as the agency writes them (null where it does not ask)."""
    n = p.size
    code = chunk.phone[p]
    phone = distort.join(vocab.calling.take(pa.array(chunk.phone_nat[p])),
                         pa.array(np.maximum(code, 0)).cast(pa.string()), "")  # fmt: skip
    phone = distort.where((code >= 0) & asks["phone"], phone, pa.nulls(n, pa.string()))
    addr_code = np.where(asks["address"], chunk.address[p], -1)
    if agency == "SMO":  # a local address in the office's country
        address = pa.nulls(n, pa.string())
        for g in np.unique(geo):
            address = distort.where(geo == g, local_addresses(addr_code, GEOS[g]), address)
    else:
        address = us_addresses(addr_code)
    sponsor = distort.where(
        asks["sponsor_ref"],
        distort.join(pa.array(np.full(n, "SPN")), pa.array(chunk.sponsor[p]).cast(pa.string()), ""),
        pa.nulls(n, pa.string()),
    )  # fmt: skip
    return phone, address, sponsor
