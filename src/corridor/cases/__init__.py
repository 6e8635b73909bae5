"""Safe Mobility Offices: registration, eligibility, appointments, referrals (issue 7).

The heavy parts (SQLAlchemy, cryptography, argon2) load only when used, so
``corridor --help`` stays fast: start from :mod:`corridor.cases.runtime`
(``initialise``, ``Cases.open``), :mod:`corridor.cases.registration`,
:mod:`corridor.cases.referrals` and :mod:`corridor.cases.eligibility`; the
HTTP side is mounted by :func:`corridor.cases.mount.mount`. See docs/cases.md.
"""
