"""Incremental linking: a new batch joins the entities of a previous run.

The previous run's folder holds its model, its normalised records and its
clusters. The new batch is normalised the same way, compared with the old
records and within itself (old pairs are not compared again), scored with the
previous model (no re-estimation, so old weights do not move), and clustered
together with the old entities. Old entities keep their ids; a new record that
joins two old entities merges them (the larger keeps its id) and the merge is
written to ``changes.json``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from corridor.errors import InputError, Location
from corridor.linkage.backend import Backend
from corridor.linkage.clustering import (
    IdChanges,
    carry_ids,
    components,
    entity_ids,
    record_dobs,
    split_conflicts,
)
from corridor.linkage.comparators import default_comparisons
from corridor.linkage.engine import RECS, SCORED, Plan, ScoreResult, score_with_model
from corridor.linkage.model import LinkModel
from corridor.records.reading import Source, load_records

__all__ = ["PREVIOUS_FILES", "link_increment"]

PREVIOUS_FILES = ("model.json", "records.parquet", "clusters.parquet", "pairs.parquet")


def _model_is_pprl(path: Path) -> bool:
    try:
        return bool(json.loads(path.read_text()).get("pprl"))
    except (OSError, ValueError, AttributeError):
        return False  # LinkModel.load reports the unreadable file


def _read_previous(
    folder: Path, pprl: bool
) -> tuple[LinkModel, pa.Table, pd.DataFrame, pd.DataFrame]:
    for name in PREVIOUS_FILES:
        if not (folder / name).is_file():
            raise InputError(
                f"a previous run's folder needs {name}",
                Location(file=str(folder / name)),
                hint="give the --out folder of an earlier `corridor link`",
            )
    if _model_is_pprl(folder / "model.json") != pprl:
        # plaintext and encoded comparisons share names: say which side is which
        before, now = ("plaintext", "encoded") if pprl else ("encoded", "plaintext")
        raise InputError(
            f"the previous run linked {before} records, this batch is {now}",
            Location(file=str(folder / "model.json")),
            hint="link encoded batches with --pprl into a --pprl run, plaintext into plaintext",
        )
    if pprl:
        from corridor.linkage.pprl import pprl_comparisons

        known = pprl_comparisons()
    else:
        known = default_comparisons()
    model = LinkModel.load(folder / "model.json", known)
    for c, m in zip(model.comparisons, model.m, strict=True):
        if len(m) != c.n_levels:  # levels changed since the model was written
            raise InputError(
                f"the model's comparison `{c.name}` has {len(m)} levels, this version's has "
                f"{c.n_levels}",
                Location(file=str(folder / "model.json")),
                hint="link the previous inputs again with this version, then add the batch",
            )
    records = pq.read_table(folder / "records.parquet")
    clusters = pq.read_table(folder / "clusters.parquet").to_pandas()
    pairs = pq.read_table(folder / "pairs.parquet").to_pandas()
    return model, records, clusters, pairs


def link_increment(
    backend: Backend,
    paths: Sequence[Path],
    previous: Path,
    id_column: str,
    fields: dict[str, str] | None,
    threshold: float | None,
    pprl: bool = False,
) -> tuple[ScoreResult, list[Source], pd.DataFrame, IdChanges, pd.DataFrame]:
    """Link ``paths`` into the run in ``previous``.

    Returns:
        The scoring result (new pairs in table ``scored``), the new sources,
        the clusters of every record with carried ids, what changed, and the
        previous run's pairs.
    """
    model, old_records, old_clusters, old_pairs = _read_previous(Path(previous), pprl)
    n_old = old_records.num_rows
    n_src = int(pa.compute.max(old_records["_src"]).as_py() or 0) + 1 if n_old else 0
    if pprl:
        from corridor.linkage.pprl import load_encoded

        sources = load_encoded(backend, list(paths), id_column)
    else:
        sources = load_records(backend, list(paths), id_column, fields)
    backend.execute(
        f"CREATE OR REPLACE TABLE new_recs AS SELECT * REPLACE "
        f"(CAST(_i + {n_old} AS INTEGER) AS _i, CAST(_src + {n_src} AS UTINYINT) AS _src) "
        f"FROM {RECS}"
    )
    old = old_records.drop_columns(
        [c for c in old_records.column_names if c.startswith(("tf_", "_bk"))]
    )
    backend.register("old_recs", old)
    clash = backend.fetch(
        "SELECT n.record_id FROM new_recs n JOIN old_recs o USING (record_id) LIMIT 1"
    ).to_pylist()
    if clash:
        raise InputError(
            "record id already linked in the previous run",
            Location(column=id_column, value=str(clash[0]["record_id"])),
            hint="ids must be unique across batches",
        )
    backend.execute(
        f"CREATE OR REPLACE TABLE {RECS} AS SELECT * FROM old_recs UNION ALL BY NAME "
        "SELECT * FROM new_recs"
    )
    backend.execute("DROP TABLE new_recs")
    backend.execute("DROP TABLE old_recs")
    if threshold is not None:
        model.threshold = threshold
    from corridor.linkage.blocking import default_rules, usable_rules
    from corridor.linkage.engine import present_columns
    from corridor.records.normalise import NORMALISED_COLUMNS

    if pprl:
        from corridor.linkage.pprl import pprl_rules

        rules = pprl_rules(backend)
    else:
        present = present_columns(backend, [c for c in NORMALISED_COLUMNS if not c.startswith("_")])
        rules = usable_rules(default_rules(), present)
    # the old records were compared before: only pairs with a new record count now
    mode = "link_and_dedupe" if model.mode != "link" else "link"
    plan = Plan(model.comparisons, rules, mode, tf=True)
    plan.rules = plan.rules[:32]
    result = score_with_model(backend, plan, model, new_from=n_old)
    ids = backend.fetch(f"SELECT record_id, _src FROM {RECS} ORDER BY _i").to_pandas()
    new_pairs = backend.fetch(f"SELECT li, ri, match_weight FROM {SCORED}")
    # old entities as edges: each record to the first record of its entity
    index = pd.Series(np.arange(len(ids)), index=ids["record_id"].astype(str))
    oc = old_clusters.astype({"record_id": str})
    oc["i"] = oc["record_id"].map(index)
    first = oc.groupby("entity_id")["i"].transform("min")
    left = np.concatenate([oc["i"].to_numpy(), new_pairs["li"].to_numpy()]).astype(np.int64)
    right = np.concatenate([first.to_numpy(), new_pairs["ri"].to_numpy()]).astype(np.int64)
    labels = components(len(ids), left, right)
    # old entities join first (they were checked before), new pairs strongest first
    weight = np.concatenate(
        [np.full(len(oc), np.inf), new_pairs["match_weight"].to_numpy().astype(np.float64)]
    )
    labels = split_conflicts(labels, left, right, weight, record_dobs(backend, RECS))
    fresh = pd.DataFrame(
        {
            "record_id": ids["record_id"].astype(str),
            "entity_id": entity_ids(ids["record_id"], labels),
        }
    )
    carried, changes = carry_ids(fresh, old_clusters)
    carried["source"] = ids["_src"].astype("int16").to_numpy()
    return result, sources, carried, changes, old_pairs


def changes_json(changes: IdChanges, new_records: int, new_pairs: int) -> str:
    return json.dumps(
        {
            "new_records": new_records,
            "new_pairs": new_pairs,
            "entities_kept": changes.kept,
            "entities_new": changes.new,
            "merges": changes.merges,
            "splits": changes.splits,
        },
        indent=2,
    )
