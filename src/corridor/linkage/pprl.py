"""Privacy-preserving linkage: ``corridor encode`` and linking its outputs.

An agency encodes its records with the secret key it shares only with the
agencies it links with; what leaves the agency is, per record, its id, keyed
Bloom filters of each field (never the values), birth year and sex in clear
(coarse blocking keys) and keyed MinHash LSH band keys. The linker scores Dice
similarities of the filters with the same Fellegi–Sunter model and EM as the
plaintext linker, and blocks on the LSH bands.

What this protects against and what it does not is in ``docs/linkage.md``:
without the key, names cannot be encoded to test guesses; but Bloom filters of
skewed name distributions remain open to frequency and pattern-mining attacks
by a party holding many encodings, so encodings must be handled as personal
data (restricted, never published).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from corridor.errors import InputError, Location
from corridor.linkage.backend import Backend, open_backend
from corridor.linkage.blocking import BlockingRule, rule
from corridor.linkage.bloom import FILTER_BITS, HASHES, bigrams, bloom_filters, minhash_bands
from corridor.linkage.comparators import Comparison, Level
from corridor.linkage.engine import MAX_RULES
from corridor.linkage.outputs import staged_output
from corridor.linkage.pprl_tokens import (
    TOKEN_COLUMNS,
    blocking_token_keys,
    keyed_tokens,
    token_rules,
)
from corridor.records.reading import Source, load_records

__all__ = [
    "ENCODED_FIELDS",
    "encode_file",
    "load_encoded",
    "pprl_comparisons",
    "pprl_rules",
    "read_key",
]

FORMAT = "corridor.pprl/1"
WORDS = FILTER_BITS // 64
# normalised column -> encoded field name
ENCODED_FIELDS: dict[str, str] = {
    "given": "given",
    "given_nick": "given_nick",
    "surnames": "surnames",
    "dob": "dob",
    "dob_dm": "dob_dm",
    "nationality": "nationality",
    "doc_number": "doc_number",
    "phone": "phone",
    "postcode": "postcode",
    "city": "city",
    "street": "street",
    "street_number": "street_number",
    "address2": "address2",
    "state": "state",
}
# LSH groups: (name, fields whose bigrams form the set, bands, rows per band)
# The blocking tokens already block like the plaintext linker; the bands only add pairs
# whose names differ by typos. Simulated corridor 200k x 200k, pairs beyond the tokens' per
# record / true pairs among them: 8 name bands of 3 rows + 4 bands of date of birth +
# surnames 105 / ~95; 3 x 3 rows 28.5 / 152; 4 x 4 rows 17.2 / 152; 2 x 4 rows 5.5 / 104
LSH_GROUPS: tuple[tuple[str, tuple[str, ...], int, int], ...] = (
    ("names", ("given", "surnames"), 4, 4),
    ("address", ("street", "city", "postcode"), 4, 3),
)
MIN_KEY_BYTES = 16
# fields whose identical filters are weighed by their frequency: a filter as common as
# "maria" is weak evidence (the linker sees filter frequencies anyway; see linkage.md)
TF_FIELDS = ("given", "surnames")
LSH_CLASS = {"given": "name", "surnames": "name"}
# fields hashed with one shared label, so their filters compare with each other
# (a given name written in the surname column still meets its surname)
HASH_LABEL = {"given": "name", "given_nick": "name", "surnames": "name"}


def read_key(path: Path) -> bytes:
    """The secret key: the file's bytes (at least 16; 32 random bytes recommended)."""
    where = Location(file=str(path))
    try:
        key = Path(path).read_bytes()
    except OSError as exc:
        raise InputError("cannot read the key file", where, hint=exc.strerror) from None
    key = key.strip()
    if len(key) < MIN_KEY_BYTES:
        raise InputError(
            f"key file holds {len(key)} bytes, at least {MIN_KEY_BYTES} are needed",
            where,
            hint="make one with: head -c 32 /dev/urandom | base64 > corridor.key",
        )
    return key


