"""``demo``: the main job end to end on the embedded default (a DuckDB file).

Ingests the agencies' data (``--data``, else ``../shared/data`` beside a source
checkout, else the small illustrative example shipped with corridor), then
prints the corridor in checkpoint order, writes the exports and the data-quality
page.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from corridor.cli.alerts_cmd import print_new_alerts
from corridor.cli.output import console, err_console, show
from corridor.config import shared_data_dir
from corridor.countries import name_of
from corridor.errors import ConfigError, CorridorError
from corridor.quality import check
from corridor.quality.html import render_html
from corridor.store import Store, ingest
from corridor.store.export import FORMATS

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cbp_encounters_example.csv"

# One line per checkpoint, in corridor order: (label, query filters).
CHECKPOINTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("Darién, Panama (SNM transits)", {"geo": "PAN", "event": "irregular_transit"}),
    ("Honduras (INM irregular arrivals)", {"geo": "HND", "event": "irregular_transit"}),
    ("Guatemala (IGM returns received)", {"geo": "GTM", "event": "return_received"}),
    ("Mexico (UPM irregular presence events)", {"geo": "MEX", "event": "irregular_presence"}),
    ("US southwest border (CBP encounters)",
     {"geo": "USA", "event": "encounters", "area": "southwest_land_border"}),
)  # fmt: skip


def _input_files(data: Path | None) -> list[Path]:
    if data is not None:
        if not data.is_dir():
            raise ConfigError(f"--data {data}: not a folder")
        files = sorted(data.glob("*.csv"))
        if not files:
            raise ConfigError(f"--data {data}: no .csv files in it")
        return files
    shared = shared_data_dir()
    if shared is not None:
        real = sorted(p for p in (shared / "real").glob("irreg_*.csv"))
        # Not raw/: its CBP file is an excerpt of a few hundred rows. Ingested
        # beside the full series it would be the preferred CBP source for the
        # months it touches and replace complete totals with partial ones.
        return real + sorted((shared / "real").glob("iom_mmp.csv"))
    err_console.print(
        "no agency data found: using the small illustrative example shipped with "
        "corridor (not official figures)",
        style="yellow",
    )
    return [EXAMPLE]


def demo_cmd(
    db: Annotated[
        Path, typer.Option("--db", help="Store for the demo (kept apart from your own).")
    ] = Path("corridor-demo/corridor.duckdb"),
    data: Annotated[
        Path | None, typer.Option("--data", help="Folder of agency CSV files to ingest.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Folder for the exports.")] = Path(
        "corridor-demo"
    ),
    serve: Annotated[
        bool | None,
        typer.Option(
            "--serve/--no-serve",
            help="Open the dashboard at the end (default: when run in a terminal).",
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", help="Port of the dashboard.")] = 8000,
) -> None:
    """Ingest the agencies' data, show the corridor, write exports and report; dashboard."""
    files = _input_files(data)
    console.rule("ingest")
    results = ingest(db, files, progress=lambda msg: err_console.print(f"  {msg}"))
    for res in results:
        state = "unchanged" if res.status == "unchanged" else f"{res.rows:,} rows"
        console.print(f"  {res.path.name:<45} {res.source:<28} {state}")
    store = Store(db)
    console.rule("alerts")
    print_new_alerts(store)
    console.print(f"  all alerts: corridor alerts --db {store.path}")
    console.rule("sources")
    show(store.sources()[["source", "geo", "grp", "first", "last", "total"]], "table")
    console.rule("the corridor, last 6 months with data, in checkpoint order")
    show(_corridor_table(store), "table")
    console.rule("top nationalities at each checkpoint, last 12 months")
    show(_top_nationalities(store), "table")
    console.rule("exports")
    out.mkdir(parents=True, exist_ok=True)
    for fmt in FORMATS:
        ext = {"sdmx-csv": "sdmx.csv", "hxl": "hxl.csv"}.get(fmt, fmt)
        target = out / f"flows.{ext}"
        rows = store.export(fmt, target)
        console.print(f"  {fmt:<9} {rows:>9,} rows  {target}")
    console.rule("data quality")
    report = check(store)
    page = out / "quality.html"
    page.write_text(render_html(report, store=str(store.path)), encoding="utf-8")
    counts = report.frame().groupby(["check", "severity"]).size().reset_index(name="findings")
    for row in counts.itertuples(index=False):
        console.print(f"  {row.check:<22} {row.severity:<8} {row.findings:>5}")
    if counts.empty:
        console.print(f"  no findings in {len(report.releases)} release(s)")
    console.print(f"  details: corridor check --db {store.path}   page: {page}")
    console.rule("forecast backtest, targets 2023-01..2025-04 (scores kept for the dashboard)")
    _backtest(store)
    console.rule("policy rules on the data (monthly series, approximated)")
    _policy(store)
    console.rule("report")
    try:
        from corridor.web.report import write_report

        page = write_report(store, out / "report.html", "en")
        console.print(f"  {page} (self-contained: one file to e-mail)")
    except ImportError as exc:  # the web extra is not installed
        console.print(f"  skipped: the report needs {exc.name} (pip install 'corridor[web]')")
    geos = set(store.sources()["geo"])
    hint = "--geo PAN --event irregular_transit --by year" if "PAN" in geos else "--by agency"
    console.print(f"\nstore: {store.path}  (try: corridor query --db {store.path} {hint})")
    if serve is None:
        # A person at a terminal gets the dashboard; scripts and CI get an exit.
        serve = sys.stdin.isatty() and sys.stdout.isatty()
    if serve:
        from corridor.cli.serve_cmd import serve_cmd

        console.print(f"dashboard: http://127.0.0.1:{port}/  (Ctrl-C to stop)")
        serve_cmd(host="127.0.0.1", port=port, db=store.path)
    else:
        console.print(f"dashboard: corridor serve --db {store.path}  (http://127.0.0.1:{port}/)")


