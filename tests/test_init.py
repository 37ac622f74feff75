"""reconnect init: a consultant's exports to a campaign.toml that loads, with every guess explained."""

import json
import tomllib
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from reconnect_lib.cli import main
from reconnect_lib.column_maps import TABLE_COLUMNS, apply_map, normalise_name
from reconnect_lib.config import load_config, parse_config
from reconnect_lib.errors import InputError
from reconnect_lib.files import WriteError
from reconnect_lib.init import guess_campaign
from reconnect_lib.load import read_table

DATA = Path(__file__).parent / "data" / "init"
AS_OF = date(2026, 12, 6)


def _paths(*names: str) -> list[Path]:
    return [DATA / n for n in names]


def _sources(guess, table: str) -> dict[str, str]:
    return {c: g.source for c, g in guess.file_of(table).columns.items()}


# --- the spreadsheet, end to end ------------------------------------------------


def test_a_small_business_spreadsheet_goes_through_init_and_buckets_with_no_hand_edits(tmp_path):
    runner = CliRunner()
    out = tmp_path / "campaign"
    result = runner.invoke(
        main, ["init", str(DATA / "small-business.csv"), "--out", str(out), "--as-of", "2026-12-06"]
    )
    assert result.exit_code == 0, result.output
    assert "20 clients, dates from 2019-02-13 to 2025-10-10" in result.output
    assert "Customer" in result.output
    assert "to check" in result.output
    config = load_config(out / "campaign.toml")
    assert config.data.clients == (DATA / "small-business.csv").resolve()
    assert config.data.dayfirst is True
    table = runner.invoke(
        main, ["buckets", "--config", str(out / "campaign.toml"), "--as-of", "2026-12-06", "--format", "json"]
    )
    assert table.exit_code == 0, table.output
    rows = json.loads(table.output)
    assert sum(r["clients"] for r in rows) == 20
    assert sum(r["due"] for r in rows) == 20  # the latest contact, 10/10/2025, is over a year before
    assert sum(r["total_revenue"] for r in rows) == pytest.approx(69_532.0)
    plan = runner.invoke(
        main,
        [
            "plan",
            "--config",
            str(out / "campaign.toml"),
            "--as-of",
            "2026-12-06",
            "--out",
            str(tmp_path / "plan"),
        ],
    )
    assert plan.exit_code == 0, plan.output
    planned = pd.read_csv(tmp_path / "plan" / "plan.csv")
    # No postal address in the list: every due client is reached by e-mail or phone.
    assert planned["client_id"].nunique() == 20
    assert set(planned["channel"]) <= {"email", "phone"}


def test_the_small_business_guesses_are_the_right_ones():
    guess = guess_campaign(_paths("small-business.csv"), as_of=AS_OF)
    (f,) = guess.files
    assert f.table == "clients"
    assert _sources(guess, "clients") == {
        "client_id": "Customer",
        "name": "Customer",
        "email": "E-mail",
        "phone": "Phone",
        "last_contact": "Last contacted",
        "total_revenue": "Total spent",
    }
    # No id column: the name stands in, and the guess says what to check.
    assert "id column" in f.columns["client_id"].check
    assert (guess.dayfirst, guess.date_format, guess.decimal, guess.currency) == (True, None, None, ("£",))
    assert "'17/09/2023'" in guess.date_why  # the day above 12 that proves the order
    assert guess.problems is None
    assert guess.clients == 20
    assert (guess.first_date, guess.last_date) == (date(2019, 2, 13), date(2025, 10, 10))
    text = guess.toml()
    assert "CHECK:" in text
    assert "dayfirst = true" in text
    assert tomllib.loads(text)["data"]["columns"]["clients"] == {"client_id": "Customer", "name": "Customer"}
    assert tomllib.loads(text)["campaign"]["currency"] == "GBP"


# --- shipped maps, histories, month-first and decimal-comma files ------------------------


