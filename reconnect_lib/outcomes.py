"""The outcome log: an append-only store of every contact and what it brought.

Every contact and every result is an *event*: who (``client_id``), when
(``date``), ``campaign``, ``channel`` (:data:`~reconnect_lib.schema.CHANNELS`),
``kind`` (:data:`~reconnect_lib.schema.EVENT_KINDS`), an optional ``amount``
recovered, a ``reason`` (:data:`~reconnect_lib.schema.REASONS`, or none), a free
``note``, who recorded it (``recorded_by``) and a unique ``event_id``. A
``referral`` (a past client introduced someone: ``client_id`` is the client who
referred, ``note`` the person's name, ``amount`` their first amount) may name the
new client's id in ``referred_client_id`` once they are in the client list.

Events live in one ``events`` table of a real database reached through
SQLAlchemy: a SQLite file by default (``[outcomes] database`` in campaign.toml,
a path relative to that file), or any SQLAlchemy URL, e.g. a team's PostgreSQL
(``postgresql+psycopg://user:password@host/db``; a bare ``postgresql://`` is
read with psycopg too).

The rules that keep it trustworthy:

- **Append-only.** The store never updates or deletes a row, and the database
  refuses to, whatever the SQL: triggers abort any UPDATE, DELETE or
  TRUNCATE, and so every upsert (``INSERT ... ON CONFLICT DO UPDATE``,
  ``MERGE``); on SQLite an INSERT whose key is already taken is aborted too, so
  ``REPLACE INTO`` / ``INSERT OR REPLACE`` cannot delete the stored row. A
  store made by an older version gets any missing trigger when opened. A correction is a new
  event naming the one it replaces in ``supersedes``; the replaced event stays
  in the table but drops out of current views (:meth:`OutcomeStore.events`).
  An event can be superseded once (a unique constraint), so corrections form a
  chain, never a fork. :meth:`OutcomeStore.retract` withdraws an event
  recorded by mistake: a correction of kind ``"retracted"`` that replaces it
  with nothing.
- **All or nothing.** :meth:`OutcomeStore.record_many` and
  :meth:`OutcomeStore.import_file` validate every row first and write in one
  transaction: a bad row is reported (file, column, rows, values, what was
  expected, how to fix it) and nothing of the batch is written. A process
  killed mid-write leaves the database as it was before the batch.
- **Idempotent imports, no silent drops.** Each imported row carries a key made
  from its content (and from its position among identical rows), so importing
  the same file (known by its name without extension), or a longer version of
  it, records only the rows it did not have. A row with the content of an event
  imported from *another* file is never skipped silently: the import is refused,
  naming those rows, unless ``allow_duplicates=True`` (``--allow-duplicates``)
  records them, under a key bound to their file. A row that gives an
  ``event_id`` already recorded with other content is an error: corrections
  are new events.
  The campaign's own history file (``[data] outcomes``), brought in before
  every read, is remembered by a fingerprint of its bytes and of how it was
  read: an unchanged file is not read again.
- **One meaning per cell.** Dates and amounts are read by the loader's parsers
  (:mod:`reconnect_lib.load`) with the campaign's ``[data]`` options, so a cell
  means in an outcome sheet what it means in the transactions, and NaN,
  infinite or overflowing amounts are refused everywhere.
- **Concurrent writers.** Writes are serialised by the database: SQLite in WAL
  mode with ``BEGIN IMMEDIATE`` and a busy timeout; PostgreSQL with a
  transaction-scoped advisory lock. Two processes recording at once both keep
  every event.

A client's current status is never stored: it is derived from the events by
:func:`reconnect_lib.metrics.client_status`.

Example
-------
>>> from datetime import date
>>> store = OutcomeStore("sqlite://")  # in memory; a file path or server URL in real use
>>> first = store.record("C00001", "contacted", date=date(2026, 3, 2), channel="phone")
>>> wrong = store.record("C00001", "moved_on", date=date(2026, 3, 9), channel="phone", reason="money")
>>> fixed = store.record("C00001", "renewed", date=date(2026, 3, 9), channel="phone",
...                      amount=1200, supersedes=wrong)
>>> store.events()[["client_id", "kind", "amount"]]
  client_id       kind  amount
0    C00001  contacted     NaN
1    C00001    renewed  1200.0
>>> len(store.events(include_superseded=True))
3
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import schema as s
from .column_maps import MappedTable, Source, normalise_name
from .config import CampaignConfig
from .errors import ConfigError, InputError, Problem, ReconnectError, StoreError
from .load.cells import CHANNEL_SYNONYMS, _check_options, _Options, _parse_amounts, _parse_dates, _typed
from .load.read import _read
from .load.read_options import ReadOptions
from .load.tables import load_table
from .load.validate import _amount_check, _Context, _date_checks

if TYPE_CHECKING:  # SQLAlchemy is imported by the functions that use a database, when they run
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.exc import SQLAlchemyError

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_DTYPES",
    "INPUT_COLUMNS",
    "ImportResult",
    "OutcomeStore",
    "configured_client_ids",
    "empty_events",
    "store_exists",
    "sync_configured_history",
]

TABLE = "events"
_SYNCED = "synced_files"

#: Columns of :meth:`OutcomeStore.events`, in order.
EVENT_COLUMNS: tuple[str, ...] = (
    *s.EVENT_RECORD_COLUMNS,
    s.REFERRED_CLIENT_ID,
    s.SUPERSEDES,
    s.SOURCE,
    s.RECORDED_AT,
)

#: pandas dtypes of :meth:`OutcomeStore.events`.
EVENT_DTYPES: dict[str, str] = {
    **{c: "string" for c in EVENT_COLUMNS},
    s.DATE: "datetime64[ns]",
    s.AMOUNT: "float64",
    s.RECORDED_AT: "datetime64[ns, UTC]",
}

#: Columns an imported file or a frame given to :meth:`OutcomeStore.record_many`
#: may have (``client_id``, ``date``, ``kind`` and ``channel`` are required).
INPUT_COLUMNS: tuple[str, ...] = (*s.EVENT_RECORD_COLUMNS, s.REFERRED_CLIENT_ID, s.SUPERSEDES)
# The columns an import key is made of, as a store made before `referred_client_id` made it:
# that column joins a key only when it has a value, so re-importing an old sheet after the
# upgrade still finds its rows recorded.
_KEY_COLUMNS: tuple[str, ...] = (*s.EVENT_RECORD_COLUMNS, s.SUPERSEDES)
# Columns a store made by an older version may lack: added when the store is opened.
_ADDED_COLUMNS: tuple[str, ...] = (s.REFERRED_CLIENT_ID,)
REQUIRED_COLUMNS: tuple[str, ...] = (s.CLIENT_ID, s.DATE, s.KIND, s.CHANNEL)

# Other names a staff spreadsheet may give a column (matched ignoring case, spaces
# and punctuation).
COLUMN_SYNONYMS: dict[str, tuple[str, ...]] = {
    s.EVENT_ID: ("event id", "id", "event"),
    s.CLIENT_ID: ("client", "client no", "client number", "customer", "customer id", "customer no"),
    s.DATE: ("day", "when", "event date", "contact date"),
    s.CAMPAIGN: (),
    s.CHANNEL: ("via", "medium", "method"),
    s.KIND: ("outcome", "result", "event type", "type", "what happened"),
    s.AMOUNT: ("amount recovered", "recovered", "value", "revenue"),
    s.REASON: ("why", "reason lost"),
    s.NOTE: ("notes", "comment", "comments"),
    s.RECORDED_BY: ("recorded by", "by", "who", "staff", "caller"),
    s.SUPERSEDES: ("corrects", "replaces"),
    s.REFERRED_CLIENT_ID: ("referred client", "referred client no", "new client id", "referred id"),
}

# Words staff write for each kind and reason, besides the vocabulary itself.
KIND_SYNONYMS: dict[str, tuple[str, ...]] = {
    "contacted": ("contact", "reached", "spoke", "sent"),
    "no_answer": ("no answer", "no reply", "voicemail", "unreachable"),
    "replied": ("reply", "answered", "responded"),
    "renewed": ("renewal", "bought again", "signed up again", "won back", "won"),
    "moved_on": ("moved on", "lost", "left"),
    "change_of_circumstances": ("change of circumstances", "circumstances changed"),
    "problem_raised": ("problem", "complaint", "problem raised"),
    "problem_fixed": ("problem fixed", "fixed", "resolved"),
    "declined": ("no thanks", "not interested", "refused"),
    "do_not_contact": ("do not contact", "asked not to be contacted", "dnc", "opt out", "unsubscribe"),
    "referral": ("referred", "referred someone", "introduction", "introduced someone", "recommendation"),
    s.RETRACTED: ("retract", "withdrawn", "void"),
}
REASON_SYNONYMS: dict[str, tuple[str, ...]] = {
    "fixable_problem": ("fixable problem", "fixable", "problem"),
    "competitor": ("competition", "better placed competitor", "went elsewhere"),
    "money": ("price", "cost", "budget", "too expensive"),
    "invoicing_mistakes": (
        "invoicing mistakes",
        "invoicing",
        "invoice mistakes",
        "billing",
        "billing errors",
    ),
    "owner_not_involved": ("owner no longer involved", "owner not involved", "owner"),
    "moved": ("relocated", "moved away"),
    "circumstances": ("change of circumstances", "circumstances changed"),
    "other": (),
}

_KIND_OF = {normalise_name(w): k for k, words in KIND_SYNONYMS.items() for w in (k, *words)}
_REASON_OF = {normalise_name(w): r for r, words in REASON_SYNONYMS.items() for w in (r, *words)}
_CHANNEL_OF = {normalise_name(w): ch for ch, words in CHANNEL_SYNONYMS.items() for w in (ch, *words)}
_COLUMN_OF = {normalise_name(w): c for c, words in COLUMN_SYNONYMS.items() for w in (c, *words)}

# Without an as-of date, the loader's own bound on plausible dates (it reads years after 2200 as typos).
_NO_AS_OF = pd.Timestamp("2200-12-31")
_CHUNK = 500  # ids per IN (...) list: well under every database's parameter limit
_LOCK_KEY = 0x7265636F  # PostgreSQL advisory lock serialising writers ("reco")

# The widths of the free-text columns of the events table (PostgreSQL enforces them);
# the parser checks them before anything reaches the database.
_LONGEST: dict[str, int] = {
    s.EVENT_ID: 64,
    s.CLIENT_ID: 200,
    s.CAMPAIGN: 200,
    s.RECORDED_BY: 200,
    s.REFERRED_CLIENT_ID: 200,
    s.SUPERSEDES: 64,
}


@cache
def _schema() -> tuple[sa.MetaData, sa.Table]:
    """The events table (and the metadata of the store's tables), built when a store is first opened."""
    import sqlalchemy as sa

    metadata = sa.MetaData()
    events = sa.Table(
        TABLE,
        metadata,
        # Insertion order: orders same-day events and shows the table only ever grows.
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column(s.EVENT_ID, sa.String(_LONGEST[s.EVENT_ID]), nullable=False),
        sa.Column(s.CLIENT_ID, sa.String(_LONGEST[s.CLIENT_ID]), nullable=False),
        sa.Column(s.DATE, sa.Date(), nullable=False),
        sa.Column(s.CAMPAIGN, sa.String(_LONGEST[s.CAMPAIGN])),
        sa.Column(s.CHANNEL, sa.String(20), nullable=False),
        sa.Column(s.KIND, sa.String(40), nullable=False),
        sa.Column(s.AMOUNT, sa.Double()),
        sa.Column(s.REASON, sa.String(40)),
        sa.Column(s.NOTE, sa.Text()),
        sa.Column(s.RECORDED_BY, sa.String(_LONGEST[s.RECORDED_BY])),
        sa.Column(s.REFERRED_CLIENT_ID, sa.String(_LONGEST[s.REFERRED_CLIENT_ID])),
        # Checked at commit, so a batch may correct an event of the same batch in any order.
        sa.Column(
            s.SUPERSEDES,
            sa.String(_LONGEST[s.SUPERSEDES]),
            sa.ForeignKey(f"{TABLE}.{s.EVENT_ID}", deferrable=True, initially="DEFERRED"),
        ),
        sa.Column(s.SOURCE, sa.String(500)),
        sa.Column("import_key", sa.String(64)),
        # Set by the database: an audit stamp, never used in a computation.
        sa.Column(s.RECORDED_AT, sa.DateTime(timezone=True), server_default=sa.func.current_timestamp()),
        sa.UniqueConstraint(s.EVENT_ID, name="uq_events_event_id"),
        sa.UniqueConstraint(s.SUPERSEDES, name="uq_events_supersedes"),
        sa.UniqueConstraint("import_key", name="uq_events_import_key"),
        sa.Index("ix_events_client_date", s.CLIENT_ID, s.DATE),
    )
    # The campaign history files already brought in whole, each by a fingerprint of its bytes
    # and of everything its reading depends on; not an event, never read as one.
    sa.Table(
        _SYNCED,
        metadata,
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column(s.SOURCE, sa.String(500), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column(s.RECORDED_AT, sa.DateTime(timezone=True), server_default=sa.func.current_timestamp()),
    )
    return metadata, events


def _synced() -> sa.Table:
    return _schema()[0].tables[_SYNCED]


def _events() -> sa.Table:
    return _schema()[1]


def _written() -> list[sa.Column]:
    """The columns an insert writes: all but those the database fills in."""
    return [c for c in _events().columns if c.name not in ("seq", s.RECORDED_AT)]


def __getattr__(name: str) -> Any:
    if name == "EVENTS":  # the SQLAlchemy table, for code that queries the store directly
        return _events()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_APPEND_ONLY = "the outcome log is append-only: record a correction that supersedes the event instead"
# SQLite: REPLACE INTO / INSERT OR REPLACE resolve a key conflict by deleting the stored row,
# and that implicit delete fires no DELETE trigger (unless recursive_triggers is on in the very
# connection that writes). So an insert whose keys are already taken is refused before SQLite
# gets to resolve the conflict: nothing an INSERT does can then remove or rewrite a stored row.
_SQLITE_TRIGGERS = {
    **{
        f"{TABLE}_no_{op.lower()}": f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{op.lower()} BEFORE {op} "
        f"ON {TABLE} BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
        for op in ("UPDATE", "DELETE")
    },
    f"{TABLE}_no_replace": f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_replace BEFORE INSERT ON {TABLE} "
    f"WHEN EXISTS (SELECT 1 FROM {TABLE} AS old WHERE old.seq = NEW.seq "
    f"OR old.{s.EVENT_ID} = NEW.{s.EVENT_ID} OR old.{s.SUPERSEDES} = NEW.{s.SUPERSEDES} "
    "OR old.import_key = NEW.import_key) "
    f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY} (an event with this key is already recorded)'); END",
}
# PostgreSQL: INSERT ... ON CONFLICT DO UPDATE and MERGE fire the row UPDATE/DELETE trigger.
_POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION reconnect_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END $$"
)
_POSTGRES_TRIGGERS = {
    f"{TABLE}_append_only": f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION reconnect_events_append_only()",
    f"{TABLE}_no_truncate": f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION reconnect_events_append_only()",
}


