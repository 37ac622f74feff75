"""Parsing cell values: ids, text, dates, amounts, yes/no and channels, with the options they are read by.

The canonical columns and dtypes of the input tables are declared here too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema as s
from ..column_maps import normalise_name
from ..errors import ConfigError

EARLIEST = pd.Timestamp("1900-01-01")

_DATE_COLUMNS = frozenset((*s.CLIENT_DATE_COLUMNS, s.DATE))
_AMOUNT_COLUMNS = frozenset((s.AMOUNT, s.TOTAL_REVENUE))
_ID_COLUMNS = frozenset((s.CLIENT_ID, s.INVOICE_ID))
_TEXT_COLUMNS = frozenset(s.CLIENT_TEXT_COLUMNS)

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


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


#: What :meth:`str.strip` strips: every character Python counts as white space.
_PY_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def _is_arrow_string(dtype: object) -> bool:
    """True for ``pd.ArrowDtype(pa.string())``."""
    return isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype)


def _arrow_strings(col: pd.Series) -> pa.Array | None:
    """The pyarrow strings of a column of ``pd.ArrowDtype(pa.string())`` (what the CSV reader
    gives the loaders) as one array, null where missing; None for any other column.

    >>> import pyarrow as pa
    >>> _arrow_strings(pd.Series(["a", None], dtype=pd.ArrowDtype(pa.string()))).to_pylist()
    ['a', None]
    >>> _arrow_strings(pd.Series(["a", None], dtype=object)) is None
    True
    """
    if not _is_arrow_string(col.dtype):
        return None
    chunks = col.array.__arrow_array__()
    if isinstance(chunks, pa.ChunkedArray):
        if chunks.num_chunks == 1:
            return chunks.chunk(0)
        try:
            return chunks.combine_chunks()
        except pa.ArrowException:  # more text than one array holds: read value by value
            return None
    return chunks


def _pyarrow_strings(col: pd.Series) -> pa.Array | None:
    """:func:`_arrow_strings`, and the strings of pandas' pyarrow-backed string dtypes too
    (``str``, ``string[pyarrow]``) as one ``pa.string()`` array; None for any other column.

    >>> _pyarrow_strings(pd.Series(["a", None], dtype="str")).to_pylist()
    ['a', None]
    """
    dtype = col.dtype
    if not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow":
        return _arrow_strings(col)
    try:
        chunks = pc.cast(col.array.__arrow_array__(), pa.string())
        return chunks.combine_chunks() if isinstance(chunks, pa.ChunkedArray) else chunks
    except pa.ArrowException:  # more text than one array holds: read value by value
        return None


def _arrow_text(col: pd.Series) -> pa.Array | None:
    """A column whose every value is a string or missing (objects, or pyarrow strings), as a
    pyarrow string array (null where missing), so that it is parsed by vectorised kernels;
    None for any other column.

    >>> _arrow_text(pd.Series(["a", None], dtype=object)).to_pylist()
    ['a', None]
    >>> _arrow_text(pd.Series(["a", 1], dtype=object)) is None
    True
    """
    if isinstance(col.dtype, pd.ArrowDtype):
        return _arrow_strings(col)
    if col.dtype != object or pd.api.types.infer_dtype(col, skipna=True) not in ("string", "empty"):
        return None
    return pa.array(col.to_numpy(), type=pa.string(), from_pandas=True)


def _arrow_strip(text: pa.Array) -> pa.Array:
    """:meth:`str.strip` of every string (the same characters stripped)."""
    return pc.utf8_trim(text, _PY_SPACE)


def _arrow_blank(text: pa.Array) -> np.ndarray:
    """Where a string array is null or only spaces (as :func:`_is_blank` says)."""
    spaces = pc.equal(pc.utf8_length(_arrow_strip(text)), 0)
    return pc.fill_null(spaces, True).to_numpy(zero_copy_only=False)


def _blank_mask(col: pd.Series) -> pd.Series:
    """True where a cell is missing or only spaces."""
    text = _arrow_text(col)
    if text is not None:
        return pd.Series(_arrow_blank(text), index=col.index)
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
    if isinstance(col.dtype, pd.ArrowDtype):
        return _is_arrow_string(col.dtype)
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
    clean = _already_clean(distinct)
    cleaned = [v if ok else " ".join(v.split()) or None for v, ok in zip(distinct, clean, strict=True)]
    return np.asarray(codes), cleaned, bool(clean.all())


#: A run of spaces, or any white space but the space (what ``" ".join(v.split())`` changes).
_UNCLEAN = "  |[" + "".join(f"\\x{{{ord(c):x}}}" for c in _PY_SPACE if c != " ") + "]|^ | $|^$"


def _already_clean(values: list[str]) -> np.ndarray:
    """Where ``" ".join(v.split())`` is ``v`` itself (so only the others are cleaned in Python).

    >>> _already_clean(["C1", " C1", "a  b", "a\u00a0b", "", "Zoë Ng"]).tolist()
    [True, False, False, False, False, True]
    """
    if not values:
        return np.zeros(0, dtype=bool)
    try:
        text = pa.array(values, type=pa.string())
    except (pa.ArrowException, UnicodeEncodeError):  # text pyarrow cannot hold (a lone surrogate)
        return np.array([" ".join(v.split()) == v for v in values], dtype=bool)
    return ~_unclean(text).to_numpy(zero_copy_only=False)


def _unclean(text: pa.Array) -> pa.Array:
    """Where ``" ".join(v.split())`` is not ``v`` (null where missing), vectorised."""
    return pc.match_substring_regex(text, _UNCLEAN)


@dataclass(frozen=True)
class _Cleaned:
    """``col.map(_as_text)`` of a column, as codes into a table of distinct cleaned values.

    ``table[codes]`` is the cleaned column (None where blank); code -1 is a missing
    cell and reads the table's last entry, None. A column of pyarrow strings (as read from
    a CSV, or pandas' pyarrow-backed ``str`` from Parquet) that needs no cleaning at all is
    kept as it is (``clean``, and its strings as ``arrow``), without codes or a table:
    ``codes`` and ``table`` are then None. A column to be looked up among known ids
    (:meth:`outside`) is dictionary-encoded first (``encoded``): the cleanliness test then
    reads each distinct value once, and the lookup reuses the encoding (at 10M history rows
    with 1M clients, a regex over 1M values instead of 10M).
    """

    codes: np.ndarray | None
    table: np.ndarray | None
    index: pd.Index
    clean: pd.Series | None = None  # the column itself, when no value needed cleaning
    arrow: pa.Array | None = None  # its strings, when kept without codes
    encoded: pa.DictionaryArray | None = None  # those strings dictionary-encoded, for a lookup

    @classmethod
    def of(cls, col: pd.Series, *, lookup: bool = False) -> _Cleaned:
        arrow = _pyarrow_strings(col)
        if arrow is not None:
            encoded = pc.dictionary_encode(arrow) if lookup else None
            distinct = arrow if encoded is None else encoded.dictionary
            if not pc.any(_unclean(distinct)).as_py():
                return cls(None, None, col.index, col, arrow, encoded)  # every cell clean or missing
        distinct = _distinct_text(col)
        if distinct is None:  # not all text: value by value
            cleaned = [*(_as_text(v) for v in col.astype(object)), None]
            return cls(np.arange(len(col)), np.array(cleaned, dtype=object), col.index)
        codes, cleaned, unchanged = distinct
        return cls(codes, np.array([*cleaned, None], dtype=object), col.index, col if unchanged else None)

    def objects(self, at: np.ndarray | None = None) -> pd.Series:
        """The cleaned values as Python objects, None where blank (of the rows at positions ``at``)."""
        arrow = self.arrow
        index = self.index if at is None else self.index[at]
        if arrow is not None:
            values = arrow if at is None else arrow.take(pa.array(at))
            return pd.Series(values.to_numpy(zero_copy_only=False), index=index, dtype=object)
        assert self.codes is not None
        assert self.table is not None
        codes = self.codes if at is None else self.codes[at]
        return pd.Series(self.table[codes], index=index, dtype=object)

    def null(self) -> np.ndarray:
        """Where the cleaned value is None."""
        arrow = self.arrow
        if arrow is not None:
            return arrow.is_null().to_numpy(zero_copy_only=False)
        assert self.codes is not None
        assert self.table is not None
        return pd.isna(self.table)[self.codes]

    def strings(self) -> pd.Series:
        """``self.objects().astype("string")``, converting each distinct value once."""
        if self.clean is not None:  # every value was clean already: only the dtype changes
            return self.clean.astype("string").rename(None)
        assert self.codes is not None
        assert self.table is not None
        at = np.where(self.codes < 0, len(self.table) - 1, self.codes)
        return pd.Series(pd.array(self.table, dtype="string").take(at), index=self.index)

    def distinct(self) -> pa.Array:
        """The distinct cleaned values that are not None (in no particular order), as pyarrow strings."""
        if self.encoded is not None:
            return self.encoded.dictionary  # (nulls are masked in the indices, never in it)
        arrow = self.arrow
        if arrow is not None:
            return pc.unique(arrow).drop_null()
        return pa.array([v for v in self.table if v is not None], type=pa.string())  # type: ignore[union-attr]

    def outside(self, known: _Cleaned) -> np.ndarray:
        """Where a cleaned value is not None and not among ``known``'s cleaned values."""
        arrow = self.arrow
        try:
            values = known.distinct()
            if arrow is not None:  # each distinct value looked up once
                codes = self.encoded if self.encoded is not None else pc.dictionary_encode(arrow)
                strange = np.append(_outside(codes.dictionary, values), False)  # (null: code -1)
                return strange[pc.fill_null(codes.indices, -1).to_numpy(zero_copy_only=False)]
            table = pa.array(self.table, type=pa.string(), from_pandas=True)
        except (pa.ArrowException, UnicodeEncodeError):  # text pyarrow cannot hold (a lone surrogate)
            members = {v for v in known.objects() if v is not None}
            return np.array([v is not None and v not in members for v in self.objects()], dtype=bool)
        return _outside(table, values)[self.codes]  # each distinct value looked up once


