"""``link``, ``encode`` and ``journeys``: person-record linkage and what follows from it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.options import FormatOption
from corridor.cli.output import console, err_console, labelled, show

InputsArg = Annotated[
    list[Path],
    typer.Argument(metavar="LEFT [RIGHT ...]", help="CSV or Parquet files (one: deduplicate)."),
]
IdOption = Annotated[str, typer.Option("--id", help="The record id column (unique across inputs).")]


def link_cmd(
    inputs: InputsArg,
    id_column: IdOption,
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="TOML file: [fields] kind = column, [link] settings.",
            show_default=False,
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            help="Keep pairs with match probability >= P [0.5].",
            show_default=False,
            metavar="P",
        ),
    ] = None,
    pprl: Annotated[
        bool, typer.Option("--pprl", help="Inputs are `corridor encode` outputs.")
    ] = False,
    previous: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="Link a new batch into a previous run's --out folder "
            "(its model; entity ids kept; changes.json lists merges).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Link person records across files (or deduplicate one): pairs, entities, model.

    Writes OUT/pairs.parquet (left_id, right_id, match_probability,
    match_weight), OUT/clusters.parquet (record_id, entity_id) and
    OUT/model.json; nothing is written when an input is bad.
    """
    from corridor.linkage.config import LinkOptions, read_config
    from corridor.linkage.link import link_files

    options = LinkOptions(id_column=id_column)
    if config is not None:
        options = read_config(config, options)
    if threshold is not None:
        options.threshold = threshold
    options.check()
    result = link_files(inputs, out, options, pprl=pprl, previous=previous)
    kept = sum(not r.skipped for r in result.score.blocking)
    err_console.print(
        labelled(
            "linked:",
            "green",
            f"{result.records:,} records, {result.candidate_pairs:,} pairs compared "
            f"({kept} blocking rules), {result.pairs:,} pairs kept, "
            f"{result.entities:,} entities -> {out}",
        ),
        highlight=False,
    )
    for rule in result.score.blocking:
        if rule.skipped:
            err_console.print(
                labelled(
                    "skipped:",
                    "yellow",
                    f"blocking rule {rule.name} (~{rule.estimated_pairs:,} pairs, over the budget)",
                ),
                highlight=False,
            )


def encode_cmd(
    input_file: Annotated[Path, typer.Argument(metavar="INPUT", help="CSV or Parquet records.")],
    id_column: IdOption,
    key: Annotated[
        Path, typer.Option("--key", help="Secret key file shared only between the agencies.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Encoded Parquet file to write.")],
    config: Annotated[
        Path | None,
        typer.Option("--config", help="TOML file with a [fields] table.", show_default=False),
    ] = None,
) -> None:
    """Encode records as keyed Bloom filters for privacy-preserving linking (link --pprl).

    Names, dates and documents leave only as HMAC-keyed Bloom filters; birth
    year and sex stay in clear as coarse blocking keys. The key is never written.
    """
    from corridor.linkage.config import LinkOptions, read_config
    from corridor.linkage.pprl import encode_file

    fields = read_config(config, LinkOptions(id_column)).fields if config else None
    n = encode_file(input_file, key, id_column, out, fields)
    console.print(labelled("encoded:", "green", f"{n:,} records -> {out}"), highlight=False)


def journeys_cmd(
    linked: Annotated[Path, typer.Argument(metavar="DIR", help="A `corridor link` --out folder.")],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write steps, transit and flags Parquet here [DIR].", show_default=False
        ),
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """Journeys of the linked entities: ordered events, transit days per segment, flags.

    Writes journey_steps.parquet, journey_transit.parquet and journey_flags.parquet
    and prints the transit times per segment and nationality.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from corridor.linkage.journeys import journeys
    from corridor.linkage.outputs import staged_output

    result = journeys(linked)
    target = out or linked
    names = ("journey_steps.parquet", "journey_transit.parquet", "journey_flags.parquet")
    with staged_output(target, names) as tmp:
        for name, frame in zip(names, (result.steps, result.transit, result.flags), strict=True):
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp / name)
    show(result.transit, fmt, title="transit days per segment and nationality")
    err_console.print(
        labelled(
            "journeys:",
            "green",
            f"{result.steps.entity_id.nunique():,} entities, {len(result.steps):,} events, "
            f"{len(result.flags):,} impossible steps flagged -> {target}",
        ),
        highlight=False,
    )
