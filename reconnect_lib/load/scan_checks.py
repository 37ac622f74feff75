"""Before and during a scan: whether Polars, DuckDB or Spark read a file as the pandas
loader would, and the expressions that clean and check its cells the loader's way.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import schema as s
from ..column_maps import (
    MappedTable,
    normalise_name,
)
from ..errors import Problem
from .cells import (
    _AMOUNT_COLUMNS,
    _CHANNEL_OF,
    _DATE_COLUMNS,
    _FALSE,
    _ID_COLUMNS,
    _TEXT_COLUMNS,
    _TRUE,
    MAX_AMOUNT,
    _arrow_strip,
    _guess_date_formats,
)
from .read import (
    _EXCEL_SEP,
    _long_cells,
    _looks_binary,
    _sniff,
    _unique_names,
    _utf16_without_bom,
)
from .validate import _Context


class _PandasReads(Exception):
    """Raised inside a scan when the pandas loader must read the table: why, in a few words."""


@dataclass(frozen=True)
class _CsvLayout:
    """A CSV as the pandas loader reads it: its delimiter, its column names, its data rows
    and how many characters each column holds in all (to check an engine read the same cells);
    with ``keep``, its cells as text in an Arrow table named by `names` (None when pyarrow's
    reader did not read it), which an engine can check and type without parsing the file again."""

    delimiter: str
    names: list[str]
    rows: int
    chars: list[int]
    table: Any = field(default=None, compare=False, repr=False)


def _csv_layout(path: Path, delimiter: str | None, *, keep: bool = False) -> _CsvLayout:
    """Read a CSV once, as the pandas loader would, keeping its rows only with `keep`
    (as an Arrow table of text: :attr:`_CsvLayout.table`).

    Raises :class:`_PandasReads` when the file is one an engine might read
    differently: not UTF-8 text, a header that is not the first line, rows
    wider or narrower than the header, blank rows (the loader sets them aside),
    or anything Python's CSV reader refuses.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as err:
        raise _PandasReads("the file cannot be read") from err
    if not head.strip() or _looks_binary(head):
        raise _PandasReads("it is not a text table")
    if _utf16_without_bom(head):
        raise _PandasReads("it is UTF-16 text")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle, _long_cells():
            sample = handle.read(65537)
            delim = delimiter or _sniff(sample, None)
            handle.seek(0)
            reader = csv.reader(handle, delimiter=delim)
            header = next(reader, [])
            if not any(c.strip() for c in header):
                raise _PandasReads("blank lines above the header")
            if _EXCEL_SEP.match(sample):
                raise _PandasReads("a first line sep= naming the delimiter")
            names = _unique_names(header)
            width = len(names)
            batches: list[Any] | None = [] if keep else None
            fast = _arrow_layout(path, delim, header, keep=batches)
            if fast is not None:
                return _CsvLayout(delim, names, *fast, table=_kept_table(batches, names))
            chars = [0] * width
            rows = 0
            for row in reader:
                if not any(c.strip() for c in row):
                    raise _PandasReads("blank rows, which the pandas loader sets aside")
                if len(row) != width:
                    raise _PandasReads("rows with more or fewer values than the header")
                if row == header:
                    raise _PandasReads("a row that repeats the header")
                rows += 1
                for i, cell in enumerate(row):
                    chars[i] += len(cell)
    except UnicodeDecodeError as err:
        raise _PandasReads("it is not UTF-8 text") from err
    except csv.Error as err:
        raise _PandasReads("Python's CSV reader refuses it") from err
    except OSError as err:
        raise _PandasReads("the file cannot be read") from err
    return _CsvLayout(delim, names, rows, chars)


