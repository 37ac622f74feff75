"""``reconnect outcome ...``: record what contacts brought, import staff sheets, summarise.

Parses arguments, reads campaign.toml, calls :mod:`reconnect_lib.outcomes` and
:mod:`reconnect_lib.metrics`, renders. Every number comes from those modules.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
import pandas as pd

from .. import schema as s
from . import base
from .base import as_of_option, config_option, emit, format_option, main, money_cell


def _config(config_path: Path):
    from ..config import load_config

    return load_config(config_path)


def _as_of(cfg, as_of) -> date:
    from ..pipeline import resolve_as_of

    return resolve_as_of(cfg, as_of, today=base.today())


def _console():
    from rich.console import Console

    # markup=False: titles and cells carry the campaign's name, ids and --by values as typed;
    # rich would read "Acme [/]" as a closing tag (a traceback) and "[red]" as a colour.
    console = Console(markup=False)
    if not console.is_terminal:  # a pipe or a log file: do not squeeze the tables into 80 columns
        console = Console(width=140, markup=False)
    return console


def _words(value: object) -> str:
    return "" if value is None or value is pd.NA else str(value).replace("_", " ")


def _pct(x: float) -> str:
    return "–" if pd.isna(x) else f"{100 * x:.1f} %"


def _interval(low: float, high: float) -> str:
    return "–" if pd.isna(low) else f"{100 * low:.1f}–{100 * high:.1f} %"


def _money(x: float, campaign=None) -> str:
    """A total of a summary table in the campaign's currency (``campaign``: [campaign]), "–" when none."""
    if pd.isna(x):
        return "–"
    return money_cell(x, getattr(campaign, "currency", None), getattr(campaign, "locale", None))


@main.group()
def outcome() -> None:
    """Record what each contact brought, import staff sheets, and summarise the win-back."""


@outcome.command("record")
@config_option
@as_of_option
@click.option("--client", "client_id", required=True, help="The client's id, e.g. C00001.")
@click.option("--kind", required=True, help=f"What happened: {', '.join(s.EVENT_KINDS)}.")
@click.option("--channel", required=True, help=f"How: {', '.join(s.CHANNELS)}.")
@click.option(
    "--date",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day it happened (YYYY-MM-DD), on or before the as-of date. Default: today.",
)
@click.option(
    "--amount",
    default=None,
    help="Amount recovered, if any: read as an amount cell of the campaign's files "
    "(the decimal mark of [data] decimal, currency signs and thousands separators allowed).",
)
@click.option("--reason", default=None, help=f"Why, if given: {', '.join(s.REASONS)}.")
@click.option("--note", default=None, help="A free note.")
@click.option("--by", "recorded_by", default=None, help="Who records it.")
@click.option("--campaign", default=None, help="Campaign name. Default: [campaign] name of campaign.toml.")
@click.option("--supersedes", default=None, help="The event_id this event corrects.")
@click.option(
    "--referred-client-id",
    "referred_client_id",
    default=None,
    help="Of a referral only: the client id of the person introduced, once they are in the client list "
    "(their name goes in --note).",
)
def record(
    config_path: Path,
    as_of,
    client_id: str,
    kind: str,
    channel: str,
    day,
    amount: str | None,
    reason: str | None,
    note: str | None,
    recorded_by: str | None,
    campaign: str | None,
    supersedes: str | None,
    referred_client_id: str | None,
) -> None:
    """Record one event in the campaign's outcome log.

    An event dated after the as-of date ([campaign] as_of, --as-of, else today) is refused,
    as `reconnect outcome import` refuses it.
    """
    from ..load import ReadOptions
    from ..outcomes import OutcomeStore, configured_client_ids

    cfg = _config(config_path)
    last = _as_of(cfg, as_of)
    when = day.date() if day else base.today()
    read = ReadOptions.from_config(cfg, as_of=last)
    ids = configured_client_ids(cfg, read)
    with OutcomeStore.from_config(cfg) as store:
        event_id = store.record(
            client_id,
            kind,
            date=when,
            channel=channel,
            campaign=campaign or cfg.campaign.name,
            amount=amount,
            reason=reason,
            note=note,
            recorded_by=recorded_by,
            supersedes=supersedes,
            referred_client_id=referred_client_id,
            as_of=last,
            client_ids=ids,
            source="cli",
            decimal=read.decimal,
        )
    fixed = f", correcting {supersedes}" if supersedes else ""
    introduced = f", introducing {referred_client_id}" if referred_client_id else ""
    click.echo(f"Recorded {event_id}: {client_id} {_words(kind)} by {channel} on {when}{introduced}{fixed}.")


