"""Load and validate inputs: the first stage of the pipeline.

Reads a client list and, optionally, a transaction history and a contact
history (CSV with any common delimiter and encoding, Excel ``.xlsx``, Parquet,
or a DataFrame already in memory), renames their columns to the package's
vocabulary with a column map (:mod:`reconnect_lib.column_maps`), parses every
value into its canonical type, and validates the result with pandera. Every
problem found is reported in *one* :class:`~reconnect_lib.errors.InputError`
naming the file, the column, the rows (1-based data rows, header not counted)
and the offending values, what was expected and how to fix it.

Nothing is dropped silently: rows set aside are counted, with the reason, in
the :class:`LoadReport`. Rows are set aside only when they are

* blank (no value in any column, e.g. the empty rows Excel leaves at the bottom);
* excluded by the column map (``exclude_when``: a draft, voided or cancelled invoice);
* a repeated line of an invoice whose total the map says is per invoice (Xero's
  ``Total``): the invoice is counted once.

Otherwise identical history rows are kept: two equal purchases on one day, or
two calls, are not provably duplicates.

Channels: known words and synonyms are read as the vocabulary of
:data:`reconnect_lib.schema.CHANNELS` (call → phone, mail/post → letter, e-mail
→ email, meeting → visit, ...); any other value, a blank cell, or a missing
channel column is read as ``"other"`` and counted, by value, in the load report.
An unrecognised channel is still a contact, so it still ends a client's silence;
rejecting the file over a word like "Fax" would stop a campaign for nothing.

Canonical types after loading (the contract :mod:`reconnect_lib.client_base`
relies on; see :data:`CLIENTS_SCHEMA`, :data:`TRANSACTIONS_SCHEMA`,
:data:`CONTACTS_SCHEMA`):

============================  =====================  ===============================
column                        dtype                  notes
============================  =====================  ===============================
client_id, invoice_id         ``string``             stripped, inner spaces collapsed
name, email, ... (text)       ``string``             spaces collapsed, ``<NA>`` if blank
client_since, last_contact,   ``datetime64[ns]``     tz-naive, midnight, ``NaT`` when
last_purchase, date                                  blank (``date`` is never blank)
amount, total_revenue         ``float64``            refunds negative
do_not_contact                ``bool``               blank means False
channel                       ``string``             one of :data:`schema.CHANNELS`
============================  =====================  ===============================

Every output frame has all the columns of its table, in that order, with a
fresh ``RangeIndex``; a column the file does not have is all missing.

Example
-------
>>> from datetime import date
>>> import pandas as pd
>>> raw = pd.DataFrame({"Customer ID": ["007"], "Last Contacted": ["2024-03-05"]})
>>> clients = load_clients(raw, as_of=date(2025, 1, 1))
>>> clients.loc[0, "client_id"], clients.loc[0, "last_contact"]
('007', Timestamp('2024-03-05 00:00:00'))
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import logging
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import pandas as pd

from . import schema as s
from ._pandera import SchemaErrors, pa
from .column_maps import (
    REQUIRED_COLUMNS,
    TABLE_COLUMNS,
    ColumnMap,
    MappedTable,
    Source,
    Table,
    _layers,
    apply_map,
    close_columns,
    get_map,
    guess_map,
    normalise_name,
    synonyms_for,
)
from .config import CampaignConfig
from .errors import ConfigError, InputError, Problem, ReconnectError
from .options import CSV_SUFFIXES, EXCEL_SUFFIXES, PARQUET_SUFFIXES

__all__ = [
    "CHANNEL_SYNONYMS",
    "CLIENTS_SCHEMA",
    "CONTACTS_SCHEMA",
    "DTYPES",
    "TRANSACTIONS_SCHEMA",
    "Inputs",
    "LoadReport",
    "TableReport",
    "load_clients",
    "load_contacts",
    "load_inputs",
    "load_transactions",
    "read_table",
    "scan_inputs",
]

log = logging.getLogger(__name__)

DecimalMark = Literal[".", ","]
SourceLike = str | Path | pd.DataFrame

DELIMITERS = (",", ";", "\t", "|")
EARLIEST = pd.Timestamp("1900-01-01")

_DATE_COLUMNS = frozenset((*s.CLIENT_DATE_COLUMNS, s.DATE))
_AMOUNT_COLUMNS = frozenset((s.AMOUNT, s.TOTAL_REVENUE))
_ID_COLUMNS = frozenset((s.CLIENT_ID, s.INVOICE_ID))
_TEXT_COLUMNS = frozenset(s.CLIENT_TEXT_COLUMNS)

#: Canonical dtype of every column an input table can have.
DTYPES: dict[str, str] = {
    **{c: "string" for c in (*_ID_COLUMNS, *_TEXT_COLUMNS, s.CHANNEL)},
    **{c: "datetime64[ns]" for c in _DATE_COLUMNS},
    **{c: "float64" for c in _AMOUNT_COLUMNS},
    s.DO_NOT_CONTACT: "bool",
}

_TRUE = frozenset(("yes", "y", "true", "t", "1", "x", "on"))
_FALSE = frozenset(("no", "n", "false", "f", "0", "off", "none", ""))
_BOOL_EXPECTED = "yes/no, true/false, y/n, 1/0, x (yes) or a blank cell (no)"

#: Channel words read as each channel of :data:`schema.CHANNELS` (matched ignoring
#: case, spaces and punctuation). Anything else is read as "other" and counted.
CHANNEL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "letter": (
        "letter",
        "letters",
        "mail",
        "post",
        "postal",
        "postal mail",
        "direct mail",
        "card",
        "postcard",
    ),
    "phone": ("phone", "call", "calls", "phone call", "telephone", "tel", "outbound call", "inbound call"),
    "email": ("email", "e-mail", "emails", "e mail"),
    "visit": ("visit", "meeting", "in person", "face to face", "f2f", "site visit", "appointment"),
    "gift": ("gift", "present", "hamper"),
    "other": ("other",),
}
_CHANNEL_OF = {normalise_name(w): ch for ch, words in CHANNEL_SYNONYMS.items() for w in words}


# --- the contract of the output (what the next stage relies on) --------------------


def _output_schema(table: str) -> pa.DataFrameSchema:
    required_values = {s.CLIENT_ID, s.DATE, s.AMOUNT, s.DO_NOT_CONTACT, s.CHANNEL}
    columns = {}
    for col in TABLE_COLUMNS[table]:
        checks = [pa.Check.isin(s.CHANNELS)] if col == s.CHANNEL else []
        columns[col] = pa.Column(
            DTYPES[col],
            nullable=col not in required_values,
            unique=table == "clients" and col == s.CLIENT_ID,
            checks=checks,
        )
    return pa.DataFrameSchema(columns, strict=True, ordered=True, name=table)


#: pandera schema every frame returned by :func:`load_clients` meets.
CLIENTS_SCHEMA = _output_schema("clients")
#: pandera schema every frame returned by :func:`load_transactions` meets.
TRANSACTIONS_SCHEMA = _output_schema("transactions")
#: pandera schema every frame returned by :func:`load_contacts` meets.
CONTACTS_SCHEMA = _output_schema("contacts")


# --- the load report ----------------------------------------------------------------


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


# --- reading ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Raw:
    frame: pd.DataFrame  # object columns as read; index = 1-based data-row numbers
    file: str  # what messages call the source
    read_as: str
    delimiter: str | None = None


def read_table(
    source: SourceLike,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
    decimal: DecimalMark | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read a CSV, Excel or Parquet file as it is: no renaming, no parsing.

    CSV cells are read as strings (so ``"00123"`` keeps its zeros) with empty
    cells as ``None``; the delimiter (``,`` ``;`` tab ``|``) and the encoding
    (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252/Latin-1)
    are detected unless given. Excel cells keep what the workbook stores: text
    as strings, numbers as numbers (a number formatted ``00000`` comes back
    zero-padded), dates as datetimes. Parquet and DataFrame columns keep their
    dtypes (a DataFrame is copied; a named index becomes a column).

    Parameters
    ----------
    source
        Path of a ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xlsm`` or ``.parquet``
        file, or a DataFrame.
    delimiter, encoding
        For CSV; detected when ``None``.
    decimal
        ``","`` rules out the comma as the CSV delimiter when detecting it;
        amounts themselves are parsed later, by the ``load_*`` functions.
    sheet
        Excel sheet name or 0-based position; the first sheet when ``None``.

    Returns
    -------
    pandas.DataFrame
        Columns as in the file (names stripped; blank or repeated names made
        unique, e.g. ``"Unnamed: 3"``, ``"Email.1"``), a fresh RangeIndex;
        row ``i`` is data row ``i + 1`` of the file.

    Raises
    ------
    InputError
        If the file is missing, of an unsupported type, or cannot be parsed.

    Examples
    --------
    >>> import pandas as pd
    >>> read_table(pd.DataFrame({"Client No": ["00123"]})).loc[0, "Client No"]
    '00123'
    """
    _check_options(decimal=decimal, delimiter=delimiter)
    return _read(source, name="table", delimiter=delimiter, encoding=encoding, decimal=decimal, sheet=sheet)[
        0
    ].frame.reset_index(drop=True)