# --- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What one import (or :meth:`OutcomeStore.record_many`) did.

    ``recorded`` rows were new and are now in the store (their ids in
    ``event_ids``); ``already_recorded`` rows were in it from an earlier import
    of the same file; ``blank`` rows had no value at all and were set aside;
    ``ignored`` lists file columns that are not part of an event;
    ``duplicates`` counts the recorded rows that have the content of an event of
    another file (recorded because ``allow_duplicates`` was given).
    """

    file: str
    rows: int
    recorded: int
    already_recorded: int
    blank: int = 0
    event_ids: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    duplicates: int = 0

    def __str__(self) -> str:
        text = (
            f"{Path(self.file).name}: {self.rows:,} rows read, {self.recorded:,} recorded, "
            f"{self.already_recorded:,} already recorded"
        )
        if self.duplicates:
            text += f" ({self.duplicates:,} of those recorded match events of another file, as allowed)"
        if self.blank:
            text += f", {self.blank:,} blank set aside"
        if self.ignored:
            text += "; columns not used: " + ", ".join(self.ignored)
        return text


# --- parsing rows --------------------------------------------------------------------


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _text(value: object) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)  # an id Excel stored as a number: 1001.0 -> "1001"
    return " ".join(str(value).split())


class _Bad:
    """Marks a cell that could not be read."""


_BAD = _Bad()


def _word(value: object, table: Mapping[str, str]) -> str | _Bad | None:
    text = _text(value)
    if text is None:
        return None
    return table.get(normalise_name(text), _BAD)


def _choices(values: Sequence[str]) -> str:
    return ", ".join(values)


@dataclass
class _Parsed:
    records: list[dict[str, Any]]  # one per non-blank row, canonical values
    rows: list[int]  # their 1-based data-row numbers
    problems: list[Problem]
    blank: int
    ignored: tuple[str, ...]


def _match_columns(
    columns: Sequence[str], file: str | None
) -> tuple[dict[str, str], tuple[str, ...], list[Problem]]:
    """canonical -> file column, the file columns not used, and problems."""
    found: dict[str, list[str]] = defaultdict(list)
    ignored = []
    for col in columns:
        canonical = _COLUMN_OF.get(normalise_name(col))
        if canonical is None:
            ignored.append(str(col))
        else:
            found[canonical].append(str(col))
    problems = [
        Problem(
            f"columns {', '.join(repr(c) for c in cols)} all read as `{canonical}`",
            file=file,
            expected="one column per field",
            hint="rename or remove all but one of them",
        )
        for canonical, cols in found.items()
        if len(cols) > 1
    ]
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        problems.append(
            Problem(
                f"missing column{'s' if len(missing) > 1 else ''} " + ", ".join(f"`{c}`" for c in missing),
                file=file,
                expected="columns " + ", ".join(INPUT_COLUMNS) + f" ({', '.join(REQUIRED_COLUMNS)} required)",
                hint="name the columns as listed (case and spaces do not matter), e.g. "
                "client_id, date, channel, kind, amount, reason, note, recorded_by",
            )
        )
    return {c: cols[0] for c, cols in found.items()}, tuple(ignored), problems


def _loader_context(file: str | None, columns: Mapping[str, str], opts: _Options) -> _Context:
    """What the loader's checks need to word a problem: the file and which column holds what."""
    mapped = MappedTable(
        table="outcomes",
        map_name="outcomes",
        frame=pd.DataFrame(),
        sources={canonical: Source("column", (label,)) for canonical, label in columns.items()},
        ignored=(),
        exclude=pd.Series(dtype=object),
        refund=pd.Series(dtype=bool),
        raw_columns=tuple(columns.values()),
    )
    return _Context("outcomes", file or "events", mapped, opts, "outcomes")


