"""Importing staff sheets: a cell means what it means in the campaign's other files, and no event is
dropped silently (a sheet imported again adds only its new rows; a row of another sheet that looks like a
recorded event is recorded only when asked, and otherwise stops the import, named)."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconnect_lib import schema as s
from reconnect_lib.config import load_config
from reconnect_lib.errors import ConfigError, InputError
from reconnect_lib.load import ReadOptions, load_inputs, load_transactions
from reconnect_lib.outcomes import OutcomeStore, sync_configured_history

AS_OF = date(2026, 11, 23)
CALL = {"client_id": "C00001", "date": "2026-03-02", "channel": "phone", "kind": "no answer"}


def write(path: Path, rows: list[dict[str, object]], columns: list[str] | None = None) -> Path:
    columns = columns or list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def store(tmp_path: Path):
    with OutcomeStore(f"sqlite:///{tmp_path / 'outcomes.sqlite'}") as opened:
        yield opened


# --- a row of another sheet ----------------------------------------------------------


def test_the_same_row_in_another_staff_sheet_is_never_dropped_silently(store, tmp_path):
    ann = write(tmp_path / "ann.csv", [CALL])
    bob = write(tmp_path / "bob.csv", [CALL])
    assert store.import_file(ann).recorded == 1
    with pytest.raises(InputError) as refused:
        store.import_file(bob)
    text = str(refused.value)
    assert "bob.csv, row 1: the same event (client, date, channel, kind and details) is already " in text
    assert "recorded from ann.csv" in text
    assert "--allow-duplicates" in text
    assert "allow_duplicates=True" in text
    assert store.count() == 1

    allowed = store.import_file(bob, allow_duplicates=True)
    assert (allowed.recorded, allowed.already_recorded, allowed.duplicates) == (1, 0, 1)
    assert "1 of those recorded match events of another file, as allowed" in str(allowed)
    assert store.count() == 2
    # Each sheet stays exactly-once, whatever the flag.
    for sheet in (ann, bob):
        for flag in (False, True):
            again = store.import_file(sheet, allow_duplicates=flag)
            assert (again.recorded, again.already_recorded) == (0, 1)
    events = store.events()
    assert events[s.SOURCE].tolist() == ["import:ann.csv row 1", "import:bob.csv row 1"]
    assert events[s.EVENT_ID].is_unique


def test_a_renamed_copy_of_a_sheet_is_refused_rather_than_recorded_twice(store, tmp_path):
    rows = [CALL, {**CALL, "client_id": "C00002"}, {**CALL, "kind": "replied"}]
    first = write(tmp_path / "week-10.csv", rows)
    store.import_file(first)
    copy = shutil.copy(first, tmp_path / "week-10 (1).csv")
    with pytest.raises(InputError, match=r"week-10 \(1\).csv, rows 1, 2, 3: .*recorded from week-10.csv"):
        store.import_file(copy)
    assert store.count() == 3


def test_an_event_id_given_in_another_sheet_names_the_same_event(store, tmp_path):
    row = {**CALL, "event_id": "E1"}
    store.import_file(write(tmp_path / "a.csv", [row]))
    result = store.import_file(write(tmp_path / "b.csv", [row]))
    assert (result.recorded, result.already_recorded) == (0, 1)


_rows = st.lists(
    st.fixed_dictionaries(
        {
            "client_id": st.sampled_from(["C1", "C2"]),
            "date": st.sampled_from(["2026-03-02", "2026-03-03"]),
            "channel": st.sampled_from(["phone", "email"]),
            "kind": st.sampled_from(["no answer", "contacted"]),
        }
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=max(10, settings.default.max_examples // 5),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=_rows, extra=_rows, at=st.integers(0, 8))
def test_an_edited_sheet_adds_exactly_the_rows_added(tmp_path_factory, rows, extra, at):
    folder = tmp_path_factory.mktemp("edited")
    edited = rows[:at] + extra[:1] + rows[at:]
    with OutcomeStore(f"sqlite:///{folder / 'o.sqlite'}") as store:
        store.import_file(write(folder / "week.csv", rows))
        again = store.import_file(write(folder / "week.csv", edited))
        assert (again.recorded, again.already_recorded) == (1, len(rows))
        renamed_format = folder / "week.parquet"
        pd.DataFrame(edited).to_parquet(renamed_format, index=False)
        assert store.import_file(renamed_format).recorded == 0  # the same sheet, saved as Parquet
        assert store.count() == len(edited)


@settings(
    max_examples=max(10, settings.default.max_examples // 5),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ann=_rows, bob=_rows)
def test_a_row_of_another_sheet_is_recorded_or_named_never_skipped(tmp_path_factory, ann, bob):
    folder = tmp_path_factory.mktemp("two")
    with OutcomeStore(f"sqlite:///{folder / 'o.sqlite'}") as store:
        store.import_file(write(folder / "ann.csv", ann))
        path = write(folder / "bob.csv", bob)
        refused = None
        try:
            result = store.import_file(path)
        except InputError as err:
            refused = str(err)
        if refused is not None:
            assert "already recorded from ann.csv" in refused
            assert store.count() == len(ann)
            result = store.import_file(path, allow_duplicates=True)
        assert (result.recorded, result.already_recorded) == (len(bob), 0)
        assert store.count() == len(ann) + len(bob)
        assert store.import_file(path).recorded == 0


# --- one meaning per cell -------------------------------------------------------------


def _transactions_amounts(path: Path, **options: object) -> list[float] | str:
    try:
        return load_transactions(path, as_of=AS_OF, **options)[s.AMOUNT].tolist()
    except InputError as err:
        return str(err)


def _outcome_amounts(store: OutcomeStore, path: Path, **options: object) -> list[float] | str:
    try:
        store.import_file(path, as_of=AS_OF, **options)
    except InputError as err:
        return str(err)
    return store.events()[s.AMOUNT].tolist()


@pytest.mark.parametrize(
    "cells",
    [
        ["120,50"],
        ["1.234,50"],
        ["CHF 120"],
        ["(120.00)"],
        ["1,234"],
        ["1 234,50", "80"],
        ["€1.200", "12,5"],
        ["1,234.50", "1.234,50"],
        ["1e308"],
        ["nan"],
        ["inf"],
        ["12.50", "lots"],
    ],
)
@pytest.mark.parametrize("decimal", [None, ",", "."])
def test_an_amount_cell_means_what_it_means_in_the_transactions(tmp_path, cells, decimal):
    rows = [{**CALL, "kind": "renewed", "amount": cell, "note": str(i)} for i, cell in enumerate(cells)]
    sheet = write(tmp_path / "sheet.csv", rows)
    write(tmp_path / "transactions.csv", [{k: r[k] for k in ("client_id", "date", "amount")} for r in rows])
    loaded = _transactions_amounts(tmp_path / "transactions.csv", decimal=decimal)
    with OutcomeStore("sqlite://") as store:
        imported = _outcome_amounts(store, sheet, decimal=decimal)
    if isinstance(loaded, str):  # refused: refused alike, with the loader's words
        assert isinstance(imported, str)
        wording = loaded.split("column `amount`")[1].split("\n")[0]
        assert "not an amount" in wording
        assert wording.split(": ", 1)[1].replace("rows", "row") in imported.replace("rows", "row")
    elif any(v < 0 for v in loaded):  # a refund in the transactions; no amount recovered
        assert isinstance(imported, str)
        assert "negative amount" in imported
    else:
        assert imported == loaded


def _european(text: str) -> str:
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


_amount_text = st.builds(
    lambda value, style, swap: _european(style.format(value)) if swap else style.format(value),
    st.decimals(0, 10**7, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["{}", "{:,}", "£{:,}", "{} EUR", "CHF {:,.2f}", "{:.0f}", "({:,.2f})"]),
    st.booleans(),
)


@settings(
    max_examples=max(10, settings.default.max_examples // 5),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(cells=st.lists(_amount_text, min_size=1, max_size=5), decimal=st.sampled_from([None, ".", ","]))
def test_any_column_of_amounts_reads_as_in_the_transactions(tmp_path_factory, cells, decimal):
    folder = tmp_path_factory.mktemp("amounts")
    rows = [{**CALL, "kind": "renewed", "amount": cell, "note": str(i)} for i, cell in enumerate(cells)]
    sheet = write(folder / "sheet.csv", rows)
    write(folder / "transactions.csv", [{k: r[k] for k in ("client_id", "date", "amount")} for r in rows])
    loaded = _transactions_amounts(folder / "transactions.csv", decimal=decimal)
    with OutcomeStore("sqlite://") as store:
        imported = _outcome_amounts(store, sheet, decimal=decimal)
    if isinstance(loaded, str) or any(v < 0 for v in loaded):
        assert isinstance(imported, str)
    else:
        assert imported == loaded


@pytest.mark.parametrize(
    ("cell", "options"),
    [
        ("31.1.24", {"dayfirst": True}),
        ("31.1.24", {}),
        ("31/01/2024", {"date_format": "%d/%m/%Y"}),
        ("01/02/2024", {"dayfirst": True}),
        ("2024-02-31", {}),
        ("2024-01-31 10:00", {}),
        ("1899-12-30", {}),
        ("2027-01-01", {}),
    ],
)
def test_a_date_cell_means_what_it_means_in_the_transactions(tmp_path, cell, options):
    write(tmp_path / "transactions.csv", [{"client_id": "C1", "date": cell, "amount": "1"}])
    sheet = write(tmp_path / "sheet.csv", [{**CALL, "date": cell}])
    try:
        loaded = load_transactions(tmp_path / "transactions.csv", as_of=AS_OF, **options)[s.DATE].iloc[0]
    except InputError as err:
        loaded = str(err).split("column `date`")[1].split(" (found")[0]
    with OutcomeStore("sqlite://") as store:
        try:
            store.import_file(sheet, as_of=AS_OF, **options)
            imported = store.events()[s.DATE].iloc[0]
        except InputError as err:
            imported = str(err).split("column `date`")[1].split(" (found")[0]
    assert imported == loaded


@pytest.mark.parametrize("amount", [float("nan"), float("inf"), -float("inf"), "nan", "inf", "1e308"])
def test_a_non_finite_amount_is_refused_not_stored_as_none(amount):
    with OutcomeStore("sqlite://") as store:
        with pytest.raises(InputError, match=r"column `amount`: not an amount"):
            store.record("C1", "renewed", date=date(2026, 3, 2), channel="phone", amount=amount)
        assert store.count() == 0


def test_a_single_amount_uses_the_decimal_mark_it_is_given():
    with OutcomeStore("sqlite://") as store:
        store.record("C1", "renewed", date=date(2026, 3, 2), channel="phone", amount="1.234,50", decimal=",")
        store.record("C1", "renewed", date=date(2026, 3, 3), channel="phone", amount="120,50")
        assert store.events()[s.AMOUNT].tolist() == [1234.5, 120.5]


# --- where the file is ----------------------------------------------------------------


def test_a_missing_import_file_says_so_and_how_to_name_it(store, tmp_path):
    write(tmp_path / "week-12.csv", [CALL])
    with pytest.raises(InputError) as missing:
        store.import_file(tmp_path / "week-21.csv")
    text = str(missing.value)
    assert "week-21.csv: the file to import was not found" in text
    assert "did you mean 'week-12.csv'?" in text
    assert "reconnect outcome import" in text
    assert "[data]" not in text


def test_a_missing_history_file_points_at_data_outcomes(tmp_path):
    (tmp_path / "clients.csv").write_text("client_id,name\nC00001,Ann\n", encoding="utf-8")
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "x"\n[data]\nclients = "clients.csv"\noutcomes = "history.csv"\n'
        '[outcomes]\ndatabase = "sqlite:///log.sqlite"\n',
        encoding="utf-8",
    )
    cfg = load_config(tmp_path / "campaign.toml")
    with pytest.raises(InputError, match=r"(?s)history.csv: file not found.*`outcomes` path under \[data\]"):
        sync_configured_history(cfg, as_of=AS_OF)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("client_id", "C" * 201, "longer than 200 characters"),
        ("recorded_by", "x" * 201, "longer than 200 characters"),
        ("event_id", "e" * 65, "longer than 64 characters"),
    ],
)
def test_a_value_too_wide_for_the_table_is_an_input_error(store, tmp_path, column, value, message):
    with pytest.raises(InputError, match=rf"column `{column}`, row 1: {message}"):
        store.import_file(write(tmp_path / "wide.csv", [{**CALL, column: value}]))
    assert store.count() == 0


# --- the campaign's read options ----------------------------------------------------------


def test_a_sheet_read_with_the_campaign_s_options_means_what_its_files_mean(tmp_path):
    (tmp_path / "clients.csv").write_text("client_id;name\nC00001;Ann\n", encoding="utf-8")
    rows = "client_id;date;amount\nC00001;02/03/2026;1.200,50\n"
    (tmp_path / "transactions.csv").write_text(rows, encoding="utf-8")
    sheet = tmp_path / "week.csv"
    sheet.write_text(
        "client_id;date;channel;kind;amount\nC00001;02/03/2026;phone;renewed;1.200,50\n", encoding="utf-8"
    )
    (tmp_path / "campaign.toml").write_text(
        '[campaign]\nname = "x"\n[data]\nclients = "clients.csv"\ntransactions = "transactions.csv"\n'
        'dayfirst = true\ndecimal = ","\n[outcomes]\ndatabase = "sqlite:///log.sqlite"\n',
        encoding="utf-8",
    )
    cfg = load_config(tmp_path / "campaign.toml")
    read = ReadOptions.from_config(cfg, as_of=AS_OF)
    bought = load_inputs(cfg, as_of=AS_OF).transactions.iloc[0]
    with OutcomeStore("sqlite://") as store:
        store.import_file(sheet, read=read)
        event = store.events().iloc[0]
        assert (event[s.DATE], event[s.AMOUNT]) == (bought[s.DATE], bought[s.AMOUNT])
        assert (event[s.DATE], event[s.AMOUNT]) == (pd.Timestamp(2026, 3, 2), 1200.5)
        with pytest.raises(ConfigError, match="both read= and read options"):
            store.import_file(sheet, read=read, decimal=",")
    later = ReadOptions.from_config(cfg, as_of=date(2026, 3, 1))
    with OutcomeStore("sqlite://") as store, pytest.raises(InputError, match="after"):
        store.import_file(sheet, read=later)  # the as-of date travels with the options


# --- referrals -----------------------------------------------------------------------------

REFERRAL = {
    "Client": "C00001",
    "Date": "2026-04-01",
    "Channel": "phone",
    "Outcome": "introduced someone",
    "Amount": "400",
    "Note": "Ann Lee",
    "Referred client": "C00002",
}


def test_a_sheet_of_referrals_imports_once_and_validates_the_referred_client(store, tmp_path):
    known = {"C00001", "C00002", "C00003"}
    sheet = write(tmp_path / "referrals.csv", [REFERRAL, {**REFERRAL, "Referred client": "", "Note": "Bo"}])
    first = store.import_file(sheet, client_ids=known)
    assert (first.recorded, first.ignored) == (2, ())
    events = store.events()
    assert events[s.KIND].tolist() == ["referral", "referral"]
    assert events[s.REFERRED_CLIENT_ID].tolist() == ["C00002", pd.NA]
    assert events[s.AMOUNT].tolist() == [400.0, 400.0]
    again = store.import_file(sheet, client_ids=known)  # re-import is idempotent
    assert (again.recorded, again.already_recorded) == (0, 2)
    # Naming a new client later is a new event: its content differs, so it is not taken for the old row.
    later = write(
        tmp_path / "referrals.csv", [REFERRAL, {**REFERRAL, "Referred client": "C00003", "Note": "Bo"}]
    )
    assert store.import_file(later, client_ids=known).recorded == 1

    bad = write(
        tmp_path / "bad.csv",
        [{**REFERRAL, "Referred client": "C09999"}, {**REFERRAL, "Outcome": "renewed"}],
    )
    with pytest.raises(InputError) as refused:
        store.import_file(bad, client_ids=known)
    text = str(refused.value)
    assert "bad.csv, column `Referred client`, row 1: referred client id not in the client list" in text
    assert "row 2: a referred client id on an event that is not a referral" in text
    assert store.count() == 3


def test_an_import_key_without_a_referred_client_is_what_it_was_before_the_column():
    from reconnect_lib.outcomes import _import_keys

    # The key a store made before `referred_client_id` holds for this row (computed by that version):
    # unchanged, so importing an old sheet again after the upgrade records nothing twice.
    row = {"client_id": "C00001", "date": date(2026, 3, 2), "channel": "phone", "kind": "no_answer"}
    assert _import_keys([row], "import:week-10")[0][0] == (
        "e0c515de2806543b737d330ddc66717d2bfb9bd1032c29da6b714811ba4cfbd7"
    )
    assert _import_keys([{**row, "referred_client_id": "C2"}], "import:week-10")[0][0] != (
        "e0c515de2806543b737d330ddc66717d2bfb9bd1032c29da6b714811ba4cfbd7"
    )
