"""Date-effective eligibility rules read from plain TOML files, and decisions that explain
themselves.

Rules live in ``rules/eligibility/<COUNTRY>.toml`` (shipped) or in the folder named by
``CORRIDOR_CASES_RULES``. A decision records ``<programme>@<version id>#<file hash>`` so a
changed file gives a new rule version and cases can be re-screened against it.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from corridor.errors import InputError, Location

ENV_RULES = "CORRIDOR_CASES_RULES"
_VERSION_KEYS = {
    "id",
    "effective_from",
    "effective_to",
    "nationalities",
    "present_by",
    "min_age",
    "max_age",
    "statuses",
    "intake",
    "note",
}
_FILE_KEYS = {"country", "programme", "title", "version"}


@dataclass(frozen=True)
class RuleVersion:
    id: str
    effective_from: date
    effective_to: date | None
    nationalities: frozenset[str]
    present_by: date | None = None
    min_age: int | None = None
    max_age: int | None = None
    statuses: frozenset[str] | None = None
    intake: tuple[tuple[date, date], ...] = ()
    note: str = ""

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


@dataclass(frozen=True)
class Programme:
    country: str
    programme: str
    title: str
    versions: tuple[RuleVersion, ...]
    digest: str
    file: str

    def version_on(self, day: date) -> RuleVersion | None:
        for v in self.versions:
            if v.in_force(day):
                return v
        return None


@dataclass(frozen=True)
class Applicant:
    """What the rules look at, for the principal applicant."""

    nationality: str
    dob: date
    arrival_date: date
    host_status: str


@dataclass(frozen=True)
class Check:
    rule: str
    ok: bool
    detail: str
    # the values the sentence is made of, so a page can word it in the reader's language
    params: dict[str, str | int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "ok": self.ok, "detail": self.detail, "params": self.params}


@dataclass(frozen=True)
class Decision:
    eligible: bool
    programme: str
    rule_version: str
    as_of: date
    checks: tuple[Check, ...] = field(default_factory=tuple)

    def explain(self) -> str:
        failed = [c.detail for c in self.checks if not c.ok]
        verdict = "eligible" if self.eligible else "not eligible: " + "; ".join(failed)
        return f"{verdict} (rules {self.rule_version})"


def age_on(dob: date, day: date) -> int:
    """Completed years (a 29 February birthday counts from 1 March in common years)."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _date(value: Any, where: Location) -> date:
    if isinstance(value, date):
        return value
    raise InputError("expected a TOML date (YYYY-MM-DD, unquoted)", where)


def _parse(text: str, name: str) -> Programme:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", Location(file=name)) from None
    unknown = set(raw) - _FILE_KEYS
    if unknown:
        raise InputError("unknown key", Location(file=name, column=sorted(unknown)[0]))
    for key in ("country", "programme", "title", "version"):
        if key not in raw:
            raise InputError("missing key", Location(file=name, column=key))
    versions: list[RuleVersion] = []
    for i, v in enumerate(raw["version"], start=1):
        loc = Location(file=name, row=i)
        bad = set(v) - _VERSION_KEYS
        if bad:
            raise InputError(
                "unknown key in [[version]]",
                Location(file=name, row=i, column=sorted(bad)[0]),
                hint=f"expected one of: {', '.join(sorted(_VERSION_KEYS))}",
            )
        windows = tuple((_date(a, loc), _date(b, loc)) for a, b in v.get("intake", ()))
        statuses = v.get("statuses")
        versions.append(
            RuleVersion(
                id=str(v["id"]),
                effective_from=_date(v["effective_from"], loc),
                effective_to=_date(v["effective_to"], loc) if "effective_to" in v else None,
                nationalities=frozenset(v["nationalities"]),
                present_by=_date(v["present_by"], loc) if "present_by" in v else None,
                min_age=v.get("min_age"),
                max_age=v.get("max_age"),
                statuses=frozenset(statuses) if statuses is not None else None,
                intake=windows,
                note=v.get("note", ""),
            )
        )
    versions.sort(key=lambda r: r.effective_from)
    for a, b in itertools.pairwise(versions):
        if a.effective_to is None or a.effective_to >= b.effective_from:
            raise InputError(
                f"versions `{a.id}` and `{b.id}` overlap",
                Location(file=name, value=str(b.effective_from)),
                hint="give the earlier one an effective_to before the next effective_from",
            )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return Programme(raw["country"], raw["programme"], raw["title"], tuple(versions), digest, name)


