"""``corridor networks``: ranked, explained leads from a records folder and its entities."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli.options import FormatOption

EntitiesOption = Annotated[
    str,
    typer.Option(
        "--entities",
        help="clusters.parquet from `corridor link` (record_id, entity_id), or `truth` "
        "(the simulator's people: perfect linkage).",
    ),
]


def networks_cmd(
    folder: Annotated[Path, typer.Argument(help="A `corridor synth` output folder (records/).")],
    entities: EntitiesOption = "truth",
    top: Annotated[int, typer.Option("--top", help="Leads to list.", min=1)] = 100,
    fmt: FormatOption = "table",
    evaluate: Annotated[
        bool, typer.Option("--evaluate", help="Score the leads against the folder's truth/.")
    ] = False,
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            help="Key file: phones, addresses, sponsors and documents are replaced by their "
            "HMAC before the graph is built (leads then show hashes only).",
            show_default=False,
        ),
    ] = None,
    split: Annotated[
        float, typer.Option("--split", help="Simulated linkage errors: share of entities split.")
    ] = 0.0,
    merge: Annotated[
        float, typer.Option("--merge", help="Simulated linkage errors: share of entities merged.")
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of --split/--merge and Leiden.")] = 1,
    memory: Annotated[str, typer.Option("--memory", help="DuckDB memory limit.")] = "2GB",
) -> None:
    """Smuggling networks: communities of people and shared contacts, ranked, with evidence.

    Each lead names its guide suspects (repeat crossings with different people) and
    its shared phones, addresses, sponsors and documents, with record ids, days and
    places. Leads are for investigators only: the API and pages check the role and
    audit every view.
    """
    from corridor.cli.output import show
    from corridor.networks.communities import CommunityOptions
    from corridor.networks.inputs import Degrade
    from corridor.networks.report import leads_frame
    from corridor.networks.run import Options, analyse

    options = Options(
        entities=entities,
        top=top,
        degrade=Degrade(split, merge, seed),
        key_file=key,
        communities=CommunityOptions(seed=seed),
        memory_limit=memory,
    )
    analysis = analyse(folder, options)
    try:
        scores = None
        if evaluate:
            from corridor.networks.evaluate import evaluate as run_evaluation

            scores = run_evaluation(analysis)
        if fmt == "json":
            doc: dict[str, Any] = {"leads": [ld.to_dict() for ld in analysis.leads]}
            if scores is not None:
                doc["evaluation"] = scores.as_dict()
            sys.stdout.write(json.dumps(doc, default=str, ensure_ascii=False) + "\n")
            return
        show(leads_frame(analysis.leads), fmt, title=f"Leads (top {top})")
        if scores is not None:
            import pandas as pd

            table = pd.DataFrame(
                [{"measure": k, "value": str(v)} for k, v in scores.as_dict().items()]
            )
            if fmt == "csv":  # stdout keeps one CSV table
                for row in table.itertuples(index=False):
                    print(f"{row.measure},{row.value}", file=sys.stderr)
            else:
                show(table, fmt, title="Evaluation against truth/")
    finally:
        analysis.close()
