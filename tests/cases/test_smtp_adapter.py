"""The SMTP adapter against a small SMTP server on 127.0.0.1 (nothing leaves the machine)."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest

from corridor.cases import outbox
from corridor.errors import ConfigError
from tests.cases.test_cli import run


class _Relay(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, refuse_rcpt: bool = False) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.refuse_rcpt = refuse_rcpt
        self.received: list[tuple[str, list[str], Message]] = []


class _Session(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib: EHLO, MAIL, RCPT, DATA, QUIT (no STARTTLS)."""

    server: _Relay

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self._say("220 relay.test ESMTP")
        sender, rcpts = "", []
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250-relay.test")
                self._say("250 8BITMIME")
            elif verb == "MAIL":
                sender = line.decode().split(":", 1)[1].strip()
                self._say("250 OK")
            elif verb == "RCPT":
                if self.server.refuse_rcpt:
                    self._say("550 no such user")
                    continue
                rcpts.append(line.decode().split(":", 1)[1].strip())
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 end with <CRLF>.<CRLF>")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk
                self.server.received.append((sender, rcpts, message_from_bytes(body)))
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 OK")  # RSET, NOOP


def _serve(relay: _Relay) -> Iterator[_Relay]:
    thread = threading.Thread(target=relay.serve_forever, daemon=True)
    thread.start()
    try:
        yield relay
    finally:
        relay.shutdown()
        relay.server_close()


@pytest.fixture()
def relay() -> Iterator[_Relay]:
    yield from _serve(_Relay())


@pytest.fixture()
def refusing_relay() -> Iterator[_Relay]:
    yield from _serve(_Relay(refuse_rcpt=True))


def test_smtp_adapter_sends_the_message_to_the_relay(relay: _Relay) -> None:
    port = relay.server_address[1]
    text = outbox.render("registered", {"reference": "COL-BOG-7K3M9Q", "lang": "es"})
    outbox.SmtpAdapter("127.0.0.1", port, sender="smo@example.org").send(
        "email", "ana@example.org", text
    )
    assert len(relay.received) == 1
    sender, rcpts, msg = relay.received[0]
    assert sender == "<smo@example.org>" and rcpts == ["<ana@example.org>"]
    assert msg["To"] == "ana@example.org" and msg["From"] == "smo@example.org"
    body = msg.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert "COL-BOG-7K3M9Q" in body.decode("utf-8")
    assert "Registro" in body.decode("utf-8")  # the applicant's language, accents intact


def test_smtp_adapter_refuses_sms() -> None:
    with pytest.raises(ConfigError, match="e-mail only"):
        outbox.SmtpAdapter("127.0.0.1", 1).send("sms", "+57 300 1", "hola")


def test_a_refused_recipient_is_an_error_for_deliver_to_retry(refusing_relay: _Relay) -> None:
    port = refusing_relay.server_address[1]
    with pytest.raises(Exception) as caught:  # smtplib's refusal; deliver() counts it
        outbox.SmtpAdapter("127.0.0.1", port).send("email", "nobody@example.org", "x")
    assert "Refused" in type(caught.value).__name__
    assert refusing_relay.received == []


@pytest.mark.parametrize("value", ["relay:abc", ":25", "relay:70000"])
def test_outbox_send_refuses_a_bad_smtp_address(
    value: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(tmp_path, "outbox", "send", "--smtp", value, monkeypatch=monkeypatch,
                       capsys=capsys)  # fmt: skip
    assert code != 0
    assert f"--smtp {value!r}" in err and "HOST:PORT" in err
