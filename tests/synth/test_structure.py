"""Households, groups and rings come out as configured, and leave the traces linkage needs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from corridor.synth.model import DEFAULT_MODEL
from corridor.synth.names import load
from corridor.synth.run import SynthResult


def _sql(out: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect()
    for name in ("records", "people", "groups", "rings"):
        con.execute(
            f"CREATE VIEW t_{name} AS SELECT * FROM read_parquet('{out}/truth/{name}.parquet')"
        )
    con.execute(f"CREATE VIEW recs AS SELECT * FROM read_parquet('{out}/records/*.parquet')")
    return con.execute(sql).df()


def test_groups_arrive_together(small_out: Path) -> None:
    # at the stations south of Mexico a group's members are received on one day
    df = _sql(
        small_out,
        """
        SELECT r.agency, t.group_id, count(DISTINCT r.event_date) AS days, count(*) AS n
        FROM recs r JOIN t_records t USING (record_id)
        WHERE r.agency IN ('SNM', 'DGME-CR', 'INM-HN') GROUP BY ALL
    """,
    )
    assert (df["days"] == 1).all()
    assert (df["n"] > 1).mean() > 0.3  # many groups have several people


def test_household_members_share_surnames_and_phone(small_out: Path) -> None:
    people = _sql(small_out, "SELECT * FROM t_people WHERE role = 'member'")
    heads = people[people["relation"] == "head"].set_index("household_id")
    children = people[people["relation"] == "child"]
    head_s1 = heads.loc[children["household_id"], "surname1"].to_numpy()
    assert (children["surname1"].to_numpy() == head_s1).all()
    # one phone per household (the head's), given by every member who has one
    phones = people.dropna(subset=["phone"]).groupby("household_id")["phone"].nunique()
    assert (phones == 1).all()
    share_minor = (people["relation"] == "child").mean()
    assert 0.1 < share_minor < 0.35  # children: about one in five crossers


def test_share_of_ring_groups_is_as_configured(small_out: Path) -> None:
    groups = _sql(small_out, "SELECT * FROM t_groups")
    eligible = groups[groups["households"] >= 2]
    share = eligible["ring_id"].notna().mean()
    p, n = DEFAULT_MODEL.ring_group_share, len(eligible)
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / n)
    assert groups.loc[groups["households"] < 2, "ring_id"].isna().all()
    # a guide goes only with ring groups of three or more households
    guided = groups[groups["guide_id"].notna()]
    assert len(guided) > 10
    assert guided["ring_id"].notna().all() and (guided["households"] >= 3).all()


def test_guides_cross_repeatedly_with_different_groups(small_out: Path) -> None:
    df = _sql(
        small_out,
        """
        SELECT t.person_id, any_value(t.ring_id) AS ring, count(DISTINCT t.group_id) AS groups,
               count(DISTINCT p.surname1) AS spellings
        FROM t_records t JOIN t_people p USING (person_id)
        WHERE t.role = 'guide' GROUP BY 1
    """,
    )
    assert (df["groups"] >= 2).mean() > 0.5
    rings = _sql(small_out, "SELECT ring_id, unnest(guide_ids) AS person_id FROM t_rings")
    merged = df.merge(rings, on="person_id")
    assert len(merged) == len(df) and (merged["ring"] == merged["ring_id"]).all()


def test_ring_phones_addresses_and_sponsors_are_shared(small_out: Path) -> None:
    for column, list_col in (("phone", "phones"), ("address", "addresses"),
                             ("sponsor_ref", "sponsor_refs")):  # fmt: skip
        df = _sql(
            small_out,
            f"""
            WITH shared AS (SELECT ring_id, unnest({list_col}) AS value FROM t_rings)
            SELECT s.ring_id, s.value, count(DISTINCT t.household_id) AS households
            FROM shared s JOIN recs r ON r.{column} = s.value
            JOIN t_records t USING (record_id) GROUP BY ALL
        """,
        )
        assert len(df) > 0, column
        # each shared value is given by several unrelated households
        assert df["households"].max() >= 5, column


def test_names_are_zipf_like_and_culturally_plausible(small_out: Path) -> None:
    people = _sql(small_out, "SELECT nat, given_names, surname1, surname2 FROM t_people")
    ven = people[people["nat"] == "VEN"]["surname1"].value_counts()
    # the most common Venezuelan surname is far more common than the median one
    assert ven.iloc[0] > 5 * ven.median()
    assert ven.index[0] in {"González", "Rodríguez", "Pérez", "Hernández", "García"}
    bank = load()
    chinese = bank.cultures[[c.name for c in bank.cultures].index("chinese")]
    chn = people[people["nat"] == "CHN"]
    assert len(chn) > 20
    assert chn["surname1"].isin({bank.vocab[i] for i in chinese.surname}).all()
    assert chn["surname2"].isna().all()  # one surname
    hti = people[people["nat"] == "HTI"]
    assert hti["surname2"].isna().all() and len(hti) > 20
    # Hispanic people mostly carry two surnames (particles such as "de la" included)
    col = people[people["nat"].isin(["VEN", "COL", "ECU"])]
    assert col["surname2"].notna().mean() > 0.95


@pytest.mark.parametrize("agency", ["SNM", "USBP"])
def test_upper_case_agencies_write_no_accents(small_run: SynthResult, agency: str) -> None:
    recs = pd.read_parquet(small_run.out / "records" / f"{agency}.parquet")
    text = recs["given_names"].dropna()
    assert (text == text.str.upper()).all()
    assert not text.str.contains("[áéíóúñÁÉÍÓÚÑ]").any()
