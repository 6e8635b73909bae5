"""``corridor synth``: run the simulator chunk by chunk and write its output folder.

Layout (see docs/synth.md)::

    OUT/records/<AGENCY>.parquet   one file per agency (RECORD_SCHEMA)
    OUT/truth/records.parquet      record -> person, household, group, ring, role, errors
    OUT/truth/people.parquet       every person (travellers, SMO registrants, guides)
    OUT/truth/groups.parquet       travel groups
    OUT/truth/rings.parquet        smuggling rings: guides, shared phones, addresses, sponsors
    OUT/flows/synth_<code>.csv     monthly aggregates for ``corridor ingest``
    OUT/manifest.json              seed, parameters, counts, version

Everything is written to a temporary folder beside OUT and renamed at the end,
so a failed run leaves nothing behind. Memory is bounded by one chunk.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from corridor.errors import ConfigError
from corridor.synth import names as names_mod
from corridor.synth import targets as targets_mod
from corridor.synth.chunk import CHUNK, EPOCH, GUIDE, Chunk, Context, build_chunk
from corridor.synth.flows import FlowCounter
from corridor.synth.identities import nationalities
from corridor.synth.journeys import AGENCY_LIST
from corridor.synth.model import DEFAULT_MODEL, STAGES, Model
from corridor.synth.plan import build_plan
from corridor.synth.profile import load_profile
from corridor.synth.records import RECORD_SCHEMA, TRUTH_SCHEMA, Vocabularies, agency_tables
from corridor.synth.rings import draw_rings
from corridor.synth.truth import (
    GROUP_SCHEMA,
    PEOPLE_SCHEMA,
    group_table,
    guides_table,
    people_table,
    rings_table,
)

#: Bumped when the output layout changes in a way readers must know about.
LAYOUT_VERSION = 1
MAX_PEOPLE = 50_000_000


@dataclass(frozen=True)
class SynthResult:
    out: Path
    manifest: dict


def synth(
    out: Path,
    *,
    people: int,
    seed: int,
    calibrate_from: Path | None = None,
    profile: Path | None = None,
    force: bool = False,
    model: Model = DEFAULT_MODEL,
    progress: Callable[[int, int], None] | None = None,
) -> SynthResult:
    """Simulate ``people`` people and write the output folder ``out`` (see module doc)."""
    if not 1 <= people <= MAX_PEOPLE:
        raise ConfigError(f"--people: `{people}` must be between 1 and {MAX_PEOPLE:,}")
    if seed < 0:
        raise ConfigError(f"--seed: `{seed}` must be 0 or more")
    if out.exists() and not (out.is_dir() and not any(out.iterdir())) and not force:
        raise ConfigError(f"--out: `{out}` exists and is not empty (pass --force to replace it)")
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out: `{out}` is a file")
    profiles = load_profile(profile)  # fails before anything is written
    targets = targets_mod.from_store(calibrate_from) if calibrate_from else targets_mod.builtin()
    plan = build_plan(targets, model)
    bank = names_mod.load()
    nats, pool_end = nationalities(targets.nats)
    window_day = (targets.months[0] - EPOCH).days
    ring_rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    rings = draw_rings(ring_rng, model, people, nats, targets.nats, bank, people, window_day)
    smo_w = np.array([plan.joiners[0, :, i].sum() if n in model.smo_nationalities else 0.0
                      for i, n in enumerate(targets.nats)])  # fmt: skip
    if smo_w.sum() == 0:
        smo_w = np.ones(len(targets.nats))
    ctx = Context(seed, plan, model, bank, nats, pool_end, rings, smo_w / smo_w.sum())
    vocab = Vocabularies.build(bank, nats)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        manifest = _write(tmp, ctx, vocab, profiles, people, progress)
        manifest.update(
            seed=seed, people=people,
            calibration={"store": str(calibrate_from)} if calibrate_from
            else {"builtin": "data/targets.json"},
            targets={"start": f"{targets.months[0]:%Y-%m}", "end": f"{targets.months[-1]:%Y-%m}",
                     "nationalities": list(targets.nats), "sources": targets.sources},
            model=model.as_dict(),
            stages=[{"geo": s.geo, "agency": s.agency, "target": s.target, "go_on": s.go_on,
                     "delay_days": list(s.delay), "recorded": s.recorded} for s in STAGES],
            profile={a: p.as_dict() for a, p in profiles.items()},
        )  # fmt: skip
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        )
        _replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return SynthResult(out, manifest)


def _write(
    tmp: Path,
    ctx: Context,
    vocab: Vocabularies,
    profiles: dict,
    people: int,
    progress: Callable[[int, int], None] | None,
) -> dict:
    from corridor import __version__

    (tmp / "records").mkdir()
    (tmp / "truth").mkdir()
    opts = {"compression": "zstd"}
    writers = {a: pq.ParquetWriter(tmp / "records" / f"{a}.parquet", RECORD_SCHEMA, **opts)
               for a in AGENCY_LIST}  # fmt: skip
    truth_w = pq.ParquetWriter(tmp / "truth" / "records.parquet", TRUTH_SCHEMA, **opts)
    people_w = pq.ParquetWriter(tmp / "truth" / "people.parquet", PEOPLE_SCHEMA, **opts)
    groups_w = pq.ParquetWriter(tmp / "truth" / "groups.parquet", GROUP_SCHEMA, **opts)
    seq = dict.fromkeys(AGENCY_LIST, 0)
    flows = FlowCounter(ctx.plan.targets.months[0], ctx.nats)
    counts = {"people": 0, "households": 0, "groups": 0, "guide_crossings": 0, "travellers": 0}
    n_chunks = -(-people // CHUNK)
    try:
        for i in range(n_chunks):
            size = min(CHUNK, people - i * CHUNK)
            chunk = build_chunk(ctx, i, size)
            counts["travellers"] += size - round(size * ctx.model.smo_only_share)
            for a_idx, agency in enumerate(AGENCY_LIST):
                rng = np.random.default_rng(np.random.SeedSequence([ctx.seed, 3, i, a_idx]))
                table, truth = agency_tables(chunk, agency, profiles[agency], vocab, ctx.bank,
                                             rng, seq[agency])  # fmt: skip
                if table.num_rows:
                    writers[agency].write_table(table)
                    truth_w.write_table(truth)
                seq[agency] += table.num_rows
            flows.add(chunk)
            people_w.write_table(people_table(chunk, vocab, ctx))
            groups_w.write_table(group_table(chunk, ctx))
            _count(counts, chunk)
            if progress:
                progress(i + 1, n_chunks)
        people_w.write_table(guides_table(ctx.rings, vocab))
    finally:
        for w in (*writers.values(), truth_w, people_w, groups_w):
            w.close()
    pq.write_table(rings_table(ctx.rings, vocab), tmp / "truth" / "rings.parquet", **opts)
    flow_rows = flows.write(tmp / "flows", ctx.seed)
    return {
        "generator": "corridor synth",
        "corridor_version": __version__,
        "layout_version": LAYOUT_VERSION,
        "chunk_size": CHUNK,
        # simulated people per person of the targets: expected counts are targets * scale
        "scale": counts["travellers"] / float(ctx.plan.joiners.sum()),
        "counts": {
            "records": {a: n for a, n in seq.items()},
            "records_total": sum(seq.values()),
            "travellers_and_registrants": people,
            "travellers": counts["travellers"],
            "distinct_people": counts["people"]
            - counts["guide_crossings"]
            + int(ctx.rings.guide_ids.size),
            "households": counts["households"],
            "groups": counts["groups"],
            "rings": ctx.rings.count,
            "guides": int(ctx.rings.guide_ids.size),
            "guide_crossings": counts["guide_crossings"],
            "flow_rows": flow_rows,
        },
    }


def _count(counts: dict[str, int], chunk: Chunk) -> None:
    counts["people"] += int(chunk.person_id.size)
    counts["households"] += int(np.unique(chunk.household_id).size)
    counts["groups"] += int(np.unique(chunk.group_id).size)
    counts["guide_crossings"] += int((chunk.role == GUIDE).sum())


def _replace(tmp: Path, out: Path) -> None:
    """Put ``tmp`` where ``out`` is, as atomically as the filesystem allows."""
    old: Path | None = None
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
