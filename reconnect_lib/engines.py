"""Engines: read data with pandas, Polars, DuckDB or Spark, and bring results back to pandas.

The heavy stages (:func:`~reconnect_lib.client_base.client_base`,
:func:`~reconnect_lib.dormancy.dormancy_buckets`,
:func:`~reconnect_lib.value.value_scores` and the tables built from them) are
written once over narwhals: a pandas, Polars (eager or lazy) or PyArrow frame, a
DuckDB relation or a PySpark DataFrame goes in, and the same kind comes out
(lazy stays lazy). This module holds what the stages cannot do for themselves:
reading a file with a given engine (lazily where the engine can), starting a
Spark session, and collecting any result into the pandas frame the notebooks,
the CLI and the reports show.

Every engine is an optional extra, imported only when asked for: ``import
reconnect_lib`` pulls in none of them.

Example
-------
>>> from datetime import date
>>> from reconnect_lib.client_base import client_base
>>> tx = scan("transactions.parquet", engine="duckdb")  # doctest: +SKIP
>>> clients = scan("clients.parquet", engine="duckdb")  # doctest: +SKIP
>>> to_pandas(client_base(clients, tx, as_of=date(2026, 11, 23)))  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import narwhals as nw
import pandas as pd

from . import _frames as fr
from .errors import ConfigError, InputError
from .options import CSV_SUFFIXES, ENGINES, PARQUET_SUFFIXES, Engine

#: The Spark settings :func:`spark_session` sets on a session it creates. Small
#: shuffles: a client base is one group-by and a few joins, and the default 200
#: partitions cost more in scheduling than they save on a laptop.
SPARK_DEFAULTS: dict[str, str] = {
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.showConsoleProgress": "false",
}

#: How to install each optional engine: the package's extra of the same name.
_EXTRAS = {
    "polars": 'pip install "reconnect_lib[polars]"',
    "duckdb": 'pip install "reconnect_lib[duckdb]"',
    "spark": 'pip install "reconnect_lib[spark]" (and a Java 17 runtime for local mode)',
}


def check_engine(engine: object) -> Engine:
    """Validate an engine name once, at the boundary, listing the choices."""
    fr.check_choice("engine", engine, ENGINES)
    return engine  # type: ignore[return-value]


def _require(engine: str) -> Any:
    module = {"polars": "polars", "duckdb": "duckdb", "spark": "pyspark.sql"}[engine]
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as err:
        raise ConfigError(
            f"engine {engine!r} is not installed",
            expected=f"the {module.split('.')[0]} package",
            hint=f"{_EXTRAS[engine]}; or use pandas: set name = \"pandas\" under [engine] in campaign.toml "
            "(or pass --engine pandas)",
        ) from err


def spark_session(
    master: str | None = None, *, app_name: str = "reconnect_lib", config: Mapping[str, str] | None = None
) -> Any:
    """A SparkSession: the active one if there is one, else a new one.

    Parameters
    ----------
    master : str, optional
        Where to run: ``local[*]`` (the default: every core of this machine), a
        ``spark://host:7077`` standalone cluster, ``yarn``, ... Ignored when a
        session is already active (Spark allows one per process).
    app_name : str
        The name the cluster's UI shows.
    config : mapping, optional
        Spark settings on top of :data:`SPARK_DEFAULTS` (e.g.
        ``{"spark.executor.memory": "8g"}``).

    Returns
    -------
    pyspark.sql.SparkSession
        Its log level is set to ``ERROR`` (Spark's INFO/WARN chatter would bury
        the CLI's output). A local session binds its driver to 127.0.0.1.
    """
    sql = _require("spark")
    active = sql.SparkSession.getActiveSession()
    if active is not None:
        return active
    master = master or "local[*]"
    builder = sql.SparkSession.builder.master(master).appName(app_name)
    settings = dict(SPARK_DEFAULTS)
    if master.startswith("local"):
        # A local driver needs no network. Without these Spark looks up the
        # machine's name and warns when it resolves to a loopback address (the
        # variable is read by the JVM launcher, before any setting).
        settings.update({"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"})
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    settings.update(config or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def file_kind(path: str | Path) -> Literal["csv", "parquet"] | None:
    """``"csv"`` or ``"parquet"`` from the file's suffix, None for anything else (e.g. Excel)."""
    suffix = Path(path).suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in CSV_SUFFIXES:
        return "csv"
    return None


def scan(
    path: str | Path,
    *,
    engine: Engine,
    spark: Any = None,
    connection: Any = None,
    text_columns: Sequence[str] = (),
    all_text: bool = False,
    column_names: Sequence[str] | None = None,
    **csv_options: Any,
) -> Any:
    """Read a Parquet or CSV file with `engine`, lazily where the engine can.

    No column map, parsing or validation: the file is read as the engine reads
    it (:func:`reconnect_lib.load.scan_inputs` adds those).

    Parameters
    ----------
    path : str or Path
        A ``.parquet``/``.pq`` or ``.csv``/``.txt``/``.tsv``/``.tab`` file.
    engine : {"pandas", "polars", "duckdb", "spark"}
        - ``pandas``: ``pd.read_parquet`` / ``pd.read_csv`` (eager);
        - ``polars``: ``pl.scan_parquet`` / ``pl.scan_csv`` (a LazyFrame; CSV
          dates are parsed);
        - ``duckdb``: a relation over ``read_parquet`` / ``read_csv`` (lazy) on
          `connection`, or DuckDB's default connection;
        - ``spark``: ``spark.read.parquet`` / ``spark.read.csv`` with a header
          and inferred types (lazy) on `spark`, or :func:`spark_session`.
    spark : SparkSession, optional
    connection : duckdb.DuckDBPyConnection, optional
        Every table of one computation must come from one connection.
    text_columns : sequence of str
        CSV columns to read as text whatever they look like (an id ``007``
        keeps its zeros). Parquet columns keep their stored type.
    all_text : bool
        Read every CSV column as text (the pandas loader's reading: nothing is
        inferred, so a value means what the loader's parsers say it means).
    column_names : sequence of str, optional
        Names for a CSV's columns, in order, in place of its header row (which is
        still skipped): e.g. the names the pandas loader gives a header with
        blank or repeated names.
    **csv_options
        Passed to the engine's CSV reader (e.g. ``delimiter=";"``; DuckDB and
        Spark name it ``sep``/``delimiter`` alike, Polars ``separator``: give
        ``delimiter`` and it is translated).

    Returns
    -------
    The engine's native frame.

    Raises
    ------
    InputError
        The file does not exist, or is neither Parquet nor CSV.
    ConfigError
        An unknown engine, or one that is not installed.
    """
    check_engine(engine)
    path = Path(path)
    kind = file_kind(path)
    if kind is None:
        raise InputError(
            f"the {engine} engine reads Parquet and CSV files, not {path.suffix or 'this file'}",
            file=str(path),
            expected="a .parquet or .csv file",
            hint='convert the file, or set name = "pandas" under [engine] in campaign.toml '
            "(which also reads Excel)",
        )
    if not path.exists():
        raise InputError(
            "file not found", file=str(path), hint="check the path under [data] in campaign.toml"
        )
    text = list(text_columns)
    delimiter = csv_options.pop("delimiter", None)
    if engine == "pandas":
        if kind == "parquet":
            return pd.read_parquet(path)
        if all_text:
            csv_options["dtype"] = "string"
        elif text:
            csv_options["dtype"] = dict.fromkeys(text, "string")
        if column_names is not None:
            csv_options.update(names=list(column_names), header=0)
        return pd.read_csv(path, sep=delimiter or ",", **csv_options)
    if engine == "polars":
        pl = _require("polars")
        if kind == "parquet":
            return pl.scan_parquet(path)
        if all_text:
            csv_options["infer_schema"] = False
        else:
            csv_options.update(try_parse_dates=True, schema_overrides=dict.fromkeys(text, pl.String))
        if column_names is not None:
            csv_options["new_columns"] = list(column_names)
        return pl.scan_csv(path, separator=delimiter or ",", quote_char='"', **csv_options)
    if engine == "duckdb":
        duckdb = _require("duckdb")
        con = connection if connection is not None else duckdb.default_connection()
        if kind == "parquet":
            return con.read_parquet(str(path))
        if delimiter:
            csv_options["sep"] = delimiter
        if all_text:
            # Quotes as a spreadsheet writes them, no comment lines, no rows skipped:
            # DuckDB's sniffer would otherwise guess them from the first rows.
            csv_options.update(all_varchar=True, quotechar='"', escapechar='"', comment="", skiprows=0)
        elif text:
            csv_options["dtype"] = dict.fromkeys(text, "VARCHAR")
        if column_names is not None:
            csv_options["names"] = list(column_names)
        return con.read_csv(str(path), header=True, **csv_options)
    session = spark if spark is not None else spark_session()
    if kind == "parquet":
        return session.read.parquet(str(path))
    if delimiter:
        csv_options["sep"] = delimiter
    if all_text:
        # Every column as text; quotes doubled inside a quoted value, as spreadsheets
        # write them (Spark's default escape is a backslash), and line breaks in quotes.
        frame = session.read.options(
            header=True, inferSchema=False, multiLine=True, escape='"', **csv_options
        ).csv(str(path))
        return frame.toDF(*column_names) if column_names is not None else frame
    reader = session.read.options(header=True, inferSchema=True, **csv_options)
    frame = reader.csv(str(path))
    if column_names is not None:
        frame = frame.toDF(*column_names)
    if text:
        # Spark has no per-column override for inferred CSV types: read again
        # with the inferred schema, those columns made text.
        types = _require("spark").types
        schema = types.StructType(
            [
                types.StructField(f.name, types.StringType(), True) if f.name in text else f
                for f in frame.schema.fields
            ]
        )
        frame = session.read.options(header=True, **csv_options).schema(schema).csv(str(path))
    return frame


def read_errors() -> tuple[type[BaseException], ...]:
    """The exceptions an engine raises when it cannot read or convert a file's values.

    Polars (its errors, and the panic of its Rust core, which is not an
    ``Exception``), DuckDB and narwhals, for the engines already imported, and
    the built-in errors a conversion raises.
    """
    import sys

    errors: list[type[BaseException]] = [ValueError, TypeError, KeyError, ArithmeticError, OSError]
    errors.append(nw.exceptions.NarwhalsError)
    polars = sys.modules.get("polars")
    if polars is not None:
        errors += [polars.exceptions.PolarsError, polars.exceptions.PanicException]
    duckdb = sys.modules.get("duckdb")
    if duckdb is not None:
        errors.append(duckdb.Error)
    if "pyspark" in sys.modules:
        from py4j.protocol import Py4JJavaError
        from pyspark.errors import PySparkException

        errors += [PySparkException, Py4JJavaError]
    return tuple(errors)


def from_pandas(
    frame: pd.DataFrame, *, engine: Engine, spark: Any = None, connection: Any = None, lazy: bool = True
) -> Any:
    """A pandas frame as `engine`'s frame (pandas: a copy).

    Dates stay dates (pandas' midnight ``datetime64`` become ``Date`` on the
    other engines, as their readers give them); nullable integers and strings
    keep their nulls. Polars gives a LazyFrame unless ``lazy=False``.
    """
    check_engine(engine)
    if engine == "pandas":
        return frame.copy()
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    dates = [
        i
        for i, field in enumerate(table.schema)
        if pa.types.is_timestamp(field.type) and field.type.tz is None
    ]
    for i in dates:
        table = table.set_column(i, table.schema[i].name, table.column(i).cast(pa.date32()))
    return from_arrow(table, engine=engine, spark=spark, connection=connection, lazy=lazy)


def from_arrow(
    table: Any, *, engine: Engine, spark: Any = None, connection: Any = None, lazy: bool = True
) -> Any:
    """A PyArrow table as `engine`'s frame, its columns as they are (pandas: a pandas frame).

    Polars gives a LazyFrame over the data unless ``lazy=False``; DuckDB a relation
    over it on `connection` (or the default connection); Spark a DataFrame on
    `spark` (or :func:`spark_session`).
    """
    check_engine(engine)
    if engine == "pandas":
        return table.to_pandas()
    if engine == "polars":
        pl = _require("polars")
        out = pl.from_arrow(table)
        return out.lazy() if lazy else out
    if engine == "duckdb":
        duckdb = _require("duckdb")
        con = connection if connection is not None else duckdb.default_connection()
        return con.from_arrow(table)
    session = spark if spark is not None else spark_session()
    return session.createDataFrame(table)


def to_pandas(frame: Any, dtypes: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Collect any frame the stages accept into a pandas frame with the pandas engine's dtypes.

    Dates become ``datetime64[us]`` at midnight and integers keep their nulls,
    then every column the pipeline documents gets its documented pandas dtype
    (:data:`PANDAS_DTYPES`, or `dtypes`), so a result computed on Polars, DuckDB
    or Spark equals the pandas engine's with ``pandas.testing.assert_frame_equal``.

    Parameters
    ----------
    frame : pandas, Polars (eager or lazy) or PyArrow frame, DuckDB relation, PySpark DataFrame
    dtypes : mapping, optional
        Column -> pandas dtype, on top of :data:`PANDAS_DTYPES`.

    Returns
    -------
    pandas.DataFrame
        A fresh 0..n-1 index. A pandas frame is returned as is.
    """
    if isinstance(frame, pd.DataFrame):
        return frame
    import pyarrow as pa

    wrapped = fr.as_frame(frame, "frame")
    if wrapped.implementation.is_spark_like():
        # toArrow, not narwhals' collect: PySpark's pandas path warns on pandas 3.
        table = wrapped.to_native().toArrow()
    elif wrapped.implementation.is_polars() and isinstance(wrapped, nw.LazyFrame):
        # Polars' streaming engine, as materialize collects: less time and memory than the default one.
        table = frame.collect(engine="streaming").to_arrow()
    else:
        eager = wrapped.collect(backend="pyarrow") if isinstance(wrapped, nw.LazyFrame) else wrapped
        table = eager.to_arrow()
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_date(kind) or (pa.types.is_timestamp(kind) and kind.tz is None):
            columns[name] = pd.Series(column.cast(pa.timestamp("us")).to_pandas(), name=name).astype(
                "datetime64[us]"
            )
        elif pa.types.is_integer(kind):
            columns[name] = pd.Series(column.to_pandas(types_mapper=pd.ArrowDtype), name=name).astype("Int64")
        elif pa.types.is_large_string(kind) or pa.types.is_string(kind) or pa.types.is_string_view(kind):
            columns[name] = pd.Series(column.cast(pa.string()).to_pandas(), name=name)
        else:
            columns[name] = pd.Series(column.to_pandas(), name=name)
    out = pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))
    wanted = {**pandas_dtypes(), **(dtypes or {})}
    cast = {c: t for c, t in wanted.items() if c in out.columns and str(out[c].dtype) != t}
    # An integer column's dtype says whether it may be unknown (Int64) or never is
    # (int64): trust the documented Int64s, and make every other whole integer
    # column int64 (one name can be both: `due` is a flag per client, a count per bucket).
    for column in out.columns:
        if str(out[column].dtype) == "Int64" and wanted.get(column) != "Int64":
            cast.pop(column, None)
            if not out[column].isna().any():
                cast[column] = "int64"
    return out.astype(cast) if cast else out


def pandas_dtypes() -> dict[str, str]:
    """The documented pandas dtype of every column the load and scoring stages output."""
    from .client_base import PANDAS_DTYPES as BASE_DTYPES
    from .schema import DORMANCY_BUCKET, INPUT_DTYPES, RFM_SEGMENT
    from .value import PANDAS_DTYPES as SCORE_DTYPES

    documented = {
        # (dates: every stage after loading gives datetime64[us], the loader [ns])
        **{c: t for c, t in INPUT_DTYPES.items() if not t.startswith("datetime")},
        **BASE_DTYPES,
        DORMANCY_BUCKET: "str",
        RFM_SEGMENT: "str",
        **SCORE_DTYPES,
    }
    # Only what a column's values cannot tell: nullable integers and the kind of text.
    return {c: t for c, t in documented.items() if t in ("Int64", "string", "str")}


def materialize(frame: Any, *, connection: Any = None) -> Any:
    """Compute a lazy frame once and keep the result in the engine, still a lazy frame.

    For a result that several tables are built from (the scored client base:
    bucket table, keep-up list, segments), so that each does not recompute it
    from the files. Polars collects with its streaming engine into a LazyFrame
    over memory; DuckDB fetches it as Arrow into a relation on `connection` (or
    the default one); Spark checkpoints it locally (materialised on the
    executors, its lineage cut). Eager frames are returned as they are.
    """
    impl = fr.as_frame(frame, "frame").implementation
    if impl.is_polars() and hasattr(frame, "collect"):
        return frame.collect(engine="streaming").lazy()
    if impl.is_duckdb():
        duckdb = _require("duckdb")
        con = connection if connection is not None else duckdb.default_connection()
        return con.from_arrow(frame.to_arrow_table())
    if impl.is_spark_like():
        return frame.localCheckpoint()
    return frame


def engine_of(frame: Any) -> Engine:
    """Which engine a native frame belongs to (PyArrow tables count as pandas' kin: ``pandas``)."""
    impl = fr.as_frame(frame, "frame").implementation
    if impl.is_polars():
        return "polars"
    if impl.is_duckdb():
        return "duckdb"
    if impl.is_spark_like():
        return "spark"
    return "pandas"