def _outside(text: pa.Array, values: pa.Array) -> np.ndarray:
    """Where a string is not null and not one of ``values``."""
    inside = pc.or_(pc.is_in(text, value_set=values), pc.is_null(text))
    return ~inside.to_numpy(zero_copy_only=False)


def _clean_text(col: pd.Series) -> pd.Series:
    """``col.map(_as_text)`` as an object Series (None where blank), once per distinct value."""
    return _Cleaned.of(col).objects()


def _typed(col: pd.Series, canonical: str) -> pd.Series:
    """The column as the parsers read it: in a dtype they have a fast path for, else as objects."""
    dtype = col.dtype
    if pd.api.types.is_object_dtype(dtype) or _is_arrow_string(dtype):
        return col  # (pyarrow strings, as read from a CSV, are what every parser reads fastest)
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


def _parse_dates(col: pd.Series, opts: _Options, blank: pd.Series | None = None) -> _Dates:
    """Every cell of a date column as a date (see :class:`_Dates`); ``blank``, when given, is
    ``_blank_mask(col)`` already found."""
    index = col.index
    false = pd.Series(False, index=index)
    early, late = false.copy(), false.copy()
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        result = col.dt.tz_localize(None)
        missing = col.isna()
    elif pd.api.types.is_datetime64_dtype(col.dtype):
        result = col
        missing = col.isna()
    elif (cells := _arrow_text(col)) is not None:
        known = None if blank is None else blank.to_numpy(dtype=bool)
        result, missing, early, late = _parse_text_dates(cells, index, opts, known)
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


