"""Request and response bodies of the cases API (their JSON schemas go into OpenAPI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Lang = Literal["es", "en", "fr", "ht"]
HostStatus = Literal["regular", "irregular", "asylum_seeker", "refugee", "ppt_holder", "other"]
Role = Literal["caseworker", "supervisor", "receiving_officer", "analyst", "admin"]
ISO3 = Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3 code")


class MemberIn(BaseModel):
    """One person of the household; the first member is the principal applicant."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    given_names: str = Field(min_length=1, max_length=100)
    surnames: str = Field(min_length=1, max_length=100)
    dob: date = Field(description="date of birth")
    sex: Literal["F", "M", "X"]
    nationality: str = ISO3
    relationship: Literal["self", "spouse", "child", "parent", "sibling", "other"] = "self"
    doc_type: Literal["passport", "national_id", "ppt", "birth_certificate", "none"] = "none"
    doc_number: str | None = Field(default=None, max_length=40)
    arrival_date: date = Field(description="date the person entered the host country")

    @field_validator("dob", "arrival_date")
    @classmethod
    def _not_future(cls, v: date) -> date:
        if v > date.today():
            raise ValueError("is in the future")
        if v.year < 1900:
            raise ValueError("is before 1900")
        return v


class RegistrationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    office: str = Field(pattern=r"^[A-Z]{3}-[A-Z]{3}$", description="office code, e.g. COL-BOG")
    lang: Lang = "es"
    consent: Literal[True] = Field(description="the applicant accepted the privacy notice")
    host_status: HostStatus
    contact_phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ]{7,20}$")
    contact_email: str | None = Field(
        default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254
    )
    members: list[MemberIn] = Field(min_length=1, max_length=15)
    submission_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{16,64}$",
        description="client-generated id making retries safe (or send an Idempotency-Key header)",
    )


class RegistrationCreated(BaseModel):
    reference: str
    status_token: str = Field(description="secret shown once; send it as X-Status-Token")
    status: str
    eligible: bool
    replayed: bool = Field(description="true when this answers a retry of an earlier submission")


class AppointmentOut(BaseModel):
    day: date
    office: str
    allocation: str
    status: str


class ReferralSummary(BaseModel):
    pathway: str
    state: str
    deadline: date | None


class RegistrationStatus(BaseModel):
    reference: str
    office: str
    status: str
    next_step: str
    registered_at: datetime
    appointment: AppointmentOut | None
    referrals: list[ReferralSummary]


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)
    totp: str = Field(pattern=r"^[0-9]{6}$")


class LoginOut(BaseModel):
    token: str = Field(description="send as `Authorization: Bearer <token>` (or use the cookie)")
    csrf_token: str = Field(description="send as X-CSRF-Token with cookie-authenticated writes")
    role: str
    office: str | None
    country: str | None
    expires_at: datetime


class CheckOut(BaseModel):
    rule: str
    ok: bool
    detail: str
    # the values in `detail`, for wording it in another language (absent on older screenings)
    params: dict[str, str | int] = {}


class ScreeningOut(BaseModel):
    eligible: bool
    programme: str
    rule_version: str
    as_of: date
    screened_at: datetime
    checks: list[CheckOut]


class PersonOut(BaseModel):
    position: int
    relationship: str
    given_names: str | None
    surnames: str | None
    dob: str | None
    sex: str
    nationality: str
    doc_type: str
    doc_number: str | None
    arrival_date: str | None


class ReferralOut(BaseModel):
    id: int
    pathway: str
    receiving_country: str
    state: str
    deadline: date | None
    overdue: bool
    decision: str | None
    allowed: list[str] = Field(description="states this user may move the referral to")


class NearMemberOut(BaseModel):
    member: int = Field(description="position in this household (0 = principal applicant)")
    their_member: int = Field(description="position in the other household")
    p: float = Field(description="match probability (Fellegi-Sunter)")
    reasons: list[str] = Field(description="which fields agreed, and at which level")


class NearDuplicateOut(BaseModel):
    """Another registration likely to hold some of the same people: for a caseworker to
    confirm, never merged automatically."""

    reference: str
    p: float = Field(description="the best member's match probability")
    household: str = Field(description="how many of this household's members match")
    summary: str
    people: list[NearMemberOut]


class CaseOut(BaseModel):
    reference: str
    office: str
    status: str
    lang: str
    host_status: str
    nationality: str
    household_size: int
    registered_at: datetime
    contact_phone: str | None
    contact_email: str | None
    duplicate_of: list[str]
    near_duplicates: list[NearDuplicateOut] = Field(
        description="possible duplicates scored after registration (caseworkers, supervisors)"
    )
    members: list[PersonOut]
    screenings: list[ScreeningOut]
    appointments: list[AppointmentOut]
    referrals: list[ReferralOut]
    interviews: int


class QueueItem(BaseModel):
    reference: str
    status: str
    nationality: str
    household_size: int
    registered_at: datetime
    duplicate: bool
    near_duplicate: float | None = Field(
        description="the best possible duplicate's match probability, once scored"
    )


class InterviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["completed", "no_show", "rescheduled"]
    notes: str = Field(default="", max_length=4000)


class ReferralIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pathway: str = Field(description="usrap, parole, family_reunification, labour, canada, spain")
    sponsor_ref: str | None = Field(default=None, max_length=64)
    invitation_ref: str | None = Field(default=None, max_length=64)


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: str
    note: str = Field(default="", max_length=200)


class AllocateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: date
    seed: str | None = Field(default=None, pattern=r"^[0-9a-f]{32,64}$")


class DrawOut(BaseModel):
    id: int
    office: str
    day: date
    seed: str
    fcfs: list[str]
    candidates: list[str]
    selected: list[str]


class AggregateRow(BaseModel):
    month: str
    office: str
    nationality: str
    event: str
    persons: int


class AuditOut(BaseModel):
    ok: bool
    entries: int
    head: str  # a digest of every chain's head hash
    problem: str
    seq: int | None  # the first broken entry: its chain and sequence number
    chain: int | None


class PurgeOut(BaseModel):
    erased: int


class ExportOut(BaseModel):
    rows: int
    releases: list[str]


class SubjectExport(BaseModel):
    reference: str
    data: dict[str, Any]
