"""The CSV fast path: a plain file is read by pyarrow's columnar reader, anything odd row by row.

The row-by-row reader (Python's csv module, with the layout checks) is the truth: a file the
fast path takes must come out as that reader gives it, and a file with anything odd (a title
row, a ragged or repeated row, one column, a NUL) must be left to it, so that its problems
are reported as before. The vectorised date and amount parsers are held to the per-value
ones the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reconnect_lib.errors import InputError
from reconnect_lib.load import cells, load_transactions, read_table, scan_checks
from reconnect_lib.load.cells import _Options, _parse_amount_cells, _parse_date_strings, _parse_dates
from reconnect_lib.load.read import _read_csv, _read_csv_rows, _read_plain_csv

AS_OF = dt.date(2025, 1, 1)
OPTS = _Options(pd.Timestamp(AS_OF), None, False, None, ",")


def _write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


# --- the decision ----------------------------------------------------------------------------


PLAIN = 'client_id,date,amount\n"C1",2024-01-05,10.50\nC2,2024-02-29,"1,5"\n"C, 3",,7\n'


def test_a_plain_file_takes_the_fast_path_and_reads_as_row_by_row() -> None:
    fast = _read_plain_csv(PLAIN, ",")
    assert fast is not None
    pd.testing.assert_frame_equal(fast, _read_csv_rows(PLAIN, ",", "t.csv"))
    assert fast.loc[3, "client_id"] == "C, 3"
    assert fast.loc[3, "date"] is None


def test_quoted_line_breaks_and_blank_lines_take_the_fast_path() -> None:
    text = 'a;b\n"x\ny";"say ""hi"""\n\n;2\n'
    fast = _read_plain_csv(text, ";")
    assert fast is not None
    pd.testing.assert_frame_equal(fast, _read_csv_rows(text, ";", "t.csv"))


@pytest.mark.parametrize(
    ("text", "odd"),
    [
        ("Client list, printed 1 May\nid,name,city\n1,a,b\n2,c,d\n", "a title row"),
        ("id,name\n1,a,extra\n", "a row longer than the header"),
        ("id,name\n1\n", "a short row"),
        ("id,name\n1,a\nid,name\n2,b\n", "a repeated header"),
        ("id,name\n1,a\n ID ,Name\n2,b\n", "a repeated header, spaced and in capitals"),
        ("id\n1\n2\n", "one column"),
        ("\nid,name\n1,a\n", "a blank first line"),
        ("id,name\n1,a\x00b\n", "a NUL"),
        ("id,\n1,a\n", "one named column"),
    ],
)
def test_an_odd_file_is_left_to_the_row_by_row_reader(text: str, odd: str) -> None:
    assert _read_plain_csv(text, ",") is None, odd


