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
    assert guide["repeat_visits"] == 6  # 4 days at SNM and 4 at UPM: 3 + 3 beyond the first
    assert guide["repeat_checkpoints"] == 2
    assert guide["partners"] == 8  # 4 groups of 2, each with him at the SNM group number
    assert guide["guide_score"] == pytest.approx(6.0)
    assert float(guide["guide_score"]) >= signals.MIN_GUIDE_SCORE
    member = sig(con, "P100")
    assert member["repeat_visits"] == 0 and member["guide_score"] == 0


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
    assert rows["+57 111"] == 4  # 8 people from 4 groups
    assert rows["+58 222"] == 1  # a household: 2 people, one arrival
    holders = con.execute("SELECT holders FROM attr_stats WHERE value = '+57 111'").fetchall()[0][0]
    assert holders == 8
    # a value held by one person is no node of the graph
    assert con.execute("SELECT count(*) FROM attr_stats WHERE holders < 2").fetchall()[0][0] == 0


def test_shared_counts_only_suspicious_values(ring: Path) -> None:
    con = built(ring)
    assert sig(con, "P100")["shared"] == 1  # the ring's phone (4 arrival days)
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
    # 6 repeat visits over days 0..35: 6 * 30 / 35
    assert guide["turnover"] == pytest.approx(round(6 * 30 / 35, 2))


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
    assert sig(con, "E900")["repeat_visits"] == 6
    last = truth["record_id"][-1].as_py()
    assert (
        con.execute("SELECT entity FROM ent_map WHERE record_id = ?", [last]).fetchall()[0][0]
        == "R" + last
    )
