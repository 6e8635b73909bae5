"""The response cache: LRU bound and one computation for concurrent misses."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from corridor.api.respond import Rendered, ResponseCache


def _rendered(text: str) -> Rendered:
    return Rendered(text.encode(), "application/json", "etag")


def test_concurrent_misses_compute_once() -> None:
    cache = ResponseCache(8)
    calls = []
    barrier = threading.Barrier(10)
    got: list[Rendered] = []

    def make() -> Rendered:
        calls.append(1)
        time.sleep(0.05)  # long enough for the other threads to arrive and wait
        return _rendered("x")

    def ask() -> None:
        barrier.wait()
        got.append(cache.get_or_compute("k", make))

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert {r.body for r in got} == {b"x"}


def test_different_keys_do_not_wait_for_each_other_and_lru_bounds() -> None:
    cache = ResponseCache(2)
    for key in "abc":
        cache.get_or_compute(key, lambda key=key: _rendered(key))
    assert cache.get("a") is None  # evicted
    assert cache.get("c") is not None


def test_size_zero_computes_every_time() -> None:
    cache = ResponseCache(0)
    calls = []
    for _ in range(3):
        cache.get_or_compute("k", lambda: calls.append(1) or _rendered("y"))
    assert len(calls) == 3


def test_cache_key_keeps_the_order_of_repeated_parameters() -> None:
    from corridor.api.respond import cache_key

    a = cache_key("v", "/p", [("nat", "VEN"), ("nat", "HTI")], "json")
    b = cache_key("v", "/p", [("nat", "HTI"), ("nat", "VEN")], "json")
    assert a != b
    # different parameters in another order are still one question
    c = cache_key("v", "/p", [("to", "2024"), ("nat", "VEN"), ("format", "json")], "json")
    assert c == cache_key("v", "/p", [("nat", "VEN"), ("to", "2024")], "json")


def test_list_cells_and_timestamps_read_the_same_in_json_and_csv() -> None:
    import csv
    import io
    import json

    import pandas as pd

    from corridor.api.respond import Payload, render

    # e.g. an alert's releases (VARCHAR[] comes back as numpy arrays) and evaluated_at
    df = pd.DataFrame({
        "releases": [np.array(["a@1", "b@2"], dtype=object), np.array([], dtype=object),
                     np.array(["c@3"], dtype=object)],
        "evaluated_at": pd.to_datetime(["2024-07-01 10:11:12"] * 3),
        "period": pd.to_datetime(["2024-06-01"] * 3),
    })  # fmt: skip
    data = json.loads(render(Payload(df), "json", "e").body)["data"]
    assert [r["releases"] for r in data] == [["a@1", "b@2"], [], ["c@3"]]
    rows = list(csv.DictReader(io.StringIO(render(Payload(df), "csv", "e").body.decode())))
    assert [r["releases"] for r in rows] == ["a@1;b@2", "", "c@3"]
    assert rows[0]["evaluated_at"] == data[0]["evaluated_at"] == "2024-07-01T10:11:12"
    assert rows[0]["period"] == data[0]["period"] == "2024-06-01"


def test_a_failed_computation_leaves_nothing_behind() -> None:
    # every bad request is a new key: a lock left per failure would grow without bound
    cache = ResponseCache(8)

    def fail() -> Rendered:
        raise ValueError("bad request")

    for i in range(3):
        with pytest.raises(ValueError):
            cache.get_or_compute(f"k{i}", fail)
    assert cache._pending == {}
    assert cache.get_or_compute("k0", lambda: _rendered("ok")).body == b"ok"
