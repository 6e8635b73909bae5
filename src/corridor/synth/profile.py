"""Agency profiles: what each agency records and the errors it makes (TOML).

The shipped profile (``data/profile.toml``) sets defaults and per-agency rates;
a user file given with ``--profile`` overrides any of them. Every rate is a
share in [0, 1]; an unknown agency, key or a value out of range fails with the
file and key named.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from corridor.errors import InputError, Location

AGENCIES: tuple[str, ...] = ("SNM", "DGME-CR", "INM-HN", "IGM", "UPM", "USBP", "OFO", "SMO")
ERRORS: tuple[str, ...] = (
    "upper_no_accents",
    "missing_surname2",
    "hyphenate_surnames",
    "swap_names",
    "swap_day_month",
    "typo",
    "ocr",
    "transliteration",
    "changed_document",
)
MISSING: tuple[str, ...] = ("dob", "sex", "nat", "doc_number")
RECORDS: tuple[str, ...] = ("doc_number", "phone", "address", "sponsor_ref", "group_ref")


@dataclass(frozen=True)
class AgencyProfile:
    """Rates for one agency (all shares of its records)."""

    agency: str
    errors: dict[str, float]
    missing: dict[str, float]
    records: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        return {**self.errors, "missing": self.missing, "records": self.records}


def _read(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", Location(file=file)) from None


def _rate(value: object, file: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError("rate is not a number", Location(file=file, column=key, value=str(value)))
    if not 0.0 <= float(value) <= 1.0:
        raise InputError("rate is outside 0..1", Location(file=file, column=key, value=str(value)))
    return float(value)


def _merge(base: dict[str, Any], table: dict[str, Any], file: str, where: str) -> dict[str, Any]:
    out = {"errors": dict(base["errors"]), "missing": dict(base["missing"]),
           "records": dict(base["records"])}  # fmt: skip
    for key, value in table.items():
        if key in ("missing", "records"):
            allowed = MISSING if key == "missing" else RECORDS
            if not isinstance(value, dict):
                raise InputError("expected a table", Location(file=file, column=f"{where}.{key}"))
            for sub, rate in value.items():
                name = f"{where}.{key}.{sub}"
                if sub not in allowed:
                    raise InputError(
                        "unknown key", Location(file=file, column=name),
                        hint="expected one of: " + ", ".join(allowed),
                    )  # fmt: skip
                out[key][sub] = _rate(rate, file, name)
        elif key in ERRORS:
            out["errors"][key] = _rate(value, file, f"{where}.{key}")
        else:
            raise InputError(
                "unknown key", Location(file=file, column=f"{where}.{key}"),
                hint="expected one of: " + ", ".join((*ERRORS, "missing", "records")),
            )  # fmt: skip
    return out


def _apply(
    raw: dict[str, Any], file: str, defaults: dict[str, Any], agencies: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    for key in raw:
        if key not in ("defaults", "agency"):
            raise InputError(
                "unknown table", Location(file=file, column=key),
                hint="expected [defaults] or [agency.<AGENCY>]",
            )  # fmt: skip
    if "defaults" in raw:
        new_defaults = _merge(defaults, raw["defaults"], file, "defaults")
        # agencies keep their own overrides on top of the new defaults
        agencies = {a: _rebase(v, defaults, new_defaults) for a, v in agencies.items()}
        defaults = new_defaults
    for agency, table in raw.get("agency", {}).items():
        if agency not in AGENCIES:
            raise InputError(
                "unknown agency", Location(file=file, column=f"agency.{agency}", value=agency),
                hint="expected one of: " + ", ".join(AGENCIES),
            )  # fmt: skip
        if not isinstance(table, dict):
            raise InputError("expected a table", Location(file=file, column=f"agency.{agency}"))
        agencies[agency] = _merge(agencies.get(agency, defaults), table, file, f"agency.{agency}")
    return defaults, agencies


def _rebase(agency: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {
        part: {k: (v if v != old[part][k] else new[part][k]) for k, v in agency[part].items()}
        for part in ("errors", "missing", "records")
    }


def load_profile(path: Path | None = None) -> dict[str, AgencyProfile]:
    """The shipped profile, overridden by ``path`` when given."""
    text = resources.files("corridor.synth").joinpath("data/profile.toml").read_text("utf-8")
    zero = {"errors": dict.fromkeys(ERRORS, 0.0), "missing": dict.fromkeys(MISSING, 0.0),
            "records": dict.fromkeys(RECORDS, 0.0)}  # fmt: skip
    defaults, agencies = _apply(_read(text, "profile.toml"), "profile.toml", zero, {})
    if path is not None:
        try:
            user = path.read_text("utf-8")
        except FileNotFoundError:
            raise InputError("profile file not found", Location(file=str(path))) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the profile: {exc}", Location(file=str(path))) from None
        defaults, agencies = _apply(_read(user, str(path)), str(path), defaults, agencies)
    return {a: AgencyProfile(a, **agencies.get(a, defaults)) for a in AGENCIES}
