"""The linkage plan: block, compare, estimate, score, cluster.

Runs on a :class:`~corridor.linkage.backend.Backend` holding the normalised
table ``recs`` (``_i`` index, ``_src`` source, ``record_id`` and the
normalised fields). Python only sees pattern counts (for EM), random pairs'
levels (for ``u``) and the kept pairs' indices (for clustering).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from corridor.errors import InputError
from corridor.linkage.backend import Backend
from corridor.linkage.blocking import (
    BlockingRule,
    RuleReport,
    default_rules,
    mode_condition,
    rule,
    rule_pair_count,
    usable_rules,
)
from corridor.linkage.comparators import Comparison, level_columns
from corridor.linkage.em import estimate_m, estimate_prior, log2_bayes_factors
from corridor.linkage.model import LinkModel, probability_to_weight
from corridor.linkage.scoring import (
    gamma_columns,
    gammas_select,
    probability_sql,
    rule_pairs_select,
    tf_column,
    tf_levels,
    weight_sql,
)

__all__ = ["Plan", "ScoreResult", "fit_and_score", "present_columns", "score_with_model"]

RECS = "recs"
MAX_RULES = 32  # the rule mask of a pair is a 32-bit integer
# a rule estimated above this many pairs per record (at least 2 million) is skipped
PAIRS_PER_RECORD = 50
# broad rules run while every rule so far adds up to at most this many per record
BROAD_PAIRS_PER_RECORD = 5
GAMMAS = "gammas"
KEYS = "bkeys"  # _i, _src and the hashed blocking keys of every record
PAIRS = "cpairs"  # candidate pairs and their rule masks, before comparing
SCORED = "scored"


@dataclass
class Plan:
    """What to compare and how to block, for one run."""

    comparisons: list[Comparison]
    rules: list[BlockingRule]
    mode: str
    tf: bool = True
    pair_budget: int | None = None
    u_samples: int = 500_000
    seed: int = 42


@dataclass
class ScoreResult:
    """A fitted (or reused) model and the scored pairs left in table ``scored``."""

    model: LinkModel
    blocking: list[RuleReport]
    candidate_pairs: int
    kept_pairs: int
    records: int
    timings: dict[str, float] = field(default_factory=dict)


def present_columns(backend: Backend, columns: Sequence[str]) -> list[str]:
    """The normalised columns holding at least one value."""
    counts = backend.fetch(
        "SELECT " + ", ".join(f"count({c}) AS {c}" for c in columns) + f" FROM {RECS}"
    ).to_pylist()[0]
    return [c for c in columns if counts[c]]


def rules_from_columns(spec: Sequence[Sequence[str]]) -> list[BlockingRule]:
    """Blocking rules from lists of normalised column names (a config file's form)."""
    return [rule("+".join(cols), *(f"{{}}.{c}" for c in cols)) for cols in spec]


def choose_rules(
    present: Sequence[str], spec: Sequence[Sequence[str]] | None
) -> list[BlockingRule]:
    rules = rules_from_columns(spec) if spec else default_rules()
    usable = usable_rules(rules, present)
    if not usable:
        raise InputError(
            "no blocking rule can run on these fields",
            hint="add a [link] blocking list naming columns present in every input",
        )
    return usable[:MAX_RULES]


def total_pairs(backend: Backend, mode: str) -> float:
    sizes = [
        int(r["n"])
        for r in backend.fetch(f"SELECT _src, count(*) AS n FROM {RECS} GROUP BY _src").to_pylist()
    ]
    n = float(sum(sizes))
    across = (n * n - sum(float(s) * s for s in sizes)) / 2
    within = sum(float(s) * (s - 1) / 2 for s in sizes)
    return {"link": across, "dedupe": within}.get(mode, across + within)


def _add_tf(backend: Backend, comparisons: Sequence[Comparison]) -> None:
    columns = sorted({col for _k, _i, col in tf_levels(comparisons)})
    if not columns:
        return
    n = int(backend.scalar(f"SELECT count(*) FROM {RECS}"))
    joins, selects = [], []
    for j, col in enumerate(columns):
        joins.append(
            f"LEFT JOIN (SELECT {col} AS v, CAST(count(*) AS DOUBLE) / {n} AS tf "
            f"FROM {RECS} WHERE {col} IS NOT NULL GROUP BY 1) t{j} ON t{j}.v = x.{col}"
        )
        selects.append(f"CAST(t{j}.tf AS FLOAT) AS {tf_column(col)}")
    backend.execute(
        f"CREATE OR REPLACE TABLE {RECS} AS SELECT x.*, {', '.join(selects)} "
        f"FROM {RECS} x {' '.join(joins)}"
    )


def _random_pairs(backend: Backend, mode: str, samples: int, seed: int) -> pa.Table:
    src = backend.fetch(f"SELECT _src FROM {RECS} ORDER BY _i")["_src"].to_numpy()
    n = len(src)
    rng = np.random.default_rng(seed)
    draw = int(samples * 1.6) + 100
    i = rng.integers(0, n, draw)
    j = rng.integers(0, n, draw)
    if mode == "link":
        keep = src[i] != src[j]
    elif mode == "dedupe":
        keep = i != j
    else:
        keep = i != j
    i, j = i[keep][:samples], j[keep][:samples]
    return pa.table({"li": i.astype(np.int32), "ri": j.astype(np.int32)})


def _agreeing_pairs_levels(backend: Backend, plan: Plan, column: str) -> pa.Table:
    """Levels of random pairs that agree on ``column`` (each sampled record, one partner).

    Each sampled record gets a partner drawn uniformly among the other records with
    its value (by a seeded hash of positions within the value), so no join of all
    agreeing pairs is ever built.
    """
    seed = int(plan.seed)
    samples = min(plan.u_samples, 200_000)
    backend.execute(
        f"CREATE OR REPLACE TEMP TABLE _agree AS SELECT _i, {column} AS k, "
        f"row_number() OVER (PARTITION BY {column} ORDER BY hash(_i + {seed})) - 1 AS pos, "
        f"count(*) OVER (PARTITION BY {column}) AS cnt FROM {RECS} WHERE {column} IS NOT NULL"
    )
    from_sql = (
        f"(SELECT a._i AS li, b._i AS ri FROM (SELECT * FROM _agree WHERE cnt > 1 "
        f"ORDER BY hash(_i * 31 + {seed}) LIMIT {samples}) a JOIN _agree b "
        f"ON b.k = a.k AND b.pos = (a.pos + 1 + hash(a._i + {seed} * 7) % (a.cnt - 1)) % a.cnt"
        f") p JOIN {RECS} l ON l._i = p.li JOIN {RECS} r ON r._i = p.ri"
    )
    table = backend.fetch(gammas_select(from_sql, plan.comparisons, [], tf=False))
    backend.execute("DROP TABLE _agree")
    return table


def _estimate_u(backend: Backend, plan: Plan) -> tuple[list[np.ndarray], list[int]]:
    """``u`` per comparison from random pairs, and how many pairs had both values."""
    if total_pairs(backend, plan.mode) <= plan.u_samples:  # small inputs: every pair
        from_sql = f"{RECS} l JOIN {RECS} r ON {mode_condition(plan.mode)}"
        table = backend.fetch(gammas_select(from_sql, plan.comparisons, [], tf=False))
    else:
        backend.register("upairs", _random_pairs(backend, plan.mode, plan.u_samples, plan.seed))
        from_sql = f"upairs p JOIN {RECS} l ON l._i = p.li JOIN {RECS} r ON r._i = p.ri"
        table = backend.fetch(gammas_select(from_sql, plan.comparisons, [], tf=False))
        backend.execute("DROP TABLE upairs")
    u, observed = [], []
    among = {c.u_among for c in plan.comparisons if c.u_among}
    present = set(backend.fetch(f"SELECT * FROM {RECS} LIMIT 0").column_names)
    tables = {col: _agreeing_pairs_levels(backend, plan, col) for col in among & present}
    for c, col in zip(plan.comparisons, gamma_columns(plan.comparisons), strict=True):
        levels = table[col].to_numpy().astype(np.int64)
        counts = np.bincount(levels, minlength=c.n_levels).astype(np.float64)
        observed.append(int(counts[1:].sum()))
        if c.u_among in tables:
            levels = tables[c.u_among][col].to_numpy().astype(np.int64)
            counts = np.bincount(levels, minlength=c.n_levels).astype(np.float64)
        counts[1:] += 0.5  # a level never seen among random pairs is rare, not impossible
        counts[0] = 0.0
        u.append(counts / counts[1:].sum())
    return u, observed


def pair_budgets(plan: Plan, n_records: int) -> tuple[int, int]:
    """Most pairs one rule may add, and most pairs all rules may add for a broad one to run."""
    per_rule = plan.pair_budget or max(2_000_000, PAIRS_PER_RECORD * n_records)
    extra = min(per_rule, max(2_000_000, BROAD_PAIRS_PER_RECORD * n_records))
    return per_rule, extra


def _build_gammas(
    backend: Backend, plan: Plan, n_records: int, new_from: int | None = None
) -> list[RuleReport]:
    """Candidate pairs of every rule that fits the budget, then their levels in one pass."""
    per_rule, extra = pair_budgets(plan, n_records)
    hashed = _hash_keys(backend, plan.rules)
    reports: list[RuleReport] = []
    run: list[BlockingRule] = []
    planned = 0
    for r, h in zip(plan.rules, hashed, strict=True):
        estimate = rule_pair_count(backend, KEYS, h, plan.mode)
        if estimate > per_rule or (r.broad and planned + estimate > extra):
            reports.append(RuleReport(r.name, estimate, 0, True))
            continue
        planned += estimate
        run.append(h)
        reports.append(RuleReport(r.name, estimate, 0, False))
    if not run:
        raise InputError(
            "every blocking rule would compare too many pairs",
            hint=f"budget {per_rule:,}; set [link] pair_budget or blocking rules in a config",
        )
    # pairs from the narrow key table first (integer joins only), each rule adding the
    # pairs no earlier rule produced; the string comparisons then run once per pair
    backend.execute(f"CREATE OR REPLACE TABLE {PAIRS} (li INTEGER, ri INTEGER, rules UINTEGER)")
    done = 0
    for idx in range(len(run)):
        backend.execute(
            f"INSERT INTO {PAIRS} {rule_pairs_select(KEYS, run, idx, plan.mode, new_from)}"
        )
        total = int(backend.scalar(f"SELECT count(*) FROM {PAIRS}"))
        pos = next(i for i, rep in enumerate(reports) if rep.name == run[idx].name)
        reports[pos] = RuleReport(run[idx].name, reports[pos].estimated_pairs, total - done, False)
        done = total
    from_sql = f"{PAIRS} p JOIN {RECS} l ON l._i = p.li JOIN {RECS} r ON r._i = p.ri"
    backend.execute(
        f"CREATE OR REPLACE TABLE {GAMMAS} AS "
        f"{gammas_select(from_sql, plan.comparisons, [], tf=plan.tf, rules_column='p.rules')}"
    )
    backend.execute(f"DROP TABLE {PAIRS}")
    plan.rules = run
    return reports


def _hash_keys(backend: Backend, rules: Sequence[BlockingRule]) -> list[BlockingRule]:
    """Each rule's keys as one hash column of table ``keys``; the rules rewritten to use it.

    Pairs are found by joining this narrow table (``_i``, ``_src`` and one integer per
    rule side) rather than the records, and a rule's condition (evaluated for every
    pair, to leave out pairs an earlier rule produced and for the EM rule mask) is one
    integer comparison. A hash collision only adds a candidate pair, which is then
    compared like any other.
    """
    columns, hashed = [], []
    for i, r in enumerate(rules):
        for side, keys in (("l", r.left), ("r", r.right)):
            if not keys:
                continue
            exprs = [k.format("x") for k in keys]
            nulls = " OR ".join(f"({e}) IS NULL" for e in exprs)
            columns.append(
                f"CASE WHEN {nulls} THEN NULL ELSE hash({', '.join(exprs)}) END AS _bk{i}{side}"
            )
        right = (f"{{}}._bk{i}r",) if r.right else ()
        hashed.append(BlockingRule(r.name, (f"{{}}._bk{i}l",), right, r.columns, r.broad))
    backend.execute(
        f"CREATE OR REPLACE TABLE {KEYS} AS SELECT x._i, x._src, {', '.join(columns)} FROM {RECS} x"
    )
    return hashed


def _patterns(backend: Backend, plan: Plan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    gcols = gamma_columns(plan.comparisons)
    table = backend.fetch(
        f"SELECT {', '.join(gcols)}, rules, count(*) AS n FROM {GAMMAS} GROUP BY ALL"
    )
    gammas = (
        np.column_stack([table[c].to_numpy().astype(np.int64) for c in gcols])
        if gcols
        else (np.zeros((table.num_rows, 0), dtype=np.int64))
    )
    return (
        gammas,
        table["n"].to_numpy().astype(np.float64),
        table["rules"].to_numpy().astype(np.int64),
    )


def _levels_reading(c: Comparison, columns: frozenset[str]) -> frozenset[int]:
    """The levels of ``c`` whose condition reads one of ``columns``."""
    return frozenset(i for i, lv in enumerate(c.levels, start=1) if level_columns(lv) & columns)


def _m_start(c: Comparison) -> np.ndarray:
    m = np.zeros(c.n_levels)
    for i, lv in enumerate(c.levels, start=1):
        m[i] = lv.m_start
    m[-1] = max(1.0 - m[1:-1].sum(), 0.02)
    return m


def _score(backend: Backend, model: LinkModel, tf: bool) -> int:
    weights = model.weights()
    wsql = weight_sql(model.comparisons, weights, model.u, model.prior_weight(), tf)
    threshold = probability_to_weight(model.threshold)
    backend.execute(
        f"CREATE OR REPLACE TABLE {SCORED} AS SELECT li, ri, "
        f"CAST(w AS DOUBLE) AS match_weight, {probability_sql('w')} AS match_probability "
        f"FROM (SELECT li, ri, {wsql} AS w FROM {GAMMAS}) WHERE w >= {threshold!r}"
    )
    return int(backend.scalar(f"SELECT count(*) FROM {SCORED}"))


def fit_and_score(
    backend: Backend, plan: Plan, threshold: float, pprl: bool = False
) -> ScoreResult:
    """Estimate ``u`` and ``m`` and the prior, score every candidate pair, keep those above."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    n = int(backend.scalar(f"SELECT count(*) FROM {RECS}"))
    if plan.tf:
        _add_tf(backend, plan.comparisons)
    u, observed = _estimate_u(backend, plan)
    # a field only one source fills is never compared: drop it (its u says nothing)
    seen = [k for k, n_obs in enumerate(observed) if n_obs > 0]
    plan.comparisons = [plan.comparisons[k] for k in seen]
    u = [u[k] for k in seen]
    timings["u"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    reports = _build_gammas(backend, plan, n)
    timings["block_compare"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    gammas, counts, masks = _patterns(backend, plan)
    blocked = [
        frozenset(k for k, c in enumerate(plan.comparisons) if c.kinds & r.columns)
        for r in plan.rules
    ]
    em = estimate_m(
        gammas,
        counts,
        masks,
        [_m_start(c) for c in plan.comparisons],
        u,
        blocked,
        [r.name for r in plan.rules],
        blocked_levels=[
            [_levels_reading(c, r.columns) for c in plan.comparisons] for r in plan.rules
        ],
    )
    weights = log2_bayes_factors(em.m, u)
    total = total_pairs(backend, plan.mode)
    prior = estimate_prior(gammas, counts, weights, total)
    timings["em"] = time.perf_counter() - t0
    report: dict[str, Any] = {
        "records": n,
        "total_pairs": total,
        "candidate_pairs": int(counts.sum()),
        "patterns": len(counts),
        "blocking": [rep.__dict__ for rep in reports],
        "em_sessions": em.sessions,
        "term_frequency": plan.tf,
    }
    model = LinkModel(
        plan.comparisons,
        [list(map(float, x)) for x in em.m],
        [list(map(float, x)) for x in u],
        prior,
        plan.mode,
        pprl,
        threshold,
        report,
    )
    t0 = time.perf_counter()
    kept = _score(backend, model, plan.tf)
    timings["score"] = time.perf_counter() - t0
    return ScoreResult(model, reports, int(counts.sum()), kept, n, timings)


def score_with_model(
    backend: Backend, plan: Plan, model: LinkModel, new_from: int | None = None
) -> ScoreResult:
    """Score candidate pairs with an existing model (no estimation).

    With ``new_from``, only pairs whose second record has ``_i >= new_from``.
    """
    n = int(backend.scalar(f"SELECT count(*) FROM {RECS}"))
    if plan.tf:
        _add_tf(backend, plan.comparisons)
    reports = _build_gammas(backend, plan, n, new_from)
    candidates = int(backend.scalar(f"SELECT count(*) FROM {GAMMAS}"))
    kept = _score(backend, model, plan.tf)
    return ScoreResult(model, reports, candidates, kept, n)
