import numpy as np
import pandas as pd

from corridor.linkage.clustering import (
    carry_ids,
    components,
    dob_conflict,
    entity_id,
    entity_ids,
    split_conflicts,
)


def test_components_join_chains_and_leave_singletons():
    labels = components(7, np.array([5, 0, 3, 2]), np.array([6, 1, 2, 1]))
    assert labels.tolist() == [0, 0, 0, 0, 4, 5, 5]


def test_components_on_a_long_chain_in_reverse_order():
    n = 1000
    left = np.arange(n - 1)[::-1]
    labels = components(n, left, left + 1)
    assert set(labels.tolist()) == {0}


def test_entity_ids_are_stable_and_order_free():
    ids = pd.Series(["b", "a", "c"])
    first = entity_ids(ids, np.array([0, 0, 2]))
    again = entity_ids(pd.Series(["c", "a", "b"]), np.array([0, 1, 1]))
    assert first.tolist()[:2] == [entity_id("a"), entity_id("a")]
    assert dict(zip(ids, first, strict=True)) == dict(zip(["c", "a", "b"], again, strict=True))


def _clusters(groups: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(r, e) for e, rs in groups.items() for r in rs], columns=["record_id", "entity_id"]
    )


def test_carry_ids_keeps_ids_records_merges_and_splits():
    previous = _clusters({"E1": ["a", "b", "c"], "E2": ["d"], "E3": ["e", "f"], "E4": ["g"]})
    # new run: E2 grows, E3 and E4 merge, E1 splits (c leaves), h is new
    current = _clusters(
        {"x": ["a", "b"], "y": ["c"], "z": ["d", "i"], "w": ["e", "f", "g"], "v": ["h"]}
    )
    out, changes = carry_ids(current, previous)
    ids = dict(zip(out["record_id"], out["entity_id"], strict=True))
    assert ids["a"] == ids["b"] == "E1"
    assert ids["d"] == ids["i"] == "E2"
    assert ids["e"] == ids["g"] == "E3"  # the larger previous entity keeps its id
    assert ids["c"] not in {"E1", "E2", "E3", "E4"}
    assert changes.merges == [{"into": "E3", "merged": ["E3", "E4"]}]
    assert changes.splits == [{"from": "E1", "pieces": [ids["c"]]}]


def _split(n, edges, dob):
    left = np.array([e[0] for e in edges])
    right = np.array([e[1] for e in edges])
    weight = np.array([e[2] for e in edges], dtype=float)
    return split_conflicts(components(n, left, right), left, right, weight, dob).tolist()


def test_dob_conflict_spares_typos_swaps_and_missing_dates():
    assert dob_conflict("19900315", "19851102")
    assert not dob_conflict("19900315", "19900316")  # one-digit typo
    assert not dob_conflict("19900305", "19900503")  # day/month swap
    assert not dob_conflict("19900315", None)
    assert not dob_conflict("19900315", "19900315")


def test_chain_through_a_wrong_link_is_cut_at_the_weakest_pair():
    # A-B strong, B-C weaker; A and C were born years apart: C leaves
    labels = _split(3, [(0, 1, 12.0), (1, 2, 6.0)], ["19900315", None, "19721102"])
    assert labels == [0, 0, 2]
    # the same chain with C the stronger partner of B: A leaves instead
    labels = _split(3, [(0, 1, 6.0), (1, 2, 12.0)], ["19900315", None, "19721102"])
    assert labels == [0, 1, 1]


def test_consistent_duplicates_stay_one_entity():
    # one person's four records, a typo and a missing date among them, linked as a path
    dob = ["19900315", "19900316", None, "19900315"]
    edges = [(0, 1, 9.0), (1, 2, 4.0), (2, 3, 7.0)]
    assert _split(4, edges, dob) == [0, 0, 0, 0]
    # a pair is never split, even with conflicting dates (only chains are re-checked)
    assert _split(2, [(0, 1, 5.0)], ["19900315", "19721102"]) == [0, 0]


def test_split_entities_keep_stable_ids():
    ids = pd.Series(["r3", "r1", "r2"])
    labels = split_conflicts(
        components(3, np.array([0, 1]), np.array([1, 2])),
        np.array([0, 1]),
        np.array([1, 2]),
        np.array([10.0, 2.0]),
        ["19900315", None, "19721102"],
    )
    first = entity_ids(ids, labels)
    assert first.tolist() == [entity_id("r1"), entity_id("r1"), entity_id("r2")]
    again = entity_ids(ids, labels)
    assert first.tolist() == again.tolist()


def test_records_linked_directly_are_no_conflict_despite_their_dates():
    # three duplicates of one person, two dates mistyped in two digits, every pair linked
    # by the model: they stay one entity (only records joined through others conflict)
    dob = ["19900315", "19900531", "19901315"]
    edges = [(0, 1, 9.0), (1, 2, 8.0), (0, 2, 7.0)]
    assert _split(3, edges, dob) == [0, 0, 0]
    # without the direct 0-2 link, the chain through 1 is cut
    assert _split(3, [(0, 1, 9.0), (1, 2, 8.0)], ["19900315", None, "19721102"]) == [0, 0, 2]
