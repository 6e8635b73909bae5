"""A registration written, and its status read, in one statement each on PostgreSQL.

The registration, its household members, its screening, its outbox messages and
its audit entry go to the server as one INSERT ... WITH statement: one round trip
instead of a BEGIN, five statements and a COMMIT, and atomic on its own, so it runs
with autocommit and the audit chain's head row is locked only while it commits.
The rows are the ones ``registration.register`` builds for every backend; SQLite
writes them with one statement each. A status check reads the registration, its
appointments and referrals and appends the read to the audit log in one statement
too (SQLite: ``registration.status_rows`` and ``audit.record``).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from corridor.cases import audit
from corridor.cases.errors import NotFound
from corridor.cases.identifiers import normalise_reference, token_hash

# household members and messages as parallel arrays (unnest): one statement text
# whatever the household size, so the server keeps it prepared
_WRITES = """
reg AS (
  INSERT INTO registrations (reference, office_code, submission_id, body_hash,
    status_token_hash, status_token_enc, status, lang, host_status, nationality,
    household_size, consent_version, contact_phone_enc, contact_email_enc, phone_bidx,
    duplicate_of, created_at, updated_at, erased_at)
  VALUES (:reference, :office_code, :submission_id, :body_hash, :status_token_hash,
    :status_token_enc, :status, :lang, :host_status, :nationality, :household_size,
    :consent_version, :contact_phone_enc, :contact_email_enc, :phone_bidx,
    CAST(:duplicate_of AS JSON), :created_at, :updated_at, NULL)
  RETURNING id
),
members AS (
  INSERT INTO persons (registration_id, position, relationship, sex, nationality, minor,
    given_names_enc, surnames_enc, dob_enc, arrival_date_enc, doc_type, doc_number_enc,
    name_dob_bidx, doc_bidx, dob_block_bidx, year_surname_bidx, name_block_bidx)
  SELECT reg.id, m.position, m.relationship, m.sex, m.nationality, m.minor,
    m.given_names_enc, m.surnames_enc, m.dob_enc, m.arrival_date_enc, m.doc_type,
    m.doc_number_enc, NULLIF(split_part(m.bidx, ',', 1), ''),
    NULLIF(split_part(m.bidx, ',', 2), ''), NULLIF(split_part(m.bidx, ',', 3), ''),
    NULLIF(split_part(m.bidx, ',', 4), ''), NULLIF(split_part(m.bidx, ',', 5), '')
  FROM reg, unnest(
    CAST(:p_position AS INTEGER[]), CAST(:p_relationship AS TEXT[]), CAST(:p_sex AS TEXT[]),
    CAST(:p_nationality AS TEXT[]), CAST(:p_minor AS BOOLEAN[]),
    CAST(:p_given_names_enc AS TEXT[]), CAST(:p_surnames_enc AS TEXT[]),
    CAST(:p_dob_enc AS TEXT[]), CAST(:p_arrival_date_enc AS TEXT[]),
    CAST(:p_doc_type AS TEXT[]), CAST(:p_doc_number_enc AS TEXT[]), CAST(:p_bidx AS TEXT[]))
    AS m(position, relationship, sex, nationality, minor, given_names_enc, surnames_enc,
      dob_enc, arrival_date_enc, doc_type, doc_number_enc, bidx)
),
screening AS (
  INSERT INTO screenings (registration_id, programme, eligible, rule_version, checks, as_of,
    screened_at, screened_by)
  SELECT reg.id, :s_programme, :s_eligible, :s_rule_version, CAST(:s_checks AS JSON),
    CAST(:s_as_of AS DATE), CAST(:s_screened_at AS TIMESTAMP), NULL FROM reg
),
messages AS (
  INSERT INTO outbox (registration_id, channel, recipient_enc, template, params, status,
    attempts, last_error, created_at, sent_at)
  SELECT reg.id, o.channel, o.recipient_enc, o.template, o.params, 'pending', 0, NULL,
    CAST(:o_created_at AS TIMESTAMP), NULL
  FROM reg, unnest(CAST(:o_channel AS TEXT[]), CAST(:o_recipient_enc AS TEXT[]),
    CAST(:o_template AS TEXT[]), CAST(:o_params AS JSON[]))
    AS o(channel, recipient_enc, template, params)
),"""

PERSON_COLUMNS = (
    "position", "relationship", "sex", "nationality", "minor", "given_names_enc",
    "surnames_enc", "dob_enc", "arrival_date_enc", "doc_type", "doc_number_enc",
)  # fmt: skip
# the blind indexes go as one comma-joined text per person (hex digests hold no comma; ''
# is NULL): psycopg parses a statement once only while it has at most 50 parameters
# (MAX_CACHED_STATEMENT_PARAMS); five arrays took it to 53 and re-parsing cost ~0.2 ms
INDEX_COLUMNS = ("name_dob_bidx", "doc_bidx", "dob_block_bidx", "year_surname_bidx",
                 "name_block_bidx")  # fmt: skip
MAX_PARAMS = 50
MESSAGE_COLUMNS = ("channel", "recipient_enc", "template")

_STATEMENT = text(audit.pg_append(_WRITES))


def insert_registration(
    session: Session,
    registration: dict[str, Any],
    persons: list[dict[str, Any]],
    screening: dict[str, Any],
    messages: list[dict[str, Any]],
    entry: audit.Entry,
) -> None:
    """Write the rows (as ``registration.register`` builds them, without ids) and chain
    the audit entry, in one statement."""
    params = {k: v for k, v in registration.items() if k != "erased_at"}
    params["duplicate_of"] = (
        None if registration["duplicate_of"] is None else json.dumps(registration["duplicate_of"])
    )
    for col in PERSON_COLUMNS:
        params[f"p_{col}"] = [p[col] for p in persons]
    params["p_bidx"] = [",".join(p[col] or "" for col in INDEX_COLUMNS) for p in persons]
    for key in ("programme", "eligible", "rule_version", "as_of", "screened_at"):
        params[f"s_{key}"] = screening[key]
    params["s_checks"] = json.dumps(screening["checks"])
    for col in MESSAGE_COLUMNS:
        params[f"o_{col}"] = [m[col] for m in messages]
    params["o_params"] = [json.dumps(m["params"]) for m in messages]
    params["o_created_at"] = registration["created_at"]
    params.update(audit.pg_entry_params(entry))
    session.execute(_STATEMENT, params)


# The registration is found by reference and the SHA-256 of the secret (equality of two
# digests: its timing tells nothing about the secret), not erased; the read is recorded
# only when it is found. Columns as ``registration.status_rows`` returns them.
_FOUND = """
found AS (
  SELECT id, reference, office_code, status, created_at FROM registrations
  WHERE reference = :reference AND status_token_hash = :token_hash AND erased_at IS NULL
),"""
_STATUS_QUERY = """
SELECT found.reference, found.office_code, found.status, found.created_at,
       a.day AS appt_day, a.office_code AS appt_office, a.allocation AS appt_allocation,
       a.status AS appt_status, f.id AS referral_id, f.pathway, f.state, f.deadline
FROM found
LEFT JOIN appointments a ON a.registration_id = found.id AND a.status = 'booked'
LEFT JOIN referrals f ON f.registration_id = found.id
"""
_STATUS = text(
    audit.pg_append_with_query(
        _FOUND, _STATUS_QUERY, when="EXISTS (SELECT 1 FROM found)", durable=False
    )
)


def status_rows(session: Session, reference: str, token: str) -> list[Any]:
    """``registration.status_rows`` plus its audit entry (``registration.status``, not
    waiting for the flush to disk), in one statement."""
    ref = normalise_reference(reference)
    entry = audit.entry(f"applicant:{ref}", "registration.status", "registration", ref, None)
    params = {"reference": ref, "token_hash": token_hash(token), **audit.pg_entry_params(entry)}
    rows = list(session.execute(_STATUS, params))
    if not rows:
        raise NotFound("no registration with this reference and secret")
    return rows