def _parse(
    frame: pd.DataFrame,
    *,
    file: str | None,
    as_of: date | None,
    client_ids: Collection[str] | None,
    date_format: str | None = None,
    dayfirst: bool = False,
    decimal: str | None = None,
    delimiter: str | None = None,
    show_rows: bool = True,
) -> _Parsed:
    """Every row of `frame` as a canonical event, and every problem found (rows 1-based).

    Dates and amounts are read by the loader's parsers with the same options, so a
    cell means here what it means in the client list or the transactions, and a cell
    the loader refuses is refused with the loader's message.
    """
    columns, ignored, problems = _match_columns(list(frame.columns), file)
    if problems:
        return _Parsed([], [], problems, 0, ignored)
    frame = frame.reset_index(drop=True)
    opts = _Options(
        _NO_AS_OF if as_of is None else pd.Timestamp(as_of), date_format, dayfirst, decimal, delimiter
    )
    ctx = _loader_context(file, columns, opts)
    texts = dict(_MESSAGES)
    for col, most in _LONGEST.items():
        texts[(col, "too_long")] = (
            f"longer than {most} characters",
            f"at most {most} characters",
            "put long text in the note" if col != s.NOTE else None,
        )
    date_raw = _typed(frame[columns[s.DATE]], s.DATE)
    dates = _parse_dates(date_raw, opts)
    for check, code in zip(
        _date_checks(ctx, s.DATE, dates, date_raw), ("not_a_date", "early", "late"), strict=True
    ):
        texts[(s.DATE, code)] = (check.message, check.expected or "", check.hint)
    if as_of is None:
        texts[(s.DATE, "late")] = ("date after 2200", "dates up to 2200", "correct the year")
    amounts = None
    if s.AMOUNT in columns:
        amount_raw = _typed(frame[columns[s.AMOUNT]], s.AMOUNT)
        amounts = _parse_amounts(amount_raw, opts)
        check = _amount_check(ctx, s.AMOUNT, amounts, amount_raw)
        texts[(s.AMOUNT, "not_a_number")] = (check.message, check.expected or "", check.hint)

    date_bad, date_early, date_late = (m.to_numpy(dtype=bool) for m in (dates.bad, dates.early, dates.late))
    days = dates.parsed.dt.date.to_numpy(dtype=object)
    amount_bad = amounts.bad.to_numpy(dtype=bool) if amounts is not None else None
    amount_values = amounts.parsed.to_numpy(dtype=float) if amounts is not None else None

    bad: dict[tuple[str, str], list[tuple[int, object]]] = defaultdict(list)
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    blank = 0
    known = None if client_ids is None else {str(c) for c in client_ids}
    data = frame[list(columns.values())].to_dict("records")
    for i, raw in enumerate(data):
        number = i + 1
        cell = {canonical: raw[label] for canonical, label in columns.items()}
        if all(_blank(v) for v in cell.values()):
            blank += 1
            continue
        rec: dict[str, Any] = {}
        for col in _FREE_TEXT:
            rec[col] = _text(cell.get(col))
        for col, most in _LONGEST.items():
            if rec[col] is not None and len(rec[col]) > most:
                bad[(col, "too_long")].append((number, rec[col][:40] + "..."))
        if rec[s.CLIENT_ID] is None:
            bad[(s.CLIENT_ID, "blank")].append((number, cell.get(s.CLIENT_ID)))
        elif known is not None and rec[s.CLIENT_ID] not in known:
            bad[(s.CLIENT_ID, "unknown")].append((number, rec[s.CLIENT_ID]))
        referred = rec[s.REFERRED_CLIENT_ID]
        if referred is not None and known is not None and referred not in known:
            bad[(s.REFERRED_CLIENT_ID, "unknown")].append((number, referred))
        elif referred is not None and referred == rec[s.CLIENT_ID]:
            bad[(s.REFERRED_CLIENT_ID, "self")].append((number, referred))
        rec[s.DATE] = None
        if _blank(cell[s.DATE]):
            bad[(s.DATE, "blank")].append((number, cell[s.DATE]))
        elif date_bad[i]:
            bad[(s.DATE, "not_a_date")].append((number, cell[s.DATE]))
        elif date_early[i]:
            bad[(s.DATE, "early")].append((number, cell[s.DATE]))
        elif date_late[i]:
            bad[(s.DATE, "late")].append((number, cell[s.DATE]))
        else:
            rec[s.DATE] = days[i]
        for col, table in ((s.KIND, _KIND_OF), (s.CHANNEL, _CHANNEL_OF), (s.REASON, _REASON_OF)):
            value = _word(cell.get(col), table)
            if value is _BAD or (value is None and col != s.REASON):
                bad[(col, "blank" if value is None else "unknown")].append((number, cell.get(col)))
            rec[col] = value if isinstance(value, str) else None
        if referred is not None and rec[s.KIND] not in (*s.REFERRAL_KINDS, None):
            bad[(s.REFERRED_CLIENT_ID, "not_referral")].append((number, referred))
        if rec[s.KIND] == s.RETRACTED and rec[s.SUPERSEDES] is None:
            bad[(s.SUPERSEDES, "retract")].append((number, cell.get(s.SUPERSEDES)))
        rec[s.AMOUNT] = None
        if amount_values is not None:
            if amount_bad[i]:
                bad[(s.AMOUNT, "not_a_number")].append((number, cell.get(s.AMOUNT)))
            elif not pd.isna(amount := amount_values[i]):
                rec[s.AMOUNT] = float(amount)
                if amount < 0:
                    bad[(s.AMOUNT, "negative")].append((number, cell.get(s.AMOUNT)))
        if rec[s.SUPERSEDES] is not None and rec[s.SUPERSEDES] == rec[s.EVENT_ID]:
            bad[(s.SUPERSEDES, "self")].append((number, rec[s.SUPERSEDES]))
        records.append(rec)
        rows.append(number)
    ids = Counter(r[s.EVENT_ID] for r in records if r[s.EVENT_ID] is not None)
    for number, rec in zip(rows, records, strict=True):
        if rec[s.EVENT_ID] is not None and ids[rec[s.EVENT_ID]] > 1:
            bad[(s.EVENT_ID, "repeated")].append((number, rec[s.EVENT_ID]))
    targets = Counter(r[s.SUPERSEDES] for r in records if r[s.SUPERSEDES] is not None)
    for number, rec in zip(rows, records, strict=True):
        if rec[s.SUPERSEDES] is not None and targets[rec[s.SUPERSEDES]] > 1:
            bad[(s.SUPERSEDES, "twice")].append((number, rec[s.SUPERSEDES]))
    problems = [
        _problem(texts[(col, code)], found, columns.get(col, col), file=file, show_rows=show_rows)
        for (col, code), found in bad.items()
    ]
    return _Parsed(records, rows, problems, blank, ignored)


