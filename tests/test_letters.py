"""Letters and e-mails that read as personal: greetings, wording, who signs, and the e-mail drafts.

The letter's words come from the client's own record: a business is greeted as
its people and a person by first name; the history sentence reads right for
one purchase or many; the client's account owner signs (the campaign's
``[sender] signer`` when there is none), with the firm's phone and e-mail.
"""

from __future__ import annotations

from datetime import date, timedelta

import hypothesis.strategies as st
import pandas as pd
from hypothesis import given

from reconnect_lib.dormancy import bucket_labels
from reconnect_lib.exports import (
    Sender,
    greeting,
    is_business_name,
    letter_fields,
    mail_merge,
    render_letters_html,
    worked_together,
)
from reconnect_lib.plan import contact_plan
from reconnect_lib.schema import (
    ACCOUNT_OWNER,
    ADDRESS_LINE1,
    BUCKET_ORDER,
    CLIENT_ID,
    CLIENT_SINCE,
    COMPANY,
    DORMANCY_BUCKET,
    DORMANT_SINCE,
    DUE,
    EMAIL,
    LAST_CONTACT,
    N_PURCHASES,
    NAME,
    PHONE,
    VALUE_SCORE,
)

AS_OF = date(2026, 11, 23)
WEEK = "2026-W48"
DAN = Sender(signer="Daniel Okoye", role="Director", phone="0191 498 0000", email="office@pike-okoye.example")


def base(rows: list[dict]) -> pd.DataFrame:
    """A scored base of due clients from a few fields each (the rest filled in)."""
    out = []
    for i, row in enumerate(rows, start=1):
        out.append(
            {
                CLIENT_ID: f"C{i:03d}",
                NAME: None,
                COMPANY: None,
                EMAIL: f"c{i}@example.com",
                PHONE: f"0113 496 {i:04d}",
                ADDRESS_LINE1: f"{i} High Street",
                ACCOUNT_OWNER: None,
                CLIENT_SINCE: pd.Timestamp("2016-05-01"),
                LAST_CONTACT: pd.Timestamp(AS_OF - timedelta(days=500)),
                DORMANT_SINCE: pd.Timestamp(AS_OF - timedelta(days=500)),
                N_PURCHASES: 3,
                DORMANCY_BUCKET: bucket_labels()[2],
                BUCKET_ORDER: 2,
                DUE: True,
                VALUE_SCORE: 100.0 - i,
                **row,
            }
        )
    frame = pd.DataFrame(out)
    frame[N_PURCHASES] = frame[N_PURCHASES].astype("Int64")
    return frame


def fields_by_id(plan, channel="letter", sender=DAN) -> dict[str, dict]:
    return {
        f["client_id"]: f
        for f in letter_fields(plan, WEEK, channel=channel, firm="Pike & Okoye", sender=sender)
    }


# --- greetings ------------------------------------------------------------------------------------


def test_a_business_is_greeted_as_its_people_and_a_person_by_first_name():
    plan = contact_plan(
        base(
            [
                {NAME: "Willow Tree Cafe"},  # a spreadsheet's one "Customer" column
                {NAME: "Parkside Dental Ltd"},
                {
                    NAME: "Greenway Builders",
                    COMPANY: "Greenway Builders",
                },  # Xero: the contact is the business
                {NAME: "Imran Pearson", COMPANY: "Pearson Florist"},
                {NAME: "Dr Lee"},
                {NAME: None, COMPANY: "Smith & Sons"},
            ]
        ),
        as_of=AS_OF,
        channels=["letter"],
    )
    merge = mail_merge(plan, WEEK, firm="Pike & Okoye").set_index("ClientID")
    assert merge["Salutation"].to_dict() == {
        "C001": "Dear friends at Willow Tree Cafe",
        "C002": "Dear friends at Parkside Dental Ltd",
        "C003": "Dear friends at Greenway Builders",
        "C004": "Dear Imran",
        "C005": "Dear Dr Lee",
        "C006": "Dear friends at Smith & Sons",
    }
    # a business's name is no person's: nothing to merge as a first or last name; it is the company
    assert merge.loc["C001", ["FirstName", "LastName", "Company"]].tolist() == ["", "", "Willow Tree Cafe"]
    assert merge.loc["C004", ["FirstName", "LastName", "Company"]].tolist() == [
        "Imran",
        "Pearson",
        "Pearson Florist",
    ]
    # the address names the business once
    letters = fields_by_id(plan)
    assert letters["C003"]["address_lines"][:2] == ["Greenway Builders", "3 High Street"]
    html = render_letters_html(plan, WEEK, firm="Pike & Okoye", sender=DAN)
    assert "Dear Willow," not in html
    assert "Dear Parkside," not in html


