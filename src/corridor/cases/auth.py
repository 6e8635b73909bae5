"""Staff accounts: argon2id passwords, TOTP second factor, sessions with CSRF tokens.

Sessions are random 256-bit tokens; only their SHA-256 is stored. Failed logins
count per account and lock it for a while; a TOTP code is accepted once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from corridor.cases import audit
from corridor.cases.crypto import Keyring
from corridor.cases.errors import Invalid, Unauthorized
from corridor.cases.models import Office, StaffSession, StaffUser
from corridor.cases.permissions import RECEIVING_COUNTRIES, STAFF_ROLES, Principal
from corridor.cases.settings import Limits

ISSUER = "corridor cases"
MIN_PASSWORD = 12


# argon2id cost (argon2-cffi's defaults: 3 passes over 64 MiB, 4 lanes); tests lower them
ARGON2: dict[str, int] = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}


def _hasher():  # type: ignore[no-untyped-def]
    from argon2 import PasswordHasher

    return PasswordHasher(
        time_cost=ARGON2["time_cost"],
        memory_cost=ARGON2["memory_cost"],
        parallelism=ARGON2["parallelism"],
    )


_DUMMY: list[str] = []


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def check_password(stored: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    session: Session,
    keys: Keyring,
    email: str,
    password: str,
    role: str,
    *,
    office: str | None = None,
    country: str | None = None,
) -> tuple[StaffUser, str]:
    """A new account and its TOTP ``otpauth://`` URI (shown once: only the ciphertext is kept)."""
    import pyotp

    email = email.strip().lower()
    if role not in STAFF_ROLES:
        raise Invalid(f"unknown role `{role}` (expected one of: {', '.join(STAFF_ROLES)})")
    if "@" not in email:
        raise Invalid(f"`{email}` is not an e-mail address")
    if not MIN_PASSWORD <= len(password) <= 128:
        raise Invalid(f"the password must have {MIN_PASSWORD} to 128 characters")
    if role in ("caseworker", "supervisor"):
        if office is None or session.get(Office, office) is None:
            raise Invalid(f"a {role} needs an existing office (--office), got `{office}`")
        country = session.get(Office, office).country  # type: ignore[union-attr]
    elif role == "receiving_officer":
        if country not in RECEIVING_COUNTRIES:
            raise Invalid(
                f"a receiving officer needs --country, one of {', '.join(RECEIVING_COUNTRIES)}"
            )
        office = None
    elif office is not None:
        found = session.get(Office, office)
        if found is None:
            raise Invalid(f"unknown office `{office}`")
        country, office = found.country, None  # analysts and admins are scoped by country
    if session.scalar(select(StaffUser).where(StaffUser.email == email)) is not None:
        raise Invalid(f"a user `{email}` already exists")
    secret = pyotp.random_base32()
    user = StaffUser(
        email=email,
        password_hash=hash_password(password),
        totp_secret_enc=keys.encrypt(secret, "totp_secret") or "",
        role=role,
        office_code=office,
        country=country,
        active=True,
        failed_logins=0,
        last_totp_step=0,
        created_at=audit.now(),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "cli",
        "user.create",
        "staff_user",
        user.id,
        {"role": role, "office": office, "country": country},
    )
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return user, uri


def totp_secret(keys: Keyring, user: StaffUser) -> str:
    return keys.decrypt(user.totp_secret_enc, "totp_secret") or ""


def _totp_step(secret: str, code: str, at: float) -> int | None:
    """The 30-second step the code belongs to (now, or one step either side), else None."""
    import pyotp

    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):
        moment = int(at) + 30 * drift
        if secrets.compare_digest(totp.at(moment), code):
            return moment // 30
    return None


@dataclass
class LoginResult:
    token: str
    csrf_token: str
    user: StaffUser
    expires_at: datetime


def login(
    session: Session, keys: Keyring, email: str, password: str, code: str, limits: Limits
) -> LoginResult:
    """Check password and TOTP; one vague error for every failure (no account probing)."""
    fail = Unauthorized("wrong e-mail, password or code")
    user = session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    now = audit.now()
    if user is None or not user.active:
        if not _DUMMY:
            _DUMMY.append(hash_password("timing-equaliser-password"))
        check_password(_DUMMY[0], password)  # same work as a real account
        audit.record(session, "anonymous", "auth.login_failed", "staff_user", "-", {})
        raise fail
    if user.locked_until is not None and user.locked_until > now:
        audit.record(session, f"staff:{user.id}", "auth.login_locked", "staff_user", user.id, {})
        raise Unauthorized("account locked after repeated failures; try again later")
    step = _totp_step(totp_secret(keys, user), code, time.time()) if code else None
    ok_password = check_password(user.password_hash, password)
    if not ok_password or step is None or step <= user.last_totp_step:
        user.failed_logins += 1
        if user.failed_logins >= limits.login_failures_before_lock:
            user.locked_until = now + timedelta(minutes=limits.lock_minutes)
            user.failed_logins = 0
        audit.record(
            session,
            f"staff:{user.id}",
            "auth.login_failed",
            "staff_user",
            user.id,
            {"replayed_code": step is not None and step <= user.last_totp_step},
        )
        raise fail
    user.failed_logins, user.locked_until, user.last_totp_step = 0, None, step
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = now + timedelta(minutes=limits.session_minutes)
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    session.add(
        StaffSession(
            id=_session_id(token),
            user_id=user.id,
            csrf_token=csrf,
            created_at=now,
            expires_at=expires,
        )
    )
    audit.record(session, f"staff:{user.id}", "auth.login", "staff_user", user.id, {})
    return LoginResult(token, csrf, user, expires)


def _session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_for(session: Session, token: str, limits: Limits) -> Principal:
    """The signed-in user of a session token; sliding expiry."""
    row = session.get(StaffSession, _session_id(token))
    now = audit.now()
    if row is None or row.expires_at < now:
        raise Unauthorized("not signed in (or the session expired)")
    user = session.get(StaffUser, row.user_id)
    if user is None or not user.active:
        raise Unauthorized("the account is disabled")
    row.expires_at = now + timedelta(minutes=limits.session_minutes)
    return Principal(user.id, user.role, user.office_code, user.country, row.csrf_token)


def logout(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.id == _session_id(token)))
