"""The outcome log: append-only, all-or-nothing, idempotent imports, concurrent writers, crash safety.

The store tests run against SQLite always and against PostgreSQL when
RECONNECT_TEST_POSTGRES_URL names a server (.ci/run starts one). Without it they
are skipped with a reason outside CI and fail in CI (CI=true), so CI cannot skip
them silently. Every database lives in tmp_path or in a schema of its own.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

import reconnect_lib.outcomes as outcomes_module
from reconnect_lib import schema as s
from reconnect_lib.config import load_config
from reconnect_lib.errors import InputError, StoreError
from reconnect_lib.outcomes import (
    EVENT_COLUMNS,
    EVENT_DTYPES,
    OutcomeStore,
    sync_configured_history,
)

ROOT = Path(__file__).parents[1]
PLANNER = ROOT / "data" / "sample" / "financial-planner"
DAY = date(2026, 3, 2)
AS_OF = date(2026, 11, 23)
PG_URL = os.environ.get("RECONNECT_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"


# --- stores ---------------------------------------------------------------------------


def _postgres_url() -> tuple[str, sa.Engine, str]:
    """A URL whose connections work in a fresh schema of the test server."""
    if not PG_URL:
        if IN_CI:
            pytest.fail(
                "CI=true but RECONNECT_TEST_POSTGRES_URL is not set: .ci/run starts PostgreSQL and sets it"
            )
        pytest.skip(
            "no PostgreSQL server: set RECONNECT_TEST_POSTGRES_URL "
            "(bash .ci/run installs, starts and sets one)"
        )
    schema = f"reconnect_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), engine, schema


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path):
    """The URL of an empty store: a SQLite file in tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'outcomes.sqlite'}"
        return
    url, engine, schema = _postgres_url()
    yield url
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    engine.dispose()


@pytest.fixture
def store(store_url: str):
    with OutcomeStore(store_url) as opened:
        yield opened


def events_frame(
    n: int, *, prefix: str = "C", kind: str = "contacted", note: str | None = None
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "client_id": [f"{prefix}{i:05d}" for i in range(n)],
            "date": ["2026-03-02"] * n,
            "channel": ["phone"] * n,
            "kind": [kind] * n,
            "note": [note] * n,
        }
    )


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


# --- recording and reading ------------------------------------------------------------


def test_record_and_read_back_with_the_documented_columns_and_dtypes(store):
    first = store.record(
        "C00001", "contacted", date=DAY, channel="phone", campaign="winback", recorded_by="Tom", note="hi"
    )
    second = store.record(
        "C00001", "renewed", date=date(2026, 3, 9), channel="phone", amount=1200, campaign="winback"
    )
    events = store.events()
    assert tuple(events.columns) == EVENT_COLUMNS
    assert {c: str(events[c].dtype) for c in events.columns} == EVENT_DTYPES
    assert events[s.EVENT_ID].tolist() == [first, second]
    assert events[s.KIND].tolist() == ["contacted", "renewed"]
    assert events[s.AMOUNT].iloc[1] == 1200.0
    assert events[s.DATE].tolist() == [pd.Timestamp(DAY), pd.Timestamp(2026, 3, 9)]
    assert events[s.SOURCE].tolist() == ["python", "python"]
    assert events[s.RECORDED_AT].notna().all()
    assert events.index.equals(pd.RangeIndex(2))


def test_events_filter_by_as_of_and_client(store):
    store.record("A", "contacted", date=date(2026, 3, 2), channel="email")
    store.record("B", "contacted", date=date(2026, 3, 9), channel="email")
    assert store.events(date(2026, 3, 5))[s.CLIENT_ID].tolist() == ["A"]
    assert store.events(client_id="B")[s.CLIENT_ID].tolist() == ["B"]
    assert store.events(datetime(2026, 3, 9, 12))[s.CLIENT_ID].tolist() == ["A", "B"]