def test_a_hubspot_export_is_recognised_by_its_columns():
    guess = guess_campaign(_paths("hubspot-contacts.csv"), as_of=AS_OF)
    assert guess.column_map == "hubspot"
    cols = guess.file_of("clients").columns
    assert cols["name"].source == "First Name + Last Name"
    assert cols["name"].how == "map"
    assert cols["last_purchase"].source == "Recent Deal Close Date"
    assert guess.file_of("clients").written == {}  # the map reads it all: nothing to override
    assert guess.file_of("clients").unmapped == ("Lifecycle Stage",)
    assert (guess.dayfirst, guess.date_format) == (False, None)
    assert guess.clients == 6
    assert guess.problems is None


def test_xero_contacts_and_invoices_are_a_client_list_and_a_purchase_history():
    guess = guess_campaign(_paths("xero-invoices.csv", "xero-contacts.csv"), as_of=AS_OF)
    assert guess.column_map == "xero"
    assert [f.table for f in guess.files] == ["transactions", "clients"]
    assert guess.file_of("transactions").columns["amount"].source == "Total"
    assert guess.dayfirst is True
    assert "'15/03/2023'" in guess.date_why
    assert guess.problems is None
    assert guess.clients == 4
    # The draft invoice of 10/10/2025 is set aside by the map: the latest date is the November 2024 one.
    assert guess.last_date == date(2024, 11, 28)


def test_a_month_first_sales_file_and_a_call_log_are_found_by_their_content():
    guess = guess_campaign(_paths("shop-sales.csv", "shop-calls.csv", "shop-clients.csv"), as_of=AS_OF)
    assert [f.table for f in guess.files] == ["transactions", "contacts", "clients"]
    assert _sources(guess, "transactions") == {"client_id": "Buyer", "date": "When", "amount": "Paid"}
    assert _sources(guess, "contacts") == {"client_id": "Buyer", "date": "Called on", "channel": "How"}
    assert "client ids of the client list" in guess.file_of("transactions").columns["client_id"].why
    assert (guess.dayfirst, guess.date_format) == (False, "%m/%d/%Y")
    assert "'03/25/2024'" in guess.date_why
    assert guess.currency == ("$",)
    assert guess.currency_code is None  # the dollar of which country? the file says so, for a person to fix
    assert 'set currency under [campaign] to your currency\'s code (e.g. "USD")' in guess.summary()
    assert '# CHECK: amounts are written with $, which names several currencies: set currency = "USD"' in (
        guess.toml()
    )
    assert guess.file_of("transactions").unmapped == ("Ref",)
    assert guess.problems is None
    assert guess.clients == 5
    assert (guess.first_date, guess.last_date) == (date(2021, 9, 3), date(2025, 6, 30))


def test_a_semicolon_file_with_decimal_commas_and_german_names():
    guess = guess_campaign(_paths("kunden.csv"), as_of=AS_OF)
    assert _sources(guess, "clients") == {
        "client_id": "Kundennummer",
        "name": "Name",
        "email": "E-Mail",
        "phone": "Telefon",
        "last_contact": "Letzter Kontakt",
        "total_revenue": "Umsatz",
    }
    assert (guess.decimal, guess.dayfirst, guess.currency) == (",", True, ("€",))
    assert 'decimal = ","' in guess.toml()
    assert guess.currency_code == "EUR"
    assert guess.problems is None
    assert guess.clients == 5


# --- guesses that need a person -------------------------------------------------------------


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dates_that_read_both_ways_are_asked_about_and_an_answer_settles_them(tmp_path):
    path = _write(
        tmp_path,
        "list.csv",
        "Client No,Last Contacted\nA1,03/04/2024\nA2,05/06/2023\nA3,11/12/2022\n",
    )
    guess = guess_campaign([path], as_of=AS_OF)
    assert [q.key for q in guess.questions] == ["dates"]
    assert guess.dayfirst is True
    assert "CHECK" in guess.date_why
    assert "reads both ways" in guess.date_why
    month = guess_campaign([path], as_of=AS_OF, answers={"dates": "month_first"})
    assert (month.dayfirst, month.date_format) == (False, "%m/%d/%Y")
    assert month.last_date == date(2024, 3, 4)
    assert guess.last_date == date(2024, 4, 3)


