"""Loading one table (read, map, parse, validate) and the public loaders built on it."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from .. import schema as s
from ..column_maps import (
    TABLE_COLUMNS,
    ColumnMap,
    Source,
    Table,
    apply_map,
    get_map,
)
from ..config import CampaignConfig
from ..errors import ConfigError, InputError, Problem, ReconnectError
from ..options import DecimalMark
from .cells import (
    _AMOUNT_COLUMNS,
    _BOOL_EXPECTED,
    _DATE_COLUMNS,
    _ID_COLUMNS,
    _TEXT_COLUMNS,
    MAX_AMOUNT,
    _blank_mask,
    _check_options,
    _Cleaned,
    _Options,
    _parse_amounts,
    _parse_bools,
    _parse_channels,
    _parse_dates,
    _typed,
)
from .read import SourceLike, _plural, _read
from .read_options import ReadOptions
from .validate import (
    _amount_checks,
    _Check,
    _Checked,
    _Context,
    _date_checks,
    _unknown_ids_hint,
    _validate,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TableReport:
    """What happened to one table on the way in.

    ``set_aside`` pairs a reason with a row count; ``columns`` pairs each
    canonical column with the file column(s) it was read from.
    """

    table: str
    file: str
    read_as: str
    rows_read: int
    rows_kept: int
    set_aside: tuple[tuple[str, int], ...] = ()
    columns: tuple[tuple[str, str], ...] = ()
    ignored: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line, plus one indented line per note."""
        text = f"{Path(self.file).name}: {self.rows_read:,} rows read, {self.rows_kept:,} kept"
        if self.set_aside:
            text += "; set aside: " + ", ".join(f"{n:,} {reason}" for reason, n in self.set_aside)
        return "\n".join([text, *(f"  {note}" for note in self.notes)])

    def details(self) -> str:
        """The summary plus how the file was read and which column fed which."""
        lines = [self.summary(), f"  read as {self.read_as} ({self.table})"]
        lines += [f"  {canonical} <- {label}" for canonical, label in self.columns]
        if self.ignored:
            lines.append("  not used: " + ", ".join(self.ignored))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


@dataclass(frozen=True)
class LoadReport:
    """Per table: rows read, rows kept, rows set aside and why.

    Examples
    --------
    >>> r = LoadReport((TableReport("clients", "data/clients.csv", "CSV", 532, 530, (("blank", 2),)),))
    >>> print(r)
    clients.csv: 532 rows read, 530 kept; set aside: 2 blank
    """

    tables: tuple[TableReport, ...] = ()

    def __getitem__(self, table: str) -> TableReport:
        for t in self.tables:
            if t.table == table:
                return t
        raise KeyError(table)

    def __contains__(self, table: object) -> bool:
        return any(t.table == table for t in self.tables)

    def summary(self) -> str:
        """A short human-readable text, one block per table."""
        return "\n".join(t.summary() for t in self.tables)

    def details(self) -> str:
        """The summary with the column mapping of every table."""
        return "\n".join(t.details() for t in self.tables)

    def to_frame(self) -> pd.DataFrame:
        """One row per table: table, file, rows_read, rows_kept, rows_set_aside."""
        return pd.DataFrame(
            {
                "table": [t.table for t in self.tables],
                "file": [t.file for t in self.tables],
                "rows_read": [t.rows_read for t in self.tables],
                "rows_kept": [t.rows_kept for t in self.tables],
                "rows_set_aside": [sum(n for _, n in t.set_aside) for t in self.tables],
            }
        )

    def __str__(self) -> str:
        return self.summary()


@dataclass(frozen=True, eq=False)
class Inputs:
    """Everything :func:`load_inputs` read: canonical frames and the load report."""

    clients: pd.DataFrame
    transactions: pd.DataFrame | None
    contacts: pd.DataFrame | None
    report: LoadReport


@dataclass
class _Loaded:
    frame: pd.DataFrame | None
    report: TableReport | None
    problems: list[Problem]
    ids: pd.Series | None = None  # cleaned client ids, even if other columns failed
    file: str | None = None
    cleaned_ids: _Cleaned | None = None  # the same ids, as codes into their distinct values


