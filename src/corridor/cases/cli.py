"""``corridor cases``: set up an installation, list offices, add staff, verify the audit log,
rotate keys, re-screen, index and score near duplicates, purge, export aggregates, send the
outbox."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.errors import ConfigError

if TYPE_CHECKING:
    from corridor.cases.runtime import Cases
    from corridor.cases.settings import Settings

app = typer.Typer(
    name="cases",
    help="Safe Mobility Offices: registration, eligibility, appointments, referrals.",
    no_args_is_help=True,
    add_completion=False,
)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file (default: $CORRIDOR_CASES_DB, "
        "else cases.sqlite in the user data dir).",
    ),
]
KeysOpt = Annotated[
    Path | None,
    typer.Option("--keys", help="Key file (default: $CORRIDOR_CASES_KEYS, else the data dir)."),
]


def _settings(db: str | None, keys: Path | None) -> Settings:
    _require_extra()
    from corridor.cases.settings import Settings

    return Settings.resolve(db, keys)


def _require_extra() -> None:
    from corridor.cases.mount import REQUIRED, available

    if not available():
        raise ConfigError(
            f"`corridor cases` needs the cases extra ({', '.join(REQUIRED)}): "
            "pip install 'corridor[cases]'"
        )


@contextmanager
def _opened(db: str | None, keys: Path | None) -> Iterator[Cases]:
    from corridor.cases.runtime import Cases

    cases = Cases.open(_settings(db, keys), pool_size=1)
    try:
        yield cases
    finally:
        cases.close()


def _out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command("init")
def init_cmd(db: DbOpt = None, keys: KeysOpt = None) -> None:
    """Create the schema (Alembic), the key file and the example offices; safe to rerun."""
    from corridor.cases.runtime import initialise

    settings = _settings(db, keys)
    res = initialise(settings)
    _out(f"cases database ready: {res.db_url}")
    _out(f"keys: {settings.keys_path} ({'created' if res.keys_created else 'kept'})")
    _out(f"offices added: {res.offices_added}")


@app.command("offices")
def offices_cmd(
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    db: DbOpt = None,
    keys: KeysOpt = None,
) -> None:
    """List the offices: code, country, city, daily capacity."""
    if fmt not in ("table", "csv", "json"):
        raise ConfigError(f"--format `{fmt}`: expected table, csv or json")
    from sqlalchemy import select

    from corridor.cases.models import Office

    with _opened(db, keys) as cases, cases.db.session() as s:
        rows = [
            {
                "code": o.code,
                "country": o.country,
                "city": o.city,
                "name": o.name,
                "daily_capacity": o.daily_capacity,
                "active": o.active,
            }
            for o in s.scalars(select(Office).order_by(Office.code))
        ]
    if fmt == "json":
        _out(json.dumps(rows, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["code"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        _out(buf.getvalue())
    else:
        from rich.table import Table

        from corridor.cli.output import console

        table = Table("code", "country", "city", "capacity/day", title="offices")
        for r in rows:
            table.add_row(
                str(r["code"]), str(r["country"]), str(r["city"]), str(r["daily_capacity"])
            )
        console.print(table)


user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add_cmd(
    email: Annotated[str, typer.Argument(help="the staff member's e-mail (their login)")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="caseworker, supervisor, receiving_officer, analyst, investigator or admin",
        ),
    ],
    office: Annotated[
        str | None, typer.Option("--office", help="office code (office roles)")
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="receiving officers: USA, CAN or ESP")
    ] = None,
    db: DbOpt = None,
    keys: KeysOpt = None,
) -> None:
    """Add a staff account; the password is read from standard input. Prints the TOTP
    otpauth:// URI once (put it in an authenticator app; it is not shown again)."""
    from corridor.cases.auth import create_user
    from corridor.cases.errors import CasesError

    password = sys.stdin.readline().rstrip("\r\n")
    with _opened(db, keys) as cases:
        try:
            with cases.db.session() as s:
                _user, uri = create_user(
                    s,
                    cases.keys,
                    email,
                    password,
                    role,
                    office=office,
                    country=country,
                )
        except CasesError as exc:
            raise ConfigError(exc.message) from None
    _out(uri)


audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify_cmd(db: DbOpt = None, keys: KeysOpt = None) -> None:
    """Recompute every chain; exit 1 naming the first broken entry."""
    from corridor.cases import audit

    with _opened(db, keys) as cases, cases.db.session() as s:
        v = audit.verify(s)
    if not v.ok:
        raise AuditBroken(f"audit log broken at chain {v.chain} entry {v.seq}: {v.problem}")
    _out(f"audit log intact: {v.entries} entries in {audit.CHAINS} chains, head {v.head}")


class AuditBroken(ConfigError):
    exit_code = 1