def test_synonyms_are_read_as_the_vocabulary(store):
    store.record("A", "Bought again", date=DAY, channel="Call", reason=None)
    store.record("B", "moved on", date=DAY, channel="e-mail", reason="Too expensive")
    store.record("C", "asked not to be contacted", date=DAY, channel="post")
    events = store.events()
    assert events[s.KIND].tolist() == ["renewed", "moved_on", "do_not_contact"]
    assert events[s.CHANNEL].tolist() == ["phone", "email", "letter"]
    assert events[s.REASON].tolist()[1] == "money"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": "renewd"}, r"column `kind`: not an event kind \(found 'renewd'\)"),
        ({"channel": "fax"}, r"(?s)column `channel`: not a channel \(found 'fax'\).*use 'other'"),
        ({"reason": "bored"}, r"column `reason`: not a reason"),
        ({"amount": -5}, r"column `amount`: negative amount"),
        ({"amount": "lots"}, r"column `amount`: not an amount"),
        ({"date": "31/02/2026"}, r"column `date`: not a date"),
        ({"date": date(2027, 1, 1)}, r"date after the as-of date 2026-11-23"),
        ({"client_id": " "}, r"column `client_id`: no client id"),
        ({"client_id": "Z9"}, r"client id not in the client list \(found 'Z9'\)"),
        ({"amount": float("nan")}, r"column `amount`: not an amount"),
        ({"amount": float("inf")}, r"column `amount`: not an amount"),
        ({"amount": "1e308"}, r"column `amount`: not an amount"),
        ({"client_id": "A" * 201}, r"column `client_id`: longer than 200 characters"),
        ({"recorded_by": "x" * 201}, r"column `recorded_by`: longer than 200 characters"),
        ({"supersedes": "e" * 65}, r"column `supersedes`: longer than 64 characters"),
    ],
)
def test_a_bad_event_is_refused_with_a_clear_error_and_nothing_is_written(store, kwargs, match):
    event = {"client_id": "A", "kind": "contacted", "date": DAY, "channel": "phone", **kwargs}
    with pytest.raises(InputError, match=match):
        store.record(
            event.pop("client_id"),
            event.pop("kind"),
            as_of=AS_OF,
            client_ids={"A", "B"},
            **event,
        )
    assert store.count() == 0


# --- append-only and supersession ----------------------------------------------------


def test_a_correction_supersedes_without_touching_the_original(store):
    wrong = store.record("A", "moved_on", date=DAY, channel="phone", reason="money")
    right = store.record("A", "renewed", date=DAY, channel="phone", amount=900, supersedes=wrong)
    current = store.events()
    assert current[s.EVENT_ID].tolist() == [right]
    everything = store.events(include_superseded=True)
    assert everything[s.EVENT_ID].tolist() == [wrong, right]
    assert everything.loc[0, s.KIND] == "moved_on"  # the original is kept as recorded
    assert everything.loc[1, s.SUPERSEDES] == wrong


def test_a_chain_of_corrections_leaves_only_the_last(store):
    a = store.record("A", "contacted", date=DAY, channel="phone")
    b = store.record("A", "replied", date=DAY, channel="phone", supersedes=a)
    c = store.record("A", "renewed", date=DAY, channel="phone", supersedes=b)
    assert store.events()[s.EVENT_ID].tolist() == [c]
    assert store.count() == 3


def test_an_event_can_be_superseded_once_and_only_if_it_exists(store):
    a = store.record("A", "contacted", date=DAY, channel="phone")
    store.record("A", "replied", date=DAY, channel="phone", supersedes=a)
    with pytest.raises(InputError, match=r"(?s)already corrected.*supersede the correction"):
        store.record("A", "renewed", date=DAY, channel="phone", supersedes=a)
    with pytest.raises(InputError, match="not in the log"):
        store.record("A", "renewed", date=DAY, channel="phone", supersedes="ev-nope")
    assert store.count() == 2


def test_retract_withdraws_an_event_without_replacing_it(store):
    keep = store.record("A", "contacted", date=DAY, channel="phone")
    oops = store.record("B", "renewed", date=DAY, channel="phone", amount=50)
    retraction = store.retract(oops, date=date(2026, 3, 3), recorded_by="Tom", note="wrong client")
    assert store.events()[s.EVENT_ID].tolist() == [keep]
    everything = store.events(include_superseded=True)
    assert everything[s.EVENT_ID].tolist() == [keep, oops, retraction]
    assert everything.loc[2, s.KIND] == s.RETRACTED
    with pytest.raises(InputError, match="no event 'ev-missing' to retract"):
        store.retract("ev-missing", date=DAY)


def test_the_database_itself_refuses_updates_and_deletes(store):
    store.record("A", "contacted", date=DAY, channel="phone")
    for statement in (
        sa.update(outcomes_module.EVENTS).values(kind="renewed"),
        sa.delete(outcomes_module.EVENTS),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(statement)
    assert store.events()[s.KIND].tolist() == ["contacted"]


def _raw_rows(store: OutcomeStore) -> list[tuple]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql("SELECT * FROM events ORDER BY seq")]