def _as_of(as_of: object) -> pd.Timestamp:
    if as_of is None:
        raise ConfigError(
            "as_of is required", hint="pass as_of=date(...) or set [campaign] as_of in campaign.toml"
        )
    try:
        stamp = pd.Timestamp(as_of)  # type: ignore[arg-type]
    except (TypeError, ValueError) as err:
        raise ConfigError(f"as_of = {as_of!r} is not a date", expected="a datetime.date") from err
    if pd.isna(stamp):
        raise ConfigError("as_of is required", hint="pass as_of=date(...)")
    return (stamp.tz_localize(None) if stamp.tzinfo else stamp).normalize()


def _load_table(
    table: Table,
    source: SourceLike,
    read: ReadOptions,
    *,
    client_ids: Iterable[object] | None = None,
    clients_file: str | None = None,
    cleaned_client_ids: _Cleaned | None = None,
) -> _Loaded:
    """Read, map, parse and validate one table; problems are returned, not raised.

    ``cleaned_client_ids``, when given, is ``client_ids`` already cleaned (the client
    list's :attr:`_Loaded.cleaned_ids`), so they are not cleaned again.
    """
    decimal = read.decimal
    _check_options(
        decimal=decimal, delimiter=read.delimiter, date_format=read.date_format, dayfirst=read.dayfirst
    )
    stamp = _as_of(read.as_of)
    named = read.column_map if isinstance(read.column_map, ColumnMap) else get_map(read.column_map)
    try:
        raw, notes = _read(
            source,
            name=table,
            delimiter=read.delimiter,
            encoding=read.encoding,
            decimal=decimal,
            sheet=read.sheet,
            arrow=True,
        )
    except InputError as err:
        return _Loaded(None, None, _problems_of(err), file=err.file)
    file = raw.file
    frame = raw.frame
    rows_read = len(frame)

    raw_blank = {c: _blank_mask(frame[c]) for c in frame.columns}
    blank_rows = pd.DataFrame(raw_blank).all(axis=1)
    if frame.columns.empty:
        blank_rows = pd.Series(True, index=frame.index)
    set_aside: Counter[str] = Counter()
    if blank_rows.any():
        set_aside["blank"] = int(blank_rows.sum())
        frame = frame[~blank_rows]

    mapped = apply_map(frame, table, named, read.columns.get(table))
    problems = [
        Problem(p.message, file=file, column=p.column, expected=p.expected, hint=p.hint)
        for p in mapped.problems
    ]
    keep = mapped.exclude.isna()
    for reason, n in mapped.exclude[~keep].value_counts(sort=False).items():
        set_aside[f"with {reason}"] = int(n)
    data = mapped.frame if keep.all() else mapped.frame[keep]
    refund = mapped.refund[keep]
    # (len: a frame with no mapped column is `empty` however many rows it has.)
    if table == "clients" and len(data) == 0 and not mapped.problems:
        problems.append(
            Problem(
                "the client list has no clients "
                + ("(no data rows below the header)" if len(frame) == 0 else "(every row was set aside)"),
                file=file,
                hint="check the file, and [data] sheet for a workbook, point at the client list",
            )
        )

    opts = _Options(stamp, read.date_format, read.dayfirst, decimal, raw.delimiter)
    ctx = _Context(table, file, mapped, opts, named.name, clients_file)

    # Clean every value into what the checks and the output see; blanks become None.
    checked = _Checked(data.index, {})
    cleaned_ids: dict[str, _Cleaned] = {}
    parsed: dict[str, pd.Series] = {}
    checks: list[_Check] = []
    for col in data.columns:
        canonical = col.split("[")[0]
        column = data[col]
        values = _typed(column, canonical)
        if canonical in _ID_COLUMNS:
            # _as_id of every value; client ids are encoded for the unknown-client lookup below
            # (a history's) and for the distinct ids that lookup reads (the client list's)
            cleaned = cleaned_ids[col] = _Cleaned.of(values, lookup=canonical == s.CLIENT_ID)
            checked.cells[col] = (cleaned, None)
            parsed[col] = cleaned.strings()
            continue
        source = mapped.sources.get(col)
        if source is not None and source.kind == "column" and not source.fallback and values is column:
            # The file's column as read: its blanks were found when looking for blank rows.
            blank = raw_blank[source.columns[0]]
            blank = blank if blank.index.equals(values.index) else blank.loc[values.index]
        else:
            blank = _blank_mask(values)
        checked.cells[col] = (values, blank)
        if canonical in _TEXT_COLUMNS:
            parsed[col] = _Cleaned.of(values).strings()
            continue
        if canonical in _DATE_COLUMNS:
            dates = _parse_dates(values, opts, blank)
            parsed[col] = dates.parsed
            checks += _date_checks(ctx, col, dates, values)
        elif canonical in _AMOUNT_COLUMNS:
            amounts = _parse_amounts(values, opts, blank)
            parsed[col] = amounts.parsed
            checks += _amount_checks(ctx, col, amounts, values)
            if amounts.decimal == "," and decimal is None:
                notes.append(f"{ctx.label(col)}: read with a decimal comma (e.g. 1.234,56)")
        elif canonical == s.DO_NOT_CONTACT:
            flags, bad = _parse_bools(values)
            parsed[col] = flags
            checks.append(
                _Check(
                    "not_yes_no",
                    col,
                    bad,
                    f"not a yes/no value{ctx.read_as(col)}",
                    _BOOL_EXPECTED,
                    "correct these cells, or map another column under "
                    f'[data.columns.{table}]: do_not_contact = "..."',
                )
            )
        elif canonical == s.CHANNEL:
            channels, others = _parse_channels(values)
            parsed[col] = channels
            if others:
                listed = ", ".join(f"{v!r} ({n})" for v, n in others.most_common(5))
                more = len(others) - 5
                notes.append(
                    f"{_plural(sum(others.values()), 'channel value')} read as 'other': {listed}"
                    + (f" and {more} more" if more > 0 else "")
                )

    # Referential integrity: every history row must name a known client.
    if client_ids is not None and s.CLIENT_ID in checked:
        if cleaned_client_ids is not None:
            known_ids = cleaned_client_ids
        else:
            given = (
                client_ids if isinstance(client_ids, pd.Series) else pd.Series(list(client_ids), dtype=object)
            )
            known_ids = _Cleaned.of(given)  # _as_id of every known id, once per distinct value
        # Looked up by pyarrow's hash of the known ids (once per distinct id when cleaned as codes).
        unknown = pd.Series(cleaned_ids[s.CLIENT_ID].outside(known_ids), index=data.index)
        where = Path(clients_file).name if clients_file else "the client list"
        if unknown.any():
            ids = checked[s.CLIENT_ID]
            known = {i for i in known_ids.objects() if i is not None}
            hint = _unknown_ids_hint(ids[unknown].unique(), known, clients_file)
        else:
            hint = None  # no row fails the check, so no message is worded
        checks.append(
            _Check(
                "unknown_client",
                s.CLIENT_ID,
                unknown.astype(bool),
                f"client not in {where}{ctx.read_as(s.CLIENT_ID)}",
                f"client ids that appear in {where}",
                hint,
            )
        )

    # A product of parts (quantity x unit price) is bounded as each amount is.
    for canonical in _AMOUNT_COLUMNS:
        first, second = f"{canonical}[0]", f"{canonical}[1]"
        if first in parsed and second in parsed:
            product = (parsed[first] * parsed[second]).abs()
            limit = f"{MAX_AMOUNT:,.0f}"
            checks.append(
                _Check(
                    "product_too_large",
                    first,
                    (product > MAX_AMOUNT).fillna(False).astype(bool),
                    f"{ctx.label(first)} x {ctx.label(second)} is too large to be real",
                    f"amounts between -{limit} and {limit}",
                    "correct these cells: one of the two is probably in the wrong column",
                )
            )
    problems += _validate(checked, ctx, checks)
    ids = parsed.get(s.CLIENT_ID)
    if problems:
        return _Loaded(None, None, problems, ids=ids, file=file, cleaned_ids=cleaned_ids.get(s.CLIENT_ID))

    out = _assemble(table, parsed, data.index)
    if refund.any() and s.AMOUNT in out:
        out.loc[refund.to_numpy(), s.AMOUNT] = -out.loc[refund.to_numpy(), s.AMOUNT].abs()
        notes.append(
            f"{_plural(int(refund.sum()), 'row')} marked as a refund or credit note: amount made negative"
        )
    amount_source: Source | None = mapped.sources.get(s.AMOUNT)
    if amount_source is not None and amount_source.per_invoice:
        if s.INVOICE_ID in parsed:
            key = [s.CLIENT_ID, s.INVOICE_ID, s.DATE, s.AMOUNT]
            repeat = out.duplicated(subset=key) & out[s.INVOICE_ID].notna().to_numpy()
            if repeat.any():
                set_aside["repeating the total of an invoice already counted (one row per line item)"] = int(
                    repeat.sum()
                )
                out = out[~repeat.to_numpy()]
        else:
            notes.append(
                f"{amount_source.label} is an invoice total but there is no invoice number: "
                "every row was counted, so invoices with several lines count more than once"
            )
    out = out.reset_index(drop=True)

    report = TableReport(
        table=table,
        file=file,
        read_as=raw.read_as,
        rows_read=rows_read,
        rows_kept=len(out),
        set_aside=tuple(set_aside.items()),
        columns=tuple((c, src.label) for c, src in mapped.sources.items()),
        ignored=mapped.ignored,
        notes=tuple(notes),
    )
    log.info("%s", report.summary())
    # The kept rows are the parsed rows (only history rows are set aside after parsing).
    cleaned = cleaned_ids.get(s.CLIENT_ID) if len(out) == len(data) else None
    return _Loaded(out, report, [], ids=out[s.CLIENT_ID], file=file, cleaned_ids=cleaned)


