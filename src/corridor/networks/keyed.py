"""Attributes as keyed hashes: HMAC-SHA256 of the normalised value, never a plain hash.

A plain hash of a phone number is reversed by hashing every number; an HMAC
needs the key, which stays with the agencies. The graph only compares values
for equality, so it works the same on keyed hashes: leads then show the hash,
and only a key holder can tell which phone it is.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from pathlib import Path

from corridor.errors import ConfigError

KINDS = ("phone", "address", "sponsor", "document")
_NON_DIGIT = re.compile(r"\D+")
_NON_ALNUM = re.compile(r"[^0-9A-Z]+")
_SPACES = re.compile(r"\s+")


def read_key(path: Path) -> bytes:
    """The key file's bytes (at least 16, whitespace at the ends ignored)."""
    try:
        key = Path(path).read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read key file `{path}`: {exc.strerror}") from None
    if len(key) < 16:
        raise ConfigError(f"key file `{path}` holds {len(key)} bytes; use at least 16 random bytes")
    return key


def normalise(kind: str, value: str) -> str:
    """The form both sides hash: phones as digits, addresses case- and accent-folded."""
    if kind == "phone":
        return _NON_DIGIT.sub("", value)
    if kind == "address":
        folded = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
        return _SPACES.sub(" ", folded.casefold().replace(",", " ")).strip()
    return _NON_ALNUM.sub("", value.upper())


def keyed(key: bytes, kind: str, value: str) -> str:
    """``k:`` + the first 32 hex digits of HMAC-SHA256(key, kind | normalised value)."""
    msg = f"{kind}|{normalise(kind, value)}".encode()
    return "k:" + hmac.new(key, msg, hashlib.sha256).hexdigest()[:32]
