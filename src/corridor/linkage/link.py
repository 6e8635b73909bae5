"""``link``: files in, ``pairs.parquet``, ``clusters.parquet`` and ``model.json`` out."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from corridor.errors import ConfigError
from corridor.linkage.backend import Backend, open_backend
from corridor.linkage.clustering import components, entity_ids, record_dobs, split_conflicts
from corridor.linkage.comparators import available_comparisons, default_comparisons
from corridor.linkage.config import LinkOptions
from corridor.linkage.engine import (
    RECS,
    SCORED,
    Plan,
    ScoreResult,
    choose_rules,
    fit_and_score,
    present_columns,
)
from corridor.linkage.outputs import staged_output
from corridor.records.normalise import NORMALISED_COLUMNS
from corridor.records.reading import load_records

__all__ = ["OUTPUT_FILES", "LinkResult", "cluster_table", "link_files", "write_outputs"]

OUTPUT_FILES = (
    "pairs.parquet",
    "clusters.parquet",
    "model.json",
    "records.parquet",
    "changes.json",
)


@dataclass
class LinkResult:
    """What a run produced (the files are in ``out``)."""

    out: Path | None
    records: int
    candidate_pairs: int
    pairs: int
    entities: int
    score: ScoreResult
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "candidate_pairs": self.candidate_pairs,
            "pairs": self.pairs,
            "entities": self.entities,
            "blocking": [r.__dict__ for r in self.score.blocking],
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


def plan_for(backend: Backend, options: LinkOptions, n_sources: int, pprl: bool = False) -> Plan:
    """Comparisons and rules for the loaded records and options."""
    if pprl:
        from corridor.linkage.pprl import pprl_comparisons, pprl_rules

        known = pprl_comparisons()
        existing = set(backend.fetch(f"SELECT * FROM {RECS} LIMIT 0").column_names)
        present = present_columns(
            backend, [c.columns[0] for c in known if c.columns[0] in existing]
        )
        comparisons = available_comparisons(known, present)
        rules = pprl_rules(backend)
    else:
        known = default_comparisons()
        present = present_columns(backend, [c for c in NORMALISED_COLUMNS if not c.startswith("_")])
        comparisons = available_comparisons(known, present)
        rules = choose_rules(present, options.blocking)
    if options.comparisons:
        names = {c.name for c in known}
        for name in options.comparisons:
            if name not in names:
                raise ConfigError(
                    f"unknown comparison `{name}` (known: {', '.join(sorted(names))})"
                )
        comparisons = [c for c in comparisons if c.name in options.comparisons]
    mode = options.mode or ("dedupe" if n_sources == 1 else "link")
    if mode == "link" and n_sources == 1:
        raise ConfigError("mode `link` needs two or more inputs (use dedupe for one)")
    return Plan(
        comparisons,
        rules,
        mode,
        tf=options.tf,
        pair_budget=options.pair_budget,
        u_samples=options.u_samples,
        seed=options.seed,
    )


def cluster_table(backend: Backend) -> pd.DataFrame:
    """``record_id, entity_id`` for every record, from the kept pairs."""
    ids = backend.fetch(f"SELECT record_id, _src FROM {RECS} ORDER BY _i").to_pandas()
    pairs = backend.fetch(f"SELECT li, ri, match_weight FROM {SCORED}")
    left = pairs["li"].to_numpy().astype("int64")
    right = pairs["ri"].to_numpy().astype("int64")
    labels = components(len(ids), left, right)
    labels = split_conflicts(
        labels, left, right, pairs["match_weight"].to_numpy(), record_dobs(backend, RECS)
    )
    return pd.DataFrame(
        {
            "record_id": ids["record_id"],
            "entity_id": entity_ids(ids["record_id"], labels),
            "source": ids["_src"].astype("int16"),
        }
    )


PAIRS_SQL = (
    f"SELECT a.record_id AS left_id, b.record_id AS right_id, "
    f"CAST(s.match_probability AS DOUBLE) AS match_probability, s.match_weight "
    f"FROM {SCORED} s JOIN {RECS} a ON a._i = s.li JOIN {RECS} b ON b._i = s.ri"
)


def write_outputs(
    backend: Backend,
    tmp: Path,
    result: ScoreResult,
    clusters: pd.DataFrame,
    keep_records: bool,
    earlier_pairs: pd.DataFrame | None = None,
) -> None:
    if earlier_pairs is None:
        backend.write_parquet(PAIRS_SQL, tmp / "pairs.parquet")
    else:
        backend.register("earlier_pairs", pa.Table.from_pandas(earlier_pairs, preserve_index=False))
        backend.write_parquet(
            f"SELECT * FROM earlier_pairs UNION ALL {PAIRS_SQL}", tmp / "pairs.parquet"
        )
    pq.write_table(pa.Table.from_pandas(clusters, preserve_index=False), tmp / "clusters.parquet")
    result.model.save(tmp / "model.json")
    if keep_records:
        keys = [
            c
            for c in backend.fetch(f"SELECT * FROM {RECS} LIMIT 0").column_names
            if c.startswith("_bk")
        ]  # blocking-key hashes: derived, not records
        exclude = f" EXCLUDE ({', '.join(keys)})" if keys else ""
        backend.write_parquet(f"SELECT *{exclude} FROM {RECS}", tmp / "records.parquet")


def link_files(
    paths: Sequence[Path],
    out: Path | None,
    options: LinkOptions,
    pprl: bool = False,
    backend: Backend | None = None,
    previous: Path | None = None,
) -> LinkResult:
    """Link (or deduplicate) record files and write the three outputs to ``out``.

    Args:
        paths: One file (deduplicate) or several (link across them).
        out: Output folder (``None``: nothing written, e.g. for benchmarks).
        options: See :class:`LinkOptions`.
        pprl: Inputs are ``corridor encode`` outputs (Bloom filters, no names).
        previous: The output folder of an earlier run: link the inputs into
            its entities with its model (ids kept; ``changes.json`` lists merges).

    Raises:
        InputError: A file is missing, unreadable, lacks the id column or
            repeats an id; nothing is written then.
    """
    options.check()
    if not paths:
        raise ConfigError("give at least one input file")
    own = backend is None
    timings: dict[str, float] = {}
    be = backend or open_backend(
        "duckdb", **({"memory_limit": options.memory_limit} if options.memory_limit else {})
    )
    try:
        if previous is not None:
            return _link_into(be, paths, out, options, previous, timings, pprl)
        t0 = time.perf_counter()
        if pprl:
            from corridor.linkage.pprl import load_encoded

            sources = load_encoded(be, paths, options.id_column)
        else:
            sources = load_records(be, paths, options.id_column, options.fields)
        timings["read"] = time.perf_counter() - t0
        plan = plan_for(be, options, len(sources), pprl)
        result = fit_and_score(be, plan, options.threshold, pprl)
        timings.update(result.timings)
        t0 = time.perf_counter()
        clusters = cluster_table(be)
        timings["cluster"] = time.perf_counter() - t0
        result.model.report["inputs"] = [
            {
                "file": s.path.name,
                "rows": s.rows,
                "fields": {k.value: v for k, v in s.fields.items()},
            }
            for s in sources
        ]
        if out is not None:
            t0 = time.perf_counter()
            with staged_output(Path(out), OUTPUT_FILES) as tmp:
                write_outputs(be, tmp, result, clusters, keep_records=True)
            timings["write"] = time.perf_counter() - t0
        return LinkResult(
            Path(out) if out is not None else None,
            result.records,
            result.candidate_pairs,
            result.kept_pairs,
            int(clusters["entity_id"].nunique()),
            result,
            timings,
        )
    finally:
        if own:
            be.close()


def _link_into(
    be: Backend,
    paths: Sequence[Path],
    out: Path | None,
    options: LinkOptions,
    previous: Path,
    timings: dict[str, float],
    pprl: bool = False,
) -> LinkResult:
    from corridor.linkage.incremental import changes_json, link_increment

    t0 = time.perf_counter()
    threshold = options.threshold if options.threshold != 0.5 else None
    result, sources, clusters, changes, old_pairs = link_increment(
        be, paths, Path(previous), options.id_column, options.fields, threshold, pprl
    )
    timings["increment"] = time.perf_counter() - t0
    new_records = sum(s.rows for s in sources)
    result.model.report["increment"] = {
        "previous": str(previous),
        "new_records": new_records,
        "new_pairs": result.kept_pairs,
        "merges": len(changes.merges),
    }
    if out is not None:
        with staged_output(Path(out), OUTPUT_FILES) as tmp:
            write_outputs(be, tmp, result, clusters, True, old_pairs)
            (tmp / "changes.json").write_text(
                changes_json(changes, new_records, result.kept_pairs) + "\n"
            )
    return LinkResult(
        Path(out) if out is not None else None,
        result.records,
        result.candidate_pairs,
        result.kept_pairs,
        int(clusters["entity_id"].nunique()),
        result,
        timings,
    )
