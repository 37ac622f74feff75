"""The outcome log folded into each client's history (reconnect_lib.history)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconnect_lib import schema as s
from reconnect_lib.history import clients_at_contact, with_outcome_log, with_status
from reconnect_lib.load import Inputs, LoadReport

AS_OF = date(2026, 6, 1)


def _inputs(transactions: pd.DataFrame | None = None, contacts: pd.DataFrame | None = None) -> Inputs:
    clients = pd.DataFrame({s.CLIENT_ID: pd.array(["a", "b", "c"], dtype="string")})
    return Inputs(clients, transactions, contacts, LoadReport(()))


def _events(rows: list[tuple[str, str, str, str, float | None]]) -> pd.DataFrame:
    client, day, kind, channel, amount = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            s.CLIENT_ID: list(client),
            s.DATE: pd.to_datetime(list(day)),
            s.KIND: list(kind),
            s.CHANNEL: list(channel),
            s.AMOUNT: pd.array(list(amount), dtype="Float64"),
            s.CAMPAIGN: "w",
        }
    )


def test_contacts_and_renewals_join_the_history_and_the_input_is_not_changed():
    tx = pd.DataFrame(
        {
            s.CLIENT_ID: pd.array(["a"], dtype="string"),
            s.DATE: pd.to_datetime(["2026-03-02"]),
            s.AMOUNT: [120.5],
            s.INVOICE_ID: ["INV-1"],
        }
    )
    contacts = pd.DataFrame(
        {
            s.CLIENT_ID: pd.array(["b"], dtype="string"),
            s.DATE: pd.to_datetime(["2026-03-03"]),
            s.CHANNEL: "phone",
        }
    )
    inputs = _inputs(tx, contacts)
    before = (tx.copy(), contacts.copy())
    events = _events(
        [
            ("a", "2026-03-02", "renewed", "phone", 120.5),  # already in the export: not again
            ("b", "2026-03-03", "contacted", "phone", None),  # already a contact that day
            ("b", "2026-03-09", "renewed", "email", 80.0),  # a purchase the export lacks
            ("c", "2026-03-10", "no_answer", "phone", None),  # an attempt, not a contact
            ("c", "2026-03-11", "renewed", "phone", None),  # no amount: a contact, not a purchase
            ("c", "2026-07-01", "contacted", "phone", None),  # after as_of
        ]
    )
    out = with_outcome_log(inputs, events, as_of=AS_OF)
    pd.testing.assert_frame_equal(tx, before[0])
    pd.testing.assert_frame_equal(contacts, before[1])
    assert out.transactions[[s.CLIENT_ID, s.AMOUNT]].to_numpy().tolist() == [["a", 120.5], ["b", 80.0]]
    assert out.transactions[s.INVOICE_ID].tolist()[0] == "INV-1"
    assert pd.isna(out.transactions[s.INVOICE_ID].tolist()[1])
    assert out.transactions.dtypes.to_dict() == tx.dtypes.to_dict()
    got = sorted(zip(out.contacts[s.CLIENT_ID], out.contacts[s.DATE].dt.date.astype(str), strict=True))
    assert got == [("a", "2026-03-02"), ("b", "2026-03-03"), ("b", "2026-03-09"), ("c", "2026-03-11")]


def test_a_campaign_without_histories_gets_them_from_the_log():
    out = with_outcome_log(_inputs(), _events([("a", "2026-03-02", "renewed", "phone", 99.0)]), as_of=AS_OF)
    assert out.transactions[s.AMOUNT].tolist() == [99.0]
    assert out.contacts[s.CLIENT_ID].tolist() == ["a"]


def test_no_log_leaves_the_inputs_as_they_are():
    inputs = _inputs()
    assert with_outcome_log(inputs, None, as_of=AS_OF) is inputs


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 8, 1)).map(str),
            st.sampled_from(s.EVENT_KINDS),
            st.sampled_from(["phone", "email", "letter"]),
            st.one_of(st.none(), st.floats(min_value=0.01, max_value=1e6)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_the_log_adds_at_most_one_contact_a_day_and_one_purchase_per_renewal(rows):
    events = _events(rows)
    out = with_outcome_log(_inputs(), events, as_of=AS_OF)
    current = events[events[s.DATE] <= pd.Timestamp(AS_OF)]
    reached = current[current[s.KIND].isin(s.CONTACT_KINDS)]
    assert len(out.contacts) == len(reached.drop_duplicates([s.CLIENT_ID, s.DATE]))
    renewals = current[(current[s.KIND] == "renewed") & current[s.AMOUNT].notna()]
    assert len(out.transactions) == len(renewals)
    assert (out.contacts[s.DATE] <= pd.Timestamp(AS_OF)).all()


def test_status_decides_who_may_be_contacted():
    scored = pd.DataFrame(
        {
            s.CLIENT_ID: pd.array(["a", "b", "c", "d"], dtype="string"),
            s.DO_NOT_CONTACT: [False, False, True, False],
        }
    )
    status = pd.DataFrame({s.CLIENT_ID: ["a", "b", "d"], s.STATUS: ["lost", "do_not_contact", "won_back"]})
    before = scored.copy()
    out = with_status(scored, status)
    pd.testing.assert_frame_equal(scored, before)
    assert out[s.CONTACTABLE].tolist() == [False, False, False, True]
    assert out[s.DO_NOT_CONTACT].tolist() == [False, True, True, False]
    assert out[s.STATUS].tolist()[:2] == ["lost", "do_not_contact"]
    assert pd.isna(out[s.STATUS].iloc[2])
    # without a log everyone not flagged on the list may be contacted
    assert with_status(scored, None)[s.CONTACTABLE].tolist() == [True, True, False, True]


@pytest.mark.parametrize("owner", [True, False])
def test_clients_at_contact_with_or_without_account_owners(owner):
    clients = pd.DataFrame({s.CLIENT_ID: pd.array(["a", "b"], dtype="string")})
    if owner:
        clients[s.ACCOUNT_OWNER] = pd.array(["Ann", "Bo"], dtype="string")
    tx = pd.DataFrame(
        {
            s.CLIENT_ID: pd.array(["a", "b"], dtype="string"),
            s.DATE: pd.to_datetime(["2025-12-01", "2024-01-15"]),
            s.AMOUNT: [100.0, 50.0],
        }
    )
    events = _events(
        [("a", "2026-03-02", "contacted", "phone", None), ("b", "2026-03-09", "renewed", "phone", 9.0)]
    )
    at = clients_at_contact(
        Inputs(clients, tx, None, LoadReport(())), events, as_of=AS_OF, edges_months=[6, 12]
    )
    assert at[s.DUE].tolist() == [False, True]
    assert at[s.ACCOUNT_OWNER].tolist() == (["Ann", "Bo"] if owner else [pd.NA, pd.NA])