_FREE_TEXT = (s.EVENT_ID, s.CLIENT_ID, s.CAMPAIGN, s.NOTE, s.RECORDED_BY, s.SUPERSEDES, s.REFERRED_CLIENT_ID)
_KINDS_EXPECTED = _choices(s.EVENT_KINDS)
_MESSAGES: dict[tuple[str, str], tuple[str, str, str | None]] = {
    # (column, code): (message, expected, hint)
    (s.CLIENT_ID, "blank"): ("no client id", "the id of the client the event is about", None),
    (s.CLIENT_ID, "unknown"): (
        "client id not in the client list",
        "a client_id of the campaign's client list",
        "check for typos or leading zeros, or add the client to the client list first",
    ),
    (s.REFERRED_CLIENT_ID, "unknown"): (
        "referred client id not in the client list",
        "the client_id the person introduced has in the client list, or a blank cell",
        "leave it blank until the new client is in the client list (put their name in the note)",
    ),
    (s.REFERRED_CLIENT_ID, "self"): (
        "a client who referred themselves",
        "the id of the person introduced, not of the client who introduced them",
        None,
    ),
    (s.REFERRED_CLIENT_ID, "not_referral"): (
        "a referred client id on an event that is not a referral",
        "a blank cell, or the kind 'referral'",
        None,
    ),
    (s.DATE, "blank"): ("no date", "the day the event happened", None),
    (s.KIND, "blank"): ("no kind", f"one of {_KINDS_EXPECTED}", None),
    (s.KIND, "unknown"): (
        "not an event kind",
        f"one of {_KINDS_EXPECTED}",
        "words such as 'no answer', 'bought again' or 'asked not to be contacted' are read too",
    ),
    (s.CHANNEL, "blank"): ("no channel", f"one of {_choices(s.CHANNELS)}", "use 'other' when none fits"),
    (s.CHANNEL, "unknown"): (
        "not a channel",
        f"one of {_choices(s.CHANNELS)}",
        "use 'other' when none fits; words such as 'call', 'e-mail' or 'post' are read too",
    ),
    (s.REASON, "unknown"): (
        "not a reason",
        f"one of {_choices(s.REASONS)}, or a blank cell",
        "put anything else in the note and the reason 'other'",
    ),
    (s.AMOUNT, "negative"): (
        "negative amount",
        "the amount recovered: 0 or more",
        "record refunds in the transactions, not in the outcome log",
    ),
    (s.SUPERSEDES, "retract"): (
        "a retraction that names no event",
        "the event_id of the event to withdraw in `supersedes`",
        None,
    ),
    (s.SUPERSEDES, "self"): ("an event that supersedes itself", "the event_id of another event", None),
    (s.SUPERSEDES, "twice"): (
        "the same event corrected twice",
        "one correction per event",
        "to correct a correction, supersede the correction",
    ),
    (s.EVENT_ID, "repeated"): ("event_id given to more than one row", "a unique event_id per row", None),
}


def _problem(
    texts: tuple[str, str, str | None],
    found: list[tuple[int, object]],
    label: str,
    *,
    file: str | None,
    show_rows: bool,
) -> Problem:
    message, expected, hint = texts
    return Problem(
        message,
        file=file,
        column=label,
        rows=[n for n, _ in found] if show_rows else (),
        values=[v.isoformat() if isinstance(v, date) else v for _, v in found if not _blank(v)],
        expected=expected,
        hint=hint,
    )


def _import_keys(records: Sequence[Mapping[str, Any]], origin: str) -> list[tuple[str, str]]:
    """Two idempotency keys per record: one from its content and its position among identical
    records, and the same bound to where it came from (`origin`), for a row recorded although
    an event of another origin has its content."""
    seen: Counter[str] = Counter()
    keys = []
    for rec in records:
        parts = []
        for col in _KEY_COLUMNS:
            value = rec.get(col)
            if value is None:
                parts.append("\x00")
            elif col == s.AMOUNT:
                parts.append(f"{float(value):.6f}")
            elif col == s.DATE:
                parts.append(value.isoformat())
            else:
                parts.append(str(value))
        if rec.get(s.REFERRED_CLIENT_ID) is not None:
            parts.append(f"{s.REFERRED_CLIENT_ID}={rec[s.REFERRED_CLIENT_ID]}")
        content = "\x1f".join(parts)
        seen[content] += 1
        content_key = f"{content}\x1e{seen[content]}"
        keys.append(
            (
                hashlib.sha256(content_key.encode()).hexdigest(),
                hashlib.sha256(f"{content_key}\x1e{origin}".encode()).hexdigest(),
            )
        )
    return keys


_ROW_SUFFIX = re.compile(r" row \d+$")


def _origin(source: str | None) -> str:
    """Where a batch came from, as kept in ``source``: a file by its name without extension."""
    text = _ROW_SUFFIX.sub("", source or "")
    if text.startswith("import:"):
        return "import:" + Path(text.removeprefix("import:")).stem.casefold()
    return text


def _elsewhere_problem(found: list[tuple[int, str]], file: str | None, show_rows: bool) -> Problem:
    others = list(dict.fromkeys(_ROW_SUFFIX.sub("", src).removeprefix("import:") for _, src in found))
    named = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return Problem(
        f"the same event (client, date, channel, kind and details) is already recorded from {named}",
        file=file,
        rows=[n for n, _ in found] if show_rows else (),
        expected="events not yet in the log",
        hint="if this is a copy or a renamed version of that sheet, these rows are recorded already: "
        "import the file under its first name, or not at all. If they are events of their own (e.g. "
        "two callers each got no answer from the client that day), import again with "
        "--allow-duplicates (in Python: allow_duplicates=True). Nothing of this file was recorded",
    )


def _new_id() -> str:
    return "ev-" + uuid.uuid4().hex[:16]


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


# --- the store -----------------------------------------------------------------------


def _engine_url(url: str | sa.URL) -> sa.URL:
    import sqlalchemy as sa
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = sa.make_url(url)
    except ArgumentError as err:
        raise StoreError(
            f"{str(url)!r} is not a database URL",
            expected="a SQLAlchemy URL such as sqlite:///outcomes.sqlite or "
            "postgresql+psycopg://user:password@host/database",
            hint="set [outcomes] database in campaign.toml",
        ) from err
    if parsed.drivername == "postgresql":  # psycopg 3 is the driver reconnect_lib installs
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