_PLAIN_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _parse_text_dates(
    cells: pa.Array, index: pd.Index, opts: _Options, missing: np.ndarray | None = None
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Dates, missing, early and late of a column of strings: the plain ISO dates
    (``2024-03-05``, the common export) at once, the other cells by :func:`_parse_date_strings`.
    ``missing``, when given, is the blank cells already found."""
    if missing is None:
        missing = _arrow_blank(cells)
    result = pd.Series(pd.NaT, index=index, dtype="datetime64[us]")
    early = np.zeros(len(cells), dtype=bool)
    late = np.zeros(len(cells), dtype=bool)
    plain = ~missing
    try:  # pyarrow's cast takes exactly YYYY-MM-DD and a day that exists: the common export at once
        days = _cast_days(cells.filter(pa.array(plain)) if missing.any() else cells)
        year = days.astype("datetime64[Y]").astype(np.int64) + 1970
    except pa.ArrowInvalid:  # some cell is not: the plain ones found by their pattern
        plain = pc.fill_null(pc.match_substring_regex(cells, _PLAIN_ISO_DATE), False).to_numpy(
            zero_copy_only=False
        )
        days, year = _iso_days(cells.filter(pa.array(plain)))
    if plain.any():
        early[plain] = year < EARLIEST.year
        late[plain] = year > 2200
        ok = ~early[plain] & ~late[plain]
        stamps = np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[us]")
        stamps[np.flatnonzero(plain)[ok]] = days[ok]
        result = pd.Series(stamps, index=index)
    rest = ~missing & ~plain
    if rest.any():
        text = pd.Series(cells.filter(pa.array(rest)).to_numpy(zero_copy_only=False), index=index[rest])
        parsed, text_early, text_late = _parse_date_strings(text.astype(str).str.strip(), opts)
        result.loc[parsed.index] = parsed.to_numpy()
        early[rest] = text_early.to_numpy(dtype=bool)
        late[rest] = text_late.to_numpy(dtype=bool)
    return (
        result,
        pd.Series(missing, index=index),
        pd.Series(early, index=index),
        pd.Series(late, index=index),
    )


def _cast_days(iso: pa.Array) -> np.ndarray:
    """``datetime64[D]`` of strings that are each exactly ``YYYY-MM-DD`` and a day that exists;
    pyarrow's ArrowInvalid if any is not."""
    return pc.cast(iso, pa.date32()).to_numpy(zero_copy_only=False).astype("datetime64[D]")


def _iso_days(iso: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``datetime64[D]`` of ``YYYY-MM-DD`` strings (NaT where no such day exists, 2023-02-30)
    and the year each is written with."""
    try:
        days = _cast_days(iso)
    except pa.ArrowInvalid:  # a day that does not exist: read part by part
        year, month, day = (
            pc.cast(pc.utf8_slice_codeunits(iso, start, stop), pa.int32()).to_numpy()
            for start, stop in ((0, 4), (5, 7), (8, 10))
        )
        return _calendar_days(year, month, day), year
    return days, days.astype("datetime64[Y]").astype(np.int64) + 1970


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _calendar_days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The dates of the given years, months and days (``datetime64[D]``), NaT where there is
    no such day (month 13, 30 February, day 0), as ``pd.to_datetime(..., errors="coerce")``
    reads ``YYYY-MM-DD``.

    >>> import numpy as np
    >>> _calendar_days(np.array([2024, 2023, 2024]), np.array([2, 2, 13]), np.array([29, 29, 1])).tolist()
    [datetime.date(2024, 2, 29), None, None]
    """
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    length = _MONTH_DAYS[np.clip(month, 1, 12) - 1] + (leap & (month == 2))
    valid = (month >= 1) & (month <= 12) & (day >= 1) & (day <= length)
    months = (year.astype(np.int64) - 1970) * 12 + np.clip(month, 1, 12) - 1
    days = months.astype("datetime64[M]").astype("datetime64[D]") + (day.astype(np.int64) - 1)
    days[~valid] = np.datetime64("NaT")
    return days


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


#: ASCII digits: pd.to_numeric reads no other digits.
_PLAIN_NUMBER = r"^[+-]?[0-9]+(?:[.,][0-9]+)?$"
#: A plain number whose whole part is one to three digits (not "0") and whose fraction is
#: three: "1,234" is a thousand, or one point two three four.
_THOUSANDS_LIKE = r"^[+-]?(?:[0-9]{2,3}|[1-9])[.,][0-9]{3}$"


def _every(text: pa.Array, pattern: str) -> bool:
    """True when every string matches the regular expression (none there: True)."""
    return bool(pc.match_substring_regex(text, pattern).to_numpy(zero_copy_only=False).all())


def _plain_amounts(raw: pd.Series, opts: _Options, known: pd.Series | None = None) -> _Amounts | None:
    """Fast path for the common export: plain numbers, one decimal mark, no thousands separators.

    Returns None (use the general parser) when anything is less plain or the mark is ambiguous.
    ``known``, when given, is ``_blank_mask(raw)`` already found.
    """
    cells = _arrow_text(raw)
    if cells is None:  # a value that is not text, or a column of another dtype
        return None
    blank = _arrow_blank(cells) if known is None else known.to_numpy(dtype=bool)
    text = cells.filter(pa.array(~blank)) if blank.any() else cells
    if not _every(text, _PLAIN_NUMBER):
        text = _arrow_strip(text)  # (spaces around a number: the common export has none)
        if not _every(text, _PLAIN_NUMBER):
            return None
    dot, comma = (pc.any(pc.match_substring(text, mark)).as_py() for mark in ".,")
    if dot and comma:
        return None
    mark_used = "." if dot else "," if comma else None
    decimal = opts.decimal
    if mark_used is not None:
        if decimal is None:
            with_mark = text.filter(pc.match_substring(text, mark_used))
            # (the first thousand settle most columns: one cell that is not thousands-like will do)
            if _every(with_mark.slice(0, 1000), _THOUSANDS_LIKE) and _every(with_mark, _THOUSANDS_LIKE):
                return None  # "1,234" alone: a thousand, or one point two?
            decimal = mark_used
        elif decimal != mark_used:
            return None
    values = np.full(len(raw), np.nan)
    dotted = pc.replace_substring(text, ",", ".") if mark_used == "," else text
    try:  # correctly rounded, as float() is
        values[~blank] = pc.cast(dotted, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:  # e.g. more digits than a double holds: as float() reads them
        values[~blank] = pd.to_numeric(pd.Series(dotted.to_numpy(zero_copy_only=False), dtype=object))
    found = decimal if mark_used is not None else None
    return _Amounts(pd.Series(values, index=raw.index), pd.Series(False, index=raw.index), found)


def _parse_amounts(col: pd.Series, opts: _Options, blank: pd.Series | None = None) -> _Amounts:
    """Every cell of an amount column as a float: NaN where blank; ``bad`` where it is not an
    amount (a word, ``nan``, ``inf``, ``1e6``) or larger than :data:`MAX_AMOUNT` either way
    (``huge``, a part of ``bad``). ``blank``, when given, is ``_blank_mask(col)`` already found."""
    return _bounded(_parse_amount_cells(col, opts, blank))


def _parse_amount_cells(col: pd.Series, opts: _Options, blank: pd.Series | None = None) -> _Amounts:
    index = col.index
    if pd.api.types.is_bool_dtype(col.dtype):
        return _Amounts(pd.Series(np.nan, index=index), col.notna(), None)
    if pd.api.types.is_numeric_dtype(col.dtype):
        values = col.astype("float64")
        bad = values.notna() & ~np.isfinite(values.fillna(0))
        return _Amounts(values.where(~bad), bad, None)
    fast = _plain_amounts(col, opts, blank)
    if fast is not None:
        return fast
    raw = col.astype(object)
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
    if _arrow_text(col) is not None:  # text: each distinct word read once (missing: code -1, no)
        codes, words = pd.factorize(col)
        table = np.array([*(one(w) for w in words), False], dtype=object)
        parsed = pd.Series(table[codes], index=col.index, dtype=object)
    else:
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
