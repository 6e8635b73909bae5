"""References and status tokens: short, unambiguous to read aloud or type on a phone."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# Crockford's base32: no I, L, O, U (read as 1, 1, 0, V)
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _random(n: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def new_reference(country: str) -> str:
    """``COL-7K3M-9QXA``: 40 random bits; the secret is the status token, not this."""
    body = _random(8)
    return f"{country}-{body[:4]}-{body[4:]}"


def new_status_token() -> str:
    """100 random bits in five groups: ``K7M2-9QXA-...``."""
    body = _random(20)
    return "-".join(body[i : i + 4] for i in range(0, 20, 4))


def normalise_code(text: str) -> str:
    """Upper case, dashes where they belong; O/I/L typed for 0/1 are accepted."""
    raw = "".join(c for c in text.upper() if c.isalnum())
    return raw.translate(str.maketrans("OIL", "011"))


def normalise_reference(text: str) -> str:
    raw = "".join(c for c in text.upper() if c.isalnum())
    if len(raw) != 11:
        return text.strip().upper()
    body = raw[3:].translate(str.maketrans("OIL", "011"))
    return f"{raw[:3]}-{body[:4]}-{body[4:]}"


def token_hash(token: str) -> str:
    """The token has 100 random bits, so a plain SHA-256 is enough (no password stretching)."""
    return hashlib.sha256(normalise_code(token).encode()).hexdigest()


def token_matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(token_hash(token), stored_hash)