def _read(
    source: SourceLike,
    *,
    name: str,
    delimiter: str | None,
    encoding: str | None,
    decimal: str | None,
    sheet: str | int | None,
) -> tuple[_Raw, list[str]]:
    """The raw table and notes on how it was read."""
    if isinstance(source, pd.DataFrame):
        frame = _frame_from_memory(source)
        return _Raw(frame, f"{name} (DataFrame)", "a DataFrame"), []
    if not isinstance(source, str | Path):
        raise InputError(
            f"cannot read the {name} from a {type(source).__name__}",
            expected="a file path or a pandas DataFrame",
        )
    path = Path(source)
    file = str(path)
    try:
        exists = path.exists()
    except OSError as err:  # e.g. a folder on the way that this user may not enter
        raise InputError(
            f"cannot be reached ({err.strerror or type(err).__name__})",
            file=file,
            hint="check the path and that your user may open the folders on it",
        ) from err
    if not exists:
        folder = path.parent if path.parent.is_dir() else None
        near = (
            _close(path.name, [p.name for p in folder.iterdir() if p.is_file()]) if folder is not None else []
        )
        raise InputError(
            "file not found",
            file=file,
            hint=(f"did you mean {near[0]!r}? " if near else "")
            + f"check the `{name}` path under [data] in campaign.toml (relative paths start at its folder)",
        )
    if path.is_dir():
        raise InputError(
            "is a folder, not a file", file=file, hint=f"give the path of the {name} file itself"
        )
    suffix = path.suffix.lower()
    _read_bytes(path, 0)  # can it be opened at all? (permissions, a broken mount)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, delimiter=delimiter, encoding=encoding, decimal=decimal)
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, sheet=sheet), []
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(path), []
    if suffix == ".xls":
        raise InputError(
            "old-style Excel .xls files are not supported",
            file=file,
            hint="open the file in Excel and save it as .xlsx (Excel Workbook) or as CSV",
        )
    raise InputError(
        f"unsupported file type {suffix or '(no extension)'!r}",
        file=file,
        expected="CSV (.csv, .txt, .tsv), Excel (.xlsx, .xlsm) or Parquet (.parquet)",
        hint="export the data as CSV or .xlsx, or rename the file with the right extension",
    )


def _is_text_table(path: Path) -> bool:
    """True when a file named like a workbook is not one (not a zip archive) but text."""
    try:
        if zipfile.is_zipfile(path):
            return False
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError:
        return False  # the workbook reader says what is wrong
    return bool(head.strip()) and not _looks_binary(head) and not head.startswith(b"\xd0\xcf\x11\xe0")


def _close(word: str, candidates: Sequence[str]) -> list[str]:
    return difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.8)


def _unique_names(names: Iterable[object]) -> list[str]:
    out: list[str] = []
    seen: Counter[str] = Counter()
    for i, raw in enumerate(names):
        name = "" if raw is None or (not isinstance(raw, str) and pd.isna(raw)) else str(raw)
        name = name.replace("\ufeff", "").strip() or f"Unnamed: {i}"
        base = name
        while name in seen:
            name = f"{base}.{seen[base]}"
            seen[base] += 1
        seen[name] += 1
        out.append(name)
    return out