@outcome.command("retract")
@config_option
@click.argument("event_id")
@click.option("--by", "recorded_by", default=None, help="Who retracts it.")
@click.option("--note", default=None, help="Why, e.g. 'recorded for the wrong client'.")
def retract(config_path: Path, event_id: str, recorded_by: str | None, note: str | None) -> None:
    """Withdraw an event recorded by mistake (it stays in the log, out of every count)."""
    from ..outcomes import OutcomeStore

    cfg = _config(config_path)
    with OutcomeStore.from_config(cfg) as store:
        retraction = store.retract(
            event_id, date=base.today(), recorded_by=recorded_by, note=note, source="cli"
        )
    click.echo(f"Retracted {event_id} ({retraction}).")


@outcome.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@config_option
@as_of_option
@click.option(
    "--allow-duplicates",
    is_flag=True,
    help="Also record rows that match events imported from another file, as events of their own "
    "(e.g. a second call that got no answer). Without it such rows stop the import, named.",
)
def import_(file: Path, config_path: Path, as_of, allow_duplicates: bool) -> None:
    """Import a staff spreadsheet of events (CSV, Excel, Parquet), read as the campaign's files are.

    Importing a file again records only its new rows (a file is known by its name without the
    extension). A row that matches an event imported from another file stops the import, named:
    the file may be a renamed copy; --allow-duplicates records such rows. A bad row stops the whole
    file, naming the row and the column: nothing of it is recorded.
    """
    from ..load import ReadOptions
    from ..outcomes import OutcomeStore, configured_client_ids

    cfg = _config(config_path)
    read = ReadOptions.from_config(cfg, as_of=_as_of(cfg, as_of))
    ids = configured_client_ids(cfg, read)
    with OutcomeStore.from_config(cfg) as store:
        result = store.import_file(file, read=read, client_ids=ids, allow_duplicates=allow_duplicates)
    click.echo(str(result))


@outcome.command("events")
@config_option
@as_of_option
@click.option("--client", "client_id", default=None, help="Only this client's events.")
@click.option("--all", "include_superseded", is_flag=True, help="Also superseded and retracted events.")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Latest events shown in a table.",
)
@format_option
def events(
    config_path: Path, as_of, client_id: str | None, include_superseded: bool, limit: int, fmt: str
) -> None:
    """List the events of the outcome log (current ones by default), oldest first."""
    from ..money import format_money
    from ..outcomes import OutcomeStore, empty_events, store_exists

    cfg = _config(config_path)
    day = _as_of(cfg, as_of)
    if not store_exists(cfg.outcomes.database):  # looking creates no database
        frame = empty_events()
    else:
        with OutcomeStore.from_config(cfg) as store:
            frame = store.events(day, include_superseded=include_superseded, client_id=client_id)
    if fmt != "table":
        emit(frame, fmt)
        return
    from rich.table import Table

    shown = frame.tail(limit)
    title = f"{cfg.campaign.name}: {len(frame):,} events as of {day}"
    if len(shown) < len(frame):
        title += f" (the latest {len(shown):,}; --limit or --format csv for more)"
    t = Table(title=title, title_justify="left")
    for name in ("Event", "Date", "Client", "Kind", "Channel", "Amount", "Reason", "By", "Corrects"):
        t.add_column(name, justify="right" if name == "Amount" else "left")
    for row in shown.itertuples(index=False):
        t.add_row(
            str(row.event_id),
            f"{row.date:%Y-%m-%d}",
            str(row.client_id),
            _words(row.kind),
            _words(row.channel),
            format_money(row.amount, cfg.campaign.currency, locale=cfg.campaign.locale),
            _words(row.reason),
            _words(row.recorded_by),
            _words(row.supersedes),
        )
    _console().print(t)