#: ARIMA is left out here: it alone takes most of a minute (``corridor backtest`` runs it)
DEMO_MODELS = ("naive", "seasonal_naive", "drift", "ets", "corridor")


def _backtest(store: Store) -> None:
    """Score the models on every checkpoint, store the scores, print naive against corridor."""
    try:
        from corridor.analysis.backtest import backtest
        from corridor.analysis.backtest_store import save_scores
        from corridor.analysis.series import CHECKPOINTS, monthly

        panel = {cp.id: monthly(store, cp) for cp in CHECKPOINTS}
        ids = [c for c, s in panel.items() if s.notna().any()]
        scores = backtest(panel, series=ids, models=DEMO_MODELS, horizons=(1, 2, 3))
    except ImportError as exc:  # statsforecast comes with the forecast extra
        console.print(f"  skipped: needs {exc.name} (pip install 'corridor[forecast]')")
        return
    except CorridorError as exc:  # e.g. your own data, too short for the window
        console.print(f"  skipped: {exc}")
        return
    save_scores(store, scores, nat=None, start="2023-01", end="2025-04")
    h1 = scores[scores["horizon"] == 1].pivot(index="series", columns="model", values="mape")
    cov = scores[scores["model"] == "corridor"].groupby("series")["coverage80"].mean()
    table = pd.DataFrame({
        "MAPE naive, 1 month": h1["naive"].map("{:.1f}%".format),
        "MAPE corridor model": h1["corridor"].map("{:.1f}%".format),
        "its 80% interval covers": (100 * cov).map("{:.0f}%".format),
    }).reindex(ids).reset_index(names="checkpoint")  # fmt: skip
    show(table, "table")
    console.print(f"  all models and horizons: corridor backtest --db {store.path}")


def _policy(store: Store) -> None:
    """What each shipped threshold rule did on this data: one or two sentences each."""
    from corridor.analysis.policy.approx import MonthlyTimeline, Noise
    from corridor.analysis.policy.policy_text import monthly_statements
    from corridor.analysis.policy.rules import shipped_rules
    from corridor.analysis.policy.run import evaluate_rule

    for rule in shipped_rules():
        try:
            result = evaluate_rule(rule, store=store, noise=Noise(paths=100))
        except CorridorError as exc:  # e.g. no Border Patrol series in this store
            console.print(f"  {rule.id}: skipped: {exc}")
            continue
        assert isinstance(result, MonthlyTimeline)
        for sentence in monthly_statements(result)[1:]:  # the approximation note once, below
            console.print(f"  {sentence}", highlight=False)
    console.print("  (monthly data spread over days, 100 simulated daily paths; details and "
                  "what-if: corridor policy evaluate RULE, page /policy)")  # fmt: skip


def _corridor_table(store: Store) -> pd.DataFrame:
    frames = []
    for label, filters in CHECKPOINTS:
        df = store.flows(**filters, by=["period"])  # type: ignore[arg-type]
        if df.empty:
            continue
        df = df.tail(6).assign(checkpoint=label)
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=["checkpoint"])
    long = pd.concat(frames)
    long["month"] = pd.to_datetime(long["period"]).dt.strftime("%Y-%m")
    wide = long.pivot_table(index="checkpoint", columns="month", values="n", aggfunc="sum")
    order = [label for label, _ in CHECKPOINTS if label in wide.index]
    wide = wide.loc[order].astype("Int64")
    return wide.reset_index()


def _top_nationalities(store: Store) -> pd.DataFrame:
    rows = []
    for label, filters in CHECKPOINTS:
        if filters["geo"] == "GTM":
            continue  # returns of Guatemalans only
        last = store.flows(**filters, by=["period"])  # type: ignore[arg-type]
        if last.empty:
            continue
        end = pd.Timestamp(last["period"].max())
        start = (end - pd.DateOffset(months=11)).date()
        df = store.flows(**filters, by=["nat"], start=start, end=end.date())  # type: ignore[arg-type]
        total = int(df["n"].sum()) or 1
        top = df.sort_values("n", ascending=False).head(3)
        rows.append(
            {
                "checkpoint": label,
                **{
                    f"#{i + 1}": f"{name_of(str(nat))} {int(n):,} ({100 * int(n) / total:.0f}%)"
                    for i, (nat, n) in enumerate(zip(top["nat"], top["n"], strict=True))
                },
            }
        )
    return pd.DataFrame(rows)