def test_a_repeated_header_in_other_letters_is_still_refused(tmp_path: Path) -> None:
    # 'ſ' (long s) casefolds to 's': the row repeats the header as the checks compare them.
    path = _write(tmp_path, "status,name\nactive,a\nſtatus,name\n")
    assert _read_plain_csv(path.read_text(encoding="utf-8"), ",") is None
    with pytest.raises(InputError, match="repeats the header row"):
        read_table(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,name\n1,a\nid,name\n", "repeats the header row"),
        ("id,name\n1,a,extra\n", "more values than the header"),
        ("Client list\nid,name,city\n1,a,b\n2,c,d\n", "looks like a title above the header"),
    ],
)
def test_an_odd_file_reports_what_it_reported_before(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_table(_write(tmp_path, text))


def test_encodings_bom_and_excel_sep_line_read_through_the_fast_path(tmp_path: Path) -> None:
    text = "sep=;\nclient_id;name\nC1;Zoë\nC2;Café\n"
    for data in (text.encode("cp1252"), b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("utf-16")):
        path = tmp_path / "t.csv"
        path.write_bytes(data)
        raw, _ = _read_csv(path, delimiter=None, encoding=None, decimal=None)
        assert raw.frame["name"].tolist() == ["Zoë", "Café"]
        assert raw.frame.columns.tolist() == ["client_id", "name"]


CELL = st.text(alphabet="ab1é", min_size=1, max_size=3) | st.text(
    alphabet=list('ab1 ,;"\n\r\téſ\u00a0'), max_size=6
)


#: Rows as wide as each other (the plain case), or not.
ROWS = st.integers(2, 4).flatmap(
    lambda width: st.lists(
        st.lists(CELL, min_size=width, max_size=width) | st.lists(CELL, min_size=1, max_size=5),
        min_size=1,
        max_size=6,
    )
)


@given(ROWS, st.sampled_from(",;"))
def test_the_fast_path_reads_any_text_it_takes_as_the_row_by_row_reader(
    rows: list[list[str]], delim: str
) -> None:
    text = "\n".join(delim.join(r) for r in rows)
    fast = _read_plain_csv(text, delim)
    if fast is None:
        return
    pd.testing.assert_frame_equal(fast, _read_csv_rows(text, delim, "t.csv"))


@given(
    st.integers(2, 4).flatmap(
        lambda width: st.lists(st.lists(CELL, min_size=width, max_size=width), min_size=1, max_size=6)
    ),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_a_file_written_by_a_csv_writer_takes_the_fast_path(
    rows: list[list[str]], delim: str, quoting: int
) -> None:
    header = [f"col {i}" for i in range(len(rows[0]))]
    out = io.StringIO()
    csv.writer(out, delimiter=delim, quoting=quoting, lineterminator="\r\n").writerows([header, *rows])
    fast = _read_plain_csv(out.getvalue(), delim)
    assert fast is not None
    pd.testing.assert_frame_equal(fast, _read_csv_rows(out.getvalue(), delim, "t.csv"))


# --- dates and amounts -----------------------------------------------------------------------


DATE_TEXT = st.one_of(
    st.dates(min_value=dt.date(1, 1, 1)).map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
    st.sampled_from(
        ["", " ", "2024-1-5", " 2024-01-05 ", "05/01/2024", "2024-01-05T10:00", "x", "٢٠٢٤-01-05"]
    ),
    st.none(),
)


def _dates_row_by_row(col: pd.Series) -> tuple[pd.Series, ...]:
    """What the loader gave for a column of strings before the fast path (its text branch)."""
    missing = col.map(cells._is_blank).astype(bool)
    text = col[~missing].astype(str).str.strip()
    result, early, late = _parse_date_strings(text, OPTS)
    result = result.reindex(col.index)
    early = early.reindex(col.index, fill_value=False) | (result.notna() & (result < cells.EARLIEST))
    late = late.reindex(col.index, fill_value=False) | (result.notna() & (result > OPTS.as_of))
    bad = ~missing & result.isna() & ~early & ~late
    return result.where(~(early | late)).astype("datetime64[ns]").dt.normalize(), bad, early, late


@given(st.lists(DATE_TEXT, max_size=12), st.booleans())
def test_vectorised_dates_read_as_the_per_value_parser(values: list[str | None], arrow: bool) -> None:
    col = pd.Series(values, dtype=object)
    dates = _parse_dates(col.astype(pd.ArrowDtype(pa.string())) if arrow else col, OPTS)
    parsed, bad, early, late = _dates_row_by_row(col)
    pd.testing.assert_series_equal(dates.parsed, parsed, check_names=False)
    assert dates.bad.tolist() == bad.tolist()
    assert dates.early.tolist() == early.tolist()
    assert dates.late.tolist() == late.tolist()


def test_every_plain_iso_date_is_read_as_pandas_reads_it() -> None:
    # Leap years and the centuries that are not, months 0 to 13, days 0 to 32.
    text = [
        f"{y:04d}-{m:02d}-{d:02d}"
        for y in (1900, 1999, 2000, 2023, 2024, 2100, 2200)
        for m in range(14)
        for d in range(33)
    ]
    later = _Options(pd.Timestamp("2250-01-01"), None, False, None, ",")
    every = pd.Series(text, dtype=object)
    real = every[pd.to_datetime(every, format="%Y-%m-%d", errors="coerce").notna()]
    for col in (every, real):  # (days that do not exist are read another way)
        expected = pd.to_datetime(col, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
        dates = _parse_dates(col.astype(pd.ArrowDtype(pa.string())), later)
        pd.testing.assert_series_equal(dates.parsed, expected)
        assert dates.bad.tolist() == expected.isna().tolist()


AMOUNT_TEXT = st.one_of(
    st.from_regex(r"\A[+-]?[0-9]{1,7}([.,][0-9]{1,4})?\Z"),
    st.decimals(min_value=-1e6, max_value=1e6, places=2, allow_nan=False).map(str),
    st.from_regex(r"\A[0-9]{12,400}(\.[0-9]{10,30})?\Z"),
    st.sampled_from(["", " ", " 12.5 ", "1,234", "1.234,5", "€5", "nan", "1e3", "١٢"]),
    st.none(),
)


@given(st.lists(AMOUNT_TEXT, max_size=12), st.booleans())
def test_vectorised_amounts_read_as_the_per_value_parser(values: list[str | None], arrow: bool) -> None:
    col = pd.Series(values, dtype=object)
    fast = cells._plain_amounts(col.astype(pd.ArrowDtype(pa.string())) if arrow else col, OPTS)
    if fast is None:
        return
    with mock.patch.object(cells, "_plain_amounts", return_value=None):
        slow = _parse_amount_cells(col, OPTS)
    np.testing.assert_array_equal(fast.parsed.to_numpy(), slow.parsed.to_numpy())
    assert fast.bad.tolist() == slow.bad.tolist()
    if fast.decimal is not None:
        assert fast.decimal == slow.decimal


def test_a_plain_csv_loads_to_the_cent_and_the_day(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "client_id,date,amount\nC1,2024-01-05,10.50\nC1,2024-01-06,-0.25\nC2,2023-12-31,7\n"
    )
    out = load_transactions(path, as_of=AS_OF)
    assert out["amount"].tolist() == [10.5, -0.25, 7.0]
    assert out["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-05", "2024-01-06", "2023-12-31"]


# --- the engines' layout check -----------------------------------------------------------------


def _layouts(path: Path) -> tuple[scan_checks._CsvLayout, scan_checks._CsvLayout]:
    fast = scan_checks._csv_layout(path, None)
    with mock.patch.object(scan_checks, "_arrow_layout", return_value=None):
        slow = scan_checks._csv_layout(path, None)
    return fast, slow


def test_a_plain_file_is_laid_out_by_the_columnar_reader(tmp_path: Path) -> None:
    path = _write(tmp_path, 'client_id,name\nC1,"Zoë\nLine 2"\nC2,"say ""hi"""\n')
    assert scan_checks._arrow_layout(path, ",", ["client_id", "name"]) == (2, [4, 18])
    fast, slow = _layouts(path)
    assert fast == slow


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("id,name\n1,a\n , \n", "blank rows"),
        ("id,name\n1,a\nid,name\n", "a row that repeats the header"),
        ("id,name\n1,a,b\n", "rows with more or fewer values"),
        ("id,name\n1\n", "rows with more or fewer values"),
    ],
)
def test_an_odd_file_is_left_to_the_pandas_loader_for_the_same_reason(
    tmp_path: Path, text: str, why: str
) -> None:
    path = _write(tmp_path, text)
    assert scan_checks._arrow_layout(path, ",", ["id", "name"]) is None
    with pytest.raises(scan_checks._PandasReads, match=why):
        scan_checks._csv_layout(path, None)


@given(
    st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=0, max_size=6),
    st.sampled_from([",", ";", "\t"]),
    st.booleans(),
)
def test_the_columnar_layout_counts_as_the_row_by_row_one(
    rows: list[list[str]], delim: str, bom: bool
) -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delim, lineterminator="\n").writerows([["a", "b", "c"], *rows])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8"))
        layouts = []
        for fast in (True, False):
            with mock.patch.object(scan_checks, "_arrow_layout", wraps=scan_checks._arrow_layout) as arrow:
                if not fast:
                    arrow.side_effect = None
                    arrow.return_value = None
                try:
                    layouts.append(scan_checks._csv_layout(path, delim))
                except scan_checks._PandasReads as why:
                    layouts.append(str(why))
        assert layouts[0] == layouts[1]