def _rewrites(backend: str, first: str, keyed: str) -> list[str]:
    """Every SQL statement that would rewrite or remove a stored event on `backend`."""
    columns = "event_id, client_id, date, channel, kind"
    values = f"'{first}', 'A', '2026-03-02', 'phone', 'renewed'"
    other = "'ev-new', 'A', '2026-03-02', 'phone', 'renewed'"
    taken_key = f"(SELECT import_key FROM events WHERE event_id = '{keyed}')"
    taken_target = "(SELECT supersedes FROM events WHERE supersedes IS NOT NULL)"
    common = [
        "UPDATE events SET kind = 'renewed'",
        f"UPDATE events SET note = 'edited' WHERE event_id = '{first}'",
        "DELETE FROM events",
        f"DELETE FROM events WHERE event_id = '{first}'",
        f"INSERT INTO events ({columns}) VALUES ({values}) "
        "ON CONFLICT (event_id) DO UPDATE SET kind = 'renewed'",
        f"INSERT INTO events ({columns}, import_key) VALUES ({other}, {taken_key}) "
        "ON CONFLICT (import_key) DO UPDATE SET kind = 'renewed'",
    ]
    if backend == "sqlite":
        return [
            *common,
            f"REPLACE INTO events ({columns}) VALUES ({values})",
            f"INSERT OR REPLACE INTO events ({columns}) VALUES ({values})",
            f"REPLACE INTO events (seq, {columns}) VALUES (1, {other})",
            f"INSERT OR REPLACE INTO events ({columns}, import_key) VALUES ({other}, {taken_key})",
            f"INSERT OR REPLACE INTO events ({columns}, supersedes) VALUES ({other}, {taken_target})",
            f"UPDATE OR REPLACE events SET event_id = '{first}'",
        ]
    return [
        *common,
        "TRUNCATE events",
        "TRUNCATE events CASCADE",
        f"MERGE INTO events AS t USING (SELECT '{first}' AS id) AS src ON t.event_id = src.id "
        "WHEN MATCHED THEN UPDATE SET kind = 'renewed'",
        f"MERGE INTO events AS t USING (SELECT '{first}' AS id) AS src ON t.event_id = src.id "
        "WHEN MATCHED THEN DELETE",
    ]


def test_no_sql_statement_can_rewrite_or_remove_a_recorded_event(store):
    first = store.record("A", "contacted", date=DAY, channel="phone")
    store.record("A", "replied", date=DAY, channel="phone", supersedes=first)
    store.record_many(events_frame(2))
    keyed = store.events()[s.EVENT_ID].iloc[-1]
    before = _raw_rows(store)
    backend = store.engine.dialect.name
    for statement in _rewrites(backend, first, keyed):
        if statement.startswith("MERGE") and store.engine.dialect.server_version_info < (15,):
            continue
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql(statement)
        assert _raw_rows(store) == before, statement
    assert store.count() == 4


def test_a_store_made_before_the_guards_gets_them_when_opened(store_url):
    with OutcomeStore(store_url) as store:
        first = store.record("A", "contacted", date=DAY, channel="phone")
        with store.engine.begin() as conn:  # the store as an older version left it
            if store.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("DROP TRIGGER events_no_replace")
            else:
                conn.exec_driver_sql("DROP TRIGGER events_append_only ON events")
                conn.exec_driver_sql("DROP TRIGGER events_no_truncate ON events")
    for _ in range(2):  # opening again and again installs each guard once
        with OutcomeStore(store_url) as store:
            before = _raw_rows(store)
            for statement in _rewrites(store.engine.dialect.name, first, first)[:4]:
                with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
                    conn.exec_driver_sql(statement)
            if store.engine.dialect.name == "sqlite":
                with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
                    conn.exec_driver_sql(
                        "REPLACE INTO events (event_id, client_id, date, channel, kind) "
                        f"VALUES ('{first}', 'A', '2026-03-02', 'phone', 'renewed')"
                    )
            assert _raw_rows(store) == before
            store.record("A", "replied", date=DAY, channel="phone")  # appending still works


