import pandas as pd
import pytest

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from corridor.api import create_app  # noqa: E402
from tests.linkage.people import two_agencies  # noqa: E402


@pytest.fixture
def client(tmp_path):
    return TestClient(create_app(tmp_path / "store.duckdb"))


def test_post_link_returns_pairs_entities_and_model(client, tmp_path):
    a, b, truth = two_agencies(tmp_path, n=90)
    sources = [pd.read_csv(p, dtype=str).fillna("").to_dict("records") for p in (a, b)]
    answer = client.post("/api/v1/link", json={"sources": sources, "id_column": "id"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    pairs = {(p["left_id"], p["right_id"]) for p in body["pairs"]}
    assert len(pairs & truth) >= 0.95 * len(truth)
    assert {"match_probability", "match_weight"} <= set(body["pairs"][0])
    assert len(body["clusters"]) == sum(len(s) for s in sources)
    assert body["model"]["comparisons"][0]["name"] == "given_name"


def test_post_link_bad_input_is_a_400_naming_the_problem(client):
    sources = [[{"id": "1", "given_name": "Ana"}, {"id": "1", "given_name": "Rosa"}]]
    answer = client.post("/api/v1/link", json={"sources": sources, "id_column": "id"})
    assert answer.status_code == 400
    assert "duplicate record id" in answer.json()["error"]
    missing = client.post("/api/v1/link", json={"sources": sources, "id_column": "registro"})
    assert missing.status_code == 400 and "`registro`" in missing.json()["error"]
