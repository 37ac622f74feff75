"""Reading the campaign's files with Polars, DuckDB or Spark, checked by aggregate queries."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from .. import schema as s
from ..column_maps import (
    REQUIRED_COLUMNS,
    TABLE_COLUMNS,
    ColumnMap,
    Table,
    _layers,
    apply_map,
)
from ..config import CampaignConfig
from ..errors import InputError, Problem
from .cells import (
    _AMOUNT_COLUMNS,
    _DATE_COLUMNS,
    _ID_COLUMNS,
    _TEXT_COLUMNS,
    _TRUE,
    EARLIEST,
)
from .read import _describe_delimiter
from .read_options import ReadOptions
from .scan_checks import (
    _blank_text,
    _CsvLayout,
    _examples,
    _needs_pandas,
    _PandasReads,
    _parquet_check_types,
    _raw_checks,
    _scan_channel,
    _scan_layout,
    _scan_text,
    _strip,
    _yes_no,
)
from .tables import Inputs, LoadReport, TableReport, _load_table, load_inputs
from .validate import _EARLY_DATE_HINT, _LATE_DATE_HINT, _Context, _missing_column_problem, _unknown_ids_hint

log = logging.getLogger(__name__)

#: What a table read by Polars, DuckDB or Spark is checked for, by aggregate queries
#: over the whole table (see :func:`scan_inputs`).
SCAN_CHECKS = (
    "every column the table needs is there (by the column map), with a usable type",
    "dates read as text are ISO days the calendar has (no 2024-02-31, no month 13)",
    "no blank client id; no client id twice in the client list",
    "no blank date or amount in a history; no date after as_of or before 1900",
    "every history row names a client of the client list",
)


def _scan_table(
    table: Table,
    path: Path,
    *,
    engine: str,
    read: ReadOptions,
    column_map: ColumnMap,
    as_of: date,
    spark: Any,
    connection: Any,
    names: list[str],
    layout: _CsvLayout | None,
    clients: Any = None,
    clients_file: str | None = None,
) -> tuple[Any, TableReport | None, list[Problem]]:
    """Read one table with `engine`, renamed and typed lazily, and check it with aggregate queries.

    Raises :class:`_PandasReads` when the pandas loader must read it instead (see
    :func:`_raw_checks`), and whatever the engine raises when it cannot read the file.
    """
    import narwhals as nw

    from .. import _frames as fr
    from ..engines import file_kind, from_arrow, materialize, scan

    kind = file_kind(path)
    file = str(path)
    columns = read.columns.get(table)
    mapped = apply_map(pd.DataFrame(columns=names), table, column_map, columns)
    ctx = _Context(table, file, mapped, None, column_map.name)  # type: ignore[arg-type]
    problems = list(mapped.problems)
    problems += [_missing_column_problem(ctx, c) for c in REQUIRED_COLUMNS[table] if c not in mapped.sources]
    if problems:
        return None, None, problems
    # A CSV is read all as text, as the pandas loader reads it: ids keep their
    # leading zeros, and no engine guesses what a value means (Polars reads
    # 01/02/2024 as 1 February, unasked); dates are parsed here as ISO only,
    # amounts as plain numbers only (anything else is read by the pandas loader).
    if layout is not None and layout.table is not None:
        # The text pyarrow read to lay the file out, handed over: the engine parses nothing again.
        native = from_arrow(layout.table, engine=engine, spark=spark, connection=connection)  # type: ignore[arg-type]
    else:
        native = scan(
            path,
            engine=engine,  # type: ignore[arg-type]
            spark=spark,
            connection=connection,
            all_text=kind == "csv",
            column_names=layout.names if layout is not None else None,
            delimiter=layout.delimiter if layout is not None else None,
        )
    if kind == "parquet":
        _parquet_check_types(path, mapped)
    frame = nw.from_native(native)
    schema = frame.collect_schema()
    if list(schema.names()) != list(names):
        raise _PandasReads(f"{engine} reads other column names")
    dtype = fr.date_dtype(frame)
    text = [c for c in (s.CLIENT_ID, s.INVOICE_ID, *_DATE_COLUMNS) if c in mapped.sources]
    iso = [c for c in text if c in _DATE_COLUMNS and schema[mapped.sources[c].columns[0]] == nw.String]
    found_problems, unspaced = _raw_checks(frame, schema, mapped, layout, engine, iso, ctx)
    problems += found_problems
    if problems:
        return None, None, problems
    exprs = []
    for canonical in TABLE_COLUMNS[table]:
        src = mapped.sources.get(canonical)
        col = nw.col(src.columns[0]) if src else None
        found = schema[src.columns[0]] if src else None
        # A column with no whitespace at all needs no trimming (the regexes cost most of the typing).
        spaced = src is None or src.columns[0] not in unspaced
        trimmed = _strip(col) if spaced and src else col
        if canonical in _DATE_COLUMNS:
            target = dtype
            if canonical in iso:
                expr = trimmed.str.slice(0, 10).str.to_date("%Y-%m-%d")
            else:
                expr = fr.to_date(src.columns[0], dtype) if src else nw.lit(None, dtype=dtype)
        elif canonical in _AMOUNT_COLUMNS:
            target = nw.Float64
            if src is None:
                expr = nw.lit(None, dtype=nw.Float64)
            elif found == nw.String:
                amount = trimmed
                expr = nw.when(_blank_text(amount)).then(nw.lit(None, dtype=nw.String)).otherwise(amount)
                expr = expr.cast(nw.Float64)
            else:
                expr = col.cast(nw.Float64)
        elif canonical == s.DO_NOT_CONTACT:
            target = nw.Boolean
            if src is None:
                expr = nw.lit(False, dtype=nw.Boolean)
            elif found == nw.String:
                expr = _yes_no(col).is_in(sorted(_TRUE)).fill_null(False)
            else:
                expr = col.fill_null(False)
        elif canonical == s.CHANNEL:
            target = nw.String
            expr = _scan_channel(col) if src else nw.lit("other", dtype=nw.String)
        else:
            target = nw.String
            if src and (canonical in _ID_COLUMNS or canonical in _TEXT_COLUMNS):
                expr = _scan_text(col, found, spaced=spaced)
            else:
                expr = col.cast(nw.String) if src else nw.lit(None, dtype=nw.String)
        exprs.append(expr.cast(target).alias(canonical))
    typed = frame.select(*exprs)
    if kind == "csv" and engine in ("polars", "duckdb"):
        # Typed once and kept in memory: the checks below and every stage after them read
        # the parsed columns, not the CSV again (a scan of a CSV is a plan, run by each query).
        typed = nw.from_native(materialize(typed.to_native(), connection=connection))
    as_of_lit = fr.date_lit(as_of, dtype)
    earliest = fr.date_lit(EARLIEST.date(), dtype)
    client_id = nw.col(s.CLIENT_ID)

    def fill(column: str) -> str:  # the pandas loader's hint for a blank required cell
        return f"fill in the {column} of these rows, or delete them"

    checks: list[tuple[str, Any, str, str, str]] = [
        (
            "blank client id",
            client_id.is_null() | (client_id == ""),
            s.CLIENT_ID,
            "a client id on every row",
            fill(s.CLIENT_ID),
        )
    ]
    required = set(REQUIRED_COLUMNS[table])
    for column in (c for c in TABLE_COLUMNS[table] if c in _DATE_COLUMNS and c in mapped.sources):
        day = nw.col(column)
        if column in required:
            checks.append((f"blank `{column}`", day.is_null(), column, "a date on every row", fill(column)))
        checks.append(
            (
                f"`{column}` after the as-of date {as_of}",
                day > as_of_lit,
                column,
                f"dates up to {as_of}",
                _LATE_DATE_HINT,
            )
        )
        checks.append(
            (f"`{column}` before 1900", day < earliest, column, "dates from 1900-01-01", _EARLY_DATE_HINT)
        )
    if s.AMOUNT in required:
        amount = nw.col(s.AMOUNT)
        checks.append(
            (
                "blank `amount`",
                amount.is_null() | amount.is_nan(),
                s.AMOUNT,
                "an amount on every row",
                fill(s.AMOUNT),
            )
        )

    def count(mask: Any) -> Any:
        return mask.fill_null(False).cast(nw.Int64).sum().cast(nw.Int64)

    aggregates = [nw.len().cast(nw.Int64).alias("__rows")]
    aggregates += [count(mask).alias(f"__check{i}") for i, (_, mask, _, _, _) in enumerate(checks)]
    # Every column is computed once here, so a value an engine cannot convert fails now,
    # not in a later stage.
    aggregates += [count(nw.col(c).is_null()).alias(f"__null{i}") for i, c in enumerate(TABLE_COLUMNS[table])]
    if table == "clients":
        aggregates.append(client_id.n_unique().cast(nw.Int64).alias("__distinct"))
    totals = typed.select(*aggregates)
    totals = totals.collect() if isinstance(totals, nw.LazyFrame) else totals
    # (DuckDB sums no rows to NULL)
    found_counts = {k: int(v or 0) for k, v in totals.rows(named=True)[0].items()}
    rows = found_counts["__rows"]
    if table == "clients" and rows == 0:
        problems.append(
            Problem(
                "the client list has no clients (no data rows below the header)",
                file=file,
                hint="check the file, and [data] sheet for a workbook, point at the client list",
            )
        )
    for i, (what, mask, column, expected, hint) in enumerate(checks):
        n = found_counts[f"__check{i}"]
        if n:
            problems.append(
                Problem(
                    f"{n:,} row{'s' if n > 1 else ''} with {what}",
                    file=file,
                    column=column,
                    values=_examples(typed, mask, column),
                    expected=expected,
                    hint=hint,
                )
            )
    if table == "clients" and rows - found_counts["__distinct"] > 0:
        twice = typed.group_by(s.CLIENT_ID).agg(nw.len().alias("__n")).filter(nw.col("__n") > 1)
        problems.append(
            Problem(
                "client ids that appear more than once",
                file=file,
                column=s.CLIENT_ID,
                values=_examples(twice, None, s.CLIENT_ID),
                expected="one row per client",
                hint="merge or remove the repeated clients",
            )
        )
    if clients is not None:
        unknown = (
            typed.select(s.CLIENT_ID).unique().join(clients.select(s.CLIENT_ID), on=s.CLIENT_ID, how="anti")
        )
        n_unknown = unknown.select(nw.len().cast(nw.Int64).alias("n"))
        n_unknown = n_unknown.collect() if isinstance(n_unknown, nw.LazyFrame) else n_unknown
        n = int(n_unknown.item(0, "n") or 0)
        if n:
            values = _examples(unknown, None, s.CLIENT_ID)
            known = _client_ids(clients)
            problems.append(
                Problem(
                    f"{n:,} client id{'s' if n > 1 else ''} not in the client list",
                    file=file,
                    column=s.CLIENT_ID,
                    values=values,
                    expected=f"ids of {Path(clients_file).name if clients_file else 'the client list'}",
                    # The pandas loader's hint: ids that differ only by leading zeros or capitals.
                    hint=_unknown_ids_hint(
                        [str(v) for v in values], {str(k) for k in known.dropna()}, clients_file
                    ),
                )
            )
    report = TableReport(
        table=table,
        file=file,
        read_as=(
            f"CSV, {_describe_delimiter(layout.delimiter)}-separated, UTF-8, scanned by {engine}"
            if layout is not None
            else f"Parquet, scanned by {engine}"
        ),
        rows_read=rows,
        rows_kept=rows,
        columns=tuple((c, src.label) for c, src in mapped.sources.items()),
        ignored=mapped.ignored,
    )
    return typed.to_native(), report, problems


def scan_inputs(
    config: CampaignConfig,
    *,
    as_of: date,
    engine: str | None = None,
    spark: Any = None,
    connection: Any = None,
) -> Inputs:
    """Read the files of campaign.toml with Polars, DuckDB or Spark, checked by aggregate queries.

    :func:`load_inputs` parses and validates every value of every row in pandas;
    this function is for the tables that are too big for that. Each table is
    read by the engine (lazily: a Polars LazyFrame, a DuckDB relation, a Spark
    DataFrame), its columns renamed by the column map and cast to the
    canonical types, and checked over the whole table by aggregate queries
    (:data:`SCAN_CHECKS`) before anything is computed. Every problem is
    reported at once, naming the file, the column, how many rows and up to five
    of them by client id (a lazy engine has no row numbers).

    The pandas loader is the single truth for what a cell means: a scan gives
    its values or refuses the file. So a table is read by the pandas loader
    instead, with its full validation (naming rows), then handed to the
    engine, when it needs what only that loader does:

    * an Excel file; ``date_format``, ``dayfirst``, ``decimal`` or
      ``encoding`` under ``[data]``; a column map that joins, multiplies,
      fills in, sets rows aside or marks refunds;
    * a CSV that is not plain UTF-8 with one row per line of values as wide
      as the header (a CSV is first read through once, as Python's CSV reader
      reads it, and the engine must then read the same rows and the same
      characters in every column); blank rows;
    * values the scan does not parse itself: amounts other than plain numbers
      (a currency, a thousands separator, a decimal comma, ``nan``, ``1e6``,
      a magnitude beyond :data:`MAX_AMOUNT`), dates with a time of day or a
      time zone, yes/no words other than the loader's, Parquet columns of
      other types (durations, times, nested or binary values, time zones);
    * any error of the engine while reading.

    The load report says which, and why (``read as``).

    Ids and text are cleaned as the pandas loader cleans them (every run of
    whitespace becomes one space, the ends are trimmed, a blank is null, a
    whole float id such as ``1.0`` is ``"1"``), so both give the same ids.

    Channels are matched to their synonyms as the pandas loader matches them
    (call -> phone, anything else "other"), though the load report does not
    count the "other" values.

    Not done on a scanned table (the pandas loader does them): dates must
    already be dates to the engine (ISO in a CSV: a day
    the calendar lacks, such as 2024-02-31, is reported as the pandas loader
    reports it, "not a date", before the engine parses any), and its
    problems name up to five rows by client id, not by row number.

    Parameters
    ----------
    config : CampaignConfig
    as_of : date
    engine : {"polars", "duckdb", "spark"}, optional
        Defaults to ``[engine] name``; ``"pandas"`` is :func:`load_inputs`.
    spark : SparkSession, optional
        Defaults to :func:`reconnect_lib.engines.spark_session` with ``[engine] master``.
    connection : duckdb.DuckDBPyConnection, optional
        Defaults to DuckDB's default connection.

    Returns
    -------
    Inputs
        The tables as the engine's lazy frames (Polars: LazyFrame), with every
        canonical column (missing ones all null); dates are dates.

    Raises
    ------
    InputError
        One error listing every problem in every file.
    """
    from ..engines import check_engine, from_pandas, read_errors, spark_session

    engine = check_engine(engine or config.engine.name)
    if engine == "pandas":
        return load_inputs(config, as_of=as_of)
    if engine == "spark" and spark is None:
        spark = spark_session(config.engine.master, config=config.engine.spark_config)
    data = config.data
    read = ReadOptions.from_config(config, as_of=as_of)
    named = read.column_map
    pandas_only = [
        f"{key} = {getattr(read, key)!r}"
        for key in ("date_format", "dayfirst", "decimal", "encoding")
        if getattr(read, key)
    ]
    frames: dict[str, Any] = {}
    reports: list[TableReport] = []
    problems: list[Problem] = []
    clients_frame = None
    clients_file = str(data.clients)
    for table, path in (
        ("clients", data.clients),
        ("transactions", data.transactions),
        ("contacts", data.contacts),
    ):
        if path is None:
            frames[table] = None
            continue
        path = Path(path)
        why = ", ".join(pandas_only) if pandas_only else None
        names: list[str] = []
        layout: _CsvLayout | None = None
        native = report = None
        if why is None:
            try:
                names, layout = _scan_layout(path, read.delimiter, keep=engine in ("polars", "duckdb"))
                mapped = apply_map(pd.DataFrame(columns=names), table, named, read.columns.get(table))  # type: ignore[arg-type]
                why = _needs_pandas(_layers(table, named), mapped)
                if why is None:
                    native, report, found = _scan_table(
                        table,  # type: ignore[arg-type]
                        path,
                        engine=engine,
                        read=read,
                        column_map=named,
                        as_of=as_of,
                        spark=spark,
                        connection=connection,
                        names=names,
                        layout=layout,
                        clients=clients_frame if table != "clients" else None,
                        clients_file=clients_file,
                    )
                    problems += found
                    if report is not None:
                        reports.append(report)
            except _PandasReads as err:
                why = str(err)
            except read_errors() as err:
                # The engine cannot read it: the pandas loader reads it, or names the rows it cannot.
                log.info("%s: %s could not read it (%s); reading it with pandas", path, engine, err)
                why = f"{engine} could not read it: {type(err).__name__}"
        if why:
            loaded = _load_table(
                table,  # type: ignore[arg-type]
                path,
                read,
                **(
                    {}
                    if table == "clients"
                    else {"client_ids": _client_ids(clients_frame), "clients_file": clients_file}
                ),
            )
            problems += loaded.problems
            if loaded.frame is None or loaded.report is None:
                frames[table] = None
                continue
            native = from_pandas(loaded.frame, engine=engine, spark=spark, connection=connection)  # type: ignore[arg-type]
            report = loaded.report
            reports.append(replace(report, read_as=f"{report.read_as}, loaded by pandas ({why})"))
        frames[table] = native
        if table == "clients" and native is not None:
            import narwhals as nw

            clients_frame = nw.from_native(native)
    if problems:
        files = {p.file for p in problems}
        raise InputError.from_problems(problems, file=files.pop() if len(files) == 1 else None)
    return Inputs(
        clients=frames["clients"],
        transactions=frames["transactions"],
        contacts=frames["contacts"],
        report=LoadReport(tuple(reports)),
    )


def _client_ids(clients: Any) -> pd.Series | None:
    """The client ids of a scanned client list, for the pandas loader's unknown-client check."""
    if clients is None:
        return None
    from ..engines import to_pandas

    return to_pandas(clients.select(s.CLIENT_ID).to_native())[s.CLIENT_ID]