def _encode_frame(
    frame: pd.DataFrame,
    key: bytes,
    id_column: str,
    block_keys: dict[str, tuple[str, list[str | None]]] | None = None,
) -> pa.Table:
    columns: dict[str, pa.Array] = {
        id_column: pa.array(frame["record_id"].astype(str)),
        "dob_y": pa.array(frame["dob_y"], type=pa.int16()),
        "sex": pa.array(frame["sex"], type=pa.string()),
    }
    fields: list[str] = []
    # date of birth with day and month in order: equal when only they were swapped
    day_month = frame[["dob_m", "dob_d"]].fillna(0).astype(int)
    lo = day_month.min(axis=1).astype(str).str.zfill(2)
    hi = day_month.max(axis=1).astype(str).str.zfill(2)
    dm = (frame["dob_y"].fillna(0).astype(int).astype(str) + lo + hi).where(
        frame["dob"].notna(), None
    )
    frame = frame.assign(dob_dm=dm)
    for column, name in ENCODED_FIELDS.items():
        values = frame[column].where(frame[column].notna(), None).tolist()
        if not any(values):
            continue
        filters, present = bloom_filters(values, key, HASH_LABEL.get(name, name))
        raw = filters.view(np.uint8).reshape(len(values), FILTER_BITS // 8)
        blobs = [bytes(raw[i]) if present[i] else None for i in range(len(values))]
        columns[f"bf_{name}"] = pa.array(blobs, type=pa.binary(FILTER_BITS // 8))
        fields.append(name)
    tokens = []
    for column, label in TOKEN_COLUMNS.items():
        if column in frame and frame[column].notna().any():
            got = keyed_tokens(frame[column].tolist(), key, label)
            columns[f"k_{column}"] = pa.array(got, mask=got == 0, type=pa.int64())
            tokens.append(column)
    for name, (label, joined) in (block_keys or {}).items():
        if any(k is not None for k in joined):
            got = keyed_tokens(joined, key, "block:" + label)
            columns[name] = pa.array(got, mask=got == 0, type=pa.int64())
            tokens.append(name)
    for group, group_fields, bands, rows in LSH_GROUPS:
        used = [f for f in group_fields if f in frame and frame[f].notna().any()]
        if not used:
            continue
        # each distinct combination of the fields once (names repeat a lot)
        combos = frame[used].astype(object).where(frame[used].notna(), None)
        codes, uniques = pd.factorize(pd.MultiIndex.from_frame(combos), use_na_sentinel=False)
        # names are tagged as one class, so swapped given name and surname give one set
        sets = [
            frozenset(
                f"{LSH_CLASS.get(f, f)}:{g}"
                for f, v in zip(used, values, strict=True)
                if isinstance(v, str)
                for g in bigrams(v)
            )
            for values in uniques
        ]
        keys = minhash_bands(sets, key, group, bands, rows)[codes]
        for b in range(bands):
            col = keys[:, b]
            columns[f"lsh_{group}_{b}"] = pa.array(col, mask=col == 0, type=pa.int64())
    meta = {
        "format": FORMAT,
        "filter_bits": FILTER_BITS,
        "hashes": HASHES,
        "fields": fields,
        "tokens": tokens,
        "lsh": [
            {"group": g, "fields": list(f), "bands": b, "rows": r} for g, f, b, r in LSH_GROUPS
        ],
    }
    table = pa.table(columns)
    return table.replace_schema_metadata({b"corridor": json.dumps(meta).encode()})


def encode_file(
    path: Path,
    key_file: Path,
    id_column: str,
    out: Path,
    fields: dict[str, str] | None = None,
) -> int:
    """Encode a record file into ``out`` (Parquet); returns the number of records.

    The key is read from ``key_file`` and appears in no output.
    """
    key = read_key(key_file)
    with open_backend() as be:
        load_records(be, [Path(path)], id_column, fields)
        frame = be.fetch("SELECT * FROM recs ORDER BY _i").to_pandas()
        present = [c for c in frame.columns if frame[c].notna().any()]
        block_keys = blocking_token_keys(be, "recs", present)
    table = _encode_frame(frame, key, id_column, block_keys)
    out = Path(out)
    with staged_output(out.parent if str(out.parent) else Path("."), (out.name,)) as tmp:
        pq.write_table(table, tmp / out.name, compression="zstd")
    return table.num_rows


def _read_encoded(path: Path, id_column: str) -> pa.Table:
    where = Location(file=str(path))
    if not Path(path).is_file():
        raise InputError("file not found", where)
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(
            "cannot read the file as Parquet written by `corridor encode`",
            where,
            hint=str(exc).splitlines()[0][:200],
        ) from None
    meta = (table.schema.metadata or {}).get(b"corridor")
    if not meta or json.loads(meta).get("format") != FORMAT:
        raise InputError(
            "not a file written by `corridor encode`", where, hint="--pprl takes encoded inputs"
        )
    if id_column not in table.column_names:
        raise InputError(
            f"no id column `{id_column}`",
            Location(str(path), column=id_column),
            hint=f"columns are: {', '.join(table.column_names[:12])}",
        )
    return table


def load_encoded(backend: Backend, paths: Sequence[Path], id_column: str) -> list[Source]:
    """Build ``recs`` from encoded files: filters unpacked to words plus popcounts."""
    frames: list[pa.Table] = []
    sources: list[Source] = []
    offset = 0
    seen: dict[str, tuple[str, int]] = {}
    for index, path in enumerate(paths):
        table = _read_encoded(Path(path), id_column)
        ids = table[id_column].to_pylist()
        for row, rid in enumerate(ids, start=1):
            if rid is None or str(rid).strip() == "":
                raise InputError("empty record id", Location(str(path), row=row, column=id_column))
            if rid in seen:
                first = seen[rid]
                raise InputError(
                    "duplicate record id",
                    Location(str(path), row=row, column=id_column, value=rid),
                    hint=f"first seen in {first[0]} row {first[1]}",
                )
            seen[rid] = (Path(path).name, row)
        n = table.num_rows
        cols: dict[str, pa.Array | np.ndarray] = {
            "_i": np.arange(offset, offset + n, dtype=np.int32),
            "_src": np.full(n, index, dtype=np.uint8),
            "record_id": table[id_column].cast(pa.string()),
            "dob_y": table["dob_y"],
            "sex": table["sex"],
        }
        for name in ENCODED_FIELDS.values():
            col = f"bf_{name}"
            if col not in table.column_names:
                continue
            arr = table[col].combine_chunks()
            valid = ~np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
            raw = np.zeros((n, FILTER_BITS // 8), dtype=np.uint8)
            if valid.any():
                filled = [b if b is not None else bytes(FILTER_BITS // 8) for b in arr.to_pylist()]
                raw = np.frombuffer(b"".join(filled), dtype=np.uint8).reshape(n, -1)
            words = raw.view(np.uint64)
            for j in range(WORDS):
                cols[f"w_{name}_{j}"] = words[:, j].copy()
            counts = np.bitwise_count(words).sum(axis=1).astype(np.int16)
            cols[f"c_{name}"] = pa.array(counts, mask=~valid)
            if name in TF_FIELDS:  # an id of the filter, for its frequency
                mixed = np.zeros(n, dtype=np.uint64)
                with np.errstate(over="ignore"):
                    for j in range(WORDS):
                        mixed = mixed * np.uint64(0x9E3779B97F4A7C15) ^ words[:, j]
                cols[f"h_{name}"] = pa.array(mixed.view(np.int64), mask=~valid)
        for col in table.column_names:
            if col.startswith(("lsh_", "k_", "kb_")):
                cols[col] = table[col]
        _add_missing(cols, n)
        frames.append(pa.table(cols))
        sources.append(Source(index, Path(path), f"enc_{index}", n, {}))
        offset += n
    combined = pa.concat_tables(frames, promote_options="default")
    backend.register("recs", combined)
    return sources


# filters and tokens that comparisons of other fields read (a swapped name, a nickname):
# absent ones are added empty, so the SQL runs on files lacking a field
_CROSS_READ = ("given", "given_nick", "surnames", "dob_dm")


def _add_missing(cols: dict[str, pa.Array | np.ndarray], n: int) -> None:
    for name in _CROSS_READ:
        if f"c_{name}" not in cols:
            for j in range(WORDS):
                cols[f"w_{name}_{j}"] = np.zeros(n, dtype=np.uint64)
            cols[f"c_{name}"] = pa.nulls(n, pa.int16())
    for column in TOKEN_COLUMNS:
        cols.setdefault(f"k_{column}", pa.nulls(n, pa.int64()))


def _dice(name: str, other: str | None = None) -> str:
    o = other or name
    inter = " + ".join(f"bit_count(l.w_{name}_{j} & r.w_{o}_{j})" for j in range(WORDS))
    return f"(2.0 * ({inter}) / (l.c_{name} + r.c_{o}))"


def _dice_comparison(name: str, thresholds: Sequence[float], kinds: Iterable[str]) -> Comparison:
    levels = [Level("identical filters", f"{_dice(name)} >= 0.999", m_start=0.85)]
    levels += [
        Level(f"dice >= {t}", f"{_dice(name)} >= {t}", m_start=0.1 / (i + 1))
        for i, t in enumerate(thresholds)
    ]
    return Comparison(name, (f"c_{name}",), tuple(levels), frozenset(kinds))


def _coalesced(sql: str) -> str:
    return f"coalesce({sql}, false)"


# the blocking keys each comparison overlaps: the plaintext columns (blocking tokens keep
# the plaintext rules' columns) and the LSH groups
_NAME_KINDS = frozenset({"given", "given1", "given_nick", "name_tokens", "names"})
# the swapped level reads the surname: a session blocked on equal surnames never sees a swap
_GIVEN_KINDS = _NAME_KINDS | {"surname1"}
_SURNAME_KINDS = frozenset({"surnames", "surname1", "surname2", "name_tokens", "names"})


def pprl_comparisons() -> list[Comparison]:
    """Comparisons mirroring the plaintext ones level by level.

    Equality of a value becomes equality of its keyed token or identical filters,
    Jaro-Winkler becomes Dice of the filters.
    """
    nick = f"{_dice('given_nick')} >= 0.999"
    first_given = _coalesced(f"l.k_given1 = r.k_given1 OR {nick}")
    # both ways round (one way alone is just a surname that is also a given name)
    swapped = _coalesced(
        "l.k_name_tokens = r.k_name_tokens"
        " OR (l.k_given1 = r.k_surname1 AND l.k_surname1 = r.k_given1)"
    )
    given_agrees = _coalesced(f"l.k_given1 = r.k_given1 OR {nick} OR {_dice('given')} >= 0.7")
    # both records give a second given name and they differ (Maria Isabel, Maria Noemi)
    second_differs = f"{first_given} AND l.k_given <> l.k_given1 AND r.k_given <> r.k_given1"
    given_levels = (
        Level("identical filters", f"{_dice('given')} >= 0.999", "h_given", 0.85),
        Level("dice >= 0.85", f"{_dice('given')} >= 0.85", m_start=0.05),
        Level(
            "first given name equal, second differs",
            _coalesced(second_differs),
            m_start=0.02,
        ),
        Level("first given name or nickname", first_given, m_start=0.05),
        Level("dice >= 0.7", f"{_dice('given')} >= 0.7", m_start=0.02),
        Level("swapped with surname", swapped, m_start=0.01),
    )
    surname_levels = (
        Level(
            "first surname, and second where both have one",
            _coalesced(
                "l.k_surname1 = r.k_surname1 AND (l.k_surname2 IS NULL OR r.k_surname2 IS NULL"
                " OR l.k_surname2 = r.k_surname2)"
            ),
            "k_surname1",
            0.85,
        ),
        # a cousin as often as a typo: EM weighs it apart from the Dice levels
        Level(
            "first equal, second differs", _coalesced("l.k_surname1 = r.k_surname1"), m_start=0.03
        ),
        Level("dice >= 0.85", f"{_dice('surnames')} >= 0.85", m_start=0.06),
        # a mother's surname used alone, or two relatives sharing one surname
        Level(
            "one surname shared, other position",
            _coalesced("l.k_surname1 = r.k_surname2 OR l.k_surname2 = r.k_surname1"),
            m_start=0.02,
        ),
        Level("dice >= 0.7", f"{_dice('surnames')} >= 0.7", m_start=0.04),
    )
    dob_levels = (
        Level("identical filters", f"{_dice('dob')} >= 0.999", m_start=0.85),
        Level("day and month swapped", _coalesced(f"{_dice('dob_dm')} >= 0.999"), m_start=0.02),
        Level("dice >= 0.8", f"{_dice('dob')} >= 0.8", m_start=0.08),
        Level("dice >= 0.6", f"{_dice('dob')} >= 0.6", m_start=0.03),
        Level("year within 1", _coalesced("abs(l.dob_y - r.dob_y) <= 1"), m_start=0.01),
    )
    return [
        Comparison("given", ("c_given",), given_levels, _GIVEN_KINDS),
        Comparison(
            "surnames",
            ("c_surnames",),
            surname_levels,
            _SURNAME_KINDS,
            # swapped names are counted once, by the given-name comparison
            neutral=f"(NOT {given_agrees} AND {swapped})",
        ),
        Comparison(
            "dob",
            ("c_dob",),
            dob_levels,
            frozenset({"dob", "dob_y", "dob_m", "dob_d", "dobnames"}),
        ),
        # sex follows from the given name: sessions blocked on names leave it out. Unlike
        # plaintext, u is not measured among pairs sharing the name's token (u_among):
        # corridor 200k x 200k F1 0.9821 without, 0.9797 with (recall 0.974 -> 0.963)
        Comparison(
            "sex",
            ("sex",),
            (Level("exact", "l.sex = r.sex", m_start=0.97),),
            _NAME_KINDS | {"sex"},
        ),
        _dice_comparison("nationality", (), {"nationality"} | _NAME_KINDS | _SURNAME_KINDS),
        _dice_comparison("doc_number", (0.8,), {"doc_number"}),
        _dice_comparison("phone", (0.8,), {"phone"}),
        _dice_comparison("postcode", (0.7,), {"postcode", "address"}),
        _dice_comparison("city", (0.8,), {"city", "address"}),
        _dice_comparison("street", (0.85, 0.7), {"street", "address"}),
        _dice_comparison("street_number", (), {"street_number"}),
        _dice_comparison("address2", (0.8,), {"address2"}),
        _dice_comparison("state", (), {"state"}),
    ]


def pprl_rules(backend: Backend) -> list[BlockingRule]:
    """The plaintext blocking rules on their keyed tokens, then one rule per LSH band.

    The tokens block exactly like the plaintext linker; the bands add pairs whose
    names differ by a typo or a transliteration. Name bands are paired with the
    birth year (a coarse key in clear): common names share bands, and without the
    year their blocks outgrow the pair budget. The bands of date of birth + names
    carry the date themselves and run alone.
    """
    columns = backend.fetch("SELECT * FROM recs LIMIT 0").column_names
    has_year = bool(backend.scalar("SELECT count(dob_y) FROM recs"))
    rules = token_rules(columns)
    for group, _fields, bands, _rows in LSH_GROUPS:
        for b in range(bands):
            col = f"lsh_{group}_{b}"
            if col not in columns:
                continue
            keys, blocked = [f"{{}}.{col}"], {group}
            if group == "names" and has_year:
                # the year blocks the date of birth too: EM must not estimate it there
                keys.append("{}.dob_y")
                blocked.add("dob_y")
            r = rule(f"lsh {group} {b}", *keys)
            rules.append(BlockingRule(r.name, r.left, r.right, frozenset(blocked)))
    if not rules:
        raise InputError("the encoded inputs carry no blocking tokens or LSH keys")
    return rules[:MAX_RULES]
