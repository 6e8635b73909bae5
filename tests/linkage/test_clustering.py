import numpy as np
import pandas as pd

from corridor.linkage.clustering import carry_ids, components, entity_id, entity_ids


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
