"""``corridor networks``: table, CSV and JSON with the evidence; clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from corridor.cli.main import app
from corridor.errors import ConfigError

runner = CliRunner()


def test_json_has_leads_with_evidence_and_evaluation(ring: Path) -> None:
    res = runner.invoke(app, ["networks", str(ring), "--format", "json", "--evaluate"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    lead = doc["leads"][0]
    assert lead["suspects"][0]["entity"] == "P900"
    assert lead["shared"][0]["records"][0]["record_id"].startswith("UPM-")
    assert lead["reasons"] and doc["evaluation"]["guide_recall"] == 1.0


def test_table_and_csv(ring: Path) -> None:
    res = runner.invoke(app, ["networks", str(ring), "--top", "5"])
    assert res.exit_code == 0, res.output
    assert "P900" in res.stdout and "+57 111" in res.stdout
    res = runner.invoke(app, ["networks", str(ring), "--format", "csv"])
    assert res.exit_code == 0, res.output
    header, first = res.stdout.splitlines()[:2]
    assert header.startswith("rank,lead,score,people,guides") and first.startswith("1,")


def test_errors_name_what_is_wrong(tmp_path: Path, ring: Path) -> None:
    # the CLI's main() prints a CorridorError as one line; here the error itself is checked
    res = runner.invoke(app, ["networks", str(tmp_path)])
    assert isinstance(res.exception, ConfigError) and "records/*.parquet" in str(res.exception)
    res = runner.invoke(app, ["networks", str(ring), "--entities", str(tmp_path / "x.parquet")])
    assert isinstance(res.exception, ConfigError) and "does not exist" in str(res.exception)
    res = runner.invoke(app, ["networks", str(ring), "--split", "2"])
    assert isinstance(res.exception, ConfigError) and "outside 0..1" in str(res.exception)