@outcome.command("summary")
@config_option
@as_of_option
@click.option(
    "--plan",
    "plan_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The contact plan (plan.csv of `reconnect plan`, or any CSV, Excel, Parquet with client_id): "
    "adds the funnel's first stage.",
)
@click.option(
    "--holdout",
    "holdout_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The hold-out clients (holdout.csv of `reconnect plan`: client_id, optionally the planned day): "
    "adds the lift over them.",
)
@format_option
def summary(config_path: Path, as_of, plan_path: Path | None, holdout_path: Path | None, fmt: str) -> None:
    """Win-back rates with intervals, revenue, reasons, funnel, time to win-back and lift.

    The history file of [data] outcomes, if any, is imported first (idempotently).
    """
    from ..load import read_table
    from ..money import MONEY_COLUMNS, cents
    from ..pipeline import campaign_return, outcome_report, scored_base

    cfg = _config(config_path)
    day = _as_of(cfg, as_of)
    plan = read_table(plan_path) if plan_path is not None else None
    holdout = read_table(holdout_path) if holdout_path is not None else None
    campaign = scored_base(cfg, as_of=day, outcomes=True)
    result = outcome_report(campaign, plan=plan, holdout=holdout)
    returns = campaign_return(campaign, holdout=holdout)
    if fmt == "json":
        payload = {
            "campaign": cfg.campaign.name,
            "as_of": day.isoformat(),
            "attribution_days": result.attribution_days,
            "statement": result.statement,
            "lift_statement": result.lift_statement,
            "notes": list(result.notes),
            "tables": {
                name: [
                    {k: cents(v) if k in MONEY_COLUMNS else v for k, v in record.items()}
                    for record in json.loads(table.to_json(orient="records", date_format="iso"))
                ]
                for name, table in result.tables().items()
            },
            "return": {k: v for k, v in returns.numbers().items() if k != "tables"},
        }
        # The return's tables sit with the others, named as in the CSV (where an empty one has no row).
        numbers = returns.numbers()
        payload["tables"].update(
            {"return_overall": [numbers["overall"]]}
            | {f"return_{name}": rows for name, rows in numbers["tables"].items() if rows}
        )
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        tables = {**result.tables(), **{f"return_{n}": tb for n, tb in returns.tables().items()}}
        long = pd.concat([table.assign(table=name) for name, table in tables.items()], ignore_index=True)
        emit(long[["table", *[c for c in long.columns if c != "table"]]], "csv")
        return
    _render_summary(result, name=cfg.campaign.name, campaign=cfg.campaign)
    _render_return(returns, campaign=cfg.campaign)


def _render_return(returns, *, campaign) -> None:
    """Did it pay for itself: cost, return, break-even, and which channels and buckets pay best."""
    from rich.table import Table

    console = _console()
    row = returns.overall.iloc[0]
    t = Table(title="Did it pay for itself?", title_justify="left")
    for col in ("Cost", "Won back", "Referrals", "Return", "Per unit of cost", "95 % interval", "Break-even"):
        t.add_column(col, justify="right")
    per = row["return_per_cost"]
    t.add_row(
        _money(row["cost"], campaign),
        _money(row["revenue_recovered"], campaign),
        _money(row["referral_revenue"], campaign),
        _money(row["return"], campaign),
        "–" if pd.isna(per) else f"{per:.2f}",
        "–"
        if pd.isna(row["return_per_cost_low"])
        else f"{row['return_per_cost_low']:.2f}–{row['return_per_cost_high']:.2f}",
        returns.break_even_week
        or (
            f"forecast {returns.forecast_break_even_week}" if returns.forecast_break_even_week else "not yet"
        ),
    )
    console.print(t)
    console.print(returns.statement)
    if returns.incremental_statement:
        console.print(returns.incremental_statement)
    for title, table, label in (
        ("By channel of the first contact", returns.by_channel, s.CHANNEL),
        ("By dormancy when the campaign began", returns.by_bucket, s.DORMANCY_BUCKET),
    ):
        if table.empty:
            continue
        g = Table(title=title, title_justify="left")
        g.add_column(_words(label).capitalize(), style="bold")
        for col in ("Clients", "Cost", "Return", "Per unit of cost"):
            g.add_column(col, justify="right")
        for r in table.to_dict("records"):
            ratio = r["return_per_cost"]
            g.add_row(
                _words(str(r[label])),
                f"{r['clients']:,}",
                _money(r["cost"], campaign),
                _money(r["return"], campaign),
                "–" if pd.isna(ratio) else f"{ratio:.2f}",
            )
        console.print()
        console.print(g)
    console.print()


