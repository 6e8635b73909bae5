import itertools

import numpy as np

from corridor.linkage.em import estimate_m, estimate_prior, log2_bayes_factors

M = [np.array([0, 0.9, 0.07, 0.03]), np.array([0, 0.85, 0.15]), np.array([0, 0.8, 0.1, 0.1])]
U = [np.array([0, 0.01, 0.04, 0.95]), np.array([0, 0.05, 0.95]), np.array([0, 0.02, 0.08, 0.9])]


def _expected_counts(n_match: float, n_non: float):
    """Exact expected pattern counts of a mixture with known m and u (no sampling noise)."""
    patterns = list(itertools.product(*(range(1, len(m)) for m in M)))
    counts = []
    for p in patterns:
        pm = np.prod([M[k][g] for k, g in enumerate(p)])
        pu = np.prod([U[k][g] for k, g in enumerate(p)])
        counts.append(n_match * pm + n_non * pu)
    return np.array(patterns), np.array(counts)


def test_em_recovers_m_from_a_known_mixture():
    gammas, counts = _expected_counts(2_000, 20_000)
    start = [np.array([0, 0.5, 0.3, 0.2]), np.array([0, 0.5, 0.5]), np.array([0, 0.4, 0.3, 0.3])]
    result = estimate_m(
        gammas, counts, np.ones(len(counts), dtype=np.int64), start, U, [frozenset()], ["all"]
    )
    for got, want in zip(result.m, M, strict=True):
        np.testing.assert_allclose(got[1:], want[1:], atol=0.01)
    session = result.sessions[0]
    assert session["converged"]
    assert abs(session["match_share"] - 2_000 / 22_000) < 0.005


def test_em_leaves_out_the_blocked_comparison():
    gammas, counts = _expected_counts(1_000, 5_000)
    start = [np.array([0, 0.5, 0.3, 0.2]), np.array([0, 0.6, 0.4]), np.array([0, 0.4, 0.3, 0.3])]
    result = estimate_m(
        gammas, counts, np.ones(len(counts), dtype=np.int64), start, U, [frozenset({1})], ["r"]
    )
    np.testing.assert_allclose(result.m[1][1:], [0.6, 0.4])  # kept at its start
    np.testing.assert_allclose(result.m[0][1:], M[0][1:], atol=0.02)


def test_prior_counts_the_matches_among_all_pairs():
    # every pair is a candidate here, so the prior is the match share: 1000 / 6000
    gammas, counts = _expected_counts(1_000, 5_000)
    weights = log2_bayes_factors(M, U)
    prior = estimate_prior(gammas, counts, weights, total_pairs=6_000)
    assert abs(prior - 1 / 6) < 0.01


def test_sessions_do_not_vote_on_levels_their_rule_cannot_see():
    from corridor.linkage.em import _median_by_level

    # three sessions estimated one comparison (levels: missing, exact, swapped, else);
    # sessions 0 and 1 were blocked on a column the "swapped" level reads, so they never
    # saw a swap and put it at zero; session 2 saw them
    estimates = [
        np.array([0.0, 0.9, 0.0, 0.1]),
        np.array([0.0, 0.92, 0.0, 0.08]),
        np.array([0.0, 0.85, 0.05, 0.10]),
    ]
    blocked = [[frozenset({2})], [frozenset({2})], [frozenset()]]
    plain = _median_by_level(estimates, [0, 1, 2], 0, None)
    assert plain[2] == 0.0  # the plain median is outvoted by the blind sessions
    voted = _median_by_level(estimates, [0, 1, 2], 0, blocked)
    assert voted[2] == 0.05 and voted[1] == 0.9
