"""The OpenAPI document says what the API answers: 400 with {"error"}, never 422."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from corridor.api import create_app


def test_no_route_documents_422_and_validation_errors_are_400(tmp_path: Path) -> None:
    client = TestClient(create_app(tmp_path / "absent.duckdb"))
    spec = client.get("/api/v1/openapi.json").json()
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert operations
    assert not [op["operationId"] for op in operations if "422" in op.get("responses", {})]
    forecasts = spec["paths"]["/api/v1/forecasts/{checkpoint_id}"]["get"]["responses"]
    assert "400" in forecasts
    r = client.get("/api/v1/forecasts/darien?horizon=99")
    assert r.status_code == 400 and "error" in r.json()