def _assemble(table: str, parsed: Mapping[str, pd.Series], index: pd.Index) -> pd.DataFrame:
    out: dict[str, pd.Series] = {}
    for col in TABLE_COLUMNS[table]:
        if col in parsed:
            out[col] = parsed[col]
        elif f"{col}[0]" in parsed:  # product of parts, e.g. quantity x unit amount
            out[col] = parsed[f"{col}[0]"] * parsed[f"{col}[1]"]
        elif col == s.DO_NOT_CONTACT:
            out[col] = pd.Series(False, index=index, dtype="bool")
        elif col == s.CHANNEL:
            out[col] = pd.Series("other", index=index, dtype="string")
        else:
            dtype = s.INPUT_DTYPES[col]
            out[col] = pd.Series(pd.NA if dtype == "string" else np.nan, index=index, dtype=dtype)
    frame = pd.DataFrame(out, index=index)
    return frame.astype({c: s.INPUT_DTYPES[c] for c in frame.columns})


def _problems_of(err: ReconnectError) -> list[Problem]:
    if err.problems:
        return list(err.problems)
    return [
        Problem(
            err.message,
            file=err.file,
            column=err.column,
            rows=err.rows,
            values=err.values,
            expected=err.expected,
            hint=err.hint,
        )
    ]


