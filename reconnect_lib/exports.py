"""What the staff take away each week: the call sheet, the mail merge and the letters.

Every export is built from a :class:`~reconnect_lib.plan.ContactPlan` and one
ISO week:

- :func:`call_sheet` (CSV) and :func:`render_call_sheet_html` (a printable page):
  who to call, their phone, when they were last in touch, what they bought,
  bucket and value, the letter's promise being followed up, and a few talking
  points (time since contact, any open problem from the outcome log).
- :func:`mail_merge`: the week's letters as a CSV a word processor's mail merge
  reads (Title, FirstName, LastName, Salutation, Company, AddressLine1, ...,
  plus personal fields such as YearsAsClient, LastPurchase, MonthsSilent and
  the Promise the letter makes).
- :func:`render_letters_html` and :func:`write_letters_docx`: letter drafts from
  a Jinja2 template that follows the six parts of a letter from the heart, as
  one printable HTML page per letter (A4) and as one .docx per letter for
  editing. The template (:data:`DEFAULT_LETTER_TEMPLATE`) is a file the
  consultant copies and edits.
- :func:`write_week`: all of the above plus the whole plan into one folder,
  atomically.

Safe to open. A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula, so every text field of every CSV
export goes through :func:`neutralise` (a leading ``'`` makes it text); numbers
stay numbers. HTML is rendered by Jinja2 with autoescaping on for every
template, the consultant's own included, so a client called
``<script>alert(1)</script>`` is printed, never run.

The staff-facing tables (call sheet, mail merge) use readable column headers;
``plan.csv`` keeps the package's column names for machines.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from .config import EMAIL_ADDRESS, CampaignConfig
from .errors import ConfigError
from .files import atomic_write_bytes, make_folder, write_owned_folder
from .money import cents, counted, format_money, round_money
from .plan import ContactPlan
from .schema import (
    ACCOUNT_OWNER,
    ACTION,
    ADDRESS_LINE1,
    ADDRESS_LINE2,
    CITY,
    CLIENT_ID,
    CLIENT_SINCE,
    COMPANY,
    CONTACT_ON,
    COUNTRY,
    CROSSES_ON,
    DAYS_DORMANT,
    DORMANCY_BUCKET,
    EMAIL,
    EXPECTED_VALUE,
    FIRST_PURCHASE,
    FOLLOW_UP_ON,
    GIFT_ON,
    LAST_CONTACT,
    LAST_PURCHASE,
    MODE,
    N_PURCHASES,
    NAME,
    NOTE,
    OPEN_PROBLEM,
    PHONE,
    PLAN_ORDER,
    PLANNED_ON,
    POSTCODE,
    REGION,
    RFM_SEGMENT,
    TOTAL_REVENUE,
    VALUE_AT_STAKE,
    VALUE_SCORE,
    WEEK,
    WEEK_ORDER,
    WEEK_START,
)
from .weeks import week_monday

#: The folder of the letter and call-sheet templates shipped with the package.
TEMPLATE_DIR = Path(__file__).parent / "templates" / "letter"
#: The default letter: copy it, edit it, pass the copy as ``template=`` (CLI ``--template``).
DEFAULT_LETTER_TEMPLATE = TEMPLATE_DIR / "letter.html.j2"
LETTERS_PAGE_TEMPLATE = "letters.html.j2"
#: The e-mail drafts' HTML part (the letter's six parts at e-mail length).
EMAIL_TEMPLATE = "email.html.j2"
CALL_SHEET_TEMPLATE = "call_sheet.html.j2"

#: What a spreadsheet reads as the start of a formula (OWASP's CSV-injection list).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

WrittenChannel = Literal["letter", "email"]

#: Columns of plan.csv: the whole plan, one row per action, for machines.
PLAN_CSV_COLUMNS: tuple[str, ...] = (
    WEEK,
    WEEK_START,
    PLANNED_ON,
    "channel",
    ACTION,
    WEEK_ORDER,
    PLAN_ORDER,
    MODE,
    CLIENT_ID,
    NAME,
    COMPANY,
    DORMANCY_BUCKET,
    VALUE_SCORE,
    EXPECTED_VALUE,
    CONTACT_ON,
    FOLLOW_UP_ON,
    GIFT_ON,
    CROSSES_ON,
)

#: Mail-merge fields, in order, and the letter field (template variable) each comes from.
MAIL_MERGE_FIELDS: dict[str, str] = {
    "ClientID": "client_id",
    "Title": "title",
    "FirstName": "first_name",
    "LastName": "last_name",
    "FullName": "full_name",
    "Salutation": "salutation",
    "Company": "company",
    "AddressLine1": "address_line1",
    "AddressLine2": "address_line2",
    "City": "city",
    "Region": "region",
    "Postcode": "postcode",
    "Country": "country",
    "Email": "email",
    "LetterDate": "letter_date",
    "ClientSince": "client_since",
    "YearsAsClient": "years_as_client",
    "Purchases": "n_purchases",
    "LastPurchase": "last_purchase",
    "LastInTouch": "last_in_touch",
    "MonthsSilent": "months_silent",
    "SilentFor": "silent_for",
    "FollowUpCall": "follow_up_call",
    "FollowUpDate": "follow_up_on",
    "Gift": "gift",
    "Promise": "promise",
    "AccountOwner": "account_owner",
    "Firm": "firm",
    "Sender": "sender",
    "SenderRole": "sender_role",
    "FirmPhone": "firm_phone",
    "FirmEmail": "firm_email",
    "WorkedTogether": "worked_together",
}

#: Call-sheet columns, in order.
CALL_SHEET_COLUMNS: tuple[str, ...] = (
    "Order",
    "Day",
    "Action",
    "ClientID",
    "Name",
    "Company",
    "Phone",
    "Email",
    "AccountOwner",
    "LastInTouch",
    "SilentFor",
    "WhatTheyBought",
    "Bucket",
    "ValueAtStake",
    "ExpectedValue",
    "FollowingUp",
    "TalkingPoints",
    "OpenProblem",
    "Outcome",
    "IntroducedSomeone",
)

_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "lord", "lady"}
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_DAYS_PER_MONTH = 365.25 / 12


# --- safety --------------------------------------------------------------------------------


def firm_name(campaign_name: str) -> str:
    """A readable firm name from a campaign name, for letters and call sheets.

    >>> firm_name("consulting-firm")
    'Consulting Firm'
    """
    return " ".join(word.capitalize() for word in campaign_name.replace("_", "-").split("-") if word)


def neutralise(value: Any) -> Any:
    """Make a text value safe to open in a spreadsheet; leave anything else as it is.

    A text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading single quote, so the spreadsheet shows it as text instead of
    running it as a formula.

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise("Ann Lee"), neutralise(-5), neutralise("-5")
    ('Ann Lee', -5, "'-5")
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


