"""Legal pathways declared in TOML files: who they cover, from when, and how to compare them.

One file per pathway (``pathways/chnv.toml`` ships with corridor)::

    id = "chnv"
    title = "..."                      # and title_es
    source = "88 FR 1243 ..."          # the legal text
    source_date = 2023-01-09
    start = "2023-01"                  # first month the pathway is open
    nationalities = ["CUB", "HTI", "NIC", "VEN"]
    caveats = ["..."]                  # and caveats_es, the same number
    [cap]      value = 30000, unit = "...", unit_es = "..."
    [series]   checkpoint = "us_southwest"   # an id of analysis.series (variants too)
    [comparison] nationalities = [...], why = "...", why_es = "..."
    [windows]  pre = ["2022-02", "2022-09"], post = ["2023-01", "2023-12"],
               placebo_shift_months = 12
    [[variants]]  id, label, label_es and any of series / pre / post / treated /
                  controls: the same comparison with those inputs changed

Mistakes raise ``ConfigError`` naming the file and the key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from corridor.analysis.series import Checkpoint, checkpoint
from corridor.config import read_toml
from corridor.errors import ConfigError, CorridorError

PATHWAYS_DIR = Path(__file__).resolve().parent / "pathways"
Month = pd.Timestamp
Window = tuple[pd.Timestamp, pd.Timestamp]

_TOP = ("id", "title", "title_es", "source", "source_date", "start", "end", "nationalities",
        "caveats", "caveats_es", "cap", "series", "comparison", "windows", "variants")  # fmt: skip
_VARIANT = ("id", "label", "label_es", "series", "pre", "post", "treated", "controls")
_NAT = re.compile(r"^[A-Z]{3}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})(-01)?$")


@dataclass(frozen=True)
class Variant:
    """The same comparison with some inputs changed (a robustness check)."""

    id: str
    label: str
    label_es: str
    series: str | None = None
    pre: Window | None = None
    post: Window | None = None
    treated: tuple[str, ...] | None = None
    controls: tuple[str, ...] | None = None

    def text(self, lang: str) -> str:
        return self.label_es if lang == "es" and self.label_es else self.label


@dataclass(frozen=True)
class Pathway:
    """A legal pathway: the nationalities it covers, its start, cap and default comparison."""

    id: str
    title: str
    title_es: str
    source: str
    source_date: date
    start: pd.Timestamp
    nationalities: tuple[str, ...]
    cap: float | None
    cap_unit: str
    cap_unit_es: str
    series: str
    controls: tuple[str, ...]
    controls_why: str
    controls_why_es: str
    pre: Window
    post: Window
    placebo_shift_months: int = 12
    end: pd.Timestamp | None = None
    caveats: tuple[str, ...] = ()
    caveats_es: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = ()
    file: str = field(default="", compare=False)

    def checkpoint(self) -> Checkpoint:
        """The series the pathway is measured on."""
        return checkpoint(self.series, variants=True)

    def text(self, lang: str) -> str:
        return self.title_es if lang == "es" and self.title_es else self.title


def load_pathway(id_or_path: str | Path) -> Pathway:
    """A shipped pathway by id (``chnv``), or a pathway file by path."""
    path = Path(id_or_path)
    if path.suffix.lower() != ".toml":
        shipped = pathways()
        for pathway in shipped:
            if pathway.id == str(id_or_path):
                return pathway
        ids = [p.id for p in shipped]
        raise ConfigError(f"unknown pathway `{id_or_path}`{_suggest(str(id_or_path), ids)}; "
                          f"shipped: {', '.join(ids)} (or give a .toml file)")  # fmt: skip
    return _load_file(path)


def pathways(extra: str | Path | None = None) -> list[Pathway]:
    """The shipped pathways in file-name order, then ``extra`` (a .toml file or a folder)."""
    found = [_load_file(p) for p in sorted(PATHWAYS_DIR.glob("*.toml"))]
    if extra is not None:
        where = Path(extra)
        files = sorted(where.glob("*.toml")) if where.is_dir() else [where]
        found += [_load_file(p) for p in files]
    seen: dict[str, str] = {}
    for p in found:
        if p.id in seen:
            raise ConfigError(f"{p.file}: pathway id `{p.id}` is already used by {seen[p.id]}")
        seen[p.id] = p.file
    return found


def _load_file(path: Path) -> Pathway:
    raw = read_toml(path, "pathway file")
    return _pathway(raw, path.name)


def _pathway(raw: Mapping[str, object], file: str) -> Pathway:
    _unknown(raw, _TOP, file)
    pid = raw.get("id")
    if not isinstance(pid, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", pid):
        raise ConfigError(f"{file}: `id` is required (lower-case letters, digits, - and _), "
                          f"not `{pid}`")  # fmt: skip
    where = f"{file}: pathway `{pid}`"
    title = _text(raw, "title", where, required=True)
    source = _text(raw, "source", where, required=True)
    source_date = raw.get("source_date")
    if not isinstance(source_date, date):
        raise ConfigError(f"{where}: `source_date` is required (a date such as 2023-01-09, "
                          f"unquoted), not `{source_date}`")  # fmt: skip
    start = _month(raw.get("start"), f"{where}: `start`")
    end = _month(raw["end"], f"{where}: `end`") if "end" in raw else None
    if end is not None and end < start:
        raise ConfigError(f"{where}: `end` ({end:%Y-%m}) is before `start` ({start:%Y-%m})")
    nats = _nats(raw.get("nationalities"), f"{where}: `nationalities`")
    caveats = _texts(raw.get("caveats", []), f"{where}: `caveats`")
    caveats_es = _texts(raw.get("caveats_es", []), f"{where}: `caveats_es`")
    if caveats_es and len(caveats_es) != len(caveats):
        raise ConfigError(f"{where}: `caveats_es` has {len(caveats_es)} entries and `caveats` "
                          f"{len(caveats)}; translate each one")  # fmt: skip

    cap = _table(raw, "cap", where, required=False)
    _unknown(cap, ("value", "unit", "unit_es"), f"{where}: [cap]")
    raw_cap = cap.get("value")
    cap_value: float | None = None
    if raw_cap is not None:
        if isinstance(raw_cap, bool) or not isinstance(raw_cap, (int, float)) or raw_cap <= 0:
            raise ConfigError(f"{where}: [cap] `value` must be a number > 0, not `{raw_cap}`")
        cap_value = float(raw_cap)
    cap_unit = _text(cap, "unit", f"{where}: [cap]", required=cap_value is not None)

    series = _table(raw, "series", where, required=True)
    _unknown(series, ("checkpoint",), f"{where}: [series]")
    series_id = _series_id(series.get("checkpoint"), f"{where}: [series] `checkpoint`")

    comp = _table(raw, "comparison", where, required=True)
    _unknown(comp, ("nationalities", "why", "why_es"), f"{where}: [comparison]")
    controls = _nats(comp.get("nationalities"), f"{where}: [comparison] `nationalities`")
    _disjoint(nats, controls, where)

    win = _table(raw, "windows", where, required=True)
    _unknown(win, ("pre", "post", "placebo_shift_months"), f"{where}: [windows]")
    pre = _window(win.get("pre"), f"{where}: [windows] `pre`")
    post = _window(win.get("post"), f"{where}: [windows] `post`")
    _ordered(pre, post, f"{where}: [windows]")
    if post[0] < start:
        raise ConfigError(f"{where}: [windows] `post` starts ({post[0]:%Y-%m}) before the "
                          f"pathway's `start` ({start:%Y-%m})")  # fmt: skip
    shift = win.get("placebo_shift_months", 12)
    if isinstance(shift, bool) or not isinstance(shift, int) or shift < 1:
        raise ConfigError(f"{where}: [windows] `placebo_shift_months` must be a whole number "
                          f">= 1, not `{shift}`")  # fmt: skip

    variants = raw.get("variants", [])
    if not isinstance(variants, list):
        raise ConfigError(f"{where}: `variants` must be an array of tables ([[variants]])")
    parsed = tuple(_variant(v, f"{where}: [[variants]] #{i + 1}") for i, v in enumerate(variants))
    ids = [v.id for v in parsed]
    for vid in ids:
        if ids.count(vid) > 1:
            raise ConfigError(f"{where}: [[variants]] id `{vid}` is used twice")

    return Pathway(
        id=pid, title=title, title_es=_text(raw, "title_es", where), source=source,
        source_date=source_date, start=start, end=end, nationalities=nats,
        cap=cap_value, cap_unit=cap_unit,
        cap_unit_es=_text(cap, "unit_es", f"{where}: [cap]"), series=series_id,
        controls=controls, controls_why=_text(comp, "why", f"{where}: [comparison]", required=True),
        controls_why_es=_text(comp, "why_es", f"{where}: [comparison]"), pre=pre, post=post,
        placebo_shift_months=shift, caveats=caveats, caveats_es=caveats_es, variants=parsed,
        file=file,
    )  # fmt: skip


def _variant(raw: object, where: str) -> Variant:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table")
    _unknown(raw, _VARIANT, where)
    vid = raw.get("id")
    if not isinstance(vid, str) or not vid.strip():
        raise ConfigError(f"{where}: `id` is required (a non-empty string)")
    where = f"{where} `{vid}`"
    changes = [k for k in ("series", "pre", "post", "treated", "controls") if k in raw]
    if not changes:
        raise ConfigError(f"{where}: change at least one of series, pre, post, treated, controls")
    return Variant(
        id=vid, label=_text(raw, "label", where, required=True),
        label_es=_text(raw, "label_es", where),
        series=_series_id(raw["series"], f"{where} `series`") if "series" in raw else None,
        pre=_window(raw["pre"], f"{where} `pre`") if "pre" in raw else None,
        post=_window(raw["post"], f"{where} `post`") if "post" in raw else None,
        treated=_nats(raw["treated"], f"{where} `treated`") if "treated" in raw else None,
        controls=_nats(raw["controls"], f"{where} `controls`") if "controls" in raw else None,
    )  # fmt: skip


def parse_month(value: object, where: str) -> pd.Timestamp:
    """``"2023-01"`` (or a date, or ``2023-01-01``) as the first day of its month."""
    return _month(value, where)


def parse_window(value: object, where: str) -> Window:
    """``["2022-02", "2022-09"]``: first and last month, both included."""
    return _window(value, where)


def check_nationalities(value: object, where: str) -> tuple[str, ...]:
    """ISO3 codes, upper-cased, no repeats."""
    return _nats(value, where)


def _month(value: object, where: str) -> pd.Timestamp:
    if isinstance(value, date):
        return pd.Timestamp(value.year, value.month, 1)
    if isinstance(value, str):
        m = _MONTH.match(value.strip())
        if m and 1 <= int(m.group(2)) <= 12:
            return pd.Timestamp(int(m.group(1)), int(m.group(2)), 1)
    raise ConfigError(f"{where}: `{value}` is not a month (YYYY-MM, e.g. 2023-01)")


def _window(value: object, where: str) -> Window:
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list) or len(value) != 2:
        raise ConfigError(f"{where}: a window is two months, first and last: "
                          f"[\"2022-02\", \"2022-09\"], not `{value}`")  # fmt: skip
    first, last = _month(value[0], where), _month(value[1], where)
    if last < first:
        raise ConfigError(f"{where}: the window ends ({last:%Y-%m}) before it starts "
                          f"({first:%Y-%m})")  # fmt: skip
    return first, last


def _ordered(pre: Window, post: Window, where: str) -> None:
    if pre[1] >= post[0]:
        raise ConfigError(f"{where}: the pre window ({pre[0]:%Y-%m}..{pre[1]:%Y-%m}) must end "
                          f"before the post window starts ({post[0]:%Y-%m})")  # fmt: skip


def _nats(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not value:
        raise ConfigError(f'{where}: give at least one ISO3 nationality code, e.g. ["CUB"]')
    codes: list[str] = []
    for item in value:
        code = str(item).strip().upper()
        if not _NAT.match(code):
            raise ConfigError(f"{where}: `{item}` is not an ISO3 nationality code (e.g. VEN)")
        if code in codes:
            raise ConfigError(f"{where}: `{code}` is listed twice")
        codes.append(code)
    return tuple(codes)


def _disjoint(treated: Sequence[str], controls: Sequence[str], where: str) -> None:
    both = [c for c in controls if c in treated]
    if both:
        raise ConfigError(f"{where}: {', '.join(both)} cannot be both covered and a comparison")


def _series_id(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f'{where}: a checkpoint id is required, e.g. "us_southwest"')
    try:
        checkpoint(value, variants=True)
    except CorridorError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return value


def _table(raw: Mapping[str, object], key: str, where: str, *, required: bool) -> dict[str, object]:
    value = raw.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: a [{key}] table is required")
    return value


def _text(raw: Mapping[str, object], key: str, where: str, *, required: bool = False) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"{where}: `{key}` must be a string, not `{value}`")
    if required and not value.strip():
        raise ConfigError(f"{where}: `{key}` is required (a non-empty string)")
    return " ".join(value.split())


def _texts(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: must be a list of non-empty strings")
    return tuple(" ".join(v.split()) for v in value)


def _unknown(raw: Mapping[str, object], valid: Sequence[str], where: str) -> None:
    for key in sorted(set(raw) - set(valid)):
        close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.6)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        raise ConfigError(f"{where}: unknown key `{key}`{hint}; valid: {', '.join(valid)}")


def _suggest(word: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(valid), n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""