class OutcomeStore:
    """The append-only outcome log in a database.

    Parameters
    ----------
    url : str or sqlalchemy.URL
        A SQLAlchemy URL: ``sqlite:///path/outcomes.sqlite`` (created when
        missing; its folder must exist), ``sqlite://`` for a throwaway store in
        memory, or a server such as ``postgresql+psycopg://user:pw@host/db``.
        The ``events`` table (and the triggers that keep it append-only) is
        created on first use.

    Raises
    ------
    StoreError
        The database cannot be reached or opened, or holds an ``events`` table
        that is not an outcome log.

    Examples
    --------
    >>> with OutcomeStore("sqlite://") as store:
    ...     store.events().columns.tolist()[:6]
    ['event_id', 'client_id', 'date', 'campaign', 'channel', 'kind']
    """

    def __init__(self, url: str | sa.URL) -> None:
        import sqlalchemy as sa
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError
        from sqlalchemy.pool import StaticPool

        self.url = _engine_url(url)
        self._sqlite = self.url.get_backend_name() == "sqlite"
        self._postgres = self.url.get_backend_name() == "postgresql"
        try:
            if self._sqlite and self.url.database in (None, "", ":memory:"):
                # One shared connection, or every connection would see its own empty database.
                self.engine = sa.create_engine(
                    self.url, poolclass=StaticPool, connect_args={"check_same_thread": False}
                )
            elif self._sqlite:
                self.engine = sa.create_engine(self.url, connect_args={"timeout": 60})
            else:
                self.engine = sa.create_engine(self.url, pool_pre_ping=True)
        except (ArgumentError, NoSuchModuleError, ImportError) as err:
            raise StoreError(
                f"cannot use database {self.url.render_as_string(hide_password=True)}: {err}",
                hint='for PostgreSQL install the driver: pip install "reconnect_lib[postgres]"',
            ) from err
        if self._sqlite:
            _sqlite_transactions(self.engine)
        self._create()

    # -- plumbing --

    def __repr__(self) -> str:
        return f"OutcomeStore({self.url.render_as_string(hide_password=True)!r})"

    def __enter__(self) -> OutcomeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @classmethod
    def from_config(cls, config: CampaignConfig) -> OutcomeStore:
        """The store named by ``[outcomes] database`` of a campaign."""
        return cls(config.outcomes.database)

    def _where(self) -> str:
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        """A transaction; a write one holds the store's write lock until it ends."""
        import sqlalchemy as sa
        from sqlalchemy.exc import SQLAlchemyError

        try:
            with self.engine.connect() as conn:
                if write and self._sqlite:
                    conn = conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    if write and self._postgres:
                        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))
                    yield conn
        except ReconnectError:
            raise
        except SQLAlchemyError as err:
            raise StoreError(
                f"outcome store {self._where()}: {_reason(err)}",
                hint="check [outcomes] database in campaign.toml and that the database is reachable; "
                "nothing of this operation was written",
            ) from err

    def _create(self) -> None:
        import sqlalchemy as sa

        metadata, events = _schema()
        with self._transaction(write=True) as conn:
            inspector = sa.inspect(conn)
            if inspector.has_table(TABLE):
                have = {c["name"] for c in inspector.get_columns(TABLE)}
                want = {c.name for c in events.columns} - set(_ADDED_COLUMNS)
                if not want <= have:
                    raise StoreError(
                        f"the `{TABLE}` table of {self._where()} is not an outcome log "
                        f"(missing columns {', '.join(sorted(want - have))})",
                        hint="point [outcomes] database at a database of its own",
                    )
                self._add_columns(conn, have)
                if not inspector.has_table(_SYNCED):  # a store made before files were fingerprinted
                    metadata.create_all(conn, tables=[metadata.tables[_SYNCED]])
            else:
                metadata.create_all(conn)
            self._guard(conn)

    def _add_columns(self, conn: Connection, have: Collection[str]) -> None:
        """Add the columns a store made by an older version lacks (empty on its old rows).

        Adding a nullable column changes no stored row and fires no row trigger, so the
        append-only guards stay as they are; it runs under the store's write lock, so two
        processes opening an old store at once add it once.
        """
        for name in _ADDED_COLUMNS:
            if name in have:
                continue
            column = _events().c[name]
            kind = column.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {TABLE} ADD COLUMN {name} {kind}")

    def _guard(self, conn: Connection) -> None:
        """Install the triggers that keep the table append-only, those an older store lacks too."""
        if self._sqlite:
            have = set(
                conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (TABLE,)
                ).scalars()
            )
            for name, statement in _SQLITE_TRIGGERS.items():
                if name not in have:
                    conn.exec_driver_sql(statement)
        elif self._postgres:
            have = set(
                conn.exec_driver_sql(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%(table)s)", {"table": TABLE}
                ).scalars()
            )
            missing = [statement for name, statement in _POSTGRES_TRIGGERS.items() if name not in have]
            if missing:
                conn.exec_driver_sql(_POSTGRES_FUNCTION)
                for statement in missing:
                    conn.exec_driver_sql(statement)

    # -- writing --

    def record(
        self,
        client_id: str,
        kind: str,
        *,
        date: date,
        channel: str,
        campaign: str | None = None,
        amount: float | None = None,
        reason: str | None = None,
        note: str | None = None,
        recorded_by: str | None = None,
        supersedes: str | None = None,
        referred_client_id: str | None = None,
        as_of: date | None = None,
        client_ids: Collection[str] | None = None,
        source: str = "python",
        date_format: str | None = None,
        dayfirst: bool = False,
        decimal: str | None = None,
    ) -> str:
        """Record one event and return its ``event_id``.

        Parameters
        ----------
        client_id, kind, date, channel
            Who, what (:data:`~reconnect_lib.schema.EVENT_KINDS`), when, and how
            (:data:`~reconnect_lib.schema.CHANNELS`). Synonyms are read too
            ("call" is a phone, "bought again" is renewed).
        campaign, amount, reason, note, recorded_by
            Optional: the campaign's name, the amount recovered (0 or more),
            a reason (:data:`~reconnect_lib.schema.REASONS`), a free note and
            who recorded it.
        supersedes
            The ``event_id`` this event corrects: it replaces that event in
            every current view. Each event can be corrected once.
        referred_client_id
            Of a ``referral`` only: the client id of the person introduced, once
            they are in the client list (their name goes in `note`, their first
            amount in `amount`).
        as_of
            When given, a date after it is refused.
        client_ids
            When given, a client id (or referred client id) not among them is refused.
        source
            Where the event came from (kept with it).
        date_format, dayfirst, decimal
            How a `date` or `amount` given as text is written, as under ``[data]``
            in campaign.toml: both are read by the loader's parsers, as in a file.

        Raises
        ------
        InputError
            A value is missing or not valid (an amount that is NaN, infinite or
            not a number, a date that is no date or after `as_of`), or
            `supersedes` names an unknown or already corrected event; nothing
            is written.

        Examples
        --------
        >>> from datetime import date
        >>> store = OutcomeStore("sqlite://")
        >>> store.record("C1", "bought again", date=date(2026, 3, 2), channel="call").startswith("ev-")
        True
        >>> store.events().loc[0, ["kind", "channel"]].tolist()
        ['renewed', 'phone']
        >>> _ = store.record("C1", "referral", date=date(2026, 4, 1), channel="phone",
        ...                  note="Ann Lee", amount=400, referred_client_id="C9")
        >>> store.events().loc[1, ["kind", "referred_client_id", "note"]].tolist()
        ['referral', 'C9', 'Ann Lee']
        """
        row = {
            s.CLIENT_ID: client_id,
            s.DATE: date,
            s.CAMPAIGN: campaign,
            s.CHANNEL: channel,
            s.KIND: kind,
            s.AMOUNT: amount,
            s.REASON: reason,
            s.NOTE: note,
            s.RECORDED_BY: recorded_by,
            s.SUPERSEDES: supersedes,
            s.REFERRED_CLIENT_ID: referred_client_id,
        }
        _check_options(decimal=decimal, date_format=date_format, dayfirst=dayfirst)
        parsed = _parse(
            pd.DataFrame([row], dtype=object),
            file=None,
            as_of=as_of,
            client_ids=client_ids,
            date_format=date_format,
            dayfirst=dayfirst,
            decimal=decimal,
            show_rows=False,
        )
        problems = list(parsed.problems)
        if isinstance(amount, float | np.floating) and not math.isfinite(amount):
            # A file's empty numeric cell reads as NaN; an amount passed as NaN is a mistake.
            problems.append(
                Problem(
                    "not an amount",
                    column=s.AMOUNT,
                    values=[amount],
                    expected="a finite number of 0 or more, or None for no amount",
                )
            )
        if problems:
            raise InputError.from_problems(problems)
        rec = parsed.records[0]
        rec[s.EVENT_ID] = _new_id()
        rec[s.SOURCE] = source
        rec["import_key"] = None
        self._append([rec], [1], file=None, show_rows=False)
        return rec[s.EVENT_ID]

    def retract(
        self,
        event_id: str,
        *,
        date: date,
        recorded_by: str | None = None,
        note: str | None = None,
        source: str = "python",
    ) -> str:
        """Withdraw an event recorded by mistake; return the retraction's ``event_id``.

        The event stays in the table (append-only) but leaves every current
        view, replaced by nothing. `date` is the day of the retraction.

        Examples
        --------
        >>> from datetime import date
        >>> store = OutcomeStore("sqlite://")
        >>> oops = store.record("C2", "renewed", date=date(2026, 3, 2), channel="email")
        >>> _ = store.retract(oops, date=date(2026, 3, 3), note="wrong client")
        >>> len(store.events()), len(store.events(include_superseded=True))
        (0, 2)
        """
        import sqlalchemy as sa

        events = _events()
        with self._transaction(write=False) as conn:
            target = conn.execute(
                sa.select(events.c[s.CLIENT_ID], events.c[s.CHANNEL], events.c[s.CAMPAIGN]).where(
                    events.c[s.EVENT_ID] == event_id
                )
            ).first()
        if target is None:
            raise InputError(
                f"no event {event_id!r} to retract",
                column=s.SUPERSEDES,
                hint="list the events with `reconnect outcome events --config ...` to find its id",
            )
        rec = {
            s.EVENT_ID: _new_id(),
            s.CLIENT_ID: target[0],
            s.DATE: date,
            s.CAMPAIGN: target[2],
            s.CHANNEL: target[1],
            s.KIND: s.RETRACTED,
            s.AMOUNT: None,
            s.REASON: None,
            s.NOTE: note,
            s.RECORDED_BY: recorded_by,
            s.SUPERSEDES: event_id,
            s.SOURCE: source,
            "import_key": None,
        }
        self._append([rec], [1], file=None, show_rows=False)
        return rec[s.EVENT_ID]

    def record_many(
        self,
        frame: pd.DataFrame,
        *,
        as_of: date | None = None,
        client_ids: Collection[str] | None = None,
        source: str = "python",
        file: str | None = None,
        date_format: str | None = None,
        dayfirst: bool = False,
        decimal: str | None = None,
        allow_duplicates: bool = False,
    ) -> ImportResult:
        """Record every row of a frame as an event, all in one transaction, or none.

        Rows recorded before from the same `source` (same content, same position
        among identical rows) are skipped, so recording the same frame twice
        records nothing new. A row with the content of an event recorded from
        another source is never dropped silently: the batch is refused, naming
        those rows, unless `allow_duplicates` records them as events of their
        own. A row without ``event_id`` gets one derived from its content.

        Parameters
        ----------
        frame : pandas.DataFrame
            Columns as :data:`INPUT_COLUMNS` (``client_id``, ``date``, ``kind``,
            ``channel`` required; names matched ignoring case and spaces, with a
            few synonyms such as "Outcome" for ``kind``). Not modified.
        as_of, client_ids
            As in :meth:`record`.
        source, file
            Kept with each event (``"<source> row <n>"``) and used in messages;
            `source` is also what "recorded before from the same source" means.
        date_format, dayfirst, decimal
            How dates and amounts are written, as under ``[data]`` in campaign.toml;
            read by the same parsers as the client list and the transactions.
        allow_duplicates
            Record the rows that match events recorded from another source as
            new events (e.g. two callers who each reached no one that day).

        Returns
        -------
        ImportResult

        Raises
        ------
        InputError
            Every problem of every row at once (column, rows, values, what was
            expected, how to fix it); nothing is written.

        Examples
        --------
        >>> import pandas as pd
        >>> store = OutcomeStore("sqlite://")
        >>> sheet = pd.DataFrame({"Client": ["C1", "C2"], "Date": ["2026-03-02", "2026-03-03"],
        ...                       "Channel": ["phone", "email"], "Outcome": ["no answer", "replied"]})
        >>> print(store.record_many(sheet))
        frame: 2 rows read, 2 recorded, 0 already recorded
        >>> print(store.record_many(sheet))
        frame: 2 rows read, 0 recorded, 2 already recorded
        """
        if not isinstance(frame, pd.DataFrame):
            raise InputError(
                f"cannot record events from a {type(frame).__name__}", expected="a pandas DataFrame"
            )
        return self._record_frame(
            frame,
            as_of=as_of,
            client_ids=client_ids,
            source=source,
            origin=_origin(source),
            file=file,
            date_format=date_format,
            dayfirst=dayfirst,
            decimal=decimal,
            delimiter=None,
            allow_duplicates=allow_duplicates,
        )

    def import_file(
        self,
        path: str | Path,
        *,
        as_of: date | None = None,
        client_ids: Collection[str] | None = None,
        date_format: str | None = None,
        dayfirst: bool = False,
        decimal: str | None = None,
        delimiter: str | None = None,
        encoding: str | None = None,
        sheet: str | int | None = None,
        allow_duplicates: bool = False,
        read: ReadOptions | None = None,
    ) -> ImportResult:
        """Import a staff spreadsheet (CSV, Excel or Parquet) of events, idempotently.

        Read as the loader reads the campaign's files (:func:`reconnect_lib.load.read_table`;
        dates and amounts by the same parsers, with the same options), validated
        row by row, then written in one transaction (see :meth:`record_many`): a
        file with a bad row changes nothing.

        A file is known by its name without the extension (``week-12.csv`` and
        ``week-12.xlsx`` are the same sheet). Importing it again records only
        the rows it did not have before: nothing for the same file, the new rows
        of a longer version. A row with the content of an event imported from
        *another* file (the same client, day, channel, kind and details) is
        never dropped silently: the import is refused, naming those rows, since
        the file may be a renamed copy (nothing to import) or hold separate
        events such as a second call that got no answer. Import it with
        ``allow_duplicates=True`` (``reconnect outcome import --allow-duplicates``)
        to record them as events of their own; importing that file again still
        records nothing twice.

        Parameters
        ----------
        as_of, client_ids
            As in :meth:`record`.
        date_format, dayfirst, decimal, delimiter, encoding, sheet
            How the sheet is written, as under ``[data]`` in campaign.toml.
        allow_duplicates
            Record rows that match events of another file as events of their own.
        read
            Instead of `as_of` and the six options above: a campaign's
            :class:`~reconnect_lib.load.ReadOptions` (``ReadOptions.from_config``),
            so the sheet is read as the campaign's files are.

        Raises
        ------
        InputError
            The file is missing or cannot be read, rows match events of another
            file, or every bad row and column at once.
        ConfigError
            `read` is given with `as_of` or one of the six options.

        Examples
        --------
        >>> store = OutcomeStore("sqlite://")
        >>> store.import_file("outcomes-week-12.xlsx", client_ids=known_ids)  # doctest: +SKIP
        >>> store.import_file("week-12.csv", read=ReadOptions.from_config(cfg, as_of=day))  # doctest: +SKIP
        """
        own = (as_of, date_format, dayfirst, decimal, delimiter, encoding, sheet)
        if read is None:
            read = ReadOptions(
                as_of=as_of,
                date_format=date_format,
                dayfirst=dayfirst,
                decimal=decimal,  # type: ignore[arg-type]
                delimiter=delimiter,
                encoding=encoding,
                sheet=sheet,
            )
        elif own != (None, None, False, None, None, None, None):
            raise ConfigError(
                "import_file was given both read= and read options of its own",
                hint="pass read=ReadOptions(...) alone, or as_of, date_format, ... alone",
            )
        path = Path(path)
        if not path.exists():
            folder = path.parent if path.parent.is_dir() else None
            near = difflib.get_close_matches(
                path.name,
                [p.name for p in folder.iterdir() if p.is_file()] if folder else [],
                n=1,
                cutoff=0.8,
            )
            raise InputError(
                "the file to import was not found",
                file=str(path),
                hint=(f"did you mean {near[0]!r}? " if near else "")
                + "give the path of the sheet of events to import, e.g. "
                "`reconnect outcome import week-12.csv --config campaign.toml` "
                f"(a relative path starts at the current folder, {Path.cwd()})",
            )
        return self._import(
            path, read, client_ids=client_ids, allow_duplicates=allow_duplicates, name="outcomes"
        )

    def _import(
        self,
        path: Path,
        read: ReadOptions,
        *,
        client_ids: Collection[str] | None,
        allow_duplicates: bool,
        name: str,
    ) -> ImportResult:
        decimal, date_format, dayfirst = read.decimal, read.date_format, read.dayfirst
        _check_options(decimal=decimal, delimiter=read.delimiter, date_format=date_format, dayfirst=dayfirst)
        try:
            raw, _notes = _read(
                path,
                name=name,
                delimiter=read.delimiter,
                encoding=read.encoding,
                decimal=decimal,
                sheet=read.sheet,
            )
        except OSError as err:  # e.g. no permission to read it
            raise InputError(
                f"cannot be read: {err.strerror or err}", file=str(path), hint="check the file can be opened"
            ) from err
        source = f"import:{path.name}"
        return self._record_frame(
            raw.frame,
            as_of=read.as_of,
            client_ids=client_ids,
            source=source,
            origin=_origin(source),
            file=str(path),
            date_format=date_format,
            dayfirst=dayfirst,
            decimal=decimal,
            delimiter=raw.delimiter,
            allow_duplicates=allow_duplicates,
        )

    def _record_frame(
        self,
        frame: pd.DataFrame,
        *,
        as_of: date | None,
        client_ids: Collection[str] | None,
        source: str,
        origin: str,
        file: str | None,
        date_format: str | None,
        dayfirst: bool,
        decimal: str | None,
        delimiter: str | None,
        allow_duplicates: bool,
    ) -> ImportResult:
        _check_options(decimal=decimal, date_format=date_format, dayfirst=dayfirst)
        parsed = _parse(
            frame,
            file=file,
            as_of=as_of,
            client_ids=client_ids,
            date_format=date_format,
            dayfirst=dayfirst,
            decimal=decimal,
            delimiter=delimiter,
        )
        if parsed.problems:
            raise InputError.from_problems(parsed.problems, file=file)
        for rec, keys, number in zip(
            parsed.records, _import_keys(parsed.records, origin), parsed.rows, strict=True
        ):
            rec["import_keys"] = keys
            rec[s.SOURCE] = f"{source} row {number}"
        new, skipped, duplicates = self._append(
            parsed.records,
            parsed.rows,
            file=file,
            show_rows=True,
            origin=origin,
            allow_duplicates=allow_duplicates,
        )
        return ImportResult(
            file=file or "frame",
            rows=len(frame),
            recorded=len(new),
            already_recorded=skipped,
            blank=parsed.blank,
            event_ids=tuple(new),
            ignored=parsed.ignored,
            duplicates=duplicates,
        )

    def _append(
        self,
        records: list[dict[str, Any]],
        rows: list[int],
        *,
        file: str | None,
        show_rows: bool,
        origin: str | None = None,
        allow_duplicates: bool = False,
    ) -> tuple[list[str], int, int]:
        """Insert the records not already stored; check the ones that correct others. One transaction.

        A record with ``import_keys`` (its content key, and the same key bound to
        its origin) is skipped when either key is stored from the same origin;
        one whose content key is stored from another origin is refused, or with
        `allow_duplicates` stored under the key bound to its origin. Returns the
        new event ids, the rows skipped and the rows recorded as allowed duplicates.
        """
        import sqlalchemy as sa

        events = _events()
        with self._transaction(write=True) as conn:
            keys = [k for r in records if r.get("import_keys") for k in r["import_keys"]]
            stored_keys: dict[str, str | None] = {}
            for chunk in _chunks(sorted(set(keys))):
                stored_keys.update(
                    (key, src)
                    for key, src in conn.execute(
                        sa.select(events.c.import_key, events.c[s.SOURCE]).where(
                            events.c.import_key.in_(chunk)
                        )
                    )
                )
            bad: dict[str, list[tuple[int, object]]] = defaultdict(list)
            elsewhere: list[tuple[int, str]] = []
            keyed: list[tuple[int, dict[str, Any]]] = []
            skipped = duplicates = 0
            for number, rec in zip(rows, records, strict=True):
                import_keys = rec.pop("import_keys", None)
                if import_keys is not None:
                    content_key, own_key = import_keys
                    if own_key in stored_keys:
                        skipped += 1
                        continue
                    if content_key in stored_keys:
                        other = stored_keys[content_key]
                        # An event_id given in the file names the event: it is the same one.
                        if rec[s.EVENT_ID] is not None or _origin(other) == origin:
                            skipped += 1
                            continue
                        if not allow_duplicates:
                            elsewhere.append((number, other or ""))
                            continue
                        rec["import_key"] = own_key
                        duplicates += 1
                    else:
                        rec["import_key"] = content_key
                    rec[s.EVENT_ID] = rec[s.EVENT_ID] or "ev-" + rec["import_key"][:16]
                keyed.append((number, rec))
            ids = [r[s.EVENT_ID] for _, r in keyed]
            stored_ids = self._existing(conn, events.c[s.EVENT_ID], ids)
            fresh: list[tuple[int, dict[str, Any]]] = []
            for number, rec in keyed:
                if rec[s.EVENT_ID] in stored_ids:
                    bad["conflict"].append((number, rec[s.EVENT_ID]))
                else:
                    fresh.append((number, rec))
            targets = [r[s.SUPERSEDES] for _, r in fresh if r[s.SUPERSEDES] is not None]
            present = self._existing(conn, events.c[s.EVENT_ID], targets) | {r[s.EVENT_ID] for _, r in fresh}
            corrected = self._existing(conn, events.c[s.SUPERSEDES], targets)
            for number, rec in fresh:
                target = rec[s.SUPERSEDES]
                if target is None:
                    continue
                if target not in present:
                    bad["no_target"].append((number, target))
                elif target in corrected:
                    bad["corrected"].append((number, target))
            problems = [_store_problem(code, found, file, show_rows) for code, found in bad.items()]
            if elsewhere:
                problems.insert(0, _elsewhere_problem(elsewhere, file, show_rows))
            if problems:
                raise InputError.from_problems(problems, file=file)
            if fresh:
                conn.execute(
                    sa.insert(events), [{c.name: rec.get(c.name) for c in _written()} for _, rec in fresh]
                )
        return [rec[s.EVENT_ID] for _, rec in fresh], skipped, duplicates

    @staticmethod
    def _existing(conn: Connection, column: sa.Column, values: Sequence[str]) -> set[str]:
        import sqlalchemy as sa

        found: set[str] = set()
        for chunk in _chunks(sorted(set(values))):
            found.update(conn.execute(sa.select(column).where(column.in_(chunk))).scalars())
        return found

    # -- the campaign's history file --

    def _synced_before(self, fingerprint: str, path: Path) -> ImportResult | None:
        """What importing the history file gives when this very import already ran: every row
        already recorded (an import adds only rows the store lacks, and it never loses one)."""
        import sqlalchemy as sa

        synced = _synced()
        with self._transaction(write=False) as conn:
            found = conn.execute(
                sa.select(synced.c.result).where(synced.c.fingerprint == fingerprint)
            ).scalar_one_or_none()
        if found is None:
            return None
        done = json.loads(found)
        return ImportResult(
            file=str(path),
            rows=done["rows"],
            recorded=0,
            already_recorded=done["records"],
            blank=done["blank"],
            ignored=tuple(done["ignored"]),
        )

    def _remember_sync(self, fingerprint: str, path: Path, result: ImportResult) -> None:
        import sqlalchemy as sa

        synced = _synced()
        done = {
            "rows": result.rows,
            "records": result.recorded + result.already_recorded,
            "blank": result.blank,
            "ignored": list(result.ignored),
        }
        with self._transaction(write=True) as conn:
            known = conn.execute(sa.select(synced.c.fingerprint).where(synced.c.fingerprint == fingerprint))
            if known.first() is None:
                conn.execute(
                    sa.insert(synced),
                    {"fingerprint": fingerprint, s.SOURCE: f"import:{path.name}", "result": json.dumps(done)},
                )

    # -- reading --

    def events(
        self,
        as_of: date | None = None,
        *,
        include_superseded: bool = False,
        client_id: str | None = None,
    ) -> pd.DataFrame:
        """The events, oldest first (by date, then by when they were recorded).

        Parameters
        ----------
        as_of : date, optional
            Only events dated on or before it.
        include_superseded : bool
            Also the events later corrections replaced, and the retractions
            themselves: the whole table, as recorded. By default only current
            events: corrections stand in for what they correct, whatever the
            correction's own date.
        client_id : str, optional
            Only this client's events.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`EVENT_COLUMNS` with dtypes :data:`EVENT_DTYPES`
            (text as ``string``, ``date`` as ``datetime64[ns]``, ``amount`` as
            ``float64``, ``recorded_at`` in UTC) and a fresh RangeIndex.
        """
        import sqlalchemy as sa

        events = _events()
        query = sa.select(*(events.c[c] for c in EVENT_COLUMNS)).order_by(events.c[s.DATE], events.c.seq)
        if as_of is not None:
            query = query.where(events.c[s.DATE] <= _as_date(as_of))
        if client_id is not None:
            query = query.where(events.c[s.CLIENT_ID] == str(client_id))
        if not include_superseded:
            later = events.alias("later")
            query = query.where(
                events.c[s.KIND] != s.RETRACTED,
                ~sa.exists().where(later.c[s.SUPERSEDES] == events.c[s.EVENT_ID]),
            )
        with self._transaction(write=False) as conn:
            rows = conn.execute(query).all()
        return _events_frame(rows)

    def count(self) -> int:
        """Rows in the table, superseded ones included: it only ever grows."""
        import sqlalchemy as sa

        with self._transaction(write=False) as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(_events())).scalar_one())


