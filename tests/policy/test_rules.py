"""Rule files: the shipped examples, validation naming file and key, what-if variants."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from corridor.analysis.policy.rules import load_rule, shipped_rules
from corridor.errors import ConfigError

GOOD = """id = "mine"
title = "My rule"
source = "Decree 1 of 2024"
effective_from = 2024-01-01
initial_state = "lifted"
[series]
geo = "USA"
agency = "USBP"
event = ["apprehension", "expulsion"]
[activate]
window_days = 7
op = ">="
threshold = 2500
[lift]
window_days = 7
op = "<"
threshold = 1500
consecutive_days = 28
delay_days = 14
"""


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_rules_are_the_proclamation_and_its_amendment() -> None:
    original, amended = shipped_rules()
    assert (original.effective_from, original.effective_to) == (date(2024, 6, 5),
                                                                date(2024, 9, 30))  # fmt: skip
    assert original.lift.consecutive_days == 1 and amended.lift.consecutive_days == 28
    for rule in (original, amended):
        assert rule.activate.threshold == 2500 and rule.activate.op == ">="
        assert rule.lift.threshold == 1500 and rule.lift.delay_days == 14
        assert rule.series.as_checkpoint().id == "usbp_southwest"
        assert rule.initial_state == "in_force" and rule.title_es


def test_a_rule_file_with_filters(tmp_path: Path) -> None:
    rule = load_rule(_file(tmp_path, GOOD))
    assert rule.series.filters == {"geo": "USA", "agency": "USBP",
                                   "event": "apprehension,expulsion"}  # fmt: skip
    assert rule.series.as_checkpoint().filters["event"] == "apprehension,expulsion"
    assert rule.effective_to is None and rule.file == "mine.toml"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("threshold = 2500", "treshold = 2500"), r"mine.toml: rule `mine`: \[activate\]: "
         r"unknown key `treshold` \(did you mean `threshold`\?\)"),
        (('op = ">="', 'op = "=>"'), r"`op` must be one of >=, >, <, <=, not `=>`"),
        (("window_days = 7\nop = \">=\"", "window_days = 0\nop = \">=\""),
         r"`window_days` must be a whole number >= 1, not `0`"),
        (("delay_days = 14", "delay_days = 1.5"), r"`delay_days` must be a whole number"),
        (("threshold = 1500", 'threshold = "1500"'), r"`threshold` must be a number"),
        (('geo = "USA"\n', ""), r"\[series\] needs `checkpoint` or at least `geo`"),
        (('geo = "USA"', 'geo = "USA"\ncheckpoint = "darien"'), "not both"),
        (('geo = "USA"\nagency = "USBP"\nevent = ["apprehension", "expulsion"]',
          'checkpoint = "nowhere"'), "unknown checkpoint"),
        (("effective_from = 2024-01-01", 'effective_from = "2024-13-01"'), "not a date"),
        (("effective_from = 2024-01-01", "effective_from = 2024-01-01\n"
          "effective_to = 2023-01-01"), "effective_to .* is before effective_from"),
        (('initial_state = "lifted"', 'initial_state = "on"'), "`initial_state` must be one of"),
        (("threshold = 1500", "threshold = 3000"), "lift threshold .* is above the activation"),
        (('op = "<"', 'op = ">"'), r"\[activate\] needs `>=` or `>` and \[lift\] `<` or `<=`"),
        (('title = "My rule"\n', ""), "`title` is required"),
        (("[lift]", "[lifting]"), "unknown key `lifting`"),
    ],
)  # fmt: skip
def test_invalid_rules_name_file_and_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    assert change[0] in GOOD
    with pytest.raises(ConfigError, match=message):
        load_rule(_file(tmp_path, GOOD.replace(*change, 1)))


def test_files_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_rule(_file(tmp_path, "id = \n"))
    with pytest.raises(ConfigError, match="no such rule file"):
        load_rule(tmp_path / "absent.toml")
    with pytest.raises(ConfigError, match=r"unknown policy rule `securing-the-border` \(did you"):
        load_rule("securing-the-border")


def test_what_if_variants() -> None:
    rule = load_rule("securing-the-border-2024-06")
    other = rule.with_changes({"lift.threshold": "1,800", "lift.consecutive_days": "28",
                               "activate.window_days": "14", "effective_to": ""})  # fmt: skip
    assert other.lift.threshold == 1800 and other.lift.consecutive_days == 28
    assert other.activate.window_days == 14 and other.effective_to is None
    assert rule.lift.threshold == 1500  # the original is untouched
    with pytest.raises(ConfigError, match=r"--set lift.treshold=1: unknown setting .* "
                       r"\(did you mean `lift.threshold`\?\)"):  # fmt: skip
        rule.with_changes({"lift.treshold": "1"})
    with pytest.raises(ConfigError, match="`x` is not a number"):
        rule.with_changes({"lift.threshold": "x"})
    with pytest.raises(ConfigError, match=r"lift threshold .* is above"):
        rule.with_changes({"lift.threshold": "3000"})
    with pytest.raises(ConfigError, match=r"effective_to .* is before"):
        rule.with_changes({"effective_to": "2020-01-01"})