def _rule_texts(folder: str | None) -> list[tuple[str, str]]:
    if folder:
        return [
            (p.name, p.read_text(encoding="utf-8")) for p in sorted(Path(folder).glob("*.toml"))
        ]
    base = resources.files("corridor.cases") / "rules" / "eligibility"
    return sorted(
        (item.name, item.read_text(encoding="utf-8"))
        for item in base.iterdir()
        if item.name.endswith(".toml")
    )


@lru_cache(maxsize=8)
def _load(folder: str | None) -> Mapping[str, Programme]:
    out: dict[str, Programme] = {}
    for name, text in _rule_texts(folder):
        prog = _parse(text, name)
        out[prog.country] = prog
    return out


def load_rules(folder: str | os.PathLike[str] | None = None) -> Mapping[str, Programme]:
    """Programmes by host country (ISO3), from ``folder``, ``$CORRIDOR_CASES_RULES`` or the
    shipped files."""
    chosen = folder if folder is not None else os.environ.get(ENV_RULES)
    return _load(str(chosen) if chosen else None)


def screen(programme: Programme, who: Applicant, as_of: date) -> Decision:
    """Apply the version in force on ``as_of`` (the registration date) to one applicant."""
    version = programme.version_on(as_of)
    if version is None:
        return Decision(
            False,
            programme.programme,
            f"{programme.programme}@none#{programme.digest}",
            as_of,
            (
                Check(
                    "in_force",
                    False,
                    f"no rule of {programme.title} in force on {as_of}",
                    {"title": programme.title, "as_of": str(as_of)},
                ),
            ),
        )
    checks: list[Check] = []
    nat_ok = who.nationality in version.nationalities
    allowed = ", ".join(sorted(version.nationalities))
    checks.append(
        Check(
            "nationality",
            nat_ok,
            f"nationality {who.nationality} {'is' if nat_ok else 'is not'} one of {allowed}",
            {"nationality": who.nationality, "allowed": allowed},
        )
    )
    if version.present_by is not None:
        ok = who.arrival_date <= version.present_by
        checks.append(
            Check(
                "presence",
                ok,
                # the arrival date itself is personal data: kept encrypted, not copied here
                f"arrived {'on or before' if ok else 'after'} the cut-off {version.present_by}",
                {"cutoff": str(version.present_by)},
            )
        )
    age = age_on(who.dob, as_of)
    if version.min_age is not None:
        ok = age >= version.min_age
        checks.append(
            Check(
                "min_age",
                ok,
                f"age {age} on {as_of}, minimum {version.min_age}",
                {"age": age, "as_of": str(as_of), "limit": version.min_age},
            )
        )
    if version.max_age is not None:
        ok = age <= version.max_age
        checks.append(
            Check(
                "max_age",
                ok,
                f"age {age} on {as_of}, maximum {version.max_age}",
                {"age": age, "as_of": str(as_of), "limit": version.max_age},
            )
        )
    if version.statuses is not None:
        ok = who.host_status in version.statuses
        checks.append(
            Check(
                "status",
                ok,
                f"status `{who.host_status}` {'is' if ok else 'is not'} one of "
                f"{', '.join(sorted(version.statuses))}",
                {"status": who.host_status, "allowed": ", ".join(sorted(version.statuses))},
            )
        )
    if version.intake:
        ok = any(a <= as_of <= b for a, b in version.intake)
        checks.append(
            Check(
                "intake",
                ok,
                f"intake {'open' if ok else 'closed'} on {as_of}",
                {"as_of": str(as_of)},
            )
        )
    eligible = all(c.ok for c in checks)
    return Decision(
        eligible,
        programme.programme,
        f"{programme.programme}@{version.id}#{programme.digest}",
        as_of,
        tuple(checks),
    )