def _frame_from_memory(source: pd.DataFrame) -> pd.DataFrame:
    frame = source.copy()
    named_index = any(n is not None for n in frame.index.names)
    if named_index:
        frame = frame.reset_index()
    frame.columns = _unique_names(frame.columns)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _decode(data: bytes, encoding: str | None, file: str) -> tuple[str, str]:
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError as err:
            raise ConfigError(
                f"unknown encoding {encoding!r}",
                hint='use e.g. encoding = "utf-8", "cp1252" or "latin-1", or leave it out to detect it',
            ) from err
        except UnicodeDecodeError as err:
            utf8 = _strict_utf8(data)
            if utf8 is not None:
                return utf8, f"UTF-8 (not {encoding}, as [data] encoding says)"
            line = data[: err.start].count(b"\n") + 1
            raise InputError(
                f"is not {encoding} text (byte {data[err.start : err.start + 1]!r} on line {line})",
                file=file,
                hint="remove `encoding` under [data] in campaign.toml to let the loader detect it, "
                'or set the right one, e.g. encoding = "latin-1"',
            ) from err
        utf8 = _strict_utf8(data)
        if utf8 is not None and utf8 != text.removeprefix("\ufeff"):
            # A UTF-8 file read as latin-1, cp1252 or UTF-16 never fails, it garbles every
            # accent ('Café' becomes 'CafÃ©') into the letters; the UTF-8 reading is the
            # one whose characters the file holds (one setting covers every file).
            return utf8, f"UTF-8 (not {encoding}, as [data] encoding says)"
        return text.removeprefix("\ufeff"), encoding
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").removeprefix("\ufeff"), "UTF-16"
        except UnicodeDecodeError as err:
            raise InputError(
                "is not valid UTF-16 text", file=file, hint="save it again as CSV UTF-8"
            ) from err
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), f"UTF-16 {utf16[-2:].upper()} (no byte-order mark)"
        except UnicodeDecodeError:
            pass
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "UTF-8 with BOM"
        except UnicodeDecodeError:
            data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def _strict_utf8(data: bytes) -> str | None:
    """The text of UTF-8 bytes (a byte-order mark dropped), or None when they are not UTF-8.

    Bytes in a UTF-16 encoding are not taken for UTF-8 (ASCII text in UTF-16 is valid UTF-8,
    with a NUL between letters).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(data):
        return None
    if data[:4096].count(0) * 4 > len(data[:4096]):  # UTF-32, or UTF-16 with other scripts
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` for text in UTF-16 without a byte-order mark (Latin
    text then has a NUL in every other byte, and never two NULs side by side), else None."""
    head = data[:4096]
    if len(head) < 4 or len(head) % 2 or b"\x00\x00" in head:
        return None
    for zeros, other, name in ((head[1::2], head[0::2], "utf-16-le"), (head[0::2], head[1::2], "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and 0 not in other:
            return name
    return None


def _sniff(text: str, decimal: str | None) -> str:
    """The delimiter that splits the first lines into the most consistent, widest rows."""
    sample = text[:65536]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    best, best_score = ",", (0.0, 1)
    for delim in DELIMITERS:
        if delim == "," and decimal == ",":
            continue
        try:
            rows = [
                r
                for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delim)
                if any(map(str.strip, r))
            ]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width, body = len(rows[0]), rows[1:51]
        consistency = sum(len(r) == width for r in body) / len(body) if body else 1.0
        if (consistency, width) > best_score:
            best, best_score = delim, (consistency, width)
    return best


#: The longest cell a CSV may hold: Python's CSV reader stops at 128 KiB, and a CRM's notes
#: or an e-mail body can be longer.
MAX_CELL_CHARS = 16 * 1024 * 1024


@contextmanager
def _long_cells() -> Iterator[None]:
    """Let Python's CSV reader read cells up to :data:`MAX_CELL_CHARS` while inside (the
    limit is the csv module's own, so it is put back on the way out)."""
    before = csv.field_size_limit()
    csv.field_size_limit(max(before, MAX_CELL_CHARS))
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _describe_delimiter(delim: str) -> str:
    return {"\t": "tab", ",": "','", ";": "';'", "|": "'|'"}.get(delim, repr(delim))


_EXCEL_SEP = re.compile(r"sep=([^\r\n])[ \t]*(?:\r\n|\r|\n)")


def _read_csv(
    path: Path, *, delimiter: str | None, encoding: str | None, decimal: str | None
) -> tuple[_Raw, list[str]]:
    file = str(path)
    data = _read_bytes(path)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        # An archive (stored, its text readable inside) would otherwise be read as a garbled table.
        workbook = zipfile.is_zipfile(path) and "xl/workbook.xml" in zipfile.ZipFile(path).namelist()
        raise InputError(
            "is an Excel workbook, not a CSV file" if workbook else "is a ZIP archive, not a CSV file",
            file=file,
            expected="a CSV file (text), an Excel .xlsx workbook or a Parquet file",
            hint=(
                "rename it with the .xlsx extension, or save it from Excel as CSV"
                if workbook
                else "unzip it and point the path under [data] in campaign.toml at the table inside"
            ),
        )
    if _looks_binary(data):
        raise InputError(
            "is not a text table: it holds binary data",
            file=file,
            expected="a CSV file (text), an Excel .xlsx workbook or a Parquet file",
            hint="check the path under [data] in campaign.toml points at the exported table",
        )
    if not data.strip():
        raise InputError(
            "the file is empty", file=file, hint="export the data again; the file has no header row"
        )
    text, used_encoding = _decode(data, encoding, file)
    # Excel's "sep=;" first line names the delimiter; it is not the header.
    excel_sep = _EXCEL_SEP.match(text)
    if excel_sep:
        text = text[excel_sep.end() :]
    delim = delimiter or (excel_sep.group(1) if excel_sep else _sniff(text, decimal))
    try:
        with _long_cells():
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
    except csv.Error as err:
        raise InputError(
            f"cannot be read as CSV: {err}",
            file=file,
            hint="check the file opens in a spreadsheet; set [data] delimiter if it is not , ; tab or |",
        ) from err
    header_at = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_at is None:
        raise InputError(
            "the file has no header row", file=file, hint="export the data again with column names"
        )
    _check_title_row(rows, header_at, file, unit="line")
    header = _unique_names(rows[header_at])
    width = len(header)
    body = rows[header_at + 1 :]
    too_long = [
        i for i, r in enumerate(body, start=1) if len(r) > width and any(c.strip() for c in r[width:])
    ]
    if too_long:
        hint = (
            f"a value probably contains the delimiter {_describe_delimiter(delim)} without quotes: "
            "put such values in double quotes, or set [data] delimiter in campaign.toml"
        )
        if len(too_long) * 2 > len(body):
            # Most rows are wider than the first line: that line is a title or a note
            # above the real header (an export's "Client list, printed 1 May").
            line = _header_line(rows, header_at)
            if line is not None:
                hint = (
                    f"line {header_at + 1} ({', '.join(repr(c) for c in rows[header_at] if c.strip())[:60]}) "
                    f"looks like a title above the header, which seems to be on line {line}: "
                    f"delete the lines above line {line} and save the file again"
                )
        raise InputError(
            "more values than the header has columns",
            file=file,
            rows=too_long,
            expected=f"at most {width} values per row, like the header",
            hint=hint,
        )
    _check_repeated_header(rows[header_at], body, file)
    records = [[c if c != "" else None for c in (r[:width] + [""] * (width - len(r)))] for r in body]
    frame = pd.DataFrame(records, columns=header, dtype=object) if records else _empty(header)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    frame = _drop_empty_unnamed(frame)
    read_as = f"CSV, {_describe_delimiter(delim)}-separated, {used_encoding}"
    if used_encoding.startswith("UTF-8 (not "):
        notes = [f"read as {used_encoding}: its text is UTF-8, which {encoding} would garble"]
    elif used_encoding.startswith("UTF-8") or encoding:
        notes = []
    else:
        notes = [f"read as {used_encoding} text (not UTF-8)"]
    return _Raw(frame, file, read_as, delim), notes


def _header_line(rows: Sequence[Sequence[str]], first: int) -> int | None:
    """The 1-based line of the first row below `first` as wide as most rows after it, if any.

    Lines are counted as rows of the CSV reader (a quoted line break aside, the file's lines).
    """
    widths = Counter(sum(1 for c in r if c.strip()) for r in rows[first + 1 :] if any(c.strip() for c in r))
    if not widths:
        return None
    common = widths.most_common(1)[0][0]
    for i in range(first + 1, len(rows)):
        if sum(1 for c in rows[i] if c.strip()) >= common:
            return i + 1
    return None


def _check_title_row(rows: Sequence[Sequence[str | None]], first: int, file: str, *, unit: str) -> None:
    """Refuse a table whose first row is a lone title (one cell) above rows of several values.

    Such a row would otherwise be read as the header: every column but one unnamed, and the
    real header read as a row of data.
    """
    named = [c for c in rows[first] if c is not None and c.strip()]
    if len(named) != 1:
        return
    line = _header_line([[c or "" for c in r] for r in rows], first)
    if line is None:
        return
    widths = Counter(sum(1 for c in r if c is not None and c.strip()) for r in rows[first + 1 :])
    widths.pop(0, None)
    if not widths or widths.most_common(1)[0][0] < 3:
        return
    raise InputError(
        f"{unit} {first + 1} ({named[0][:60]!r}) looks like a title above the header, "
        f"which seems to be on {unit} {line}",
        file=file,
        expected=f"the column names on the first {unit}",
        hint=f"delete the {unit}s above {unit} {line} and save the file again",
    )


def _check_repeated_header(header: Sequence[object], body: Sequence[Sequence[object]], file: str) -> None:
    """Refuse data rows that repeat the header: two exports joined into one file.

    Read as data, such a row is a client called 'client_id' and a date 'date'.
    """

    def norm(value: object) -> str:
        return "" if _is_blank(value) else str(value).strip().casefold()

    key = [norm(c) for c in header]
    while key and not key[-1]:
        key.pop()
    named = [i for i, c in enumerate(key) if c]
    if len(named) < 2:
        return
    first = named[0]
    again = [
        i
        for i, r in enumerate(body, start=1)
        if len(r) > first
        and isinstance(r[first], str)
        and norm(r[first]) == key[first]  # (a cheap look at one cell before the whole row)
        and [norm(c) for c in r[: len(key)]] == key
    ]
    if again:
        raise InputError(
            "repeats the header row (two exports joined into one file?)",
            file=file,
            rows=again,
            expected="the column names once, on the first row",
            hint="delete these rows, and check the rows after each are not already in the file above it",
        )


def _read_bytes(path: Path, size: int = -1) -> bytes:
    """The bytes of a data file (the first `size`, or all), or an InputError saying why they
    cannot be read."""
    try:
        if size < 0:
            return path.read_bytes()
        with path.open("rb") as handle:
            return handle.read(size)
    except IsADirectoryError as err:
        raise InputError(
            "is a folder, not a file", file=str(path), hint="give the path of the file itself"
        ) from err
    except PermissionError as err:
        raise InputError(
            "cannot be read: permission denied",
            file=str(path),
            hint="give your user read access to the file (or copy it somewhere you can read), then run again",
        ) from err
    except OSError as err:
        raise InputError(
            f"cannot be read ({err.strerror or type(err).__name__})",
            file=str(path),
            hint="check the file is there and readable (a cloud-synced file may need downloading first)",
        ) from err


#: Bytes no text table holds (tab, line feed, form feed and carriage return aside).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0c\r")


def _looks_binary(data: bytes) -> bool:
    """True for the bytes of a file that is not text: a workbook, an archive, an image, a key store.

    Judged on the first 8 KiB, as ``file`` and git do: more than one control byte in
    twenty (a NUL now and then inside a CSV is kept as it is). UTF-16 text (whose
    every other byte is NUL) is text.
    """
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or not head or _utf16_without_bom(head):
        return False
    controls = sum(head.count(b) for b in _CONTROL_BYTES)
    return controls > max(2, len(head) // 20)


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})


