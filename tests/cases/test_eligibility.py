"""Eligibility rules from the plain files, table-driven, with the boundary dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from corridor.cases.eligibility import Applicant, age_on, load_rules, screen
from corridor.errors import InputError

RULES = load_rules()
OLD = date(1990, 1, 1)

# country, nationality, arrival, dob, status, as_of, eligible, failing rule
CASES = [
    # Colombia: Cuban, Haitian or Venezuelan in Colombia by 11 June 2023, 18+
    ("COL", "VEN", date(2023, 6, 11), OLD, "irregular", date(2023, 7, 1), True, None),
    ("COL", "VEN", date(2023, 6, 12), OLD, "irregular", date(2023, 7, 1), False, "presence"),
    ("COL", "HTI", date(2022, 1, 1), OLD, "regular", date(2023, 7, 1), True, None),
    ("COL", "CUB", date(2022, 1, 1), OLD, "ppt_holder", date(2023, 7, 1), True, None),
    ("COL", "NIC", date(2022, 1, 1), OLD, "irregular", date(2023, 7, 1), False, "nationality"),
    ("COL", "VEN", date(2022, 1, 1), date(2005, 7, 1), "irregular", date(2023, 7, 1), True, None),
    ("COL", "VEN", date(2022, 1, 1), date(2005, 7, 2), "irregular", date(2023, 7, 1), False,
     "min_age"),
    ("COL", "VEN", date(2022, 1, 1), OLD, "refugee", date(2023, 7, 1), False, "status"),
    ("COL", "VEN", date(2022, 1, 1), OLD, "irregular", date(2023, 6, 11), False, "in_force"),
    # Costa Rica: Nicaraguan or Venezuelan by 12 June 2023
    ("CRI", "NIC", date(2023, 6, 12), OLD, "irregular", date(2023, 8, 1), True, None),
    ("CRI", "VEN", date(2023, 6, 13), OLD, "irregular", date(2023, 8, 1), False, "presence"),
    ("CRI", "CUB", date(2022, 1, 1), OLD, "irregular", date(2023, 8, 1), False, "nationality"),
    ("CRI", "VEN", date(2022, 1, 1), date(2010, 1, 1), "irregular", date(2023, 8, 1), True, None),
    # Ecuador: Cuban, Haitian, Nicaraguan, Venezuelan or Colombian by 18 October 2023
    ("ECU", "COL", date(2023, 10, 18), OLD, "irregular", date(2023, 11, 1), True, None),
    ("ECU", "HTI", date(2023, 10, 19), OLD, "irregular", date(2023, 11, 1), False, "presence"),
    ("ECU", "PER", date(2022, 1, 1), OLD, "irregular", date(2023, 11, 1), False, "nationality"),
    ("ECU", "NIC", date(2022, 1, 1), OLD, "irregular", date(2023, 10, 18), False, "in_force"),
    # Guatemala: CA-4 nationals until 10 August 2023, then Guatemalans only
    ("GTM", "HND", date(2023, 1, 1), OLD, "irregular", date(2023, 8, 10), True, None),
    ("GTM", "HND", date(2023, 1, 1), OLD, "irregular", date(2023, 8, 11), False, "nationality"),
    ("GTM", "SLV", date(2023, 1, 1), OLD, "irregular", date(2023, 6, 12), True, None),
    ("GTM", "GTM", date(2023, 1, 1), OLD, "regular", date(2023, 8, 11), True, None),
    ("GTM", "VEN", date(2023, 1, 1), OLD, "irregular", date(2023, 8, 1), False, "nationality"),
]  # fmt: skip


@pytest.mark.parametrize(("country", "nat", "arrival", "dob", "status", "as_of", "eligible",
                          "failing"), CASES)  # fmt: skip
def test_rules(country: str, nat: str, arrival: date, dob: date, status: str, as_of: date,
               eligible: bool, failing: str | None) -> None:  # fmt: skip
    d = screen(RULES[country], Applicant(nat, dob, arrival, status), as_of)
    assert d.eligible is eligible, d.explain()
    failed = [c.rule for c in d.checks if not c.ok]
    assert failed == ([failing] if failing else [])


def test_a_decision_explains_itself_and_names_the_rule_version() -> None:
    d = screen(RULES["COL"], Applicant("VEN", OLD, date(2023, 6, 12), "irregular"),
               date(2023, 7, 1))  # fmt: skip
    assert d.rule_version.startswith("smo-col@2023-06-12#")
    assert "arrived after the cut-off 2023-06-11" in d.explain()
    gtm_before = screen(RULES["GTM"], Applicant("HND", OLD, OLD, "irregular"), date(2023, 8, 10))
    gtm_after = screen(RULES["GTM"], Applicant("GTM", OLD, OLD, "irregular"), date(2023, 8, 11))
    assert gtm_before.rule_version.split("#")[0] == "smo-gtm@2023-06-12"
    assert gtm_after.rule_version.split("#")[0] == "smo-gtm@2023-08-11"


def test_age_counts_completed_years() -> None:
    assert age_on(date(2005, 7, 1), date(2023, 7, 1)) == 18
    assert age_on(date(2005, 7, 2), date(2023, 7, 1)) == 17
    assert age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17
    assert age_on(date(2004, 2, 29), date(2022, 3, 1)) == 18


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "XXX.toml").write_text(text, encoding="utf-8")
    return folder


def test_overlapping_versions_fail_with_the_file(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "r",
        """country = "XXX"
programme = "x"
title = "X"
[[version]]
id = "a"
effective_from = 2023-01-01
nationalities = ["VEN"]
[[version]]
id = "b"
effective_from = 2023-06-01
nationalities = ["VEN"]
""",
    )
    with pytest.raises(InputError, match=r"XXX.toml.*versions `a` and `b` overlap"):
        load_rules(folder)


def test_an_unknown_key_names_the_file_and_key(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "r",
        """country = "XXX"
programme = "x"
title = "X"
[[version]]
id = "a"
effective_from = 2023-01-01
nationalities = ["VEN"]
presence_by = 2023-01-01
""",
    )
    with pytest.raises(InputError, match=r"XXX.toml, row 1, column `presence_by`"):
        load_rules(folder)


def test_intake_windows(tmp_path: Path) -> None:
    folder = _write(
        tmp_path / "r",
        """country = "XXX"
programme = "x"
title = "X"
[[version]]
id = "a"
effective_from = 2023-01-01
nationalities = ["VEN"]
intake = [[2023-02-01, 2023-02-28]]
""",
    )
    prog = load_rules(folder)["XXX"]
    who = Applicant("VEN", OLD, OLD, "irregular")
    assert screen(prog, who, date(2023, 2, 28)).eligible
    assert not screen(prog, who, date(2023, 3, 1)).eligible