def test_dollar_amounts_tip_dates_that_read_both_ways_to_month_first(tmp_path):
    path = _write(
        tmp_path, "list.csv", "Client No,Last Order Date,Revenue\nA1,03/04/2024,$10.00\nA2,05/06/2023,$4.50\n"
    )
    guess = guess_campaign([path], as_of=AS_OF)
    assert guess.date_format == "%m/%d/%Y"
    assert "because amounts are in $" in guess.date_why


def test_files_that_disagree_on_the_date_order_say_campaign_toml_cannot_hold_both(tmp_path):
    clients = _write(tmp_path, "clients.csv", "Client No,Last Contacted\nA1,25/01/2024\nA2,03/02/2023\n")
    sales = _write(tmp_path, "sales.csv", "Client No,Invoice Date,Total\nA1,01/25/2024,10\nA1,02/13/2023,5\n")
    guess = guess_campaign([clients, sales], as_of=AS_OF)
    assert guess.needed_keys
    assert "per file" in guess.needed_keys[0]
    assert "files disagree" in guess.date_why
    assert guess.problems is not None  # one setting cannot read both: loading says which rows


def test_a_column_named_like_a_date_but_holding_words_is_switched_off_and_said(tmp_path):
    path = _write(
        tmp_path,
        "list.csv",
        "Client No,Last Contacted,Last Order Date\nA1,by phone,2024-01-02\nA2,never,2023-05-06\n",
    )
    guess = guess_campaign([path], as_of=AS_OF)
    f = guess.file_of("clients")
    assert f.off == ("last_contact",)
    assert f.written == {"last_contact": ""}
    assert any("Last Contacted" in n and "holds no dates" in n for n in f.notes)
    assert guess.problems is None


def test_a_history_alone_is_refused_naming_what_is_missing(tmp_path):
    sales = _write(tmp_path, "sales.csv", "Client No,Invoice Date,Total\nA1,2024-01-25,10\nA1,2023-02-13,5\n")
    with pytest.raises(InputError, match="no client list among the files"):
        guess_campaign([sales], as_of=AS_OF)


def test_a_date_after_as_of_is_reported_as_a_problem_not_hidden(tmp_path):
    path = _write(tmp_path, "list.csv", "Client No,Last Contacted\nA1,2027-05-01\nA2,2024-01-01\n")
    assert guess_campaign([path]).problems is None  # no as_of: nothing to be after
    problems = guess_campaign([path], as_of=AS_OF).problems
    assert problems is not None
    assert "2027-05-01" in problems


# --- writing -----------------------------------------------------------------------------


def test_campaign_toml_is_never_overwritten_without_force_and_names_data_relative_to_it(tmp_path):
    runner = CliRunner()
    data = tmp_path / "exports" / "kunden.csv"
    data.parent.mkdir()
    data.write_bytes((DATA / "kunden.csv").read_bytes())
    out = tmp_path / "campaign"
    args = ["init", str(data), "--out", str(out), "--as-of", "2026-12-06"]
    assert runner.invoke(main, args).exit_code == 0
    raw = tomllib.loads((out / "campaign.toml").read_text(encoding="utf-8"))
    assert raw["data"]["clients"] == "../exports/kunden.csv"  # referenced, not copied
    assert sorted(p.name for p in out.iterdir()) == ["campaign.toml"]
    (out / "campaign.toml").write_text("# mine\n", encoding="utf-8")
    refused = runner.invoke(main, args)
    assert refused.exit_code == 2
    assert "already exists" in refused.output
    assert "--force" in refused.output
    assert (out / "campaign.toml").read_text(encoding="utf-8") == "# mine\n"
    with pytest.raises(WriteError, match="already exists"):
        guess_campaign([data]).write(out)
    assert (out / "campaign.toml").read_text(encoding="utf-8") == "# mine\n"
    assert runner.invoke(main, [*args, "--force"]).exit_code == 0
    assert load_config(out / "campaign.toml").data.clients == data