def _raise(loaded: _Loaded) -> pd.DataFrame:
    if loaded.problems or loaded.frame is None:
        raise InputError.from_problems(loaded.problems, file=loaded.file)
    return loaded.frame


# --- public loaders -------------------------------------------------------------------


def load_clients(
    source: SourceLike,
    *,
    as_of: date,
    column_map: str = "generic",
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    dayfirst: bool = False,
    decimal: DecimalMark | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Load and validate a client list: one row per client.

    Parameters
    ----------
    source
        A file path (CSV, Excel, Parquet) or a DataFrame (copied, never modified).
    as_of
        The date the campaign looks from; a date after it is an error.
    column_map
        A shipped map (``generic``, ``hubspot``, ``xero``; see
        :func:`reconnect_lib.column_maps.available_maps`) or a path to a ``.toml`` map.
    columns
        Your own mapping on top of it, ``{"client_id": "Kundennummer"}``.
    date_format
        strftime format of non-ISO dates, e.g. ``"%d/%m/%Y"``; ISO dates are
        always read.
    dayfirst
        Read ``31/01/2024``, ``31.1.24`` style dates (day, month, year) when no
        ``date_format`` is given.
    decimal
        ``"."`` or ``","``; detected per column when ``None``.
    delimiter, encoding, sheet
        How to read the file; see :func:`read_table`.

    Returns
    -------
    pandas.DataFrame
        Every column of the clients table in :data:`CLIENTS_SCHEMA` (client_id,
        name, company, email, phone, address_line1, address_line2, city,
        region, postcode, country, account_owner, client_since, do_not_contact,
        last_contact, last_purchase, total_revenue), canonical dtypes.

    Raises
    ------
    InputError
        Listing every problem: missing columns, duplicate or blank ids,
        unparseable dates or amounts, dates after ``as_of``, ...

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"Client No": ["A1", "A2"], "Revenue": ["1.234,50", "80"]})
    >>> load_clients(raw, as_of=date(2025, 1, 1))["total_revenue"].tolist()
    [1234.5, 80.0]
    """
    read = ReadOptions(
        as_of=as_of,
        column_map=column_map,
        columns={} if columns is None else {"clients": columns},
        date_format=date_format,
        dayfirst=dayfirst,
        decimal=decimal,
        delimiter=delimiter,
        encoding=encoding,
        sheet=sheet,
    )
    return load_table("clients", source, read)


def load_transactions(
    source: SourceLike,
    *,
    as_of: date,
    client_ids: pd.Series | None = None,
    column_map: str = "generic",
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    dayfirst: bool = False,
    decimal: DecimalMark | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Load and validate a transaction history: one row per sale or refund.

    Parameters
    ----------
    source, as_of, column_map, columns, date_format, dayfirst, decimal, delimiter, encoding, sheet
        As for :func:`load_clients`.
    client_ids
        The known client ids (e.g. ``clients["client_id"]``); a row naming any
        other client is an error. Not checked when ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns client_id, date, amount (refunds negative), invoice_id
        (:data:`TRANSACTIONS_SCHEMA`), in file order. Rows set aside (blank rows,
        voided invoices, repeated invoice lines) are not in it.

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"Customer ID": ["A1"], "Invoice Date": ["2024-05-01"], "Total": ["-20.00"]})
    >>> load_transactions(raw, as_of=date(2025, 1, 1)).loc[0, "amount"]
    np.float64(-20.0)
    """
    read = ReadOptions(
        as_of=as_of,
        column_map=column_map,
        columns={} if columns is None else {"transactions": columns},
        date_format=date_format,
        dayfirst=dayfirst,
        decimal=decimal,
        delimiter=delimiter,
        encoding=encoding,
        sheet=sheet,
    )
    return load_table("transactions", source, read, client_ids=client_ids)


