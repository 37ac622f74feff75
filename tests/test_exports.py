"""Tests for reconnect_lib.exports: call sheet, mail merge, letters, and safety against hostile fields."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import docx
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import reconnect_lib.exports as exports_module
from reconnect_lib.dormancy import bucket_labels
from reconnect_lib.errors import ConfigError
from reconnect_lib.exports import (
    CALL_SHEET_COLUMNS,
    DEFAULT_LETTER_TEMPLATE,
    FORMULA_PREFIXES,
    MAIL_MERGE_FIELDS,
    call_sheet,
    isolate_bidi,
    mail_merge,
    neutralise,
    neutralise_frame,
    render_call_sheet_html,
    render_letters_html,
    split_name,
    to_csv_text,
    write_letters_docx,
    write_week,
)
from reconnect_lib.files import WriteError
from reconnect_lib.plan import ContactPlan, contact_plan
from reconnect_lib.schema import (
    ACCOUNT_OWNER,
    ADDRESS_LINE1,
    ADDRESS_LINE2,
    BUCKET_ORDER,
    CITY,
    CLIENT_ID,
    CLIENT_SINCE,
    COMPANY,
    COUNTRY,
    DAYS_DORMANT,
    DO_NOT_CONTACT,
    DORMANCY_BUCKET,
    DORMANT_SINCE,
    DUE,
    EMAIL,
    EXPECTED_VALUE,
    LAST_CONTACT,
    LAST_LOGGED_CONTACT,
    LAST_PURCHASE,
    N_PURCHASES,
    NAME,
    NOTE,
    OPEN_PROBLEM,
    PHONE,
    POSTCODE,
    REGION,
    RFM_SEGMENT,
    STATUS,
    TOTAL_REVENUE,
    VALUE_AT_STAKE,
    VALUE_SCORE,
    WON_BACK_FLAG,
)

ROOT = Path(__file__).parents[1]
AS_OF = date(2026, 11, 23)
WEEK1, WEEK2 = "2026-W48", "2026-W49"
LABELS = bucket_labels()
HOSTILE_NAME = '=HYPERLINK("http://x","y")'
SCRIPT = "<script>alert(1)</script>"


def client(i: int, **fields) -> dict:
    days = 400 + 10 * i
    row = {
        CLIENT_ID: f"C{i:03d}",
        NAME: f"Ann Lee{i}",
        COMPANY: f"Lee {i} Ltd",
        EMAIL: f"ann{i}@example.com",
        PHONE: f"0113 496 {i:04d}",
        ADDRESS_LINE1: f"{i} High Street",
        ADDRESS_LINE2: None,
        CITY: "Leeds",
        REGION: "West Yorkshire",
        POSTCODE: "LS1 1AA",
        COUNTRY: "United Kingdom",
        ACCOUNT_OWNER: "Daniel Okoye",
        CLIENT_SINCE: pd.Timestamp("2018-03-01"),
        LAST_CONTACT: pd.Timestamp(AS_OF - timedelta(days=days)),
        LAST_PURCHASE: pd.Timestamp(AS_OF - timedelta(days=days + 30)),
        DORMANT_SINCE: pd.Timestamp(AS_OF - timedelta(days=days)),
        N_PURCHASES: 4,
        TOTAL_REVENUE: 12_000.0 + i,
        DAYS_DORMANT: days,
        DORMANCY_BUCKET: LABELS[2],
        BUCKET_ORDER: 2,
        DUE: True,
        DO_NOT_CONTACT: False,
        RFM_SEGMENT: "At Risk",
        VALUE_AT_STAKE: 3_000.0 - i,
        EXPECTED_VALUE: 1_000.0 - i,
        VALUE_SCORE: 1_000.0 - i,
    }
    row.update(fields)
    return row


def scored(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in (N_PURCHASES, DAYS_DORMANT):
        frame[column] = frame[column].astype("Int64")
    return frame


def status_of(rows: list[dict]) -> pd.DataFrame:
    defaults = {STATUS: "problem_open", LAST_LOGGED_CONTACT: pd.NaT, WON_BACK_FLAG: False}
    defaults |= {OPEN_PROBLEM: False, DO_NOT_CONTACT: False}
    frame = pd.DataFrame([{**defaults, **r} for r in rows])
    frame[LAST_LOGGED_CONTACT] = pd.to_datetime(frame[LAST_LOGGED_CONTACT])
    return frame


@pytest.fixture
def plan() -> ContactPlan:
    rows = [client(i) for i in range(1, 7)]
    rows[0].update({NAME: HOSTILE_NAME, COMPANY: SCRIPT, ADDRESS_LINE1: "@SUM(A1:A9)", CITY: "+44 Leeds"})
    rows[1].update({NAME: None, COMPANY: "-Dash & Co", POSTCODE: "\tLS2", EMAIL: "\r=cmd|' /C calc'!A0"})
    rows[2].update({NAME: "Dr. Priya Shah"})
    rows[3].update({NAME: None, COMPANY: None})
    rows[4].update({NAME: "\t@x"})
    status = status_of(
        [
            {CLIENT_ID: "C003", OPEN_PROBLEM: True, NOTE: "Invoice 1042 was wrong <b>twice</b>"},
            {CLIENT_ID: "C004", STATUS: "replied", NOTE: "=1+1"},
        ]
    )
    return contact_plan(
        scored(rows), as_of=AS_OF, status=status, capacity={"letter": 4, "phone": 10}, gift=True
    )


# --- neutralising formulas --------------------------------------------------------------


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_every_formula_prefix_is_neutralised(prefix):
    assert neutralise(prefix + "1+1") == "'" + prefix + "1+1"


def test_neutralise_leaves_safe_text_and_numbers_alone():
    assert neutralise("Ann Lee") == "Ann Lee"
    assert neutralise("a=b") == "a=b"
    assert neutralise(-3.5) == -3.5
    assert neutralise(None) is None
    frame = pd.DataFrame(
        {"n": [-1, 2], "x": [-1.5, None], "t": ["=a", None], "d": pd.to_datetime(["2026-01-01"] * 2)}
    )
    out = neutralise_frame(frame)
    assert out["n"].tolist() == [-1, 2]
    assert out["x"].dtype == "float64"
    assert out["t"].tolist()[0] == "'=a"
    assert pd.isna(out["t"].tolist()[1])
    assert to_csv_text(frame).splitlines() == ["n,x,t,d", "-1,-1.5,'=a,2026-01-01", "2,,,2026-01-01"]
    pd.testing.assert_frame_equal(frame, pd.DataFrame(frame))  # input untouched


def _cells(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_hostile_fields_are_safe_in_every_csv_and_escaped_in_html(plan, tmp_path):
    paths = write_week(plan, WEEK1, tmp_path / "w48", firm="Pike & Okoye")
    write_week(plan, WEEK2, tmp_path / "w49", firm="Pike & Okoye")
    seen = set()
    for folder in ("w48", "w49"):
        for path in (tmp_path / folder).glob("*.csv"):
            header, *rows = _cells(path)
            for row in rows:
                for column, cell in zip(header, row, strict=True):
                    seen.add(cell)
                    assert not cell.startswith(FORMULA_PREFIXES), (path.name, column, cell)
    assert "'" + HOSTILE_NAME in seen
    assert "'@SUM(A1:A9)" in seen
    assert "'-Dash & Co" in seen
    assert "'\t@x" in seen  # plan.csv keeps the name as it came
    assert "'=cmd|' /C calc'!A0" in seen  # the call sheet's e-mail, stripped of its carriage return
    merge = _cells(paths["mail_merge"])
    assert merge[0] == [*MAIL_MERGE_FIELDS, "TotalRevenue"]
    for name in ("letters_html", "call_sheet_html"):
        text = paths[name].read_text(encoding="utf-8")
        assert "<script>" not in text
        assert "<b>twice" not in text
    letters = paths["letters_html"].read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in letters
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in letters
    calls = (tmp_path / "w49" / "call_sheet.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in calls
    assert "Invoice 1042 was wrong &lt;b&gt;twice&lt;/b&gt;" in calls
    # the .docx holds the name as plain text
    first = docx.Document(str(sorted(paths["letters_docx"].glob("*.docx"))[0]))
    text = "\n".join(p.text for p in first.paragraphs)
    assert HOSTILE_NAME in text
    assert SCRIPT in text


# --- mail merge and letters --------------------------------------------------------------


def test_mail_merge_has_the_fields_a_word_processor_expects(plan):
    merge = mail_merge(plan, WEEK1, firm="Pike & Okoye", sender="Dan")
    assert list(merge.columns) == [*MAIL_MERGE_FIELDS, "TotalRevenue"]
    assert len(merge) == 4
    row = merge.set_index("ClientID").loc["C003"]
    assert (row["Title"], row["FirstName"], row["LastName"], row["Salutation"]) == (
        "Dr",
        "Priya",
        "Shah",
        "Dear Priya",
    )
    assert merge.set_index("ClientID").loc["C002", "Salutation"] == "Dear friends at -Dash & Co"
    assert merge.set_index("ClientID").loc["C004", "Salutation"] == "Dear friend"
    assert row["LetterDate"] == "25 November 2026"
    assert row["FollowUpDate"] == "Wednesday 2 December"
    assert row["Promise"] == (
        "I will call you on Wednesday 2 December to hear how you are and what you need, "
        "and a small token of thanks is on its way to you."
    )
    assert row["YearsAsClient"] == 8
    assert row["ClientSince"] == "2018"
    assert row["MonthsSilent"] == 14  # 432 days from the last contact to the letter
    assert row["SilentFor"] == "more than a year"
    # the client's account owner signs, not the campaign's signer
    assert (row["FollowUpCall"], row["Gift"], row["Firm"], row["Sender"]) == (
        "Yes",
        "Yes",
        "Pike & Okoye",
        "Daniel Okoye",
    )
    assert str(merge["MonthsSilent"].dtype) == "Int64"


def test_split_name():
    assert split_name("Mrs Jane Anne Doe") == ("Mrs", "Jane", "Doe")
    assert split_name("Dr") == ("", "Dr", "")
    assert split_name("  ") == ("", "", "")


def test_letters_follow_the_six_parts_one_printable_page_each(plan):
    html = render_letters_html(plan, WEEK1, firm="Pike & Okoye", sender="Daniel Okoye")
    assert html.count('<section class="letter"') == 4
    assert "size: A4" in html
    assert "break-after: page" in html
    for part in (
        "I owe you an apology",  # 1. apology for the silence
        "A good deal has changed",  # 2. what has changed
        "From now on",  # 3. how things will be different
        "Clients like you are the",  # 4. why the client matters
        "Would you tell me how we did",  # 5. a request for support
        "I will call you on",  # 6. a closing that commits to an action
    ):
        assert html.count(part) == 4, part
    assert "Dear Priya," in html
    assert "Pike &amp; Okoye" in html
    assert "http" not in html.replace("http://x", "")  # no external resources


def test_a_week_without_letters_still_renders(plan):
    html = render_letters_html(plan, "2027-W10")
    assert "No letters are planned for 2027-W10" in html
    assert mail_merge(plan, "2027-W10").empty
    assert list(call_sheet(plan, "2027-W10").columns) == list(CALL_SHEET_COLUMNS)


def test_a_consultants_template_is_used_and_escaped(plan, tmp_path):
    mine = tmp_path / "my letter.txt"
    mine.write_text("<p>Hello {{ full_name }} from {{ firm }}: {{ promise }}</p>\n", encoding="utf-8")
    html = render_letters_html(plan, WEEK1, template=mine, firm="A&B")
    assert "Hello =HYPERLINK(&#34;http://x&#34;,&#34;y&#34;) from A&amp;B" in html
    files = write_letters_docx(plan, WEEK1, tmp_path / "docx", template=mine, firm="A&B")
    assert (
        docx.Document(str(files[0]))
        .paragraphs[0]
        .text.startswith(f"Hello {HOSTILE_NAME} from A&B: I will call")
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ shoe_size }}", "unknown field"),
        ("{% if %}", "template error on line 1"),
    ],
)
def test_a_broken_template_is_a_config_error(plan, tmp_path, text, message):
    mine = tmp_path / "letter.html.j2"
    mine.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        render_letters_html(plan, WEEK1, template=mine)
    assert str(mine.name) in str(err.value)


def test_a_missing_template_says_where_the_default_is(plan, tmp_path):
    with pytest.raises(ConfigError, match="letter template not found") as err:
        render_letters_html(plan, WEEK1, template=tmp_path / "nope.j2")
    assert str(DEFAULT_LETTER_TEMPLATE) in str(err.value)


def test_docx_letters_are_editable_a4_paragraphs(plan, tmp_path):
    files = write_letters_docx(plan, WEEK1, tmp_path, firm="Pike & Okoye", sender="Dan")
    assert [f.name for f in files] == ["001-C001.docx", "002-C002.docx", "003-C003.docx", "004-C004.docx"]
    document = docx.Document(str(files[2]))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Pike & Okoye"
    assert texts[1].split("\n")[:3] == ["Dr. Priya Shah", "Lee 3 Ltd", "3 High Street"]
    assert texts[3] == "Dear Priya,"
    assert document.paragraphs[0].alignment is not None  # right-aligned firm name
    # the account owner signs, the campaign's signer (and role) only when a client has no owner
    assert texts[-1] == "Daniel Okoye\nPike & Okoye"
    assert document.core_properties.author == "Daniel Okoye"
    again = write_letters_docx(plan, WEEK1, tmp_path / "again", firm="Pike & Okoye", sender="Dan")
    assert [f.read_bytes() for f in files] == [f.read_bytes() for f in again]


# --- call sheet --------------------------------------------------------------------------


def test_call_sheet_lists_the_follow_ups_with_their_promise_and_talking_points(plan):
    sheet = call_sheet(plan, WEEK2)
    assert list(sheet.columns) == list(CALL_SHEET_COLUMNS)
    assert len(sheet) == 4  # the follow-ups of week 1's four letters
    first = sheet.iloc[0]
    assert first["Action"] == "Follow-up call"
    assert first["Day"] == "2026-11-30"
    assert first["FollowingUp"] == "Our letter of 23 November 2026 promised this call and a small gift"
    assert first["WhatTheyBought"] == "4 purchases, 12,001 in total, last September 2025"
    assert first["Bucket"] == LABELS[2]
    row = sheet.set_index("ClientID").loc["C003"]
    assert row["OpenProblem"] == "Yes"
    assert row["TalkingPoints"].startswith("Open problem: Invoice 1042 was wrong <b>twice</b>; Silent for")
    assert "Segment: At Risk" in row["TalkingPoints"]
    assert sheet.set_index("ClientID").loc["C004", "TalkingPoints"].startswith("Note: =1+1")
    assert sheet["Outcome"].eq("").all()
    assert sheet["ValueAtStake"].dtype == "float64"


def test_the_call_sheet_has_a_line_to_record_a_referral_escaped_like_the_rest(plan):
    # The letter asks for introductions; the call sheet had nowhere to write one down.
    sheet = call_sheet(plan, WEEK2)
    assert list(sheet.columns[-2:]) == ["Outcome", "IntroducedSomeone"]
    assert sheet["IntroducedSomeone"].eq("").all()
    quoted = '"><script>alert(1)</script>'
    named = contact_plan(
        scored([client(1, **{NAME: quoted}), client(2)]),
        as_of=AS_OF,
        capacity={"letter": 0, "email": 0, "phone": 5},
    )
    html = render_call_sheet_html(named, WEEK1, firm="X")
    assert "<th>Introduced someone?<br><small>name / phone</small></th>" in html
    rows = re.findall(r"<tr>\n(.*?)</tr>", html, flags=re.DOTALL)
    assert len(rows) == 2  # one line per call, the last cell of each row
    assert all(row.endswith('<td class="outcome"></td>\n<td class="referral"></td>\n') for row in rows)
    assert "<strong>&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</strong>" in html
    assert "<script>" not in html
    assert "Record it as a referral of the client who introduced them" in html


def test_first_calls_on_a_phone_campaign(tmp_path):
    plan = contact_plan(
        scored([client(i) for i in range(1, 4)]), as_of=AS_OF, capacity={"letter": 0, "email": 0, "phone": 5}
    )
    sheet = call_sheet(plan, WEEK1)
    assert sheet["Action"].eq("Call").all()
    assert sheet["FollowingUp"].eq("First contact: no letter before this call").all()
    html = render_call_sheet_html(plan, WEEK1, firm="X")
    assert html.count("<tr>") == 4  # header and three calls


def test_email_campaign_writes_an_email_merge(tmp_path):
    plan = contact_plan(
        scored([client(i) for i in range(1, 4)]), as_of=AS_OF, capacity={"letter": 0, "email": 5, "phone": 0}
    )
    paths = write_week(plan, WEEK1, tmp_path / "out")
    assert "email_merge" in paths
    assert len(_cells(paths["email_merge"])) == 4
    assert len(_cells(paths["mail_merge"])) == 1


# --- the week's folder -------------------------------------------------------------------


def test_write_week_writes_every_file_and_a_rerun_gives_identical_bytes(plan, tmp_path):
    out = tmp_path / "reports" / "firm" / WEEK1 / "plan"
    paths = write_week(plan, WEEK1, out, firm="Pike & Okoye")
    assert set(paths) == {
        "plan",
        "excluded",
        "holdout",
        "call_sheet",
        "call_sheet_html",
        "mail_merge",
        "letters_html",
        "letters_docx",
    }
    assert all(p.exists() and p.parent == out for p in paths.values())

    def snapshot() -> dict[str, bytes]:
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    before = snapshot()
    (out / "notes.txt").write_text("the consultant's own notes", encoding="utf-8")
    write_week(plan, WEEK1, out, firm="Pike & Okoye")
    # same bytes; a file the plan did not write is left alone
    assert snapshot() == {**before, "notes.txt": b"the consultant's own notes"}
    assert [p.name for p in out.parent.iterdir()] == ["plan"]  # no temporary folders left
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        ".reconnect-plan.json",
        ".reconnect-plan.lock",
    ]
    plan_csv = pd.read_csv(paths["plan"], encoding="utf-8-sig")
    assert len(plan_csv) == len(plan.actions)
    assert paths["plan"].read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_failed_write_leaves_the_last_good_week_in_place(plan, tmp_path):
    out = tmp_path / "plan"
    write_week(plan, WEEK1, out)
    before = (out / "mail_merge.csv").read_bytes()
    bad = tmp_path / "bad.j2"
    bad.write_text("{{ nope }}", encoding="utf-8")
    with pytest.raises(ConfigError):
        write_week(plan, WEEK1, out, template=bad)
    assert (out / "mail_merge.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.j2", "plan"]


def test_write_week_refuses_a_folder_of_someone_elses_files_and_changes_nothing(plan, tmp_path):
    campaign = tmp_path / "campaign"
    campaign.mkdir()
    planted = {
        "campaign.toml": b"[campaign]\n",
        "clients.csv": b"client_id\nC1\n",
        "outcomes.sqlite": b"\0db",
    }
    for name, data in planted.items():
        (campaign / name).write_bytes(data)
    (tmp_path / "beside.txt").write_bytes(b"keep")
    with pytest.raises(WriteError) as caught:
        write_week(plan, WEEK1, campaign)
    message = str(caught.value)
    assert str(campaign) in message
    assert "campaign.toml, clients.csv, outcomes.sqlite" in message
    assert "Hint: choose an empty or new folder for --out" in message
    assert {p.name: p.read_bytes() for p in campaign.iterdir()} == planted
    assert sorted(p.name for p in tmp_path.iterdir()) == ["beside.txt", "campaign"]


def test_a_rerun_replaces_exactly_the_files_it_wrote(plan, tmp_path):
    out = tmp_path / "plan"
    write_week(plan, WEEK1, out)
    letters = sorted(p.name for p in (out / "letters").iterdir())
    assert len(letters) == 4
    (out / "letters" / "my-draft.docx").write_bytes(b"mine")
    fewer = contact_plan(scored([client(i) for i in range(1, 3)]), as_of=AS_OF, capacity={"letter": 4})
    write_week(fewer, WEEK1, out)
    # the two letters of the smaller week replace the four; the consultant's draft stays
    assert sorted(p.name for p in (out / "letters").iterdir()) == [
        "001-C001.docx",
        "002-C002.docx",
        "my-draft.docx",
    ]
    manifest = json.loads((out / ".reconnect-plan.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is True
    assert "letters/001-C001.docx" in manifest["files"]
    assert "letters/003-C003.docx" not in manifest["files"]


def test_write_week_never_overwrites_a_file_it_did_not_write(tmp_path):
    emails = contact_plan(
        scored([client(i) for i in range(1, 4)]), as_of=AS_OF, capacity={"letter": 0, "email": 5, "phone": 0}
    )
    letters_only = contact_plan(scored([client(i) for i in range(1, 4)]), as_of=AS_OF, capacity={"letter": 3})
    out = tmp_path / "plan"
    write_week(letters_only, WEEK1, out)
    (out / "email_merge.csv").write_bytes(b"the consultant's own list")
    with pytest.raises(WriteError, match=r"would overwrite but did not write: email_merge\.csv"):
        write_week(emails, WEEK1, out)
    assert (out / "email_merge.csv").read_bytes() == b"the consultant's own list"


def test_a_week_written_before_the_manifest_existed_is_rerun_in_place(plan, tmp_path):
    out = tmp_path / "plan"
    write_week(plan, WEEK1, out)
    (out / ".reconnect-plan.json").unlink()
    (out / ".reconnect-plan.lock").unlink()
    (out / "letters" / "009-C009.docx").write_bytes(b"a letter of an older, bigger week")
    write_week(plan, WEEK1, out)
    assert not (out / "letters" / "009-C009.docx").exists()
    assert (out / ".reconnect-plan.json").exists()


def test_a_name_longer_than_word_allows_is_cut_not_a_failed_week(tmp_path):
    long_name = "Dr. " + "Bartholomew-" * 30 + "Smith"
    long_id = "C" * 300
    plan = contact_plan(
        scored([client(1, **{NAME: long_name, CLIENT_ID: long_id, ACCOUNT_OWNER: None})]),
        as_of=AS_OF,
        capacity={"letter": 2},
    )
    paths = write_week(plan, WEEK1, tmp_path / "plan", sender="S" * 400)
    (letter,) = sorted(paths["letters_docx"].iterdir())
    props = docx.Document(str(letter)).core_properties
    assert len(props.title) == 255
    assert props.title.startswith("Letter to Dr. Bartholomew-")
    assert len(props.author) == 255
    assert letter.name == "001-" + "C" * 80 + ".docx"
    merge = (tmp_path / "plan" / "mail_merge.csv").read_text(encoding="utf-8-sig")
    assert long_name in merge
    assert long_id in merge


def test_a_rerun_removes_what_killed_runs_left_and_nothing_else(plan, tmp_path):
    week = tmp_path / "reports" / "firm" / WEEK1
    out = week / "plan"
    write_week(plan, WEEK1, out)
    dead = _dead_pid()
    (out / f".tmp-r{dead}-plan-0123456789").mkdir()
    (out / f".tmp-r{dead}-plan-0123456789" / "plan.csv").write_bytes(b"client data")
    (week / f".tmp-r{dead}-x").write_bytes(b"x")
    legacy = week / ".tmp-plan-ab12cd_9"  # written before temporary names carried a process id
    legacy.mkdir()
    old = legacy.stat().st_mtime - 7200
    os.utime(legacy, (old, old))
    live = out / f".tmp-r{os.getppid()}-plan-0123456789"  # a run still going
    live.mkdir()
    (week / ".tmp-notes").write_bytes(b"not a name reconnect writes")
    write_week(plan, WEEK1, out)
    assert sorted(p.name for p in week.iterdir()) == [".tmp-notes", "plan"]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".tmp")) == [live.name]


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True
    )
    return int(child.stdout)


def test_bad_week_and_channel_are_config_errors(plan, tmp_path):
    with pytest.raises(ConfigError, match="not an ISO week"):
        mail_merge(plan, "week 48")
    with pytest.raises(ConfigError, match="'letter', 'email'"):
        mail_merge(plan, WEEK1, channel="fax")
    with pytest.raises(ConfigError, match="not an ISO week"):
        write_week(plan, "2026-48", tmp_path / "x")


def test_control_characters_in_any_field_make_a_docx_not_a_traceback(tmp_path):
    # A NUL or other control character (pasted from a database export) cannot be stored in a .docx's
    # XML: python-docx raised ValueError and the whole week failed with a traceback.
    odd = "Ann\x00 \x01Lee\x0b\x1f\ufffe"
    plan = contact_plan(
        scored(
            [client(1, **{NAME: odd, COMPANY: "Co\x02", ADDRESS_LINE1: "1 \x1bHigh St", ACCOUNT_OWNER: ""})]
        ),
        as_of=AS_OF,
        capacity={"letter": 2},
    )
    paths = write_week(plan, WEEK1, tmp_path / "plan", sender="Dan\x07", firm="Firm\x00")
    (letter,) = sorted(paths["letters_docx"].iterdir())
    document = docx.Document(str(letter))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Ann\ufffd \ufffdLee" in text
    assert "1 \ufffdHigh St" in text
    assert document.core_properties.author == "Dan\ufffd"
    # the CSV keeps what the user typed
    assert odd in (tmp_path / "plan" / "mail_merge.csv").read_text(encoding="utf-8-sig")


def test_a_forged_manifest_never_deletes_a_users_file_inside_or_outside_the_folder(plan, tmp_path):
    # The manifest is a file in the user's folder: whatever it lists, a rerun deleted every listed file
    # it no longer writes, so a manifest naming notes.txt (or a path through a symlinked letters/
    # folder) deleted the user's files.
    outside = tmp_path / "mine"
    outside.mkdir()
    (outside / "001-C001.docx").write_bytes(b"my own letter")
    (outside / "keep.txt").write_text("keep", encoding="utf-8")
    out = tmp_path / "plan"
    out.mkdir()
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    (out / "letters").symlink_to(outside)
    forged = ["notes.txt", "letters/keep.txt", "../mine/keep.txt", str(outside / "keep.txt"), "plan.csv"]
    (out / ".reconnect-plan.json").write_text(json.dumps({"files": forged}), encoding="utf-8")
    with pytest.raises(WriteError, match=r"would overwrite but did not write: letters\n"):
        write_week(plan, WEEK1, out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert sorted(p.name for p in outside.iterdir()) == ["001-C001.docx", "keep.txt"]
    assert (outside / "001-C001.docx").read_bytes() == b"my own letter"
    (out / "letters").unlink()
    write_week(plan, WEEK1, out)  # without the symlink the folder is the plan's again
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert (outside / "keep.txt").exists()


def test_a_symlink_named_like_an_output_is_the_users_not_the_plans(plan, tmp_path):
    # A folder holding only plan.csv -> ../campaign.toml looked like a plan written before manifests:
    # the rerun replaced the user's link with its own file.
    (tmp_path / "campaign.toml").write_text("[campaign]\n", encoding="utf-8")
    out = tmp_path / "plan"
    out.mkdir()
    (out / "plan.csv").symlink_to("../campaign.toml")
    with pytest.raises(WriteError, match=r"did not write: plan\.csv"):
        write_week(plan, WEEK1, out)
    assert (out / "plan.csv").is_symlink()
    assert (tmp_path / "campaign.toml").read_text(encoding="utf-8") == "[campaign]\n"


def test_a_file_changed_since_the_plan_wrote_it_is_kept_not_overwritten(plan, tmp_path):
    # Staff fill in the call sheet's Outcome column; rerunning the week overwrote their work.
    out = tmp_path / "plan"
    write_week(plan, WEEK1, out)
    filled = (out / "call_sheet.csv").read_bytes() + b"filled in by the staff\n"
    (out / "call_sheet.csv").write_bytes(filled)
    with pytest.raises(WriteError, match=r"changed since: call_sheet\.csv"):
        write_week(plan, WEEK1, out)
    assert (out / "call_sheet.csv").read_bytes() == filled
    # a changed file the new week no longer writes is left where it is, and is no longer the plan's
    (out / "call_sheet.csv").rename(tmp_path / "call_sheet.csv")
    letters = sorted((out / "letters").iterdir())
    letters[-1].write_bytes(b"my edited letter")
    one = contact_plan(scored([client(1)]), as_of=AS_OF, capacity={"letter": 1})
    write_week(one, WEEK1, out)
    assert letters[-1].read_bytes() == b"my edited letter"
    manifest = json.loads((out / ".reconnect-plan.json").read_text(encoding="utf-8"))
    assert f"letters/{letters[-1].name}" not in manifest["files"]
    assert set(manifest["sha256"]) == set(manifest["files"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<p>{{ years_as_client + 1 }}</p>", "template failed for client C001: TypeError"),
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ('{% include "letter.html.j2" %}', "includes or extends itself"),
    ],
)
def test_a_template_that_fails_while_rendering_is_a_config_error(tmp_path, text, message):
    # Only Jinja's own errors were caught: arithmetic on an empty field (a client with no start
    # date has no years_as_client), or a template including itself, ended in a traceback.
    plan = contact_plan(
        scored([client(1, **{CLIENT_SINCE: None}), client(2)]), as_of=AS_OF, capacity={"letter": 2}
    )
    mine = tmp_path / "letter.html.j2"
    mine.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        write_week(plan, WEEK1, tmp_path / "plan", template=mine)
    assert not (tmp_path / "plan").exists()


def test_a_template_cannot_turn_a_clients_text_into_markup(plan, tmp_path):
    # Autoescaping trusted the template: {{ company|safe }} or {% autoescape false %} in a consultant's
    # template put a client's <script> into letters.html as live markup.
    mine = tmp_path / "letter.html.j2"
    mine.write_text(
        "<p>{{ company|safe }}|{% autoescape false %}{{ company }}|{{ address_lines|join(', ') }}"
        "{% endautoescape %}|{{ firm|safe }}</p>\n",
        encoding="utf-8",
    )
    paths = write_week(plan, WEEK1, tmp_path / "plan", template=mine, firm="<b>A&B</b>")
    html = paths["letters_html"].read_text(encoding="utf-8")
    assert SCRIPT not in html
    assert "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;|&lt;script&gt;alert(1)&lt;/script&gt;|" in html
    first = sorted(paths["letters_docx"].iterdir())[0]
    text = docx.Document(str(first)).paragraphs[0].text
    assert text.startswith(f"{SCRIPT}|{SCRIPT}|{HOSTILE_NAME}, {SCRIPT}")


def test_a_template_cannot_reach_python_internals(plan, tmp_path):
    # Templates ran unsandboxed: a letter template shared by someone could list every class of the
    # running program (and from there run any code) through "".__class__.__mro__.
    mine = tmp_path / "letter.html.j2"
    mine.write_text('{{ "".__class__.__mro__[1].__subclasses__() }}', encoding="utf-8")
    with pytest.raises(ConfigError, match="template"):
        write_week(plan, WEEK1, tmp_path / "plan", template=mine)
    assert not (tmp_path / "plan").exists()


def _bidi_stack_after(text: str, stack: list[str]) -> list[list[str]]:
    """The Unicode bidi algorithm's stack of embeddings ('e') and isolates ('i') after each character."""
    states = []
    for c in text:
        if c in "\u202a\u202b\u202d\u202e":
            stack.append("e")
        elif c in "\u2066\u2067\u2068":
            stack.append("i")
        elif c == "\u202c" and stack and stack[-1] == "e":
            stack.pop()
        elif c == "\u2069" and "i" in stack:
            while stack.pop() != "i":
                pass
        states.append(list(stack))
    return states


