"""Loading and validating inputs: formats, canonical types, and errors a consultant can act on."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconnect_lib import load
from reconnect_lib import schema as s
from reconnect_lib.column_maps import TABLE_COLUMNS
from reconnect_lib.config import parse_config
from reconnect_lib.errors import ConfigError, InputError
from reconnect_lib.load import (
    CLIENTS_SCHEMA,
    CONTACTS_SCHEMA,
    DTYPES,
    TRANSACTIONS_SCHEMA,
    LoadReport,
    ReadOptions,
    TableReport,
    cells,
    load_clients,
    load_contacts,
    load_inputs,
    load_table,
    load_transactions,
    read_table,
    scan_checks,
    tables,
)

AS_OF = date(2024, 6, 1)
DATA = Path(__file__).parent / "data" / "load"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def error_text(call, *args, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    return str(info.value)


# --- reading: delimiters, encodings, decimal commas ----------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(tmp_path, delimiter):
    rows = [["Client No", "Name", "Revenue"], ["00123", "Ann Lee", "10"], ["00124", "Bob", "20"]]
    path = write(tmp_path / "c.csv", "\n".join(delimiter.join(r) for r in rows) + "\n")
    raw = read_table(path)
    assert list(raw.columns) == ["Client No", "Name", "Revenue"]
    assert raw["Client No"].tolist() == ["00123", "00124"]  # strings: zeros kept


def test_csv_with_utf8_bom(tmp_path):
    path = write(tmp_path / "c.csv", "client_id,name\n1,Zoë\n", encoding="utf-8-sig")
    raw = read_table(path)
    assert list(raw.columns) == ["client_id", "name"]  # no BOM glued to the first name
    assert raw.loc[0, "name"] == "Zoë"


def test_csv_in_latin1_with_semicolons_and_decimal_commas(tmp_path):
    text = (
        "Kundennummer;Name;Ort;Umsatz;Letzter Kontakt\n"
        "0042;Müller GmbH;Köln;1.234,56;2023-05-04\n"
        "0043;Café Zoë;Genève;99,90;\n"
    )
    path = write(tmp_path / "kunden.csv", text, encoding="latin-1")
    clients = load_clients(
        path,
        as_of=AS_OF,
        columns={
            "client_id": "Kundennummer",
            "city": "Ort",
            "total_revenue": "Umsatz",
            "last_contact": "Letzter Kontakt",
        },
    )
    assert clients[s.CLIENT_ID].tolist() == ["0042", "0043"]
    assert clients[s.NAME].tolist() == ["Müller GmbH", "Café Zoë"]
    assert clients[s.CITY].tolist() == ["Köln", "Genève"]
    assert clients[s.TOTAL_REVENUE].tolist() == [1234.56, 99.9]


def test_windows_1252_is_preferred_to_latin1_for_the_euro_sign(tmp_path):
    path = write(tmp_path / "t.csv", "client_id;date;amount\nA;2024-01-02;€ 1.200,00\n", encoding="cp1252")
    tx = load_transactions(path, as_of=AS_OF)
    assert tx[s.AMOUNT].tolist() == [1200.0]


def test_utf16_export_from_excel(tmp_path):
    path = write(tmp_path / "c.txt", "client_id\tname\n1\tÅsa\n", encoding="utf-16")
    assert read_table(path).loc[0, "name"] == "Åsa"


def test_explicit_options_override_detection(tmp_path):
    path = write(tmp_path / "t.csv", "client_id;date;amount\nA;2024-01-02;1.500\n")
    assert load_transactions(path, as_of=AS_OF)[s.AMOUNT].tolist() == [1500.0]  # ';' file: 1.500 is 1500
    assert load_transactions(path, as_of=AS_OF, decimal=".")[s.AMOUNT].tolist() == [1.5]
    raw = read_table(path, delimiter=",")
    assert list(raw.columns) == ["client_id;date;amount"]


def test_wrong_explicit_encoding_is_an_input_error(tmp_path):
    path = write(tmp_path / "c.csv", "client_id,name\n1,Zoë\n", encoding="latin-1")
    text = error_text(read_table, path, encoding="utf-8")
    assert "is not utf-8 text" in text
    assert "on line 2" in text


# --- reading: Excel, Parquet, DataFrames ------------------------------------------------------


def make_workbook(path: Path, sheets: dict[str, list[list[object]]], formats: dict | None = None) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    for (title, cell), fmt in (formats or {}).items():
        wb[title][cell].number_format = fmt
    wb.save(path)
    return path


def test_excel_native_dates_numbers_and_trailing_blank_rows(tmp_path):
    rows = [
        ["Client No", "Name", "Last Contacted", "Revenue", "Do not contact"],
        ["00123", "Ann", datetime(2023, 4, 5, 14, 30), 1250.5, "x"],
        [124, "Bob", date(2022, 1, 31), 300, None],
        ["00125", "Cy", "2021-12-01", "1,000.00", "no"],
    ]
    path = make_workbook(tmp_path / "clients.xlsx", {"Notes": [["ignore me"]], "Clients": rows})
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb["Clients"]["A8"].number_format = "0.00"  # formatted, empty rows that Excel leaves behind
    wb.save(path)
    cfg = parse_config(
        {"campaign": {"name": "t"}, "data": {"clients": str(path), "sheet": "clients"}},
    )
    inputs = load_inputs(cfg, as_of=AS_OF)
    clients = inputs.clients
    assert clients[s.CLIENT_ID].tolist() == ["00123", "124", "00125"]
    assert clients[s.LAST_CONTACT].tolist() == [
        pd.Timestamp("2023-04-05"),
        pd.Timestamp("2022-01-31"),
        pd.Timestamp("2021-12-01"),
    ]
    assert clients[s.TOTAL_REVENUE].tolist() == [1250.5, 300.0, 1000.0]
    assert clients[s.DO_NOT_CONTACT].tolist() == [True, False, False]
    report = inputs.report["clients"]
    assert (report.rows_read, report.rows_kept) == (7, 3)
    assert report.set_aside == (("blank", 4),)
    assert str(inputs.report) == "clients.xlsx: 7 rows read, 3 kept; set aside: 4 blank"


def test_excel_sheet_by_position_and_zero_padded_ids(tmp_path):
    path = make_workbook(
        tmp_path / "c.xlsx",
        {"A": [["x"]], "B": [["client_id", "name"], [42, "Ann"]]},
        formats={("B", "A2"): "00000"},
    )
    assert read_table(path, sheet=1).loc[0, "client_id"] == "00042"


def test_excel_missing_sheet_suggests_the_nearest(tmp_path):
    path = make_workbook(tmp_path / "c.xlsx", {"Clients": [["client_id"], ["1"]], "Invoices": [["x"]]})
    text = error_text(read_table, path, sheet="Client")
    assert "c.xlsx: has no sheet named 'Client'" in text
    assert "(expected one of 'Clients', 'Invoices')" in text
    assert 'did you mean sheet = "Clients"?' in text


def test_excel_written_by_pandas(tmp_path):
    path = tmp_path / "clients.xlsx"
    pd.DataFrame(
        {
            "Client ID": ["001", "002"],
            "Last Contact Date": pd.to_datetime(["2023-01-05", "2022-02-03"]),
            "Revenue": [1.5, 2],
        }
    ).to_excel(path, index=False)
    clients = load_clients(path, as_of=AS_OF)
    assert clients[s.CLIENT_ID].tolist() == ["001", "002"]
    assert clients[s.LAST_CONTACT].tolist() == [pd.Timestamp("2023-01-05"), pd.Timestamp("2022-02-03")]
    assert clients[s.TOTAL_REVENUE].tolist() == [1.5, 2.0]


def test_parquet_keeps_types(tmp_path):
    frame = pd.DataFrame(
        {
            "client_id": ["007", "008"],
            "date": pd.to_datetime(["2024-01-02 10:00", "2023-05-06 00:00"]).tz_localize("Europe/London"),
            "amount": [10.5, -3.0],
        }
    )
    path = tmp_path / "tx.parquet"
    frame.to_parquet(path)
    tx = load_transactions(path, as_of=AS_OF)
    assert tx[s.CLIENT_ID].tolist() == ["007", "008"]
    assert tx[s.DATE].tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2023-05-06")]
    assert tx[s.AMOUNT].tolist() == [10.5, -3.0]


def test_dataframe_input_is_copied_not_mutated():
    raw = pd.DataFrame(
        {
            "Customer ID": [" 00123 ", "00124"],
            "Last Contacted": ["2024-01-02", "2023-02-03"],
            "Revenue": ["1,200.00", None],
        }
    )
    before = raw.copy(deep=True)
    clients = load_clients(raw, as_of=AS_OF)
    pd.testing.assert_frame_equal(raw, before)
    clients.loc[0, s.NAME] = "changed"
    pd.testing.assert_frame_equal(raw, before)


def test_typed_dataframe_input_and_named_index():
    raw = pd.DataFrame(
        {"date": pd.to_datetime(["2024-01-02", "2024-02-03"]), "amount": [5, 7]},
        index=pd.Index([123, 456], name="client_id"),
    )
    tx = load_transactions(raw, as_of=AS_OF)
    assert tx[s.CLIENT_ID].tolist() == ["123", "456"]
    assert tx[s.AMOUNT].dtype == "float64"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "missing.csv: file not found"),
        ("c.xls", b"\xd0\xcf\x11\xe0", "old-style Excel .xls files are not supported"),
        ("c.json", b"{}", "unsupported file type '.json'"),
        ("c.csv", b"", "the file is empty"),
        ("c.xlsx", b"client_id\n1\n", "cannot be read as an Excel workbook"),
    ],
)
def test_unreadable_files_are_input_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert message in error_text(load_clients, path, as_of=AS_OF)


def test_missing_file_suggests_a_near_name(tmp_path):
    write(tmp_path / "clients.csv", "client_id\n1\n")
    text = error_text(load_clients, tmp_path / "client.csv", as_of=AS_OF)
    assert "did you mean 'clients.csv'?" in text


def test_an_empty_client_list_is_an_error(tmp_path):
    path = write(tmp_path / "clients.csv", "client_id,name\n\n")
    assert "clients.csv: the client list has no clients" in error_text(load_clients, path, as_of=AS_OF)


def test_repeated_and_blank_column_names_are_made_unique(tmp_path):
    path = write(tmp_path / "c.csv", "client_id,Email,Email,,\n1,a@x.org,b@x.org,note,\n")
    assert list(read_table(path).columns) == ["client_id", "Email", "Email.1", "Unnamed: 3"]
    clients = load_clients(path, as_of=AS_OF)
    assert clients[s.EMAIL].tolist() == ["a@x.org"]


def test_importing_the_loader_pulls_in_no_optional_engine():
    code = (
        "import sys, reconnect_lib.load; "
        "print(sorted(m for m in ('openpyxl', 'polars', 'duckdb') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_rows_with_too_many_values_are_located(tmp_path):
    path = write(tmp_path / "c.csv", "client_id,name\n1,Ann\n2,Lee, Bob\n3,Cy,\n")
    text = error_text(read_table, path)
    assert "c.csv, row 2: more values than the header has columns (expected at most 2 values per row" in text
    assert "put such values in double quotes" in text


# --- canonical types -----------------------------------------------------------------------


def test_output_columns_and_dtypes_are_the_contract():
    clients = load_clients(pd.DataFrame({"client_id": ["1"]}), as_of=AS_OF)
    assert list(clients.columns) == list(TABLE_COLUMNS["clients"])
    assert {c: str(t) for c, t in clients.dtypes.items()} == {c: DTYPES[c] for c in clients.columns}
    CLIENTS_SCHEMA.validate(clients)
    tx = load_transactions(
        pd.DataFrame({"client_id": ["1"], "date": ["2024-01-01"], "amount": ["5"]}), as_of=AS_OF
    )
    assert list(tx.columns) == [s.CLIENT_ID, s.DATE, s.AMOUNT, s.INVOICE_ID]
    assert {c: str(t) for c, t in tx.dtypes.items()} == {c: DTYPES[c] for c in tx.columns}
    TRANSACTIONS_SCHEMA.validate(tx)
    contacts = load_contacts(pd.DataFrame({"client_id": ["1"], "date": ["2024-01-01"]}), as_of=AS_OF)
    assert contacts[s.CHANNEL].tolist() == ["other"]  # no channel column: "other"
    CONTACTS_SCHEMA.validate(contacts)
    assert isinstance(clients.index, pd.RangeIndex)


def test_text_is_stripped_and_blank_is_missing():
    clients = load_clients(
        pd.DataFrame(
            {"client_id": ["  A  7 ", "B"], "name": ["  Ann   Lee ", "   "], "phone": [1632960001.0, None]}
        ),
        as_of=AS_OF,
    )
    assert clients[s.CLIENT_ID].tolist() == ["A 7", "B"]
    assert clients.loc[0, s.NAME] == "Ann Lee"
    assert pd.isna(clients.loc[1, s.NAME])
    assert clients.loc[0, s.PHONE] == "1632960001"  # a number read from a spreadsheet, not "1632960001.0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("x", True), (True, True), (1, True)],
        *[
            ("no", False),
            ("n", False),
            ("false", False),
            ("0", False),
            ("", False),
            (None, False),
            (0.0, False),
        ],
    ],
)
def test_do_not_contact_values(value, expected):
    clients = load_clients(pd.DataFrame({"client_id": ["1"], "DNC": [value]}, dtype=object), as_of=AS_OF)
    assert bool(clients.loc[0, s.DO_NOT_CONTACT]) is expected
    assert clients[s.DO_NOT_CONTACT].dtype == "bool"


def test_do_not_contact_rejects_other_values():
    text = error_text(
        load_clients, pd.DataFrame({"client_id": ["1", "2"], "DNC": ["maybe", "yes"]}), as_of=AS_OF
    )
    assert "column `DNC`, row 1: not a yes/no value (read as `do_not_contact`) (found 'maybe')" in text
    assert "yes/no, true/false, y/n, 1/0, x (yes) or a blank cell (no)" in text


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1234.56", 1234.56),
        ("1,234.56", 1234.56),
        ("-80", -80.0),
        ("(80.00)", -80.0),
        ("£1,200", 1200.0),
        ("1 200,50 €", 1200.5),
        ("EUR 99", 99.0),
        ("12.5-", -12.5),
        ("−3.25", -3.25),
        ("1'234.50", 1234.5),
    ],
)
def test_amount_formats(text, amount):
    tx = load_transactions(
        pd.DataFrame({"client_id": ["1"], "date": ["2024-01-01"], "amount": [text]}), as_of=AS_OF
    )
    assert tx.loc[0, s.AMOUNT] == pytest.approx(amount)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1234,56", "3"], [1234.56, 3.0]),  # decimal comma with no thousands separator
        (["1.234,56", "12,5"], [1234.56, 12.5]),
        (["1,234", "12.50"], [1234.0, 12.5]),  # "1,234" is ambiguous alone; 12.50 settles it
        (["1,234,567"], [1234567.0]),
    ],
)
def test_decimal_mark_is_detected_per_column(values, expected):
    frame = pd.DataFrame(
        {"client_id": ["1"] * len(values), "date": ["2024-01-01"] * len(values), "amount": values}
    )
    assert load_transactions(frame, as_of=AS_OF)[s.AMOUNT].tolist() == expected


@pytest.mark.parametrize(
    ("value", "options", "expected"),
    [
        ("2024-01-31", {}, "2024-01-31"),
        ("2024-01-31T23:59:59Z", {}, "2024-01-31"),
        ("2024-1-5 08:00", {}, "2024-01-05"),
        ("31/01/2024", {"date_format": "%d/%m/%Y"}, "2024-01-31"),
        ("31/01/2024 17:45", {"date_format": "%d/%m/%Y"}, "2024-01-31"),
        ("2024-01-31", {"date_format": "%d/%m/%Y"}, "2024-01-31"),  # ISO is always read
        ("01/31/2024", {"date_format": "%m/%d/%Y"}, "2024-01-31"),
        ("31.1.24", {"dayfirst": True}, "2024-01-31"),
        ("5/3/2024", {"dayfirst": True}, "2024-03-05"),
        ("05-03-1999 10:00", {"dayfirst": True}, "1999-03-05"),
    ],
)
def test_date_formats(value, options, expected):
    contacts = load_contacts(pd.DataFrame({"client_id": ["1"], "date": [value]}), as_of=AS_OF, **options)
    assert contacts.loc[0, s.DATE] == pd.Timestamp(expected)
    assert contacts[s.DATE].dtype == "datetime64[ns]"


@pytest.mark.parametrize(
    ("raw", "channel"),
    [
        ("Letter", "letter"),
        ("mail", "letter"),
        ("Post", "letter"),
        ("Call", "phone"),
        ("PHONE CALL", "phone"),
        ("E-mail", "email"),
        ("email", "email"),
        ("Meeting", "visit"),
        ("face-to-face", "visit"),
        ("Gift", "gift"),
    ],
)
def test_channel_synonyms(raw, channel):
    contacts = load_contacts(
        pd.DataFrame({"client_id": ["1"], "date": ["2024-01-01"], "channel": [raw]}), as_of=AS_OF
    )
    assert contacts.loc[0, s.CHANNEL] == channel


def test_unknown_channels_are_other_and_counted(tmp_path):
    clients = write(tmp_path / "clients.csv", "client_id\n1\n")
    contacts = write(
        tmp_path / "contacts.csv",
        "client_id,date,channel\n1,2024-01-01,Fax\n1,2024-01-02,Fax\n1,2024-01-03,Zoom\n1,2024-01-04,\n1,2024-01-05,call\n",
    )
    cfg = parse_config(
        {"campaign": {"name": "t"}, "data": {"clients": str(clients), "contacts": str(contacts)}}
    )
    inputs = load_inputs(cfg, as_of=AS_OF)
    assert inputs.contacts[s.CHANNEL].tolist() == ["other", "other", "other", "other", "phone"]
    assert "4 channel values read as 'other': 'Fax' (2), 'Zoom' (1), '(blank)' (1)" in str(inputs.report)


# --- errors a consultant can act on ----------------------------------------------------------


def test_missing_required_column_says_what_exists_and_what_to_map(tmp_path):
    path = write(tmp_path / "clients.csv", "Kunden Nr,Name,Letzter Kontakt\n1,Ann,2024-01-01\n")
    text = error_text(load_clients, path, as_of=AS_OF)
    assert text.startswith("clients.csv, column `client_id`: no column for `client_id`")
    assert "(columns found: 'Kunden Nr', 'Name', 'Letzter Kontakt')" in text
    assert "'Customer ID', 'Client No'" in text  # what the map looked for
    assert "did you mean 'Kunden Nr'?" in text
    assert '[data.columns.clients] in campaign.toml: client_id = "Kunden Nr"' in text
    assert 'columns={"client_id": "Kunden Nr"}' in text


def test_missing_column_suggests_the_column_map_of_a_recognised_export():
    raw = pd.read_csv(DATA / "hubspot_contacts.csv", dtype=str).drop(columns=["Record ID"])
    text = error_text(load_clients, raw, as_of=AS_OF)
    assert 'this looks like a hubspot export: set column_map = "hubspot" under [data]' in text


def test_missing_history_columns_are_all_reported():
    text = error_text(
        load_transactions, pd.DataFrame({"Customer": ["1"], "When": ["2024-01-01"]}), as_of=AS_OF
    )
    assert text.startswith("3 problems in transactions (DataFrame):")
    assert "no column for `client_id`" in text
    assert "no column for `date`" in text
    assert "no column for `amount`" in text


def test_duplicate_client_ids(tmp_path):
    path = write(tmp_path / "clients.csv", "Client No,Name\nA1,Ann\nB2,Bob\nA1,Ann L.\nC3,Cy\nB2,Bo\n")
    text = error_text(load_clients, path, as_of=AS_OF)
    assert text.startswith(
        "clients.csv, column `Client No`, rows 1, 2, 3, 5: 2 client ids appear on more than one row "
        "(read as `client_id`) (found 'A1', 'B2', 'A1', 'B2') (expected each client once)"
    )
    assert "merge the duplicate rows into one" in text


def test_blank_client_ids(tmp_path):
    path = write(tmp_path / "clients.csv", "client_id,name\n1,Ann\n,Total\n")
    text = error_text(load_clients, path, as_of=AS_OF)
    assert "clients.csv, column `client_id`, row 2: blank (expected a client_id on every row)" in text
    assert "e.g. a totals row" in text


def test_unparseable_dates_suggest_a_date_format(tmp_path):
    path = write(
        tmp_path / "clients.csv",
        "client_id,last_contact\n1,2024-01-02\n2,31/01/2024\n3,13/02/2023\n4,yesterday\n",
    )
    text = error_text(load_clients, path, as_of=AS_OF)
    assert (
        "clients.csv, column `last_contact`, rows 2, 3, 4: not a date "
        "(found '31/01/2024', '13/02/2023', 'yesterday') "
        "(expected dates as YYYY-MM-DD, or a date_format under [data] in campaign.toml)"
    ) in text
    assert 'set date_format = "%d/%m/%Y" under [data] in campaign.toml' in text


def test_ambiguous_day_month_order_offers_both_formats():
    raw = pd.DataFrame({"client_id": ["1"], "last_contact": ["03/04/2024"]})
    text = error_text(load_clients, raw, as_of=AS_OF)
    assert 'date_format = "%d/%m/%Y" or date_format = "%m/%d/%Y"' in text
    assert "day and month cannot be told apart" in text


def test_dates_that_do_not_match_the_configured_format():
    raw = pd.DataFrame({"client_id": ["1", "2"], "last_contact": ["31/01/2024", "2024/01/31"]})
    text = error_text(load_clients, raw, as_of=AS_OF, date_format="%d/%m/%Y")
    assert (
        "row 2: not a date (found '2024/01/31') (expected dates like 01/06/2024 (date_format = \"%d/%m/%Y\"))"
        in text
    )


def test_excel_serial_numbers_in_a_date_column():
    raw = pd.DataFrame({"client_id": ["1"], "last_contact": [45000]}, dtype=object)
    assert "format the column as Date in Excel" in error_text(load_clients, raw, as_of=AS_OF)


def test_dates_after_as_of_and_placeholders_before_1900():
    raw = pd.DataFrame(
        {
            "client_id": ["1", "2", "3", "4"],
            "last_purchase": ["2024-06-01", "2024-06-02", "1899-12-30", "9999-12-31"],
        }
    )
    text = error_text(load_clients, raw, as_of=AS_OF)
    assert (
        "column `last_purchase`, rows 2, 4: date after the as-of date 2024-06-01 "
        "(found '2024-06-02', '9999-12-31') (expected dates on or before 2024-06-01)"
    ) in text
    assert "column `last_purchase`, row 3: date before 1900 (found '1899-12-30')" in text
    assert "placeholder for 'no date'" in text


def test_unparseable_amounts_suggest_the_decimal_option():
    raw = pd.DataFrame(
        {"client_id": ["1"] * 3, "date": ["2024-01-01"] * 3, "amount": ["12.50", "7,5", "n/a"]}
    )
    text = error_text(load_transactions, raw, as_of=AS_OF)
    assert "column `amount`, rows 2, 3: not an amount (found '7,5', 'n/a')" in text
    assert "(expected numbers such as 1234.56, 1,234.56 or -80 (decimal point))" in text
    assert 'these use a decimal comma: set decimal = ","' in text


def test_unknown_clients_in_a_history(tmp_path):
    clients = load_clients(pd.DataFrame({"client_id": ["00123", "00124"]}), as_of=AS_OF)
    raw = pd.DataFrame(
        {"client_id": ["00123", "123", "999"], "date": ["2024-01-01"] * 3, "amount": ["1"] * 3}
    )
    text = error_text(load_transactions, raw, as_of=AS_OF, client_ids=clients[s.CLIENT_ID])
    assert "column `client_id`, rows 2, 3: client not in the client list (found '123', '999')" in text
    assert "ids differ only by leading zeros ('123' here, '00123' in the client list)" in text


def test_every_problem_of_every_file_in_one_error(tmp_path):
    write(tmp_path / "clients.csv", "Client No,Last Contacted\nA1,2024-01-01\nA1,2024-13-01\n")
    write(tmp_path / "transactions.csv", "client_id;date;amount\nA1;2024-01-01;10,00\nZZ;2024-02-30;abc\n")
    write(tmp_path / "contacts.csv", "client_id,date,channel\nA1,2025-01-01,call\n")
    toml = tmp_path / "campaign.toml"
    toml.write_text(
        '[campaign]\nname = "t"\n[data]\nclients = "clients.csv"\ntransactions = "transactions.csv"\n'
        'contacts = "contacts.csv"\n',
        encoding="utf-8",
    )
    from reconnect_lib.config import load_config

    with pytest.raises(InputError) as info:
        load_inputs(load_config(toml), as_of=AS_OF)
    err = info.value
    assert len(err.problems) == 6
    assert str(err).splitlines()[0] == "6 problems in the input:"
    files = [Path(p.file).name for p in err.problems]
    assert files == ["clients.csv"] * 2 + ["transactions.csv"] * 3 + ["contacts.csv"]
    text = str(err)
    assert "- clients.csv, column `Client No`, rows 1, 2: 1 client id appears on more than one row" in text
    assert "- clients.csv, column `Last Contacted`, row 2: not a date" in text
    assert "- transactions.csv, column `client_id`, row 2: client not in clients.csv" in text
    assert "- transactions.csv, column `date`, row 2: not a date (read as `date`)" not in text  # no echo
    assert "- transactions.csv, column `amount`, row 2: not an amount (found 'abc')" in text
    assert "- contacts.csv, column `date`, row 1: date after the as-of date 2024-06-01" in text


def test_no_dormancy_measure_at_all_is_reported(tmp_path):
    write(tmp_path / "clients.csv", "client_id,name\n1,Ann\n")
    cfg = parse_config({"campaign": {"name": "t"}, "data": {"clients": str(tmp_path / "clients.csv")}})
    with pytest.raises(InputError, match="no way to tell how long clients have been dormant"):
        load_inputs(cfg, as_of=AS_OF)


def test_errors_never_leak_a_bare_traceback():
    """Every failure is an InputError whose cause is kept for debugging."""
    with pytest.raises(InputError) as info:
        read_table(Path("/nonexistent/clients.csv"))
    assert info.value.file == "/nonexistent/clients.csv"


def test_bad_options_are_config_errors():
    frame = pd.DataFrame({"client_id": ["1"]})
    with pytest.raises(
        ConfigError, match=r"decimal = ';' is not a decimal mark \(expected \"\.\" or \",\"\)"
    ):
        load_clients(frame, as_of=AS_OF, decimal=";")
    with pytest.raises(ConfigError, match="is not a strftime format"):
        load_clients(frame, as_of=AS_OF, date_format="dd/mm/yyyy")
    with pytest.raises(ConfigError, match="as_of is required"):
        load_clients(frame, as_of=None)


# --- what is set aside, and the load report ---------------------------------------------------


def test_blank_lines_are_counted_not_silently_dropped(tmp_path):
    path = write(tmp_path / "clients.csv", "client_id,name\n1,Ann\n\n2,Bob\n,\n  ,  \n")
    cfg = parse_config(
        {
            "campaign": {"name": "t"},
            "data": {
                "clients": str(path),
                "transactions": str(write(tmp_path / "t.csv", "client_id,date,amount\n1,2024-01-01,5\n")),
            },
        }
    )
    inputs = load_inputs(cfg, as_of=AS_OF)
    assert inputs.clients[s.CLIENT_ID].tolist() == ["1", "2"]
    assert inputs.report["clients"].set_aside == (("blank", 3),)
    assert inputs.report.summary().splitlines()[0] == "clients.csv: 5 rows read, 2 kept; set aside: 3 blank"


def test_row_numbers_count_blank_lines_as_the_file_does(tmp_path):
    path = write(tmp_path / "clients.csv", "client_id,last_contact\n1,2024-01-01\n\n2,nope\n")
    assert "clients.csv, column `last_contact`, row 3: not a date" in error_text(
        load_clients, path, as_of=AS_OF
    )


def test_load_report_renders_and_tabulates():
    report = LoadReport(
        (
            TableReport("clients", "/x/clients.csv", "CSV", 532, 532),
            TableReport("transactions", "/x/tx.xlsx", "Excel", 1204, 1180, (("with Status 'Voided'", 24),)),
        )
    )
    assert str(report) == (
        "clients.csv: 532 rows read, 532 kept\n"
        "tx.xlsx: 1,204 rows read, 1,180 kept; set aside: 24 with Status 'Voided'"
    )
    assert report.to_frame()["rows_set_aside"].tolist() == [0, 24]
    assert "transactions" in report
    assert "clients.csv" in report.details()


def test_load_inputs_applies_every_config_option(tmp_path):
    write(
        tmp_path / "kunden.csv", "Kundennummer;Letzter Kontakt;Umsatz\n0042;31.01.2024;1.234,56\n", "latin-1"
    )
    write(tmp_path / "rechnungen.csv", "Kunde;Datum;Betrag\n0042;01.02.2024;10,00\n", "latin-1")
    toml = {
        "campaign": {"name": "t"},
        "data": {
            "clients": str(tmp_path / "kunden.csv"),
            "transactions": str(tmp_path / "rechnungen.csv"),
            "date_format": "%d.%m.%Y",
            "decimal": ",",
            "delimiter": ";",
            "encoding": "latin-1",
            "columns": {
                "clients": {
                    "client_id": "Kundennummer",
                    "last_contact": "Letzter Kontakt",
                    "total_revenue": "Umsatz",
                },
                "transactions": {"client_id": "Kunde", "date": "Datum", "amount": "Betrag"},
            },
        },
    }
    inputs = load_inputs(parse_config(toml), as_of=AS_OF)
    assert inputs.clients.loc[0, s.LAST_CONTACT] == pd.Timestamp("2024-01-31")
    assert inputs.clients.loc[0, s.TOTAL_REVENUE] == 1234.56
    assert inputs.transactions.loc[0, s.AMOUNT] == 10.0
    assert inputs.contacts is None
    assert inputs.report.details().count("<-") == 6


def test_column_map_path_is_relative_to_campaign_toml(tmp_path):
    (tmp_path / "maps").mkdir()
    write(tmp_path / "maps" / "crm.toml", '[clients.columns]\nclient_id = "Nr"\nlast_contact = "Kontakt"\n')
    write(tmp_path / "clients.csv", "Nr,Kontakt\n7,2024-01-01\n")
    toml = tmp_path / "campaign.toml"
    toml.write_text('[campaign]\nname = "t"\n[data]\nclients = "clients.csv"\ncolumn_map = "maps/crm.toml"\n')
    from reconnect_lib.config import load_config

    assert load_inputs(load_config(toml), as_of=AS_OF).clients[s.CLIENT_ID].tolist() == ["7"]


def test_shapes_mix_summary_columns_and_histories(tmp_path):
    clients = write(tmp_path / "c.csv", "client_id,last_contact,total_revenue\n1,2023-01-01,100\n2,,\n")
    tx = write(
        tmp_path / "t.csv",
        "client_id,date,amount,invoice_id\n2,2023-05-01,40,INV-1\n2,2023-06-01,-10,INV-2\n",
    )
    cfg = parse_config(
        {"campaign": {"name": "t"}, "data": {"clients": str(clients), "transactions": str(tx)}}
    )
    inputs = load_inputs(cfg, as_of=AS_OF)
    assert inputs.clients[s.LAST_CONTACT].isna().tolist() == [False, True]
    assert inputs.transactions[s.AMOUNT].tolist() == [40.0, -10.0]


def test_loading_logs_the_report(caplog):
    with caplog.at_level(logging.INFO, logger="reconnect_lib.load"):
        load_clients(pd.DataFrame({"client_id": ["1"]}), as_of=AS_OF)
    assert "clients (DataFrame): 1 rows read, 1 kept" in caplog.text


def test_loading_does_not_read_the_clock(monkeypatch):
    """as_of is the only notion of today: the same input gives the same output on any day."""
    import datetime as dt

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            raise AssertionError("the loader read the clock")

        @classmethod
        def today(cls):
            raise AssertionError("the loader read the clock")

    monkeypatch.setattr(cells, "datetime", Frozen)  # the one loader module that names datetime
    load_clients(pd.DataFrame({"client_id": ["1"], "last_contact": ["2024-01-01"]}), as_of=AS_OF)


# --- typed columns (Parquet, DataFrames) take fast paths with the same results ---------------


def _typed_and_as_text():
    """The same client list twice: typed as Parquet stores it, and as the text a CSV holds."""
    typed = pd.DataFrame(
        {
            "Client ID": pd.Series(["C1", " C2 ", "C  3", None, "C5"], dtype="string"),
            "Name": pd.Series(["Ann  Lee", "Bob", "   ", None, "Eve\nKing"], dtype="string"),
            "Client Since": pd.to_datetime(
                ["2020-01-02 13:45", None, "2019-05-06", "2018-01-01", "2017-02-03"], format="ISO8601"
            ),
            "Do Not Contact": [True, False, False, True, False],
            "Revenue": [12.5, float("nan"), -3.0, 0.0, 1e6],
        }
    )
    text = pd.DataFrame(
        {
            "Client ID": ["C1", " C2 ", "C  3", None, "C5"],
            "Name": ["Ann  Lee", "Bob", "   ", None, "Eve\nKing"],
            "Client Since": ["2020-01-02 13:45", None, "2019-05-06", "2018-01-01", "2017-02-03"],
            "Do Not Contact": ["yes", "no", "", "y", None],
            "Revenue": ["12.50", None, "-3", "0", "1000000"],
        }
    )
    return typed, text


def test_typed_columns_load_like_their_text():
    typed, text = _typed_and_as_text()
    typed, text = typed.drop(index=3), text.drop(index=3)  # row 4 has no id
    from_typed = load_clients(typed, as_of=AS_OF)
    pd.testing.assert_frame_equal(from_typed, load_clients(text, as_of=AS_OF))
    assert from_typed[s.CLIENT_ID].tolist() == ["C1", "C2", "C 3", "C5"]
    assert from_typed[s.NAME].isna().tolist() == [False, False, True, False]
    assert from_typed[s.NAME].iloc[3] == "Eve King"
    assert from_typed[s.CLIENT_SINCE].iloc[0] == pd.Timestamp("2020-01-02")


def test_typed_columns_report_the_rows_text_columns_report():
    typed, text = _typed_and_as_text()
    for raw in (typed, text):
        raw.loc[5] = raw.loc[0]  # the first client again, as row 6 (1-based)
        with pytest.raises(InputError) as info:
            load_clients(raw, as_of=date(2019, 12, 31))
        by_message = {p.message: p for p in info.value.problems}
        assert list(by_message["blank"].rows) == [4]
        duplicate = by_message["1 client id appears on more than one row"]
        assert list(duplicate.rows) == [1, 6]
        assert list(duplicate.values) == ["C1", "C1"]
        late = by_message["date after the as-of date 2019-12-31"]
        assert list(late.rows) == [1, 6]
        assert len(info.value.problems) == 3


def test_typed_history_checks_clients_once_per_id():
    clients = load_clients(pd.DataFrame({"client_id": pd.Series(["007", "B"], dtype="string")}), as_of=AS_OF)
    history = pd.DataFrame(
        {
            "client_id": pd.Series(["007", "7", "B", " B ", "7", None], dtype="string"),
            "date": pd.to_datetime(["2024-01-01"] * 6),
            "amount": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    with pytest.raises(InputError) as info:
        load_transactions(history, as_of=AS_OF, client_ids=clients[s.CLIENT_ID])
    by_message = {p.message: p for p in info.value.problems}
    unknown = by_message["client not in the client list"]
    assert list(unknown.rows) == [2, 5]
    assert list(unknown.values) == ["7", "7"]
    assert "leading zeros" in (unknown.hint or "")
    assert list(by_message["blank"].rows) == [6]
    assert len(by_message) == 2
    ok = load_transactions(history.iloc[[0, 2, 3]], as_of=AS_OF, client_ids=clients[s.CLIENT_ID])
    assert ok[s.CLIENT_ID].tolist() == ["007", "B", "B"]


def test_channels_read_as_other_are_counted_in_order_of_appearance(caplog):
    raw = pd.DataFrame(
        {
            "client_id": ["1"] * 7,
            "date": ["2024-01-01"] * 7,
            "Type": pd.Series(["Fax", None, "Call", " fax ", "Telex", "  ", "Fax"], dtype="string"),
        }
    )
    with caplog.at_level(logging.INFO, logger="reconnect_lib.load"):
        contacts = load_contacts(raw, as_of=AS_OF)
    assert contacts[s.CHANNEL].tolist() == ["other", "other", "phone", "other", "other", "other", "other"]
    assert "6 channel values read as 'other': 'Fax' (2), '(blank)' (2), 'fax' (1), 'Telex' (1)" in caplog.text


# --- properties --------------------------------------------------------------------------------

dates = st.dates(min_value=date(1900, 1, 1), max_value=AS_OF)


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(dates, st.sampled_from(["", " 00:00", "T13:45:00", " 23:59:59Z"])), min_size=1, max_size=20
    )
)
def test_iso_dates_round_trip(values):
    raw = pd.DataFrame({"client_id": ["1"] * len(values), "date": [f"{d.isoformat()}{t}" for d, t in values]})
    contacts = load_contacts(raw, as_of=AS_OF)
    assert contacts[s.DATE].tolist() == [pd.Timestamp(d) for d, _ in values]


def _format_amount(cents: int, style: str) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    grouped = f"{whole:,}"
    text = {
        "plain": f"{whole}.{frac:02d}",
        "us": f"{grouped}.{frac:02d}",
        "eu": f"{grouped.replace(',', '.')},{frac:02d}",
        "eu_plain": f"{whole},{frac:02d}",
        "swiss": f"{grouped.replace(',', chr(39))}.{frac:02d}",
        "space": f"{grouped.replace(',', ' ')},{frac:02d}",
    }[style]
    return sign + text


@settings(deadline=None)
@given(
    st.lists(st.integers(min_value=-(10**11), max_value=10**11), min_size=1, max_size=20),
    st.sampled_from(["plain", "us", "eu", "eu_plain", "swiss", "space"]),
)
def test_amounts_round_trip(cents, style):
    raw = pd.DataFrame(
        {
            "client_id": ["1"] * len(cents),
            "date": ["2024-01-01"] * len(cents),
            "amount": [_format_amount(c, style) for c in cents],
        }
    )
    tx = load_transactions(raw, as_of=AS_OF)
    assert tx[s.AMOUNT].round(2).tolist() == [c / 100 for c in cents]


@settings(deadline=None)
@given(
    st.lists(dates, min_size=1, max_size=40).flatmap(
        lambda ds: st.tuples(st.just(ds), st.sets(st.integers(0, len(ds) - 1), min_size=1))
    )
)
def test_error_rows_point_at_the_offending_rows(case):
    values, broken = case
    texts = ["not a date" if i in broken else d.isoformat() for i, d in enumerate(values)]
    raw = pd.DataFrame({"client_id": [str(i) for i in range(len(values))], "last_contact": texts})
    with pytest.raises(InputError) as info:
        load_clients(raw, as_of=AS_OF)
    (problem,) = info.value.problems
    assert list(problem.rows) == sorted(i + 1 for i in broken)
    assert set(problem.values) == {"not a date"}


def test_the_scan_whitespace_class_is_exactly_what_str_split_splits_on():
    # The engines' regex, written out; here it is read back (the \x{...} escapes as
    # Python's regex module writes them) and held against every code point.
    written = scan_checks._WHITESPACE_RUN
    pattern = re.sub(r"\\x\{([0-9A-F]+)\}", lambda m: f"\\U{int(m.group(1), 16):08x}", written)
    matched = re.compile(pattern)
    spaces = [c for c in range(0x110000) if chr(c).isspace()]
    assert [c for c in range(0x110000) if matched.fullmatch(chr(c))] == spaces


# --- messy exports: what a consultant is handed ---------------------------------------------


def test_a_missing_id_column_does_not_also_claim_the_client_list_is_empty(tmp_path):
    # A comma file read with delimiter ";" is one column wide: the missing id column is the
    # problem; the 2 data rows are there, so "no data rows below the header" would be false.
    path = write(tmp_path / "c.csv", "client_id,name\nA1,Ann\nA2,Bob\n")
    with pytest.raises(InputError) as info:
        load_clients(path, as_of=AS_OF, delimiter=";")
    text = str(info.value)
    assert "no column for `client_id`" in text
    assert "has no clients" not in text
    with pytest.raises(InputError, match=r"no data rows below the header"):
        load_clients(write(tmp_path / "e.csv", "client_id,name\n"), as_of=AS_OF)


@pytest.mark.parametrize("workbook", [False, True])
def test_a_zip_archive_named_csv_is_refused_as_an_archive(tmp_path, workbook):
    import zipfile

    path = tmp_path / "clients.csv"
    with zipfile.ZipFile(path, "w") as archive:  # stored, so the CSV text is readable inside
        archive.writestr("xl/workbook.xml" if workbook else "clients.csv", "client_id,name\nA1,Ann\n")
    text = error_text(load_clients, path, as_of=AS_OF)
    assert ("is an Excel workbook" if workbook else "is a ZIP archive") in text
    assert "more values than the header" not in text


def test_a_title_line_above_the_header_is_named_in_the_hint(tmp_path):
    body = "".join(f"C{i},Name {i},2020-01-0{i % 9 + 1}\n" for i in range(6))
    path = write(tmp_path / "c.csv", "Client list\nExported 1 May 2024\nclient_id,name,client_since\n" + body)
    text = error_text(load_clients, path, as_of=AS_OF)
    assert "line 1 ('Client list') looks like a title above the header" in text
    assert "on line 3" in text


def test_a_workbook_is_read_from_its_first_visible_sheet(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    lookups = workbook.active
    lookups.title = "Lookups"
    lookups.append(["code", "label"])
    lookups.append(["X", "hidden helper table"])
    lookups.sheet_state = "hidden"
    clients = workbook.create_sheet("Clients")
    clients.append(["client_id", "name"])
    clients.append(["A1", "Ann"])
    workbook.save(tmp_path / "c.xlsx")
    out = load_clients(tmp_path / "c.xlsx", as_of=AS_OF)
    assert list(out[s.CLIENT_ID]) == ["A1"]
    assert list(load_clients(tmp_path / "c.xlsx", as_of=AS_OF, sheet="Clients")[s.CLIENT_ID]) == ["A1"]


def test_a_title_row_as_wide_as_the_header_is_named_not_read_as_the_header(tmp_path):
    import openpyxl

    body = [[f"C{i}", f"N {i}", f"2020-01-0{i + 1}"] for i in range(4)]
    rows = [["client_id", "name", "client_since"], *body]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Client list, printed 1 May 2024"])
    sheet.merge_cells("A1:C1")
    for row in rows:
        sheet.append(row)
    workbook.save(tmp_path / "c.xlsx")
    text = error_text(load_clients, tmp_path / "c.xlsx", as_of=AS_OF)
    assert "row 1 ('Client list, printed 1 May 2024') looks like a title above the header" in text
    assert "delete the rows above row 2" in text
    # a CSV's title line padded with delimiters to the header's width
    csv_text = "Client list,,\n" + "".join(",".join(r) + "\n" for r in rows)
    text = error_text(load_clients, write(tmp_path / "c.csv", csv_text), as_of=AS_OF)
    assert "line 1 ('Client list') looks like a title above the header, which seems to be on line 2" in text
    # one column, or a header with a single name over single values, is a table, not a title
    one = load_clients(write(tmp_path / "one.csv", "client_id\nA1\nA2\n"), as_of=AS_OF)
    assert list(one[s.CLIENT_ID]) == ["A1", "A2"]


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
def test_an_id_with_an_invisible_character_is_named_in_the_hint(tmp_path, engine):
    from reconnect_lib.config import load_config

    (tmp_path / "clients.csv").write_text("client_id,name\nC1,Ann Lee\nACME LTD,Acme\n", encoding="utf-8")
    history = "client_id,date,amount\nC1,2024-01-01,5\n\ufeffC1,2024-01-02,5\nACME LTD,2024-01-03,5\n"
    (tmp_path / "transactions.csv").write_text(history, encoding="utf-8")
    toml = write(
        tmp_path / "campaign.toml",
        '[campaign]\nname = "t"\nas_of = 2024-06-01\n[data]\nclients = "clients.csv"\n'
        'transactions = "transactions.csv"\n',
    )
    with pytest.raises(InputError) as info:
        load.scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
    (problem,) = info.value.problems
    assert problem.hint.startswith("'\\ufeffC1' holds an invisible character (U+FEFF)")


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "mac_roman", "utf-16"])
def test_a_utf8_file_is_not_garbled_by_a_wrong_encoding_setting(tmp_path, encoding):
    # One `encoding` covers every file: a UTF-8 one among them would get 'CafÃ©' in its letters.
    path = write(tmp_path / "c.csv", "client_id,name\nA1,Zoë’s Café\n")
    out = load_clients(path, as_of=AS_OF, encoding=encoding)
    assert list(out[s.NAME]) == ["Zoë’s Café"]
    (note,) = tables._load_table("clients", path, ReadOptions(as_of=AS_OF, encoding=encoding)).report.notes
    assert note.startswith(f"read as UTF-8 (not {encoding}, as [data] encoding says)")
    # files really in that encoding still read in it
    if encoding != "utf-16":
        other = write(tmp_path / "o.csv", "client_id,name\nA1,Café Zoë\n", encoding=encoding)
        assert list(load_clients(other, as_of=AS_OF, encoding=encoding)[s.NAME]) == ["Café Zoë"]
    wide = write(tmp_path / "w.csv", "client_id,name\nA1,Café\n", encoding="utf-32")
    assert list(load_clients(wide, as_of=AS_OF, encoding="utf-32")[s.NAME]) == ["Café"]


def _rewrite_sheet(path: Path, old: bytes, new: bytes) -> None:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(old, new)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_a_formula_whose_value_was_never_saved_is_refused_not_read_as_blank(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["client_id", "date", "amount"])
    sheet.append(["A1", "2024-01-05", "=100*2"])
    sheet.append(["A1", "2024-01-06", 7])
    workbook.save(tmp_path / "t.xlsx")
    text = error_text(load_transactions, tmp_path / "t.xlsx", as_of=AS_OF)
    assert "1 cell holds a formula whose value was never saved (e.g. C2)" in text
    # Saved by a spreadsheet program, the value is there and is read.
    _rewrite_sheet(tmp_path / "t.xlsx", b"<f>100*2</f><v></v>", b"<f>100*2</f><v>200</v>")
    assert list(load_transactions(tmp_path / "t.xlsx", as_of=AS_OF)[s.AMOUNT]) == [200.0, 7.0]
    # A text formula whose value is the empty string is a saved value.
    saved_text = b'<c r="C2" t="str"><f>""</f><v></v>'
    _rewrite_sheet(tmp_path / "t.xlsx", b'<c r="C2"><f>100*2</f><v>200</v>', saved_text)
    assert "blank" in error_text(load_transactions, tmp_path / "t.xlsx", as_of=AS_OF)


def test_a_header_repeated_below_is_named_as_two_exports_joined(tmp_path):
    import openpyxl

    rows = [["client_id", "date", "amount"], ["A1", "2024-01-05", "3"], ["Client_ID ", "Date", "AMOUNT"]]
    rows.append(["A1", "2024-01-06", "4"])
    path = write(tmp_path / "t.csv", "".join(",".join(r) + "\n" for r in rows))
    text = error_text(load_transactions, path, as_of=AS_OF)
    assert "row 2: repeats the header row (two exports joined into one file?)" in text
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(tmp_path / "t.xlsx")
    text = error_text(load_transactions, tmp_path / "t.xlsx", as_of=AS_OF)
    assert "row 2: repeats the header row" in text
    # a single-column table may hold its own name as a value
    one = write(tmp_path / "c.csv", "name\nA\nname\n")
    assert list(load_clients(one, as_of=AS_OF, columns={"client_id": "name"})[s.CLIENT_ID]) == ["A", "name"]


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_excel_s_sep_line_names_the_delimiter(tmp_path, engine, delimiter):
    from reconnect_lib.config import load_config

    rows = [["client_id", "name", "last_contact"], ["A1", "Ann Lee", "2024-01-02"], ["A2", "Bob", ""]]
    body = "".join(delimiter.join(r) + "\r\n" for r in rows)
    write(tmp_path / "clients.csv", f"sep={delimiter}\r\n" + body)
    campaign = '[campaign]\nname = "t"\nas_of = 2024-06-01\n[data]\nclients = "clients.csv"\n'
    toml = write(tmp_path / "campaign.toml", campaign)
    inputs = load.scan_inputs(load_config(toml), as_of=AS_OF, engine=engine)
    from reconnect_lib.engines import to_pandas

    clients = to_pandas(inputs.clients) if engine != "pandas" else inputs.clients
    assert list(clients[s.NAME]) == ["Ann Lee", "Bob"]


# --- one set of read options ----------------------------------------------------------


def test_read_options_are_taken_from_the_campaign_once(tmp_path):
    import dataclasses

    (tmp_path / "maps").mkdir()
    write(tmp_path / "maps" / "mine.toml", 'name = "mine"\n[clients.columns]\nclient_id = ["Kundennummer"]\n')
    raw = {
        "campaign": {"name": "t"},
        "data": {
            "clients": "clients.csv",
            "column_map": "maps/mine.toml",
            "columns": {"clients": {"name": "Full Name"}},
            "date_format": "%d/%m/%Y",
            "decimal": ",",
            "delimiter": ";",
            "encoding": "cp1252",
            "sheet": 1,
        },
    }
    read = ReadOptions.from_config(parse_config(raw, source=tmp_path / "campaign.toml"), as_of=AS_OF)
    assert read.column_map.name == "mine"  # type: ignore[union-attr]  # found next to campaign.toml, loaded
    assert (read.as_of, read.columns, read.dayfirst) == (AS_OF, {"clients": {"name": "Full Name"}}, False)
    assert (read.date_format, read.decimal, read.delimiter, read.encoding, read.sheet) == (
        "%d/%m/%Y",
        ",",
        ";",
        "cp1252",
        1,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.decimal = "."  # type: ignore[misc]


def test_load_table_with_read_options_is_the_loader_with_keywords():
    raw = pd.DataFrame({"Client": ["A1"], "Seen": ["05/03/2024"], "Revenue": ["1.234,50"]})
    columns = {"client_id": "Client", "last_contact": "Seen"}
    read = ReadOptions(as_of=AS_OF, columns={"clients": columns}, dayfirst=True, decimal=",")
    by_options = load_table("clients", raw, read)
    pd.testing.assert_frame_equal(
        by_options, load_clients(raw, as_of=AS_OF, columns=columns, dayfirst=True, decimal=",")
    )
    assert (by_options.loc[0, s.LAST_CONTACT], by_options.loc[0, s.TOTAL_REVENUE]) == (
        pd.Timestamp(2024, 3, 5),
        1234.5,
    )


@settings(deadline=None)  # 72 combinations at most: the profile covers them
@given(
    date_format=st.sampled_from([None, "%d/%m/%Y", "%m/%d/%Y"]),
    dayfirst=st.booleans(),
    decimal=st.sampled_from([None, ".", ","]),
    delimiter=st.sampled_from([None, ";"]),
    encoding=st.sampled_from([None, "cp1252"]),
)
def test_each_data_option_of_a_campaign_reads_as_the_loader_keyword_of_its_name(
    tmp_path_factory, date_format, dayfirst, decimal, delimiter, encoding
):
    folder = tmp_path_factory.mktemp("campaign")
    write(folder / "clients.csv", "client_id;name\nC1;Zoë\nC2;Bob\n", encoding="cp1252")
    history = "client_id;date;amount\nC1;03/04/2024;1.234,5\nC2;2024-02-01;7\nC2;12/11/2023;80,25\n"
    write(folder / "transactions.csv", history, encoding="cp1252")
    options = {
        key: value
        for key, value in {
            "date_format": date_format,
            "dayfirst": dayfirst,
            "decimal": decimal,
            "delimiter": delimiter,
            "encoding": encoding,
        }.items()
        if value is not None
    }
    cfg = parse_config(
        {
            "campaign": {"name": "t"},
            "data": {"clients": "clients.csv", "transactions": "transactions.csv", **options},
        },
        source=folder / "campaign.toml",
    )

    def outcome(call):
        try:
            return call()
        except InputError as err:
            return [(p.column, tuple(p.rows), p.message) for p in err.problems]

    by_campaign = outcome(lambda: load_inputs(cfg, as_of=AS_OF).transactions)
    by_keywords = outcome(lambda: load_transactions(folder / "transactions.csv", as_of=AS_OF, **options))
    if isinstance(by_keywords, pd.DataFrame):
        pd.testing.assert_frame_equal(by_campaign, by_keywords)
    else:
        assert by_campaign == by_keywords
