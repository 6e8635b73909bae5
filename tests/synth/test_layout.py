"""The output layout other packages read (docs/synth.md): files, columns, ids, truth."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from corridor.synth.profile import AGENCIES
from corridor.synth.records import RECORD_SCHEMA, TRUTH_SCHEMA


def test_one_parquet_per_agency_with_the_record_columns(small_out: Path) -> None:
    files = sorted(p.stem for p in (small_out / "records").glob("*.parquet"))
    assert files == sorted(AGENCIES)
    for agency in AGENCIES:
        table = pq.read_table(small_out / "records" / f"{agency}.parquet")
        assert table.schema.names[:16] == [
            "record_id", "agency", "geo", "event", "event_date", "place", "given_names",
            "surname1", "surname2", "dob", "sex", "nat", "doc_type", "doc_number", "phone",
            "group_ref",
        ]  # fmt: skip
        assert table.schema.equals(RECORD_SCHEMA)
        assert table.num_rows > 0
        assert set(table.column("agency").to_pylist()) == {agency}


def test_record_ids_are_unique_across_agencies_and_all_have_truth(small_out: Path) -> None:
    con = duckdb.connect()
    recs = f"read_parquet('{small_out}/records/*.parquet')"
    truth = f"read_parquet('{small_out}/truth/records.parquet')"
    n, distinct = con.execute(f"SELECT count(*), count(DISTINCT record_id) FROM {recs}").fetchone()
    assert n == distinct
    joined = con.execute(
        f"SELECT count(*) FROM {recs} r JOIN {truth} t USING (record_id)"
    ).fetchone()[0]
    assert joined == n
    assert pq.read_schema(small_out / "truth" / "records.parquet").equals(TRUTH_SCHEMA)
    # every person in the truth of the records is in the people table
    missing = con.execute(
        f"SELECT count(*) FROM {truth} t ANTI JOIN read_parquet('{small_out}/truth/people.parquet')"
        " p USING (person_id)"
    ).fetchone()[0]
    assert missing == 0


def test_manifest_counts_match_the_files(small_out: Path) -> None:
    manifest = json.loads((small_out / "manifest.json").read_text())
    assert manifest["layout_version"] == 1
    assert manifest["seed"] == 7
    for agency, n in manifest["counts"]["records"].items():
        assert pq.read_metadata(small_out / "records" / f"{agency}.parquet").num_rows == n
    people = pq.read_table(small_out / "truth" / "people.parquet")
    assert people.num_rows == manifest["counts"]["distinct_people"]
    assert len(set(people.column("person_id").to_pylist())) == people.num_rows


def test_every_profile_key_and_agency_is_documented() -> None:
    """docs/synth.md explains every knob of the profile (a knob nobody can find is a bug)."""
    from corridor.synth.profile import ERRORS, MISSING, RECORDS

    docs = (Path(__file__).resolve().parents[2] / "docs" / "synth.md").read_text()
    for key in (*ERRORS, *MISSING, *RECORDS):
        assert key in docs, key
    for agency in AGENCIES:
        assert f"`{agency}`" in docs, agency