def test_interactive_asks_the_ambiguous_guess_and_writes_the_answer(tmp_path):
    path = _write(tmp_path, "list.csv", "Client No,Last Contacted\nA1,03/04/2024\nA2,05/06/2023\n")
    out = tmp_path / "c"
    result = CliRunner().invoke(
        main,
        ["init", str(path), "--out", str(out), "--interactive", "--as-of", "2026-12-06"],
        input="month_first\n",
    )
    assert result.exit_code == 0, result.output
    assert "read them as" in result.output
    assert load_config(out / "campaign.toml").data.date_format == "%m/%d/%Y"


def test_a_loading_problem_is_written_then_reported_with_exit_code_2(tmp_path):
    path = _write(tmp_path, "list.csv", "Client No,Last Contacted\nA1,2027-05-01\nA2,2024-01-01\n")
    result = CliRunner().invoke(
        main, ["init", str(path), "--out", str(tmp_path / "c"), "--as-of", "2026-12-06"]
    )
    assert result.exit_code == 2
    assert "loading it fails" in result.output
    assert "2027-05-01" in result.output
    assert (tmp_path / "c" / "campaign.toml").is_file()


# --- invariants ------------------------------------------------------------------------------

_NAMES = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
_CELLS = st.one_of(
    st.sampled_from(
        [
            "ann@x.example",
            "07700 900123",
            "03/04/2024",
            "25/12/2023",
            "£1,200.50",
            "10",
            "A7",
            "Ann Lee",
            None,
            "call",
        ]
    ),
    st.text(max_size=8),
)


@given(
    names=st.lists(_NAMES, min_size=1, max_size=6),
    cells=st.lists(st.lists(_CELLS, min_size=6, max_size=6), min_size=1, max_size=5),
)
def test_a_guess_never_reads_two_columns_as_one_and_its_toml_reads_back_as_guessed(names, cells):
    frame = pd.DataFrame([row[: len(names)] for row in cells], columns=names, dtype=object)
    try:
        guess = guess_campaign({"clients.csv": frame})
    except InputError:
        return  # no file could be a client list: refused, with a message
    raw_frame = read_table(frame)
    for f in guess.files:
        if f.table is None:
            continue
        assert set(f.columns) <= set(TABLE_COLUMNS[f.table])
        # One source per canonical column (a dict), and one canonical per source column, except
        # the client id that a unique name or e-mail also stands for.
        singles = [g.source for c, g in f.columns.items() if c != "client_id" and g.how != "map"]
        assert len(singles) == len(set(singles))
        mapped = apply_map(raw_frame, f.table, guess.column_map, f.written)
        assert not mapped.problems
        assert {c: src.label for c, src in mapped.sources.items()} == {
            c: g.source for c, g in f.columns.items()
        }
    text = guess.toml()
    cfg = parse_config(tomllib.loads(text))
    for f in guess.files:
        if f.table is not None and f.written:
            assert cfg.data.columns[f.table] == f.written
    assert all(normalise_name(v) for f in guess.files for v in f.written.values() if v)


def test_a_column_mixing_both_date_orders_follows_most_of_its_dates_and_says_so(tmp_path):
    path = _write(
        tmp_path,
        "list.csv",
        "Client No,Last Contacted\nA1,25/01/2024\nA2,26/02/2023\nA3,03/13/2022\nA4,01/02/2021\n",
    )
    guess = guess_campaign([path], as_of=AS_OF)
    assert guess.dayfirst is True
    assert "mixes day-first and month-first dates" in guess.date_why
    assert "03/13/2022" in guess.problems  # the row that does not read day-first is named by the loader


def test_with_no_id_column_the_person_may_choose_which_unique_column_keys_the_clients(tmp_path):
    path = _write(
        tmp_path,
        "list.csv",
        "Name,Email,Last Contacted\nAnn Lee,ann@x.example,2024-01-02\nBob Marsh,bob@x.example,2023-05-06\n",
    )
    guess = guess_campaign([path], as_of=AS_OF)
    (question,) = guess.questions
    assert question.key == "list.csv:client_id"
    assert set(question.choices) == {"Name", "Email"}
    assert guess.file_of("clients").columns["client_id"].source == question.default == "Name"
    chosen = guess_campaign([path], as_of=AS_OF, answers={question.key: "Email"})
    assert chosen.file_of("clients").columns["client_id"].source == "Email"
    assert chosen.questions == ()
    assert chosen.clients == 2


