"""Key rotation: a new data key, every ciphertext re-encrypted with it, old keys retired.

The key file is saved with the new key *before* re-encryption starts, so a crash
half-way leaves every field readable (old and new keys are both in the file);
old keys are removed only after the database transaction commits.
"""

from __future__ import annotations

from sqlalchemy import select

from corridor.cases import audit
from corridor.cases.models import Interview, OutboxMessage, Person, Registration, StaffUser
from corridor.cases.runtime import Cases

# model, {attribute: field name used as associated data}
ENCRYPTED = (
    (
        Person,
        {
            "given_names_enc": "given_names",
            "surnames_enc": "surnames",
            "dob_enc": "dob",
            "arrival_date_enc": "arrival_date",
            "doc_number_enc": "doc_number",
        },
    ),
    (
        Registration,
        {
            "contact_phone_enc": "contact_phone",
            "contact_email_enc": "contact_email",
            "status_token_enc": "status_token",
        },
    ),
    (StaffUser, {"totp_secret_enc": "totp_secret"}),
    (Interview, {"notes_enc": "interview_notes"}),
    (OutboxMessage, {"recipient_enc": "recipient"}),
)


def rotate(cases: Cases) -> tuple[str, int]:
    keys = cases.keys
    kid = keys.add_key()
    keys.save()
    n = 0
    with cases.db.session() as s:
        for model, fields in ENCRYPTED:
            for row in s.scalars(select(model)).yield_per(500):
                for attr, name in fields.items():
                    token = getattr(row, attr)
                    if token and keys.key_id(token) != kid:
                        setattr(row, attr, keys.encrypt(keys.decrypt(token, name), name))
                        n += 1
        audit.record(s, "cli", "keys.rotate", "system", "-", {"key": kid, "fields": n})
    for old in [k for k in keys.data_keys if k != kid]:
        del keys.data_keys[old]
    keys.save()
    return kid, n
