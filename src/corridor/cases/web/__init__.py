"""Server-rendered pages: the applicant's (es, en, fr, ht; phone-sized, no JavaScript needed)
and the staff's (sign-in with TOTP, queue, case, screening, referral)."""