def _drop_empty_unnamed(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop trailing header-less columns with no values (a spreadsheet's stray empty columns)."""
    drop = [c for c in frame.columns if c.startswith("Unnamed: ") and frame[c].map(_is_blank).all()]
    return frame.drop(columns=drop) if drop else frame


def _excel_cell(cell: Any) -> object:
    value = cell.value
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        fmt = getattr(cell, "number_format", None) or ""
        if re.fullmatch(r"0+", fmt) and float(value).is_integer():
            return str(int(value)).zfill(len(fmt))  # an id shown with leading zeros in Excel
    return value


def _read_excel(path: Path, *, sheet: str | int | None) -> _Raw:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    file = str(path)
    with warnings.catch_warnings(), ExitStack() as stack:
        # openpyxl warns about workbook features it does not read (styles, data validation); harmless here.
        warnings.simplefilter("ignore", UserWarning)
        try:
            # Opened here, so that it is closed even when openpyxl stops half-way (it would leave
            # its own handle open); read-only workbooks read from it until closed.
            handle = stack.enter_context(path.open("rb"))
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as err:
            # (a damaged part of the archive raises an XML ParseError, a SyntaxError)
            # Not read as CSV unasked: a file named .xlsx that holds text is more often
            # the wrong file than a mislabelled export, so the user says which it is.
            text = _is_text_table(path)
            raise InputError(
                "cannot be read as an Excel workbook" + (": it is text, not a workbook" if text else ""),
                file=file,
                hint=f"it looks like a CSV export: rename it to {path.stem}.csv and point [data] at that"
                if text
                else "open it in Excel and save it as .xlsx (Excel Workbook), or export it as CSV",
            ) from err
        try:
            sheets = workbook.worksheets
            titles = [ws.title for ws in sheets]
            if sheet is None:
                # The first sheet the user sees: a hidden one (lookups, an old copy) is not the data.
                ws = next((w for w in sheets if getattr(w, "sheet_state", "visible") == "visible"), sheets[0])
            elif isinstance(sheet, int) and not isinstance(sheet, bool):
                if not 0 <= sheet < len(sheets):
                    raise InputError(
                        f"has no sheet number {sheet} (counting from 0)",
                        file=file,
                        expected="one of " + ", ".join(f"{i} ({t!r})" for i, t in enumerate(titles)),
                        hint="set [data] sheet in campaign.toml to a sheet name or its position from 0",
                    )
                ws = sheets[sheet]
            else:
                by_key = {t.strip().casefold(): ws for t, ws in zip(titles, sheets, strict=True)}
                ws = by_key.get(str(sheet).strip().casefold())
                if ws is None:
                    near = _close(str(sheet), titles)
                    raise InputError(
                        f"has no sheet named {sheet!r}",
                        file=file,
                        expected="one of " + ", ".join(repr(t) for t in titles),
                        hint=(f'did you mean sheet = "{near[0]}"? ' if near else "")
                        + "set [data] sheet in campaign.toml",
                    )
            try:
                rows = [[_excel_cell(c) for c in row] for row in ws.iter_rows()]
            except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError) as err:
                raise InputError(
                    f"sheet {ws.title!r} cannot be read: the workbook is damaged",
                    file=file,
                    hint="open it in Excel and save it again as .xlsx, or export the sheet as CSV",
                ) from err
            title = ws.title
            unsaved = _formulas_without_values(handle, getattr(ws, "_worksheet_path", None))
        finally:
            workbook.close()
    if unsaved:
        verb = "holds" if len(unsaved) == 1 else "hold"
        raise InputError(
            f"sheet {title!r}: {_plural(len(unsaved), 'cell')} {verb} a formula whose value was never saved "
            f"(e.g. {', '.join(unsaved[:5])}), so they would read as blank",
            file=file,
            hint="the workbook was written by a program that does not calculate formulas: open it in "
            "Excel or LibreOffice, save it, and run again (or export the sheet as CSV)",
        )
    header_at = next((i for i, r in enumerate(rows) if any(not _is_blank(v) for v in r)), None)
    if header_at is None:
        raise InputError(
            f"sheet {title!r} is empty", file=file, hint="set [data] sheet to the sheet with the data"
        )
    width = max(len(r) for r in rows)
    _check_title_row(
        [[None if _is_blank(v) else str(v) for v in r] for r in rows], header_at, file, unit="row"
    )
    header = _unique_names([*rows[header_at], *[None] * (width - len(rows[header_at]))])
    body = [[*r, *[None] * (width - len(r))] for r in rows[header_at + 1 :]]
    _check_repeated_header(rows[header_at], body, file)
    frame = pd.DataFrame(body, columns=header, dtype=object) if body else _empty(header)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    frame = _drop_empty_unnamed(frame)
    return _Raw(frame, file, f"Excel, sheet {title!r}")


#: A formula cell of a sheet's XML with no value or an empty one: a spreadsheet program saves
#: the value it calculated; a library writing a workbook saves the formula alone. (A formula
#: whose value is the empty string is typed ``t="str"`` and is not matched.)
_UNSAVED_FORMULA = re.compile(
    rb'<c\b(?![^>]*\bt="str")[^>]*\br="([A-Z]+[0-9]+)"[^>]*>'
    rb"(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)


def _formulas_without_values(handle: IO[bytes], part: str | None) -> list[str]:
    """The cells (e.g. ``C2``) of a workbook's sheet that hold a formula with no saved value."""
    if not part:
        return []
    try:
        with zipfile.ZipFile(handle) as archive:
            xml = archive.read(part.lstrip("/"))
    except (zipfile.BadZipFile, KeyError, OSError):
        return []  # openpyxl read the sheet; a part it found by another name is not checked
    return [m.group(1).decode() for m in _UNSAVED_FORMULA.finditer(xml)]


def _read_parquet(path: Path) -> _Raw:
    import pyarrow as pa

    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError, ImportError, TypeError, NotImplementedError, pa.ArrowException) as err:
        raise InputError(
            f"cannot be read as Parquet: {err}",
            file=str(path),
            hint="write it again with pandas.DataFrame.to_parquet, or export CSV",
        ) from err
    return _Raw(_frame_from_memory(frame), str(path), "Parquet")


# --- cleaning and parsing values -------------------------------------------------------


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _blank_mask(col: pd.Series) -> pd.Series:
    """True where a cell is missing or only spaces."""
    if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
        try:
            spaces = col.str.strip() == ""  # NaN (never equal) for non-text cells
        except (AttributeError, TypeError):  # no text at all, or bytes (a Parquet binary column)
            return col.map(_is_blank).astype(bool)
        return (col.isna() | spaces.fillna(False).astype(bool)).astype(bool)
    return col.isna()


def _as_text(value: object) -> str | None:
    if isinstance(value, bytes | bytearray):  # a Parquet binary column: text, usually UTF-8
        value = bytes(value).decode("utf-8", errors="replace")
    if _is_blank(value):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        value = int(value)
    elif isinstance(value, datetime | pd.Timestamp) and value == pd.Timestamp(value).normalize():
        value = pd.Timestamp(value).date()
    # Runs of spaces and line breaks (a multi-line address cell) become one space.
    return " ".join(str(value).split())


def _as_id(value: object) -> str | None:
    return _as_text(value)


def _is_text_column(col: pd.Series) -> bool:
    """True when every value is a string or missing (so equal values are equal strings)."""
    if isinstance(col.dtype, pd.StringDtype):
        return True
    return col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty")


def _distinct_text(col: pd.Series) -> tuple[np.ndarray, list[str | None], bool] | None:
    """Codes (-1 where missing), :func:`_as_text` of each distinct value, and whether none changed.

    None if the column is not all text. Cleaning once per distinct value gives what
    ``col.map(_as_text)`` gives: for a string, ``_as_text`` is its words joined by one
    space, or None if it is blank.
    """
    if not _is_text_column(col):
        return None
    codes, uniques = pd.factorize(col)
    distinct = np.asarray(uniques, dtype=object).tolist()
    cleaned = [" ".join(v.split()) or None for v in distinct]
    return np.asarray(codes), cleaned, cleaned == distinct


@dataclass(frozen=True)
class _Cleaned:
    """``col.map(_as_text)`` of a column, as codes into a table of distinct cleaned values.

    ``table[codes]`` is the cleaned column (None where blank); code -1 is a missing
    cell and reads the table's last entry, None.
    """

    codes: np.ndarray
    table: np.ndarray
    index: pd.Index
    clean: pd.Series | None = None  # the column itself, when no value needed cleaning

    @classmethod
    def of(cls, col: pd.Series) -> _Cleaned:
        distinct = _distinct_text(col)
        if distinct is None:  # not all text: value by value
            cleaned = [*(_as_text(v) for v in col.astype(object)), None]
            return cls(np.arange(len(col)), np.array(cleaned, dtype=object), col.index)
        codes, cleaned, unchanged = distinct
        return cls(codes, np.array([*cleaned, None], dtype=object), col.index, col if unchanged else None)

    def objects(self, at: np.ndarray | None = None) -> pd.Series:
        """The cleaned values as Python objects, None where blank (of the rows at positions ``at``)."""
        if at is None:
            return pd.Series(self.table[self.codes], index=self.index, dtype=object)
        return pd.Series(self.table[self.codes[at]], index=self.index[at], dtype=object)

    def null(self) -> np.ndarray:
        """Where the cleaned value is None."""
        return pd.isna(self.table)[self.codes]

    def strings(self) -> pd.Series:
        """``self.objects().astype("string")``, converting each distinct value once."""
        if self.clean is not None:  # every value was clean already: only the dtype changes
            return self.clean.astype("string").rename(None)
        at = np.where(self.codes < 0, len(self.table) - 1, self.codes)
        return pd.Series(pd.array(self.table, dtype="string").take(at), index=self.index)

    def values(self) -> list[str]:
        """The distinct cleaned values that are not None (in no particular order)."""
        return [v for v in self.table if v is not None]


def _clean_text(col: pd.Series) -> pd.Series:
    """``col.map(_as_text)`` as an object Series (None where blank), once per distinct value."""
    return _Cleaned.of(col).objects()


def _typed(col: pd.Series, canonical: str) -> pd.Series:
    """The column as the parsers read it: in a dtype they have a fast path for, else as objects."""
    dtype = col.dtype
    if pd.api.types.is_object_dtype(dtype):
        return col
    if canonical in _ID_COLUMNS or canonical in _TEXT_COLUMNS or canonical == s.CHANNEL:
        keep = isinstance(dtype, pd.StringDtype)
    elif canonical in _DATE_COLUMNS:
        keep = isinstance(dtype, pd.DatetimeTZDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "M")
    elif canonical in _AMOUNT_COLUMNS:
        keep = isinstance(dtype, np.dtype) and dtype.kind in "iuf"
    elif canonical == s.DO_NOT_CONTACT:
        keep = isinstance(dtype, np.dtype) and dtype.kind == "b"
    else:
        keep = False
    return col if keep else col.astype(object)


@dataclass(frozen=True)
class _Options:
    as_of: pd.Timestamp
    date_format: str | None
    dayfirst: bool
    decimal: str | None
    delimiter: str | None  # of the CSV read, a clue for the decimal mark


_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
)
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})$")
_TIME_TAIL = re.compile(
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?)\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
)