def test_an_excel_workbook_with_typed_dates_and_numbers(tmp_path):
    path = tmp_path / "clients.xlsx"
    pd.DataFrame(
        {
            "Customer": ["Ann Lee", "Bob Marsh"],
            "Phone": ["07700 900201", "07700 900202"],
            "Last contacted": pd.to_datetime(["2024-04-03", "2022-01-25"]),
            "Total spent": [640.0, 1120.5],
        }
    ).to_excel(path, index=False)
    guess = guess_campaign([path], as_of=AS_OF)
    assert _sources(guess, "clients")["last_contact"] == "Last contacted"
    assert _sources(guess, "clients")["total_revenue"] == "Total spent"
    assert (guess.dayfirst, guess.date_format) == (False, None)  # typed dates: no order to guess
    assert [q.key for q in guess.questions] == ["clients.xlsx:client_id"]  # the name or the phone?
    assert guess.clients == 2
    assert guess.last_date == date(2024, 4, 3)


def test_a_column_campaign_toml_cannot_name_apart_from_another_is_said_not_guessed(tmp_path):
    path = _write(
        tmp_path,
        "list.csv",
        "Email,E-mail,Client No,Last Contacted\na@x.example,b@x.example,1,2024-01-01\n"
        "c@x.example,d@x.example,2,2023-01-01\n",
    )
    f = guess_campaign([path], as_of=AS_OF).file_of("clients")
    assert f.columns["email"].source == "Email"
    assert "E-mail" in f.unmapped
    assert any("`E-mail` cannot be told apart from `Email`" in n for n in f.notes)


