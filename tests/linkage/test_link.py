import json
import subprocess
import sys

import pandas as pd
import pytest

from corridor.errors import InputError
from corridor.linkage.backend import open_backend
from corridor.linkage.blocking import default_rules, rule_pair_count, usable_rules
from corridor.linkage.config import LinkOptions
from corridor.linkage.engine import present_columns
from corridor.linkage.link import link_files, plan_for
from corridor.records.normalise import NORMALISED_COLUMNS
from corridor.records.reading import load_records
from tests.linkage.people import corrupt, people, two_agencies, write_csv


def _f1(pred: set, truth: set) -> float:
    tp = len(pred & truth)
    return 2 * tp / (len(pred) + len(truth)) if pred or truth else 1.0


@pytest.fixture(scope="module")
def agencies(tmp_path_factory):
    return two_agencies(tmp_path_factory.mktemp("agencies"))


@pytest.fixture(scope="module")
def linked(agencies, tmp_path_factory):
    a, b, truth = agencies
    out = tmp_path_factory.mktemp("run") / "out"
    result = link_files([a, b], out, LinkOptions("id"))
    return out, result, truth


def test_link_finds_the_true_pairs_across_spanish_and_english_headers(linked):
    out, _result, truth = linked
    pairs = pd.read_parquet(out / "pairs.parquet")
    assert list(pairs.columns) == ["left_id", "right_id", "match_probability", "match_weight"]
    assert _f1(set(zip(pairs.left_id, pairs.right_id, strict=True)), truth) >= 0.98
    assert (pairs.match_probability >= 0.5).all()


def test_clusters_cover_every_record_and_pairs_share_entities(linked):
    out, result, truth = linked
    clusters = pd.read_parquet(out / "clusters.parquet")
    assert {"record_id", "entity_id"} <= set(clusters.columns)
    assert len(clusters) == result.records == clusters.record_id.nunique()
    entity = dict(zip(clusters.record_id, clusters.entity_id, strict=True))
    assert sum(entity[a] == entity[b] for a, b in truth) >= 0.98 * len(truth)


def test_model_json_reports_levels_blocking_and_em(linked):
    out, _result, _truth = linked
    model = json.loads((out / "model.json").read_text())
    names = [c["name"] for c in model["comparisons"]]
    assert names[:3] == ["given_name", "surname", "dob"]
    assert 0 < model["prior"] < 0.05
    report = model["report"]
    assert report["candidate_pairs"] == sum(r["new_pairs"] for r in report["blocking"])
    assert all(s.get("converged", True) for s in report["em_sessions"])
    exact = model["comparisons"][0]["levels"][1]
    assert exact["label"] == "exact" and exact["weight"] > 2


def test_same_inputs_give_the_same_entity_ids(agencies, linked, tmp_path):
    a, b, _truth = agencies
    out, _result, _ = linked
    again = link_files([a, b], tmp_path / "again", LinkOptions("id"))
    assert again.out is not None
    first = pd.read_parquet(out / "clusters.parquet").sort_values("record_id")
    second = pd.read_parquet(tmp_path / "again" / "clusters.parquet").sort_values("record_id")
    assert first.entity_id.tolist() == second.entity_id.tolist()


def test_blocking_recall_and_rule_sizes(agencies):
    a, b, truth = agencies
    with open_backend() as be:
        load_records(be, [a, b], "id")
        present = present_columns(be, [c for c in NORMALISED_COLUMNS if not c.startswith("_")])
        rules = usable_rules(default_rules(), present)
        dob_rule = next(r for r in rules if r.name == "dob")
        estimated = rule_pair_count(be, "recs", dob_rule, "link")
        actual = be.scalar(
            "SELECT count(*) FROM recs l JOIN recs r ON l.dob = r.dob WHERE l._src < r._src"
        )
        assert estimated == actual
        plan = plan_for(be, LinkOptions("id", tf=False), 2)
        from corridor.linkage.engine import _build_gammas

        reports = _build_gammas(be, plan, 250)
        candidates = be.fetch(
            "SELECT a.record_id AS l, b.record_id AS r FROM gammas g "
            "JOIN recs a ON a._i = g.li JOIN recs b ON b._i = g.ri"
        ).to_pylist()
    pairs = {(p["l"], p["r"]) for p in candidates}
    assert truth <= pairs  # every true pair meets at least one rule
    assert sum(r.new_pairs for r in reports) == len(pairs)  # the union, each pair once


def test_dedupe_one_file(tmp_path):
    base = people(80, seed=3)
    rows = list(base)
    truth = set()
    for i, person in enumerate(base[:40]):
        dup = corrupt(person, i)
        rows.append(
            {
                **person,
                "id": f"d{i:03d}",
                "given_name": dup["nombres"],
                "surname": dup["apellido_paterno"],
                "surname2": dup["apellido_materno"],
            }
        )
        truth.add(tuple(sorted((person["id"], f"d{i:03d}"))))
    path = write_csv(tmp_path / "one_agency.csv", rows)
    result = link_files([path], tmp_path / "out", LinkOptions("id"))
    pairs = pd.read_parquet(tmp_path / "out" / "pairs.parquet")
    pred = {tuple(sorted(p)) for p in zip(pairs.left_id, pairs.right_id, strict=True)}
    assert result.score.model.mode == "dedupe"
    assert _f1(pred, truth) >= 0.95


