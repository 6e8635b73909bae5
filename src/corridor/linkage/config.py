"""Link options, and reading them from a TOML config file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from corridor.errors import ConfigError, InputError, Location
from corridor.records.fields import FieldKind

__all__ = ["MODES", "LinkOptions", "read_config"]

MODES = ("link", "dedupe", "link_and_dedupe")


@dataclass
class LinkOptions:
    """How to link; every field has a working default.

    Attributes:
        id_column: The record id column of every input.
        threshold: Pairs with a match probability at least this are kept and clustered.
        fields: ``kind -> column`` overriding the inference from column names.
        mode: ``link`` (pairs across sources only), ``dedupe`` (one source),
            ``link_and_dedupe``; default: ``dedupe`` for one input, else ``link``.
        blocking: Blocking rules as lists of normalised columns (default: built in).
        comparisons: Names of the comparisons to use (default: every available one).
        pair_budget: A rule estimated to produce more pairs is skipped (default:
            50 per record, at least 2 million); the default broad rules also stop
            once all rules together would pass 5 per record (or this budget).
        u_samples: Random pairs used to estimate ``u``.
        tf: Term-frequency adjustment on names, postcode and city.
        memory_limit: DuckDB's memory limit (spills to disk beyond it).
        seed: For the random pairs.
    """

    id_column: str
    threshold: float = 0.5
    fields: dict[str, str] = field(default_factory=dict)
    mode: str | None = None
    blocking: list[list[str]] | None = None
    comparisons: list[str] | None = None
    pair_budget: int | None = None
    u_samples: int = 500_000
    tf: bool = True
    memory_limit: str | None = None
    seed: int = 42

    def check(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ConfigError(
                f"threshold must lie strictly between 0 and 1, got `{self.threshold}`"
            )
        if self.mode is not None and self.mode not in MODES:
            raise ConfigError(f"unknown mode `{self.mode}` (one of: {', '.join(MODES)})")
        kinds = {k.value for k in FieldKind}
        for kind in self.fields:
            if kind not in kinds:
                raise ConfigError(
                    f"unknown field kind `{kind}` (known: {', '.join(sorted(kinds))})"
                )


def read_config(path: Path, options: LinkOptions) -> LinkOptions:
    """Options from a TOML file (``[fields]`` and ``[link]`` tables) over ``options``."""
    where = Location(file=str(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError("cannot read the config file", where, hint=str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError("not valid TOML", where, hint=str(exc)) from None
    unknown = set(data) - {"fields", "link"}
    if unknown:
        raise InputError(
            "unknown table",
            Location(str(path), value=sorted(unknown)[0]),
            hint="use [fields] and [link]",
        )
    fields = data.get("fields", {})
    link = data.get("link", {})
    allowed = {
        "threshold",
        "mode",
        "blocking",
        "comparisons",
        "pair_budget",
        "u_samples",
        "tf",
        "memory_limit",
        "seed",
    }
    for key in link:
        if key not in allowed:
            raise InputError(
                "unknown [link] setting",
                Location(str(path), value=key),
                hint=f"known: {', '.join(sorted(allowed))}",
            )
    merged = LinkOptions(
        id_column=options.id_column,
        threshold=float(link.get("threshold", options.threshold)),
        fields={**fields, **options.fields},
        mode=link.get("mode", options.mode),
        blocking=link.get("blocking", options.blocking),
        comparisons=link.get("comparisons", options.comparisons),
        pair_budget=link.get("pair_budget", options.pair_budget),
        u_samples=int(link.get("u_samples", options.u_samples)),
        tf=bool(link.get("tf", options.tf)),
        memory_limit=link.get("memory_limit", options.memory_limit),
        seed=int(link.get("seed", options.seed)),
    )
    merged.check()
    return merged