def test_the_table_only_grows(store):
    sizes = [store.count()]
    first = store.record("A", "contacted", date=DAY, channel="phone")
    sizes.append(store.count())
    store.record("A", "replied", date=DAY, channel="phone", supersedes=first)
    sizes.append(store.count())
    store.record_many(events_frame(5))
    sizes.append(store.count())
    store.record_many(events_frame(5))  # already recorded: nothing new
    sizes.append(store.count())
    assert sizes == [0, 1, 2, 7, 7]


# --- batches and imports --------------------------------------------------------------


def test_a_batch_with_bad_rows_names_every_problem_and_writes_nothing(store, tmp_path):
    frame = events_frame(6)
    frame.loc[2, "kind"] = "renewd"
    frame.loc[4, "date"] = "31/02/2026"
    frame.loc[5, "channel"] = "pigeon"
    path = write_csv(tmp_path / "week-12.csv", frame)
    with pytest.raises(InputError) as info:
        store.import_file(path)
    text = str(info.value)
    assert "3 problems in week-12.csv" in text
    assert "week-12.csv, column `kind`, row 3: not an event kind (found 'renewd')" in text
    assert "column `date`, row 5: not a date (found '31/02/2026')" in text
    assert "column `channel`, row 6: not a channel (found 'pigeon')" in text
    assert "Hint:" in text
    assert store.count() == 0


def test_importing_the_same_file_twice_records_nothing_new(store, tmp_path):
    path = write_csv(tmp_path / "sheet.csv", events_frame(20))
    first = store.import_file(path)
    second = store.import_file(path)
    assert (first.recorded, first.already_recorded) == (20, 0)
    assert (second.recorded, second.already_recorded) == (0, 20)
    assert store.count() == 20
    assert str(second) == "sheet.csv: 20 rows read, 0 recorded, 20 already recorded"


def test_the_same_rows_from_excel_or_parquet_are_the_same_events(store, tmp_path):
    frame = events_frame(4)
    store.import_file(write_csv(tmp_path / "sheet.csv", frame))
    frame.to_excel(tmp_path / "sheet.xlsx", index=False)
    frame.to_parquet(tmp_path / "sheet.parquet", index=False)
    assert store.import_file(tmp_path / "sheet.xlsx").recorded == 0
    assert store.import_file(tmp_path / "sheet.parquet").recorded == 0
    assert store.count() == 4


def test_a_longer_version_of_a_sheet_adds_only_its_new_rows(store, tmp_path):
    frame = events_frame(10)
    store.import_file(write_csv(tmp_path / "week.csv", frame.iloc[:6]))
    result = store.import_file(write_csv(tmp_path / "week.csv", frame))
    assert (result.recorded, result.already_recorded) == (4, 6)
    assert sorted(store.events()[s.CLIENT_ID]) == sorted(frame["client_id"])


def test_identical_rows_are_separate_events_and_still_import_once(store, tmp_path):
    frame = pd.concat([events_frame(1, kind="no_answer")] * 3, ignore_index=True)
    path = write_csv(tmp_path / "calls.csv", frame)
    assert store.import_file(path).recorded == 3
    assert store.import_file(path).recorded == 0
    assert store.count() == 3


def test_a_row_of_another_file_is_refused_or_recorded_once_when_allowed(store, tmp_path):
    frame = events_frame(3, kind="no_answer")
    first = write_csv(tmp_path / "ann.csv", frame)
    other = write_csv(tmp_path / "bob.csv", pd.concat([frame.iloc[[1]], events_frame(1, prefix="D")]))
    store.import_file(first)
    with pytest.raises(InputError, match=r"bob.csv, row 1: the same event .* recorded from ann.csv"):
        store.import_file(other)
    assert store.count() == 3
    assert store.import_file(other, allow_duplicates=True).recorded == 2
    assert store.import_file(other).already_recorded == 2
    assert store.import_file(first).already_recorded == 3
    assert store.count() == 5


def test_an_event_id_reused_for_other_content_is_refused(store, tmp_path):
    frame = events_frame(2).assign(event_id=["E1", "E2"])
    store.import_file(write_csv(tmp_path / "a.csv", frame))
    frame.loc[1, "kind"] = "renewed"  # edited in the spreadsheet instead of corrected
    with pytest.raises(
        InputError, match=r"(?s)row 2: event_id already recorded with different content.*supersedes"
    ):
        store.import_file(write_csv(tmp_path / "a.csv", frame))
    assert store.events()[s.KIND].tolist() == ["contacted", "contacted"]


