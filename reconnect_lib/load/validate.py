"""Validating parsed tables: the pandera contract of each output table, and every
problem of a table worded as one :class:`~reconnect_lib.errors.Problem` per column and kind.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import schema as s
from ..column_maps import (
    REQUIRED_COLUMNS,
    TABLE_COLUMNS,
    MappedTable,
    close_columns,
    guess_map,
    normalise_name,
    synonyms_for,
)
from ..errors import Problem
from .cells import (
    MAX_AMOUNT,
    _amount_core,
    _amount_pattern,
    _Amounts,
    _Cleaned,
    _Dates,
    _guess_date_formats,
    _Options,
)

if TYPE_CHECKING:
    from .._pandera import SchemaErrors, pa


@cache
def _output_schema(table: str) -> pa.DataFrameSchema:
    from .._pandera import pa  # pandera: loaded when a schema is asked for

    required_values = {s.CLIENT_ID, s.DATE, s.AMOUNT, s.DO_NOT_CONTACT, s.CHANNEL}
    columns = {}
    for col in TABLE_COLUMNS[table]:
        checks = [pa.Check.isin(s.CHANNELS)] if col == s.CHANNEL else []
        columns[col] = pa.Column(
            s.INPUT_DTYPES[col],
            nullable=col not in required_values,
            unique=table == "clients" and col == s.CLIENT_ID,
            checks=checks,
        )
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name=table)


#: The pandera schema every frame returned by ``load_clients`` / ``load_transactions`` /
#: ``load_contacts`` meets, by module attribute; built (and pandera imported) on first use.
_OUTPUT_SCHEMAS = {
    "CLIENTS_SCHEMA": "clients",
    "TRANSACTIONS_SCHEMA": "transactions",
    "CONTACTS_SCHEMA": "contacts",
}


def __getattr__(name: str) -> Any:
    if name in _OUTPUT_SCHEMAS:
        return _output_schema(_OUTPUT_SCHEMAS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class _Check:
    """One validation rule: its pandera check and how to word a failure."""

    key: str
    column: str  # column of the checked frame
    mask: pd.Series  # True where the value is wrong
    message: str
    expected: str | None = None
    hint: str | None = None


@dataclass
class _Context:
    table: str
    file: str
    mapped: MappedTable
    opts: _Options
    map_name: str
    clients_file: str | None = None

    def label(self, column: str) -> str:
        src = self.mapped.sources.get(column.split("[")[0])
        if src is None:
            return column
        if "[" in column:  # a part of a product
            return src.columns[int(column.split("[")[1].rstrip("]"))]
        return src.label

    def read_as(self, column: str) -> str:
        canonical = column.split("[")[0]
        label = self.label(column)
        return "" if normalise_name(label) == normalise_name(canonical) else f" (read as `{canonical}`)"


def _missing_column_problem(ctx: _Context, canonical: str) -> Problem:
    raw_columns = ctx.mapped.raw_columns
    synonyms = [n for n in synonyms_for(canonical, ctx.table, ctx.map_name) if n != canonical][:6]
    if len(raw_columns) == 1 and not ctx.mapped.sources:
        # One column, and not one the table knows: likely not a table at all (a path
        # pointing at the wrong file, say a key or a password file). Its first line is
        # not shown: it would print whatever that file holds.
        return Problem(
            f"no column for `{canonical}`: the file has a single column, and it is not one the "
            f"{ctx.table} table has",
            file=ctx.file,
            column=canonical,
            expected=f"a table with a header row naming its columns (one of them {canonical}), "
            "separated by , ; tab or |",
            hint=f"check the `{ctx.table}` path under [data] in campaign.toml points at the exported table; "
            "if it does, set [data] delimiter to the character between its columns",
        )
    near = close_columns(canonical, ctx.table, raw_columns, ctx.map_name)
    found = ", ".join(repr(c) for c in raw_columns[:12]) + (" ..." if len(raw_columns) > 12 else "")
    hints = []
    if near:
        hints.append(
            f"did you mean {near[0]!r}? map it under [data.columns.{ctx.table}] in campaign.toml: "
            f'{canonical} = "{near[0]}" (in Python: columns={{"{canonical}": "{near[0]}"}})'
        )
    else:
        hints.append(
            f"name the column that holds it under [data.columns.{ctx.table}] in campaign.toml: "
            f'{canonical} = "Your column" (in Python: columns={{"{canonical}": "Your column"}})'
        )
    guessed = guess_map(raw_columns, ctx.table)  # type: ignore[arg-type]
    if guessed and guessed != ctx.map_name:
        hints.append(f'this looks like a {guessed} export: set column_map = "{guessed}" under [data]')
    return Problem(
        f"no column for `{canonical}` (columns found: {found or 'none'})",
        file=ctx.file,
        column=canonical,
        expected=f"a column named {canonical} or "
        + ", ".join(repr(n) for n in synonyms)
        + f" (column map `{ctx.map_name}`)",
        hint="; or ".join(hints),
    )


def _date_checks(ctx: _Context, column: str, dates: _Dates, raw: pd.Series) -> list[_Check]:
    opts = ctx.opts
    as_of = f"{opts.as_of:%Y-%m-%d}"
    if opts.date_format:
        expected = f'dates like {opts.as_of.strftime(opts.date_format)} (date_format = "{opts.date_format}")'
    elif opts.dayfirst:
        expected = "day-first dates such as 31/01/2024, or YYYY-MM-DD"
    else:
        expected = "dates as YYYY-MM-DD, or a date_format under [data] in campaign.toml"
    raw = raw[dates.bad].astype(object)  # the cells that are not dates, as read
    guesses = _guess_date_formats(raw) if len(raw) else []
    if guesses and guesses[0] != opts.date_format:
        choices = " or ".join(f'date_format = "{g}"' for g in guesses)
        example = pd.Timestamp(2024, 1, 31)
        shown = " / ".join(f"{example.strftime(g)}" for g in guesses)
        date_hint = (
            f"these look like {shown} dates: set {choices} under [data] in campaign.toml "
            f'(in Python: date_format="{guesses[0]}")'
        )
        if len(guesses) > 1:
            date_hint += "; day and month cannot be told apart from these values, so check one you know"
    elif raw.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool)).any():
        date_hint = (
            "some cells hold numbers: format the column as Date in Excel, or write the dates as YYYY-MM-DD"
        )
    else:
        date_hint = (
            "correct these cells, or set date_format under [data] in campaign.toml to the format the file "
            'uses (strftime codes, e.g. "%d/%m/%Y")'
        )
    read_as = ctx.read_as(column)
    return [
        _Check("not_a_date", column, dates.bad, f"not a date{read_as}", expected, date_hint),
        _Check(
            "before_1900",
            column,
            dates.early,
            f"date before 1900{read_as}",
            "dates from 1900 on",
            _EARLY_DATE_HINT,
        ),
        _Check(
            "after_as_of",
            column,
            dates.late,
            f"date after the as-of date {as_of}{read_as}",
            f"dates on or before {as_of}",
            _LATE_DATE_HINT,
        ),
    ]


#: Hints shared by the pandas loader and the scan, so both say the same of the same cell.
_EARLY_DATE_HINT = (
    "a date such as 1899-12-30 or 0001-01-01 is usually a placeholder for 'no date': leave such cells blank"
)
_LATE_DATE_HINT = (
    "a future date is often a day/month mix-up (check date_format) or a planned date: "
    "correct these cells, or run with a later as-of date"
)

_SCIENTIFIC = re.compile(r"^\s*[+-]?(?:\d+[.,]?\d*|[.,]\d+)[eE][+-]?\d+\s*$")
_NOT_A_NUMBER = frozenset(
    ("nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "null", "none")
)


def _amount_checks(ctx: _Context, column: str, amounts: _Amounts, raw: pd.Series) -> list[_Check]:
    """The checks of an amount column: cells that are not amounts, and amounts too large to be real."""
    huge = amounts.huge if amounts.huge is not None else pd.Series(False, index=amounts.bad.index)
    wrong = replace(amounts, bad=(amounts.bad & ~huge).astype(bool))
    limit = f"{MAX_AMOUNT:,.0f}"
    return [
        _amount_check(ctx, column, wrong, raw),
        _Check(
            "amount_too_large",
            column,
            huge,
            f"amount too large to be real{ctx.read_as(column)}",
            f"amounts between -{limit} and {limit}",
            "a value this large is usually an id or a phone number in the wrong column, or a "
            "placeholder: correct these cells or leave them blank",
        ),
    ]


def _amount_check(ctx: _Context, column: str, amounts: _Amounts, raw: pd.Series) -> _Check:
    decimal = amounts.decimal or ctx.opts.decimal or "."
    if decimal == ",":
        expected = "numbers such as 1234,56, 1.234,56 or -80 (decimal comma)"
    else:
        expected = "numbers such as 1234.56, 1,234.56 or -80 (decimal point)"
    other = "," if decimal == "." else "."
    bad_cells = raw[amounts.bad].astype(object)
    other_parses = bad_cells.map(
        lambda v: (
            isinstance(v, str)
            and (c := _amount_core(v)) is not None
            and bool(_amount_pattern(other).match(c[1]))
        )
    )
    scientific = bad_cells.map(lambda v: isinstance(v, str) and bool(_SCIENTIFIC.match(v)))
    words = bad_cells.map(lambda v: isinstance(v, str) and v.strip().casefold() in _NOT_A_NUMBER)
    if scientific.any():
        # Refused rather than read: Excel writes a number in scientific notation only when
        # its cell shows it so (General format, too narrow a column), with six significant
        # digits (123456789 becomes 1.23457E+08): the exported value is already rounded.
        hint = (
            "scientific notation such as 1.23457E+08 is how Excel shows a number it has rounded: "
            "format the column as Number (2 decimals) in the spreadsheet and export it again"
        )
    elif words.any():
        hint = "nan, inf or null stand for a missing or broken value: leave such cells blank, or correct them"
    elif other_parses.any():
        mark = "comma" if other == "," else "point"
        hint = (
            f'these use a decimal {mark}: set decimal = "{other}" under [data] in campaign.toml '
            f'(in Python: decimal="{other}"), and make the column use one convention'
        )
    else:
        hint = (
            "correct these cells; currency symbols, spaces and thousands separators are fine, words are not"
        )
    return _Check("not_an_amount", column, amounts.bad, f"not an amount{ctx.read_as(column)}", expected, hint)


def _unknown_ids_hint(unknown: Iterable[str], known: set[str], clients_file: str | None) -> str:
    where = Path(clients_file).name if clients_file else "the client list"
    stripped = {k.lstrip("0"): k for k in known}
    folded = {k.casefold(): k for k in known}
    unknown = list(unknown)
    for value in unknown:
        hidden = [c for c in value if unicodedata.category(c) in ("Cf", "Cc")]
        if hidden:
            # A zero-width space or a stray byte-order mark is invisible in a spreadsheet.
            codes = ", ".join(f"U+{ord(c):04X}" for c in hidden[:3])
            return (
                f"{value!r} holds an invisible character ({codes}), "
                "often pasted from a web page or left by joining two exports: delete it from the cell"
            )
    for value in unknown:
        twin = stripped.get(value.lstrip("0"))
        if twin is not None and twin != value:
            return (
                f"ids differ only by leading zeros ({value!r} here, {twin!r} in {where}): "
                "a spreadsheet probably dropped the zeros in one file; keep id columns as text, "
                "or export again as CSV"
            )
        if value.casefold() in folded:
            return f"ids differ only in capitals ({value!r} here, {folded[value.casefold()]!r} in {where})"
    return (
        f"add these clients to {where}, or check both files use the same id column (e.g. the same column map)"
    )


def _problems_from(err: SchemaErrors, ctx: _Context, checks: Mapping[str, _Check]) -> list[Problem]:
    """Word pandera's failure cases as Problems, in the table's column order."""
    order = {c: i for i, c in enumerate(TABLE_COLUMNS[ctx.table])}
    found: list[tuple[int, int, Problem]] = []
    cases = err.failure_cases
    for n, ((column, check), group) in enumerate(
        cases.groupby(["column", "check"], dropna=False, sort=False)
    ):
        if check == "column_in_dataframe":
            for canonical in group["failure_case"]:
                found.append((order.get(str(canonical), 99), n, _missing_column_problem(ctx, str(canonical))))
            continue
        group = group.assign(_row=pd.to_numeric(group["index"])).sort_values("_row", kind="stable")
        rows = [int(r) for r in group["_row"]]
        values = [v if isinstance(v, str) else str(v) for v in group["failure_case"]]
        label = ctx.label(str(column))
        read_as = ctx.read_as(str(column))
        if check == "not_nullable":
            hint = (
                "give these clients an id, or delete the rows if they are not clients (e.g. a totals row)"
                if column == s.CLIENT_ID and ctx.table == "clients"
                else f"fill in the {str(column).split('[')[0]} of these rows, or delete them"
            )
            problem = Problem(
                f"blank{read_as}",
                file=ctx.file,
                column=label,
                rows=rows,
                expected=f"{_article(str(column).split('[')[0])} on every row",
                hint=hint,
            )
        elif check == "field_uniqueness":
            distinct = len(set(values))
            appear = "ids appear" if distinct > 1 else "id appears"
            problem = Problem(
                f"{distinct} client {appear} on more than one row{read_as}",
                file=ctx.file,
                column=label,
                rows=rows,
                values=values,
                expected="each client once",
                hint=(
                    "Xero keys contacts by name: rename one of the contacts so each name is unique"
                    if "ContactName" in label
                    else "merge the duplicate rows into one, or map a different id column under "
                    f'[data.columns.{ctx.table}]: client_id = "..."'
                ),
            )
        else:
            rule = checks[str(check)]
            problem = Problem(
                rule.message,
                file=ctx.file,
                column=label,
                rows=rows,
                values=values,
                expected=rule.expected,
                hint=rule.hint,
            )
        found.append((order.get(str(column).split("[")[0], 99), n, problem))
    return [p for *_, p in sorted(found, key=lambda item: item[:2])]


@dataclass
class _Checked:
    """The cleaned raw values pandera validates (blank cells as None), one column at a time.

    Kept as the parsed columns and their blank masks; :meth:`frame` builds the
    frame of Python objects pandera reads, for the rows it has to see only.
    """

    index: pd.Index
    cells: dict[str, tuple[pd.Series | _Cleaned, pd.Series | None]]  # column -> (values, blank mask)

    def __contains__(self, column: object) -> bool:
        return column in self.cells

    def __getitem__(self, column: str) -> pd.Series:
        values, blank = self.cells[column]
        if isinstance(values, _Cleaned):
            return values.objects()
        return values if blank is None else values.astype(object).where(~blank, None)

    @property
    def columns(self) -> list[str]:
        return list(self.cells)

    def null(self, column: str) -> np.ndarray:
        """Where the column's checked value is missing."""
        values, blank = self.cells[column]
        if isinstance(values, _Cleaned):
            return values.null()
        return (values.isna() if blank is None else blank).to_numpy(dtype=bool)

    def frame(self, rows: np.ndarray | None = None) -> pd.DataFrame:
        """The object frame pandera validates, of every row or of the rows where ``rows`` is True."""
        at = None if rows is None else np.flatnonzero(rows)
        out = pd.DataFrame(index=self.index if at is None else self.index[at])
        for column, (values, blank) in self.cells.items():
            if isinstance(values, _Cleaned):
                out[column] = values.objects(at)
                continue
            if at is not None:
                values = values.iloc[at]
                blank = None if blank is None else blank.iloc[at]
            out[column] = values if blank is None else values.astype(object).where(~blank, None)
        return out


