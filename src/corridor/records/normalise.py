"""Normalisation of person records, as one SQL SELECT any backend can run.

Every source becomes the same normalised columns (``NORMALISED_COLUMNS``),
NULL where a source lacks the field, so sources union by name:

* names: Unicode folded (accents, case, punctuation), surname particles
  (``de``, ``del``, ``de la``, ...) dropped, two surnames in one column split
  into ``surname1``/``surname2``, the first of compound given names kept as
  ``given1`` and its nickname's full form as ``given_nick``;
* dates of birth: ISO, ``YYYYMMDD`` and day-first ``DD/MM/YYYY`` read into
  ``dob`` = ``YYYYMMDD`` (kept even when not a valid calendar date, so a typo
  still compares by edit distance); a month above 12 with a day at most 12 is
  a day/month swap and is swapped back;
* documents and postcodes: upper-case letters and digits only; phones: the
  last 8 digits (country and area prefixes vary); sex: ``M``/``F`` from
  English and Spanish words.
"""

from __future__ import annotations

from collections.abc import Mapping

from corridor.records.fields import FieldKind
from corridor.records.nicknames import NICKNAMES

__all__ = ["NICKNAME_TABLE", "NORMALISED_COLUMNS", "nickname_rows", "normalise_sql"]

NICKNAME_TABLE = "corridor_nicknames"

# name -> SQL type of every normalised column, in order.
NORMALISED_COLUMNS: dict[str, str] = {
    "_i": "INTEGER",
    "_src": "UTINYINT",
    "record_id": "VARCHAR",
    "given": "VARCHAR",
    "given1": "VARCHAR",
    "given_nick": "VARCHAR",
    "surname1": "VARCHAR",
    "surname2": "VARCHAR",
    "surnames": "VARCHAR",
    "name_tokens": "VARCHAR",
    "dob": "VARCHAR",
    "dob_y": "SMALLINT",
    "dob_m": "TINYINT",
    "dob_d": "TINYINT",
    "sex": "VARCHAR",
    "nationality": "VARCHAR",
    "doc_number": "VARCHAR",
    "phone": "VARCHAR",
    "postcode": "VARCHAR",
    "city": "VARCHAR",
    "street": "VARCHAR",
    "street_number": "VARCHAR",
    "address2": "VARCHAR",
    "state": "VARCHAR",
    "agency": "VARCHAR",
    "geo": "VARCHAR",
    "event": "VARCHAR",
    "event_date": "DATE",
    "place": "VARCHAR",
    "group_ref": "VARCHAR",
}

_PARTICLES = "de|del|la|las|los|y|e|da|das|do|dos|di|van|von|der|den|le|du|st|san"


def nickname_rows() -> list[tuple[str, str]]:
    """``(nickname, full name)`` rows for the nickname table."""
    return sorted(NICKNAMES.items())


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _fold(expr: str) -> str:
    # lower before strip_accents; every run of non [a-z0-9] becomes one space
    inner = f"regexp_replace(strip_accents(lower(CAST({expr} AS VARCHAR))), '[^a-z0-9]+', ' ', 'g')"
    return f"nullif(trim({inner}), '')"


def _drop_particles(expr: str) -> str:
    # applied twice: a match consumes the space the next particle needs ("de la")
    pattern = f"' ({_PARTICLES}) '"
    once = f"regexp_replace(' ' || {expr} || ' ', {pattern}, ' ', 'g')"
    twice = f"regexp_replace({once}, {pattern}, ' ', 'g')"
    # a surname made only of particles ("De") stays as written
    return f"coalesce(nullif(trim({twice}), ''), {expr})"


def _alnum_upper(expr: str) -> str:
    return f"nullif(regexp_replace(upper(CAST({expr} AS VARCHAR)), '[^A-Z0-9]', '', 'g'), '')"


def _dob_parts(expr: str) -> tuple[str, str, str]:
    """SQL for year, month and day of a date of birth written in common ways."""
    v = f"trim(CAST({expr} AS VARCHAR))"
    ymd = r"'^(\d{4})[-/. ](\d{1,2})[-/. ](\d{1,2})'"
    dmy = r"'^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})'"
    compact = r"'^(\d{8})$'"

    def part(
        ymd_group: int, dmy_group: int, compact_ymd: tuple[int, int], compact_dmy: tuple[int, int]
    ) -> str:
        return (
            f"TRY_CAST(CASE WHEN regexp_matches({v}, {ymd})"
            f" THEN regexp_extract({v}, {ymd}, {ymd_group})"
            f" WHEN regexp_matches({v}, {dmy}) THEN regexp_extract({v}, {dmy}, {dmy_group})"
            f" WHEN regexp_matches({v}, {compact}) AND substr({v}, 1, 2) IN ('19', '20')"
            f" THEN substr({v}, {compact_ymd[0]}, {compact_ymd[1]})"
            f" WHEN regexp_matches({v}, {compact})"
            f" THEN substr({v}, {compact_dmy[0]}, {compact_dmy[1]})"
            " END AS INTEGER)"
        )

    year = part(1, 3, (1, 4), (5, 4))
    month = part(2, 2, (5, 2), (3, 2))
    day = part(3, 1, (7, 2), (1, 2))
    return year, month, day


