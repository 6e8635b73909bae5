"""The cases schema (SQLAlchemy 2). Columns ending in ``_enc`` hold AES-GCM ciphertext;
``_bidx`` columns hold keyed HMACs (blind indexes) for exact search without plaintext."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Office(Base):
    __tablename__ = "offices"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    country: Mapped[str] = mapped_column(String(3), index=True)
    city: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(160))
    daily_capacity: Mapped[int] = mapped_column(Integer, default=40)
    fcfs_share: Mapped[float] = mapped_column(Float, default=0.5)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StaffUser(Base):
    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret_enc: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(24))
    office_code: Mapped[str | None] = mapped_column(ForeignKey("offices.code"), nullable=True)
    country: Mapped[str | None] = mapped_column(String(3), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_totp_step: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class StaffSession(Base):
    __tablename__ = "staff_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class Registration(Base):
    __tablename__ = "registrations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    submission_id: Mapped[str] = mapped_column(String(64), unique=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    status_token_hash: Mapped[str] = mapped_column(String(64))
    status_token_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(24))
    lang: Mapped[str] = mapped_column(String(2))
    host_status: Mapped[str] = mapped_column(String(24))
    nationality: Mapped[str] = mapped_column(String(3))
    household_size: Mapped[int] = mapped_column(Integer)
    consent_version: Mapped[str] = mapped_column(String(16))
    contact_phone_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    contact_email_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    phone_bidx: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    duplicate_of: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    # near duplicates scored after the commit (``corridor.cases.near_duplicates``): references,
    # match probabilities and reasons, never personal data
    near_duplicates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    near_scored_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    persons: Mapped[list[Person]] = relationship(
        back_populates="registration", order_by="Person.position", cascade="all, delete-orphan"
    )
    __table_args__ = (Index("ix_registrations_office_status", "office_code", "status", "id"),)


class Person(Base):
    __tablename__ = "persons"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 0 = principal applicant
    relationship_: Mapped[str] = mapped_column("relationship", String(16))
    sex: Mapped[str] = mapped_column(String(1))
    nationality: Mapped[str] = mapped_column(String(3))
    minor: Mapped[bool] = mapped_column(Boolean)
    given_names_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    surnames_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    dob_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    arrival_date_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    doc_type: Mapped[str] = mapped_column(String(16))
    doc_number_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    name_dob_bidx: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    doc_bidx: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    # blocking keys for near duplicates: dob in the office's country, birth year + first
    # surname's first 3 letters, canonical first given name + first surname
    dob_block_bidx: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    year_surname_bidx: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    name_block_bidx: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    registration: Mapped[Registration] = relationship(back_populates="persons")


class Screening(Base):
    __tablename__ = "screenings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    programme: Mapped[str] = mapped_column(String(32))
    eligible: Mapped[bool] = mapped_column(Boolean)
    rule_version: Mapped[str] = mapped_column(String(80))
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    as_of: Mapped[date] = mapped_column(Date)
    screened_at: Mapped[datetime] = mapped_column(DateTime)
    screened_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)


class Interview(Base):
    __tablename__ = "interviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    held_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(24))
    notes_enc: Mapped[str | None] = mapped_column(Text, nullable=True)


class Draw(Base):
    """A random draw of appointments: the seed and candidates let anyone recompute it."""

    __tablename__ = "draws"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    day: Mapped[date] = mapped_column(Date)
    seed: Mapped[str] = mapped_column(String(64))
    candidates: Mapped[list[str]] = mapped_column(JSON)
    selected: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), nullable=True)


class Appointment(Base):
    __tablename__ = "appointments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    office_code: Mapped[str] = mapped_column(ForeignKey("offices.code"))
    day: Mapped[date] = mapped_column(Date)
    allocation: Mapped[str] = mapped_column(String(8))  # fcfs | draw
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (Index("ix_appointments_office_day", "office_code", "day"),)


class Referral(Base):
    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    pathway: Mapped[str] = mapped_column(String(24))
    receiving_country: Mapped[str] = mapped_column(String(3), index=True)
    state: Mapped[str] = mapped_column(String(24))
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    sponsor_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    invitation_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decision: Mapped[str | None] = mapped_column(String(12), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class ReferralEvent(Base):
    __tablename__ = "referral_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_state: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(String(200), default="")


class OutboxMessage(Base):
    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id"), nullable=True, index=True
    )
    channel: Mapped[str] = mapped_column(String(8))  # sms | email
    recipient_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    template: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)  # never PII: reference, lang, dates
    status: Mapped[str] = mapped_column(String(12), index=True)  # pending|sent|failed|cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class AuditEntry(Base):
    """Append-only (database triggers refuse UPDATE and DELETE); each row hashes the previous
    one of its chain (``corridor.cases.audit``: 16 chains, numbered 1-16)."""

    __tablename__ = "audit_log"
    chain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(24))
    entity_id: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (UniqueConstraint("hash", name="uq_audit_hash"),)


class AuditHead(Base):
    """One row per chain (``id`` = chain number): its last sequence number and hash; locked
    while appending to that chain."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