def test_a_titled_name_is_a_persons_whatever_its_words():
    assert not is_business_name("Mr Dental")
    assert not is_business_name("Dr. Ann Garage")
    assert greeting("Prof. Ann Marie Lee") == "Dear Ann"


@given(first=st.sampled_from(["Ann", "Imran", "Priya", "Tom"]), last=st.sampled_from(["Lee", "Shah", "Kaur"]))
def test_a_persons_greeting_is_their_first_name(first, last):
    assert greeting(f"{first} {last}") == f"Dear {first}"
    assert greeting(f"{first} {last}", f"{last} Ltd") == f"Dear {first}"


# --- wording for one purchase or many -----------------------------------------------------------


def test_the_history_reads_right_for_one_purchase_or_many():
    plan = contact_plan(
        base(
            [{NAME: "Ann Lee", N_PURCHASES: n} for n in (1, 2, 3, 12)]
            + [{NAME: "Tom Kaur", N_PURCHASES: None}]
        ),
        as_of=AS_OF,
        channels=["letter"],
    )
    html = render_letters_html(plan, WEEK, firm="Pike & Okoye")
    assert "You worked with us in 2016." in html
    assert "we have worked together twice in all." in html
    assert "we have worked together three times in all." in html
    assert "we have worked together 12 times in all." in html
    assert "You first worked with us in 2016. Clients like you" in html  # purchases unknown
    assert "times since" not in html
    assert " 1 times" not in html
    assert " 2 times" not in html
    assert worked_together("", 1) == ""


# --- who signs ------------------------------------------------------------------------------------


def test_the_account_owner_signs_else_the_campaigns_signer_with_role_and_the_firms_details():
    plan = contact_plan(
        base([{NAME: "Ann Lee", ACCOUNT_OWNER: "Graham Pike"}, {NAME: "Tom Kaur"}]),
        as_of=AS_OF,
        channels=["letter"],
    )
    letters = fields_by_id(plan)
    assert (letters["C001"]["sender"], letters["C001"]["sender_role"]) == ("Graham Pike", "")
    assert (letters["C002"]["sender"], letters["C002"]["sender_role"]) == ("Daniel Okoye", "Director")
    html = render_letters_html(plan, WEEK, firm="Pike & Okoye", sender=DAN)
    assert "Graham Pike<br>Pike &amp; Okoye<br>0191 498 0000<br>office@pike-okoye.example" in html
    assert "Daniel Okoye<br>Director<br>Pike &amp; Okoye<br>0191 498 0000" in html
    # no campaign name in place of a person: "Consulting Firm" is not who speaks in the first person
    merge = mail_merge(plan, WEEK, firm="Pike & Okoye", sender=DAN).set_index("ClientID")
    assert merge.loc["C002", ["Sender", "SenderRole", "FirmPhone", "FirmEmail"]].tolist() == [
        "Daniel Okoye",
        "Director",
        "0191 498 0000",
        "office@pike-okoye.example",
    ]


def test_sender_text_is_the_signer():
    assert Sender.of("Dan") == Sender(signer="Dan")
    assert Sender.of(DAN) is DAN
