"""Candidate pairs, their levels, and their match weights, as SQL.

``gammas`` holds one row per candidate pair: the two record indices, the level
of every comparison, for term-frequency levels the larger frequency of the two
values, and a bit mask of the blocking rules the pair satisfies (EM needs it).
"""

from __future__ import annotations

from collections.abc import Sequence

from corridor.linkage.blocking import BlockingRule, mode_condition, rule_condition
from corridor.linkage.comparators import Comparison, gamma_sql

# Term frequencies only lower an exact match's weight (a common surname is weak evidence),
# never raise it: names rare in the whole file are often common within one nationality, and
# given name, surname and nationality are not independent, so boosts add up to false links
# (simulated corridor: F1 0.978 uncapped at 3 bits, 0.988 at 0; FEBRL unchanged).
TF_CAP = 0.0

__all__ = ["gamma_columns", "gammas_select", "tf_column", "weight_sql"]


def tf_column(column: str) -> str:
    return f"tf_{column}"


def gamma_columns(comparisons: Sequence[Comparison]) -> list[str]:
    return [f"g_{c.name}" for c in comparisons]


def tf_levels(comparisons: Sequence[Comparison]) -> list[tuple[int, int, str]]:
    """``(comparison, level, column)`` of every term-frequency adjusted level."""
    return [
        (k, i, lv.tf_column)
        for k, c in enumerate(comparisons)
        for i, lv in enumerate(c.levels, start=1)
        if lv.tf_column
    ]


def gammas_select(
    from_sql: str,
    comparisons: Sequence[Comparison],
    rules: Sequence[BlockingRule],
    where: str = "true",
    tf: bool = True,
    rules_column: str | None = None,
) -> str:
    """SELECT of ``li, ri, g_*, tf_*, rules`` for the pairs ``FROM from_sql WHERE where``.

    ``from_sql`` names the two records ``l`` and ``r``; the rule mask is computed from
    ``rules`` or read from ``rules_column``.
    """
    cols = ["l._i AS li", "r._i AS ri"]
    cols += [f"{gamma_sql(c)} AS g_{c.name}" for c in comparisons]
    outer = ["li", "ri", *(f"g_{c.name}" for c in comparisons)]
    if tf:
        for k, i, column in tf_levels(comparisons):
            tcol = tf_column(column)
            cols += [f"l.{tcol} AS _ltf_{k}", f"r.{tcol} AS _rtf_{k}"]
            # in the outer query, so the comparison's CASE is evaluated once per pair
            outer.append(
                f"CAST(CASE WHEN g_{comparisons[k].name} = {i} "
                f"THEN greatest(_ltf_{k}, _rtf_{k}) END AS FLOAT) AS tf_{k}"
            )
    if rules_column:
        cols.append(f"{rules_column} AS rules")
    else:
        cols.append(f"CAST({rule_mask_sql(rules)} AS UINTEGER) AS rules")
    outer.append("rules")
    inner = f"SELECT {', '.join(cols)} FROM {from_sql} WHERE {where}"
    return f"SELECT {', '.join(outer)} FROM ({inner})"


def rule_mask_sql(rules: Sequence[BlockingRule]) -> str:
    """Bit ``b`` set when the pair satisfies rule ``b`` (EM runs one session per rule)."""
    if not rules:
        return "0"
    return " + ".join(
        f"CASE WHEN coalesce({rule_condition(r)}, false) THEN {1 << b} ELSE 0 END"
        for b, r in enumerate(rules)
    )


def rule_pairs_select(
    table: str,
    rules: Sequence[BlockingRule],
    index: int,
    mode: str,
    new_from: int | None = None,
) -> str:
    """``li, ri, rules`` of the pairs rule ``index`` adds: its own, less earlier rules'.

    ``table`` holds ``_i``, ``_src`` and the columns the rules read. With ``new_from``
    (incremental linking), only pairs whose second record is new.
    """
    rule = rules[index]
    earlier = [f"NOT coalesce({rule_condition(r)}, false)" for r in rules[:index]]
    if new_from is not None:
        earlier.append(f"r._i >= {int(new_from)}")
    where = " AND ".join([mode_condition(mode), *earlier])
    return (
        f"SELECT l._i AS li, r._i AS ri, CAST({rule_mask_sql(rules)} AS UINTEGER) AS rules "
        f"FROM {table} l JOIN {table} r ON {rule_condition(rule)} WHERE {where}"
    )


def weight_sql(
    comparisons: Sequence[Comparison],
    weights: Sequence[Sequence[float]],
    u: Sequence[Sequence[float]],
    prior_weight: float,
    tf: bool = True,
) -> str:
    """The match weight of a ``gammas`` row: prior + level weights + tf adjustments."""
    terms = [f"CAST({prior_weight!r} AS DOUBLE)"]
    for k, c in enumerate(comparisons):
        cases = " ".join(
            f"WHEN {i} THEN CAST({float(w)!r} AS DOUBLE)" for i, w in enumerate(weights[k]) if i
        )
        terms.append(f"CASE g_{c.name} {cases} ELSE CAST(0 AS DOUBLE) END")
    if tf:
        for k, i, _column in tf_levels(comparisons):
            # exact match on a value with frequency tf: u is tf, not the average u
            u_exact = max(float(u[k][i]), 1e-9)
            # (greatest() skips NULLs, so the NULL case is spelled out)
            terms.append(
                f"CASE WHEN tf_{k} IS NULL THEN CAST(0 AS DOUBLE)"
                f" ELSE least(log2({u_exact!r} / greatest(tf_{k}, 1e-9)), {TF_CAP!r}) END"
            )
    return " + ".join(terms)


def probability_sql(weight: str) -> str:
    return f"1.0 / (1.0 + pow(2.0, -({weight})))"