def _store_problem(code: str, found: list[tuple[int, object]], file: str | None, show_rows: bool) -> Problem:
    message, column, expected, hint = {
        "conflict": (
            "event_id already recorded with different content",
            s.EVENT_ID,
            "a new event_id for a new event",
            "the log is append-only: to correct an event, record a new one (new event_id) "
            "with supersedes = the old event_id",
        ),
        "no_target": (
            "supersedes an event that is not in the log",
            s.SUPERSEDES,
            "the event_id of a recorded event",
            "list the events with `reconnect outcome events --config ...` to find the id",
        ),
        "corrected": (
            "supersedes an event that was already corrected",
            s.SUPERSEDES,
            "an event not yet superseded",
            "to correct a correction, supersede the correction",
        ),
    }[code]
    return Problem(
        message,
        file=file,
        column=column,
        rows=[n for n, _ in found] if show_rows else (),
        values=[v for _, v in found],
        expected=expected,
        hint=hint,
    )


def _reason(err: SQLAlchemyError) -> str:
    orig = getattr(err, "orig", None)
    text = str(orig if orig is not None else err).strip().splitlines()
    return text[0] if text else type(err).__name__


def _as_date(value: object) -> date:
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    raise InputError(f"as_of = {value!r} is not a date", expected="a datetime.date")


