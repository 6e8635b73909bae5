"""`corridor synth` end to end, its user errors, and `corridor ingest` of its aggregates."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.cli.test_cli import CMD, one_error_line


def run(tmp_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CORRIDOR_DEBUG"}
    env["CORRIDOR_DB"] = str(tmp_path / "store.duckdb")
    return subprocess.run(
        [*CMD, *(str(a) for a in args)], capture_output=True, text=True, env=env,
        timeout=300, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def cli_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli")
    out = tmp / "demo"
    proc = run(tmp, "synth", "--people", "3000", "--seed", "4", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert "3,000 people" in proc.stdout and "records" in proc.stdout
    return out


def test_synth_writes_the_layout(cli_out: Path) -> None:
    manifest = json.loads((cli_out / "manifest.json").read_text())
    assert manifest["people"] == 3000 and manifest["seed"] == 4
    assert sorted(p.name for p in cli_out.iterdir()) == [
        "flows",
        "manifest.json",
        "records",
        "truth",
    ]
    # nothing but the output folder is left beside it
    assert sorted(p.name for p in cli_out.parent.iterdir()) == ["demo"]


def test_ingest_reads_the_aggregates(tmp_path: Path, cli_out: Path) -> None:
    files = sorted((cli_out / "flows").glob("*.csv"))
    proc = run(tmp_path, "ingest", *files)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((cli_out / "manifest.json").read_text())
    con = duckdb.connect(str(tmp_path / "store.duckdb"), read_only=True)
    by_agency = dict(con.execute("SELECT agency, sum(n) FROM flows GROUP BY 1").fetchall())
    assert by_agency == {a: n for a, n in manifest["counts"]["records"].items() if n}
    sources = {r[0]: r[1] for r in con.execute("SELECT source, grp FROM sources").fetchall()}
    assert set(sources) == {f"synth.{c}" for c in ("pan", "cri", "hnd", "gtm", "mex", "usa", "smo")}
    # each simulated agency is its own overlap group, apart from every agency's
    assert len(set(sources.values())) == len(sources)
    assert all(g.startswith("SYNTH.") for g in sources.values())
    con.close()
    # the checkpoint series see the simulated border encounters
    from corridor.analysis.series import checkpoint, monthly
    from corridor.store import Store

    series = monthly(Store(tmp_path / "store.duckdb"), checkpoint("us_southwest"))
    assert (
        series.sum() == manifest["counts"]["records"]["USBP"] + manifest["counts"]["records"]["OFO"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--people", "0"], "--people"),
        (["--people", "10", "--calibrate-from", "absent.duckdb"], "no store"),
    ],
)
def test_bad_options_fail_cleanly(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "out"
    proc = run(tmp_path, "synth", "--out", out, *args)
    assert proc.returncode == 2
    assert message in one_error_line(proc)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_existing_output_is_kept_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    proc = run(tmp_path, "synth", "--people", "200", "--out", out)
    assert proc.returncode == 2 and "--force" in one_error_line(proc)
    assert (out / "mine.txt").read_text() == "keep me"
    proc = run(tmp_path, "synth", "--people", "200", "--out", out, "--force")
    assert proc.returncode == 0, proc.stderr
    assert not (out / "mine.txt").exists() and (out / "manifest.json").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[agency.SNM]\ntypo = 2\n", "column `agency.SNM.typo`, value `2`: rate is outside 0..1"),
    ],
)
def test_bad_profile_fails_without_output(tmp_path: Path, text: str, message: str) -> None:
    profile = tmp_path / "bad_profile.toml"
    profile.write_text(text)
    out = tmp_path / "out"
    proc = run(tmp_path, "synth", "--people", "100", "--out", out, "--profile", profile)
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert "bad_profile.toml" in line and message in line
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad_profile.toml"]


def test_missing_profile_file(tmp_path: Path) -> None:
    proc = run(tmp_path, "synth", "--people", "100", "--out", tmp_path / "o", "--profile",
               tmp_path / "nope.toml")  # fmt: skip
    assert proc.returncode == 1
    assert "nope.toml: profile file not found" in one_error_line(proc)
