"""Load and validate inputs: the first stage of the pipeline.

Reads a client list and, optionally, a transaction history and a contact
history (CSV with any common delimiter and encoding, Excel ``.xlsx``, Parquet,
or a DataFrame already in memory), renames their columns to the package's
vocabulary with a column map (:mod:`reconnect_lib.column_maps`), parses every
value into its canonical type, and validates the result with pandera. Every
problem found is reported in *one* :class:`~reconnect_lib.errors.InputError`
naming the file, the column, the rows (1-based data rows, header not counted)
and the offending values, what was expected and how to fix it.

Nothing is dropped silently: rows set aside are counted, with the reason, in
the :class:`LoadReport`. Rows are set aside only when they are

* blank (no value in any column, e.g. the empty rows Excel leaves at the bottom);
* excluded by the column map (``exclude_when``: a draft, voided or cancelled invoice);
* a repeated line of an invoice whose total the map says is per invoice (Xero's
  ``Total``): the invoice is counted once.

Otherwise identical history rows are kept: two equal purchases on one day, or
two calls, are not provably duplicates.

Channels: known words and synonyms are read as the vocabulary of
:data:`reconnect_lib.schema.CHANNELS` (call → phone, mail/post → letter, e-mail
→ email, meeting → visit, ...); any other value, a blank cell, or a missing
channel column is read as ``"other"`` and counted, by value, in the load report.
An unrecognised channel is still a contact, so it still ends a client's silence;
rejecting the file over a word like "Fax" would stop a campaign for nothing.

Canonical types after loading (the contract :mod:`reconnect_lib.client_base`
relies on; see :data:`CLIENTS_SCHEMA`, :data:`TRANSACTIONS_SCHEMA`,
:data:`CONTACTS_SCHEMA`):

============================  =====================  ===============================
column                        dtype                  notes
============================  =====================  ===============================
client_id, invoice_id         ``string``             stripped, inner spaces collapsed
name, email, ... (text)       ``string``             spaces collapsed, ``<NA>`` if blank
client_since, last_contact,   ``datetime64[ns]``     tz-naive, midnight, ``NaT`` when
last_purchase, date                                  blank (``date`` is never blank)
amount, total_revenue         ``float64``            refunds negative
do_not_contact                ``bool``               blank means False
channel                       ``string``             one of :data:`schema.CHANNELS`
============================  =====================  ===============================

Every output frame has all the columns of its table, in that order, with a
fresh ``RangeIndex``; a column the file does not have is all missing.

The package, one module per job, each importing only those above it:
``read_options`` (:class:`ReadOptions`, how a campaign's files are written),
``cells`` (parsing values), ``read``
(files to raw text frames), ``validate`` (checks and their problems),
``tables`` (one table, the public loaders, :class:`LoadReport`), ``scan_checks``
and ``scan`` (reading with Polars, DuckDB or Spark). This module is its face.

Example
-------
>>> from datetime import date
>>> import pandas as pd
>>> raw = pd.DataFrame({"Customer ID": ["007"], "Last Contacted": ["2024-03-05"]})
>>> clients = load_clients(raw, as_of=date(2025, 1, 1))
>>> clients.loc[0, "client_id"], clients.loc[0, "last_contact"]
('007', Timestamp('2024-03-05 00:00:00'))
"""

from .._imports import lazy_names
from ..schema import INPUT_DTYPES as DTYPES
from .cells import CHANNEL_SYNONYMS, MAX_AMOUNT
from .read import read_table
from .read_options import ReadOptions
from .tables import (
    Inputs,
    LoadReport,
    TableReport,
    load_clients,
    load_contacts,
    load_inputs,
    load_table,
    load_transactions,
)

# Loaded on first use: the scanning engines' reader (pyarrow.compute, the scan checks) and
# the pandera output schemas are not needed to load a campaign with pandas.
_LAZY = {
    "SCAN_CHECKS": "scan",
    "scan_inputs": "scan",
    "CLIENTS_SCHEMA": "validate",
    "CONTACTS_SCHEMA": "validate",
    "TRANSACTIONS_SCHEMA": "validate",
}


__getattr__, __dir__ = lazy_names(__name__, _LAZY, globals())

__all__ = [
    "CHANNEL_SYNONYMS",
    "CLIENTS_SCHEMA",
    "CONTACTS_SCHEMA",
    "DTYPES",
    "MAX_AMOUNT",
    "SCAN_CHECKS",
    "TRANSACTIONS_SCHEMA",
    "Inputs",
    "LoadReport",
    "ReadOptions",
    "TableReport",
    "load_clients",
    "load_contacts",
    "load_inputs",
    "load_table",
    "load_transactions",
    "read_table",
    "scan_inputs",
]