_ISOLATES = "\u2066\u2067\u2068"  # left-to-right, right-to-left and first-strong isolates
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def isolate_bidi(text: str) -> str:
    """`text` kept as typed but fenced, when it holds direction controls, so they act only on it.

    A right-to-left override (U+202E) in a client's or campaign's name would
    otherwise reverse the words that follow it in a sentence: ``Dear <RLO>Ann,
    ...`` shows the rest of the letter's line backwards. The text goes inside a
    first-strong isolate, enough of them that a stray closing mark in it cannot
    end the fence early, and is closed by as many marks as could be open (a
    closing isolate mark also ends every override and embedding begun inside).
    Text without direction controls is returned as it is.

    >>> isolate_bidi("Ann Lee")
    'Ann Lee'
    >>> isolate_bidi("\u202eAnn") == "\u2068\u202eAnn\u2069"
    True
    """
    if not _BIDI.search(text):
        return text
    stray = text.count("\u2069")
    opened = sum(text.count(c) for c in _ISOLATES)  # each needs its own close before the fence's
    return "\u2068" * (1 + stray) + text + "\u2069" * (1 + stray + opened)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with :func:`neutralise` applied to every text column; numbers untouched."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
            out[column] = values.map(neutralise, na_action="ignore")
    return out


def to_csv_text(frame: pd.DataFrame) -> str:
    """`frame` as spreadsheet-safe CSV text: neutralised text, ISO dates, money to the cent, ``\\n`` ends."""
    out = round_money(neutralise_frame(frame))
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False, lineterminator="\n")


# --- formatting helpers --------------------------------------------------------------------


def _day(value: Any) -> date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, date):
        return value
    return None


def long_date(day: date | None) -> str:
    """``23 November 2026``.

    >>> long_date(date(2026, 11, 23))
    '23 November 2026'
    """
    return "" if day is None else f"{day.day} {day:%B %Y}"


def weekday_date(day: date | None) -> str:
    """``Monday 30 November``.

    >>> weekday_date(date(2026, 11, 30))
    'Monday 30 November'
    """
    return "" if day is None else f"{day:%A} {day.day} {day:%B}"


def month_year(day: date | None) -> str:
    """``May 2019``.

    >>> month_year(date(2019, 5, 17))
    'May 2019'
    """
    return "" if day is None else f"{day:%B %Y}"