def test_a_sheet_can_correct_its_own_and_earlier_events(store, tmp_path):
    earlier = store.record("C00000", "moved_on", date=DAY, channel="phone")
    sheet = pd.DataFrame(
        {
            "Event ID": ["X1", "X2", "X3"],
            "Client": ["C00000", "C00001", "C00001"],
            "Date": ["2026-03-03", "2026-03-03", "2026-03-04"],
            "Via": ["phone", "email", "email"],
            "Outcome": ["renewed", "moved_on", "renewed"],
            "Corrects": [earlier, None, "X2"],
        }
    )
    # The correction of X2 comes before X2 itself: the order within a sheet does not matter.
    sheet = sheet.iloc[[2, 0, 1]]
    store.import_file(write_csv(tmp_path / "fix.csv", sheet))
    assert sorted(store.events()[s.EVENT_ID]) == ["X1", "X3"]


def test_columns_are_matched_loosely_and_problems_name_the_file_column(store, tmp_path):
    sheet = pd.DataFrame(
        {"Customer ID": ["A"], "Date": ["2026-03-02"], "Method": ["phone"], "Result": ["won"]}
    )
    store.import_file(write_csv(tmp_path / "ok.csv", sheet))
    assert store.events()[s.KIND].tolist() == ["renewed"]
    bad = sheet.assign(Result=["???"])
    with pytest.raises(InputError, match=r"bad.csv, column `Result`, row 1: not an event kind"):
        store.import_file(write_csv(tmp_path / "bad.csv", bad))


def test_a_sheet_without_the_required_columns_says_which(store, tmp_path):
    with pytest.raises(InputError, match=r"missing columns `date`, `kind`.*\n  Hint: name the columns"):
        store.import_file(
            write_csv(tmp_path / "thin.csv", pd.DataFrame({"client_id": ["A"], "channel": ["x"]}))
        )


def test_blank_rows_are_set_aside_and_counted(store, tmp_path):
    frame = pd.concat([events_frame(2), pd.DataFrame([{c: None for c in events_frame(1).columns}])])
    result = store.import_file(write_csv(tmp_path / "blank.csv", frame))
    assert (result.rows, result.recorded, result.blank) == (3, 2, 1)


def test_dates_and_amounts_in_local_formats(store, tmp_path):
    sheet = pd.DataFrame(
        {
            "client_id": ["A"],
            "date": ["02/03/2026"],
            "channel": ["phone"],
            "kind": ["renewed"],
            "amount": ["£1.200,50"],
        }
    )
    store.import_file(write_csv(tmp_path / "uk.csv", sheet), dayfirst=True, decimal=",")
    event = store.events().iloc[0]
    assert (event[s.DATE], event[s.AMOUNT]) == (pd.Timestamp(2026, 3, 2), 1200.5)


# --- the database ---------------------------------------------------------------------


def test_a_bad_url_or_missing_folder_is_a_store_error(tmp_path):
    with pytest.raises(StoreError, match="is not a database URL"):
        OutcomeStore("not a url")
    with pytest.raises(
        StoreError, match=r"(?s)outcome store sqlite:///.*nothing of this operation was written"
    ):
        OutcomeStore(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.sqlite'}")


def test_a_foreign_events_table_is_not_taken_for_an_outcome_log(tmp_path):
    path = tmp_path / "other.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT)")
    engine.dispose()
    with pytest.raises(StoreError, match="is not an outcome log"):
        OutcomeStore(f"sqlite:///{path}")


def test_a_bare_postgresql_url_uses_psycopg():
    assert outcomes_module._engine_url("postgresql://u:p@localhost/db").drivername == "postgresql+psycopg"


def test_reopening_a_store_keeps_its_events(store_url):
    with OutcomeStore(store_url) as first:
        first.record("A", "contacted", date=DAY, channel="phone")
    with OutcomeStore(store_url) as again:
        assert again.count() == 1


