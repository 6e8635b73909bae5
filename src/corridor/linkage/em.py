"""Unsupervised Fellegi–Sunter estimation by expectation maximisation.

EM runs on *pattern counts* (each distinct vector of levels and how many
candidate pairs have it), so its cost does not grow with the number of pairs.
As in Splink, ``u`` (level frequencies among non-matches) comes from random
pairs, and ``m`` is estimated once per blocking rule on that rule's pairs with
the comparisons the rule blocks on left out: inside a block on date of birth
the non-matches agree on date of birth, which would otherwise be read as
evidence of a match. Each comparison's ``m`` is the median over the sessions
that estimated it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["EMResult", "estimate_m", "estimate_prior", "log2_bayes_factors"]

_FLOOR = 1e-6


@dataclass
class EMResult:
    """Estimated ``m`` per comparison and level, with what each session did."""

    m: list[NDArray[np.float64]]
    sessions: list[dict[str, object]]


def _normalise(p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Probabilities over levels 1.. (level 0, missing, stays 0)."""
    q = np.maximum(p.astype(np.float64), _FLOOR)
    q[0] = 0.0
    return q / q[1:].sum()


def log2_bayes_factors(
    m: Sequence[NDArray[np.float64]], u: Sequence[NDArray[np.float64]]
) -> list[NDArray[np.float64]]:
    """``log2(m/u)`` per comparison and level, 0 for the missing level."""
    out = []
    for mk, uk in zip(m, u, strict=True):
        w = np.zeros(len(mk))
        w[1:] = np.log2(np.maximum(mk[1:], _FLOOR) / np.maximum(uk[1:], _FLOOR))
        out.append(w)
    return out


def _em_session(
    gammas: NDArray[np.int64],
    counts: NDArray[np.float64],
    m: list[NDArray[np.float64]],
    u: list[NDArray[np.float64]],
    active: list[int],
    max_iter: int,
    tol: float,
) -> tuple[list[NDArray[np.float64]], float, int, bool]:
    lam = 0.1
    m = [mk.copy() for mk in m]
    log_u = [np.log(np.maximum(uk, _FLOOR)) for uk in u]
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - reported after the loop
        log_m = [np.log(np.maximum(mk, _FLOOR)) for mk in m]
        lm = np.zeros(len(counts))
        lu = np.zeros(len(counts))
        for k in active:
            g = gammas[:, k]
            present = g > 0
            lm += np.where(present, log_m[k][g], 0.0)
            lu += np.where(present, log_u[k][g], 0.0)
        # posterior P(match | pattern), computed in log space for stability
        a = np.log(lam) + lm
        b = np.log1p(-lam) + lu
        post = 1.0 / (1.0 + np.exp(np.clip(b - a, -700, 700)))
        wmatch = post * counts
        new_lam = float(wmatch.sum() / counts.sum())
        new_m = [mk.copy() for mk in m]
        for k in active:
            sums = np.bincount(gammas[:, k], weights=wmatch, minlength=len(m[k])).astype(np.float64)
            new_m[k] = _normalise(sums) if sums[1:].sum() > 0 else m[k]
        delta = max(abs(new_lam - lam), *(float(np.abs(new_m[k] - m[k]).max()) for k in active))
        m, lam = new_m, min(max(new_lam, 1e-9), 1 - 1e-9)
        if delta < tol:
            converged = True
            break
    return m, lam, it, converged