# --- ids and text ------------------------------------------------------------------------------


@given(
    st.lists(
        st.text(alphabet=st.sampled_from(["a", "é", " ", "\u00a0", "\t", "\n", "\x1c", "\u3000", "1"])),
        max_size=10,
    )
)
def test_only_text_that_needs_it_is_cleaned_and_as_before(values: list[str]) -> None:
    codes, cleaned, unchanged = cells._distinct_text(pd.Series(values, dtype=object))
    assert [cleaned[c] for c in codes] == [" ".join(v.split()) or None for v in values]
    assert unchanged == all((" ".join(v.split()) or None) == v for v in values)


@given(
    st.lists(st.sampled_from(["yes", "No", " true ", "x", "", " ", "maybe", "0", None, "Y."]), max_size=10)
)
def test_yes_no_words_are_read_once_each_as_cell_by_cell(values: list[str | None]) -> None:
    flags, bad = cells._parse_bools(pd.Series(values, dtype=object))
    one_by_one = [cells._parse_bools(pd.Series([v], dtype=object)) for v in values]
    assert flags.tolist() == [f.iloc[0] for f, _ in one_by_one]
    assert bad.tolist() == [b.iloc[0] for _, b in one_by_one]


# --- pyarrow columns from the reader to the parsers ------------------------------------------