# --- concurrency and crashes ----------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import datetime as dt, sys, time
    from pathlib import Path
    import pandas as pd
    from reconnect_lib.outcomes import OutcomeStore

    url, name, n, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    store = OutcomeStore(url)
    (go.parent / f"ready-{name}").touch()
    while not go.exists():
        time.sleep(0.002)
    for i in range(0, n, 2):
        store.record(f"{name}{i:05d}", "contacted", date=dt.date(2026, 3, 2), channel="phone", note=name)
        frame = pd.DataFrame({"client_id": [f"{name}{i + 1:05d}"], "date": ["2026-03-02"],
                              "channel": ["email"], "kind": ["contacted"], "note": [name]})
        store.record_many(frame)
    store.close()
    """
)


def test_two_processes_recording_at_once_lose_nothing(store_url, tmp_path):
    OutcomeStore(store_url).close()  # both writers find the table there
    go = tmp_path / "go"
    n = 40
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, store_url, name, str(n), str(go)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("A", "B")
    ]
    deadline = time.monotonic() + 120
    while not all((tmp_path / f"ready-{name}").exists() for name in "AB"):
        assert time.monotonic() < deadline, "the writers did not start"
        assert all(p.poll() is None for p in procs), "a writer stopped before writing"
        time.sleep(0.01)
    go.touch()  # both write from now on, at the same time
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    with OutcomeStore(store_url) as store:
        events = store.events()
    assert len(events) == 2 * n
    assert events.groupby(s.NOTE).size().to_dict() == {"A": n, "B": n}
    assert events[s.EVENT_ID].is_unique
    # The writes did interleave (in the order the database stored them): a real race, not a queue.
    writers = events[s.NOTE].tolist()
    assert sum(a != b for a, b in itertools.pairwise(writers)) >= 2


_CRASH = textwrap.dedent(
    """
    import os, sys
    import pandas as pd
    from sqlalchemy import event
    from reconnect_lib.outcomes import OutcomeStore

    store = OutcomeStore(sys.argv[1])

    @event.listens_for(store.engine, "after_cursor_execute")
    def die(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT"):
            os._exit(3)  # the rows are sent, the transaction is not committed

    frame = pd.DataFrame({"client_id": [f"K{i:04d}" for i in range(300)], "date": "2026-03-02",
                          "channel": "phone", "kind": "contacted"})
    store.record_many(frame)
    """
)


def test_a_process_killed_mid_write_leaves_the_store_as_it_was(store_url):
    with OutcomeStore(store_url) as store:
        store.record("A", "contacted", date=DAY, channel="phone")
    proc = subprocess.run(
        [sys.executable, "-c", _CRASH, store_url], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 3, proc.stderr
    with OutcomeStore(store_url) as store:
        assert store.count() == 1
        if store_url.startswith("sqlite"):
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        # Nothing stays locked: the whole batch goes in afterwards.
        frame = pd.DataFrame(
            {
                "client_id": [f"K{i:04d}" for i in range(300)],
                "date": "2026-03-02",
                "channel": "phone",
                "kind": "contacted",
            }
        )
        assert store.record_many(frame).recorded == 300
        assert store.count() == 301


_BATCHES = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from reconnect_lib.outcomes import OutcomeStore

    store = OutcomeStore(sys.argv[1])
    for b in range(100000):
        store.record_many(pd.DataFrame({"client_id": [f"B{b}-{i}" for i in range(25)], "date": "2026-03-02",
                                        "channel": "phone", "kind": "contacted", "note": f"batch {b}"}))
    """
)


def test_a_writer_killed_at_any_moment_leaves_only_whole_batches(store_url, tmp_path):
    OutcomeStore(store_url).close()
    log = tmp_path / "writer.log"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-c", _BATCHES, store_url], stderr=err)
    try:
        with OutcomeStore(store_url) as store:
            deadline = time.monotonic() + 120
            while store.count() < 100 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            events = store.events()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert len(events) >= 100, log.read_text()
    assert set(events.groupby(s.NOTE).size()) == {25}


# --- the campaign's history -----------------------------------------------------------


@pytest.fixture
def planner_copy(tmp_path: Path) -> Path:
    """The financial-planner sample in tmp_path, so its database lands there, not in the repo."""
    folder = tmp_path / "financial-planner"
    shutil.copytree(PLANNER, folder, ignore=shutil.ignore_patterns("outcomes.sqlite*"))
    return folder


def test_the_sample_history_reaches_its_database_once(planner_copy):
    cfg = load_config(planner_copy / "campaign.toml")
    first = sync_configured_history(cfg, as_of=AS_OF)
    again = sync_configured_history(cfg, as_of=AS_OF)
    # 8,045 events of the campaign and 62 referrals, 25 of them naming the client they brought in
    assert (first.recorded, first.already_recorded) == (8107, 0)
    assert (again.recorded, again.already_recorded) == (0, 8107)
    assert (planner_copy / "outcomes.sqlite").exists()
    with OutcomeStore.from_config(cfg) as store:
        events = store.events()
    assert len(events) == 8107
    assert (events[s.KIND] == "renewed").sum() == 1530
    referrals = events[events[s.KIND] == "referral"]
    assert (len(referrals), referrals[s.REFERRED_CLIENT_ID].notna().sum()) == (62, 25)
    assert set(events[s.REASON].dropna()) == set(s.REASONS)


