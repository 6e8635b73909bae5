"""``corridor cases`` as a user runs it (subprocess, the installed command)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CMD = [sys.executable, "-m", "corridor.cli"]


def run(tmp: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CORRIDOR_CASES_DB": str(tmp / "cases.sqlite"),
           "CORRIDOR_CASES_KEYS": str(tmp / "keys.json")}  # fmt: skip
    return subprocess.run([*CMD, "cases", *args], input=stdin, capture_output=True, text=True,
                          env=env, check=False, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cases_cli")
    proc = run(tmp, "init")
    assert proc.returncode == 0, proc.stderr
    assert "offices added: 7" in proc.stdout
    return tmp


def test_init_twice_keeps_keys_and_offices(home: Path) -> None:
    keys = (home / "keys.json").read_bytes()
    proc = run(home, "init")
    assert proc.returncode == 0 and "offices added: 0" in proc.stdout
    assert "(kept)" in proc.stdout
    assert (home / "keys.json").read_bytes() == keys
    assert oct((home / "keys.json").stat().st_mode & 0o777) == "0o600"


def test_offices_as_csv_and_json(home: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run(home, "offices", "--format", "csv").stdout)))
    assert {r["code"] for r in rows} >= {"COL-BOG", "CRI-SJO", "ECU-UIO", "GTM-GUA"}
    assert {"code", "country", "city"} <= set(rows[0])
    data = {d["code"]: d for d in json.loads(run(home, "offices", "--format", "json").stdout)}
    assert (data["CRI-SJO"]["country"], data["CRI-SJO"]["city"]) == ("CRI", "San José")
    bad = run(home, "offices", "--format", "xml")
    assert bad.returncode == 2 and "expected table, csv or json" in bad.stderr


def test_user_add_reads_the_password_and_prints_the_uri_once(home: Path) -> None:
    proc = run(home, "user", "add", "Ana@Example.org", "--role", "caseworker", "--office",
               "COL-BOG", stdin="a long enough passphrase\n")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("otpauth://totp/")
    assert "secret=" in proc.stdout and "a long enough" not in proc.stdout
    again = run(home, "user", "add", "ana@example.org", "--role", "caseworker", "--office",
                "COL-BOG", stdin="a long enough passphrase\n")  # fmt: skip
    assert again.returncode == 2 and "already exists" in again.stderr
    short = run(home, "user", "add", "b@example.org", "--role", "admin", stdin="short\n")
    assert short.returncode == 2 and "12 to 128" in short.stderr
    role = run(home, "user", "add", "c@example.org", "--role", "boss", stdin="x" * 20 + "\n")
    assert role.returncode == 2 and "unknown role `boss`" in role.stderr
    assert "Traceback" not in role.stderr


def test_audit_verify(home: Path) -> None:
    proc = run(home, "audit", "verify")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("audit log intact:")


def test_commands_before_init_say_what_to_do(tmp_path: Path) -> None:
    proc = run(tmp_path, "offices")
    assert proc.returncode == 2
    assert "corridor cases init" in proc.stderr
    assert "Traceback" not in proc.stderr