def normalise_sql(
    table: str,
    fields: Mapping[FieldKind, str],
    id_column: str,
    source: int,
    offset: int,
) -> str:
    """A SELECT turning ``table`` (one source, as read) into the normalised columns.

    Args:
        table: The raw table (with a ``_row`` column, 1-based file order).
        fields: ``kind -> column`` of this source.
        id_column: The column holding the record id.
        source: The source's index (0 for the first file).
        offset: Added to ``_row - 1`` to give ``_i``, unique across sources.
    """

    def col(kind: FieldKind) -> str | None:
        return _q(fields[kind]) if kind in fields else None

    # stage 1 (base): fold each raw column once; stage 2 derives from the folded values
    base: dict[str, str] = {"_row": "_row", "_id": f"CAST({_q(id_column)} AS VARCHAR)"}
    out: dict[str, str] = {
        "_i": f"CAST(_row - 1 + {offset} AS INTEGER)",
        "_src": f"CAST({source} AS UTINYINT)",
        "record_id": "_id",
    }
    given_col = col(FieldKind.GIVEN_NAME)
    if given_col:
        base["_g"] = _drop_particles(_fold(given_col))
        out["given"] = "_g"
        out["given1"] = "nullif(split_part(_g, ' ', 1), '')"
        out["given_nick"] = "coalesce(_nick.full_name, nullif(split_part(_g, ' ', 1), ''))"
    s1_col, s2_col = col(FieldKind.SURNAME), col(FieldKind.SURNAME2)
    base["_s1"] = _drop_particles(_fold(s1_col)) if s1_col else "NULL"
    base["_s2"] = _drop_particles(_fold(s2_col)) if s2_col else "NULL"
    if s1_col or s2_col:
        first = "nullif(split_part(_s1, ' ', 1), '')"
        rest = "nullif(trim(substr(_s1, length(split_part(_s1, ' ', 1)) + 1)), '')"
        # two surnames in one column ("Garcia Lopez") split unless a second column says otherwise
        out["surname1"] = f"CASE WHEN _s2 IS NULL THEN {first} ELSE _s1 END"
        out["surname2"] = f"coalesce(_s2, {rest})"
        out["surnames"] = "nullif(trim(concat_ws(' ', _s1, _s2)), '')"
        # every name token in alphabetical order: the same when given names and surnames
        # were swapped or written in one another's columns
        given = "_g" if given_col else "NULL"
        out["name_tokens"] = (
            "nullif(array_to_string(list_sort(list_filter(string_split(trim(concat_ws(' ', "
            f"{given}, _s1, _s2)), ' '), lambda x: x <> '')), ' '), '')"
        )
    dob_col = col(FieldKind.DOB)
    if dob_col:
        base["_y"], base["_m"], base["_d"] = _dob_parts(dob_col)
        # a "month" above 12 beside a day at most 12 is a day/month swap
        mm = "CASE WHEN _m > 12 AND _d <= 12 THEN _d ELSE _m END"
        dd = "CASE WHEN _m > 12 AND _d <= 12 THEN _m ELSE _d END"
        out["dob_y"] = "_y"
        out["dob_m"] = mm
        out["dob_d"] = dd
        out["dob"] = (
            "CASE WHEN _y IS NOT NULL AND _m IS NOT NULL AND _d IS NOT NULL"
            " AND _y < 10000 AND _m < 100 AND _d < 100"
            f" THEN printf('%04d%02d%02d', _y, {mm}, {dd}) END"
        )
    sex_col = col(FieldKind.SEX)
    if sex_col:
        base["_sex"] = _fold(sex_col)
        out["sex"] = (
            "CASE WHEN _sex IN ('mujer', 'femenino', 'female', 'femme', 'f', 'w', 'woman') THEN 'F'"
            " WHEN _sex IN ('hombre', 'masculino', 'male', 'homme', 'm', 'h', 'man') THEN 'M' END"
        )
    for kind in (FieldKind.DOC_NUMBER, FieldKind.POSTCODE, FieldKind.STREET_NUMBER):
        c = col(kind)
        if c:
            base[kind.value] = _alnum_upper(c)
    phone_col = col(FieldKind.PHONE)
    if phone_col:
        base["_phone"] = f"regexp_replace(CAST({phone_col} AS VARCHAR), '[^0-9]', '', 'g')"
        out["phone"] = "CASE WHEN length(_phone) >= 6 THEN right(_phone, 8) END"
    for kind in (
        FieldKind.NATIONALITY,
        FieldKind.CITY,
        FieldKind.STREET,
        FieldKind.ADDRESS2,
        FieldKind.STATE,
        FieldKind.PLACE,
    ):
        c = col(kind)
        if c:
            base[kind.value] = _fold(c)
    for kind in (FieldKind.AGENCY, FieldKind.GEO, FieldKind.EVENT, FieldKind.GROUP_REF):
        c = col(kind)
        if c:
            base[kind.value] = f"nullif(trim(CAST({c} AS VARCHAR)), '')"
    ev_col = col(FieldKind.EVENT_DATE)
    if ev_col:
        base["event_date"] = f"TRY_CAST({ev_col} AS DATE)"
    for name in base:
        if name in NORMALISED_COLUMNS and name not in out:
            out[name] = name
    inner = ",\n    ".join(f"{expr} AS {name}" for name, expr in base.items())
    select = ",\n  ".join(
        f"CAST({out.get(name, 'NULL')} AS {sql_type}) AS {name}"
        for name, sql_type in NORMALISED_COLUMNS.items()
    )
    join = (
        f"LEFT JOIN {NICKNAME_TABLE} _nick ON _nick.nickname = split_part(_g, ' ', 1)"
        if given_col
        else ""
    )
    with_base = f"WITH base AS (\n  SELECT\n    {inner}\n  FROM {table}\n)"
    return f"{with_base}\nSELECT\n  {select}\nFROM base {join}"