def test_bad_input_leaves_no_output(agencies, tmp_path):
    a, _b, _ = agencies
    dup = tmp_path / "dup.csv"
    dup.write_text("id,given_name\n1,Ana\n1,Ana\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(InputError, match="duplicate record id"):
        link_files([a, dup], out, LinkOptions("id"))
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_incremental_batch_keeps_ids_and_records_merges(agencies, tmp_path):
    a, b, truth = agencies
    b_rows = pd.read_csv(b, dtype=str, keep_default_na=False)
    first_b = write_csv(tmp_path / "b_first.csv", b_rows.iloc[:50].to_dict("records"))
    later_b = write_csv(tmp_path / "b_later.csv", b_rows.iloc[50:].to_dict("records"))
    run1 = tmp_path / "run1"
    link_files([a, first_b], run1, LinkOptions("id"))
    before = pd.read_parquet(run1 / "clusters.parquet")
    run2 = tmp_path / "run2"
    link_files([later_b], run2, LinkOptions("id"), previous=run1)
    after = pd.read_parquet(run2 / "clusters.parquet")
    assert len(after) == len(before) + len(b_rows) - 50
    kept = before.merge(after, on="record_id", suffixes=("_before", "_after"))
    assert (kept.entity_id_before == kept.entity_id_after).all()  # nobody renumbered
    entity = dict(zip(after.record_id, after.entity_id, strict=True))
    late_truth = [(x, y) for x, y in truth if y in set(b_rows.iloc[50:]["id"])]
    assert sum(entity[x] == entity[y] for x, y in late_truth) >= 0.95 * len(late_truth)
    changes = json.loads((run2 / "changes.json").read_text())
    assert changes["new_records"] == len(b_rows) - 50 and changes["splits"] == []


def test_incremental_merge_is_recorded(tmp_path):
    base = people(60, seed=11)
    person = base[0]
    a = write_csv(tmp_path / "a.csv", base)
    # two records of one person that do not link on their own: they share only the name
    bridge_rows = [{**person, "id": "x1", "dob": "", "passport": "", "nationality": ""}]
    run1 = tmp_path / "run1"
    link_files([a, write_csv(tmp_path / "b.csv", bridge_rows)], run1, LinkOptions("id"))
    before = pd.read_parquet(run1 / "clusters.parquet").set_index("record_id").entity_id
    run2 = tmp_path / "run2"
    link_files(
        [write_csv(tmp_path / "c.csv", [{**person, "id": "x2"}])],
        run2,
        LinkOptions("id"),
        previous=run1,
    )
    after = pd.read_parquet(run2 / "clusters.parquet").set_index("record_id").entity_id
    assert after["x2"] == after[person["id"]] == before[person["id"]]
    if before["x1"] != before[person["id"]] and after["x1"] == after["x2"]:
        changes = json.loads((run2 / "changes.json").read_text())
        assert changes["merges"]


def test_cli_link_contract_and_errors(agencies, tmp_path):
    a, b, _truth = agencies
    out = tmp_path / "cli_out"
    cmd = [
        sys.executable,
        "-m",
        "corridor.cli",
        "link",
        str(a),
        str(b),
        "--id",
        "id",
        "--out",
        str(out),
        "--threshold",
        "0.9",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in out.iterdir()} >= {"pairs.parquet", "clusters.parquet", "model.json"}
    assert (pd.read_parquet(out / "pairs.parquet").match_probability >= 0.9).all()
    bad = [
        sys.executable,
        "-m",
        "corridor.cli",
        "link",
        str(a),
        "--id",
        "registro",
        "--out",
        str(tmp_path / "never"),
    ]
    done = subprocess.run(bad, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 1
    assert "agency_a.csv" in done.stderr and "`registro`" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "never").exists()


def test_config_file_names_columns_and_blocking(tmp_path):
    rows = [
        {"ref": f"r{i}", "col_a": p["given_name"], "col_b": p["surname"], "born": p["dob"]}
        for i, p in enumerate(people(40, seed=5))
    ]
    path = write_csv(tmp_path / "odd_headers.csv", [*rows, {**rows[0], "ref": "dup0"}])
    config = tmp_path / "link.toml"
    config.write_text(
        '[fields]\ngiven_name = "col_a"\nsurname = "col_b"\ndob = "born"\n'
        '[link]\nthreshold = 0.8\nblocking = [["dob"], ["surname1", "given1"]]\n',
        encoding="utf-8",
    )
    from corridor.linkage.config import read_config

    options = read_config(config, LinkOptions("ref"))
    result = link_files([path], tmp_path / "out", options)
    pairs = pd.read_parquet(tmp_path / "out" / "pairs.parquet")
    assert ("r0", "dup0") in set(zip(pairs.left_id, pairs.right_id, strict=True))
    assert [r.name for r in result.score.blocking] == ["dob", "surname1+given1"]


def test_sex_follows_from_the_given_name_and_is_not_counted_again(linked):
    # u of sex is measured among pairs with the same given name, where sex nearly always
    # agrees: agreeing on it adds almost nothing, disagreeing still counts against
    out, _result, _truth = linked
    model = json.loads((out / "model.json").read_text())
    sex = next(c for c in model["comparisons"] if c["name"] == "sex")
    levels = {lv["label"]: lv for lv in sex["levels"]}
    assert levels["exact"]["u"] > 0.9
    assert levels["exact"]["weight"] < 0.2
    assert levels["else"]["weight"] < -3