_GROUP_TITLES = {
    s.DORMANCY_BUCKET: "By dormancy when the campaign began",
    s.CHANNEL: "By channel of the first contact",
    s.WEEK: "By week of the first contact",
    s.ACCOUNT_OWNER: "By account owner",
}


def _rate_table(table: pd.DataFrame, *, title: str, label: str | None, campaign=None):
    from rich.table import Table

    t = Table(title=title, title_justify="left")
    if label:
        t.add_column(label, style="bold", no_wrap=True)
    for name in ("Contacted", "Won back", "Rate", "95 % interval", "Revenue recovered", "Per contacted"):
        t.add_column(name, justify="right")
    for row in table.to_dict("records"):
        cells = [_words(row[label_col]) for label_col in table.columns[:1]] if label else []
        t.add_row(
            *cells,
            f"{row[s.CONTACTED]:,}",
            f"{row[s.WON_BACK]:,}",
            _pct(row[s.RATE]),
            _interval(row[s.RATE_LOW], row[s.RATE_HIGH]),
            _money(row[s.REVENUE_RECOVERED], campaign),
            _money(row[s.REVENUE_PER_CONTACTED], campaign),
        )
    return t


def _render_summary(result, *, name: str, campaign=None) -> None:
    from rich.table import Table

    console = _console()
    console.print(
        _rate_table(
            result.overall, title=f"{name}: win-back as of {result.as_of}", label=None, campaign=campaign
        )
    )
    console.print(result.statement)
    console.print()
    for group, table in result.by.items():
        console.print(
            _rate_table(
                table,
                title=_GROUP_TITLES.get(group, group),
                label=_words(group).capitalize(),
                campaign=campaign,
            )
        )
        console.print()
    reasons = Table(title="Reasons given", title_justify="left")
    reasons.add_column("Reason", style="bold")
    reasons.add_column("Clients", justify="right")
    reasons.add_column("Share", justify="right")
    for row in result.reasons.itertuples(index=False):
        reasons.add_row(_words(row.reason), f"{row.clients:,}", _pct(row.share))
    console.print(reasons)
    console.print()
    funnel = Table(title="Funnel", title_justify="left")
    funnel.add_column("Stage", style="bold")
    funnel.add_column("Clients", justify="right")
    funnel.add_column("Of the stage before", justify="right")
    for row in result.funnel.itertuples(index=False):
        stage = s.FUNNEL_STAGES.get(row.stage, row.stage)
        funnel.add_row(stage, f"{row.clients:,}", _pct(row.share_of_previous))
    console.print(funnel)
    console.print()
    km = Table(title="Time from first contact to win-back (Kaplan–Meier)", title_justify="left")
    km.add_column("Within", style="bold")
    km.add_column("Won back", justify="right")
    km.add_column("95 % interval", justify="right")
    km.add_column("Not yet won back, followed this long", justify="right")
    for row in result.time_to_win_back.itertuples(index=False):
        km.add_row(
            f"{row.days} days",
            _pct(row.share_won_back),
            _interval(row.share_low, row.share_high),
            f"{row.at_risk:,}",
        )
    console.print(km)
    console.print("A client contacted recently counts for the time followed, not as lost.")
    console.print()
    if result.lift is not None:
        row = result.lift.iloc[0]
        lift = Table(title="Lift over the hold-out group", title_justify="left")
        for col in ("Contacted", "Rate", "Hold-out", "Rate ", "Lift (points)", "95 % interval"):
            lift.add_column(col, justify="right")
        lift.add_row(
            f"{int(row[s.CONTACTED]):,}",
            _pct(row[s.RATE]),
            f"{int(row[s.HOLDOUT_CLIENTS]):,}",
            _pct(row[s.HOLDOUT_RATE]),
            "–" if pd.isna(row[s.LIFT]) else f"{100 * row[s.LIFT]:+.1f}",
            "–"
            if pd.isna(row[s.LIFT_LOW])
            else f"{100 * row[s.LIFT_LOW]:+.1f} to {100 * row[s.LIFT_HIGH]:+.1f}",
        )
        console.print(lift)
        console.print(result.lift_statement)
        console.print()
    for note in result.notes:
        console.print(f"Note: {note}", highlight=False)