def _load_both(tmp_path: Path, clients: bytes, transactions: bytes) -> list[tuple[str, object]]:
    """Each table loaded as the loaders read a CSV (pyarrow string columns from the columnar
    reader) and as they read it before (every cell a Python object): (frame or message) pairs."""
    from reconnect_lib.load import load_clients
    from reconnect_lib.load import read as read_module

    (tmp_path / "clients.csv").write_bytes(clients)
    (tmp_path / "transactions.csv").write_bytes(transactions)
    plain = read_module._read_plain_csv

    def load() -> list[object]:
        out: list[object] = []
        ids = None
        for name in ("clients", "transactions"):
            try:
                if name == "clients":
                    frame = load_clients(tmp_path / "clients.csv", as_of=AS_OF)
                    ids = frame["client_id"]
                else:
                    frame = load_transactions(tmp_path / "transactions.csv", as_of=AS_OF, client_ids=ids)
                out.append(frame)
            except InputError as err:
                out.append(str(err))
        return out

    arrow = load()
    with mock.patch.object(
        read_module,
        "_read_plain_csv",
        lambda text, delim, arrow=False, utf8=None: plain(text, delim, utf8=utf8),
    ):
        objects = load()
    return list(zip(arrow, objects, strict=True))


def _assert_same(pairs: list[tuple[object, object]]) -> None:
    for arrow, objects in pairs:
        if isinstance(arrow, pd.DataFrame) and isinstance(objects, pd.DataFrame):
            pd.testing.assert_frame_equal(arrow, objects, check_exact=True)
        else:
            assert arrow == objects


def test_the_loaders_read_pyarrow_columns_as_they_read_python_objects(tmp_path: Path) -> None:
    clients = (
        "Customer ID,Name,Do Not Contact,Last Contacted,Total Revenue\n"
        'A1, Ann  Lee ,yes,2024-01-05,"1,234.50"\nB 2,,,,80\n,,,,\n007,Zoë,no,05/01/2024,x\n'
    )
    transactions = (
        "client_id,date,amount\nA1,2024-01-05,10.5\nB 2,2023-02-30,7\n007,,-0.25\nZ9,2024-01-01,1\n"
    )
    raw = _read_plain_csv(transactions, ",", arrow=True)
    assert raw is not None
    assert all(isinstance(t, pd.ArrowDtype) for t in raw.dtypes)
    pairs = _load_both(tmp_path, clients.encode(), transactions.encode())
    assert all(isinstance(a, str) for a, _ in pairs)  # every problem found, and worded the same
    _assert_same(pairs)
    good = "client_id,date,amount\nA1,2024-01-05,10.5\nA1,2024-01-06,7\n"
    pairs = _load_both(tmp_path, b"client_id,name\nA1,Ann\n", good.encode())
    assert all(isinstance(a, pd.DataFrame) for a, _ in pairs)
    _assert_same(pairs)


def _messy_campaigns() -> st.SearchStrategy[tuple[bytes, bytes]]:
    from test_messy_cells import messy_campaigns

    return messy_campaigns()