BIDI_TEXT = st.text(alphabet=st.sampled_from("ab \u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


@given(BIDI_TEXT)
def test_direction_controls_in_a_field_act_only_on_that_field(text):
    # A right-to-left override in a client's name reversed the rest of the letter's line after it.
    fenced = isolate_bidi(text)
    if not any("\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069" for c in text):
        assert fenced == text
        return
    start = fenced.index(text)
    stack: list[str] = []
    _bidi_stack_after(fenced[:start], stack)
    inside = _bidi_stack_after(text, stack)
    assert all(s and s[0] == "i" for s in inside)  # the fence holds all through the text
    assert _bidi_stack_after(fenced[start + len(text) :], stack)[-1:] in ([[]], [])  # and closes after it


def test_a_right_to_left_override_in_a_name_stays_in_the_name(tmp_path):
    plan = contact_plan(scored([client(1, **{NAME: "\u202eAnn Lee"})]), as_of=AS_OF, capacity={"letter": 1})
    paths = write_week(plan, WEEK1, tmp_path / "plan", firm="Pike \u202e& Okoye")
    html = paths["letters_html"].read_text(encoding="utf-8")
    assert "\u2068Dear \u202eAnn\u2069," in html
    assert "<title>\u2068Pike \u202e&amp; Okoye\u2069: letters" in html
    assert "silence from \u2068Pike \u202e&amp; Okoye\u2069, and the fault" in html
    text = "\n".join(p.text for p in docx.Document(str(next(paths["letters_docx"].iterdir()))).paragraphs)
    assert "\u2068Dear \u202eAnn\u2069," in text
    sheet = render_call_sheet_html(plan, "2026-W49", firm="Pike \u202e& Okoye")
    assert "<h1>\u2068Pike \u202e&amp; Okoye\u2069: call sheet" in sheet
    merge = (tmp_path / "plan" / "mail_merge.csv").read_text(encoding="utf-8-sig")
    assert ",\u202eAnn Lee," in merge  # the CSV keeps the field as typed


def test_a_lock_file_that_is_a_link_creates_nothing_outside_the_folder(plan, tmp_path):
    # The lock file was opened with O_CREAT through a link: a folder holding only a link named
    # .reconnect-plan.lock created (and locked) the file it pointed to, outside the folder.
    out = tmp_path / "plan"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.txt"
    (out / ".reconnect-plan.lock").symlink_to(elsewhere)
    with pytest.raises(WriteError, match="is a link, not the lock file"):
        write_week(plan, WEEK1, out)
    assert not elsewhere.exists()
    assert sorted(p.name for p in out.iterdir()) == [".reconnect-plan.lock"]


def test_a_word_document_as_the_template_is_named_and_a_byte_order_mark_is_not_letter_text(plan, tmp_path):
    # A .docx passed as --template was reported as "a file is not utf-8 text" with a hint about
    # [data] encoding; a template saved with a byte-order mark put one at the top of every letter.
    word = tmp_path / "my letter.docx"
    word.write_bytes(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xad\xff")
    with pytest.raises(ConfigError, match="letter template is not UTF-8 text") as err:
        write_week(plan, WEEK1, tmp_path / "plan", template=word)
    assert "my letter.docx" in str(err.value)
    assert "[data]" not in str(err.value)
    bom = tmp_path / "letter.html.j2"
    bom.write_bytes(b"\xef\xbb\xbf<p>Hello {{ first_name }}</p>\n")
    paths = write_week(plan, WEEK1, tmp_path / "plan", template=bom)
    assert "\ufeff" not in paths["letters_html"].read_text(encoding="utf-8")


def test_a_week_of_a_thousand_letters_is_still_the_plans_own_on_a_rerun():
    # Letter files are numbered 001-, 002-, ... 1000-: the names a rerun may replace allowed only three
    # digits, so a week of 1,000 letters or more could not be written again.
    for name in ("letters/001-C1.docx", "letters/1000-C1.docx", "letters/12345-client.docx", "plan.csv"):
        assert exports_module._PLAN_FILES.fullmatch(name), name
    for name in ("letters/my-draft.docx", "notes.txt", "letters/01-C1.docx"):
        assert not exports_module._PLAN_FILES.fullmatch(name), name


def test_a_file_where_the_letters_folder_goes_is_named_itself(plan, tmp_path):
    # A file called "letters" in a plan's folder was reported as every letter it blocked
    # ("letters/001-C001.docx, ... and 5 more"), not as the one file to move.
    out = tmp_path / "plan"
    write_week(plan, WEEK1, out)
    shutil.rmtree(out / "letters")
    (out / "letters").write_text("my list of letters to write", encoding="utf-8")
    with pytest.raises(WriteError, match=r"would overwrite but did not write: letters\n"):
        write_week(plan, WEEK1, out)
    assert (out / "letters").read_text(encoding="utf-8") == "my list of letters to write"


# --- money in the client's currency (issue 17) ---------------------------------------------


def test_the_call_sheet_shows_money_in_the_campaigns_currency(plan):
    sheet = call_sheet(plan, WEEK2, currency="GBP")
    assert sheet.iloc[0]["WhatTheyBought"] == "4 purchases, £12,001 in total, last September 2025"
    euros = call_sheet(plan, WEEK2, currency="EUR", locale="de_DE")
    assert euros.iloc[0]["WhatTheyBought"] == "4 purchases, 12.001\xa0€ in total, last September 2025"
    page = render_call_sheet_html(plan, WEEK2, firm="Pike & Okoye", currency="GBP")
    assert "£12,001 in total" in page
    assert "£2,999" in page  # the value at stake of C001, whole pounds


def test_money_in_the_week_csvs_is_to_the_cent():
    frame = pd.DataFrame({EXPECTED_VALUE: [2578658.3199999998], VALUE_SCORE: [0.5], "clients": [3]})
    text = to_csv_text(frame)
    assert text.splitlines()[1] == "2578658.32,0.5,3"
