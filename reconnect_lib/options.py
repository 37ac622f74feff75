"""Option types: the named choices campaign.toml, the CLI and the stages accept.

Each choice is declared here once, as a ``Literal`` for type checkers and a
tuple of its values for messages and ``click.Choice``. This module is part of
the common layer: it imports nothing from the package, so config can name an
engine or a strategy without importing the stage that runs it.
"""

from __future__ import annotations

from typing import Literal, get_args

#: Where a client's dormancy is measured from: the latest activity, the latest
#: contact or the latest purchase.
MeasureFrom = Literal["latest", "contact", "purchase"]
MEASURE_FROM_CHOICES: tuple[str, ...] = get_args(MeasureFrom)

#: The value a client is ranked by.
ValueBasis = Literal["expected", "yearly", "total"]
BASIS_CHOICES: tuple[str, ...] = get_args(ValueBasis)

#: How the plan orders the clients it schedules.
Strategy = Literal["round_robin", "value", "dormancy", "custom"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)

#: Channels a first contact can go by, as ``[plan] channels`` names them (in order of preference).
FirstChannel = Literal["letter", "email", "phone"]

#: The decimal mark of the amounts in a file (``None`` where it is an option: found per column).
DecimalMark = Literal[".", ","]

#: The engines campaign.toml and ``--engine`` accept; pandas is the default.
Engine = Literal["pandas", "polars", "duckdb", "spark"]
ENGINES: tuple[str, ...] = get_args(Engine)

#: The data files the loader reads, by suffix (lower case): a CSV with any
#: common delimiter, an Excel workbook, a Parquet file. The engines other than
#: pandas scan the CSV and Parquet ones themselves.
CSV_SUFFIXES: tuple[str, ...] = (".csv", ".txt", ".tsv", ".tab")
EXCEL_SUFFIXES: tuple[str, ...] = (".xlsx", ".xlsm")
PARQUET_SUFFIXES: tuple[str, ...] = (".parquet", ".pq")