def test_a_missing_file_is_named_and_two_files_of_one_name_are_told_apart(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        guess_campaign([tmp_path / "nope.csv"])
    for sub, text in (
        ("a", "Client No,Last Contacted\nA1,2024-01-02\n"),
        ("b", "Client No,Invoice Date,Total\n"),
    ):
        (tmp_path / sub).mkdir()
        _write(
            tmp_path / sub, "export.csv", text + ("A1,2024-01-02,5\nA1,2023-01-02,7\n" if sub == "b" else "")
        )
    guess = guess_campaign([tmp_path / "a" / "export.csv", tmp_path / "b" / "export.csv"], as_of=AS_OF)
    assert [(f.label.endswith(("a/export.csv", "b/export.csv")), f.table) for f in guess.files] == [
        (True, "clients"),
        (True, "transactions"),
    ]
    assert guess.problems is None


def test_files_fitting_two_shipped_maps_get_one_and_a_question(tmp_path):
    guess = guess_campaign(_paths("hubspot-contacts.csv", "xero-invoices.csv"), as_of=AS_OF)
    assert guess.column_map == "hubspot"
    assert [(q.key, q.choices) for q in guess.questions] == [("column_map", ("hubspot", "xero"))]
    assert any("column map per file" in k for k in guess.needed_keys)
    xero = guess_campaign(_paths("hubspot-contacts.csv", "xero-invoices.csv"), answers={"column_map": "xero"})
    assert xero.column_map == "xero"
    assert 'column_map = "xero"' in xero.toml()


def test_init_sits_on_the_loading_layer_and_imports_no_stage_or_face():
    import ast

    import reconnect_lib.init as init_module

    tree = ast.parse(Path(init_module.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:  # the package's own modules
            imported |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
    assert imported <= {"schema", "column_maps", "config", "errors", "files", "load"}


def test_a_column_the_map_would_misread_gives_way_to_the_one_that_fits(tmp_path):
    path = _write(
        tmp_path,
        "list.csv",
        "Client No,Last Contacted,Last Contact Date\nA1,by phone,2024-01-02\nA2,by letter,2023-05-06\n",
    )
    guess = guess_campaign([path], as_of=AS_OF)
    f = guess.file_of("clients")
    assert f.written == {"last_contact": "Last Contact Date"}
    assert f.off == ()
    assert tomllib.loads(guess.toml())["data"]["columns"]["clients"] == {"last_contact": "Last Contact Date"}
    assert guess.problems is None
    assert guess.last_date == date(2024, 1, 2)


def test_the_column_map_follows_the_files_read_and_the_summary_says_how_each_was_read():
    guess = guess_campaign(_paths("kunden.csv", "xero-contacts.csv"), as_of=AS_OF)
    assert [f.table for f in guess.files] == ["clients", None]  # the first client list is read
    assert [q.key for q in guess.questions] == ["xero-contacts.csv:table"]
    assert guess.column_map == "generic"  # the Xero list is not read, so neither is its map
    assert "read as: CSV, ';'-separated, UTF-8" in guess.summary()
    xero = guess_campaign(_paths("xero-contacts.csv", "xero-invoices.csv"), as_of=AS_OF)
    assert xero.map_files == ("xero-contacts.csv", "xero-invoices.csv")
    assert "# the column names of xero-contacts.csv, xero-invoices.csv fit the xero map" in xero.toml()


def test_a_person_may_choose_which_of_two_client_lists_is_read():
    chosen = guess_campaign(
        _paths("kunden.csv", "xero-contacts.csv"), as_of=AS_OF, answers={"xero-contacts.csv:table": "clients"}
    )
    assert [f.table for f in chosen.files] == [None, "clients"]
    assert chosen.column_map == "xero"
    assert [q.key for q in chosen.questions] == ["kunden.csv:table"]
    skipped = guess_campaign(
        _paths("kunden.csv", "xero-contacts.csv"), as_of=AS_OF, answers={"xero-contacts.csv:table": "skip"}
    )
    assert [f.table for f in skipped.files] == ["clients", None]
    assert (skipped.questions, skipped.notes) == ((), ())


def test_data_sharing_nothing_but_the_root_with_the_campaign_folder_is_named_by_its_full_path():
    guess = guess_campaign(_paths("kunden.csv"))
    raw = tomllib.loads(guess.toml("/nowhere/campaign"))
    assert raw["data"]["clients"] == str((DATA / "kunden.csv").resolve())
    assert tomllib.loads(guess.toml(DATA / "campaign"))["data"]["clients"] == "../kunden.csv"


def test_dates_with_month_names_get_the_date_format_that_reads_them(tmp_path):
    path = _write(
        tmp_path,
        "list.csv",
        'Client No,Last Contacted\nA1,"Mar 5, 2024"\nA2,"Nov 30, 2022"\n',
    )
    guess = guess_campaign([path], as_of=AS_OF)
    assert guess.file_of("clients").columns["last_contact"].source == "Last Contacted"
    assert (guess.dayfirst, guess.date_format) == (False, "%b %d, %Y")
    assert guess.problems is None
    assert (guess.first_date, guess.last_date) == (date(2022, 11, 30), date(2024, 3, 5))


def test_one_path_alone_is_one_file_not_its_letters():
    guess = guess_campaign(str(DATA / "kunden.csv"), as_of=AS_OF)
    assert [f.label for f in guess.files] == ["kunden.csv"]


@pytest.mark.slow
def test_the_small_business_spreadsheet_goes_on_to_both_reports_which_agree_with_buckets(tmp_path):
    # The "done when": init, buckets, plan, report overview and report weekly, no hand edits.
    from cli_support import report_numbers, run_cli

    out = tmp_path / "campaign"
    run_cli("init", str(DATA / "small-business.csv"), "--out", str(out), "--as-of", "2026-12-06")
    config = str(out / "campaign.toml")
    rows = json.loads(run_cli("buckets", "--config", config, "--as-of", "2026-12-06", "--format", "json"))
    overview = report_numbers(
        run_cli("report", "overview", "--config", config, "--as-of", "2026-12-06", "--quiet")
    )
    weekly = report_numbers(
        run_cli("report", "weekly", "--config", config, "--as-of", "2026-12-06", "--quiet")
    )
    due = sum(r["due_contactable"] for r in rows)
    assert overview["due_contactable"] == weekly["due_contactable"] == due == 20
    assert weekly["catch_up_clients"] == 20  # reachable by e-mail or phone: nobody left out
    assert (out / "reports").is_dir()  # beside campaign.toml, nowhere else