# Each example loads a whole campaign twice: at most 60 (test_messy_cells runs 30 of its own).
@settings(max_examples=min(60, settings().max_examples))
@given(files=_messy_campaigns())
def test_messy_cells_load_from_pyarrow_columns_as_from_python_objects(files: tuple[bytes, bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _assert_same(_load_both(Path(folder), *files))


@given(
    st.lists(st.sampled_from(["A1", " A1", "B  2", "007", "7", "C\u00a03", "", " ", None]), max_size=8),
    st.lists(st.sampled_from(["A1", "B 2", "007", "C 3", "\ud800", None]), max_size=6),
    st.sampled_from([object, pd.ArrowDtype(pa.string()), "str", "string"]),
    st.sampled_from([object, pd.ArrowDtype(pa.string())]),
    st.booleans(),
)
# A dirty id after clean ones: the distinct values must all be tested.
@example(["A1", "A1", " A1", None], ["A1"], "str", pd.ArrowDtype(pa.string()), True)
def test_unknown_clients_are_found_by_pyarrow_as_by_python(
    ids: list[str | None], known: list[str | None], dtype: object, known_dtype: object, lookup: bool
) -> None:
    # lookup=True: the ids are dictionary-encoded first, their cleanliness tested on the
    # distinct values and the encoding reused by `outside` (and the known ids' `distinct`).
    col = pd.Series(ids, dtype=object)
    cleaned = cells._Cleaned.of(col.astype(dtype), lookup=lookup)  # type: ignore[call-overload]
    members = {cells._as_text(v) for v in known} - {None}
    expected = [(t := cells._as_text(v)) is not None and t not in members for v in ids]
    try:
        known_col = pd.Series(known, dtype=object).astype(known_dtype)  # type: ignore[call-overload]
    except (pa.ArrowException, UnicodeEncodeError):  # a lone surrogate: pyarrow cannot hold it
        known_col = pd.Series(known, dtype=object)
    assert cleaned.outside(cells._Cleaned.of(known_col, lookup=lookup)).tolist() == expected
    pd.testing.assert_series_equal(
        cleaned.objects(), pd.Series([cells._as_text(v) for v in ids], dtype=object)
    )
    assert cleaned.null().tolist() == [cells._as_text(v) is None for v in ids]
    at = np.arange(len(ids))[::2]
    assert cleaned.objects(at).tolist() == [cells._as_text(v) for v in ids][::2]


@given(ROWS, st.sampled_from(",;"), st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_a_file_read_from_its_own_bytes_reads_as_its_text(
    rows: list[list[str]], delim: str, encoding: str
) -> None:
    text = "\n".join(delim.join(r) for r in rows)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(data)
        try:
            raw, _ = _read_csv(path, delimiter=delim, encoding=None, decimal=None, arrow=True)
        except InputError:
            return
        decoded = (
            data.decode("utf-8-sig") if encoding != "cp1252" or data.isascii() else data.decode("cp1252")
        )
        fast = _read_plain_csv(decoded, delim, arrow=True)
    expected = fast if fast is not None else _read_csv_rows(decoded, delim, "t.csv")
    pd.testing.assert_frame_equal(raw.frame, expected)


#: Text with every kind of white space Python's str.split and str.strip know, and some that is not.
MESSY_TEXT = st.one_of(
    st.none(),
    st.text(
        alphabet=st.sampled_from(
            [
                *(chr(c) for c in range(0x3001) if chr(c).isspace()),
                "a",
                "B",
                "1",
                "é",
                "\u200b",
                "\ufeff",
                ".",
            ]
        ),
        max_size=6,
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
    st.sampled_from(["yes", " No ", "TRUE", "x", "0", "maybe", "Y.", "Call", " e-mail ", "Post", "Fax"]),
)


@given(st.lists(MESSY_TEXT, max_size=10), st.sampled_from([pd.ArrowDtype(pa.string()), "str", "string"]))
def test_pyarrow_text_is_blank_cleaned_and_read_as_yes_no_and_channels_as_each_value_is(
    values: list[str | None], dtype: object
) -> None:
    col = pd.Series(values, dtype=object)
    typed = col.astype(dtype)  # type: ignore[call-overload]
    if isinstance(typed.dtype, pd.ArrowDtype):  # (the dtype the CSV reader gives the parsers)
        assert cells._blank_mask(typed).tolist() == [cells._is_blank(v) for v in values]
        flags, bad = cells._parse_bools(typed)
        object_flags, object_bad = cells._parse_bools(col)
        assert flags.tolist() == object_flags.tolist()
        assert bad.tolist() == object_bad.tolist()
        channels, others = cells._parse_channels(typed)
        object_channels, object_others = cells._parse_channels(col)
        pd.testing.assert_series_equal(channels, object_channels)
        assert list(others.items()) == list(object_others.items())
    cleaned = cells._Cleaned.of(typed)
    assert cleaned.objects().tolist() == [cells._as_text(v) for v in values]
    assert cleaned.null().tolist() == [cells._as_text(v) is None for v in values]
    pd.testing.assert_series_equal(cleaned.strings(), cells._Cleaned.of(col).strings())