def test_a_campaign_without_a_history_file_syncs_nothing(planner_copy):
    cfg = load_config(planner_copy / "campaign.toml")
    cfg = cfg.model_copy(update={"data": cfg.data.model_copy(update={"outcomes": None})})
    assert sync_configured_history(cfg, as_of=AS_OF) is None


# --- properties -----------------------------------------------------------------------

_event_rows = st.lists(
    st.fixed_dictionaries(
        {
            "client_id": st.sampled_from(["A", "B", "C"]),
            "date": st.dates(date(2026, 1, 1), date(2026, 3, 31)).map(date.isoformat),
            "channel": st.sampled_from(s.CHANNELS),
            "kind": st.sampled_from(s.EVENT_KINDS),
            "amount": st.one_of(st.none(), st.floats(0, 10_000, allow_nan=False).map(lambda x: round(x, 2))),
            "reason": st.one_of(st.none(), st.sampled_from(s.REASONS)),
        }
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=max(10, settings.default.max_examples // 5))
@given(rows=_event_rows)
def test_recording_a_frame_twice_is_recording_it_once(rows):
    frame = pd.DataFrame(rows)
    with OutcomeStore("sqlite://") as store:
        first = store.record_many(frame)
        second = store.record_many(frame)
        assert first.recorded == len(frame)
        assert (second.recorded, second.already_recorded) == (0, len(frame))
        stored = store.events()
    assert len(stored) == len(frame)
    assert sorted(stored[s.KIND]) == sorted(frame["kind"])


@settings(max_examples=max(10, settings.default.max_examples // 5))
@given(batches=st.lists(_event_rows, min_size=1, max_size=4))
def test_no_event_is_ever_lost(batches):
    with OutcomeStore("sqlite://") as store:
        expected = 0
        for rows in batches:
            expected += store.record_many(pd.DataFrame(rows)).recorded
            for row in rows[:2]:
                store.record(
                    row["client_id"], row["kind"], date=date.fromisoformat(row["date"]), channel="phone"
                )
                expected += 1
        assert store.count() == expected == len(store.events())


# --- referrals ---------------------------------------------------------------------------


def test_a_referral_is_recorded_with_the_new_client_and_read_back(store):
    known = {"C00001", "C00002", "N00001"}
    named = store.record(
        "C00001",
        "introduced someone",
        date=DAY,
        channel="phone",
        note="Ann Lee",
        amount=400,
        referred_client_id="N00001",
        client_ids=known,
    )
    store.record("C00002", "referral", date=DAY, channel="email", note="Bo Chan", client_ids=known)
    events = store.events()
    assert tuple(events.columns) == EVENT_COLUMNS
    assert events[s.KIND].tolist() == ["referral", "referral"]
    assert events[s.REFERRED_CLIENT_ID].tolist() == ["N00001", pd.NA]
    assert events.loc[events[s.EVENT_ID] == named, s.AMOUNT].tolist() == [400.0]
    assert events[s.NOTE].tolist() == ["Ann Lee", "Bo Chan"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"referred_client_id": "N99999"}, "referred client id not in the client list"),
        ({"referred_client_id": "C00001"}, "a client who referred themselves"),
        ({"referred_client_id": "N00001", "kind": "renewed"}, "not a referral"),
        ({"client_id": "X00009"}, "client id not in the client list"),
    ],
)
def test_a_referral_is_validated_like_every_event(store, kwargs, match):
    args = {"client_id": "C00001", "kind": "referral", **kwargs}
    with pytest.raises(InputError, match=match):
        store.record(
            args.pop("client_id"),
            args.pop("kind"),
            date=DAY,
            channel="phone",
            client_ids={"C00001", "N00001"},
            **args,
        )
    assert store.count() == 0


def test_a_referral_is_not_a_contact_but_a_response():
    assert "referral" in s.EVENT_KINDS
    assert "referral" not in s.CONTACT_KINDS
    assert "referral" in s.RESPONSE_KINDS


def test_a_store_made_before_referrals_gets_the_column_and_keeps_its_guards(store_url, tmp_path):
    sheet = write_csv(tmp_path / "week-10.csv", events_frame(2))
    with OutcomeStore(store_url) as store:
        first = store.import_file(sheet).event_ids[0]
        with store.engine.begin() as conn:  # the store as an older version left it: no referred_client_id
            conn.exec_driver_sql("ALTER TABLE events DROP COLUMN referred_client_id")
        before = _raw_rows(store)
    for _ in range(2):  # opening again and again adds the column once
        with OutcomeStore(store_url) as store:
            names = [c["name"] for c in sa.inspect(store.engine).get_columns("events")]
            assert names.count(s.REFERRED_CLIENT_ID) == 1
            assert [row[: len(before[0])] for row in _raw_rows(store)[:2]] == before  # old rows untouched
            assert store.import_file(sheet).already_recorded == 2  # re-importing finds its rows
            for statement in _rewrites(store.engine.dialect.name, first, first)[:4]:
                with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
                    conn.exec_driver_sql(statement)
    with OutcomeStore(store_url) as store:
        store.record("C00000", "referral", date=DAY, channel="phone", referred_client_id="C00001")
        assert store.events()[s.REFERRED_CLIENT_ID].tolist() == [pd.NA, pd.NA, "C00001"]
        assert store.count() == 3


@pytest.fixture
def short_history(planner_copy: Path) -> Path:
    """The planner's campaign with the first 40 events of its history file."""
    history = planner_copy / "outcomes.csv"
    history.write_text("".join(history.read_text().splitlines(keepends=True)[:41]))
    return planner_copy


def _refuse_to_parse(*args, **kwargs):
    raise AssertionError("the history file was read again")


def test_an_unchanged_history_file_is_not_read_again_and_says_what_a_reimport_says(
    short_history, monkeypatch
):
    # `reconnect buckets` syncs the history file on every run: reading 8,107 rows again
    # to find nothing new took most of a second. The store remembers the file it took in.
    cfg = load_config(short_history / "campaign.toml")
    first = sync_configured_history(cfg, as_of=AS_OF)
    with OutcomeStore.from_config(cfg) as store:
        from reconnect_lib.load.read_options import ReadOptions

        read = ReadOptions.from_config(cfg, as_of=AS_OF)
        reimport = store._import(
            short_history / "outcomes.csv", read, client_ids=None, allow_duplicates=False, name="outcomes"
        )
        stored = store.events(include_superseded=True)
    monkeypatch.setattr(outcomes_module, "_parse", _refuse_to_parse)
    again = sync_configured_history(cfg, as_of=AS_OF)
    assert (first.recorded, first.already_recorded) == (40, 0)
    assert again == reimport
    assert str(again) == "outcomes.csv: 40 rows read, 0 recorded, 40 already recorded"
    with OutcomeStore.from_config(cfg) as store:
        pd.testing.assert_frame_equal(store.events(include_superseded=True), stored)


def test_a_changed_history_file_is_read_again(short_history, monkeypatch):
    cfg = load_config(short_history / "campaign.toml")
    history = short_history / "outcomes.csv"
    assert sync_configured_history(cfg, as_of=AS_OF).recorded == 40
    lines = (PLANNER / "outcomes.csv").read_text().splitlines(keepends=True)
    history.write_text("".join(lines[:43]))  # two more events
    grown = sync_configured_history(cfg, as_of=AS_OF)
    assert (grown.recorded, grown.already_recorded) == (2, 40)
    # Same bytes, read as of a day before some of its events: read again, and refused as before.
    with pytest.raises(InputError, match="after the as-of date"):
        sync_configured_history(cfg, as_of=date(2026, 3, 3))
    # A client the history names is no longer known: read again, and refused.
    with pytest.raises(InputError):
        sync_configured_history(cfg, as_of=AS_OF, client_ids={"C00001"})
    monkeypatch.setattr(outcomes_module, "_parse", _refuse_to_parse)
    assert sync_configured_history(cfg, as_of=AS_OF).already_recorded == 42


def test_a_store_made_before_files_were_fingerprinted_gets_the_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    with OutcomeStore(url) as store:
        store.record("C1", "contacted", date=date(2026, 3, 2), channel="phone")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE synced_files")
    engine.dispose()
    with OutcomeStore(url) as store:
        assert len(store.events()) == 1
        assert store._synced_before("0" * 64, tmp_path / "x.csv") is None
