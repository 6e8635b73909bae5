"""``corridor serve``: one or several worker processes, and a start without a flows store."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.test_cli import CMD


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_without_a_store_and_with_workers(tmp_path: Path, workers: str) -> None:
    port = _free_port()
    missing = tmp_path / "none.duckdb"
    proc = subprocess.Popen(
        [*CMD, "serve", "--port", str(port), "--workers", workers, "--db", str(missing)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                spec = httpx.get(f"{base}/api/v1/openapi.json", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(f"serve did not start: {proc.communicate()}") from None
                time.sleep(0.2)
        assert spec.status_code == 200
        # statistics need a store: a clear answer, not a crash
        r = httpx.get(f"{base}/api/v1/sources", timeout=10)
        assert r.status_code == 503 and "no store" in r.json()["error"]
        assert not missing.exists()  # serving never creates a store
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert "serving without statistics" in " ".join(err.split())  # the console wraps


def test_serve_rejects_bad_workers(tmp_path: Path) -> None:
    proc = subprocess.run([*CMD, "serve", "--workers", "0", "--db", str(tmp_path / "x")],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2 and "--workers 0" in proc.stderr
