"""The outcome log as part of each client's history.

A campaign's outcome log says what happened to a client after the export was
made: a call reached them, they renewed, they moved on, they asked to be left
alone. Every output must see that, or buckets and the overview count a client
as dormant whom the weekly report knows was called last week. This stage folds
the log into the history the client base is computed from:

- a logged contact (any :data:`~reconnect_lib.schema.CONTACT_KINDS` event: the
  client was reached) is a contact on its day and channel;
- a logged renewal with an amount is a purchase on its day, unless the purchase
  history already has a purchase by that client that day (the accounting export
  caught up with the log: the same sale is not counted twice);
- a do-not-contact or a loss is a status: :func:`with_status` joins each
  client's status (:func:`reconnect_lib.metrics.client_status`) to the scored
  base, so every output counts the same clients as *due and contactable*.

:func:`clients_at_contact` goes the other way: the bucket each contacted
client was in when its campaign began, from the history before it, for the
win-back rates by bucket.

Pure functions over frames: no file, no database, inputs never mutated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import narwhals as nw
import pandas as pd

from . import _frames as fr
from . import schema as s
from .client_base import client_base
from .dormancy import dormancy_buckets
from .engines import engine_of, from_pandas
from .metrics.status import _current_events, _first_contacts
from .options import MeasureFrom

if TYPE_CHECKING:
    from .load import Inputs

#: Statuses that mean a client may not, or need not, be contacted now.
CLOSED_STATUSES: tuple[str, ...] = ("do_not_contact", "lost")


def logged_contacts(events: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """The log's contacts as contact-history rows: ``client_id``, ``date``, ``channel``.

    Only events on or before `as_of` and of a kind that shows the client was
    reached count; a ``no_answer`` is an attempt, not a contact.
    """
    day = pd.Timestamp(fr.check_as_of(as_of))
    ev = events[events[s.KIND].isin(s.CONTACT_KINDS) & (events[s.DATE] <= day)]
    return pd.DataFrame(
        {
            s.CLIENT_ID: ev[s.CLIENT_ID].astype("string"),
            s.DATE: pd.to_datetime(ev[s.DATE]).astype("datetime64[ns]"),
            s.CHANNEL: ev[s.CHANNEL].astype("string"),
        }
    ).reset_index(drop=True)


def logged_purchases(events: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """The log's renewals with an amount as purchase rows: ``client_id``, ``date``, ``amount``."""
    day = pd.Timestamp(fr.check_as_of(as_of))
    amount = pd.to_numeric(events[s.AMOUNT], errors="coerce")
    ev = events[(events[s.KIND] == "renewed") & amount.notna() & (events[s.DATE] <= day)]
    return pd.DataFrame(
        {
            s.CLIENT_ID: ev[s.CLIENT_ID].astype("string"),
            s.DATE: pd.to_datetime(ev[s.DATE]).astype("datetime64[ns]"),
            s.AMOUNT: amount[ev.index].astype("float64"),
        }
    ).reset_index(drop=True)


