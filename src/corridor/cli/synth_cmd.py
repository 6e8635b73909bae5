"""``synth``: simulate the corridor (people, journeys, agency records, truth, aggregates)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from corridor.cli.output import console, err_console


def synth_cmd(
    people: Annotated[
        int, typer.Option("--people", help="People to simulate (travellers and SMO registrants).")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Output folder (must be new or empty, or --force).")
    ],
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives the same output.")
    ] = 0,
    calibrate_from: Annotated[
        Path | None,
        typer.Option(
            "--calibrate-from",
            help="Store whose checkpoints set monthly volumes and nationality mix.",
        ),
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option(
            "--profile", help="TOML file with agency error rates (overrides the defaults)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
) -> None:
    """Simulate a corridor with ground truth: one Parquet file of person records per agency,
    the truth (record -> person, group, ring), and monthly aggregates for `corridor ingest`."""
    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from corridor.synth.run import synth

    started = time.perf_counter()
    # The bar starts with the first chunk: a mistake found before (an option, the
    # profile) prints its one line alone.
    bar: Progress | None = None
    task: TaskID | None = None

    def step(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            bar = Progress(
                TextColumn("simulating"), BarColumn(),
                TextColumn("{task.completed}/{task.total} chunks"), TimeElapsedColumn(),
                console=err_console, transient=True,
            )  # fmt: skip
            bar.start()
            task = bar.add_task("synth", total=total)
        assert task is not None
        bar.update(task, completed=done, total=total)

    try:
        result = synth(out, people=people, seed=seed, calibrate_from=calibrate_from,
                       profile=profile, force=force, progress=step)  # fmt: skip
    finally:
        if bar is not None:
            bar.stop()
    counts = result.manifest["counts"]
    took = time.perf_counter() - started
    console.print(
        f"{people:,} people, {counts['records_total']:,} records from "
        f"{sum(1 for n in counts['records'].values() if n)} agencies in {took:.1f} s -> {out}"
    )
    console.print(f"aggregates: corridor ingest {out / 'flows'}/*.csv  (sources synth.*)")
