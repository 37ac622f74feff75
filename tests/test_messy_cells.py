"""Messy exports on every engine: pandas, Polars and DuckDB give the same answer or a clear refusal.

The pandas loader is the single truth for what a cell means. A table scanned by
Polars or DuckDB must come out with the same values, or the run must stop with
an :class:`~reconnect_lib.errors.InputError` naming the file (and the column
where one is at fault): never another exception, never a row or a value lost.

The property test writes a small client list and transaction history from
generated cells (dates in many spellings, amounts with signs, currencies,
thousands separators, decimal commas, spaces, unicode, blanks, ``nan``, ``inf``,
huge numbers) in a generated CSV dialect (delimiter, encoding, line ending), and
loads them with each engine. The plain tests below pin each case reported in the
integrity issue on each engine.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconnect_lib import engines
from reconnect_lib.column_maps import get_map
from reconnect_lib.config import load_config
from reconnect_lib.errors import ConfigError, InputError
from reconnect_lib.load import MAX_AMOUNT, load_clients, load_transactions, scan_inputs

AS_OF = dt.date(2025, 1, 1)
ENGINES = ("pandas", "polars", "duckdb")
SCANNING = ("polars", "duckdb")

pytest.importorskip("polars")
pytest.importorskip("duckdb")


# --- running one campaign on every engine ------------------------------------------------


def _campaign(
    folder: Path, clients: bytes, transactions: bytes, extra: str = "", suffix: str = "csv"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"clients.{suffix}").write_bytes(clients)
    (folder / f"transactions.{suffix}").write_bytes(transactions)
    toml = folder / "campaign.toml"
    toml.write_text(
        '[campaign]\nname = "t"\nas_of = 2025-01-01\n'
        f'[data]\nclients = "clients.{suffix}"\ntransactions = "transactions.{suffix}"\n{extra}',
        encoding="utf-8",
    )
    return toml


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, str):
        return _plain(value.item())
    return value


def _rows(frame: Any, columns: list[str]) -> list[tuple[Any, ...]]:
    table = engines.to_pandas(frame)[columns]
    rows = [tuple(_plain(v) for v in row) for row in table.itertuples(index=False)]
    return sorted(rows, key=repr)


def outcome(toml: Path, engine: str) -> tuple[str, Any]:
    """("ok", the values read) or ("refused", the files and columns the InputError names).

    Any other exception propagates: that is the failure these tests look for.
    """
    try:
        inputs = scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
    except InputError as err:
        problems = err.problems or [err]
        for problem in problems:
            assert problem.file, f"{engine}: a problem names no file: {problem}"
        return "refused", {Path(p.file).name for p in problems}
    clients = _rows(inputs.clients, ["client_id", "name", "do_not_contact", "last_contact", "total_revenue"])
    transactions = _rows(inputs.transactions, ["client_id", "date", "amount"])
    if inputs.contacts is None:
        return "ok", (clients, transactions)
    return "ok", (clients, transactions, _rows(inputs.contacts, ["client_id", "date", "channel"]))


def assert_engines_agree(toml: Path) -> tuple[str, Any]:
    """Every engine gives the pandas loader's values, or refuses where it refuses; the pandas outcome."""
    want = outcome(toml, "pandas")
    for engine in SCANNING:
        got = outcome(toml, engine)
        assert got[0] == want[0], f"{engine}: {got} where pandas gives {want}"
        if want[0] == "ok":
            assert got == want, engine
        else:
            # A scan stops at a refused client list where pandas goes on to check the
            # history's ids against it, so it may name fewer files, never others.
            assert got[1], engine
            assert got[1] <= want[1], f"{engine} names {got[1]}, pandas {want[1]}"
    return want


# --- generated messy cells -----------------------------------------------------------------

SPACES = st.sampled_from(["", "", "", " ", "  ", "\t", "\u00a0", "\u2009", "\u3000"])
DAY = st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2026, 12, 31))