def silent_for(days: int | None) -> str:
    """A friendly length of silence, for a letter.

    Examples
    --------
    >>> [silent_for(d) for d in (200, 370, 400, 800)]
    ['6 months', 'a year', 'more than a year', 'more than two years']
    >>> silent_for(5000)
    'more than 13 years'
    """
    if days is None:
        return "a long time"
    months = int(days // _DAYS_PER_MONTH)
    if months < 12:
        return "a month" if months <= 1 else f"{months} months"
    years = int(days // 365.25)
    if years == 1 and months == 12:
        return "a year"
    if years == 1:
        return "more than a year"
    word = _NUMBER_WORDS[years] if years < len(_NUMBER_WORDS) else str(years)
    return f"more than {word} years"


def split_name(name: str | None) -> tuple[str, str, str]:
    """(title, first name, last name) of a full name, as a mail merge wants them.

    Examples
    --------
    >>> split_name("Dr. Ann Marie Lee"), split_name("Cher"), split_name(None)
    (('Dr', 'Ann', 'Lee'), ('', 'Cher', ''), ('', '', ''))
    """
    words = (name or "").split()
    title = ""
    if len(words) > 1 and words[0].rstrip(".").lower() in _TITLES:
        title = words.pop(0).rstrip(".")
    if not words:
        return title, "", ""
    return title, words[0], words[-1] if len(words) > 1 else ""


#: Words that make a name a business's, not a person's ("Willow Tree Cafe", "Parkside Dental Ltd").
_BUSINESS_WORDS = frozenset(
    {
        "ltd", "limited", "llp", "llc", "lp", "inc", "incorporated", "corp", "corporation", "plc", "co",
        "company", "companies", "cic", "gmbh", "ag", "sa", "sarl", "bv", "nv", "pty", "group", "holdings",
        "partners", "partnership", "associates", "trust", "foundation", "charity", "society", "club",
        "services", "solutions", "consulting", "consultancy", "consultants", "agency", "studio", "studios",
        "design", "media", "marketing", "print", "printing", "digital", "systems", "technologies",
        "technology", "software", "labs", "lab", "works", "workshop", "industries", "international",
        "enterprises", "ventures", "capital", "finance", "financial", "accountants", "accounting",
        "solicitors", "legal", "architects", "builders", "building", "construction", "engineering",
        "engineers", "electrical", "plumbing", "heating", "motors", "garage", "garages", "cars",
        "transport", "logistics", "haulage", "removals", "cleaning", "clinic", "dental", "dentist",
        "dentistry", "surgery", "practice", "pharmacy", "opticians", "optician", "veterinary", "vets",
        "vet", "health", "fitness", "gym", "salon", "barbers", "hair", "beauty", "spa", "cafe", "café",
        "coffee", "bakery", "bakers", "restaurant", "bistro", "pub", "inn", "hotel", "guesthouse",
        "catering", "foods", "food", "farm", "farms", "nursery", "florist", "florists", "flowers",
        "gardens", "landscaping", "shop", "shops", "store", "stores", "market", "supplies", "wholesale",
        "trading", "traders", "brewery", "distillery", "wines", "properties", "property", "estates",
        "estate", "lettings", "homes", "school", "academy", "college", "university", "centre", "center",
        "council"
    }
)


def is_business_name(name: str | None, company: str | None = None) -> bool:
    """Whether `name` names a business rather than a person, as a greeting needs to know.

    A name is a business's when it is the client's company, or holds a word a
    business name has ("Ltd", "Cafe", "Dental", "& Sons", a number): a
    spreadsheet's one "Customer" column often holds either. A name with a
    personal title (Mr, Dr, ...) is a person's.

    >>> [is_business_name(n) for n in ("Willow Tree Cafe", "Parkside Dental Ltd", "Ann Lee", "Dr Ann Lee")]
    [True, True, False, False]
    >>> is_business_name("Pearson Florist", "Pearson Florist"), is_business_name("Smith & Sons")
    (True, True)
    """
    text = (name or "").strip()
    if not text:
        return False
    words = re.findall(r"[\w']+|&", text.casefold())
    if words and words[0].rstrip(".") in _TITLES:
        return False
    if company and text.casefold() == company.strip().casefold():
        return True
    return any(w == "&" or w in _BUSINESS_WORDS or w.isdigit() for w in words)


def greeting(name: str | None, company: str | None = None) -> str:
    """How a letter greets a client: a person by first name, a business as its people.

    >>> greeting("Ann Lee"), greeting("Willow Tree Cafe"), greeting(None, "Parkside Dental Ltd")
    ('Dear Ann', 'Dear friends at Willow Tree Cafe', 'Dear friends at Parkside Dental Ltd')
    >>> greeting("Dr Lee"), greeting(None)
    ('Dear Dr Lee', 'Dear friend')
    """
    text = (name or "").strip()
    if is_business_name(text, company):
        return f"Dear friends at {text}"
    title, first, last = split_name(text)
    if title and not last:
        return f"Dear {title} {first}"
    if first:
        return f"Dear {first}"
    if company and company.strip():
        return f"Dear friends at {company.strip()}"
    return "Dear friend"


def times(n: int) -> str:
    """``once``, ``twice``, ``three times``, ``12 times``.

    >>> [times(n) for n in (1, 2, 3, 12)]
    ['once', 'twice', 'three times', '12 times']
    """
    if n == 1:
        return "once"
    if n == 2:
        return "twice"
    return f"{_NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else f'{n:,}'} times"


def worked_together(since_year: str, purchases: int | None) -> str:
    """The sentence of a letter on the history with a client, read right for one purchase or many.

    >>> worked_together("2016", 12)
    'You first worked with us in 2016, and we have worked together 12 times in all.'
    >>> worked_together("2016", 2)
    'You first worked with us in 2016, and we have worked together twice in all.'
    >>> worked_together("2016", 1), worked_together("", 3), worked_together("", None)
    ('You worked with us in 2016.', 'We have worked together three times.', '')
    """
    many = purchases is not None and purchases > 1
    if since_year and many:
        together = f"we have worked together {times(purchases)} in all"  # type: ignore[arg-type]
        return f"You first worked with us in {since_year}, and {together}."
    if since_year:
        return f"You {'first ' if purchases is None else ''}worked with us in {since_year}."
    if many:
        return f"We have worked together {times(purchases)}."
    return ""


@dataclass(frozen=True)
class Sender:
    """Who writes (``[sender]`` in campaign.toml; the firm's name is passed on its own).

    Attributes
    ----------
    signer : str
        Who signs a letter to a client with no account owner (an account owner
        signs their own clients' letters).
    role : str
        The signer's role, under their name.
    phone, email : str
        The firm's phone number and e-mail address, under the signature; the
        e-mail address is the From of the e-mail drafts.
    """

    signer: str = ""
    role: str = ""
    phone: str = ""
    email: str = ""

    @classmethod
    def of(cls, sender: Sender | str | None) -> Sender:
        """`sender` as a :class:`Sender`: a text is the signer's name."""
        if isinstance(sender, Sender):
            return sender
        return cls(signer=_text(sender))


def writer_of(
    config: CampaignConfig, *, firm: str | None = None, signer: str | None = None
) -> tuple[str, Sender]:
    """The firm's name and the :class:`Sender` of a campaign's letters, from its ``[sender]``.

    `firm` and `signer` (the command line's ``--firm`` and ``--sender``)
    override ``[sender] firm`` and ``signer``; a signer named there has no role
    from campaign.toml (it is the role of the signer it names). The firm's name
    defaults to one made from the campaign's name (:func:`firm_name`).

    Examples
    --------
    >>> from reconnect_lib.config import parse_config
    >>> cfg = parse_config({"campaign": {"name": "pike-okoye"}, "data": {"clients": "c.csv"},
    ...                     "sender": {"signer": "Daniel Okoye", "role": "Director"}})
    >>> writer_of(cfg)
    ('Pike Okoye', Sender(signer='Daniel Okoye', role='Director', phone='', email=''))
    >>> writer_of(cfg, firm="Pike & Okoye", signer="Graham Pike")[1].role
    ''
    """
    section = config.sender
    name = firm or section.firm or firm_name(config.campaign.name)
    if signer:
        return name, Sender(signer=signer, phone=section.phone, email=section.email)
    return name, Sender(signer=section.signer, role=section.role, phone=section.phone, email=section.email)


def _text(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def _number(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _money(value: float | None, currency: str | None, locale: str | None) -> str:
    return format_money(value, currency, locale=locale, whole=True)


def _promise(call_on: date | None, gift_on: date | None) -> str:
    call = f"I will call you on {weekday_date(call_on)} to hear how you are and what you need"
    gift = "a small token of thanks is on its way to you"
    if call_on and gift_on:
        return f"{call}, and {gift}."
    if call_on:
        return f"{call}."
    if gift_on:
        return f"{gift[0].upper()}{gift[1:]}, and I will be in touch again soon."
    return "I will be in touch again soon, and my door is always open."


def _last_in_touch(row: Mapping[str, Any]) -> date | None:
    days = [_day(row.get(c)) for c in (LAST_CONTACT, LAST_PURCHASE)]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def _days_silent(row: Mapping[str, Any], on: date) -> int | None:
    last = _last_in_touch(row)
    if last is not None:
        return (on - last).days
    days = row.get(DAYS_DORMANT)
    return None if days is None or pd.isna(days) else int(days)


# --- letters and mail merge ----------------------------------------------------------------


def _week_rows(plan: ContactPlan, week: str, actions: Sequence[str]) -> pd.DataFrame:
    rows = plan.week(week)
    rows = rows.loc[rows[ACTION].isin(list(actions))]
    return rows.sort_values([PLANNED_ON, WEEK_ORDER], kind="stable").reset_index(drop=True)


def letter_fields(
    plan: ContactPlan,
    week: str,
    *,
    channel: WrittenChannel = "letter",
    firm: str = "our firm",
    sender: Sender | str = "",
) -> list[dict[str, Any]]:
    """The fields of each of the week's letters (or e-mails), in the week's order.

    These are the variables of the letter template and, renamed, the columns of
    :func:`mail_merge`; the template's header lists them. A client's account
    owner signs their letter (``sender``), else `sender`'s signer; the
    signer's role is given only when they sign.

    Returns
    -------
    list of dict
        One per letter: plain text, numbers or booleans (nothing escaped yet).
    """
    _check_channel(channel)
    who = Sender.of(sender)
    fields = []
    for row in _week_rows(plan, week, [channel]).to_dict("records"):
        letter_day = _day(row[PLANNED_ON])
        name, company = _text(row.get(NAME)), _text(row.get(COMPANY))
        business = is_business_name(name, company)
        # A business's name is its company's: no first or last name to merge.
        title, first, last = ("", "", "") if business else split_name(name)
        company = company or (name if business else "")
        address = [
            _text(row.get(c))
            for c in (NAME, COMPANY, ADDRESS_LINE1, ADDRESS_LINE2, CITY, REGION, POSTCODE, COUNTRY)
        ]
        address = [line for i, line in enumerate(address) if line and line not in address[:i]]
        since = _day(row.get(CLIENT_SINCE)) or _day(row.get(FIRST_PURCHASE))
        days = _days_silent(row, letter_day)
        call_on, gift_on = _day(row.get(FOLLOW_UP_ON)), _day(row.get(GIFT_ON))
        purchases = row.get(N_PURCHASES)
        n_purchases = None if purchases is None or pd.isna(purchases) else int(purchases)
        owner = _text(row.get(ACCOUNT_OWNER))
        signer = owner or who.signer
        fields.append(
            {
                "client_id": _text(row[CLIENT_ID]),
                "title": title,
                "first_name": first,
                "last_name": last,
                "full_name": name,
                "salutation": greeting(name, company),
                "company": company,
                "is_business": business,
                "address_lines": address,
                "address_line1": _text(row.get(ADDRESS_LINE1)),
                "address_line2": _text(row.get(ADDRESS_LINE2)),
                "city": _text(row.get(CITY)),
                "region": _text(row.get(REGION)),
                "postcode": _text(row.get(POSTCODE)),
                "country": _text(row.get(COUNTRY)),
                "email": _text(row.get(EMAIL)),
                "account_owner": _text(row.get(ACCOUNT_OWNER)),
                "dormancy_bucket": _text(row.get(DORMANCY_BUCKET)),
                "letter_date": long_date(letter_day),
                "client_since": str(since.year) if since else "",
                "years_as_client": (letter_day - since).days // 365 if since else None,
                "n_purchases": n_purchases,
                "worked_together": worked_together(str(since.year) if since else "", n_purchases),
                "total_revenue": cents(_number(row.get(TOTAL_REVENUE))),
                "last_purchase": month_year(_day(row.get(LAST_PURCHASE))),
                "last_in_touch": month_year(_last_in_touch(row)),
                "months_silent": None if days is None else int(days // _DAYS_PER_MONTH),
                "silent_for": silent_for(days),
                "follow_up_call": call_on is not None,
                "follow_up_on": weekday_date(call_on),
                "gift": gift_on is not None,
                "gift_on": weekday_date(gift_on),
                "promise": _promise(call_on, gift_on),
                "firm": firm,
                "sender": signer,
                "sender_role": who.role if signer == who.signer else "",
                "firm_phone": who.phone,
                "firm_email": who.email,
            }
        )
    return fields


def mail_merge(
    plan: ContactPlan,
    week: str,
    *,
    channel: WrittenChannel = "letter",
    firm: str = "our firm",
    sender: Sender | str = "",
) -> pd.DataFrame:
    """The week's letters as a mail-merge table, one row per letter.

    Parameters
    ----------
    plan : ContactPlan
    week : str
        ISO week, e.g. ``"2026-W48"``.
    channel : {"letter", "email"}
        Letters (default) or the week's e-mails (an e-mail merge).
    firm : str
        The firm's name (the ``Firm`` field).
    sender : Sender or str
        Who signs when a client has no account owner, their role and the
        firm's phone and e-mail (a text: the signer's name).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MAIL_MERGE_FIELDS` (``ClientID``, ``Title``,
        ``FirstName``, ``LastName``, ``Salutation``, ``Company``,
        ``AddressLine1``, ``AddressLine2``, ``City``, ``Region``, ``Postcode``,
        ``Country``, ..., ``YearsAsClient``, ``LastPurchase``,
        ``MonthsSilent``, ``FollowUpDate``, ``Promise``, ...). Text is not yet
        neutralised: :func:`write_week` and :func:`to_csv_text` do that.

    Examples
    --------
    >>> from reconnect_lib.plan import contact_plan
    >>> scored = pd.DataFrame({"client_id": ["a"], "name": ["Dr Ann Lee"], "dormancy_bucket": ["1–2 years"],
    ...                        "bucket_order": [2], "due": [True], "value_score": [500.0]})
    >>> plan = contact_plan(scored, as_of=date(2026, 11, 23))
    >>> merge = mail_merge(plan, "2026-W48", firm="Pike & Okoye")
    >>> merge[["Title", "LastName", "Salutation", "FollowUpDate", "Firm"]]
      Title LastName Salutation        FollowUpDate          Firm
    0    Dr      Lee   Dear Ann  Monday 30 November  Pike & Okoye
    """
    fields = letter_fields(plan, week, channel=channel, firm=firm, sender=sender)
    table = pd.DataFrame(
        {column: [f[key] for f in fields] for column, key in MAIL_MERGE_FIELDS.items()},
        columns=list(MAIL_MERGE_FIELDS),
    )
    for column in ("YearsAsClient", "Purchases", "MonthsSilent"):
        table[column] = table[column].astype("Int64")
    table["TotalRevenue"] = pd.Series([f["total_revenue"] for f in fields], dtype="float64")
    for column in ("FollowUpCall", "Gift"):
        table[column] = table[column].map({True: "Yes", False: "No"}).astype("str")
    return table


def _environment(search: Iterable[Path]) -> Any:
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    # Autoescape for every template, whatever its file name: a client's name is data, never markup.
    # Sandboxed: a template passed around by e-mail cannot reach Python's internals to run code.
    return SandboxedEnvironment(
        # utf-8-sig: a template saved by Notepad starts with a byte-order mark, not part of the letter.
        loader=FileSystemLoader([str(p) for p in search], encoding="utf-8-sig"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _escaped(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A letter's fields with every text already escaped, for a template.

    Autoescaping alone trusts the template: ``{{ company|safe }}`` or
    ``{% autoescape false %}`` in a consultant's template would put a client's
    ``<script>`` into the page as markup. Escaped beforehand, a text prints as
    typed whatever the template does with it; numbers and booleans stay as they are.
    Direction controls in a text are fenced in (:func:`isolate_bidi`).
    """
    from markupsafe import escape

    def one(value: Any) -> Any:
        if isinstance(value, str):
            return escape(isolate_bidi(value))
        if isinstance(value, list):
            return [one(v) for v in value]
        return value

    return {key: one(value) for key, value in fields.items()}


def _render(template: Path | str | None, name: str | None, contexts: Iterable[dict[str, Any]]) -> list[str]:
    """Render template `name` (a package template) or the file `template` once per context."""
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError

    path = Path(template) if template is not None else None
    if path is not None and not path.is_file():
        raise ConfigError(
            "letter template not found",
            file=str(path),
            hint=f"copy the default template, {DEFAULT_LETTER_TEMPLATE}, and edit the copy",
        )
    env = _environment([path.parent] if path is not None else [TEMPLATE_DIR])
    file = str(path) if path is not None else str(TEMPLATE_DIR / str(name))
    try:
        compiled = env.get_template(path.name if path is not None else str(name))
        return [_render_one(compiled, context, file) for context in contexts]
    except TemplateSyntaxError as err:
        raise ConfigError(f"template error on line {err.lineno}: {err.message}", file=file) from err
    except UndefinedError as err:
        raise ConfigError(
            f"template uses an unknown field: {err.message}",
            file=file,
            hint=_FIELDS_HINT,
        ) from err
    except TemplateNotFound as err:
        raise ConfigError(f"template {err.name!r} not found", file=file) from err
    except UnicodeDecodeError as err:  # e.g. a Word document passed as the template
        raise ConfigError(
            f"the letter template is not UTF-8 text (byte {err.object[err.start:err.start + 1]!r} at "
            f"offset {err.start}): a template is an HTML text file, not a Word document",
            file=file,
            hint=f"copy {DEFAULT_LETTER_TEMPLATE}, edit it in a text editor and save it as UTF-8",
        ) from err
    except TemplateError as err:
        raise ConfigError(f"template error: {err}", file=file) from err
    except RecursionError as err:
        raise ConfigError(
            "the template includes or extends itself without end",
            file=file,
            hint="an {% include %} or {% extends %} names this template, or two name each other",
        ) from err


_FIELDS_HINT = "the fields a letter can use are listed at the top of " + str(DEFAULT_LETTER_TEMPLATE)


def _render_one(compiled: Any, context: dict[str, Any], file: str) -> str:
    """One rendering; an error the template's own expressions raise names the letter it failed on."""
    from jinja2 import TemplateError

    try:
        return compiled.render(**context)
    except (TemplateError, RecursionError):
        raise
    except Exception as err:  # the template's arithmetic or calls: {{ years_as_client + 1 }} with no year
        who = f" for client {context['client_id']}" if context.get("client_id") else ""
        raise ConfigError(
            f"template failed{who}: {type(err).__name__}: {err}",
            file=file,
            hint="a field may be empty (None) for some clients: test it with {% if ... %}; " + _FIELDS_HINT,
        ) from err


def check_template(template: Path | str) -> Path:
    """Check that a letter template exists and parses, before any data is loaded.

    Fields the template uses are checked when it is rendered (they depend on
    the letter); this catches a wrong path or a syntax error at once.

    Raises
    ------
    ConfigError
        The file is missing or is not a valid Jinja2 template (with the line).
    """
    path = Path(template)
    _render(path, None, [])
    return path


def render_letters_html(
    plan: ContactPlan,
    week: str,
    *,
    template: Path | str | None = None,
    channel: WrittenChannel = "letter",
    firm: str = "our firm",
    sender: Sender | str = "",
) -> str:
    """The week's letter drafts as one printable HTML page, one A4 page per letter.

    Parameters
    ----------
    plan : ContactPlan
    week : str
        ISO week.
    template : path, optional
        A letter template (Jinja2, one letter); default :data:`DEFAULT_LETTER_TEMPLATE`.
    channel : {"letter", "email"}
    firm : str
        The firm's name.
    sender : Sender or str
        Who signs when a client has no account owner (see :func:`letter_fields`).

    Returns
    -------
    str
        A complete HTML document (no external resources); every field escaped.

    Raises
    ------
    ConfigError
        The template is missing, malformed, or uses a field that does not exist.
    """
    from markupsafe import Markup

    week_monday(week)
    fields = letter_fields(plan, week, channel=channel, firm=firm, sender=sender)
    letters = _render(template, "letter.html.j2", [_escaped(f) for f in fields])
    (page,) = _render(
        None,
        LETTERS_PAGE_TEMPLATE,
        [{"letters": [Markup(text) for text in letters], "week": week, "firm": isolate_bidi(firm)}],
    )
    return page


# --- docx ----------------------------------------------------------------------------------


@dataclass
class _Paragraph:
    runs: list[tuple[str, bool, bool]]  # text ("\n" = line break), bold, italic
    right: bool = False
    bullet: bool = False


class _LetterHTML(HTMLParser):
    """Paragraphs of a rendered letter: what a .docx needs from its simple HTML."""

    BLOCKS = frozenset(
        {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "address", "blockquote", "section"}
    )
    SKIP = frozenset({"style", "script", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[_Paragraph] = []
        self._current: _Paragraph | None = None
        self._bold = 0
        self._italic = 0
        self._skip = 0

    def _close(self) -> None:
        if self._current is not None:
            runs = self._current.runs
            while runs and runs[-1][0] in (" ", "\n"):
                runs.pop()
            if runs:
                self.paragraphs.append(self._current)
        self._current = None

    def _open(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(v or "" for k, v in attrs if k == "class").split()
        self._current = _Paragraph([], right="right" in classes, bullet=tag == "li")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCKS:
            self._close()
            self._open(tag, attrs)
        elif tag == "br":
            self._add("\n")
        elif tag in ("strong", "b"):
            self._bold += 1
        elif tag in ("em", "i"):
            self._italic += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self._close()
        elif tag in ("strong", "b"):
            self._bold = max(0, self._bold - 1)
        elif tag in ("em", "i"):
            self._italic = max(0, self._italic - 1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        text = re.sub(r"\s+", " ", data)
        if self._current is None:
            if not text.strip():
                return
            self._open("p", [])
        runs = self._current.runs  # type: ignore[union-attr]
        if not runs or runs[-1][0] == "\n":
            text = text.lstrip()
        if text:
            self._add(text)

    def _add(self, text: str) -> None:
        if self._current is None:
            self._open("p", [])
        self._current.runs.append((text, self._bold > 0, self._italic > 0))  # type: ignore[union-attr]

    def close(self) -> None:
        super().close()
        self._close()


CORE_PROPERTY_LIMIT = 255


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# What XML 1.0 (so a .docx) cannot hold: control characters but tab and line ends, lone
# surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """`text` with each character a .docx cannot hold (NUL, other control characters) as U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _docx_bytes(html: str, *, title: str, author: str, on: date | None) -> bytes:
    """A .docx of one rendered letter, byte-identical for the same input."""
    from datetime import datetime

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    parser = _LetterHTML()
    parser.feed(html)
    parser.close()
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(22)
    section.top_margin = section.bottom_margin = Mm(20)
    style = document.styles["Normal"]
    style.font.name = "Georgia"
    style.font.size = Pt(11)
    for para in parser.paragraphs:
        paragraph = document.add_paragraph(style="List Bullet" if para.bullet else None)
        if para.right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for text, bold, italic in para.runs:
            if text == "\n":
                paragraph.add_run().add_break()
                continue
            run = paragraph.add_run(_xml_text(text))
            run.bold = bold or None
            run.italic = italic or None
    props = document.core_properties
    stamp = datetime(on.year, on.month, on.day) if on else datetime(2000, 1, 1)
    # Word's core properties hold at most 255 characters: a long name is cut, never a failed week.
    title = _cut(_xml_text(title), CORE_PROPERTY_LIMIT)
    author = _cut(_xml_text(author), CORE_PROPERTY_LIMIT)
    props.title, props.author, props.last_modified_by = title, author, author
    props.created = props.modified = stamp
    props.revision = 1
    raw = io.BytesIO()
    document.save(raw)
    # python-docx stamps each zip member with the current time: rewrite them with a fixed
    # time so that rerunning a week gives the same bytes.
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def _safe_name(text: str) -> str:
    # A file name holds at most 255 bytes: a long client id is cut (the NNN- prefix keeps names apart).
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._")[:80].rstrip("._") or "client"


def write_letters_docx(
    plan: ContactPlan,
    week: str,
    out_dir: Path | str,
    *,
    template: Path | str | None = None,
    channel: WrittenChannel = "letter",
    firm: str = "our firm",
    sender: Sender | str = "",
) -> list[Path]:
    """Write each of the week's letters as an editable .docx (A4) into `out_dir`.

    The letter is the template's rendering (the same text as
    :func:`render_letters_html`), turned into Word paragraphs: ``<p>`` a
    paragraph, ``<br>`` a line break, ``<strong>``/``<em>`` bold/italic,
    ``<li>`` a bullet, ``class="right"`` right-aligned.

    Returns
    -------
    list of Path
        ``NNN-<client_id>.docx`` in the week's order.
    """
    folder = make_folder(out_dir)
    docs = _letters_docx(plan, week, template=template, channel=channel, firm=firm, sender=sender)
    return [atomic_write_bytes(folder / name, data) for name, data in docs.items()]


def _letters_docx(
    plan: ContactPlan,
    week: str,
    *,
    template: Path | str | None,
    channel: WrittenChannel = "letter",
    firm: str,
    sender: Sender | str,
) -> dict[str, bytes]:
    """``NNN-<client_id>.docx`` -> its bytes, in the week's order."""
    week_monday(week)
    fields = letter_fields(plan, week, channel=channel, firm=firm, sender=sender)
    letters = _render(template, "letter.html.j2", [_escaped(f) for f in fields])
    rows = _week_rows(plan, week, [channel])
    out = {}
    for i, (context, html) in enumerate(zip(fields, letters, strict=True)):
        name = f"{i + 1:03d}-{_safe_name(context['client_id'])}.docx"
        out[name] = _docx_bytes(
            html,
            title=f"Letter to {context['full_name'] or context['company'] or context['client_id']}",
            author=context["sender"] or firm,
            on=_day(rows.loc[i, PLANNED_ON]),
        )
    return out


# --- e-mail drafts -------------------------------------------------------------------------


def email_subject(fields: Mapping[str, Any]) -> str:
    """The subject line of a client's e-mail, from its letter fields.

    >>> email_subject({"first_name": "Ann", "firm": "Pike & Okoye"})
    'Ann, it has been too long'
    >>> email_subject({"first_name": "", "firm": "Pike & Okoye"})
    'It has been too long: a note from Pike & Okoye'
    """
    first = fields.get("first_name") or ""
    if first:
        return f"{first}, it has been too long"
    return f"It has been too long: a note from {fields['firm']}"


_HEADER_BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")


def _header_text(text: str) -> str:
    """`text` on one line: a line break in a header would start another header."""
    return _HEADER_BREAKS.sub(" ", text).strip()


def _address(display: str, address: str) -> Any:
    """An e-mail address with its display name, or None when `address` is not one.

    A domain in other letters than ASCII (``exämple.com``) is written as the
    DNS knows it (IDNA); a mailbox name in them cannot go in a header, and
    such an address is left out (None).
    """
    from email.errors import HeaderParseError
    from email.headerregistry import Address

    address = address.strip()
    if not EMAIL_ADDRESS.fullmatch(address):
        return None
    mailbox, _, domain = address.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii")
        return Address(display_name=_header_text(display), username=mailbox, domain=domain)
    except (ValueError, IndexError, HeaderParseError, UnicodeError):
        return None


def _plain_text(html: str) -> str:
    """The text of a rendered e-mail, paragraph by paragraph (what a mail client without HTML shows)."""
    parser = _LetterHTML()
    parser.feed(html)
    parser.close()
    paragraphs = ["".join(text for text, _, _ in para.runs) for para in parser.paragraphs]
    return "\n\n".join(p.replace(" \n", "\n").strip() for p in paragraphs) + "\n"


def _eml_bytes(fields: Mapping[str, Any], html: str, *, sender: Sender, on: date | None) -> bytes:
    """One e-mail draft (plain text and HTML), byte-identical for the same input."""
    import hashlib
    from datetime import datetime
    from email import policy
    from email.message import EmailMessage
    from email.utils import format_datetime

    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = _header_text(email_subject(fields))
    if sender.email:
        writer = _address(fields["sender"] or fields["firm"], sender.email)
        if writer is not None:
            message["From"] = writer
    to = _address(fields["full_name"] or fields["company"], fields["email"])
    if to is not None:  # an address that is none stays out of To (the e-mail merge has it as typed)
        message["To"] = to
    if on is not None:
        message["Date"] = format_datetime(datetime(on.year, on.month, on.day, 9, 0))
    message["X-Unsent"] = "1"  # mail clients open it as a draft to send
    text = _plain_text(html)
    message.set_content(_xml_text(text))
    message.add_alternative(html, subtype="html")
    # A fixed boundary: rerunning a week gives the same bytes.
    digest = hashlib.sha256((text + html).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    message.set_boundary(f"reconnect-{digest}")
    return message.as_bytes()


def email_drafts(
    plan: ContactPlan,
    week: str,
    *,
    firm: str = "our firm",
    sender: Sender | str = "",
) -> dict[str, bytes]:
    """The week's e-mails as drafts a mail client opens, ``NNN-<client_id>.eml`` -> bytes.

    Each holds a plain-text and an HTML part (:data:`EMAIL_TEMPLATE`: the six
    parts of the letter at e-mail length, every field escaped), a Subject
    (:func:`email_subject`), To (the client's address), From (`sender`'s
    e-mail, when given), the day the plan sends it as Date, and ``X-Unsent:
    1`` so that it opens as a draft. Sent by whoever signs it: the account
    owner, else `sender`'s signer.

    Examples
    --------
    >>> from email import message_from_bytes, policy
    >>> from reconnect_lib.plan import contact_plan
    >>> scored = pd.DataFrame({"client_id": ["a"], "name": ["Ann Lee"], "email": ["ann@example.com"],
    ...                        "dormancy_bucket": ["1–2 years"], "bucket_order": [2], "due": [True],
    ...                        "value_score": [500.0]})
    >>> plan = contact_plan(scored, as_of=date(2026, 11, 23), channels=["email"])
    >>> dan = Sender("Dan", email="dan@example.com")
    >>> drafts = email_drafts(plan, "2026-W48", firm="Pike & Okoye", sender=dan)
    >>> draft = message_from_bytes(drafts["001-a.eml"], policy=policy.default)
    >>> draft["Subject"], draft["To"], draft["From"]
    ('Ann, it has been too long', 'Ann Lee <ann@example.com>', 'Dan <dan@example.com>')
    >>> draft.get_body(("plain",)).get_content().splitlines()[0]
    'Dear Ann,'
    """
    week_monday(week)
    who = Sender.of(sender)
    fields = letter_fields(plan, week, channel="email", firm=firm, sender=who)
    for f in fields:
        f["subject"] = email_subject(f)
    pages = _render(None, EMAIL_TEMPLATE, [_escaped(f) for f in fields])
    rows = _week_rows(plan, week, ["email"])
    return {
        f"{i + 1:03d}-{_safe_name(f['client_id'])}.eml": _eml_bytes(
            f, html, sender=who, on=_day(rows.loc[i, PLANNED_ON])
        )
        for i, (f, html) in enumerate(zip(fields, pages, strict=True))
    }


# --- call sheet ----------------------------------------------------------------------------


def talking_points(row: Mapping[str, Any], *, on: date) -> list[str]:
    """A few things to say or ask on the call, from what the plan knows of the client.

    An open problem from the outcome log comes first (with its note when there
    is one), then the time since the client was last in touch, what they bought,
    and their RFM segment.
    """
    points = []
    note = _text(row.get(NOTE))
    if bool(row.get(OPEN_PROBLEM)) is True:
        points.append(
            f"Open problem: {note}" if note else "Open problem in the outcome log: ask about it first"
        )
    elif note:
        points.append(f"Note: {note}")
    days = _days_silent(row, on)
    last = _last_in_touch(row)
    if last is not None:
        points.append(f"Silent for {silent_for(days)} (last in touch {month_year(last)}): apologise for that")
    purchases = row.get(N_PURCHASES)
    if purchases is not None and not pd.isna(purchases) and int(purchases) > 0:
        since = _day(row.get(CLIENT_SINCE)) or _day(row.get(FIRST_PURCHASE))
        n = int(purchases)
        when = (f", in {since.year}" if n == 1 else f", first in {since.year}") if since else ""
        points.append(f"Worked with us {times(n)}{when}: ask how that went and what they need now")
    segment = _text(row.get(RFM_SEGMENT))
    if segment:
        points.append(f"Segment: {segment}")
    return points


def _call_records(
    plan: ContactPlan, week: str, *, currency: str | None = None, locale: str | None = None
) -> list[dict[str, Any]]:
    records = []
    for row in _week_rows(plan, week, ["call", "follow_up_call"]).to_dict("records"):
        day = _day(row[PLANNED_ON])
        follow_up = row[ACTION] == "follow_up_call"
        contact_on = _day(row.get(CONTACT_ON))
        first = _text(row.get("channel")) if not follow_up else ""
        if follow_up:
            gift = " and a small gift" if _day(row.get(GIFT_ON)) else ""
            following = f"Our letter of {long_date(contact_on)} promised this call{gift}"
        else:
            following = "First contact: no letter before this call" if first == "phone" else ""
        purchases = row.get(N_PURCHASES)
        bought = []
        if purchases is not None and not pd.isna(purchases):
            bought.append(counted(int(purchases), "purchase"))
        revenue = _number(row.get(TOTAL_REVENUE))
        if revenue is not None:
            bought.append(f"{_money(revenue, currency, locale)} in total")
        last_purchase = _day(row.get(LAST_PURCHASE))
        if last_purchase:
            bought.append(f"last {month_year(last_purchase)}")
        last = _last_in_touch(row)
        records.append(
            {
                "order": int(row[WEEK_ORDER]),
                "day": f"{day:%a} {long_date(day)}" if day else "",
                "iso_day": day.isoformat() if day else "",
                "action": "Follow-up call" if follow_up else "Call",
                "client_id": _text(row[CLIENT_ID]),
                "name": _text(row.get(NAME)),
                "company": _text(row.get(COMPANY)),
                "phone": _text(row.get(PHONE)),
                "email": _text(row.get(EMAIL)),
                "account_owner": _text(row.get(ACCOUNT_OWNER)),
                "last_in_touch": last.isoformat() if last else "",
                "silent_for": silent_for(_days_silent(row, day)) if day else "",
                "bought": ", ".join(bought),
                "bucket": _text(row.get(DORMANCY_BUCKET)),
                "value_at_stake": _number(row.get(VALUE_AT_STAKE)),
                "expected_value": _number(row.get(EXPECTED_VALUE)),
                "value": _money(_number(row.get(VALUE_AT_STAKE)), currency, locale),
                "following_up": following,
                "talking_points": talking_points(row, on=day) if day else [],
                "open_problem": bool(row.get(OPEN_PROBLEM)) is True,
            }
        )
    return records


def call_sheet(
    plan: ContactPlan, week: str, *, currency: str | None = None, locale: str | None = None
) -> pd.DataFrame:
    """The week's calls (follow-ups and first calls), one row per call, in the day's order.

    ``WhatTheyBought`` gives the client's revenue in `currency` (``[campaign]
    currency``, with the separators of `locale`); ``ValueAtStake`` and
    ``ExpectedValue`` are plain numbers to the cent.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CALL_SHEET_COLUMNS`: ``Order``, ``Day`` (ISO date),
        ``Action``, ``ClientID``, ``Name``, ``Company``, ``Phone``, ``Email``,
        ``AccountOwner``, ``LastInTouch`` (ISO date), ``SilentFor``,
        ``WhatTheyBought``, ``Bucket``, ``ValueAtStake`` and ``ExpectedValue``
        (float64, a year), ``FollowingUp`` (the letter's promise),
        ``TalkingPoints`` (joined with ``"; "``), ``OpenProblem``
        (``Yes``/``No``), and an empty ``Outcome`` for the caller, then an empty
        ``IntroducedSomeone`` where the caller writes the name and phone of anyone
        the client introduced (recorded as a ``referral`` of this client).

    Examples
    --------
    >>> from reconnect_lib.plan import contact_plan
    >>> scored = pd.DataFrame({"client_id": ["a"], "name": ["Ann Lee"], "dormancy_bucket": ["1–2 years"],
    ...                        "bucket_order": [2], "due": [True], "value_score": [500.0]})
    >>> plan = contact_plan(scored, as_of=date(2026, 11, 23))
    >>> call_sheet(plan, "2026-W49").loc[0, ["Day", "Name", "FollowingUp"]].tolist()
    ['2026-11-30', 'Ann Lee', 'Our letter of 23 November 2026 promised this call']
    """
    records = _call_records(plan, week, currency=currency, locale=locale)
    table = pd.DataFrame(
        {
            "Order": pd.Series([r["order"] for r in records], dtype="int64"),
            "Day": [r["iso_day"] for r in records],
            "Action": [r["action"] for r in records],
            "ClientID": [r["client_id"] for r in records],
            "Name": [r["name"] for r in records],
            "Company": [r["company"] for r in records],
            "Phone": [r["phone"] for r in records],
            "Email": [r["email"] for r in records],
            "AccountOwner": [r["account_owner"] for r in records],
            "LastInTouch": [r["last_in_touch"] for r in records],
            "SilentFor": [r["silent_for"] for r in records],
            "WhatTheyBought": [r["bought"] for r in records],
            "Bucket": [r["bucket"] for r in records],
            "ValueAtStake": pd.Series([r["value_at_stake"] for r in records], dtype="float64").round(2),
            "ExpectedValue": pd.Series([r["expected_value"] for r in records], dtype="float64").round(2),
            "FollowingUp": [r["following_up"] for r in records],
            "TalkingPoints": ["; ".join(r["talking_points"]) for r in records],
            "OpenProblem": ["Yes" if r["open_problem"] else "No" for r in records],
            "Outcome": [""] * len(records),
            "IntroducedSomeone": [""] * len(records),
        },
        columns=list(CALL_SHEET_COLUMNS),
    )
    for column in CALL_SHEET_COLUMNS:
        if column not in ("Order", "ValueAtStake", "ExpectedValue"):
            table[column] = table[column].astype("str")
    return table


def render_call_sheet_html(
    plan: ContactPlan,
    week: str,
    *,
    firm: str = "our firm",
    currency: str | None = None,
    locale: str | None = None,
) -> str:
    """The week's call sheet as a printable HTML page (A4 landscape), every field escaped.

    Amounts are shown in `currency` with the separators of `locale` (plain numbers without one).
    """
    records = _call_records(plan, week, currency=currency, locale=locale)
    (page,) = _render(
        None,
        CALL_SHEET_TEMPLATE,
        [
            {
                "calls": records,
                "week": week,
                "week_start": long_date(week_monday(week)),
                "firm": isolate_bidi(firm),
            }
        ],
    )
    return page


# --- one week's folder ---------------------------------------------------------------------

PLAN_MANIFEST = ".reconnect-plan.json"
# The files of a week written before the manifest existed, so that such a week can be rerun.
_PLAN_FILES = re.compile(
    r"(plan|excluded|holdout|call_sheet|mail_merge|email_merge)\.csv|(call_sheet|letters)\.html"
    r"|letters/\d{3,}-[A-Za-z0-9_.-]+\.docx|emails/\d{3,}-[A-Za-z0-9_.-]+\.eml"
)


def write_week(
    plan: ContactPlan,
    week: str,
    out_dir: Path | str,
    *,
    template: Path | str | None = None,
    firm: str = "our firm",
    sender: Sender | str = "",
    currency: str | None = None,
    locale: str | None = None,
) -> dict[str, Path]:
    """Write the plan and the week's call sheet, mail merge and letters into `out_dir`, atomically.

    The call sheet shows amounts in `currency` (``[campaign] currency``) with
    the separators of `locale`; the CSV files hold money to the cent.

    Files: ``plan.csv`` (the whole plan, :data:`PLAN_CSV_COLUMNS`),
    ``excluded.csv`` (who is not planned and why), ``holdout.csv``,
    ``call_sheet.csv`` and ``call_sheet.html``, ``mail_merge.csv``,
    ``letters.html`` and ``letters/NNN-<client_id>.docx``; plus
    ``email_merge.csv`` and ``emails/NNN-<client_id>.eml`` (:func:`email_drafts`)
    when the week has e-mails. CSV files are UTF-8 with a
    byte-order mark (so a spreadsheet reads accents and dashes right) and every
    text field neutralised.

    `out_dir` must be absent, empty, or written by an earlier ``write_week``:
    its manifest (:data:`PLAN_MANIFEST`) lists the files written, and a rerun
    replaces exactly those and leaves anything else there alone. A folder
    holding other files is refused with a
    :class:`~reconnect_lib.files.WriteError` and left unchanged. Every file is
    rendered before anything is written (a bad template changes nothing), then
    written to a scratch folder inside `out_dir` and moved into place, so each
    file is the old one or the new one, never half; see
    :func:`reconnect_lib.files.write_owned_folder`. Rerunning gives identical
    CSV, HTML and .docx bytes.

    Returns
    -------
    dict
        File label (``plan``, ``excluded``, ``holdout``, ``call_sheet``,
        ``call_sheet_html``, ``mail_merge``, ``letters_html``, ``letters_docx``
        (the folder), maybe ``email_merge`` and ``email_drafts`` (the folder))
        -> path inside `out_dir`.
    """
    week_monday(week)
    files, names = _week_files(
        plan, week, template=template, firm=firm, sender=sender, currency=currency, locale=locale
    )
    target = Path(out_dir)
    write_owned_folder(
        target,
        files,
        manifest=PLAN_MANIFEST,
        what="reconnect plan",
        option="--out",
        legacy_temps=re.compile(re.escape(f".tmp-{target.name}-") + r"(old-)?[a-z0-9_]{8}"),
        adopt=_PLAN_FILES,
        names=_PLAN_FILES,
    )
    return {label: target / name for label, name in names.items()}


def _week_files(
    plan: ContactPlan,
    week: str,
    *,
    template: Path | str | None,
    firm: str,
    sender: Sender | str,
    currency: str | None = None,
    locale: str | None = None,
) -> tuple[dict[str, bytes], dict[str, str]]:
    """The week's files (relative path -> bytes) and their labels (label -> relative path)."""
    files: dict[str, bytes] = {}

    def csv(name: str, frame: pd.DataFrame) -> str:
        files[name] = to_csv_text(frame).encode("utf-8-sig")
        return name

    def text(name: str, content: str) -> str:
        files[name] = content.encode("utf-8")
        return name

    actions = plan.with_details(plan.actions)
    columns = [c for c in PLAN_CSV_COLUMNS if c in actions.columns]
    letters_html = render_letters_html(plan, week, template=template, firm=firm, sender=sender)
    names = {
        "plan": csv("plan.csv", actions[columns]),
        "excluded": csv("excluded.csv", plan.excluded),
        "holdout": csv("holdout.csv", plan.holdout),
        "call_sheet": csv("call_sheet.csv", call_sheet(plan, week, currency=currency, locale=locale)),
        "call_sheet_html": text(
            "call_sheet.html",
            render_call_sheet_html(plan, week, firm=firm, currency=currency, locale=locale),
        ),
        "mail_merge": csv("mail_merge.csv", mail_merge(plan, week, firm=firm, sender=sender)),
        "letters_html": text("letters.html", letters_html),
    }
    for name, data in _letters_docx(plan, week, template=template, firm=firm, sender=sender).items():
        files[f"letters/{name}"] = data
    names["letters_docx"] = "letters"
    emails = mail_merge(plan, week, channel="email", firm=firm, sender=sender)
    if len(emails):
        names["email_merge"] = csv("email_merge.csv", emails)
        for name, data in email_drafts(plan, week, firm=firm, sender=sender).items():
            files[f"emails/{name}"] = data
        names["email_drafts"] = "emails"
    return files, names


def _check_channel(channel: object) -> None:
    if channel not in ("letter", "email"):
        raise ConfigError(f"channel={channel!r} is not a known choice", expected="one of 'letter', 'email'")
