"""Column maps: shipped maps, matching rules, user overrides, and each map on a realistic export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from reconnect_lib import column_maps
from reconnect_lib import schema as s
from reconnect_lib.column_maps import (
    TABLE_COLUMNS,
    apply_map,
    available_maps,
    close_columns,
    get_map,
    guess_map,
    normalise_name,
)
from reconnect_lib.errors import ConfigError, InputError
from reconnect_lib.load import load_clients, load_transactions

DATA = Path(__file__).parent / "data" / "load"
AS_OF = date(2024, 6, 1)


def test_available_maps_lists_the_shipped_maps():
    assert {"generic", "hubspot", "xero"} <= set(available_maps())
    assert available_maps() == sorted(available_maps())


@pytest.mark.parametrize("name", available_maps())
def test_every_shipped_map_parses_and_names_only_canonical_columns(name):
    cmap = get_map(name)
    assert cmap.name == name
    assert cmap.description
    for table, tm in cmap.tables.items():
        allowed = set(TABLE_COLUMNS[table])
        assert set(tm.columns) | set(tm.join) | set(tm.product) | set(tm.fallback) <= allowed


@pytest.mark.parametrize("name", available_maps())
def test_every_shipped_map_documents_its_sources_in_comments(name):
    text = (Path(column_maps.__file__).parent / "column_maps" / f"{name}.toml").read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert len(comments) >= 5


def test_unknown_map_is_a_config_error_with_a_suggestion():
    with pytest.raises(ConfigError) as info:
        get_map("hubspott")
    message = str(info.value)
    assert "unknown column map 'hubspott'" in message
    assert "generic, hubspot, xero" in message
    assert 'did you mean column_map = "hubspot"?' in message


def test_names_match_ignoring_case_spaces_and_punctuation():
    assert normalise_name(" *Customer_ID ") == normalise_name("customer id") == "customerid"
    raw = pd.DataFrame(
        {
            "CUSTOMER_ID": ["1"],
            "e-mail": ["a@example.com"],
            "last contacted": ["2024-01-01"],
            "Client No": ["x"],  # a second id synonym: the first listed (Customer ID) wins
        }
    )
    mapped = apply_map(raw, "clients")
    assert mapped.sources[s.CLIENT_ID].columns == ("CUSTOMER_ID",)
    assert mapped.sources[s.EMAIL].columns == ("e-mail",)
    assert mapped.sources[s.LAST_CONTACT].columns == ("last contacted",)
    assert mapped.ignored == ("Client No",)


@pytest.mark.parametrize(
    ("header", "canonical"),
    [
        ("Customer ID", s.CLIENT_ID),
        ("Client No", s.CLIENT_ID),
        ("E-mail", s.EMAIL),
        ("Email Address", s.EMAIL),
        ("Last Contacted", s.LAST_CONTACT),
        ("Post Code", s.POSTCODE),
        ("ZIP", s.POSTCODE),
        ("Lifetime Value", s.TOTAL_REVENUE),
        ("Last Order Date", s.LAST_PURCHASE),
        ("Account Manager", s.ACCOUNT_OWNER),
    ],
)
def test_generic_map_knows_common_synonyms(header, canonical):
    mapped = apply_map(pd.DataFrame({header: ["v"]}), "clients")
    assert list(mapped.frame.columns) == [canonical]


def test_input_frame_is_not_modified_by_mapping():
    raw = pd.DataFrame({"First Name": ["Ann"], "Last Name": ["Lee"], "Customer ID": ["1"]})
    before = raw.copy()
    apply_map(raw, "clients")
    pd.testing.assert_frame_equal(raw, before)


# --- user overrides ---------------------------------------------------------------------


def test_user_mapping_wins_over_the_named_map():
    raw = pd.DataFrame({"Record ID": ["1"], "Kundennummer": ["K-1"], "Letzter Kontakt": ["2024-01-02"]})
    mapped = apply_map(
        raw, "clients", "hubspot", {"client_id": "Kundennummer", "last_contact": "Letzter Kontakt"}
    )
    assert mapped.sources[s.CLIENT_ID].columns == ("Kundennummer",)
    assert mapped.sources[s.LAST_CONTACT].columns == ("Letzter Kontakt",)
    assert "Record ID" in mapped.ignored


def test_user_mapping_may_be_written_the_pandas_rename_way():
    raw = pd.DataFrame({"Kundennummer": ["K-1"]})
    mapped = apply_map(raw, "clients", columns={"Kundennummer": "client_id"})
    assert mapped.sources[s.CLIENT_ID].columns == ("Kundennummer",)


def test_user_mapping_can_switch_a_column_off():
    raw = pd.DataFrame({"client_id": ["1"], "date": ["2024-01-01"], "Type": ["Newsletter"]})
    assert s.CHANNEL in apply_map(raw, "contacts").sources
    assert s.CHANNEL not in apply_map(raw, "contacts", columns={"channel": ""}).sources


def test_user_mapping_mistakes_are_reported_with_suggestions():
    raw = pd.DataFrame({"Kunden Nr": ["1"], "Name": ["Ann"]})
    with pytest.raises(InputError) as info:
        load_clients(raw, as_of=AS_OF, columns={"client_id": "Kunden-Nummer", "las_contact": "Name"})
    message = str(info.value)
    assert "the mapping client_id = 'Kunden-Nummer' names a column the file does not have" in message
    assert 'did you mean client_id = "Kunden Nr"?' in message
    assert "'las_contact' = 'Name' names no clients column" in message
    assert "did you mean `last_contact`?" in message


def test_a_toml_file_can_be_used_as_a_map(tmp_path):
    path = tmp_path / "mycrm.toml"
    path.write_text(
        '# my CRM\nname = "mycrm"\ndescription = "test"\n[clients.columns]\nclient_id = ["Kundennummer"]\n',
        encoding="utf-8",
    )
    clients = load_clients(
        pd.DataFrame({"Kundennummer": ["K1"], "Email": ["a@b.c"]}), as_of=AS_OF, column_map=str(path)
    )
    assert clients[s.CLIENT_ID].tolist() == ["K1"]
    assert clients[s.EMAIL].tolist() == ["a@b.c"]  # the generic map still applies underneath


def test_a_malformed_toml_map_is_a_config_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[clients.columns]\nclient_idd = ["X"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="names `client_idd`, which is not a clients column"):
        get_map(str(path))


# --- helping a user whose file does not match --------------------------------------------


def test_guess_map_recognises_exports():
    hubspot = pd.read_csv(DATA / "hubspot_contacts.csv", nrows=0).columns
    xero = pd.read_csv(DATA / "xero_contacts.csv", nrows=0).columns
    assert guess_map(list(hubspot), "clients") == "hubspot"
    assert guess_map(list(xero), "clients") == "xero"
    assert guess_map(["id", "name"], "clients") is None


def test_close_columns_suggests_near_names():
    assert close_columns("client_id", "clients", ["Kunde", "Clientid Nr", "Email"])[:1] == ["Clientid Nr"]
    assert close_columns("last_contact", "clients", ["Last Contact Dt", "Email"]) == ["Last Contact Dt"]


# --- each shipped map on a realistic export ------------------------------------------------


def test_hubspot_contacts_export():
    clients = load_clients(DATA / "hubspot_contacts.csv", as_of=AS_OF, column_map="hubspot")
    first = clients.iloc[0]
    assert first[s.CLIENT_ID] == "1501"
    assert first[s.NAME] == "Maria Gonzalez"  # First Name + Last Name
    assert first[s.ACCOUNT_OWNER] == "Sam Reed"
    assert first[s.LAST_CONTACT] == pd.Timestamp("2023-11-02")  # time of day dropped
    assert first[s.LAST_PURCHASE] == pd.Timestamp("2023-06-30")
    assert first[s.TOTAL_REVENUE] == 12500.0
    assert first[s.POSTCODE] == "02108"  # zeros kept
    tom = clients.iloc[1]
    assert tom[s.NAME] == "Tom"  # blank last name skipped
    assert tom[s.PHONE] == "+1 617 555 0199"  # Mobile Phone Number where Phone Number is blank
    assert tom[s.COMPANY] == "Brook & Sons"  # Associated Company where Company Name is blank
    assert tom[s.CLIENT_SINCE] == pd.Timestamp("2020-07-15")  # Create Date where no customer date
    assert pd.isna(tom[s.LAST_CONTACT])
    assert clients.iloc[2][s.NAME] == "Okafor"


def test_xero_contacts_export_derives_the_client_id_from_the_contact_name():
    clients = load_clients(DATA / "xero_contacts.csv", as_of=AS_OF, column_map="xero")
    assert clients[s.CLIENT_ID].tolist() == ["Harbour Cafe Ltd", "Oakley Joinery", "Dr. Helen Morris"]
    harbour, oakley, morris = (clients.iloc[i] for i in range(3))
    assert harbour[s.NAME] == "Priya Shah"  # FirstName + LastName
    assert harbour[s.COMPANY] == "Harbour Cafe Ltd"
    assert harbour[s.ADDRESS_LINE2] == "Quay Road"
    assert oakley[s.NAME] == "Oakley Joinery"  # no person: the contact name
    assert oakley[s.ADDRESS_LINE2] == "Mill Lane, Lower Oakley, Near Bath"
    assert oakley[s.PHONE] == "07700 900123"  # MobileNumber where PhoneNumber is blank
    assert morris[s.REGION] == "West Yorkshire"


def test_xero_contact_names_that_collide_are_duplicate_ids():
    raw = pd.DataFrame({"*ContactName": ["Acme Ltd", "Acme  Ltd ", "Other"], "EmailAddress": ["a", "b", "c"]})
    with pytest.raises(InputError) as info:
        load_clients(raw, as_of=AS_OF, column_map="xero")
    message = str(info.value)
    assert "column `*ContactName`, rows 1, 2: 1 client id appears on more than one row" in message
    assert "Xero keys contacts by name" in message


def test_xero_invoices_export_links_to_contacts_by_name():
    clients = load_clients(DATA / "xero_contacts.csv", as_of=AS_OF, column_map="xero")
    tx = load_transactions(
        DATA / "xero_invoices.csv",
        as_of=AS_OF,
        client_ids=clients[s.CLIENT_ID],
        column_map="xero",
        date_format="%d/%m/%Y",
    )
    # INV-0001 has two line items repeating its Total: counted once; INV-0003 is voided: set aside;
    # CN-0001 is a credit note: negative.
    assert tx[s.INVOICE_ID].tolist() == ["INV-0001", "INV-0002", "CN-0001", "INV-0004"]
    assert tx[s.AMOUNT].tolist() == [1200.0, 4500.0, -90.0, 360.0]
    assert tx[s.CLIENT_ID].tolist()[:2] == ["Harbour Cafe Ltd", "Oakley Joinery"]
    assert tx[s.DATE].tolist()[0] == pd.Timestamp("2023-03-15")


def test_xero_import_template_without_total_multiplies_quantity_by_unit_amount():
    raw = pd.DataFrame(
        {
            "*ContactName": ["Acme", "Acme"],
            "*InvoiceNumber": ["INV-9", "INV-9"],
            "*InvoiceDate": ["2024-01-05", "2024-01-05"],
            "*Quantity": ["2", "1"],
            "*UnitAmount": ["50.00", "50.00"],
        }
    )
    tx = load_transactions(raw, as_of=AS_OF, column_map="xero")
    assert tx[s.AMOUNT].tolist() == [100.0, 50.0]  # every line kept: these are line amounts


def test_xero_product_parts_are_validated_by_their_own_column():
    raw = pd.DataFrame(
        {
            "*ContactName": ["Acme"],
            "*InvoiceDate": ["2024-01-05"],
            "*Quantity": ["two"],
            "*UnitAmount": ["50"],
        }
    )
    with pytest.raises(InputError, match=r"column `\*Quantity`, row 1: not an amount \(read as `amount`\)"):
        load_transactions(raw, as_of=AS_OF, column_map="xero")


def test_generic_spreadsheet_of_names():
    clients = load_clients(DATA / "clients_summary.csv", as_of=AS_OF)
    assert clients[s.CLIENT_ID].tolist() == ["00107", "00108", "00109"]
    assert clients[s.TOTAL_REVENUE].tolist() == [18250.0, 3400.5, 920.0]
    assert clients[s.DO_NOT_CONTACT].tolist() == [False, True, False]
    assert clients[s.EMAIL].iloc[0] == "ann@leeco.example"


def test_a_column_from_one_file_column_keeps_its_dtype():
    raw = pd.DataFrame(
        {
            "Record ID": pd.Series(["7"], dtype="string"),
            "First Name": ["Ann"],
            "Last Name": ["Lee"],
            "Last Contacted": pd.to_datetime(["2024-03-05"]),
        }
    )
    mapped = apply_map(raw, "clients", "hubspot")
    assert mapped.frame["client_id"].dtype == raw["Record ID"].dtype
    assert mapped.frame["last_contact"].dtype == raw["Last Contacted"].dtype
    assert mapped.frame["name"].dtype == object  # joined from two columns
    assert mapped.frame.loc[0, "name"] == "Ann Lee"