@st.composite
def date_cells(draw: st.DrawFn) -> str:
    day = draw(DAY)
    spelling = draw(
        st.sampled_from(
            [
                "{d:%Y-%m-%d}",
                "{d:%Y-%m-%d}",
                "{d:%Y-%m-%d} 00:00:00",
                "{d:%Y-%m-%d}T10:30:00",
                "{d:%Y-%m-%d}T00:00:00Z",
                "{d:%Y-%m-%d} 09:15+02:00",
                "{y}-{m}-{dd}",  # one-digit month and day
                "{d:%d/%m/%Y}",
                "{d:%m/%d/%Y}",
                "{d:%d.%m.%Y}",
                "{d:%Y%m%d}",
                "{d:%d %b %Y}",
                "{d:%Y}-02-30",
                "{d:%Y}-13-01",
                "{d:%Y-%m-%d}",
            ]
        )
    )
    text = spelling.format(d=day, y=day.year, m=day.month, dd=day.day)
    extra = draw(st.sampled_from(["", "", "", "", "n/a", "-", "٢٠٢٤-٠١-٠٥", "2024-01-05\u00a0"]))
    text = extra or text
    return draw(SPACES) + text + draw(SPACES)


@st.composite
def amount_cells(draw: st.DrawFn) -> str:
    special = draw(
        st.sampled_from(
            [None] * 12
            + ["", "nan", "NaN", "inf", "-inf", "1e6", "1E+06", "1.23457E+08", "1e308", "-0", "+0", "0"]
            + ["99999999999999", "1" * 30, "abc", "12,3,4", "١٢٣", "120.-", "—", "1.234", "1,234", ".5", "5."]
        )
    )
    if special is not None:
        return draw(SPACES) + special + draw(SPACES)
    whole = draw(st.integers(min_value=0, max_value=10**7))
    cents = draw(st.integers(min_value=0, max_value=99))
    decimal = draw(st.sampled_from([".", ".", ","]))
    grouping = draw(st.sampled_from(["", "", "thousands", "space", "apostrophe"]))
    digits = f"{whole:,}" if grouping == "thousands" else str(whole)
    if grouping == "space":
        digits = f"{whole:,}".replace(",", "\u202f")
    elif grouping == "apostrophe":
        digits = f"{whole:,}".replace(",", "'")
    if decimal == "," and grouping == "thousands":
        digits = digits.replace(",", ".")
    number = digits + (f"{decimal}{cents:02d}" if draw(st.booleans()) else "")
    sign = draw(st.sampled_from(["", "", "", "-", "+", "(", "−"]))
    number = f"({number})" if sign == "(" else sign + number
    currency = draw(st.sampled_from(["", "", "", "€", "$", "CHF ", "£", " EUR", "kr "]))
    number = number + currency.strip() if currency.startswith(" ") else currency + number
    return draw(SPACES) + number + draw(SPACES)