def store_exists(url: str | sa.URL) -> bool:
    """Whether a store may already hold events: False only for a SQLite file not yet created.

    Read-only callers check this first, so that looking never creates a database file.

    Examples
    --------
    >>> store_exists("sqlite:////no/such/outcomes.sqlite"), store_exists("postgresql://host/db")
    (False, True)
    """
    plain = _PLAIN_SQLITE_FILE.fullmatch(url) if isinstance(url, str) else None
    if plain is not None:  # the usual campaign.toml URL: decided without importing SQLAlchemy
        database: str | None = plain.group(1)
    else:
        parsed = _engine_url(url)
        if parsed.get_backend_name() != "sqlite":
            return True
        database = parsed.database
    return database not in (None, "", ":memory:") and Path(database).exists()


# A SQLite file URL whose path SQLAlchemy takes as written: no query, no %-escapes, no control characters.
_PLAIN_SQLITE_FILE = re.compile(r"sqlite:///([^?%\x00-\x1f\x7f]+)")


def empty_events() -> pd.DataFrame:
    """An events frame with no events: the columns and dtypes of :meth:`OutcomeStore.events`."""
    return _events_frame([])


def _events_frame(rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in EVENT_COLUMNS]
    data: dict[str, Any] = {}
    for name, values in zip(EVENT_COLUMNS, columns, strict=True):
        if name == s.RECORDED_AT:
            data[name] = pd.to_datetime(pd.Series(list(values), dtype=object), utc=True).astype(
                EVENT_DTYPES[name]
            )
        elif name == s.DATE:
            data[name] = pd.to_datetime(pd.Series(list(values), dtype=object)).astype(EVENT_DTYPES[name])
        else:
            data[name] = pd.Series(list(values), dtype=object).astype(EVENT_DTYPES[name])
    return pd.DataFrame(data)