keys_app = typer.Typer(help="Encryption keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("rotate")
def keys_rotate_cmd(db: DbOpt = None, keys: KeysOpt = None) -> None:
    """Add a new data key, re-encrypt every field with it, then retire the old keys."""
    from corridor.cases.rotation import rotate

    with _opened(db, keys) as cases:
        kid, n = rotate(cases)
    _out(f"active key {kid}; {n} fields re-encrypted; older keys retired")


@app.command("rescreen")
def rescreen_cmd(
    office: Annotated[str | None, typer.Option("--office")] = None,
    db: DbOpt = None,
    keys: KeysOpt = None,
) -> None:
    """Screen again the cases decided under another version of the rules."""
    from corridor.cases.registration import rescreen_changed

    with _opened(db, keys) as cases, cases.db.session() as s:
        n = rescreen_changed(s, cases.keys, office=office)
    _out(f"{n} cases screened again")


@app.command("reindex")
def reindex_cmd(db: DbOpt = None, keys: KeysOpt = None) -> None:
    """Compute the near-duplicate blocking keys of people stored before schema 0003."""
    from corridor.cases.near_duplicates import reindex

    with _opened(db, keys) as cases, cases.db.session() as s:
        n = reindex(s, cases.keys)
    _out(f"{n} people indexed")


@app.command("duplicates")
def duplicates_cmd(
    limit: Annotated[int | None, typer.Option("--limit", help="score at most this many")] = None,
    db: DbOpt = None,
    keys: KeysOpt = None,
) -> None:
    """Score the registrations not yet checked for near duplicates (a background step;
    opening a case or a work queue scores it too)."""
    from corridor.cases import audit
    from corridor.cases.near_duplicates import score_pending

    with _opened(db, keys) as cases, cases.db.session() as s:
        n = score_pending(s, cases.keys, limit, "cli")
        audit.record(s, "cli", "duplicates.pending", "system", "-", {"registrations": n})
    _out(f"{n} registrations scored for near duplicates")


@app.command("purge")
def purge_cmd(
    days: Annotated[int, typer.Option("--days", help="retention period")] = 730,
    db: DbOpt = None,
    keys: KeysOpt = None,
) -> None:
    """Erase the personal data of finished cases untouched for --days."""
    from corridor.cases.retention import purge

    with _opened(db, keys) as cases, cases.db.session() as s:
        n = purge(s, days, "cli")
    _out(f"{n} cases erased")


@app.command("aggregates")
def aggregates_cmd(
    store: Annotated[
        Path | None,
        typer.Option("--store", help="flows store to export into (default: corridor's store)"),
    ] = None,
    export: Annotated[
        bool, typer.Option("--export/--print", help="ingest into the store, or print CSV")
    ] = False,
    db: DbOpt = None,
    keys: KeysOpt = None,
) -> None:
    """Monthly people registered and referred by office and nationality."""
    from corridor.cases import aggregates, audit
    from corridor.config import resolve_db_path

    with _opened(db, keys) as cases, cases.db.session() as s:
        rows = aggregates.monthly(s)
        if export:
            releases = aggregates.export_to_store(rows, resolve_db_path(store))
            audit.record(
                s,
                "cli",
                "aggregates.export",
                "store",
                "flows",
                {"rows": len(rows), "releases": releases},
            )
    if export:
        _out(f"{len(rows)} rows; releases: {', '.join(releases) or 'none'}")
        return
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["month", "office", "nationality", "event", "persons"])
    for r in rows:
        w.writerow([r.month, r.office, r.nationality, r.event, r.persons])
    _out(buf.getvalue())


outbox_app = typer.Typer(help="Notifications waiting to be sent.", no_args_is_help=True)
app.add_typer(outbox_app, name="outbox")


@outbox_app.command("send")
def outbox_send_cmd(
    spool: Annotated[
        Path | None,
        typer.Option("--spool", help="write messages as JSON files here (for a gateway)"),
    ] = None,
    smtp: Annotated[
        str | None, typer.Option("--smtp", help="HOST[:PORT] of an SMTP relay for e-mail")
    ] = None,
    sms_webhook: Annotated[
        str | None, typer.Option("--sms-webhook", help="URL of an SMS gateway")
    ] = None,
    db: DbOpt = None,
    keys: KeysOpt = None,
) -> None:
    """Send pending SMS and e-mail through the adapters given (none: nothing is sent)."""
    from corridor.cases import outbox

    adapters: dict[str, outbox.Adapter] = {}
    if spool:
        adapters["sms"] = adapters["email"] = outbox.SpoolAdapter(spool)
    if smtp:
        host, _, port = smtp.partition(":")
        if not host or not (port or "25").isdigit() or not 0 < int(port or 25) < 65536:
            raise ConfigError(f"--smtp {smtp!r}: give HOST or HOST:PORT (port 1-65535)")
        adapters["email"] = outbox.SmtpAdapter(host, int(port or 25))
    if sms_webhook:
        adapters["sms"] = outbox.WebhookAdapter(sms_webhook)
    if not adapters:
        raise ConfigError("give --spool, --smtp or --sms-webhook: no adapter, nothing sent")
    with _opened(db, keys) as cases, cases.db.session() as s:
        sent, failed = outbox.deliver(s, cases.keys, adapters)
    _out(f"{sent} sent, {failed} failed (retried next time)")
