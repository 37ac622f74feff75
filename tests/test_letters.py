"""Letters and e-mails that read as personal: greetings, wording, who signs, and the e-mail drafts.

The letter's words come from the client's own record: a business is greeted as
its people and a person by first name; the history sentence reads right for
one purchase or many; the client's account owner signs (the campaign's
``[sender] signer`` when there is none), with the firm's phone and e-mail.
The week's e-mails are also written as drafts a mail client opens (one .eml
per client, plain text and HTML), every client value escaped in the HTML part.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from email import message_from_bytes, policy
from html.parser import HTMLParser

import hypothesis.strategies as st
import pandas as pd
import pytest
from browser_support import chromium_browser, hostile
from hypothesis import given

from reconnect_lib.config import load_config
from reconnect_lib.dormancy import bucket_labels
from reconnect_lib.exports import (
    PLAN_MANIFEST,
    Sender,
    call_sheet,
    email_drafts,
    greeting,
    is_business_name,
    letter_fields,
    mail_merge,
    render_letters_html,
    worked_together,
    write_week,
    writer_of,
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
    # the call sheet's talking point too
    points = call_sheet(plan, "2026-W49").set_index("ClientID")["TalkingPoints"]
    assert "Worked with us once, in 2016: ask how that went" in points["C001"]
    assert "Worked with us twice, first in 2016" in points["C002"]
    assert "Worked with us 12 times, first in 2016" in points["C004"]


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


# --- e-mail drafts --------------------------------------------------------------------------------


def _email_plan(rows: list[dict]):
    return contact_plan(base(rows), as_of=AS_OF, channels=["email"], capacity={"email": 50, "phone": 20})


def _parts(data: bytes):
    message = message_from_bytes(data, policy=policy.default)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # lines end CRLF on the wire
    return message, text, message.get_body(("html",)).get_content()


def test_each_email_is_a_draft_with_text_and_html_the_six_parts_subject_from_and_to(tmp_path):
    plan = _email_plan([{NAME: "Ann Lee", ACCOUNT_OWNER: "Graham Pike"}, {NAME: "Willow Tree Cafe"}])
    paths = write_week(plan, WEEK, tmp_path / "plan", firm="Pike & Okoye", sender=DAN)
    drafts = sorted(paths["email_drafts"].iterdir())
    assert [p.name for p in drafts] == ["001-C001.eml", "002-C002.eml"]
    # beside the e-mail merge, and listed in the folder's manifest like every file the plan writes
    assert paths["email_drafts"].parent == paths["email_merge"].parent
    listed = json.loads((tmp_path / "plan" / PLAN_MANIFEST).read_text(encoding="utf-8"))["files"]
    assert {"emails/001-C001.eml", "emails/002-C002.eml", "email_merge.csv"} <= set(listed)
    message, text, html = _parts(drafts[0].read_bytes())
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "Ann, it has been too long"
    assert message["To"] == "Ann Lee <c1@example.com>"
    assert message["From"] == "Graham Pike <office@pike-okoye.example>"
    assert message["X-Unsent"] == "1"
    assert text.startswith("Dear Ann,\n\n")
    for part in (
        "I am sorry for that silence",  # 1. apology
        "A lot has changed at Pike & Okoye",  # 2. what has changed
        "From now on you will hear from us",  # 3. how things will be different
        "Clients like you are the reason",  # 4. why the client matters
        "Would you reply and tell me how we did",  # 5. a request for support
        "I will call you on",  # 6. a closing that commits to an action
    ):
        assert part in text, part
        assert part.replace("&", "&amp;") in html, part
    assert len(text.split()) < 200  # e-mail length
    second, text, _ = _parts(drafts[1].read_bytes())
    assert second["Subject"] == "It has been too long: a note from Pike & Okoye"
    assert second["From"] == "Daniel Okoye <office@pike-okoye.example>"
    assert text.startswith("Dear friends at Willow Tree Cafe,")
    assert "Director" in text
    # a rerun gives the same bytes (no random boundary, no clock)
    before = {p.name: p.read_bytes() for p in drafts}
    write_week(plan, WEEK, tmp_path / "plan", firm="Pike & Okoye", sender=DAN)
    assert {p.name: p.read_bytes() for p in sorted(paths["email_drafts"].iterdir())} == before


def test_a_week_without_emails_writes_no_drafts(tmp_path):
    plan = contact_plan(base([{NAME: "Ann Lee"}]), as_of=AS_OF, channels=["letter"])
    paths = write_week(plan, WEEK, tmp_path / "plan")
    assert "email_drafts" not in paths
    assert not (tmp_path / "plan" / "emails").exists()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data):
        self.text.append(data)


def test_a_hostile_name_is_text_in_the_draft_and_cannot_add_a_header():
    name = hostile("name")
    plan = _email_plan(
        [
            {NAME: name, COMPANY: hostile("company"), ACCOUNT_OWNER: hostile("owner")},
            {NAME: "Eve\r\nBcc: all@example.com", EMAIL: "eve@example.com\r\nBcc: x@example.com"},
        ]
    )
    drafts = email_drafts(plan, WEEK, firm="<b>Pike</b> & Okoye", sender=DAN)
    _, text, html = _parts(drafts["001-C001.eml"])
    page = _Tags()
    page.feed(html)
    assert set(page.tags) <= {"html", "head", "meta", "title", "body", "p", "br"}
    assert not [a for a in page.attrs if a.lower().startswith("on")]
    shown = "".join(page.text)
    for field in ("name", "owner"):
        assert hostile(field) in shown, field
    assert "<b>Pike</b> & Okoye" in shown
    assert hostile("owner") in text
    # a line break in a name or an address never starts another header
    second = message_from_bytes(drafts["002-C002.eml"], policy=policy.default)
    assert second["Bcc"] is None
    assert second["To"] is None  # not an address: left out of To (the e-mail merge has it as typed)
    assert "Bcc" not in str(second["Subject"])


# --- in a real browser ----------------------------------------------------------------------------

# Every attribute that would run script: an event handler, or a javascript: URL where a URL is followed.
_LIVE = """
() => Array.from(document.querySelectorAll('*')).flatMap(el => Array.from(el.attributes)
    .filter(a => /^on/i.test(a.name) || (/^(href|src|action|formaction|srcdoc)$/i.test(a.name)
                                         && /javascript:/i.test(a.value.replace(/\\s/g, ''))))
    .map(a => `${el.tagName} ${a.name}=${a.value}`))