def _arrow_layout(
    path: Path, delim: str, header: list[str], *, keep: list[Any] | None = None
) -> tuple[int, list[int]] | None:
    """The data rows and the characters of each column of a plain UTF-8 CSV, read batch by
    batch by pyarrow's columnar reader (as :func:`_csv_layout`'s row-by-row reading counts
    them); None when pyarrow refuses the file or finds a blank row or one repeating the
    header, so that the row-by-row reading says why the file is left to the pandas loader.
    Each batch of data rows is appended to `keep` when it is a list (an empty cell null)."""
    import pyarrow as arrow
    import pyarrow.compute as pc
    import pyarrow.csv as pv

    names = [f"c{i}" for i in range(len(header))]
    rows, chars, first = 0, [0] * len(header), True
    try:
        reader = pv.open_csv(
            path,
            read_options=pv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pv.ParseOptions(delimiter=delim, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pv.ConvertOptions(column_types=dict.fromkeys(names, arrow.string())),
        )
        for batch in reader:
            if first:
                if [batch.column(i)[0].as_py() for i in range(len(names))] != header:
                    return None  # e.g. a byte-order mark read into the first name
                batch, first = batch.slice(1), False
            if not batch.num_rows:
                continue
            columns = [batch.column(i) for i in range(len(names))]
            blank = _all_of([pc.equal(pc.utf8_length(_arrow_strip(c)), 0) for c in columns])
            repeat = _all_of(
                [pc.equal(c, arrow.scalar(h, arrow.string())) for c, h in zip(columns, header, strict=True)]
            )
            if pc.any(pc.or_(blank, repeat)).as_py():
                return None
            rows += batch.num_rows
            for i, c in enumerate(columns):
                chars[i] += pc.sum(pc.utf8_length(c)).as_py() or 0
            if keep is not None:
                # an empty cell null, as DuckDB's and Polars' CSV readers read one
                none = arrow.scalar(None, arrow.string())
                keep.append(
                    arrow.RecordBatch.from_arrays(
                        [pc.if_else(pc.equal(pc.utf8_length(c), 0), none, c) for c in columns],
                        names=names,
                    )
                )
    except (arrow.ArrowException, OSError):
        return None
    return rows, chars


def _kept_table(batches: list[Any] | None, names: list[str]) -> Any:
    """The batches :func:`_arrow_layout` kept, as one Arrow table with the file's column names."""
    if batches is None:
        return None
    import pyarrow as arrow

    if not batches:  # a header and no rows
        return arrow.table({name: arrow.array([], arrow.string()) for name in names})
    return arrow.Table.from_batches(batches).rename_columns(names)


def _all_of(masks: Sequence[Any]) -> Any:
    import pyarrow.compute as pc

    out = masks[0]
    for mask in masks[1:]:
        out = pc.and_(out, mask)
    return out


def _parquet_check_types(path: Path, mapped: MappedTable) -> None:
    """Raise :class:`_PandasReads` when a mapped Parquet column has a type only the pandas loader
    reads as it means (a duration, a time, a nested or binary value, a time zone), or none at all."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    types = pa.types

    def text(kind: pa.DataType) -> bool:
        return types.is_string(kind) or types.is_large_string(kind) or kind == pa.string_view()

    for canonical, src in mapped.sources.items():
        kind = schema.field(src.columns[0]).type
        if types.is_dictionary(kind):
            kind = kind.value_type
        if canonical in _DATE_COLUMNS:
            ok = types.is_date(kind) or (types.is_timestamp(kind) and kind.tz is None) or text(kind)
        elif canonical in _AMOUNT_COLUMNS:
            ok = types.is_integer(kind) or types.is_floating(kind) or types.is_decimal(kind) or text(kind)
        elif canonical == s.DO_NOT_CONTACT:
            ok = types.is_boolean(kind) or text(kind)
        else:
            ok = text(kind) or types.is_integer(kind) or types.is_floating(kind)
        if not ok:
            raise _PandasReads(f"{src.label} is stored as {kind}")


def _parquet_names(path: Path) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        names = list(pq.read_schema(path).names)
    except (OSError, ValueError, pa.ArrowException) as err:
        raise _PandasReads("pyarrow cannot read its schema") from err
    if _unique_names(names) != names:
        raise _PandasReads("blank, padded or repeated column names")
    return names


def _needs_pandas(layers: Sequence[Any], mapped: MappedTable) -> str | None:
    """Why the pandas loader must read this table, or None when a plain rename does."""
    for canonical, src in mapped.sources.items():
        if src.kind != "column" or src.fallback or src.per_invoice:
            return f"`{canonical}` is built from {src.label}"
    present = {normalise_name(c) for c in mapped.raw_columns}
    for layer in layers:
        for rules, what in ((layer.exclude_when, "rows to set aside"), (layer.refund_when, "refund rows")):
            for column in rules:
                if normalise_name(column) in present:
                    return f"the column map picks {what} by `{column}`"
    return None


def _examples(frame: Any, mask: Any, column: str) -> list[object]:
    """Up to five (client id, value) examples of the rows where `mask` holds (all rows: None)."""
    import narwhals as nw

    cols = [s.CLIENT_ID] if column == s.CLIENT_ID else [s.CLIENT_ID, column]
    # A set (distinct or repeated ids) comes in no order from an engine: sorted, the same
    # examples are named on every run and every engine.
    rows = (frame.sort(column) if mask is None else frame.filter(mask)).select(*cols).head(5)
    rows = rows.collect() if isinstance(rows, nw.LazyFrame) else rows
    return [r[0] if len(r) == 1 else f"{r[0]}: {r[1]}" for r in rows.rows()]


_ISO_DAY = r"^\d{4}-\d{2}-\d{2}([ T]00:00(:00(\.0+)?)?)?$"


#: A run of the characters ``str.split()`` splits on (``str.isspace``; pinned by
#: tests/test_load.py), in the ``\x{...}`` syntax Polars (Rust regex), DuckDB (RE2)
#: and Spark (Java) all read.
_WHITESPACE_RUN = (
    r"[\x{9}-\x{D}\x{1C}-\x{20}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}-\x{2029}\x{202F}\x{205F}\x{3000}]+"
)


def _strip(col: Any) -> Any:
    """A text column with the whitespace at its ends removed, as Python's ``str.strip`` does
    (DuckDB's own trim removes only spaces, Polars' the Unicode White_Space set)."""
    return col.str.replace_all(f"^{_WHITESPACE_RUN}|{_WHITESPACE_RUN}$", "")


def _scan_text(col: Any, found: Any, *, spaced: bool = True) -> Any:
    """An id or text column of a scanned table, cleaned as the pandas loader's ``_as_text`` cleans it.

    Runs of whitespace (any character ``str.split()`` splits on: tabs, line
    breaks, no-break spaces...) become one space, the ends are trimmed and a
    blank cell is null (``spaced=False``: the column holds no whitespace, so
    only a blank cell is left to clean). A float column (ids from a spreadsheet) gives whole
    numbers without their ``.0`` (``1.0`` is id ``"1"``, as in pandas) and NaN
    as a blank; an engine's own float-to-text would keep the ``.0``. (Whole
    floats beyond the 64-bit integer range, 9.2e18, keep the engine's text.)
    """
    import narwhals as nw

    if found is not None and found.is_float():
        whole = col.abs() < 2.0**63
        col = (
            nw.when(col.is_nan())
            .then(nw.lit(None, dtype=nw.String))
            .when(whole & (col == col.round(0)))
            .then(col.cast(nw.Int64).cast(nw.String))
            .otherwise(col.cast(nw.String))
        )
    text = col.cast(nw.String)
    if spaced:
        text = text.str.replace_all(_WHITESPACE_RUN, " ").str.strip_chars(" ")
    return nw.when(text == "").then(nw.lit(None, dtype=nw.String)).otherwise(text)


def _iso_queries(
    frame: Any, columns: list[str], mapped: MappedTable, stripped: dict[str, str], shaped: dict[str, str]
) -> tuple[Any, dict[str, Any]]:
    """The counts of :func:`_iso_problems`, for the one aggregate query of :func:`_raw_checks`.

    Returns `frame` with the columns those counts need and the counts (``bad:`` text that is
    not an ISO day, ``impossible:`` ISO-shaped days the calendar lacks, 2024-02-31, month 13),
    each computed once: an expression that names a column several times is otherwise
    evaluated that many times over. Counted before any engine parses a date: Polars and
    DuckDB would raise their own conversion error on an impossible day, Spark would read it
    as null or raise depending on its ANSI setting.

    Text is ISO-shaped here when its digits are ASCII: a date whose digits are not is one only
    the pandas loader reads (:func:`_precheck_queries` leaves the file to it), so that the
    counts matter only where both spellings agree.
    """
    import narwhals as nw

    def name(kind: str, k: int) -> str:
        return f"__iso_{kind}{k}"

    texts = [nw.col(stripped[mapped.sources[c].columns[0]]) for c in columns]
    is_shaped = [nw.col(shaped[mapped.sources[c].columns[0]]) for c in columns]
    # Only ISO-shaped text is taken apart: a cast of other text to a number fails on
    # Polars, even in a branch that is not taken.
    frame = _with_columns(
        frame,
        *(
            nw.when(is_shaped[k])
            .then(text.str.slice(0, 10))
            .otherwise(nw.lit("2000-01-01"))
            .alias(name("day", k))
            for k, text in enumerate(texts)
        ),
    )
    frame = _with_columns(
        frame,
        *(
            nw.col(name("day", k)).str.slice(start, n).cast(nw.Int64).alias(name(part, k))
            for k in range(len(columns))
            for part, start, n in (("y", 0, 4), ("m", 5, 2), ("d", 8, 2))
        ),
    )
    counts = {}
    for k, (column, text) in enumerate(zip(columns, texts, strict=True)):
        y, m, d = (nw.col(name(part, k)) for part in "ymd")
        leap = (((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)).cast(nw.Int64)
        short = ((m == 4) | (m == 6) | (m == 9) | (m == 11)).cast(nw.Int64)
        last_day = 31 - short - (m == 2).cast(nw.Int64) * (3 - leap)
        counts[f"bad:{column}"] = ~_blank_text(text) & ~is_shaped[k]
        counts[f"impossible:{column}"] = is_shaped[k] & ((m < 1) | (m > 12) | (d < 1) | (d > last_day))
    return frame, counts


def _iso_problems(
    frame: Any,
    found: dict[str, int],
    masks: dict[str, Any],
    columns: list[str],
    mapped: MappedTable,
    ctx: _Context,
    engine: str,
) -> list[Problem]:
    """A problem for each text date column holding something other than ISO days, and one for
    each holding ISO-shaped days that are not in the calendar (2024-02-31, 2024-13-01), from
    the counts of :func:`_iso_queries` (`found`) over `frame` (the one those masks read)."""
    import narwhals as nw

    client = nw.col(mapped.sources[s.CLIENT_ID].columns[0])

    def examples(mask: Any, column: str) -> list[object]:
        rows = frame.filter(mask).select(client, nw.col(mapped.sources[column].columns[0])).head(5)
        rows = rows.collect() if isinstance(rows, nw.LazyFrame) else rows
        return [f"{r[0]}: {r[1]}" for r in rows.rows()]

    problems = []
    for column in columns:
        label = mapped.sources[column].columns[0]
        bad, impossible = masks[f"bad:{column}"], masks[f"impossible:{column}"]
        n = int(found[f"bad:{column}"])
        if n:
            # Setting date_format alone is enough: the pandas loader then reads the table, on any engine.
            sample = frame.filter(bad).select(nw.col(label)).head(50)
            sample = sample.collect() if isinstance(sample, nw.LazyFrame) else sample
            guesses = _guess_date_formats(v for (v,) in sample.rows())
            fmt = f'date_format = "{guesses[0]}"' if guesses else "date_format (strftime codes)"
            problems.append(
                Problem(
                    f"{n:,} value{'s' if n > 1 else ''} of column {label}{ctx.read_as(column)} "
                    f"{'are' if n > 1 else 'is'} not an ISO date",
                    file=ctx.file,
                    column=column,
                    values=examples(bad, column),
                    expected="dates as YYYY-MM-DD",
                    hint=f"the {engine} engine reads only ISO dates from a CSV: set {fmt} under [data] "
                    "in campaign.toml, and the pandas loader reads this file and names the rows; "
                    "or write Parquet",
                )
            )
        n = int(found[f"impossible:{column}"])
        if n:
            # Worded as the pandas loader words a cell that is not a date.
            problems.append(
                Problem(
                    f"{n:,} value{'s' if n > 1 else ''} of column {label}{ctx.read_as(column)} "
                    f"{'are' if n > 1 else 'is'} not a date",
                    file=ctx.file,
                    column=column,
                    values=examples(impossible, column),
                    expected="dates as YYYY-MM-DD, a month 01 to 12 and a day that month has",
                    hint="correct these cells, or set date_format under [data] in campaign.toml to the "
                    'format the file uses (strftime codes, e.g. "%Y-%d-%m"); the pandas loader then '
                    "reads this file and names the rows",
                )
            )
    return problems


#: What the pandas loader reads as an amount without a second look (its fast path), in
#: the syntax Polars, DuckDB and Spark share: ASCII digits, a sign, a decimal point.
_PLAIN_AMOUNT = r"^[+-]?[0-9]+(\.[0-9]+)?$"
#: A plain amount that could be a whole number with a thousands separator (1.234).
_THOUSANDS_LIKE = r"^[+-]?([1-9]|[0-9]{2,3})\.[0-9]{3}$"
#: What the pandas loader reads as an ISO date (``_ISO_DATE``: Python's ``\d`` is any
#: decimal digit, ``\p{Nd}``, and ``\s`` any whitespace), in the syntax all engines read.
_PANDAS_ISO = (
    r"^\p{Nd}{4}-\p{Nd}{1,2}-\p{Nd}{1,2}"
    r"([ T]\p{Nd}{1,2}:\p{Nd}{2}(:\p{Nd}{2}([.,]\p{Nd}+)?)?)?"
    + _WHITESPACE_RUN.removesuffix("+")
    + r"*(Z|[+-]\p{Nd}{2}(:?\p{Nd}{2})?)?$"
)
#: An ISO day the scan parses itself: ASCII digits only (``\d`` is any digit to Polars).
_ISO_DAY_ASCII = _ISO_DAY.replace(r"\d", "[0-9]")


def _blank_text(col: Any) -> Any:
    return col.is_null() | (col == "")


def _yes_no(col: Any) -> Any:
    """A text do_not_contact cell as the pandas loader compares it: trimmed, lower case, no final dots."""
    return _strip(col).str.to_lowercase().str.replace_all(r"\.+$", "")


def _channel_key(col: Any) -> Any:
    """A channel cell as :func:`~reconnect_lib.column_maps.normalise_name` keys it (exact for ASCII)."""
    import narwhals as nw

    return col.cast(nw.String).str.to_lowercase().str.replace_all(r"[^\p{L}\p{N}]", "")


def _scan_channel(col: Any) -> Any:
    """A channel column of a scanned table in the vocabulary, as the pandas loader reads it."""
    import narwhals as nw

    key = _channel_key(col)
    expr = None
    for channel in dict.fromkeys(_CHANNEL_OF.values()):
        words = sorted(k for k, v in _CHANNEL_OF.items() if v == channel)
        expr = (nw.when(key.is_in(words)) if expr is None else expr.when(key.is_in(words))).then(
            nw.lit(channel)
        )
    return expr.otherwise(nw.lit("other")) if expr is not None else nw.lit("other")


def _raw_checks(
    frame: Any,
    schema: Any,
    mapped: MappedTable,
    layout: _CsvLayout | None,
    engine: str,
    iso: list[str],
    ctx: _Context,
) -> tuple[list[Problem], set[str]]:
    """Check a table as the engine reads it, before anything is parsed: one aggregate query.

    Raises :class:`_PandasReads` when the pandas loader must read the table
    (:func:`_precheck_queries`); otherwise returns the problems of the text dates
    in `iso` (:func:`_iso_problems`), and the text columns that hold no whitespace
    at all (which need no trimming: :func:`_strip` and :func:`_scan_text` leave
    them as they are). Each text date and amount is stripped once, and every
    count is taken in the same pass over the table, so an engine that reads a
    file lazily reads it once here.
    """
    import narwhals as nw

    text_columns = {
        src.columns[0]
        for canonical, src in mapped.sources.items()
        if (canonical in _DATE_COLUMNS or canonical in _AMOUNT_COLUMNS)
        and schema[src.columns[0]] == nw.String
    }
    stripped = {name: f"__strip{i}" for i, name in enumerate(sorted(text_columns))}
    frame = _with_columns(frame, *(_strip(nw.col(name)).alias(alias) for name, alias in stripped.items()))
    # Whether each text date is an ISO day in ASCII digits, asked once for both checks below.
    dates = {src.columns[0] for c, src in mapped.sources.items() if c in _DATE_COLUMNS} & text_columns
    shaped = {name: f"__shaped{i}" for i, name in enumerate(sorted(dates))}
    frame = _with_columns(
        frame,
        *(
            (
                ~_blank_text(nw.col(stripped[name])) & nw.col(stripped[name]).str.contains(_ISO_DAY_ASCII)
            ).alias(alias)
            for name, alias in shaped.items()
        ),
    )
    frame, queries = _precheck_queries(frame, schema, mapped, layout, engine, stripped, shaped)
    frame, iso_masks = _iso_queries(frame, iso, mapped, stripped, shaped) if iso else (frame, {})

    def count(mask: Any) -> Any:
        return mask.fill_null(False).cast(nw.Int64).sum().cast(nw.Int64)

    # Whitespace anywhere matters to ids and text (runs are collapsed), only at the ends to
    # dates and amounts (which are only trimmed): there, stripping removed nothing or not.
    texts = sorted({src.columns[0] for src in mapped.sources.values() if schema[src.columns[0]] == nw.String})
    trimmed_only = {
        name
        for name in stripped
        if all(
            c in _DATE_COLUMNS or c in _AMOUNT_COLUMNS
            for c, src in mapped.sources.items()
            if src.columns[0] == name
        )
    }

    def spaced(name: str) -> Any:
        if name in trimmed_only:
            return nw.col(stripped[name]).str.len_chars() != nw.col(name).str.len_chars()
        return nw.col(name).str.contains(_WHITESPACE_RUN)

    spaces = {f"__spaces{i}": name for i, name in enumerate(texts)}
    aggregates = [expr.alias(key) for key, (expr, _) in queries.items()]
    aggregates += [count(mask).alias(key) for key, mask in iso_masks.items()]
    aggregates += [count(spaced(name)).alias(key) for key, name in spaces.items()]
    if not aggregates:
        return [], set()
    totals = frame.select(*aggregates)
    totals = totals.collect() if isinstance(totals, nw.LazyFrame) else totals
    found = {k: int(v or 0) for k, v in totals.rows(named=True)[0].items()}
    _precheck_verdict(found, queries, layout, engine)
    unspaced = {name for key, name in spaces.items() if not found[key]}
    return (_iso_problems(frame, found, iso_masks, iso, mapped, ctx, engine) if iso else []), unspaced


def _precheck_queries(
    frame: Any,
    schema: Any,
    mapped: MappedTable,
    layout: _CsvLayout | None,
    engine: str,
    stripped: dict[str, str],
    shaped: dict[str, str],
) -> tuple[Any, dict[str, tuple[Any, str]]]:
    """The counts that say whether the engine reads the file as the pandas loader would
    (:func:`_precheck_verdict` reads them), or :class:`_PandasReads` at once for a column
    the engine reads as a type the loader reads otherwise.

    With a CSV, the rows and the characters of each column must be the ones
    Python's CSV reader found (quotes, line breaks and escapes read alike);
    amounts must be plain numbers the loader reads the same way (no currency,
    thousands separator, decimal comma, ``nan``, or a value beyond
    :data:`MAX_AMOUNT`); text dates must not be ones only the loader reads (a
    time of day, a time zone); yes/no cells must be words the loader knows.
    Whatever is not so is read by the pandas loader, which reads it or names
    the rows it cannot read. `stripped` names the column of `frame` that holds
    each text date and amount stripped, `shaped` whether each text date is an
    ISO day in ASCII digits; returns `frame` with the columns the counts read.
    """
    import narwhals as nw

    def count(mask: Any) -> Any:
        return mask.fill_null(False).cast(nw.Int64).sum().cast(nw.Int64)

    plain_of = {name: f"__plain{i}" for i, name in enumerate(stripped) if name in _amount_sources(mapped)}
    frame = _with_columns(
        frame,
        *(
            nw.col(stripped[name]).str.contains(_PLAIN_AMOUNT).alias(alias)
            for name, alias in plain_of.items()
        ),
    )
    queries: dict[str, tuple[Any, str]] = {}
    for canonical, src in mapped.sources.items():
        name = src.columns[0]
        found = schema[name]
        col = nw.col(name)
        if canonical in _DATE_COLUMNS:
            if found == nw.String:
                text = nw.col(stripped[name])
                # (as a branch: an SQL engine tests the pattern on the few other cells only)
                only_pandas = (
                    nw.when(_blank_text(text) | nw.col(shaped[name]))
                    .then(nw.lit(False))
                    .otherwise(text.str.contains(_PANDAS_ISO))
                )
                queries[f"dates:{name}"] = (count(only_pandas), "dates with a time of day or a time zone")
            elif isinstance(found, nw.Datetime) and found.time_zone is not None:
                raise _PandasReads(f"{src.label} holds times with a time zone")
            elif found != nw.Date and not isinstance(found, nw.Datetime):
                raise _PandasReads(f"{src.label} is read by {engine} as {found}")
        elif canonical in _AMOUNT_COLUMNS:
            if found == nw.String:
                text = nw.col(stripped[name])
                filled = ~_blank_text(text)
                plain = nw.col(plain_of[name])
                queries[f"amounts:{name}"] = (
                    count(filled & ~plain),
                    f"amounts in {src.label} that are not plain numbers (a currency, a thousands "
                    "separator, a decimal comma or a word)",
                )
                if layout is not None and layout.delimiter == ";":  # (see _precheck_verdict)
                    dotted = filled & plain & text.str.contains(".", literal=True)
                    queries[f"dotted:{name}"] = (count(dotted), "")
                    queries[f"thousands:{name}"] = (count(dotted & text.str.contains(_THOUSANDS_LIKE)), "")
                number = nw.when(plain).then(text).otherwise(nw.lit("0")).cast(nw.Float64)
                queries[f"huge:{name}"] = (count(filled & (number.abs() > MAX_AMOUNT)), "")
            elif found.is_numeric():
                number = col.cast(nw.Float64)
                beyond = ~number.is_nan() & ~(number.abs() <= MAX_AMOUNT)
                queries[f"huge:{name}"] = (count(beyond), "")
            else:
                raise _PandasReads(f"{src.label} is read by {engine} as {found}")
        elif (canonical in _ID_COLUMNS or canonical in _TEXT_COLUMNS) and found.is_float():
            # Only whole numbers within 64-bit integers are written as pandas writes them
            # (1.0 is "1"); 3.5, 1e-07 or 1e20 each engine writes in its own way.
            whole = (col.abs() < 2.0**63) & (col == col.round(0))
            odd = ~col.is_null() & ~col.is_nan() & ~whole
            queries[f"float_text:{name}"] = (count(odd), f"{src.label} holds numbers that are not whole")
        elif canonical == s.CHANNEL:
            # Python's casefold and isalnum match some non-ASCII text to a channel that an
            # engine's lower case and regex would not: such text is read by pandas.
            unknown = ~col.is_null() & ~_channel_key(col).is_in(sorted(_CHANNEL_OF))
            wide = unknown & col.cast(nw.String).str.contains(r"[^\x00-\x7F]")
            queries[f"channel:{name}"] = (count(wide), f"{src.label} holds non-ASCII words")
        elif canonical == s.DO_NOT_CONTACT:
            if found == nw.String:
                known = sorted(_TRUE | _FALSE)
                unknown = ~col.is_null() & ~_yes_no(col).is_in(known)
                queries[f"yes_no:{name}"] = (count(unknown), f"{src.label} holds words other than yes/no")
            elif found != nw.Boolean:
                raise _PandasReads(f"{src.label} is read by {engine} as {found}")
    if layout is None:
        # The pandas loader sets aside a row with no value at all; a scan would call it a
        # row without a client id.
        blank = None
        for name in schema.names():
            found = schema[name]
            cell = nw.col(name).is_null()
            if found == nw.String:
                cell = _blank_text(nw.col(stripped[name]) if name in stripped else _strip(nw.col(name)))
            elif found.is_float():
                cell = cell | nw.col(name).is_nan()
            blank = cell if blank is None else blank & cell
        if blank is not None:
            queries["__blank"] = (count(blank), "blank rows, which the pandas loader sets aside")
    else:
        queries["__rows"] = (nw.len().cast(nw.Int64), "")
        for i, name in enumerate(layout.names):
            queries[f"__chars{i}"] = (nw.col(name).str.len_chars().cast(nw.Int64).sum().cast(nw.Int64), "")
    return frame, queries


def _with_columns(frame: Any, *exprs: Any) -> Any:
    """`frame` with the columns `exprs` added (narwhals refuses none)."""
    return frame.with_columns(*exprs) if exprs else frame


def _amount_sources(mapped: MappedTable) -> set[str]:
    return {src.columns[0] for canonical, src in mapped.sources.items() if canonical in _AMOUNT_COLUMNS}


def _precheck_verdict(
    found_counts: dict[str, int],
    queries: dict[str, tuple[Any, str]],
    layout: _CsvLayout | None,
    engine: str,
) -> None:
    """Raise :class:`_PandasReads` when the counts of :func:`_precheck_queries` say the engine
    does not read the file as the pandas loader would."""
    if layout is not None:
        if found_counts["__rows"] != layout.rows:
            raise _PandasReads(
                f"{engine} reads {found_counts['__rows']:,} rows where the CSV has {layout.rows:,}"
            )
        for i, name in enumerate(layout.names):
            if found_counts[f"__chars{i}"] != layout.chars[i]:
                raise _PandasReads(f"{engine} reads the cells of {name} otherwise than a CSV reader")
    for key, (_, why) in queries.items():
        if why and found_counts[key]:
            raise _PandasReads(why)
        if key.startswith("huge:") and found_counts[key]:
            raise _PandasReads(f"amounts in {key[5:]} beyond {MAX_AMOUNT:,.0f}, or not finite")
        if key.startswith("dotted:") and layout is not None and layout.delimiter == ";":
            dotted, thousands = found_counts[key], found_counts[f"thousands:{key[7:]}"]
            if dotted and dotted == thousands:
                raise _PandasReads(
                    f"amounts in {key[7:]} such as 1.234, which a ';'-separated file may mean as 1234"
                )


def _scan_layout(
    path: Path, delimiter: str | None, *, keep: bool = False
) -> tuple[list[str], _CsvLayout | None]:
    """The column names of a file an engine may scan (and a CSV's layout, with its cells when
    `keep`: see :func:`_csv_layout`), or :class:`_PandasReads`."""
    from ..engines import file_kind

    kind = file_kind(path)
    try:
        there, folder = path.exists(), path.is_dir()
    except OSError as err:
        raise _PandasReads("the file cannot be reached") from err
    if not there or folder:
        raise _PandasReads("not a file")
    if kind is None:
        raise _PandasReads(f"{path.suffix or 'files without an extension'} files are read by pandas")
    if kind == "parquet":
        return _parquet_names(path), None
    layout = _csv_layout(path, delimiter, keep=keep)
    return layout.names, layout
