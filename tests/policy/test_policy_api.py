"""``/api/v1/policy``: rules, evaluation (store or posted daily CSV), projection, errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from corridor.api import create_app
from corridor.store import Store
from tests.policy.test_policy_cli import store  # noqa: F401  (the module's store fixture)


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(create_app(store.path)) as c:
        yield c


def test_rules(client: TestClient) -> None:
    got = client.get("/api/v1/policy/rules").json()["data"]
    assert [r["id"] for r in got] == ["securing-the-border-2024-06", "securing-the-border-2024-10"]
    assert got[1]["lift"].startswith("7-day average < 1,500 on 28 consecutive days")


def test_evaluate_on_the_store_json_and_csv(client: TestClient) -> None:
    url = "/api/v1/policy/evaluate/securing-the-border-2024-06?paths=20"
    got = client.get(url).json()
    assert got["approximate"] is True and got["statements"][0].startswith("Approximation")
    (change,) = got["data"]
    assert change["state"] == "lifted" and change["share_of_paths"] > 0.9
    assert got["p_in_force"][0] == {"month": "2024-06", "p_in_force": 1.0}
    csv = client.get(url + "&format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("date,state,determined")
    es = client.get(url + "&lang=es").json()
    assert es["statements"][0].startswith("Aproximación")


def test_what_if_changes_the_answer(client: TestClient) -> None:
    base = "/api/v1/policy/evaluate/securing-the-border-2024-06?paths=10"
    assert client.get(base).json()["data"]
    # the central path never goes below ~500 a day (July slopes down from June's
    # 3,000 toward August's 1,000): a lift threshold of 400 is never met
    assert client.get(base + "&set=lift.threshold=400").json()["data"] == []


def test_posted_daily_csv_is_exact(client: TestClient) -> None:
    body = "date,n\n" + "\n".join(
        f"2024-{m:02d}-{d:02d},{3000 if m < 7 else 1400}"
        for m in (5, 6, 7, 8) for d in range(1, 31)
    )  # fmt: skip
    got = client.post("/api/v1/policy/evaluate/securing-the-border-2024-06", content=body,
                      headers={"content-type": "text/csv"}).json()  # fmt: skip
    assert got["transitions"][0]["date"] == "2024-07-21"
    bad = client.post("/api/v1/policy/evaluate/securing-the-border-2024-06",
                      content="date,n\n2024-06-01,lots\n",
                      headers={"content-type": "text/csv"})  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["error"].startswith("request body, row 2, column `n`, value `lots`")


def test_project(client: TestClient) -> None:
    got = client.get("/api/v1/policy/project/securing-the-border-2024-10?months=2&paths=10").json()
    assert [m["period"] for m in got["data"]] == ["2025-01-01", "2025-02-01"]
    assert 0 <= got["data"][0]["p_in_force"] <= 1 and got["statements"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/v1/policy/evaluate/nope", "unknown policy rule `nope`"),
        ("/api/v1/policy/evaluate/rules.toml", "unknown policy rule `rules.toml`"),
        ("/api/v1/policy/evaluate/securing-the-border-2024-06?set=lift.x=1", "unknown setting"),
        ("/api/v1/policy/evaluate/securing-the-border-2024-06?lang=fr", "unknown language"),
        ("/api/v1/policy/project/securing-the-border-2024-06", "ended on 2024-09-30"),
    ],
)
def test_errors_are_400_with_one_message(client: TestClient, url: str, message: str) -> None:
    r = client.get(url)
    assert r.status_code == 400 and message in r.json()["error"]


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/policy/rules", "/api/v1/policy/evaluate/{rule_id}",
            "/api/v1/policy/project/{rule_id}"} <= set(paths)  # fmt: skip
    assert "post" in paths["/api/v1/policy/evaluate/{rule_id}"]
