"""Agency errors come out at the configured rates, and are what their flags say.

Each error kind runs alone (every other rate at zero, via a profile file), so a
record can be compared with the person's true identity field by field.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from corridor.synth.names import load
from corridor.synth.profile import AGENCIES, ERRORS, MISSING
from corridor.synth.run import synth

RATE = 0.3
PEOPLE = 4_000


def _profile(path: Path, errors: dict[str, float], missing: dict[str, float] | None = None) -> Path:
    lines = []
    for agency in AGENCIES:
        lines.append(f"[agency.{agency}]")
        lines += [f"{e} = {errors.get(e, 0.0)}" for e in ERRORS]
        lines.append(f"[agency.{agency}.missing]")
        lines += [f"{m} = {(missing or {}).get(m, 0.0)}" for m in MISSING]
        lines.append(f"[agency.{agency}.records]")
        lines += ["doc_number = 1.0", "phone = 1.0"]
    path.write_text("\n".join(lines) + "\n")
    return path


def _records(
    tmp_path: Path, errors: dict[str, float], missing: dict[str, float] | None = None
) -> pd.DataFrame:
    profile = _profile(tmp_path / "profile.toml", errors, missing)
    out = synth(tmp_path / "run", people=PEOPLE, seed=3, profile=profile).out
    return (
        duckdb.connect()
        .execute(f"""
        SELECT r.*, t.* EXCLUDE (record_id), p.given_names AS t_given, p.surname1 AS t_s1,
               p.surname2 AS t_s2, p.dob AS t_dob, p.sex AS t_sex, p.nat AS t_nat,
               p.doc_number AS t_doc
        FROM read_parquet('{out}/records/*.parquet') r
        JOIN read_parquet('{out}/truth/records.parquet') t USING (record_id)
        JOIN read_parquet('{out}/truth/people.parquet') p USING (person_id)
    """)
        .df()
    )


def _same(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a == b) | (a.isna() & b.isna())


def _fold(text: str | None) -> str | None:
    if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)):
        return None
    bare = "".join(
        c for c in unicodedata.normalize("NFD", text.upper()) if not unicodedata.combining(c)
    )
    return unicodedata.normalize("NFC", bare).replace("Đ", "D")


def _assert_rate(flags: pd.Series, applicable: pd.Series, rate: float) -> None:
    n = int(applicable.sum())
    assert n > 500
    assert not (flags & ~applicable).any(), "an error drawn where it cannot happen"
    got = flags[applicable].mean()
    assert abs(got - rate) < 4 * np.sqrt(rate * (1 - rate) / n), (got, rate, n)


def test_without_errors_records_are_the_truth(tmp_path: Path) -> None:
    df = _records(tmp_path, {})
    for col, truth in (("given_names", "t_given"), ("surname1", "t_s1"), ("surname2", "t_s2"),
                       ("dob", "t_dob"), ("sex", "t_sex"), ("nat", "t_nat")):  # fmt: skip
        assert _same(df[col], df[truth]).all(), col
    written = df["doc_number"].notna()
    assert (df.loc[written, "doc_number"] == df.loc[written, "t_doc"]).all()
    assert not df[[f"err_{e}" for e in ERRORS]].to_numpy().any()


def _dob_swappable(dob: pd.Series) -> pd.Series:
    d = pd.to_datetime(dob)
    return (d.dt.day <= 12) & (d.dt.day != d.dt.month)


def _variant_keys() -> set[str]:
    bank = load()
    return {bank.vocab[i] for i in np.flatnonzero(bank.n_variants > 0)}


def _has_variant(df: pd.DataFrame) -> pd.Series:
    keys = _variant_keys()

    def one(row: pd.Series) -> bool:
        given = row["t_given"] or ""
        if row["t_s1"] in keys or row["t_s2"] in keys or given in keys:
            return True
        return any(given.startswith(k + " ") or given.endswith(" " + k) for k in keys)

    return df.apply(one, axis=1)


CHECKS = {
    # kind: (applicable(df), what a flagged record looks like(df))
    "upper_no_accents": (
        lambda df: pd.Series(True, index=df.index),
        lambda df: (
            (df["given_names"] == df["t_given"].map(_fold))
            & (df["surname1"] == df["t_s1"].map(_fold))
        ),
    ),
    "missing_surname2": (
        lambda df: df["t_s2"].notna(),
        lambda df: df["surname2"].isna(),
    ),
    "hyphenate_surnames": (
        lambda df: df["t_s2"].notna(),
        lambda df: (df["surname1"] == df["t_s1"] + "-" + df["t_s2"]) & df["surname2"].isna(),
    ),
    "swap_names": (
        lambda df: pd.Series(True, index=df.index),
        lambda df: (
            (
                df["given_names"]
                == df["t_s1"] + df["t_s2"].map(lambda s: f" {s}" if isinstance(s, str) else "")
            )
            & (
                (
                    df["surname1"]
                    + df["surname2"].map(lambda s: f" {s}" if isinstance(s, str) else "")
                )
                == df["t_given"]
            )
        ),
    ),
    "swap_day_month": (
        lambda df: _dob_swappable(df["t_dob"]),
        lambda df: (
            pd.to_datetime(df["dob"]).dt.strftime("%m-%d")
            == pd.to_datetime(df["t_dob"]).dt.strftime("%d-%m")
        ),
    ),
    "typo": (
        lambda df: pd.Series(True, index=df.index),
        lambda df: (df["given_names"] != df["t_given"]) ^ (df["surname1"] != df["t_s1"]),
    ),
    "transliteration": (
        _has_variant,
        lambda df: (
            (df["given_names"] != df["t_given"])
            | (df["surname1"] != df["t_s1"])
            | ~_same(df["surname2"], df["t_s2"])
        ),
    ),
    "changed_document": (
        lambda df: df["doc_number"].notna(),
        lambda df: df["doc_number"] != df["t_doc"],
    ),
}


@pytest.mark.parametrize("kind", list(CHECKS))
def test_error_rate_and_form(tmp_path: Path, kind: str) -> None:
    df = _records(tmp_path, {kind: RATE})
    applicable, looks = CHECKS[kind]
    flags = df[f"err_{kind}"]
    _assert_rate(flags, applicable(df), RATE)
    assert looks(df)[flags].all(), f"a record flagged {kind} does not show it"
    # unflagged records are untouched
    clean = ~flags
    assert (df.loc[clean, "given_names"] == df.loc[clean, "t_given"]).all()
    assert _same(df.loc[clean, "surname2"], df.loc[clean, "t_s2"]).all()


def test_ocr_confusions(tmp_path: Path) -> None:
    df = _records(tmp_path, {"ocr": RATE})
    pattern = "O|0|I|l|S|B|rn|m|E|G|Z|e|a|u|n|h"
    both = df["t_given"].str.contains(pattern) & df["t_s1"].str.contains(pattern)
    flags = df["err_ocr"]
    got = flags[both].mean()
    assert abs(got - RATE) < 4 * np.sqrt(RATE * (1 - RATE) / both.sum())
    changed = (df["given_names"] != df["t_given"]) | (df["surname1"] != df["t_s1"])
    assert (changed == flags).all()


def test_missing_values_at_their_rates(tmp_path: Path) -> None:
    rates = {"dob": 0.1, "sex": 0.2, "nat": 0.05}
    df = _records(tmp_path, {}, rates)
    for field, rate in rates.items():
        assert (df[field].isna() == df[f"missing_{field}"]).all()
        _assert_rate(df[f"missing_{field}"], pd.Series(True, index=df.index), rate)


def test_bad_profile_values_fail_with_file_and_key(tmp_path: Path) -> None:
    from corridor.errors import InputError
    from corridor.synth.profile import load_profile

    cases = {
        "rate.toml": ("[agency.SNM]\ntypo = 1.5\n", "agency.SNM.typo"),
        "agency.toml": ("[agency.XYZ]\ntypo = 0.1\n", "agency.XYZ"),
        "key.toml": ("[defaults]\ntypos = 0.1\n", "defaults.typos"),
        "text.toml": ('[defaults]\ntypo = "often"\n', "defaults.typo"),
        "syntax.toml": ("[defaults\ntypo = 0.1\n", "not valid TOML"),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(InputError, match=expected.replace(".", r"\.")) as err:
            load_profile(path)
        assert name in str(err.value)


def test_defaults_can_be_overridden_for_every_agency(tmp_path: Path) -> None:
    from corridor.synth.profile import load_profile

    path = tmp_path / "p.toml"
    path.write_text("[defaults]\nocr = 0.2\n[defaults.records]\nphone = 0.9\n")
    profiles = load_profile(path)
    # agencies that did not set their own OCR rate take the new default
    assert profiles["UPM"].errors["ocr"] == 0.2
    assert profiles["DGME-CR"].errors["ocr"] == 0.03  # its own rate is kept
    assert profiles["SNM"].records["phone"] == 0.2  # its own
    assert profiles["IGM"].records["phone"] == 0.9