def _new_rows(history: Any, rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """`rows` whose `keys` are not in `history` already (a pandas anti-join, any engine's history)."""
    if history is None or rows.empty:
        return rows
    if keys == [s.CLIENT_ID, s.DATE] and isinstance(history, pd.DataFrame):
        day = history[s.DATE]
        if pd.api.types.is_datetime64_dtype(day) and not isinstance(day.dtype, pd.DatetimeTZDtype):
            # On pandas, a set of (client, day) keys: a merge with an indicator took ten times as long.
            seen = pd.MultiIndex.from_arrays(
                [
                    history[s.CLIENT_ID].astype("string").to_numpy(dtype=object, na_value=None),
                    day.dt.normalize().to_numpy(dtype="datetime64[ns]"),
                ]
            )
            mine = pd.MultiIndex.from_arrays(
                [
                    rows[s.CLIENT_ID].astype("string").to_numpy(dtype=object, na_value=None),
                    pd.to_datetime(rows[s.DATE]).to_numpy(dtype="datetime64[ns]"),
                ]
            )
            return rows[~mine.isin(seen)].reset_index(drop=True)
    seen = fr.as_frame(history, "history").select(*keys)
    seen = seen.with_columns(nw.col(s.CLIENT_ID).cast(nw.String), nw.col(s.DATE).cast(nw.Date))
    # Only the keys of the clients in `rows` come to pandas: the log is small, the history need not be.
    ids = rows[s.CLIENT_ID].dropna().unique().tolist()
    seen = seen.filter(nw.col(s.CLIENT_ID).is_in(ids)).unique()
    if isinstance(seen, nw.LazyFrame):
        seen = seen.collect()
    known = seen.to_pandas()
    known[s.DATE] = pd.to_datetime(known[s.DATE]).astype("datetime64[ns]")
    known[s.CLIENT_ID] = known[s.CLIENT_ID].astype("string")
    marked = rows.merge(known.drop_duplicates(), on=keys, how="left", indicator=True)
    return rows[(marked["_merge"] == "left_only").to_numpy()].reset_index(drop=True)


def _append(history: Any, rows: pd.DataFrame, *, like: Any, spark: Any) -> Any:
    """`history` with `rows` appended, in `history`'s engine (`like`'s when there is no history)."""
    if history is None:
        engine = engine_of(like)
        return rows if engine == "pandas" else from_pandas(rows, engine=engine, spark=spark)
    if rows.empty:
        return history
    engine = engine_of(history)
    if engine == "pandas":
        out = pd.concat([history, rows], ignore_index=True)
        # Columns the log has no value for (an invoice id, say) keep their type, their new cells
        # missing; a numpy bool or integer column cannot hold a missing value and stays as pandas made it.
        for column, dtype in history.dtypes.items():
            if out[column].dtype != dtype and (column in rows.columns or dtype.kind not in "biu"):
                out[column] = out[column].astype(dtype)
        return out
    native = fr.as_frame(history, "history")
    names = native.collect_schema().names()
    schema = native.collect_schema()
    extra = rows.reindex(columns=names)
    added = fr.as_frame(from_pandas(extra, engine=engine, spark=spark), "log")
    added = added.with_columns(nw.col(c).cast(schema[c]) for c in names)
    return nw.concat([native, added.select(*names)], how="vertical").to_native()


def with_outcome_log(inputs: Any, events: pd.DataFrame | None, *, as_of: date, spark: Any = None) -> Any:
    """`inputs` with the outcome log's contacts and renewals added to its histories.

    Parameters
    ----------
    inputs : Inputs
        The loaded (pandas) or scanned (another engine) input tables.
    events : pandas.DataFrame or None
        The outcome log (:meth:`reconnect_lib.outcomes.OutcomeStore.events`);
        None or empty: `inputs` is returned as it is.
    as_of : date
    spark : SparkSession, optional
        For inputs on Spark.

    Returns
    -------
    Inputs
        A new Inputs (the given one is not changed): ``contacts`` gains a row
        per logged contact not already in it (same client and day), and
        ``transactions`` a row per logged renewal with an amount on a day
        the client bought nothing in the history.

    Examples
    --------
    >>> from datetime import date
    >>> import pandas as pd
    >>> from reconnect_lib.load import Inputs, LoadReport
    >>> clients = pd.DataFrame({"client_id": pd.array(["a", "b"], dtype="string")})
    >>> tx = pd.DataFrame({"client_id": pd.array(["a"], dtype="string"),
    ...                    "date": pd.to_datetime(["2026-03-02"]), "amount": [120.5]})
    >>> events = pd.DataFrame({"client_id": ["a", "b", "b"], "channel": ["phone", "email", "email"],
    ...     "date": pd.to_datetime(["2026-03-02", "2026-03-03", "2026-03-09"]),
    ...     "kind": ["renewed", "contacted", "renewed"], "amount": [120.5, None, 80.0]})
    >>> out = with_outcome_log(Inputs(clients, tx, None, LoadReport(())), events, as_of=date(2026, 6, 1))
    >>> out.transactions[["client_id", "amount"]]  # a's renewal was already in the history
      client_id  amount
    0         a   120.5
    1         b    80.0
    >>> len(out.contacts)
    3
    """
    day = fr.check_as_of(as_of)
    if events is None or events.empty:
        return inputs
    # Rows of clients not on the client list are harmless: the client base keeps the list's clients.
    contacts = logged_contacts(events, as_of=day)
    purchases = logged_purchases(events, as_of=day)
    if inputs.contacts is not None:
        contacts = _new_rows(inputs.contacts, contacts, [s.CLIENT_ID, s.DATE])
    if inputs.transactions is not None:
        purchases = _new_rows(inputs.transactions, purchases, [s.CLIENT_ID, s.DATE])
    # A contact the log holds twice on one day (a call and its outcome) is one contact.
    contacts = contacts.drop_duplicates([s.CLIENT_ID, s.DATE]).reset_index(drop=True)
    return replace(
        inputs,
        contacts=_append(inputs.contacts, contacts, like=inputs.clients, spark=spark),
        transactions=_append(inputs.transactions, purchases, like=inputs.clients, spark=spark),
    )


def with_status(scored: Any, status: pd.DataFrame | None, *, spark: Any = None) -> Any:
    """The scored base with each client's status from the log, and who may be contacted.

    Adds ``status`` (the :func:`~reconnect_lib.metrics.client_status` of a
    logged client, null for a client the log never mentions) and
    ``contactable`` (False for a do-not-contact, on the client list or in the
    log, or a client lost to the campaign), and sets ``do_not_contact`` for a
    client who asked in the log. `scored` is not changed.
    """
    frame = fr.as_frame(scored, "scored")
    names = frame.collect_schema().names()
    if status is None:
        status = pd.DataFrame({s.CLIENT_ID: pd.Series(dtype="string"), s.STATUS: pd.Series(dtype="string")})
    table = status[[s.CLIENT_ID, s.STATUS]].astype({s.CLIENT_ID: "string", s.STATUS: "string"})
    engine = engine_of(scored)
    if engine == "pandas":
        out = scored.drop(columns=[c for c in (s.STATUS, s.CONTACTABLE) if c in names])
        logged = out[[s.CLIENT_ID]].astype({s.CLIENT_ID: "string"}).merge(table, on=s.CLIENT_ID, how="left")
        found = logged[s.STATUS].to_numpy()
        listed = (
            out[s.DO_NOT_CONTACT].fillna(False).astype(bool).to_numpy()
            if s.DO_NOT_CONTACT in names
            else False
        )
        dnc = listed | (logged[s.STATUS] == "do_not_contact").fillna(False).to_numpy(dtype=bool)
        closed = logged[s.STATUS].isin(CLOSED_STATUSES).fillna(False).to_numpy(dtype=bool)
        return out.assign(
            **{
                s.DO_NOT_CONTACT: dnc,
                # text labels are "str", as dormancy_bucket is (and as every engine gives them back)
                s.STATUS: pd.Series(found, index=out.index, dtype="str"),
                s.CONTACTABLE: ~(dnc | closed),
            }
        )
    joined = frame.drop(*[c for c in (s.STATUS, s.CONTACTABLE) if c in names]).join(
        fr.as_frame(from_pandas(table, engine=engine, spark=spark), "status").with_columns(
            nw.col(s.CLIENT_ID).cast(frame.collect_schema()[s.CLIENT_ID])
        ),
        on=s.CLIENT_ID,
        how="left",
    )
    listed = (
        nw.col(s.DO_NOT_CONTACT).fill_null(False).cast(nw.Boolean)
        if s.DO_NOT_CONTACT in names
        else nw.lit(False)
    )
    asked = (nw.col(s.STATUS) == "do_not_contact").fill_null(False)
    closed = nw.col(s.STATUS).is_in(CLOSED_STATUSES).fill_null(False)
    out = joined.with_columns((listed | asked).alias(s.DO_NOT_CONTACT)).with_columns(
        (~(nw.col(s.DO_NOT_CONTACT) | closed)).alias(s.CONTACTABLE)
    )
    return out.select(
        *[c for c in names if c not in (s.STATUS, s.CONTACTABLE)], s.STATUS, s.CONTACTABLE
    ).to_native()


def clients_at_contact(
    inputs: Inputs,
    events: pd.DataFrame,
    *,
    as_of: date,
    edges_months: Sequence[int],
    due_after_months: int = 6,
    measure_from: MeasureFrom = "latest",
) -> pd.DataFrame:
    """Each contacted client's dormancy bucket when its campaign began, and its account owner.

    A campaign begins on the date of its first contact in the log; the bucket
    is measured on the day before, from the activity before the campaign: the
    bucket the plan ranked the client in. (Measuring it on each client's own
    contact day would drift every client contacted late in a long campaign
    into an older bucket, and a renewal on the day of the call would make the
    client look active.)

    Returns
    -------
    pandas.DataFrame
        ``client_id``, ``account_owner``, ``dormancy_bucket``, ``bucket_order``
        and ``due`` (due for contact when the campaign began) for every client
        reached on or before `as_of`.

    Examples
    --------
    >>> from datetime import date
    >>> from reconnect_lib.load import Inputs, LoadReport
    >>> clients = pd.DataFrame({"client_id": pd.array(["a", "b"], dtype="string")})
    >>> tx = pd.DataFrame({"client_id": pd.array(["a", "b"], dtype="string"),
    ...     "date": pd.to_datetime(["2025-12-01", "2024-01-15"]), "amount": [100.0, 50.0]})
    >>> events = pd.DataFrame({"client_id": ["a", "b"], "campaign": ["w", "w"], "channel": ["phone"] * 2,
    ...     "date": pd.to_datetime(["2026-03-02", "2026-03-09"]), "kind": ["contacted", "renewed"]})
    >>> at = clients_at_contact(Inputs(clients, tx, None, LoadReport(())), events,
    ...                         as_of=date(2026, 6, 1), edges_months=[6, 12])
    >>> at
      client_id account_owner      dormancy_bucket  bucket_order    due
    0         a          <NA>  active (< 6 months)             0  False
    1         b          <NA>      1 year and more             2   True
    """
    first = _first_contacts(_current_events(events, fr.check_as_of(as_of)))
    first[s.CAMPAIGN] = first[s.CAMPAIGN].fillna("")
    clients = inputs.clients.assign(**{s.CLIENT_ID: inputs.clients[s.CLIENT_ID].astype("string")})
    parts = []
    for _, group in first.groupby(s.CAMPAIGN, sort=False):
        start = group[s.FIRST_CONTACT].min().date() - timedelta(days=1)
        chosen = clients[clients[s.CLIENT_ID].isin(set(group[s.CLIENT_ID]))]
        base = client_base(
            chosen, inputs.transactions, inputs.contacts, as_of=start, measure_from=measure_from
        )
        bucketed = dormancy_buckets(base, edges_months=edges_months, due_after_months=due_after_months)
        if s.ACCOUNT_OWNER not in bucketed.columns:  # a client list need not name owners
            bucketed = bucketed.assign(
                **{s.ACCOUNT_OWNER: pd.Series(pd.NA, index=bucketed.index, dtype="string")}
            )
        parts.append(bucketed[[s.CLIENT_ID, s.ACCOUNT_OWNER, s.DORMANCY_BUCKET, s.BUCKET_ORDER, s.DUE]])
    if not parts:
        return pd.DataFrame(
            {
                s.CLIENT_ID: pd.Series(dtype="string"),
                s.ACCOUNT_OWNER: pd.Series(dtype="string"),
                s.DORMANCY_BUCKET: pd.Series(dtype=object),
                s.BUCKET_ORDER: pd.Series(dtype="int64"),
                s.DUE: pd.Series(dtype="bool"),
            }
        )
    return pd.concat(parts, ignore_index=True)