def _validate(checked: _Checked, ctx: _Context, checks: Sequence[_Check]) -> list[Problem]:
    """Run the pandera schema of the table over the cleaned raw values; every failure becomes a Problem.

    Parsing happened once, before; each rule is a pandera check over its result, so
    pandera collects every failure (lazily) with the row labels, which are the
    1-based data-row numbers of the file.

    Every rule but uniqueness looks at one row at a time, so pandera is shown only
    the rows that can fail one: a flagged value, a blank required cell, or (in the
    client list) an id that appears more than once, with all its rows. When a
    required column is missing it is shown every row, as it is then checked as a whole.
    """
    by_key: dict[str, _Check] = {}
    failing: list[tuple[str, _Check]] = []
    may_fail = np.zeros(len(checked.index), dtype=bool)
    for rule in checks:
        if not rule.mask.any():
            continue
        may_fail |= rule.mask.reindex(checked.index, fill_value=False).to_numpy(dtype=bool)
        key = f"{rule.key}:{rule.column}"
        by_key[key] = rule
        failing.append((key, rule))
    parts = [c for c in checked.columns if "[" in c]
    products = {c.split("[")[0] for c in parts}
    required = set(REQUIRED_COLUMNS[ctx.table])
    names = [col for col in TABLE_COLUMNS[ctx.table] if col not in products]
    if any(col not in checked for col in names if col in required):
        rows = None
    else:
        # A product's parts are required and never blank, like the required columns.
        for col in [*(c for c in names if c in required), *parts]:
            if col in checked:
                may_fail |= checked.null(col)
        if ctx.table == "clients" and s.CLIENT_ID in checked:
            may_fail |= checked[s.CLIENT_ID].duplicated(keep=False).to_numpy(dtype=bool)
        if not may_fail.any():
            return []  # nothing can fail: pandera is not even imported
        rows = may_fail
    from .._pandera import SchemaErrors, pa

    per_column: dict[str, list[pa.Check]] = {}
    for key, rule in failing:
        ok = ~rule.mask
        per_column.setdefault(rule.column, []).append(
            pa.Check(lambda col, ok=ok: ok.reindex(col.index, fill_value=True), error=key, ignore_na=False)
        )
    columns = {
        col: pa.Column(
            required=col in required,
            nullable=col not in required,
            unique=ctx.table == "clients" and col == s.CLIENT_ID,
            checks=per_column.get(col, []),
        )
        for col in names
    }
    columns.update({part: pa.Column(nullable=False, checks=per_column.get(part, [])) for part in parts})
    schema = pa.DataFrameSchema(columns, name=ctx.table)
    frame = checked.frame(rows)
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as err:
        return _problems_from(err, ctx, by_key)
    return []


def _article(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"