def load_contacts(
    source: SourceLike,
    *,
    as_of: date,
    client_ids: pd.Series | None = None,
    column_map: str = "generic",
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    dayfirst: bool = False,
    decimal: DecimalMark | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Load and validate a contact history: one row per letter, call, email, visit or gift.

    Channel values are read case-insensitively with their common synonyms
    (call → phone, mail/post → letter, e-mail → email, meeting → visit, ...;
    see :data:`CHANNEL_SYNONYMS`). Any other value, a blank cell, or a file
    without a channel column, is read as ``"other"`` and counted in the load
    report: an unrecognised channel is still a contact, so it still ends the
    client's silence.

    Parameters
    ----------
    source, as_of, client_ids, column_map, columns, date_format, dayfirst, decimal, delimiter, encoding, sheet
        As for :func:`load_transactions`.

    Returns
    -------
    pandas.DataFrame
        Columns client_id, date, channel (:data:`CONTACTS_SCHEMA`).

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"client_id": ["A1", "A1"], "date": ["2024-05-01"] * 2, "Type": ["Call", "Post"]})
    >>> load_contacts(raw, as_of=date(2025, 1, 1))["channel"].tolist()
    ['phone', 'letter']
    """
    read = ReadOptions(
        as_of=as_of,
        column_map=column_map,
        columns={} if columns is None else {"contacts": columns},
        date_format=date_format,
        dayfirst=dayfirst,
        decimal=decimal,
        delimiter=delimiter,
        encoding=encoding,
        sheet=sheet,
    )
    return load_table("contacts", source, read, client_ids=client_ids)


def load_table(
    table: Table, source: SourceLike, read: ReadOptions, *, client_ids: pd.Series | None = None
) -> pd.DataFrame:
    """Load and validate one table (``"clients"``, ``"transactions"`` or ``"contacts"``)
    with the options a campaign reads its files with.

    :func:`load_clients`, :func:`load_transactions` and :func:`load_contacts`
    are this, with the options as keywords.

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> read = ReadOptions(as_of=date(2025, 1, 1), decimal=",")
    >>> raw = pd.DataFrame({"client_id": ["A1"], "date": ["2024-05-01"], "amount": ["12,50"]})
    >>> load_table("transactions", raw, read).loc[0, "amount"]
    np.float64(12.5)
    """
    return _raise(_load_table(table, source, read, client_ids=client_ids))


def load_inputs(config: CampaignConfig, *, as_of: date) -> Inputs:
    """Load every file campaign.toml names, check them against each other, and report.

    Reads ``[data] clients`` and, when given, ``transactions`` and ``contacts``
    with the options of ``[data]`` (``column_map``, ``columns.<table>``,
    ``date_format``, ``dayfirst``, ``decimal``, ``delimiter``, ``encoding``,
    ``sheet``), checks every history row names a known client, and checks
    dormancy can be measured (a last-contact/last-purchase column or a history).

    Raises
    ------
    InputError
        One error listing every problem in every file.
    ConfigError
        If ``column_map`` or an option is not valid.

    Examples
    --------
    >>> from datetime import date
    >>> from reconnect_lib.config import load_config
    >>> inputs = load_inputs(load_config("campaign.toml"), as_of=date(2026, 11, 23))  # doctest: +SKIP
    >>> print(inputs.report)  # doctest: +SKIP
    clients.csv: 532 rows read, 532 kept
    transactions.csv: 4,211 rows read, 4,211 kept
    """
    data = config.data
    read = ReadOptions.from_config(config, as_of=as_of)
    clients = _load_table("clients", data.clients, read)
    histories: dict[str, _Loaded | None] = {}
    for table, path in (("transactions", data.transactions), ("contacts", data.contacts)):
        histories[table] = (
            None
            if path is None
            else _load_table(
                table,  # type: ignore[arg-type]
                path,
                read,
                client_ids=clients.ids,
                clients_file=clients.file,
                cleaned_client_ids=clients.cleaned_ids,
            )
        )
    loaded = [clients, *(h for h in histories.values() if h is not None)]
    problems = [p for part in loaded for p in part.problems]
    if clients.frame is not None and all(h is None for h in histories.values()):
        summary = clients.frame[[s.LAST_CONTACT, s.LAST_PURCHASE]]
        if summary.isna().all().all():
            problems.append(
                Problem(
                    "no way to tell how long clients have been dormant: no last_contact or last_purchase "
                    "dates, and no transaction or contact history",
                    file=clients.file,
                    expected="a last-contact or last-purchase column in the client list, or a history file",
                    hint='add transactions = "..." or contacts = "..." under [data] in campaign.toml, or map '
                    'the date column under [data.columns.clients], e.g. last_contact = "Last Contacted"',
                )
            )
    if problems:
        files = {p.file for p in problems}
        raise InputError.from_problems(problems, file=files.pop() if len(files) == 1 else None)
    report = LoadReport(tuple(part.report for part in loaded if part.report is not None))
    tx, ct = histories["transactions"], histories["contacts"]
    return Inputs(
        clients=_raise(clients),
        transactions=tx.frame if tx is not None else None,
        contacts=ct.frame if ct is not None else None,
        report=report,
    )
