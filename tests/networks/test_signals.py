"""Each signal on a graph small enough to know the answer by heart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from corridor.networks import graph, inputs, signals
from corridor.networks.run import connect
from tests.networks.conftest import Folder


def built(root: Path, entities: str = "truth") -> duckdb.DuckDBPyConnection:
    con, _tmp = connect("500MB")
    inputs.load_records(con, root)
    inputs.load_entities(con, root, entities)
    graph.build(con, graph.GraphOptions())
    signals.entity_signals(con)
    return con


def sig(con: duckdb.DuckDBPyConnection, entity: str) -> dict[str, object]:
    cur = con.execute("SELECT * FROM ent_sig WHERE entity = ?", [entity])
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchall()[0], strict=True))


def test_guide_pattern_repeat_crossings_with_different_people(ring: Path) -> None:
    con = built(ring)
    guide = sig(con, "P900")
    assert guide["repeat_visits"] == 14  # 8 days at SNM and 8 at UPM: 7 + 7 beyond the first
    assert guide["repeat_checkpoints"] == 2
    assert guide["partners"] == 16  # 8 groups of 2, each with him at the SNM group number
    assert guide["birth_years"] == 0  # the hand-built records give no dates of birth
    assert guide["guide_score"] == pytest.approx(14.0)
    assert float(guide["guide_score"]) >= signals.MIN_GUIDE_SCORE
    member = sig(con, "P100")
    assert member["repeat_visits"] == 0 and member["guide_score"] == 0


def test_household_re_encounters_are_not_trips(folder: Callable[[], Folder]) -> None:
    f = folder()
    for day in range(0, 60, 10):  # a couple encountered six times, giving their phone each time
        f.add(1, "USBP", day, phone="+52 333")
        f.add(2, "USBP", day, phone="+52 333")
    con = built(f.write())
    assert con.execute("SELECT trips FROM attr_stats").fetchall() == [(2,)]


def test_several_birth_years_mean_a_linkage_merge_not_a_guide(
    folder: Callable[[], Folder],
) -> None:
    f = folder()
    for g in range(6):  # "entity 1" crosses twice per group at two checkpoints...
        for p in (1, 100 + g):
            f.add(p, "SNM", g * 10, group_ref=f"G{g}", dob=f"{1980 + g}-01-01" if p == 1 else None)
            f.add(p, "UPM", g * 10 + 3, place="T")
    con = built(f.write())
    s = sig(con, "P1")  # ... but its records give six birth years: six people, linked as one
    assert s["repeat_visits"] == 10 and s["birth_years"] == 6 and s["guide_score"] == 0


def test_repeats_at_one_checkpoint_count_a_quarter(folder: Callable[[], Folder]) -> None:
    f = folder()
    for day in (0, 10, 20, 30, 40):  # five US encounters: a re-encounter pattern, not a guide
        f.add(1, "USBP", day)
    con = built(f.write())
    s = sig(con, "P1")
    assert s["repeat_visits"] == 4 and s["repeat_checkpoints"] == 1
    assert float(s["guide_score"]) < signals.MIN_GUIDE_SCORE


def test_fan_out_counts_arrival_days_not_people(ring: Path) -> None:
    con = built(ring)
    rows = dict(con.execute("SELECT value, trips FROM attr_stats WHERE kind = 'phone'").fetchall())
    assert rows["+57 111"] == 8  # 16 people from 8 groups, on 8 days at UPM
    assert rows["+58 222"] == 1  # a household: 2 people, one arrival
    holders = con.execute("SELECT holders FROM attr_stats WHERE value = '+57 111'").fetchall()[0][0]
    assert holders == 16
    # a value held by one person is no node of the graph
    assert con.execute("SELECT count(*) FROM attr_stats WHERE holders < 2").fetchall()[0][0] == 0


def test_shared_counts_only_suspicious_values(ring: Path) -> None:
    con = built(ring)
    assert sig(con, "P100")["shared"] == 1  # the ring's phone (8 days)
    assert sig(con, "P500")["shared"] == 0  # the household phone and address: one arrival


def test_cotravel_needs_a_group_or_two_checkpoints(folder: Callable[[], Folder]) -> None:
    f = folder()
    f.add(1, "UPM", 0, place="A")  # 1 and 2: same place and day at two checkpoints
    f.add(2, "UPM", 0, place="A")
    f.add(1, "USBP", 9, place="B")
    f.add(2, "USBP", 9, place="B")
    f.add(3, "UPM", 0, place="A")  # 3 meets them once only: coincidence
    f.add(4, "SNM", 5, group_ref="G")  # 4 and 5: one group number is enough
    f.add(5, "SNM", 5, group_ref="G")
    con = built(f.write())
    pairs = {
        (a, b): (n, g)
        for a, b, n, g in con.execute("SELECT a, b, checkpoints, by_group FROM cotravel").fetchall()
    }
    assert pairs == {("P1", "P2"): (2, False), ("P4", "P5"): (1, True)}


def test_big_station_days_are_not_cotravel(folder: Callable[[], Folder]) -> None:
    f = folder()
    for p in range(70):  # more than max_group at one place and day, twice
        f.add(p, "UPM", 0, place="A")
        f.add(p, "USBP", 3, place="B")
    con = built(f.write())
    assert con.execute("SELECT count(*) FROM cotravel").fetchall()[0][0] == 0


def test_countries_and_turnover(ring: Path) -> None:
    con = built(ring)
    guide = sig(con, "P900")
    assert guide["countries"] == 2  # PAN, MEX
    # 14 repeat visits over days 0..75: 14 * 30 / 75
    assert guide["turnover"] == pytest.approx(round(14 * 30 / 75, 2))


def test_linkage_errors_split_and_merge(ring: Path) -> None:
    con, _ = connect("500MB")
    inputs.load_records(con, ring)
    inputs.load_entities(con, ring, "truth", inputs.Degrade(split=1.0))
    n_rec, n_ent = con.execute("SELECT count(*), count(DISTINCT entity) FROM ent_map").fetchall()[0]
    assert n_rec == n_ent  # every entity split into its records
    con2, _ = connect("500MB")
    inputs.load_records(con2, ring)
    inputs.load_entities(con2, ring, "truth", inputs.Degrade(merge=1.0))
    people = con2.execute(
        "SELECT count(DISTINCT person_id) FROM read_parquet(?)",
        [str(ring / "truth" / "records.parquet")],
    ).fetchall()[0][0]
    merged = con2.execute("SELECT count(DISTINCT entity) FROM ent_map").fetchall()[0][0]
    assert merged == (people + 1) // 2  # entities joined in pairs


def test_clusters_file_as_entities(ring: Path, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    truth = pq.read_table(ring / "truth" / "records.parquet")
    clusters = pa.table(
        {
            "record_id": truth["record_id"],
            "entity_id": pa.compute.cast(truth["person_id"], pa.string()),
        }
    )
    path = tmp_path / "clusters.parquet"
    pq.write_table(clusters.slice(0, clusters.num_rows - 1), path)  # last record left out
    con = built(ring, str(path))
    assert sig(con, "E900")["repeat_visits"] == 14
    last = truth["record_id"][-1].as_py()
    assert (
        con.execute("SELECT entity FROM ent_map WHERE record_id = ?", [last]).fetchall()[0][0]
        == "R" + last
    )