ID_CELLS = st.one_of(
    st.sampled_from(["A1", "A2", "007", "7", " A1 ", "a1", "B 2", "Ünal", "A1\u00a0", ""]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
)
NAME_CELLS = st.one_of(
    st.sampled_from(["Ann Lee", 'Jo "JJ" Smith', "Müller, Hans", "Line\nbreak", "  ", "", "José", "x\x00y"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)
YES_NO = st.sampled_from(["", "yes", "No", "TRUE", "false", "y", "n", "1", "0", "x", "yes.", "maybe", " Y "])


def _csv_bytes(rows: list[list[str]], delimiter: str, encoding: str, newline: str) -> bytes | None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    try:
        return out.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return None


@st.composite
def messy_campaigns(draw: st.DrawFn) -> tuple[bytes, bytes]:
    delimiter = draw(st.sampled_from([",", ",", ";", "\t", "|"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    n = draw(st.integers(min_value=1, max_value=4))
    ids = draw(st.lists(ID_CELLS, min_size=n, max_size=n))
    clients = [["Customer ID", "Name", "Do Not Contact", "Last Contacted", "Total Revenue"]]
    for client in ids:
        clients.append([client, draw(NAME_CELLS), draw(YES_NO), draw(date_cells()), draw(amount_cells())])
    history = [["client_id", "date", "amount"]]
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        history.append([draw(st.sampled_from(ids)), draw(date_cells()), draw(amount_cells())])
    if draw(st.booleans()):  # an export that is clean apart from the generated amounts
        first = " ".join(ids[0].split()) or "A1"
        history = [history[0], *([first, "2024-01-05", r[2]] for r in history[1:])]
        clients = [clients[0], [first, "Ann", "", "2024-01-05", ""]]
    out = [_csv_bytes(t, delimiter, encoding, newline) for t in (clients, history)]
    if out[0] is None or out[1] is None:
        out = [_csv_bytes(t, delimiter, "utf-8", newline) for t in (clients, history)]
    return out[0], out[1]  # type: ignore[return-value]


def _examples(n: int) -> int:
    """At most `n` examples, fewer if the profile asks for fewer: every example loads three times."""
    return min(n, settings().max_examples)


@settings(max_examples=_examples(30), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=messy_campaigns())
def test_messy_cells_read_alike_or_refused_alike_on_every_engine(tmp_path_factory, files):
    toml = _campaign(tmp_path_factory.mktemp("messy"), *files)
    assert_engines_agree(toml)


@settings(max_examples=_examples(30))
@given(cell=amount_cells())
def test_an_amount_is_read_alike_or_refused_alike(tmp_path_factory, cell):
    clients = b"client_id\nA1\n"
    history = "client_id,date,amount\n" + "".join(
        f"A1,2024-01-0{i},{_quoted(c)}\n" for i, c in enumerate([cell, "10"], start=1)
    )
    toml = _campaign(tmp_path_factory.mktemp("amount"), clients, history.encode("utf-8"))
    kind, found = assert_engines_agree(toml)
    if kind == "ok":
        amounts = [row[2] for row in found[1]]
        assert all(abs(a) <= MAX_AMOUNT for a in amounts)


def _quoted(cell: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([cell])
    return out.getvalue()


@settings(max_examples=_examples(30))
@given(cell=date_cells())
def test_a_date_is_read_alike_or_refused_alike(tmp_path_factory, cell):
    history = f"client_id,date,amount\nA1,{_quoted(cell)},10\n"
    toml = _campaign(tmp_path_factory.mktemp("date"), b"client_id\nA1\n", history.encode("utf-8"))
    assert_engines_agree(toml)


# --- each case of the integrity issue, on every engine ---------------------------------------


def _tx(cell: str) -> bytes:
    return f"client_id,date,amount\nA1,2024-01-05,{_quoted(cell)}\n".encode()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("extra", ['encoding = "latin-1"\n', ""])
def test_a_latin1_file_is_read_on_every_engine(tmp_path, engine, extra):
    clients = "Customer ID,Näme,Name\nA1,x,José\n".encode("latin-1")
    toml = _campaign(tmp_path, clients, _tx("10"), extra)
    kind, (got, _) = outcome(toml, engine)
    assert kind == "ok"
    assert got[0][:2] == ("A1", "José")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("extra", ['decimal = ","\n', ""])
def test_a_semicolon_decimal_comma_file_is_read_on_every_engine(tmp_path, engine, extra):
    clients = "Kunde;Name\nA1;Jörg\n".encode()
    history = b"client_id;date;amount\nA1;2024-01-05;120,50\nA1;2024-01-06;1.234,50\n"
    toml = _campaign(tmp_path, clients, history, extra + '[data.columns.clients]\nclient_id = "Kunde"\n')
    kind, (_, tx) = outcome(toml, engine)
    assert kind == "ok"
    assert [row[2] for row in tx] == [120.5, 1234.5]


@pytest.mark.parametrize("engine", ENGINES)
def test_binary_garbage_is_refused_naming_the_file_not_its_bytes(tmp_path, engine):
    toml = _campaign(tmp_path, bytes(range(256)) * 8, _tx("10"))
    with pytest.raises(InputError) as caught:
        scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
    text = str(caught.value)
    assert "clients.csv" in text
    assert "binary data" in text
    assert "\\x01" not in text
    assert "\x01" not in text


@pytest.mark.parametrize("engine", ENGINES)
def test_a_header_only_client_list_is_refused_alike(tmp_path, engine):
    toml = _campaign(tmp_path, b"client_id,name\n", b"client_id,date,amount\n")
    with pytest.raises(InputError, match="the client list has no clients") as caught:
        scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
    assert caught.value.file == str(tmp_path / "clients.csv")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("cell", ["inf", "-inf", "nan", "NaN", "1e308", "1e6", "99999999999999", "abc"])
def test_a_broken_amount_is_refused_naming_file_column_row_and_value(tmp_path, engine, cell):
    toml = _campaign(tmp_path, b"client_id\nA1\n", _tx(cell))
    with pytest.raises(InputError) as caught:
        scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
    (problem,) = caught.value.problems or [caught.value]
    assert Path(problem.file).name == "transactions.csv"
    assert problem.column == "amount"
    assert list(problem.rows) == [1]
    assert list(problem.values) == [cell]


@pytest.mark.parametrize("engine", ENGINES)
def test_scientific_notation_is_refused_with_the_reason(tmp_path, engine):
    # Excel writes 123456789 as 1.23457E+08 from a General cell: six digits, the rest lost.
    toml = _campaign(tmp_path, b"client_id\nA1\n", _tx("1.23457E+08"))
    with pytest.raises(InputError, match=r"scientific notation .* Excel"):
        scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        ("120,50", 120.5),
        ("1.234,50", 1234.5),
        ("(120.00)", -120.0),
        ("CHF 120", 120.0),
        ("-80", -80.0),
        ("١٢٣", 123.0),
    ],
)
def test_amounts_mean_what_they_meant_on_every_engine(tmp_path, engine, cell, amount):
    toml = _campaign(tmp_path, b"client_id\nA1\n", _tx(cell))
    kind, (_, tx) = outcome(toml, engine)
    assert kind == "ok"
    assert tx == [("A1", dt.date(2024, 1, 5), amount)]


def test_a_plain_file_is_scanned_by_the_engine_not_handed_to_pandas(tmp_path):
    toml = _campaign(tmp_path, b"client_id,do_not_contact\nA1,Yes\n", _tx("10.25"))
    for engine in SCANNING:
        report = scan_inputs(load_config(toml), as_of=AS_OF, engine=engine).report.details()
        assert f"scanned by {engine}" in report
        assert "loaded by pandas" not in report


def test_a_currency_amount_is_read_by_the_pandas_loader_and_the_report_says_so(tmp_path):
    toml = _campaign(tmp_path, b"client_id\nA1\n", _tx("CHF 120"))
    report = scan_inputs(load_config(toml), as_of=AS_OF, engine="duckdb").report.details()
    assert "loaded by pandas (amounts in amount that are not plain numbers" in report


def test_amounts_up_to_a_trillion_are_read_and_beyond_are_refused():
    frame = pd.DataFrame({"client_id": ["A1"] * 4, "date": ["2024-01-05"] * 4})
    ok = load_transactions(
        frame.assign(amount=[MAX_AMOUNT, -MAX_AMOUNT, 0.01, "1,000,000,000,000.00"]), as_of=AS_OF
    )
    assert list(ok["amount"]) == [MAX_AMOUNT, -MAX_AMOUNT, 0.01, MAX_AMOUNT]
    huge = frame.assign(amount=[1e308, float("inf"), "10000000000000", -1.5e12])
    with pytest.raises(InputError) as caught:
        load_transactions(huge, as_of=AS_OF)
    texts = [p.render() for p in caught.value.problems]
    assert any("rows 1, 3, 4: amount too large to be real" in t for t in texts), texts
    assert any("row 2: not an amount" in t for t in texts), texts


def test_a_quantity_times_price_beyond_a_trillion_is_refused():
    lines = pd.DataFrame(
        {
            "*ContactName": ["A", "A"],
            "*InvoiceNumber": ["1", "2"],
            "*InvoiceDate": ["2024-01-05"] * 2,
            "*Quantity": ["2", "1000000"],
            "*UnitAmount": ["10", "9999999"],
        }
    )
    assert list(load_transactions(lines.iloc[:1], as_of=AS_OF, column_map="xero")["amount"]) == [20.0]
    with pytest.raises(InputError, match=r"row 2: \*Quantity x \*UnitAmount is too large to be real"):
        load_transactions(lines, as_of=AS_OF, column_map="xero")


@pytest.mark.parametrize("engine", ENGINES)
def test_inf_and_huge_amounts_in_parquet_are_refused_with_their_rows(tmp_path, engine):
    pd.DataFrame({"client_id": ["A1"]}).to_parquet(tmp_path / "clients.parquet")
    pd.DataFrame(
        {
            "client_id": ["A1", "A1", "A1"],
            "date": pd.to_datetime(["2024-01-05"] * 3),
            "amount": [10.0, float("inf"), 1e308],
        }
    ).to_parquet(tmp_path / "transactions.parquet")
    toml = tmp_path / "campaign.toml"
    toml.write_text(
        '[campaign]\nname = "t"\nas_of = 2025-01-01\n'
        '[data]\nclients = "clients.parquet"\ntransactions = "transactions.parquet"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
    rows = sorted(r for p in caught.value.problems for r in p.rows)
    assert rows == [2, 3]


def test_the_missing_engine_hint_names_the_key_campaign_toml_has(tmp_path, monkeypatch):
    import sys

    (tmp_path / "x.csv").write_text("a\n1\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "polars", None)  # as if it were not installed
    with pytest.raises(ConfigError) as caught:
        engines.scan(tmp_path / "x.csv", engine="polars")
    assert 'set name = "pandas" under [engine]' in str(caught.value)


# --- files that are not what their path says ---------------------------------------------------


SECRET = "sk-live-4242-SECRET"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("mapping", ["", '[data.columns.clients]\nclient_id = "Kunde"\n'])
def test_a_clients_path_at_a_secrets_file_does_not_print_it(tmp_path, engine, mapping):
    secrets = tmp_path / "secrets.env"
    secrets.write_text(f"API_KEY={SECRET}\n", encoding="utf-8")
    toml = _campaign(tmp_path, b"", _tx("10"), mapping)
    (tmp_path / "clients.csv").unlink()
    (tmp_path / "clients.csv").symlink_to(secrets)
    with pytest.raises(InputError) as caught:
        scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
    text = str(caught.value)
    assert "clients.csv" in text
    assert "single column" in text
    assert SECRET not in text
    assert "API_KEY" not in text


def test_a_column_map_path_at_another_toml_file_does_not_print_its_keys(tmp_path):
    other = tmp_path / "credentials.toml"
    other.write_text(f'[default]\naws_secret_access_key = "{SECRET}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="is not a column map") as caught:
        get_map(str(other))
    assert SECRET not in str(caught.value)
    assert "aws_secret_access_key" not in str(caught.value)
    assert "default" not in str(caught.value)


def test_a_column_map_path_at_a_binary_file_is_a_config_error(tmp_path):
    other = tmp_path / "key.toml"
    other.write_bytes(b"\x80\x81\xfe\xff" + SECRET.encode())
    with pytest.raises(ConfigError, match="is not UTF-8 text") as caught:
        get_map(str(other))
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_data_path_that_is_a_folder_is_refused(tmp_path, engine):
    toml = _campaign(tmp_path, b"client_id\nA1\n", _tx("10"))
    (tmp_path / "transactions.csv").unlink()
    (tmp_path / "transactions.csv").mkdir()
    with pytest.raises(InputError, match=r"transactions\.csv: is a folder, not a file"):
        scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("suffix", ["csv", "xlsx", "parquet"])
def test_an_unreadable_data_file_is_refused_with_the_fix(tmp_path, engine, monkeypatch, suffix):
    # Tests run as root, who may read anything: the denial is simulated where Python opens the file.
    toml = _campaign(tmp_path, b"client_id\nA1\n", _tx("10"), suffix=suffix)
    real_open, real_read = Path.open, Path.read_bytes

    def deny(real):
        def call(self, *args, **kwargs):
            if self.stem == "clients":
                raise PermissionError(13, "Permission denied", str(self))
            return real(self, *args, **kwargs)

        return call

    monkeypatch.setattr(Path, "open", deny(real_open))
    monkeypatch.setattr(Path, "read_bytes", deny(real_read))
    with pytest.raises(InputError) as caught:
        scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
    text = str(caught.value)
    assert f"clients.{suffix}: cannot be read: permission denied" in text
    assert "give your user read access" in text


def test_an_unreadable_file_is_an_input_error_for_the_loader(tmp_path, monkeypatch):
    path = tmp_path / "clients.csv"
    path.write_text("client_id\nA1\n", encoding="utf-8")
    monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(PermissionError(13, "denied")))
    with pytest.raises(InputError, match="permission denied"):
        load_clients(path, as_of=AS_OF)


# --- odd files: read alike or refused alike --------------------------------------------------

GOOD_TX = b"client_id,date,amount\nA1,2024-01-05,10\n"
ODD_FILES = {
    "empty file": (b"", GOOD_TX),
    "only spaces": (b"  \n \n", GOOD_TX),
    "BOM": (b"\xef\xbb\xbfclient_id,name\nA1,Ann\n", b"\xef\xbb\xbf" + GOOD_TX),
    "UTF-16 with BOM": ("client_id,name\nA1,Ann\n".encode("utf-16"), GOOD_TX),
    "UTF-16 without BOM": ("client_id,name\nA1,José\n".encode("utf-16-le"), GOOD_TX),
    "CRLF": (b"client_id,name\r\nA1,Ann\r\n", GOOD_TX.replace(b"\n", b"\r\n")),
    "old Mac CR": (b"client_id,name\rA1,Ann\rA2,Bo\r", GOOD_TX.replace(b"\n", b"\r")),
    "only a header": (b"client_id,name\n", b"client_id,date,amount\n"),
    "history only a header": (b"client_id,name\nA1,Ann\n", b"client_id,date,amount\n"),
    "duplicated header names": (b"client_id,name,name,name\nA1,Ann,Bo,Cy\n", GOOD_TX),
    "blank header names": (b"client_id,,name,\nA1,x,Ann,\n", GOOD_TX),
    "padded header names": (b" client_id , name \nA1,Ann\n", GOOD_TX),
    "quoted newline": (b'client_id,name\nA1,"Ann\nLee"\n', GOOD_TX),
    "quoted delimiter and quotes": (b'client_id,name\nA1,"Lee, ""Ann"""\n', GOOD_TX),
    "stray quote": (b'client_id,name\nA1,Ann "Jo\n', GOOD_TX),
    "backslash": (b'client_id,name\nA1,"Ann\\"\n', GOOD_TX),
    "very long line": (b"client_id,name\nA1," + b"x" * 200_000 + b"\n", GOOD_TX),
    "many columns": (
        b"client_id," + b",".join(b"c%d" % i for i in range(300)) + b"\nA1" + b",v" * 300 + b"\n",
        GOOD_TX,
    ),
    "mixed encodings": ("client_id,name\nA1,José\n".encode() + "A2,Zoë\n".encode("cp1252"), GOOD_TX),
    "NUL byte": (b"client_id,name\nA1,J\x00o\nA2,Bo\nA3,Cy\nA4,Di\n", GOOD_TX),
    "blank line in the middle": (b"client_id,name\nA1,Ann\n\nA2,Bo\n", GOOD_TX),
    "row of delimiters": (b"client_id,name\nA1,Ann\n,\n", GOOD_TX + b",,\n"),
    "short row": (b"client_id,name,email\nA1,Ann\n", GOOD_TX),
    "long row": (b"client_id,name\nA1,Ann,extra\n", GOOD_TX),
    "trailing delimiters": (b"client_id,name\nA1,Ann,,\n", GOOD_TX),
    "blank lines above the header": (b"\n\nclient_id,name\nA1,Ann\n", GOOD_TX),
    "a comment-like first cell": (
        b"client_id,name\n#A1,Ann\n",
        b"client_id,date,amount\n#A1,2024-01-05,10\n",
    ),
    "no final newline": (b"client_id,name\nA1,Ann", b"client_id,date,amount\nA1,2024-01-05,10"),
    "tab separated": (b"client_id\tname\nA1\tAnn\n", b"client_id\tdate\tamount\nA1\t2024-01-05\t10\n"),
    "pipe separated": (b"client_id|name\nA1|Ann\n", b"client_id|date|amount\nA1|2024-01-05|10\n"),
    "yes/no words": (b"client_id,do_not_contact\nA1,Yes.\nA2,\nA3,maybe\n", GOOD_TX),
    "dates with times": (b"client_id,last_contact\nA1,2024-01-05T10:00:00Z\n", GOOD_TX),
    "leading zeros": (b"client_id\n007\n", b"client_id,date,amount\n007,2024-01-05,10\n7,2024-01-05,1\n"),
    "ambiguous thousands on ;": (b"client_id\nA1\n", b"client_id;date;amount\nA1;2024-01-05;1.234\n"),
    "thousands on ,": (b"client_id\nA1\n", b"client_id,date,amount\nA1,2024-01-05,1.234\n"),
}


@pytest.mark.parametrize("name", list(ODD_FILES))
def test_odd_files_are_read_alike_or_refused_alike(tmp_path, name):
    assert_engines_agree(_campaign(tmp_path, *ODD_FILES[name]))


def test_an_xlsx_that_is_really_a_csv_is_refused_alike_with_the_fix(tmp_path):
    toml = _campaign(tmp_path, b"client_id,name\nA1,Ann\n", GOOD_TX, suffix="xlsx")
    for engine in ENGINES:
        with pytest.raises(InputError, match=r"it is text, not a workbook[\s\S]*rename it to clients\.csv"):
            scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)


def _workbook(rows: list[list[Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD_TX_ROWS = [["client_id", "date", "amount"], ["A1", dt.date(2024, 1, 5), 10]]
ODD_WORKBOOKS = {
    "empty sheet": ([], GOOD_TX_ROWS),
    "only a header": ([["client_id", "name"]], GOOD_TX_ROWS),
    "a time for a date": ([["client_id"], ["A1"]], [GOOD_TX_ROWS[0], ["A1", dt.time(10, 0), 10]]),
    "a serial number for a date": ([["client_id"], ["A1"]], [GOOD_TX_ROWS[0], ["A1", 45296, 10]]),
    "an error cell": ([["client_id"], ["A1"]], [GOOD_TX_ROWS[0], ["A1", dt.date(2024, 1, 5), "#DIV/0!"]]),
    "a huge number": ([["client_id"], ["A1"]], [GOOD_TX_ROWS[0], ["A1", dt.date(2024, 1, 5), 10**20]]),
    "repeated and blank headers": ([["client_id", "client_id", None], ["A1", "A2", 1]], GOOD_TX_ROWS),
}


@pytest.mark.parametrize("name", list(ODD_WORKBOOKS))
def test_odd_workbooks_are_read_alike_or_refused_alike(tmp_path, name):
    clients, history = ODD_WORKBOOKS[name]
    assert_engines_agree(_campaign(tmp_path, _workbook(clients), _workbook(history), suffix="xlsx"))


def _parquet(table: pa.Table) -> bytes:
    out = pa.BufferOutputStream()
    pq.write_table(table, out)
    return out.getvalue().to_pybytes()


GOOD_TX_TABLE = pa.table(
    {"client_id": ["A1"], "date": pa.array([dt.date(2024, 1, 5)]), "amount": pa.array([10.0])}
)
ODD_PARQUET = {
    "int ids": (
        pa.table({"client_id": [1, 2]}),
        pa.table({"client_id": [1], "date": ["2024-01-05"], "amount": [1]}),
    ),
    "dictionary ids": (
        pa.table({"client_id": pa.array(["A1", "A2"]).dictionary_encode()}),
        GOOD_TX_TABLE,
    ),
    "decimal amounts": (
        pa.table({"client_id": ["A1"]}),
        pa.table(
            {
                "client_id": ["A1"],
                "date": pa.array([dt.date(2024, 1, 5)]),
                "amount": pa.array([__import__("decimal").Decimal("10.25")], type=pa.decimal128(12, 2)),
            }
        ),
    ),
    "text amounts": (
        pa.table({"client_id": ["A1"]}),
        pa.table({"client_id": ["A1", "A1"], "date": ["2024-01-05"] * 2, "amount": ["CHF 120", "1.234,50"]}),
    ),
    "tz-aware times": (
        pa.table(
            {
                "client_id": ["A1"],
                "last_contact": pa.array(
                    [dt.datetime(2024, 1, 5, 23, 30)], type=pa.timestamp("us", tz="Europe/Zurich")
                ),
            }
        ),
        GOOD_TX_TABLE,
    ),
    "integer dates": (
        pa.table({"client_id": ["A1"]}),
        pa.table({"client_id": ["A1"], "date": [20240105], "amount": [10.0]}),
    ),
    "integer yes/no": (pa.table({"client_id": ["A1", "A2"], "do_not_contact": [1, 0]}), GOOD_TX_TABLE),
    "text yes/no": (pa.table({"client_id": ["A1", "A2"], "do_not_contact": ["yes", "maybe"]}), GOOD_TX_TABLE),
    "binary names": (
        pa.table({"client_id": ["A1"], "name": pa.array([b"Ann"], type=pa.binary())}),
        GOOD_TX_TABLE,
    ),
    "list column": (pa.table({"client_id": ["A1"], "tags": pa.array([["a", "b"]])}), GOOD_TX_TABLE),
    "null amounts": (
        pa.table({"client_id": ["A1"]}),
        pa.table(
            {
                "client_id": ["A1"],
                "date": pa.array([dt.date(2024, 1, 5)]),
                "amount": pa.array([None], type=pa.float64()),
            }
        ),
    ),
    "duration amounts": (
        pa.table({"client_id": ["A1"]}),
        pa.table(
            {
                "client_id": ["A1"],
                "date": pa.array([dt.date(2024, 1, 5)]),
                "amount": pa.array([dt.timedelta(days=1)]),
            }
        ),
    ),
    "time-of-day dates": (
        pa.table({"client_id": ["A1"]}),
        pa.table({"client_id": ["A1"], "date": pa.array([dt.time(10, 0)]), "amount": [1.0]}),
    ),
    "struct names": (pa.table({"client_id": ["A1"], "name": pa.array([{"a": 1}])}), GOOD_TX_TABLE),
    "a row of nothing": (pa.table({"client_id": pa.array([float("nan"), 1.0])}), GOOD_TX_TABLE),
    "uint64 ids": (
        pa.table({"client_id": pa.array([2**64 - 1], type=pa.uint64())}),
        pa.table(
            {
                "client_id": pa.array([2**64 - 1], type=pa.uint64()),
                "date": pa.array([dt.date(2024, 1, 5)]),
                "amount": [1.0],
            }
        ),
    ),
    "float ids beyond 64-bit integers or not whole": (
        pa.table({"client_id": [1e20, 1e-7, 3.5, 1.0]}),
        pa.table({"client_id": [1e20], "date": pa.array([dt.date(2024, 1, 5)]), "amount": [1.0]}),
    ),
    "no rows": (pa.table({"client_id": pa.array([], type=pa.string())}), GOOD_TX_TABLE),
}


@pytest.mark.parametrize("name", list(ODD_PARQUET))
def test_parquet_with_odd_types_is_read_alike_or_refused_alike(tmp_path, name):
    clients, history = ODD_PARQUET[name]
    assert_engines_agree(_campaign(tmp_path, _parquet(clients), _parquet(history), suffix="parquet"))


def test_a_corrupt_parquet_file_is_refused_alike(tmp_path):
    toml = _campaign(tmp_path, b"PAR1 not really parquet PAR1", _parquet(GOOD_TX_TABLE), suffix="parquet")
    assert assert_engines_agree(toml) == ("refused", {"clients.parquet"})


#: The characters that make or break a CSV's structure, and a few that encodings disagree on.
CSV_TOKENS = st.sampled_from(
    [
        ",",
        ",",
        ";",
        '"',
        '"',
        "\n",
        "\n",
        "\r",
        "\r\n",
        "\t",
        " ",
        "A1",
        "A2",
        "7",
        "x",
        "\x00",
        "é",
        "\xa0",
        "#",
    ]
)


@settings(max_examples=_examples(30))
@given(
    body=st.lists(CSV_TOKENS, max_size=30).map("".join),
    header=st.sampled_from(["client_id,name\n", "client_id\n", ""]),
)
def test_raw_csv_text_is_read_alike_or_refused_alike(tmp_path_factory, header, body):
    # Written as it comes, unquoted: quotes that do not close, rows of every width, stray
    # carriage returns, NULs. Whatever the file is, every engine reads it as pandas does,
    # or refuses it.
    toml = _campaign(tmp_path_factory.mktemp("raw"), (header + body).encode("utf-8"), GOOD_TX)
    assert_engines_agree(toml)


@pytest.mark.parametrize("engine", ENGINES)
def test_utf16_text_without_a_byte_order_mark_is_read_on_every_engine(tmp_path, engine):
    clients = "client_id,name\nA1,José\n".encode("utf-16-le")
    kind, (got, _) = outcome(_campaign(tmp_path, clients, GOOD_TX), engine)
    assert kind == "ok"
    assert got[0][:2] == ("A1", "José")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_damaged_workbook_is_refused_naming_it(tmp_path, engine):
    import zipfile

    good = io.BytesIO(_workbook([["client_id"], ["A1"]]))
    damaged = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, b"<worksheet><sheetData><row" if "worksheets/" in item.filename else data)
    toml = _campaign(tmp_path, damaged.getvalue(), _workbook(GOOD_TX_ROWS), suffix="xlsx")
    with pytest.raises(InputError, match=r"clients\.xlsx"):
        scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)


@pytest.mark.parametrize(
    "words", [["Call", "E-Mail ", "Face to Face", "Fax", ""], ["Téléphone", "ﬁ", "Call"]]
)
def test_channels_are_read_alike_on_every_engine(tmp_path, words):
    toml = _campaign(tmp_path, b"client_id\nA1\n", GOOD_TX, 'contacts = "contacts.csv"\n')
    rows = "".join(f"A1,2024-01-{i + 1:02d},{_quoted(w)}\n" for i, w in enumerate(words))
    (tmp_path / "contacts.csv").write_text("client_id,date,channel\n" + rows, encoding="utf-8")
    kind, found = assert_engines_agree(toml)
    assert kind == "ok"
    if words[0] == "Call":
        assert [c for *_, c in found[2]] == ["phone", "email", "visit", "other", "other"]