"""


@pytest.mark.slow
def test_a_draft_and_a_letter_show_hostile_text_as_text_in_the_browser(tmp_path):
    rows = [{NAME: hostile("name"), COMPANY: hostile("company"), ACCOUNT_OWNER: hostile("owner")}]
    letters = contact_plan(base(rows), as_of=AS_OF, channels=["letter"])
    letter_page = tmp_path / "letters.html"
    letter_page.write_text(
        render_letters_html(letters, WEEK, firm=hostile("firm"), sender=DAN), encoding="utf-8"
    )
    (draft,) = email_drafts(_email_plan(rows), WEEK, firm=hostile("firm"), sender=DAN).values()
    draft_page = tmp_path / "draft.html"
    draft_page.write_text(_parts(draft)[2], encoding="utf-8")

    with chromium_browser() as browser:
        for page_file in (letter_page, draft_page):
            context = browser.new_context(offline=True)
            page = context.new_page()
            dialogs: list[str] = []
            errors: list[str] = []
            page.on("dialog", lambda dialog, seen=dialogs: (seen.append(dialog.message), dialog.dismiss()))
            page.on("pageerror", lambda err, seen=errors: seen.append(str(err)))
            page.goto(page_file.as_uri(), wait_until="load")
            text = page.evaluate("() => document.body.innerText")
            live = page.evaluate(_LIVE)
            images = page.evaluate("() => document.images.length")
            links = page.evaluate("() => document.links.length")
            context.close()
            assert dialogs == [], page_file.name
            assert errors == [], page_file.name
            assert live == [], page_file.name
            assert (images, links) == (0, 0), page_file.name
            for field in ("name", "owner", "firm"):
                assert hostile(field) in text, (page_file.name, field)


def test_drafts_parse_for_any_text_in_a_name(tmp_path):
    # Names from any export: accents, right-to-left text, emoji, quotes and commas all make a valid draft.
    names = ["Zoë O'Brien", "محمد علي", "Ann, Lee", 'Ann "Nan" Lee', "🙂 Ann", "Ann\u202eLee"]
    plan = _email_plan([{NAME: n, EMAIL: f"x{i}@example.com"} for i, n in enumerate(names)])
    drafts = email_drafts(
        plan, WEEK, firm="Pike & Okoye", sender=Sender("Jürgen", email="office@büro.example")
    )
    assert len(drafts) == len(names)
    for data in drafts.values():
        message, text, _ = _parts(data)
        assert message["To"].addresses[0].addr_spec.endswith("@example.com")
        assert message["From"].addresses[0].addr_spec == "office@xn--bro-hoa.example"
        assert text.lstrip("\u2068").startswith("Dear ")  # a right-to-left override is fenced in


def test_campaign_toml_sender_reaches_the_letters(tmp_path):
    toml = tmp_path / "campaign.toml"
    toml.write_text(
        '[campaign]\nname = "consulting-firm"\n[data]\nclients = "c.csv"\n'
        '[sender]\nfirm = "Pike & Okoye"\nsigner = "Daniel Okoye"\nrole = "Director"\n'
        'phone = "0191 498 0000"\nemail = "office@pike-okoye.example"\n',
        encoding="utf-8",
    )
    config = load_config(toml)
    firm, sender = writer_of(config)
    assert (firm, sender) == (
        "Pike & Okoye",
        Sender("Daniel Okoye", "Director", "0191 498 0000", "office@pike-okoye.example"),
    )
    plan = contact_plan(base([{NAME: "Tom Kaur"}]), as_of=AS_OF, channels=["letter"])
    html = render_letters_html(plan, WEEK, firm=firm, sender=sender)
    assert "Daniel Okoye<br>Director<br>Pike &amp; Okoye<br>0191 498 0000" in html
    assert "Consulting Firm" not in html
    # without [sender], the firm is named from the campaign, and the command line's names win
    bare = config.model_copy(update={"sender": type(config.sender)()})
    assert writer_of(bare) == ("Consulting Firm", Sender())
    assert writer_of(config, firm="A & B", signer="Graham Pike") == (
        "A & B",
        Sender("Graham Pike", "", "0191 498 0000", "office@pike-okoye.example"),
    )


def test_sender_text_is_the_signer():
    assert Sender.of("Dan") == Sender(signer="Dan")
    assert Sender.of(DAN) is DAN