@dataclass(frozen=True)
class _Dates:
    parsed: pd.Series  # datetime64[ns], midnight; NaT where blank or wrong
    bad: pd.Series  # not a date
    early: pd.Series  # before 1900
    late: pd.Series  # after as_of


def _from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    text = (
        year.astype(int).astype(str).str.zfill(4)
        + "-"
        + month.astype(int).astype(str).str.zfill(2)
        + "-"
        + day.astype(int).astype(str).str.zfill(2)
    )
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")


def _parse_date_strings(text: pd.Series, opts: _Options) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Parsed dates (NaT if not), and masks of years out of range seen before parsing."""
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    early = pd.Series(False, index=text.index)
    late = pd.Series(False, index=text.index)
    if text.empty:
        return result, early, late
    iso = text.str.extract(_ISO_DATE)
    is_iso = iso[0].notna()
    if is_iso.any():
        year = iso.loc[is_iso, 0].astype(int)
        early |= (year < EARLIEST.year).reindex(text.index, fill_value=False)
        late |= (year > 2200).reindex(text.index, fill_value=False)
        ok = is_iso & ~early & ~late
        if ok.any():
            parsed = _from_parts(iso.loc[ok, 0], iso.loc[ok, 1], iso.loc[ok, 2])
            result.loc[parsed.index] = parsed.astype("datetime64[us]").to_numpy()
    rest = text[~is_iso]
    if rest.empty:
        return result, early, late
    if opts.date_format:
        fmt = opts.date_format
        if not re.search(r"%[HIMSpfzZTXc]", fmt):
            rest = rest.str.replace(_TIME_TAIL, "", regex=True)
        try:
            parsed = pd.to_datetime(rest, format=fmt, errors="coerce")
        except ValueError as err:
            raise ConfigError(
                f"date_format = {fmt!r} is not a valid strftime format: {err}",
                expected='a format such as "%d/%m/%Y" or "%m/%d/%Y"',
            ) from err
        result.loc[rest.index] = parsed.astype("datetime64[us]").to_numpy()
    elif opts.dayfirst:
        dmy = rest.str.replace(_TIME_TAIL, "", regex=True).str.extract(_DAY_FIRST)
        hit = dmy[0].notna()
        if hit.any():
            year = dmy.loc[hit, 2].astype(int)
            two_digit = dmy.loc[hit, 2].str.len() == 2
            year = year.where(~two_digit, year + np.where(year < 69, 2000, 1900))
            parsed = _from_parts(year, dmy.loc[hit, 1], dmy.loc[hit, 0])
            result.loc[parsed.index] = parsed.astype("datetime64[us]").to_numpy()
    return result, early, late


def _stamp(value: object) -> pd.Timestamp:
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp


def _parse_dates(col: pd.Series, opts: _Options) -> _Dates:
    index = col.index
    false = pd.Series(False, index=index)
    early, late = false.copy(), false.copy()
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        result = col.dt.tz_localize(None)
        missing = col.isna()
    elif pd.api.types.is_datetime64_dtype(col.dtype):
        result = col
        missing = col.isna()
    else:
        values = col.astype(object)
        missing = values.map(_is_blank).astype(bool)
        is_text = values.map(lambda v: isinstance(v, str)).astype(bool) & ~missing
        is_stamp = (
            values.map(lambda v: isinstance(v, datetime | date | np.datetime64)).astype(bool) & ~missing
        )
        result = pd.Series(pd.NaT, index=index, dtype="datetime64[us]")
        if is_stamp.any():
            stamps = pd.Series([_stamp(v) for v in values[is_stamp]], index=values[is_stamp].index)
            result.loc[stamps.index] = stamps.astype("datetime64[us]").to_numpy()
        if is_text.any():
            text = values[is_text].astype(str).str.strip()
            parsed, text_early, text_late = _parse_date_strings(text, opts)
            result.loc[parsed.index] = parsed.to_numpy()
            early |= text_early.reindex(index, fill_value=False)
            late |= text_late.reindex(index, fill_value=False)
    early |= result.notna() & (result < EARLIEST)
    late |= result.notna() & (result > opts.as_of)
    bad = ~missing & result.isna() & ~early & ~late
    values = result.where(~(early | late)).astype("datetime64[ns]").dt.normalize()
    return _Dates(values, bad.astype(bool), early.astype(bool), late.astype(bool))


_DATE_GUESSES = (
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d.%m.%y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
)


def _guess_date_formats(values: Iterable[object]) -> list[str]:
    """strftime formats that read the most of ``values``; two when day/month order is ambiguous."""
    # A sample of distinct values with digits is enough to recognise a format.
    distinct = dict.fromkeys(v.strip() for v in values if isinstance(v, str) and any(c.isdigit() for c in v))
    text = pd.Series(list(distinct)[:50], dtype=object)
    if text.empty:
        return []
    text = text.str.replace(_TIME_TAIL, "", regex=True)
    scores = {
        fmt: int(pd.to_datetime(text, format=fmt, errors="coerce").notna().sum()) for fmt in _DATE_GUESSES
    }
    best = max(scores.values())
    if best == 0:
        return []
    return [fmt for fmt, n in scores.items() if n == best][:2]


_CURRENCY = r"(?:[€$£¥₹]|[A-Z]{3}|CHF|kr|Fr\.?)"
_CURRENCY_EDGE = re.compile(rf"^{_CURRENCY}\s*|\s*{_CURRENCY}$")
_NUMBER_CHARS = re.compile(r"^[\d.,]+$")
_GROUPING = re.compile(r"[\s\u00a0\u202f'’]")


def _amount_core(text: str) -> tuple[bool, str] | None:
    """(negative, digits with separators) of an amount written as text, or None."""
    t = text.strip().replace("\u2212", "-")
    negative = False
    if t.startswith("(") and t.endswith(")"):
        negative, t = True, t[1:-1].strip()
    t = _CURRENCY_EDGE.sub("", t).strip()
    if t[:1] in "+-" and t:
        negative ^= t[0] == "-"
        t = _CURRENCY_EDGE.sub("", t[1:].strip()).strip()
    elif t.endswith("-"):
        negative, t = not negative, t[:-1].strip()
    t = _GROUPING.sub("", t)
    if not t or not _NUMBER_CHARS.match(t) or not any(ch.isdigit() for ch in t):
        return None
    return negative, t


def _decimal_vote(core: str) -> str | None:
    """Which decimal mark a single number shows, if it shows one unambiguously."""
    dot, comma = core.rfind("."), core.rfind(",")
    if dot >= 0 and comma >= 0:
        return "," if comma > dot else "."
    mark = "," if comma >= 0 else "." if dot >= 0 else None
    if mark is None:
        return None
    if core.count(mark) > 1:
        return "." if mark == "," else ","  # repeated: a thousands separator
    whole, _, fraction = core.partition(mark)
    if len(fraction) == 3 and 1 <= len(whole) <= 3 and whole != "0":
        return None  # "1,234": a thousand or one point two three four?
    return mark


def _amount_pattern(decimal: str) -> re.Pattern[str]:
    thousands = "." if decimal == "," else ","
    d, t = re.escape(decimal), re.escape(thousands)
    return re.compile(rf"^(?:\d+|\d{{1,3}}(?:{t}\d{{3}})+)(?:{d}\d*)?$|^{d}\d+$")


#: The largest amount, either way, the loader accepts: a trillion. Money is summed in
#: whole cents in float64, exact up to 2**53 (about 9e15) cents; a bound of 1e12 (1e14
#: cents) leaves room to add up thousands of such amounts per client exactly. No real
#: invoice of a consultancy is larger; a bigger value is a pasted id, a typo or a
#: placeholder such as 1e308, which would make every total infinite.
MAX_AMOUNT = 1e12


@dataclass(frozen=True)
class _Amounts:
    parsed: pd.Series  # float64, NaN where blank or wrong
    bad: pd.Series  # not an amount, or too large (`huge`)
    decimal: str | None  # the mark used for text values
    huge: pd.Series | None = None  # a number, but larger than MAX_AMOUNT either way (part of `bad`)


def _bounded(amounts: _Amounts) -> _Amounts:
    """The amounts with every value beyond :data:`MAX_AMOUNT` (or infinite) marked bad and huge."""
    parsed = amounts.parsed
    huge = (parsed.abs() > MAX_AMOUNT).fillna(False).astype(bool)
    if not huge.any():
        return replace(amounts, huge=huge)
    return _Amounts(parsed.where(~huge), (amounts.bad | huge).astype(bool), amounts.decimal, huge)


_PLAIN_NUMBER = r"^[+-]?[0-9]+(?:([.,])([0-9]+))?$"  # ASCII: pd.to_numeric reads no other digits


def _plain_amounts(raw: pd.Series, opts: _Options) -> _Amounts | None:
    """Fast path for the common export: plain numbers, one decimal mark, no thousands separators.

    Returns None (use the general parser) when anything is less plain or the mark is ambiguous.
    """
    blank = _blank_mask(raw)
    if not raw[~blank].map(lambda v: isinstance(v, str)).all():
        return None
    text = raw[~blank].astype(str).str.strip()
    parts = text.str.extract(_PLAIN_NUMBER)
    if not text.str.match(_PLAIN_NUMBER).all():
        return None
    marks = set(parts[0].dropna().unique())
    decimal = opts.decimal
    if len(marks) > 1:
        return None
    if marks:
        (mark,) = marks
        if decimal is None:
            whole = text[parts[0].notna()].str.lstrip("+-").str.split(mark, regex=False).str[0]
            fraction = parts[1].dropna()
            thousands_like = (fraction.str.len() == 3) & whole.str.len().between(1, 3) & (whole != "0")
            if thousands_like.all():
                return None  # "1,234" alone: a thousand, or one point two?
            decimal = mark
        elif decimal != mark:
            return None
    values = pd.Series(np.nan, index=raw.index)
    values[~blank] = pd.to_numeric(text.str.replace(",", ".", regex=False)).astype("float64")
    return _Amounts(values, pd.Series(False, index=raw.index), decimal if marks else None)


def _parse_amounts(col: pd.Series, opts: _Options) -> _Amounts:
    """Every cell of an amount column as a float: NaN where blank; ``bad`` where it is not an
    amount (a word, ``nan``, ``inf``, ``1e6``) or larger than :data:`MAX_AMOUNT` either way
    (``huge``, a part of ``bad``)."""
    return _bounded(_parse_amount_cells(col, opts))


def _parse_amount_cells(col: pd.Series, opts: _Options) -> _Amounts:
    index = col.index
    if pd.api.types.is_bool_dtype(col.dtype):
        return _Amounts(pd.Series(np.nan, index=index), col.notna(), None)
    if pd.api.types.is_numeric_dtype(col.dtype):
        values = col.astype("float64")
        bad = values.notna() & ~np.isfinite(values.fillna(0))
        return _Amounts(values.where(~bad), bad, None)
    raw = col.astype(object)
    fast = _plain_amounts(raw, opts)
    if fast is not None:
        return fast
    cores = {i: _amount_core(v) for i, v in raw.items() if isinstance(v, str) and v.strip()}
    decimal = opts.decimal
    if decimal is None and cores:
        votes = Counter(v for c in cores.values() if c and (v := _decimal_vote(c[1])))
        if votes[","] > votes["."]:
            decimal = ","
        elif votes["."] > votes[","] or votes["."]:
            decimal = "."
        else:
            decimal = "," if opts.delimiter == ";" else "."
    pattern = _amount_pattern(decimal or ".")
    thousands = "." if decimal == "," else ","
    out = np.full(len(raw), np.nan)
    bad = np.zeros(len(raw), dtype=bool)
    for pos, (i, v) in enumerate(raw.items()):
        if _is_blank(v):
            continue
        if isinstance(v, str):
            core = cores.get(i)
            if core is None or not pattern.match(core[1]):
                bad[pos] = True
                continue
            number = float(core[1].replace(thousands, "").replace(decimal or ".", "."))
            out[pos] = -number if core[0] else number
        elif isinstance(v, int | float | Decimal | np.integer | np.floating) and not isinstance(
            v, bool | np.bool_
        ):
            number = float(v)
            if np.isfinite(number):
                out[pos] = number
            else:
                bad[pos] = True
        else:
            bad[pos] = True
    return _Amounts(pd.Series(out, index=index), pd.Series(bad, index=index), decimal if cores else None)


def _parse_bools(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    def one(v: object) -> bool | None:
        if _is_blank(v):
            return False
        if isinstance(v, bool | np.bool_):
            return bool(v)
        if isinstance(v, int | float | np.integer | np.floating) and v in (0, 1):
            return bool(v)
        key = str(v).strip().casefold().rstrip(".")
        return True if key in _TRUE else False if key in _FALSE else None

    if isinstance(col.dtype, np.dtype) and col.dtype.kind == "b":
        return col.astype(bool), pd.Series(False, index=col.index)
    parsed = col.astype(object).map(one)
    bad = parsed.isna()
    return parsed.where(~bad, False).astype(bool), bad.astype(bool)


def _parse_channels(col: pd.Series) -> tuple[pd.Series, Counter[str]]:
    """Channels in the vocabulary, and how many raw values were read as "other" (by value)."""
    others: Counter[str] = Counter()

    def one(v: object) -> str:
        text = _as_text(v)
        if text is None:
            others["(blank)"] += 1
            return "other"
        channel = _CHANNEL_OF.get(normalise_name(text))
        if channel is None:
            others[text] += 1
            return "other"
        return channel

    distinct = _distinct_text(col)
    if distinct is None:
        return col.astype(object).map(one).astype("string"), others
    codes, cleaned, _ = distinct
    # Once per distinct value; counted in order of first appearance, as the row-by-row reading does.
    present, first = np.unique(codes, return_index=True)
    counts = np.bincount(codes + 1, minlength=len(cleaned) + 1)
    channels: list[str] = []
    for text in cleaned:
        channel = None if text is None else _CHANNEL_OF.get(normalise_name(text))
        channels.append(channel or "other")
    for code in present[np.argsort(first, kind="stable")]:
        text = None if code < 0 else cleaned[code]
        if code < 0 or text is None or _CHANNEL_OF.get(normalise_name(text)) is None:
            others["(blank)" if text is None else text] += int(counts[code + 1])
    table = np.array([*channels, "other"], dtype=object)
    return pd.Series(table[codes], index=col.index, dtype=object).astype("string"), others


# --- validation ---------------------------------------------------------------------


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
    per_column: dict[str, list[pa.Check]] = {}
    may_fail = np.zeros(len(checked.index), dtype=bool)
    for rule in checks:
        if not rule.mask.any():
            continue
        may_fail |= rule.mask.reindex(checked.index, fill_value=False).to_numpy(dtype=bool)
        key = f"{rule.key}:{rule.column}"
        by_key[key] = rule
        ok = ~rule.mask
        per_column.setdefault(rule.column, []).append(
            pa.Check(lambda col, ok=ok: ok.reindex(col.index, fill_value=True), error=key, ignore_na=False)
        )
    parts = [c for c in checked.columns if "[" in c]
    products = {c.split("[")[0] for c in parts}
    required = set(REQUIRED_COLUMNS[ctx.table])
    columns = {
        col: pa.Column(
            required=col in required,
            nullable=col not in required,
            unique=ctx.table == "clients" and col == s.CLIENT_ID,
            checks=per_column.get(col, []),
        )
        for col in TABLE_COLUMNS[ctx.table]
        if col not in products
    }
    columns.update({part: pa.Column(nullable=False, checks=per_column.get(part, [])) for part in parts})
    schema = pa.DataFrameSchema(columns, name=ctx.table)
    if any(col not in checked for col, column in columns.items() if column.required):
        frame = checked.frame()
    else:
        for col, column in columns.items():
            if col in checked and not column.nullable:
                may_fail |= checked.null(col)
        if ctx.table == "clients" and s.CLIENT_ID in checked:
            may_fail |= checked[s.CLIENT_ID].duplicated(keep=False).to_numpy(dtype=bool)
        if not may_fail.any():
            return []
        frame = checked.frame(may_fail)
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as err:
        return _problems_from(err, ctx, by_key)
    return []


# --- loading one table ---------------------------------------------------------------


@dataclass
class _Loaded:
    frame: pd.DataFrame | None
    report: TableReport | None
    problems: list[Problem]
    ids: pd.Series | None = None  # cleaned client ids, even if other columns failed
    file: str | None = None
    cleaned_ids: _Cleaned | None = None  # the same ids, as codes into their distinct values


def _check_options(
    *, decimal: object = None, delimiter: object = None, date_format: object = None, dayfirst: object = False
) -> None:
    if decimal not in (None, ".", ","):
        raise ConfigError(f"decimal = {decimal!r} is not a decimal mark", expected='"." or ","')
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise ConfigError(
            f"delimiter = {delimiter!r} is not one character", expected='e.g. ",", ";", "\\t" or "|"'
        )
    if date_format is not None and (not isinstance(date_format, str) or "%" not in date_format):
        raise ConfigError(
            f"date_format = {date_format!r} is not a strftime format",
            expected='a format such as "%d/%m/%Y" or "%m/%d/%Y"',
        )
    if not isinstance(dayfirst, bool):
        raise ConfigError(f"dayfirst = {dayfirst!r} is not true or false")


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


def _article(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _load_table(
    table: Table,
    source: SourceLike,
    *,
    as_of: object,
    client_ids: Iterable[object] | None = None,
    clients_file: str | None = None,
    cleaned_client_ids: _Cleaned | None = None,
    column_map: str | ColumnMap = "generic",
    columns: Mapping[str, str] | None = None,
    date_format: str | None = None,
    dayfirst: bool = False,
    decimal: DecimalMark | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | int | None = None,
) -> _Loaded:
    """Read, map, parse and validate one table; problems are returned, not raised.

    ``cleaned_client_ids``, when given, is ``client_ids`` already cleaned (the client
    list's :attr:`_Loaded.cleaned_ids`), so they are not cleaned again.
    """
    _check_options(decimal=decimal, delimiter=delimiter, date_format=date_format, dayfirst=dayfirst)
    stamp = _as_of(as_of)
    named = column_map if isinstance(column_map, ColumnMap) else get_map(column_map)
    try:
        raw, notes = _read(
            source, name=table, delimiter=delimiter, encoding=encoding, decimal=decimal, sheet=sheet
        )
    except InputError as err:
        return _Loaded(None, None, _problems_of(err), file=err.file)
    file = raw.file
    frame = raw.frame
    rows_read = len(frame)

    blank_rows = pd.DataFrame({c: _blank_mask(frame[c]) for c in frame.columns}).all(axis=1)
    if frame.columns.empty:
        blank_rows = pd.Series(True, index=frame.index)
    set_aside: Counter[str] = Counter()
    if blank_rows.any():
        set_aside["blank"] = int(blank_rows.sum())
        frame = frame[~blank_rows]

    mapped = apply_map(frame, table, named, columns)
    problems = [
        Problem(p.message, file=file, column=p.column, expected=p.expected, hint=p.hint)
        for p in mapped.problems
    ]
    keep = mapped.exclude.isna()
    for reason, n in mapped.exclude[~keep].value_counts(sort=False).items():
        set_aside[f"with {reason}"] = int(n)
    data = mapped.frame[keep]
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

    opts = _Options(stamp, date_format, dayfirst, decimal, raw.delimiter)
    ctx = _Context(table, file, mapped, opts, named.name, clients_file)

    # Clean every value into what the checks and the output see; blanks become None.
    checked = _Checked(data.index, {})
    cleaned_ids: dict[str, _Cleaned] = {}
    parsed: dict[str, pd.Series] = {}
    checks: list[_Check] = []
    for col in data.columns:
        canonical = col.split("[")[0]
        values = _typed(data[col], canonical)
        blank = _blank_mask(values)
        if canonical in _ID_COLUMNS:
            cleaned = cleaned_ids[col] = _Cleaned.of(values)  # _as_id of every value
            checked.cells[col] = (cleaned, None)
            parsed[col] = cleaned.strings()
            continue
        checked.cells[col] = (values, blank)
        if canonical in _TEXT_COLUMNS:
            parsed[col] = _Cleaned.of(values).strings()
            continue
        if canonical in _DATE_COLUMNS:
            dates = _parse_dates(values, opts)
            parsed[col] = dates.parsed
            checks += _date_checks(ctx, col, dates, values)
        elif canonical in _AMOUNT_COLUMNS:
            amounts = _parse_amounts(values, opts)
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
        # Looked up once per distinct id of this file.
        id_codes = cleaned_ids[s.CLIENT_ID]
        distinct_ids = pd.Series(id_codes.table, dtype=object)
        strange = (distinct_ids.notna() & ~distinct_ids.isin(known_ids.values())).to_numpy(dtype=bool)
        unknown = pd.Series(strange[id_codes.codes], index=data.index)
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
            out[col] = pd.Series(pd.NA if DTYPES[col] == "string" else np.nan, index=index, dtype=DTYPES[col])
    frame = pd.DataFrame(out, index=index)
    return frame.astype({c: DTYPES[c] for c in frame.columns})


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
    return _raise(
        _load_table(
            "clients",
            source,
            as_of=as_of,
            column_map=column_map,
            columns=columns,
            date_format=date_format,
            dayfirst=dayfirst,
            decimal=decimal,
            delimiter=delimiter,
            encoding=encoding,
            sheet=sheet,
        )
    )


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
    return _raise(
        _load_table(
            "transactions",
            source,
            as_of=as_of,
            client_ids=client_ids,
            column_map=column_map,
            columns=columns,
            date_format=date_format,
            dayfirst=dayfirst,
            decimal=decimal,
            delimiter=delimiter,
            encoding=encoding,
            sheet=sheet,
        )
    )


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
    return _raise(
        _load_table(
            "contacts",
            source,
            as_of=as_of,
            client_ids=client_ids,
            column_map=column_map,
            columns=columns,
            date_format=date_format,
            dayfirst=dayfirst,
            decimal=decimal,
            delimiter=delimiter,
            encoding=encoding,
            sheet=sheet,
        )
    )


def _read_options(config: CampaignConfig, as_of: date) -> dict[str, Any]:
    """The read options of campaign.toml's ``[data]`` for the table loaders, with its
    column map resolved (a ``.toml`` map relative to the campaign file's folder)."""
    data = config.data
    column_map: str = data.column_map
    if column_map.endswith(".toml") and config.source is not None and not Path(column_map).is_absolute():
        column_map = str(config.source.parent / column_map)
    return {
        "as_of": as_of,
        "column_map": get_map(column_map),
        "date_format": data.date_format,
        "dayfirst": data.dayfirst,
        "decimal": data.decimal,
        "delimiter": data.delimiter,
        "encoding": data.encoding,
        "sheet": data.sheet,
    }


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
    options = _read_options(config, as_of)
    clients = _load_table("clients", data.clients, columns=data.columns.get("clients"), **options)
    histories: dict[str, _Loaded | None] = {}
    for table, path in (("transactions", data.transactions), ("contacts", data.contacts)):
        histories[table] = (
            None
            if path is None
            else _load_table(
                table,  # type: ignore[arg-type]
                path,
                client_ids=clients.ids,
                clients_file=clients.file,
                cleaned_client_ids=clients.cleaned_ids,
                columns=data.columns.get(table),  # type: ignore[call-overload]
                **options,
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


# --- reading with another engine -------------------------------------------------------

#: What a table read by Polars, DuckDB or Spark is checked for, by aggregate queries
#: over the whole table (see :func:`scan_inputs`).
SCAN_CHECKS = (
    "every column the table needs is there (by the column map), with a usable type",
    "dates read as text are ISO days the calendar has (no 2024-02-31, no month 13)",
    "no blank client id; no client id twice in the client list",
    "no blank date or amount in a history; no date after as_of or before 1900",
    "every history row names a client of the client list",
)


class _PandasReads(Exception):
    """Raised inside a scan when the pandas loader must read the table: why, in a few words."""


@dataclass(frozen=True)
class _CsvLayout:
    """A CSV as the pandas loader reads it: its delimiter, its column names, its data rows
    and how many characters each column holds in all (to check an engine read the same cells)."""

    delimiter: str
    names: list[str]
    rows: int
    chars: list[int]


def _csv_layout(path: Path, delimiter: str | None) -> _CsvLayout:
    """Read a CSV once, as the pandas loader would, without keeping its rows.

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


def _scan_text(col: Any, found: Any) -> Any:
    """An id or text column of a scanned table, cleaned as the pandas loader's ``_as_text`` cleans it.

    Runs of whitespace (any character ``str.split()`` splits on: tabs, line
    breaks, no-break spaces...) become one space, the ends are trimmed and a
    blank cell is null. A float column (ids from a spreadsheet) gives whole
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
    text = col.cast(nw.String).str.replace_all(_WHITESPACE_RUN, " ").str.strip_chars(" ")
    return nw.when(text == "").then(nw.lit(None, dtype=nw.String)).otherwise(text)


def _iso_problems(
    frame: Any, columns: list[str], mapped: MappedTable, ctx: _Context, engine: str
) -> list[Problem]:
    """A problem for each text date column holding something other than ISO days, and one for
    each holding ISO-shaped days that are not in the calendar (2024-02-31, 2024-13-01).

    Both are counted in one aggregate query, before any engine parses a date:
    Polars and DuckDB would raise their own conversion error on an impossible
    day, Spark would read it as null or raise depending on its ANSI setting.
    """
    import narwhals as nw

    client = nw.col(mapped.sources[s.CLIENT_ID].columns[0])

    def text(column: str) -> Any:
        return _strip(nw.col(mapped.sources[column].columns[0]))

    def bad(column: str) -> Any:
        raw = text(column)
        return ~raw.is_null() & (raw != "") & ~raw.str.contains(_ISO_DAY)

    def impossible(column: str) -> Any:
        raw = text(column)
        iso = ~raw.is_null() & (raw != "") & raw.str.contains(_ISO_DAY)
        # Only ISO-shaped text is taken apart: a cast of other text to a number
        # fails on Polars, even in a branch that is not taken.
        day = nw.when(iso).then(raw.str.slice(0, 10)).otherwise(nw.lit("2000-01-01"))
        y, m, d = (day.str.slice(start, n).cast(nw.Int64) for start, n in ((0, 4), (5, 2), (8, 2)))
        leap = (((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)).cast(nw.Int64)
        short = ((m == 4) | (m == 6) | (m == 9) | (m == 11)).cast(nw.Int64)
        last_day = 31 - short - (m == 2).cast(nw.Int64) * (3 - leap)
        return iso & ((m < 1) | (m > 12) | (d < 1) | (d > last_day))

    def count(mask: Any, name: str) -> Any:
        return mask.fill_null(False).cast(nw.Int64).sum().cast(nw.Int64).alias(name)

    counts = frame.select(
        *(count(bad(c), f"bad:{c}") for c in columns),
        *(count(impossible(c), f"impossible:{c}") for c in columns),
    )
    counts = counts.collect() if isinstance(counts, nw.LazyFrame) else counts
    found = counts.rows(named=True)[0]

    def examples(mask: Any, column: str) -> list[object]:
        rows = frame.filter(mask).select(client, nw.col(mapped.sources[column].columns[0])).head(5)
        rows = rows.collect() if isinstance(rows, nw.LazyFrame) else rows
        return [f"{r[0]}: {r[1]}" for r in rows.rows()]

    problems = []
    for column in columns:
        label = mapped.sources[column].columns[0]
        n = int(found[f"bad:{column}"])
        if n:
            # Setting date_format alone is enough: the pandas loader then reads the table, on any engine.
            sample = frame.filter(bad(column)).select(nw.col(label)).head(50)
            sample = sample.collect() if isinstance(sample, nw.LazyFrame) else sample
            guesses = _guess_date_formats(v for (v,) in sample.rows())
            fmt = f'date_format = "{guesses[0]}"' if guesses else "date_format (strftime codes)"
            problems.append(
                Problem(
                    f"{n:,} value{'s' if n > 1 else ''} of column {label}{ctx.read_as(column)} "
                    f"{'are' if n > 1 else 'is'} not an ISO date",
                    file=ctx.file,
                    column=column,
                    values=examples(bad(column), column),
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
                    values=examples(impossible(column), column),
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


def _scan_precheck(
    frame: Any, schema: Any, mapped: MappedTable, layout: _CsvLayout | None, engine: str
) -> None:
    """Make sure the engine reads the file as the pandas loader would, or raise :class:`_PandasReads`.

    One aggregate query: with a CSV, the rows and the characters of each column
    must be the ones Python's CSV reader found (quotes, line breaks and escapes
    read alike); amounts must be plain numbers the loader reads the same way
    (no currency, thousands separator, decimal comma, ``nan``, or a value beyond
    :data:`MAX_AMOUNT`); text dates must not be ones only the loader reads (a
    time of day, a time zone); yes/no cells must be words the loader knows.
    Whatever is not so is read by the pandas loader, which reads it or names
    the rows it cannot read.
    """
    import narwhals as nw

    def count(mask: Any) -> Any:
        return mask.fill_null(False).cast(nw.Int64).sum().cast(nw.Int64)

    queries: dict[str, tuple[Any, str]] = {}
    for canonical, src in mapped.sources.items():
        name = src.columns[0]
        found = schema[name]
        col = nw.col(name)
        if canonical in _DATE_COLUMNS:
            if found == nw.String:
                text = _strip(col)
                iso_day = text.str.contains(_ISO_DAY_ASCII)
                only_pandas = ~_blank_text(text) & text.str.contains(_PANDAS_ISO) & ~iso_day
                queries[f"dates:{name}"] = (count(only_pandas), "dates with a time of day or a time zone")
            elif isinstance(found, nw.Datetime) and found.time_zone is not None:
                raise _PandasReads(f"{src.label} holds times with a time zone")
            elif found != nw.Date and not isinstance(found, nw.Datetime):
                raise _PandasReads(f"{src.label} is read by {engine} as {found}")
        elif canonical in _AMOUNT_COLUMNS:
            if found == nw.String:
                text = _strip(col)
                filled = ~_blank_text(text)
                plain = text.str.contains(_PLAIN_AMOUNT)
                queries[f"amounts:{name}"] = (
                    count(filled & ~plain),
                    f"amounts in {src.label} that are not plain numbers (a currency, a thousands "
                    "separator, a decimal comma or a word)",
                )
                dotted = filled & plain & text.str.contains(r"\.")
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
                cell = _blank_text(_strip(nw.col(name)))
            elif found.is_float():
                cell = cell | nw.col(name).is_nan()
            blank = cell if blank is None else blank & cell
        if blank is not None:
            queries["__blank"] = (count(blank), "blank rows, which the pandas loader sets aside")
    else:
        queries["__rows"] = (nw.len().cast(nw.Int64), "")
        for i, name in enumerate(layout.names):
            queries[f"__chars{i}"] = (nw.col(name).str.len_chars().cast(nw.Int64).sum().cast(nw.Int64), "")
    if not queries:
        return
    totals = frame.select(*(expr.alias(key) for key, (expr, _) in queries.items()))
    totals = totals.collect() if isinstance(totals, nw.LazyFrame) else totals
    found_counts = {k: int(v or 0) for k, v in totals.rows(named=True)[0].items()}
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


def _scan_layout(path: Path, delimiter: str | None) -> tuple[list[str], _CsvLayout | None]:
    """The column names of a file an engine may scan (and a CSV's layout), or :class:`_PandasReads`."""
    from .engines import file_kind

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
    layout = _csv_layout(path, delimiter)
    return layout.names, layout


def _scan_table(
    table: Table,
    path: Path,
    *,
    engine: str,
    data: Any,
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
    :func:`_scan_precheck`), and whatever the engine raises when it cannot read the file.
    """
    import narwhals as nw

    from . import _frames as fr
    from .engines import file_kind, scan

    kind = file_kind(path)
    file = str(path)
    columns = data.columns.get(table)
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
    _scan_precheck(frame, schema, mapped, layout, engine)
    dtype = fr.date_dtype(frame)
    text = [c for c in (s.CLIENT_ID, s.INVOICE_ID, *_DATE_COLUMNS) if c in mapped.sources]
    iso = [c for c in text if c in _DATE_COLUMNS and schema[mapped.sources[c].columns[0]] == nw.String]
    if iso:
        problems += _iso_problems(frame, iso, mapped, ctx, engine)
        if problems:
            return None, None, problems
    exprs = []
    for canonical in TABLE_COLUMNS[table]:
        src = mapped.sources.get(canonical)
        col = nw.col(src.columns[0]) if src else None
        found = schema[src.columns[0]] if src else None
        if canonical in _DATE_COLUMNS:
            target = dtype
            if canonical in iso:
                expr = _strip(col).str.slice(0, 10).str.to_date("%Y-%m-%d")
            else:
                expr = fr.to_date(src.columns[0], dtype) if src else nw.lit(None, dtype=dtype)
        elif canonical in _AMOUNT_COLUMNS:
            target = nw.Float64
            if src is None:
                expr = nw.lit(None, dtype=nw.Float64)
            elif found == nw.String:
                amount = _strip(col)
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
                expr = _scan_text(col, found)
            else:
                expr = col.cast(nw.String) if src else nw.lit(None, dtype=nw.String)
        exprs.append(expr.cast(target).alias(canonical))
    typed = frame.select(*exprs)
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
    from .engines import check_engine, from_pandas, read_errors, spark_session

    engine = check_engine(engine or config.engine.name)
    if engine == "pandas":
        return load_inputs(config, as_of=as_of)
    if engine == "spark" and spark is None:
        spark = spark_session(config.engine.master, config=config.engine.spark_config)
    data = config.data
    options = _read_options(config, as_of)
    named = options["column_map"]
    pandas_only = [
        f"{key} = {getattr(data, key)!r}"
        for key in ("date_format", "dayfirst", "decimal", "encoding")
        if getattr(data, key)
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
                names, layout = _scan_layout(path, data.delimiter)
                mapped = apply_map(pd.DataFrame(columns=names), table, named, data.columns.get(table))  # type: ignore[arg-type]
                why = _needs_pandas(_layers(table, named), mapped)
                if why is None:
                    native, report, found = _scan_table(
                        table,  # type: ignore[arg-type]
                        path,
                        engine=engine,
                        data=data,
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
                columns=data.columns.get(table),  # type: ignore[call-overload]
                **(
                    {}
                    if table == "clients"
                    else {"client_ids": _client_ids(clients_frame), "clients_file": clients_file}
                ),
                **options,
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
    from .engines import to_pandas

    return to_pandas(clients.select(s.CLIENT_ID).to_native())[s.CLIENT_ID]