def estimate_m(
    gammas: NDArray[np.int64],
    counts: NDArray[np.float64],
    rule_masks: NDArray[np.int64],
    m_start: Sequence[NDArray[np.float64]],
    u: Sequence[NDArray[np.float64]],
    blocked: Sequence[frozenset[int]],
    rule_names: Sequence[str],
    max_iter: int = 200,
    tol: float = 1e-6,
    blocked_levels: Sequence[Sequence[frozenset[int]]] | None = None,
) -> EMResult:
    """Estimate ``m`` with one EM session per blocking rule.

    Args:
        gammas: Distinct level patterns (patterns x comparisons).
        counts: How many candidate pairs have each pattern.
        rule_masks: Bit ``k`` set when the pattern's pairs satisfy rule ``k``
            (patterns are counted per mask, so a pattern may appear per mask).
        m_start: Starting ``m`` per comparison (level 0 ignored).
        u: ``u`` per comparison (fixed).
        blocked: For each rule, the comparisons it blocks on (left out).
        rule_names: For the report.
        blocked_levels: For each rule and comparison, the levels whose condition
            reads a column the rule blocks on (a rule blocked on equal surnames never
            sees given name and surname swapped): those sessions do not vote on them.
    """
    k_all = gammas.shape[1]
    estimates: list[list[NDArray[np.float64]]] = [[] for _ in range(k_all)]
    voters: list[list[int]] = [[] for _ in range(k_all)]  # the session of each estimate
    sessions: list[dict[str, object]] = []
    start = [_normalise(np.asarray(mk, dtype=np.float64)) for mk in m_start]
    for bit, (name, skip) in enumerate(zip(rule_names, blocked, strict=True)):
        rows = (rule_masks >> bit) & 1 == 1
        active = [k for k in range(k_all) if k not in skip]
        if rows.sum() == 0 or not active or counts[rows].sum() < 10:
            sessions.append({"rule": name, "pairs": int(counts[rows].sum()), "skipped": True})
            continue
        m, lam, iters, converged = _em_session(
            gammas[rows], counts[rows], start, list(u), active, max_iter, tol
        )
        for k in active:
            estimates[k].append(m[k])
            voters[k].append(bit)
        sessions.append(
            {
                "rule": name,
                "pairs": int(counts[rows].sum()),
                "match_share": lam,
                "iterations": iters,
                "converged": converged,
                "estimated": active,
                "m": {k: [round(float(x), 5) for x in m[k]] for k in active},
            }
        )
    # the median over sessions: one session whose "match" class caught something else
    # (a household, a nationality) must not drag the estimate
    m_final = [
        _normalise(_median_by_level(estimates[k], voters[k], k, blocked_levels))
        if estimates[k]
        else start[k]
        for k in range(k_all)
    ]
    return EMResult(m_final, sessions)


def _median_by_level(
    estimates: list[NDArray[np.float64]],
    voters: list[int],
    k: int,
    blocked_levels: Sequence[Sequence[frozenset[int]]] | None,
) -> NDArray[np.float64]:
    """Per level, the median over the sessions that could see it (all if none could)."""
    stacked = np.stack(estimates)
    out = np.median(stacked, axis=0)
    if blocked_levels is None:
        return out
    for level in range(stacked.shape[1]):
        free = [i for i, bit in enumerate(voters) if level not in blocked_levels[bit][k]]
        if free and len(free) < len(voters):
            out[level] = np.median(stacked[free, level])
    return out


def estimate_prior(
    gammas: NDArray[np.int64],
    counts: NDArray[np.float64],
    weights: Sequence[NDArray[np.float64]],
    total_pairs: float,
    max_iter: int = 200,
) -> float:
    """P(two random records match), with pairs outside the blocks taken as non-matches.

    Fixed point of ``lambda = sum(P(match | pattern, lambda) * count) / total_pairs``.
    """
    bf = np.zeros(len(counts))
    for k, w in enumerate(weights):
        bf += w[gammas[:, k]]
    lam = max(float(counts.sum()) / max(total_pairs, 1.0) * 0.5, 1e-12)
    for _ in range(max_iter):
        logit = np.log2(lam / (1 - lam)) + bf
        post = 1.0 / (1.0 + np.exp2(-np.clip(logit, -1000, 1000)))
        new = float((post * counts).sum() / max(total_pairs, 1.0))
        new = min(max(new, 1e-12), 0.5)
        if abs(new - lam) <= 1e-9 * max(lam, 1e-12) + 1e-15:
            lam = new
            break
        lam = new
    return lam