def _sqlite_transactions(engine: Engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, start transactions (SQLAlchemy's documented recipe).

    Every connection waits up to 60 s for a lock, uses WAL (readers do not block
    the writer) and enforces foreign keys; a write transaction starts with
    ``BEGIN IMMEDIATE`` so it takes the write lock up front, instead of failing
    when it tries to upgrade a read lock another writer also holds.
    """
    from sqlalchemy import event as sa_event

    @sa_event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 60000")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @sa_event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get('sqlite_begin', 'DEFERRED')}")


# --- the campaign's history ---------------------------------------------------------


def configured_client_ids(config: CampaignConfig, read: ReadOptions) -> set[str]:
    """The client ids of a campaign's client list (to check events name known clients),
    read with the campaign's options (``ReadOptions.from_config(config, as_of=...)``)."""
    clients = load_table("clients", config.data.clients, read)
    return set(clients[s.CLIENT_ID].astype(str))


def sync_configured_history(
    config: CampaignConfig,
    *,
    as_of: date,
    store: OutcomeStore | None = None,
    client_ids: Collection[str] | None = None,
) -> ImportResult | None:
    """Bring the history file of ``[data] outcomes`` into the campaign's store, idempotently.

    Rows already in the store are skipped, so this runs before every summary
    and a fresh clone's sample database fills itself on first use.

    Parameters
    ----------
    config : CampaignConfig
    as_of : date
        Events dated after it are refused.
    store : OutcomeStore, optional
        Default: the store of ``[outcomes] database`` (opened and closed here).
    client_ids : collection of str, optional
        Known client ids; read from the client list when omitted.

    Returns
    -------
    ImportResult or None
        None when the campaign names no history file.
    """
    path = config.data.outcomes
    if path is None:
        return None
    read = ReadOptions.from_config(config, as_of=as_of)
    if client_ids is None:
        client_ids = configured_client_ids(config, read)
    own = store is None
    target = OutcomeStore.from_config(config) if store is None else store
    try:
        fingerprint = _sync_fingerprint(Path(path), read, client_ids)
        if fingerprint is not None and (done := target._synced_before(fingerprint, Path(path))) is not None:
            return done
        # Read as a table of the campaign: a missing file points at `outcomes` under [data].
        result = target._import(
            Path(path), read, client_ids=client_ids, allow_duplicates=False, name="outcomes"
        )
        if fingerprint is not None:
            target._remember_sync(fingerprint, Path(path), result)
        return result
    finally:
        if own:
            target.close()


def _sync_fingerprint(path: Path, read: ReadOptions, client_ids: Collection[str]) -> str | None:
    """What an import of the history file depends on, hashed: its bytes and name, how it is read,
    the as-of date, the known clients and the library's version (None when it cannot be read;
    the import then reports why)."""
    from . import __version__

    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    how = (
        __version__,
        path.name,
        read.as_of,
        read.decimal,
        read.date_format,
        read.dayfirst,
        read.delimiter,
        read.encoding,
        read.sheet,
    )
    digest.update(repr(how).encode())
    for client_id in sorted(map(str, client_ids)):
        digest.update(b"\x00" + client_id.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
