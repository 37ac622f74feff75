"""Reading files into raw text frames: CSV (any common delimiter and encoding), Excel, Parquet.

No value is parsed here: a frame of raw cells, indexed by 1-based data-row numbers,
is what :mod:`~reconnect_lib.load.tables` parses and validates.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from ..errors import ConfigError, InputError
from ..options import CSV_SUFFIXES, EXCEL_SUFFIXES, PARQUET_SUFFIXES, DecimalMark
from .cells import _arrow_strip, _check_options, _is_blank

SourceLike = str | Path | pd.DataFrame

DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class _Raw:
    frame: pd.DataFrame  # columns as read (see _read's `arrow`); index = 1-based data-row numbers
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
    arrow: bool = False,
) -> tuple[_Raw, list[str]]:
    """The raw table and notes on how it was read.

    With ``arrow``, a plain CSV's columns are pyarrow strings (``pd.ArrowDtype(pa.string())``,
    null where blank) as the columnar reader gives them, for the parsers' vectorised paths;
    otherwise every CSV cell is a Python string or None.
    """
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
        return _read_csv(path, delimiter=delimiter, encoding=encoding, decimal=decimal, arrow=arrow)
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
    path: Path, *, delimiter: str | None, encoding: str | None, decimal: str | None, arrow: bool = False
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
    if not data[:65536].strip() and not data.strip():  # (a copy of the file only if it starts blank)
        raise InputError(
            "the file is empty", file=file, hint="export the data again; the file has no header row"
        )
    text, used_encoding = _decode(data, encoding, file)
    # Excel's "sep=;" first line names the delimiter; it is not the header.
    excel_sep = _EXCEL_SEP.match(text)
    if excel_sep:
        text = text[excel_sep.end() :]
    delim = delimiter or (excel_sep.group(1) if excel_sep else _sniff(text, decimal))
    # The file's own bytes are its text in UTF-8 when read as UTF-8 from the first byte.
    utf8 = data if used_encoding == "UTF-8" and not excel_sep else None
    del data
    frame = _read_plain_csv(text, delim, arrow=arrow, utf8=utf8)
    del utf8
    if frame is None:  # not plain: row by row, with the checks that say what is wrong
        frame = _read_csv_rows(text, delim, file)
    read_as = f"CSV, {_describe_delimiter(delim)}-separated, {used_encoding}"
    if used_encoding.startswith("UTF-8 (not "):
        notes = [f"read as {used_encoding}: its text is UTF-8, which {encoding} would garble"]
    elif used_encoding.startswith("UTF-8") or encoding:
        notes = []
    else:
        notes = [f"read as {used_encoding} text (not UTF-8)"]
    return _Raw(frame, file, read_as, delim), notes


def _read_csv_rows(text: str, delim: str, file: str) -> pd.DataFrame:
    """The raw frame of CSV text read row by row by Python's csv module, or an InputError
    saying what is wrong with its layout (no header, a title row, ragged or repeated rows)."""
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
    return _drop_empty_unnamed(frame)


def _read_plain_csv(
    text: str, delim: str, *, arrow: bool = False, utf8: bytes | None = None
) -> pd.DataFrame | None:
    """The raw frame of a plain CSV, read by pyarrow's columnar reader; None when it is not plain.

    Plain: a header of two or more columns, at least two of them named, on the first line;
    every row as wide as the header; no data row starting like the header; no NUL. pyarrow
    splits cells as Python's csv module does (quotes, doubled quotes, quoted line breaks,
    text after a closing quote, blank lines as rows of blanks), so such a file gives the frame
    the row-by-row reader gives; anything else (a title row, a ragged or repeated row, a cell
    longer than pyarrow's block) is left to that reader, which says what is wrong.

    With ``arrow`` the columns stay pyarrow strings (``pd.ArrowDtype(pa.string())``, null
    where blank), without a Python object per cell; otherwise they are object columns.
    ``utf8``, when the caller has it, is ``text.encode("utf-8")`` (the file's bytes), so that
    it is not encoded again.
    """
    import pyarrow as pa
    import pyarrow.csv as pv

    if "\x00" in text:
        return None
    with _long_cells():
        try:
            first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delim), [])
        except csv.Error:
            return None
    if len(first) < 2 or sum(1 for c in first if c.strip()) < 2:
        return None  # one column, or a lone title, or a blank first line: the row-by-row reader
    names = [f"c{i}" for i in range(len(first))]
    try:
        table = pv.read_csv(
            io.BytesIO(text.encode("utf-8") if utf8 is None else utf8),
            read_options=pv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pv.ParseOptions(delimiter=delim, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowException, UnicodeEncodeError):
        return None
    if [c or "" for c in table.slice(0, 1).to_pylist()[0].values()] != first:
        return None
    body = table.slice(1)
    if _may_repeat_header(first, body):
        return None
    header = _unique_names(first)
    if not len(body):
        frame = _empty(header)
    elif arrow:
        frame = pd.DataFrame(
            {i: pd.arrays.ArrowExtensionArray(_one_chunk(body.column(i))) for i in range(len(header))},
            copy=False,
        )
        frame.columns = header
    else:
        frame = pd.DataFrame(
            dict(enumerate(body.column(i).to_numpy(zero_copy_only=False) for i in range(len(header)))),
            dtype=object,
        )
        frame.columns = header
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return _drop_empty_unnamed(frame)


def _one_chunk(column: Any) -> Any:
    """A pyarrow column as one array (each parser then reads it without a copy), or as its
    chunks when it holds more text than one array can."""
    import pyarrow as pa

    try:
        return column.combine_chunks() if column.num_chunks > 1 else column
    except pa.ArrowException:
        return column


def _may_repeat_header(header: Sequence[str], body: Any) -> bool:
    """True when a row of the pyarrow table `body` may repeat `header` (so the row-by-row
    check decides): its first named cell, stripped and casefolded as
    :func:`_check_repeated_header` compares them, is the header's."""
    import pyarrow as pa
    import pyarrow.compute as pc

    first = next(i for i, c in enumerate(header) if c.strip())
    key = header[first].strip().casefold()
    col = body.column(first)
    if not len(col):
        return False
    ascii_cells = pc.fill_null(pc.string_is_ascii(col), True)
    # (for ASCII text, casefold is lower)
    same = pc.fill_null(pc.equal(pc.ascii_lower(_arrow_strip(col)), pa.scalar(key, pa.string())), False)
    if pc.any(same).as_py():
        return True
    others = pc.unique(col.filter(pc.invert(ascii_cells))).to_pylist()
    return any(v.strip().casefold() == key for v in others)


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


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"
