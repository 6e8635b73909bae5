"""Per-field encryption (AES-256-GCM, key rotation) and blind indexes (HMAC-SHA256).

A ciphertext is ``<key id>.<base64url(nonce || ciphertext+tag)>``; the field name is
the associated data, so a value copied into another column fails to decrypt.
Blind indexes use a separate key and are computed on a normalised value
(case, accents and spacing folded) so exact search works without plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor.errors import ConfigError

NONCE = 12


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fold(value: str) -> str:
    """Lower case, no accents, single spaces: how blind indexes see a value."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().replace("-", " ").split())


@dataclass
class Keyring:
    """Data keys by id (one active) and the blind-index key."""

    data_keys: dict[str, bytes]
    active: str
    index_key: bytes
    path: Path | None = None
    _aead: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def generate(cls) -> Keyring:
        return cls({"k1": secrets.token_bytes(32)}, "k1", secrets.token_bytes(32))

    @classmethod
    def load(cls, path: Path) -> Keyring:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            keys = {k: _unb64(v) for k, v in raw["data_keys"].items()}
            ring = cls(keys, raw["active"], _unb64(raw["index_key"]), path)
        except FileNotFoundError:
            raise ConfigError(
                f"no cases key file at {path}: run `corridor cases init` (or set "
                "CORRIDOR_CASES_KEYS)"
            ) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{path}: not a cases key file ({exc})") from None
        if ring.active not in keys or any(len(k) != 32 for k in keys.values()):
            raise ConfigError(f"{path}: the active key is missing or a key is not 256 bits")
        return ring

    def save(self, path: Path | None = None) -> None:
        """Write atomically with owner-only permissions."""
        target = path or self.path
        if target is None:
            raise ConfigError("the key ring has no file to be saved to")
        target.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps(
            {
                "active": self.active,
                "data_keys": {k: _b64(v) for k, v in self.data_keys.items()},
                "index_key": _b64(self.index_key),
            },
            indent=1,
        )
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".keys-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(body)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.path = target

    def add_key(self) -> str:
        """A new active data key; old keys stay for decryption until re-encryption."""
        n = 1 + max(int(k[1:]) for k in self.data_keys if k[1:].isdigit())
        kid = f"k{n}"
        self.data_keys[kid] = secrets.token_bytes(32)
        self.active = kid
        return kid

    def _cipher(self, kid: str) -> Any:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        aead = self._aead.get(kid)
        if aead is None:
            aead = self._aead[kid] = AESGCM(self.data_keys[kid])
        return aead

    def encrypt(self, value: str | None, field_name: str) -> str | None:
        if value is None:
            return None
        nonce = secrets.token_bytes(NONCE)
        ct = self._cipher(self.active).encrypt(nonce, value.encode("utf-8"), field_name.encode())
        return f"{self.active}.{_b64(nonce + ct)}"

    def decrypt(self, token: str | None, field_name: str) -> str | None:
        if token is None:
            return None
        kid, _, body = token.partition(".")
        if kid not in self.data_keys:
            raise ConfigError(f"data key `{kid}` is not in the key file (retired too early?)")
        raw = _unb64(body)
        plain: bytes = self._cipher(kid).decrypt(raw[:NONCE], raw[NONCE:], field_name.encode())
        return plain.decode("utf-8")

    def key_id(self, token: str) -> str:
        return token.partition(".")[0]

    def blind_index(self, value: str | None, field_name: str) -> str | None:
        """128-bit keyed hash of the folded value; ``None`` for blanks."""
        if value is None or not fold(value):
            return None
        mac = hmac.new(self.index_key, f"{field_name}\x1f{fold(value)}".encode(), hashlib.sha256)
        return mac.hexdigest()[:32]
