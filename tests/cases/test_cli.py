"""``corridor cases`` as a user runs it: once as a subprocess (the installed entry point),
the rest in-process through the same ``main()`` (one line on error, exit codes)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corridor.cli.main import main


def run(
    tmp: Path,
    *args: str,
    stdin: str = "",
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str, str]:
    monkeypatch.setenv("CORRIDOR_CASES_DB", str(tmp / "cases.sqlite"))
    monkeypatch.setenv("CORRIDOR_CASES_KEYS", str(tmp / "keys.json"))
    monkeypatch.setattr(sys, "argv", ["corridor", "cases", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    code, out, err = run(tmp_path, "init", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0, err
    assert "offices added: 7" in out
    return tmp_path


def test_the_installed_command(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CORRIDOR_CASES_DB": str(tmp_path / "c.sqlite"),
        "CORRIDOR_CASES_KEYS": str(tmp_path / "k.json"),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "corridor.cli", "cases", "init"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "offices added: 7" in proc.stdout


def test_init_twice_keeps_keys_and_offices(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = (home / "keys.json").read_bytes()
    code, out, _ = run(home, "init", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0 and "offices added: 0" in out and "(kept)" in out
    assert (home / "keys.json").read_bytes() == keys
    assert oct((home / "keys.json").stat().st_mode & 0o777) == "0o600"


def test_offices_as_csv_and_json(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(home, "offices", "--format", "csv", monkeypatch=monkeypatch, capsys=capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["code"] for r in rows} >= {"COL-BOG", "CRI-SJO", "ECU-UIO", "GTM-GUA"}
    assert {"code", "country", "city"} <= set(rows[0])
    _, out, _ = run(home, "offices", "--format", "json", monkeypatch=monkeypatch, capsys=capsys)
    data = {d["code"]: d for d in json.loads(out)}
    assert (data["CRI-SJO"]["country"], data["CRI-SJO"]["city"]) == ("CRI", "San José")
    code, _, err = run(home, "offices", "--format", "xml", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and "expected table, csv or json" in err


def test_user_add_reads_the_password_and_prints_the_uri_once(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("user", "add", "Ana@Example.org", "--role", "caseworker", "--office", "COL-BOG")
    code, out, err = run(
        home, *args, stdin="a long enough passphrase\n", monkeypatch=monkeypatch, capsys=capsys
    )
    assert code == 0, err
    assert out.startswith("otpauth://totp/corridor%20cases:ana%40example.org?secret=")
    assert "a long enough" not in out
    code, _, err = run(
        home, *args, stdin="a long enough passphrase\n", monkeypatch=monkeypatch, capsys=capsys
    )
    assert code == 2 and "already exists" in err
    code, _, err = run(
        home,
        "user",
        "add",
        "b@example.org",
        "--role",
        "admin",
        stdin="short\n",
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert code == 2 and "12 to 128" in err
    code, _, err = run(
        home,
        "user",
        "add",
        "c@example.org",
        "--role",
        "boss",
        stdin="x" * 20 + "\n",
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert code == 2 and "unknown role `boss`" in err and "Traceback" not in err
    code, _, err = run(
        home,
        "user",
        "add",
        "d@example.org",
        "--role",
        "receiving_officer",
        stdin="x" * 20 + "\n",
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert code == 2 and "USA, CAN, ESP" in err


def test_audit_verify_and_the_other_commands(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(home, "audit", "verify", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0 and out.startswith("audit log intact: 1 entries in 16 chains, head ")
    assert (
        run(home, "rescreen", monkeypatch=monkeypatch, capsys=capsys)[1]
        == "0 cases screened again\n"
    )
    assert run(home, "purge", monkeypatch=monkeypatch, capsys=capsys)[1] == "0 cases erased\n"
    code, out, _ = run(home, "keys", "rotate", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0 and out.startswith("active key k2;")
    code, out, _ = run(home, "aggregates", monkeypatch=monkeypatch, capsys=capsys)
    assert out == "month,office,nationality,event,persons\n"
    code, _, err = run(home, "outbox", "send", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and "nothing sent" in err
    code, out, _ = run(home, "audit", "verify", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0 and out.startswith("audit log intact: 3 entries")  # init, purge, keys


def test_commands_before_init_say_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(tmp_path, "offices", monkeypatch=monkeypatch, capsys=capsys)
    assert code == 2 and "corridor cases init" in err and "Traceback" not in err
