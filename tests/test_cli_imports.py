"""What a command imports: each heavy library only on the path that uses it (issue 18, CLI startup).

No timings here: each test checks which modules a run loaded, or that work was skipped.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

SAMPLE = Path(__file__).parents[1] / "data" / "sample"
CONSULTING = SAMPLE / "consulting-firm" / "campaign.toml"
PLANNER = SAMPLE / "financial-planner" / "campaign.toml"


def _modules_after(code: str, watch: set[str]) -> list[str]:
    """Run ``code`` in a fresh interpreter; the modules of ``watch`` it left loaded."""
    script = f"import sys\n{code}\nprint(sorted(set({sorted(watch)!r}) & set(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return eval(out.splitlines()[-1])  # a list literal printed by the script above


def test_the_outcome_module_and_store_exists_import_no_sqlalchemy():
    # `reconnect buckets` on a campaign without an outcome log only asks whether the
    # SQLite file is there: SQLAlchemy (0.1-0.2 s to import) waits for a store to be opened.
    code = (
        "from reconnect_lib.outcomes import store_exists\n"
        "assert not store_exists('sqlite:////no/such/folder/outcomes.sqlite')\n"
    )
    assert _modules_after(code, {"sqlalchemy"}) == []
    opened = code + "from reconnect_lib.outcomes import OutcomeStore\nOutcomeStore('sqlite://').close()\n"
    assert _modules_after(opened, {"sqlalchemy"}) == ["sqlalchemy"]


def test_buckets_without_an_outcome_log_imports_no_sqlalchemy_nor_another_engine():
    code = (
        "from reconnect_lib.cli import main\n"
        "try:\n"
        f"    main(['buckets', '--config', {str(CONSULTING)!r}])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
    )
    watch = {"sqlalchemy", "duckdb", "polars", "pyspark", "statsmodels", "scipy"}
    # pandera validates only rows that can fail (the sample has none); the scanning engines'
    # reader and its checks are for `--engine duckdb|polars`.
    watch |= {"pandera", "reconnect_lib.load.scan", "reconnect_lib.load.scan_checks"}
    assert _modules_after(code, watch) == []


def test_buckets_with_an_outcome_log_imports_no_statistics_library_nor_another_engine(tmp_path):
    # The log's win-back counts set the buckets' chances with Wilson intervals: a formula,
    # not a reason to import statsmodels and scipy (0.5-2 s). A copy: the run fills its store.
    unstored = shutil.ignore_patterns("*.sqlite*")
    planner = shutil.copytree(PLANNER.parent, tmp_path / "planner", ignore=unstored)
    code = (
        "from reconnect_lib.cli import main\n"
        "try:\n"
        f"    main(['buckets', '--config', {str(planner / 'campaign.toml')!r}])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
    )
    watch = {"duckdb", "polars", "pyspark", "statsmodels", "scipy", "reconnect_lib.load.scan"}
    assert _modules_after(code, watch) == []


# SQLAlchemy reads a SQLite URL's path as written unless it holds a query (?), a %-escape
# or a control character; the fast path of store_exists takes only such plain URLs.
_PATH_CHARS = st.characters(codec="utf-8", exclude_characters="\x00/")


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(_PATH_CHARS, min_size=1, max_size=12),
    query=st.sampled_from(["", "?mode=ro", "?timeout=5"]),
    create=st.booleans(),
    absolute=st.booleans(),
)
def test_store_exists_reads_a_sqlite_url_as_sqlalchemy_does(tmp_path_factory, name, query, create, absolute):
    import sqlalchemy as sa

    from reconnect_lib.outcomes import store_exists

    folder = tmp_path_factory.mktemp("store")
    path = folder / name
    if create and name not in (".", ".."):
        try:
            path.write_bytes(b"")
        except OSError:  # a name the file system refuses
            return
    url = "sqlite:///" + (str(path) if absolute else name) + query
    try:
        database = sa.make_url(url).database
    except sa.exc.ArgumentError:
        return
    expected = database not in (None, "", ":memory:") and Path(database).exists()
    assert store_exists(url) == expected


def test_clean_rows_are_validated_without_building_a_pandera_schema(monkeypatch):
    # pandera is shown only the rows that can fail a rule; when there are none it is not
    # used at all (so a clean campaign never needs to import it).
    from datetime import date

    from reconnect_lib._pandera import pa
    from reconnect_lib.load import load_clients

    built = []
    real = pa.DataFrameSchema

    def counting(*args, **kwargs):
        built.append(kwargs.get("name"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pa, "DataFrameSchema", counting)
    clean = pd.DataFrame({"client_id": ["C1", "C2"], "name": ["Ann", "Bob"]})
    assert load_clients(clean, as_of=date(2026, 1, 1)).client_id.tolist() == ["C1", "C2"]
    assert built == []
    with pytest.raises(Exception, match="more than one row"):
        load_clients(
            pd.DataFrame({"client_id": ["C1", "C1"], "name": ["Ann", "Bob"]}), as_of=date(2026, 1, 1)
        )
    assert built == ["clients"]


def test_the_output_schemas_are_still_there_when_asked_for():
    from reconnect_lib.load import CLIENTS_SCHEMA, CONTACTS_SCHEMA, TRANSACTIONS_SCHEMA

    assert [CLIENTS_SCHEMA.name, TRANSACTIONS_SCHEMA.name, CONTACTS_SCHEMA.name] == [
        "clients",
        "transactions",
        "contacts",
    ]
