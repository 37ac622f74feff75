"""Deterministic sample data: two fictional firms that reproduce the field reports.

``consulting-firm``
    A service business with just over 500 past clients and ten years of
    invoices, most of whom have not heard from it in over 6 months and some in
    over 3 years: the "reconnection by letter" story.
``financial-planner``
    A financial-planning group whose 3,000 lapsed clients were all called or
    emailed in a win-back campaign; a little over half renewed and the rest
    moved on or had a change of circumstances, for reasons recorded in an
    outcome log: the "win-back by phone and email" story. A few percent of
    those who renewed introduced someone (``referral`` events); some of the
    people introduced are in the client list already, with their first purchase.

Everything is drawn from one :class:`numpy.random.Generator` seeded by the
caller and passed down explicitly, and every date is computed from ``as_of``,
so the same ``seed`` and ``as_of`` give byte-identical files. All names,
companies, addresses, e-mail addresses (``example.com``/``.org``/``.net``) and
phone numbers (Ofcom's ranges reserved for drama) are fictitious.

Example
-------
>>> from reconnect_lib.sample import generate_sample
>>> data = generate_sample(firm="financial-planner")
>>> data.outcomes["kind"].eq("contacted").sum(), data.campaign_start.isoformat()
(np.int64(3000), '2026-03-02')
>>> referred = data.outcomes["referred_client_id"].dropna()
>>> bool(referred.isin(data.clients["client_id"]).all()), len(data.clients) == 3000 + len(referred)
(True, True)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final, Literal

import numpy as np
import pandas as pd

from . import schema as s
from .config import DEFAULT_EDGES_MONTHS
from .errors import ConfigError
from .files import write_owned_folder

__all__ = [
    "DEFAULT_AS_OF",
    "DEFAULT_REPORTS_FOLDER",
    "DEFAULT_SEED",
    "FIRMS",
    "REPOSITORY_REPORTS_FOLDER",
    "Firm",
    "SampleData",
    "generate_sample",
    "write_sample",
]

Firm = Literal["consulting-firm", "financial-planner"]
FIRMS: Final[tuple[str, ...]] = ("consulting-firm", "financial-planner")
DEFAULT_SEED: Final = 2026
DEFAULT_AS_OF: Final = date(2026, 11, 23)
# Relative to the sample folder: reports/ beside its campaign.toml, wherever the sample is written.
DEFAULT_REPORTS_FOLDER: Final = "reports"
#: The repository's own samples (data/sample/<firm>/) send their reports to the repository's reports/.
REPOSITORY_REPORTS_FOLDER: Final = "../../../reports"

#: Who writes each sample firm's letters and e-mails (``[sender]``): the partners the
#: firm is named after, phone numbers in Ofcom's drama ranges, addresses on reserved domains.
_SENDERS: Final = {
    "consulting-firm": {
        "firm": "Pike & Okoye",
        "signer": "Daniel Okoye",
        "role": "Director",
        "phone": "0113 496 0000",
        "email": "office@pike-okoye.example",
    },
    "financial-planner": {
        "firm": "Reeve & Blake Financial Planning",
        "signer": "Jonathan Reeve",
        "role": "Managing Partner",
        "phone": "029 2018 0000",
        "email": "office@reeve-blake.example",
    },
}

CAMPAIGN_ID: Final = "winback-2026"
# The planner's campaign started 38 weeks before as_of (2026-03-02 for the default
# as_of), which leaves room for ~19 weeks of calls and the slowest decisions.
CAMPAIGN_WEEKS_BEFORE_AS_OF: Final = 38
CAMPAIGN_CONTACT_WEEKDAYS: Final = 95  # first attempts spread over 19 working weeks
PLANNER_CLIENTS: Final = 3000
PLANNER_RENEWED: Final = 1530  # 51.0 %: "over 50 % signed up again"
#: Chance that a renewed client introduces someone ("a few percent", as such campaigns report).
PLANNER_REFERRAL_SHARE: Final = 0.04
#: Of the referrals, the share whose new client is in the client list by as_of (named by
#: ``referred_client_id``, with their first purchase), and of the others the share whose
#: first amount the staff recorded on the event.
_REFERRAL_LINKED: Final = 0.4
_REFERRAL_WITH_AMOUNT: Final = 0.4

CLIENT_COLUMNS: Final = (
    s.CLIENT_ID,
    s.NAME,
    s.COMPANY,
    s.EMAIL,
    s.PHONE,
    s.ADDRESS_LINE1,
    s.ADDRESS_LINE2,
    s.CITY,
    s.REGION,
    s.POSTCODE,
    s.COUNTRY,
    s.ACCOUNT_OWNER,
    s.CLIENT_SINCE,
    s.DO_NOT_CONTACT,
)
TRANSACTION_COLUMNS: Final = (s.CLIENT_ID, s.DATE, s.AMOUNT, s.INVOICE_ID)
CONTACT_COLUMNS: Final = (s.CLIENT_ID, s.DATE, s.CHANNEL)
OUTCOME_COLUMNS: Final = (*s.EVENT_RECORD_COLUMNS, s.REFERRED_CLIENT_ID)

_EPOCH = date(1970, 1, 1)

# Days since the latest contact or purchase, per dormancy bucket: (clients, lowest, highest).
# Each range keeps >= 10 days away from the bucket edges (6, 12, 24, 36 months), so any
# reasonable month arithmetic puts every client in the intended bucket.
_CONSULTING_BUCKETS: Final = (
    (58, 2, 170),
    (96, 195, 355),
    (142, 375, 720),
    (130, 740, 1085),
    (106, 1106, 3300),
)
# For the planner, measured at the campaign start; all lapsed, so no active bucket.
_PLANNER_BUCKETS: Final = ((870, 195, 355), (960, 375, 720), (660, 740, 1085), (510, 1106, 2600))
# Chance of renewing by planner bucket (used as sampling odds: recent lapses come back more).
_PLANNER_RENEW_CHANCE: Final = (0.64, 0.54, 0.44, 0.34)

# Buying rhythm of the consulting firm's clients: days between invoices, and share of clients.
_RHYTHM_DAYS: Final = np.array([30, 91, 182, 365, 540])
_RHYTHM_SHARE: Final = np.array([0.12, 0.25, 0.20, 0.30, 0.13])

_CONTACT_CHANNELS: Final = ("letter", "phone", "email", "visit", "gift", "other")
_CONTACT_SHARE: Final = np.array([0.15, 0.40, 0.30, 0.12, 0.02, 0.01])

# (name, joined N days before as_of, left N days before as_of or None).
# Clients keep the owner they were given; those of staff who left show the
# "owner no longer involved" story.
_CONSULTING_STAFF: Final = (
    ("Margaret Ellison", 6000, None),
    ("Graham Pike", 5000, 1970),
    ("Daniel Okoye", 4400, None),
    ("Sunita Rao", 3300, 965),
    ("Tom Hadley", 2200, None),
    ("Eleanor Marsh", 1150, None),
)
_PLANNER_STAFF: Final = (
    ("Jonathan Reeve", 7000, None),
    ("Catherine Blake", 6500, 2400),
    ("Marcus Bello", 5200, None),
    ("Fiona Gallagher", 4600, 700),
    ("Ravi Chandran", 3500, None),
    ("Alison Kerr", 2600, None),
    ("Owen Pritchard", 1500, None),
)
_PLANNER_CALLERS: Final = ("Priya Shah", "Tom Whitlock", "Hannah Okafor")
_PLANNER_EMAILERS: Final = ("Rachel Dunmore", "Priya Shah")

_FIRST_NAMES: Final = (
    "Aisha", "Alan", "Alice", "Amir", "Andrew", "Anna", "Ben", "Beth", "Carl", "Chloé", "Chris",
    "Claire", "Colin", "Dan", "Deborah", "Dev", "Eilidh", "Emma", "Fatima", "Gareth", "Grace",
    "Hamish", "Helen", "Ian", "Imran", "Isla", "Jack", "James", "Jane", "Joanne", "José", "Karen",
    "Kate", "Kwame", "Laura", "Leah", "Liam", "Lucy", "Mark", "Martin", "Mei", "Mohammed", "Naomi",
    "Neil", "Niamh", "Nikhil", "Olivia", "Oscar", "Paul", "Peter", "Rachel", "Rhys", "Rosa", "Ruth",
    "Sam", "Sarah", "Seán", "Siân", "Simon", "Sophie", "Stuart", "Tariq", "Tom", "Victoria", "Wei",
    "Yusuf", "Zoë",
)  # fmt: skip
_SURNAMES: Final = (
    "Abbott", "Adeyemi", "Ahmed", "Ainsworth", "Barker", "Bhatt", "Blackwood", "Boyle", "Brennan",
    "Carter", "Chen", "Collins", "Cunningham", "Dalton", "Das", "Donnelly", "Drummond", "Egan",
    "Evans", "Farrow", "Fielding", "Fraser", "Gill", "Goodwin", "Hale", "Hargreaves", "Hartley",
    "Hussain", "Iqbal", "Jennings", "Kaur", "Kelly", "Kennedy", "Khan", "Lambert", "Lawson", "Lloyd",
    "MacLeod", "Marsden", "McAllister", "Mensah", "Moss", "Nash", "Nowak", "O'Brien", "O'Neill",
    "Okafor", "Osei", "Parry", "Patel", "Pearson", "Quinn", "Rahman", "Rees", "Robertson",
    "Sandhu", "Schofield", "Shaw", "Sinclair", "Singh", "Stewart", "Sutton", "Thornton", "Turner",
    "Varga", "Walsh", "Wang", "Webster", "Whitaker", "Wilkinson", "Wong", "Yates", "Young",
)  # fmt: skip
_TRADES: Final = (
    "Joinery", "Engineering", "Dental Practice", "Bakery", "Architects", "Logistics", "Print",
    "Interiors", "Veterinary Clinic", "Accountants", "Garden Centre", "Builders", "Opticians",
    "Recruitment", "Catering", "Electrical", "Plumbing & Heating", "Brewing Co", "Design Studio",
    "Physiotherapy", "Removals", "Landscaping", "Signs", "Cycles", "Florist",
)  # fmt: skip
_ADJECTIVES: Final = (
    "Amber", "Bright", "Copper", "Daisy", "Elm", "Fern", "Granite", "Harbour", "Iron", "Juniper",
    "Kestrel", "Linden", "Maple", "Northern", "Oak", "Pennine", "Quarry", "Riverside", "Silver",
    "Thistle", "Valley", "Willow",
)  # fmt: skip
_NOUNS: Final = ("Bridge", "Mill", "Field", "Gate", "Works", "Yard", "Court", "Lane", "House", "Wharf")
_COMPANY_SUFFIXES: Final = (" Ltd", " Ltd", " LLP", "", " & Co")
_STREETS: Final = (
    "Acacia", "Albion", "Alma", "Beech", "Bridge", "Chapel", "Church", "Clarence", "Cross",
    "Dale", "Elm", "Fountain", "George", "Grange", "Hawthorn", "High", "Hill", "Holly", "King",
    "Lime", "Manor", "Market", "Meadow", "Mill", "Nelson", "Orchard", "Park", "Primrose", "Princess",
    "Queen", "Railway", "Regent", "School", "Station", "Tannery", "Victoria", "Water", "Wellington",
    "Westgate", "Windsor",
)  # fmt: skip
_STREET_TYPES: Final = ("Road", "Street", "Lane", "Avenue", "Close", "Way", "Terrace", "Gardens", "Drive")
_LINE2_PATTERNS: Final = ("Flat {n}", "Suite {n}", "Unit {n}", "Apartment {n}")
_LOCALITIES: Final = ("Hillside", "Old Town", "Westfield", "Northbrook", "Eastgate", "Southview")

# (city, region, postcode areas, first and last district, landline format with a
# 000-999 slot). The landline ranges are those Ofcom reserves for drama.
_CITIES: Final = (
    ("Leeds", "West Yorkshire", ("LS",), 1, 29, "0113 496 0{:03d}"),
    ("Sheffield", "South Yorkshire", ("S",), 1, 36, "0114 496 0{:03d}"),
    ("Nottingham", "Nottinghamshire", ("NG",), 1, 25, "0115 496 0{:03d}"),
    ("Leicester", "Leicestershire", ("LE",), 1, 19, "0116 496 0{:03d}"),
    ("Bristol", "Bristol", ("BS",), 1, 16, "0117 496 0{:03d}"),
    ("Reading", "Berkshire", ("RG",), 1, 31, "0118 496 0{:03d}"),
    ("Birmingham", "West Midlands", ("B",), 1, 38, "0121 496 0{:03d}"),
    ("Edinburgh", "City of Edinburgh", ("EH",), 1, 17, "0131 496 0{:03d}"),
    ("Glasgow", "Glasgow City", ("G",), 1, 34, "0141 496 0{:03d}"),
    ("Liverpool", "Merseyside", ("L",), 1, 25, "0151 496 0{:03d}"),
    ("Manchester", "Greater Manchester", ("M",), 1, 40, "0161 496 0{:03d}"),
    ("London", "Greater London", ("N", "E", "SE", "SW", "W", "NW"), 1, 20, "020 7946 0{:03d}"),
    ("Cardiff", "Cardiff", ("CF",), 3, 24, "029 2018 0{:03d}"),
    ("Newcastle upon Tyne", "Tyne and Wear", ("NE",), 1, 15, "0191 498 0{:03d}"),
    ("York", "North Yorkshire", ("YO",), 1, 32, "01632 960{:03d}"),
)
_MOBILE_FORMAT: Final = "07700 900{:03d}"
_CONSULTING_CITY_WEIGHTS: Final = np.array([30, 8, 4, 3, 3, 2, 5, 2, 2, 3, 8, 6, 1, 3, 10], dtype=float)
_PLANNER_CITY_WEIGHTS: Final = np.array([3, 3, 3, 3, 20, 14, 6, 3, 3, 3, 5, 12, 10, 3, 9], dtype=float)
_EMAIL_DOMAINS: Final = ("example.com", "example.org", "example.net")
_INWARD_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"  # the letters UK inward codes use

_NOTES: Final[dict[tuple[str, str], tuple[str, ...]]] = {
    ("contacted", "phone"): (
        "Spoke to the client; apologised for the silence.",
        "Call: explained what has changed since we last spoke.",
        "Caught up on the phone; went through the new review service.",
    ),
    ("contacted", "email"): (
        "Win-back email sent with the new service summary.",
        "Personal email sent by the adviser team.",
    ),
    ("no_answer", "phone"): ("No answer; left a voicemail.", "No answer.", "Number rang out; will retry."),
    ("replied", "email"): ("Client replied by email.", "Reply received; asked for a call back."),
    ("renewed", ""): (
        "Renewed the annual plan.",
        "Signed up again; review booked.",
        "Renewed; glad we got in touch.",
    ),
    ("problem_raised", ""): (
        "Unhappy that last year's review never happened.",
        "Was invoiced twice last year.",
        "Never received the valuation report.",
    ),
    ("problem_fixed", ""): (
        "Credit note issued and apology sent.",
        "Review booked with a named adviser.",
        "Report re-sent and walked through it.",
    ),
    ("do_not_contact", ""): ("Asked not to be contacted again.",),
    ("lost", "fixable_problem"): (
        "Left over a problem we could have fixed; too late now.",
        "Still upset about the missed review.",
    ),
    ("lost", "competitor"): (
        "Now with another adviser closer to home.",
        "Moved to a platform with lower fees.",
    ),
    ("lost", "money"): ("Cannot justify the fee at the moment.", "Cutting back on costs this year."),
    ("lost", "invoicing_mistakes"): ("Fed up with repeated billing errors.", "Invoices wrong three times."),
    ("lost", "owner_not_involved"): (
        "Their adviser has left; no connection with the firm now.",
        "Only ever dealt with their old adviser.",
    ),
    ("lost", "moved"): ("Moved abroad.", "Moved out of the area."),
    ("lost", "circumstances"): (
        "Retired; finances much simpler now.",
        "Change in family circumstances; pausing planning.",
        "Business sold; no longer needs the service.",
    ),
    ("lost", "other"): ("No reason given.", "Did not want to say."),
}
# Why lost clients went, and how often (before adjusting for owners who left).
_LOST_REASON_SHARE: Final[dict[str, float]] = {
    "fixable_problem": 0.07,
    "competitor": 0.22,
    "money": 0.17,
    "invoicing_mistakes": 0.08,
    "owner_not_involved": 0.10,
    "moved": 0.12,
    "circumstances": 0.20,
    "other": 0.04,
}
_CIRCUMSTANCE_REASONS: Final = ("moved", "circumstances")


@dataclass(frozen=True, eq=False)
class SampleData:
    """One firm's generated tables, in the column vocabulary of :mod:`reconnect_lib.schema`.

    Attributes
    ----------
    firm, seed, as_of
        What was generated, from which seed, as of which date.
    clients
        One row per client: ``client_id`` ... ``do_not_contact`` (dates as datetime64).
        For the planner: the 3,000 lapsed clients of the campaign, then the people
        introduced by a referral who have since become clients.
    transactions
        ``client_id, date, amount, invoice_id``; refunds have negative amounts.
    contacts
        ``client_id, date, channel``: the contact history (for the planner, before
        the campaign only).
    outcomes
        The planner's campaign event log (``event_id, client_id, date, campaign,
        channel, kind, amount, reason, note, recorded_by, referred_client_id``);
        ``None`` for the consulting firm.
    campaign_start
        First day of the planner's win-back campaign; ``None`` for the consulting firm.
    """

    firm: str
    seed: int
    as_of: date
    clients: pd.DataFrame
    transactions: pd.DataFrame
    contacts: pd.DataFrame
    outcomes: pd.DataFrame | None = None
    campaign_start: date | None = None


def generate_sample(*, firm: Firm, seed: int = DEFAULT_SEED, as_of: date = DEFAULT_AS_OF) -> SampleData:
    """Generate one fictional firm's clients, transactions, contacts (and outcomes).

    Parameters
    ----------
    firm : {"consulting-firm", "financial-planner"}
        Which field report to reproduce.
    seed : int, default 2026
        Seed of the random generator; the same seed and ``as_of`` give the same data.
    as_of : datetime.date, default 2026-11-23
        The "today" of the sample: nothing is dated after it, and every date is
        placed relative to it.

    Returns
    -------
    SampleData
        The tables (see :class:`SampleData`); for the planner also the campaign log.

    Raises
    ------
    ConfigError
        If ``firm`` is not one of :data:`FIRMS`, ``seed`` is not a non-negative
        integer or ``as_of`` is not a date.

    Examples
    --------
    >>> data = generate_sample(firm="consulting-firm", seed=7)
    >>> list(data.transactions.columns)
    ['client_id', 'date', 'amount', 'invoice_id']
    >>> bool(data.transactions["date"].max() <= pd.Timestamp(data.as_of))
    True
    """
    firm, seed, as_of = _checked(firm, seed, as_of)
    rng = np.random.default_rng(seed)
    if firm == "consulting-firm":
        return _consulting_firm(rng, seed=seed, as_of=as_of)
    return _financial_planner(rng, seed=seed, as_of=as_of)


def write_sample(
    outdir: str | Path,
    *,
    firm: Firm,
    seed: int = DEFAULT_SEED,
    as_of: date = DEFAULT_AS_OF,
    reports_folder: str = DEFAULT_REPORTS_FOLDER,
) -> dict[str, Path]:
    """Write one firm's sample data, campaign.toml and README.md into ``outdir``.

    The folder is created if needed. It must be new, empty, or a sample written
    before: a rerun replaces the files the sample wrote and leaves any other
    file alone, and a folder holding other files (e.g. a real campaign's) is
    refused with a :class:`~reconnect_lib.files.WriteError`, so a sample never
    overwrites real data. Each file is replaced atomically. Output is
    byte-identical for the same arguments.

    Parameters
    ----------
    outdir : str or Path
        Folder to write into, e.g. ``data/sample/consulting-firm``.
    firm : {"consulting-firm", "financial-planner"}
        Which firm to generate.
    seed : int, default 2026
        Seed of the random generator.
    as_of : datetime.date, default 2026-11-23
        The sample's "today", also written to ``[campaign] as_of``.
    reports_folder : str, default "reports"
        ``[reports] folder`` of the campaign file, relative to ``outdir``: by
        default ``reports/`` beside campaign.toml, so a sample written anywhere
        keeps its reports with it. The repository's own samples are written with
        :data:`REPOSITORY_REPORTS_FOLDER` (the repository's top-level ``reports/``).

    Returns
    -------
    dict of str to Path
        ``clients``, ``transactions``, ``contacts``, ``outcomes`` (planner only),
        ``config`` (campaign.toml) and ``readme`` (README.md).

    Examples
    --------
    >>> import tempfile
    >>> from reconnect_lib.config import load_config
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_sample(tmp, firm="consulting-firm")
    ...     sorted(paths), load_config(paths["config"]).plan.capacity["letter"]
    (['clients', 'config', 'contacts', 'readme', 'transactions'], 10)
    """
    data = generate_sample(firm=firm, seed=seed, as_of=as_of)
    folder = Path(outdir)
    tables: dict[str, pd.DataFrame] = {
        "clients": data.clients,
        "transactions": data.transactions,
        "contacts": data.contacts,
    }
    if data.outcomes is not None:
        tables["outcomes"] = data.outcomes
    texts = {f"{key}.csv": _csv_text(frame) for key, frame in tables.items()}
    texts["campaign.toml"] = _campaign_toml(data, reports_folder=reports_folder)
    texts["README.md"] = _readme(data)
    write_owned_folder(
        folder,
        {name: text.encode("utf-8") for name, text in texts.items()},
        manifest=".reconnect-sample.json",
        what="reconnect sample",
        option="OUTDIR",
        adopt=_earlier_sample,
        names=re.compile("|".join(re.escape(name) for name in _SAMPLE_FILES)),
    )
    paths: dict[str, Path] = {key: folder / f"{key}.csv" for key in tables}
    paths["config"] = folder / "campaign.toml"
    paths["readme"] = folder / "README.md"
    return paths


_SAMPLE_FILES = frozenset(
    {"clients.csv", "transactions.csv", "contacts.csv", "outcomes.csv", "campaign.toml", "README.md"}
)


def _earlier_sample(folder: Path) -> list[str] | None:
    """The files of a sample written before samples kept a manifest (e.g. data/sample/<firm>)."""
    names = _SAMPLE_FILES
    try:
        files = [p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
        readme = (folder / "README.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if readme.startswith("# Sample: ") and set(files) <= names:
        return files
    return None


# --- boundary -------------------------------------------------------------------


def _checked(firm: object, seed: object, as_of: object) -> tuple[str, int, date]:
    if firm not in FIRMS:
        raise ConfigError(
            f"unknown sample firm {firm!r}",
            expected="one of " + ", ".join(FIRMS),
            hint="pass --firm consulting-firm or --firm financial-planner",
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(f"seed {seed!r} is not valid", expected="a whole number >= 0, e.g. 2026")
    if hasattr(as_of, "date") and callable(as_of.date):  # a datetime or Timestamp: keep the day
        as_of = as_of.date()
    if not isinstance(as_of, date):
        raise ConfigError(f"as_of {as_of!r} is not a date", expected="a datetime.date, e.g. 2026-11-23")
    return str(firm), int(seed), as_of


# --- the consulting firm -----------------------------------------------------------


def _consulting_firm(rng: np.random.Generator, *, seed: int, as_of: date) -> SampleData:
    today = _day(as_of)
    history_start = today - 3652  # ten years of invoices
    dormant = _dormancy_days(rng, _CONSULTING_BUCKETS)
    n = dormant.size
    last_activity = today - dormant
    # For some clients the last thing that happened was a call or visit after the last invoice.
    contact_last = rng.random(n) < 0.2
    last_purchase = last_activity - np.where(contact_last, rng.integers(3, 46, n), 0)

    one_off = rng.random(n) < 0.12
    room = last_purchase - history_start
    tenure = np.where(one_off, 0, np.floor(room * rng.beta(1.4, 1.0, n))).astype(np.int64)
    interval = _RHYTHM_DAYS[rng.choice(_RHYTHM_DAYS.size, n, p=_RHYTHM_SHARE)]
    regularity = np.where(interval <= 31, 25.0, 5.0)  # retainers are billed like clockwork
    first_purchase = last_purchase - tenure
    owner, offset = _regular_offsets(rng, tenure, interval, regularity)
    purchase_day = first_purchase[owner] + offset

    # Yearly spend is heavy-tailed (a few large accounts, many small ones); an invoice
    # is the share of a year its rhythm covers, a one-off job about half a year's worth.
    yearly = rng.lognormal(np.log(3200.0), 1.1, n)
    invoice_size = np.where(one_off, 0.5, interval / 365.0) * yearly
    amount = np.round(np.maximum(invoice_size[owner] * rng.lognormal(0.0, 0.2, owner.size), 40.0), 2)
    refund_owner, refund_day, refund_amount = _refunds(rng, owner, purchase_day, amount, last_purchase, 0.012)

    client_since = first_purchase - rng.integers(0, 22, n)
    client_id = _client_ids(rng, client_since)

    # Contacts are sparse: ~one every few years, never after the last activity.
    n_contacts = rng.poisson(0.3 + 0.3 * tenure / 365.0)
    c_owner = np.repeat(np.arange(n), n_contacts)
    span = last_purchase - first_purchase + 1
    c_day = first_purchase[c_owner] + np.floor(rng.random(c_owner.size) * span[c_owner]).astype(np.int64)
    c_channel = np.asarray(_CONTACT_CHANNELS)[
        rng.choice(len(_CONTACT_CHANNELS), c_owner.size, p=_CONTACT_SHARE)
    ]
    last_owner = np.flatnonzero(contact_last)
    last_channel = np.asarray(("phone", "email", "visit"))[rng.choice(3, last_owner.size, p=[0.5, 0.3, 0.2])]

    people = _people(rng, n, firm="consulting-firm", companies_share=1.0, email_share=0.97)
    clients = _clients_frame(
        client_id,
        people,
        account_owner=_account_owners(rng, client_since, today, _CONSULTING_STAFF),
        client_since=client_since,
        do_not_contact=rng.random(n) < 0.03,
    )
    transactions = _transactions_frame(
        client_id,
        owner=np.concatenate((owner, refund_owner)),
        day=np.concatenate((purchase_day, refund_day)),
        amount=np.concatenate((amount, refund_amount)),
    )
    contacts = _contacts_frame(
        client_id,
        owner=np.concatenate((c_owner, last_owner)),
        day=np.concatenate((c_day, last_activity[last_owner])),
        channel=np.concatenate((c_channel, last_channel)),
    )
    return SampleData(
        firm="consulting-firm",
        seed=seed,
        as_of=as_of,
        clients=clients,
        transactions=transactions,
        contacts=contacts,
    )


# --- the financial planner ---------------------------------------------------------


def _financial_planner(rng: np.random.Generator, *, seed: int, as_of: date) -> SampleData:
    today = _day(as_of)
    start = _campaign_start(as_of)
    start_day = _day(start)
    history_start = today - 14 * 365
    dormant = _dormancy_days(rng, _PLANNER_BUCKETS)
    n = dormant.size
    bucket = np.searchsorted([hi for _, _, hi in _PLANNER_BUCKETS], dormant)  # 0 = 6-12 months
    last_activity = start_day - dormant
    contact_last = rng.random(n) < 0.15
    last_renewal = last_activity - np.where(contact_last, rng.integers(5, 61, n), 0)

    # Yearly renewals back from the last one, a few days either side of the anniversary.
    years_room = (last_renewal - history_start) // 366
    n_renewals = 1 + np.minimum(years_room, rng.poisson(3.5, n))
    r_owner = np.repeat(np.arange(n), n_renewals)
    k = np.arange(r_owner.size) - np.repeat(np.cumsum(n_renewals) - n_renewals, n_renewals)
    jitter = np.where(k == 0, 0, rng.integers(-12, 13, r_owner.size))
    r_day = last_renewal[r_owner] - 365 * k + jitter
    fee = rng.lognormal(np.log(1300.0), 0.55, n)
    r_amount = np.round(fee[r_owner] * 1.035 ** (-k) * rng.lognormal(0.0, 0.03, r_owner.size), 2)
    first_renewal = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_renewal, r_owner, r_day)
    client_since = first_renewal - rng.integers(0, 31, n)

    # Occasional one-off advice fees between renewals.
    has_advice = rng.random(n) < 0.18
    a_owner = np.flatnonzero(has_advice)
    a_span = last_renewal[a_owner] - first_renewal[a_owner] + 1
    a_day = first_renewal[a_owner] + np.floor(rng.random(a_owner.size) * a_span).astype(np.int64)
    a_amount = np.round(rng.lognormal(np.log(650.0), 0.5, a_owner.size), 2)
    p_owner = np.concatenate((r_owner, a_owner))
    p_day = np.concatenate((r_day, a_day))
    p_amount = np.concatenate((r_amount, a_amount))
    refund_owner, refund_day, refund_amount = _refunds(rng, p_owner, p_day, p_amount, last_renewal, 0.007)

    # Pre-campaign contacts: an annual review before some renewals, and the odd email.
    review = rng.random(r_owner.size) < 0.55
    rv_owner = r_owner[review]
    rv_day = np.maximum(r_day[review] - rng.integers(0, 31, rv_owner.size), client_since[rv_owner])
    rv_channel = np.asarray(("visit", "phone", "email"))[rng.choice(3, rv_owner.size, p=[0.45, 0.4, 0.15])]
    extra = rng.poisson(0.1 + 0.2 * (last_renewal - first_renewal) / 365.0)
    x_owner = np.repeat(np.arange(n), extra)
    x_span = last_renewal[x_owner] - client_since[x_owner] + 1
    x_day = client_since[x_owner] + np.floor(rng.random(x_owner.size) * x_span).astype(np.int64)
    x_channel = np.asarray(("email", "letter", "phone"))[rng.choice(3, x_owner.size, p=[0.6, 0.25, 0.15])]
    l_owner = np.flatnonzero(contact_last)
    l_channel = np.asarray(("phone", "email", "letter"))[rng.choice(3, l_owner.size, p=[0.4, 0.4, 0.2])]

    people = _people(rng, n, firm="financial-planner", companies_share=0.3, email_share=0.98)
    account_owner = _account_owners(rng, client_since, today, _PLANNER_STAFF)
    owner_left = _owner_left(account_owner, _PLANNER_STAFF)
    log, renewals = _campaign_log(
        rng,
        bucket=bucket,
        has_email=people["email"] != "",
        owner_left=owner_left,
        last_fee=fee * 1.035 ** ((start_day - last_renewal) / 365.0),
        start_day=start_day,
    )
    dnc = np.zeros(n, dtype=bool)
    dnc[log["owner"][log["kind"] == "do_not_contact"]] = True

    client_id = _client_ids(rng, client_since)
    # Drawn after everything else, so the referrals leave the rest of the sample as it was.
    referrals, new = _referrals(rng, log=log, renewals=renewals, people=people)
    k = new["client_since"].size
    new_id = _client_ids(rng, new["client_since"], first=n + 1)
    client_id = np.concatenate((client_id, new_id))
    log = {key: np.concatenate((log[key], referrals[key])) for key in log}
    referred = np.where(referrals["referred"] >= 0, new_id[np.maximum(referrals["referred"], 0)], "")
    log["referred"] = np.concatenate(
        (np.full(log["owner"].size - referred.size, "", dtype=object), referred.astype(object))
    )
    clients = _clients_frame(
        client_id,
        {key: np.concatenate((people[key], new["people"][key])) for key in people},
        account_owner=np.concatenate(
            (account_owner, _account_owners(rng, new["client_since"], today, _PLANNER_STAFF))
        ),
        client_since=np.concatenate((client_since, new["client_since"])),
        do_not_contact=np.concatenate((dnc, np.zeros(k, dtype=bool))),
    )
    transactions = _transactions_frame(
        client_id,
        owner=np.concatenate((p_owner, refund_owner, renewals["owner"], n + np.arange(k))),
        day=np.concatenate((p_day, refund_day, renewals["day"], new["first_purchase"])),
        amount=np.concatenate((p_amount, refund_amount, renewals["amount"], new["amount"])),
    )
    contacts = _contacts_frame(
        client_id,
        owner=np.concatenate((rv_owner, x_owner, l_owner)),
        day=np.concatenate((rv_day, x_day, last_activity[l_owner])),
        channel=np.concatenate((rv_channel, x_channel, l_channel)),
    )
    outcomes = _outcomes_frame(client_id, log)
    return SampleData(
        firm="financial-planner",
        seed=seed,
        as_of=as_of,
        clients=clients,
        transactions=transactions,
        contacts=contacts,
        outcomes=outcomes,
        campaign_start=start,
    )


def _campaign_start(as_of: date) -> date:
    day = as_of - timedelta(weeks=CAMPAIGN_WEEKS_BEFORE_AS_OF)
    return day - timedelta(days=day.weekday())  # the Monday of that week


def _campaign_log(
    rng: np.random.Generator,
    *,
    bucket: np.ndarray,
    has_email: np.ndarray,
    owner_left: np.ndarray,
    last_fee: np.ndarray,
    start_day: int,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Every client contacted once; exactly PLANNER_RENEWED renew, the rest are lost."""
    n = bucket.size
    idx = np.arange(n)
    email = has_email & (rng.random(n) < 0.4)
    channel = np.where(email, "email", "phone")
    caller = np.asarray(_PLANNER_CALLERS)[rng.integers(0, len(_PLANNER_CALLERS), n)]
    emailer = np.asarray(_PLANNER_EMAILERS)[rng.integers(0, len(_PLANNER_EMAILERS), n)]
    recorder = np.where(email, emailer, caller)

    # Who renews: exactly PLANNER_RENEWED clients, drawn with odds that fall with dormancy
    # and are lower where the adviser they knew has left.
    chance = np.asarray(_PLANNER_RENEW_CHANCE)[bucket]
    odds = chance / (1 - chance) * np.where(owner_left, 0.6, 1.0)
    renewed = np.zeros(n, dtype=bool)
    renewed[rng.choice(n, PLANNER_RENEWED, replace=False, p=odds / odds.sum())] = True

    reasons = np.asarray(list(_LOST_REASON_SHARE))
    weights = np.tile(np.asarray(list(_LOST_REASON_SHARE.values())), (n, 1))
    weights[owner_left, list(_LOST_REASON_SHARE).index("owner_not_involved")] *= 4.0
    reason = reasons[_choose_rows(rng, weights)]
    lost_kind = np.where(np.isin(reason, _CIRCUMSTANCE_REASONS), "change_of_circumstances", "moved_on")

    # The fixable-problem story: a problem raised on the call; fixed and renewed, or not and lost.
    fixed_chain = renewed & (rng.random(n) < 0.03)
    unfixed_chain = (
        ~renewed & np.isin(reason, ("fixable_problem", "invoicing_mistakes")) & (rng.random(n) < 0.35)
    )
    dnc = ~renewed & (rng.random(n) < 0.03)

    first_try = _busday(start_day, rng.integers(0, CAMPAIGN_CONTACT_WEEKDAYS, n))
    no_answer = ~email & (rng.random(n) < 0.35)
    contacted = np.where(no_answer, _busday(first_try, rng.integers(1, 7, n)), first_try)
    replied = np.where(email, _busday(contacted, rng.integers(0, 9, n)), contacted)
    problem_fixed = _busday(replied, rng.integers(1, 9, n))
    thinking = np.where(rng.random(n) < 0.5, 0, rng.integers(1, 16, n))
    decided = np.where(
        fixed_chain | unfixed_chain,
        _busday(problem_fixed, rng.integers(0, 6, n)),
        _busday(replied, np.where(email, rng.integers(0, 6, n), thinking)),
    )
    asked_dnc = _busday(decided, rng.integers(0, 4, n))
    renewal_amount = np.round(last_fee * rng.lognormal(0.0, 0.03, n), 2)

    # (mask, kind, day, step within the client's story)
    steps = (
        (no_answer, "no_answer", first_try, 0),
        (np.ones(n, dtype=bool), "contacted", contacted, 1),
        (email, "replied", replied, 2),
        (fixed_chain | unfixed_chain, "problem_raised", replied, 3),
        (fixed_chain, "problem_fixed", problem_fixed, 4),
        (renewed, "renewed", decided, 5),
        (~renewed, "lost", decided, 5),
        (dnc, "do_not_contact", asked_dnc, 6),
    )
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("owner", "day", "step", "kind")}
    for mask, kind, day, step in steps:
        who = idx[mask]
        parts["owner"].append(who)
        parts["day"].append(day[who])
        parts["step"].append(np.full(who.size, step))
        parts["kind"].append(lost_kind[who] if kind == "lost" else np.full(who.size, kind))
    log = {k: np.concatenate(v) for k, v in parts.items()}
    log["kind"] = log["kind"].astype(object)
    o = log["owner"]
    is_lost = np.isin(log["kind"], ("moved_on", "change_of_circumstances"))
    is_renewed = log["kind"] == "renewed"
    log["channel"] = channel[o]
    log["recorded_by"] = recorder[o]
    log["reason"] = np.where(is_lost, reason[o], "").astype(object)
    log["amount"] = np.where(is_renewed, renewal_amount[o], np.nan)
    log["note"] = _notes(rng, log["kind"], log["channel"], log["reason"])
    renewals = {
        "owner": idx[renewed],
        "day": decided[renewed],
        "amount": renewal_amount[renewed],
    }
    return log, renewals


def _referrals(
    rng: np.random.Generator,
    *,
    log: dict[str, np.ndarray],
    renewals: dict[str, np.ndarray],
    people: dict[str, np.ndarray],
) -> tuple[dict[str, np.ndarray], dict]:
    """A few percent of the renewed clients introduce someone, some days after renewing.

    Returns the ``referral`` events (in the log's layout, plus ``referred``: the
    index among the new clients of the person introduced, -1 when they are not in
    the client list) and the
    new clients: ``people``, ``client_since``, ``first_purchase`` and ``amount``.
    Everyone introduced has a name no client has, so a referral links by its
    ``referred_client_id`` or not at all, never by the name of someone else; a new
    client joins after the referral and first buys after joining, by ``as_of``.
    """
    refer = rng.random(renewals["owner"].size) < PLANNER_REFERRAL_SHARE
    who = renewals["owner"][refer]
    k = who.size
    day = _busday(renewals["day"][refer], rng.integers(5, 31, k))  # said so at a review after renewing
    linked = rng.random(k) < _REFERRAL_LINKED
    with_amount = linked | (rng.random(k) < _REFERRAL_WITH_AMOUNT)
    first_amount = np.round(rng.lognormal(np.log(1300.0), 0.55, k), 2)
    # At most 151 + 20 working days after the campaign start: inside its 38 weeks, before as_of.
    joined = _busday(day, rng.integers(1, 6, k))
    first_purchase = _busday(joined, rng.integers(0, 16, k))

    # Fresh names: drawn as clients are, keeping the first of each name no client has.
    pool = _people(rng, 10 * k + 50, firm="financial-planner", companies_share=0.3, email_share=0.98)
    fresh = ~np.isin(pool["name"], people["name"]) & ~pd.Series(pool["name"]).duplicated().to_numpy()
    pick = np.flatnonzero(fresh)[:k]
    if pick.size < k:  # about half the names are free: out of reach for any seed
        raise ConfigError("the sample ran out of fresh names for the people referred; try another seed")
    new_people = {key: values[pick[linked]] for key, values in pool.items()}
    # Phone numbers stay unique: the people who became clients get mobile numbers nobody has.
    taken = set(people["phone"])
    free = np.asarray([m for m in range(1000) if _MOBILE_FORMAT.format(m) not in taken])
    new_people["phone"] = np.asarray(
        [_MOBILE_FORMAT.format(m) for m in rng.permutation(free)[: int(linked.sum())]], dtype=object
    )
    new_index = np.full(k, -1)
    new_index[linked] = np.arange(int(linked.sum()))

    contacted = log["kind"] == "contacted"
    channel = dict(zip(log["owner"][contacted], log["channel"][contacted], strict=True))
    recorder = dict(zip(log["owner"][contacted], log["recorded_by"][contacted], strict=True))
    events = {
        "owner": who,
        "day": day,
        "step": np.full(k, 7),
        "kind": np.full(k, "referral", dtype=object),
        "channel": np.asarray([channel[o] for o in who], dtype=object),
        "recorded_by": np.asarray([recorder[o] for o in who], dtype=object),
        "reason": np.full(k, "", dtype=object),
        "amount": np.where(with_amount, first_amount, np.nan),
        "note": pool["name"][pick],
        "referred": new_index,
    }
    new = {
        "people": new_people,
        "client_since": joined[linked],
        "first_purchase": first_purchase[linked],
        "amount": first_amount[linked],
    }
    return events, new


def _notes(rng: np.random.Generator, kind: np.ndarray, channel: np.ndarray, reason: np.ndarray) -> np.ndarray:
    pick = rng.random(kind.size)
    out = np.empty(kind.size, dtype=object)
    for i, (k, c, r) in enumerate(zip(kind, channel, reason, strict=True)):
        if k in ("moved_on", "change_of_circumstances"):
            options = _NOTES[("lost", r)]
        else:
            options = _NOTES.get((k, c)) or _NOTES[(k, "")]
        out[i] = options[int(pick[i] * len(options))]
    return out


def _owner_left(account_owner: np.ndarray, staff: tuple) -> np.ndarray:
    left = [name for name, _, gone in staff if gone is not None]
    return np.isin(account_owner, left)


# --- shared building blocks --------------------------------------------------------


def _day(d: date) -> int:
    return (d - _EPOCH).days


def _busday(day: np.ndarray | int, offset: np.ndarray) -> np.ndarray:
    """Day numbers ``offset`` working days after ``day`` (rolled forward to a weekday)."""
    dates = np.asarray(day, dtype="int64").astype("datetime64[D]")
    moved = np.busday_offset(dates, offset, roll="forward")
    return moved.astype("int64")


def _dormancy_days(rng: np.random.Generator, buckets: tuple) -> np.ndarray:
    """Exactly the bucket counts, days uniform within each range, in shuffled order."""
    days = np.concatenate([rng.integers(lo, hi + 1, count) for count, lo, hi in buckets])
    return days[rng.permutation(days.size)]


def _regular_offsets(
    rng: np.random.Generator, tenure: np.ndarray, interval: np.ndarray, shape: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Purchase days after each client's first purchase, ending exactly on ``tenure``.

    Each client buys about every ``interval`` days; gaps are gamma-jittered
    (``shape`` sets how regular) and at least one day apart.
    """
    n = tenure.size
    n_gaps = np.where(tenure > 0, np.maximum(tenure // interval, 1), 0)  # tenure > 0: bought twice at least
    g_owner = np.repeat(np.arange(n), n_gaps)
    g = rng.gamma(shape[g_owner])
    share = g / np.bincount(g_owner, weights=g, minlength=n)[g_owner]
    starts = np.repeat(np.cumsum(n_gaps) - n_gaps, n_gaps)
    cum = np.cumsum(share)
    before = np.concatenate(([0.0], cum))[starts]
    fraction = np.clip(cum - before, 0.0, 1.0)
    step = np.arange(g_owner.size) - starts + 1  # 1 for the first gap of each client
    offsets = np.floor(fraction * (tenure - n_gaps)[g_owner]).astype(np.int64) + step
    last = step == n_gaps[g_owner]
    offsets[last] = tenure[g_owner][last]
    return np.concatenate((np.arange(n), g_owner)), np.concatenate((np.zeros(n, np.int64), offsets))


def _refunds(
    rng: np.random.Generator,
    owner: np.ndarray,
    day: np.ndarray,
    amount: np.ndarray,
    last_purchase: np.ndarray,
    share: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A few purchases (never a client's last) credited back, in full or in part."""
    eligible = day < last_purchase[owner]
    picked = np.flatnonzero(eligible & (rng.random(owner.size) < share))
    r_owner = owner[picked]
    r_day = np.minimum(day[picked] + rng.integers(3, 29, picked.size), last_purchase[r_owner])
    part = np.asarray([1.0, 0.5, 0.2])[rng.choice(3, picked.size, p=[0.5, 0.3, 0.2])]
    return r_owner, r_day, -np.round(amount[picked] * part, 2)


def _client_ids(rng: np.random.Generator, client_since: np.ndarray, *, first: int = 1) -> np.ndarray:
    """Ids numbered in the order clients joined, as a CRM hands them out (from ``C{first:05d}``)."""
    order = np.lexsort((rng.random(client_since.size), client_since))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return np.asarray([f"C{r + first:05d}" for r in rank], dtype=object)


def _account_owners(
    rng: np.random.Generator, client_since: np.ndarray, today: int, staff: tuple
) -> np.ndarray:
    """Each client's owner: someone on the staff the day they joined (weighted to the seniors)."""
    joined = np.asarray([today - j for _, j, _ in staff])
    left = np.asarray([today - g if g is not None else today + 1 for _, _, g in staff])
    here = (client_since[:, None] >= joined[None, :]) & (client_since[:, None] < left[None, :])
    here[~here.any(axis=1), 0] = True  # before anyone else: the founder
    weights = here * np.linspace(1.6, 1.0, len(staff))[None, :]
    names = np.asarray([name for name, _, _ in staff], dtype=object)
    return names[_choose_rows(rng, weights)]


def _choose_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One column index per row, with probability proportional to that row's weights."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(weights.shape[0]) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _people(
    rng: np.random.Generator, n: int, *, firm: str, companies_share: float, email_share: float
) -> dict[str, np.ndarray]:
    """Fictitious names, companies, e-mails, phones and addresses for ``n`` clients."""
    first = np.asarray(_FIRST_NAMES, dtype=object)[rng.integers(0, len(_FIRST_NAMES), n)]
    last = np.asarray(_SURNAMES, dtype=object)[rng.integers(0, len(_SURNAMES), n)]
    name = np.asarray([f"{a} {b}" for a, b in zip(first, last, strict=True)], dtype=object)

    surname2 = np.asarray(_SURNAMES, dtype=object)[rng.integers(0, len(_SURNAMES), n)]
    trade = np.asarray(_TRADES, dtype=object)[rng.integers(0, len(_TRADES), n)]
    adjective = np.asarray(_ADJECTIVES, dtype=object)[rng.integers(0, len(_ADJECTIVES), n)]
    noun = np.asarray(_NOUNS, dtype=object)[rng.integers(0, len(_NOUNS), n)]
    suffix = np.asarray(_COMPANY_SUFFIXES, dtype=object)[rng.integers(0, len(_COMPANY_SUFFIXES), n)]
    pattern = rng.choice(4, n, p=[0.35, 0.3, 0.3, 0.05])
    company = np.asarray(
        [
            (
                f"{b} & {c}{x}",
                f"{b} {t}",
                f"{a} {m} {t}",
                f"{b}, {c} & Partners",
            )[p]
            for b, c, t, a, m, x, p in zip(
                last, surname2, trade, adjective, noun, suffix, pattern, strict=True
            )
        ],
        dtype=object,
    )
    company[rng.random(n) >= companies_share] = ""

    local = np.asarray([f"{_ascii(a)}.{_ascii(b)}" for a, b in zip(first, last, strict=True)], dtype=object)
    seen = pd.Series(local).groupby(local).cumcount().to_numpy()
    local = np.asarray(
        [v if k == 0 else f"{v}{k + 1}" for v, k in zip(local, seen, strict=True)], dtype=object
    )
    domain = np.asarray(_EMAIL_DOMAINS, dtype=object)[rng.integers(0, len(_EMAIL_DOMAINS), n)]
    email = np.asarray([f"{a}@{d}" for a, d in zip(local, domain, strict=True)], dtype=object)
    email[rng.random(n) >= email_share] = ""

    weights = _CONSULTING_CITY_WEIGHTS if firm == "consulting-firm" else _PLANNER_CITY_WEIGHTS
    city_i = rng.choice(len(_CITIES), n, p=weights / weights.sum())
    city = np.asarray([c[0] for c in _CITIES], dtype=object)[city_i]
    region = np.asarray([c[1] for c in _CITIES], dtype=object)[city_i]
    postcode = np.empty(n, dtype=object)
    phone = np.empty(n, dtype=object)
    mobile = np.zeros(n, dtype=bool)
    mobile[rng.choice(n, round(0.25 * n), replace=False)] = True
    # Phone numbers are unique: each range hands out its 1,000 numbers without replacement.
    mobile_numbers = rng.permutation(1000)[: mobile.sum()]
    phone[mobile] = [_MOBILE_FORMAT.format(k) for k in mobile_numbers]
    district = rng.integers(0, 1000, n)
    inward = rng.integers(0, 10 * len(_INWARD_LETTERS) ** 2, n)
    for i, (_, _, areas, lo, hi, landline) in enumerate(_CITIES):
        rows = np.flatnonzero(city_i == i)
        fixed = rows[~mobile[rows]]
        phone[fixed] = [landline.format(k) for k in rng.permutation(1000)[: fixed.size]]
        for r in rows:
            area = areas[district[r] % len(areas)]
            number = lo + district[r] // len(areas) % (hi - lo + 1)
            digit, letters = divmod(int(inward[r]), len(_INWARD_LETTERS) ** 2)
            l1, l2 = divmod(letters, len(_INWARD_LETTERS))
            postcode[r] = f"{area}{number} {digit}{_INWARD_LETTERS[l1]}{_INWARD_LETTERS[l2]}"

    street = np.asarray(_STREETS, dtype=object)[rng.integers(0, len(_STREETS), n)]
    street_type = np.asarray(_STREET_TYPES, dtype=object)[rng.integers(0, len(_STREET_TYPES), n)]
    house = rng.integers(1, 180, n)
    line1 = np.asarray(
        [f"{h} {a} {b}" for h, a, b in zip(house, street, street_type, strict=True)], dtype=object
    )
    line2_kind = rng.choice(3, n, p=[0.65, 0.25, 0.10])  # empty, flat/suite, locality
    line2_pattern = np.asarray(_LINE2_PATTERNS, dtype=object)[rng.integers(0, len(_LINE2_PATTERNS), n)]
    locality = np.asarray(_LOCALITIES, dtype=object)[rng.integers(0, len(_LOCALITIES), n)]
    unit = rng.integers(1, 40, n)
    line2 = np.asarray(
        [
            ("", p.format(n=u), loc)[k]
            for k, p, u, loc in zip(line2_kind, line2_pattern, unit, locality, strict=True)
        ],
        dtype=object,
    )
    return {
        "name": name,
        "company": company,
        "email": email,
        "phone": phone,
        "line1": line1,
        "line2": line2,
        "city": city,
        "region": region,
        "postcode": postcode,
    }


# --- frames ---------------------------------------------------------------------


def _dates(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[us]")


def _text(values: np.ndarray) -> pd.Series:
    """A string column where "" means missing (written as an empty CSV field)."""
    series = pd.Series(values, dtype="str")
    return series.where(series != "")


def _clients_frame(
    client_id: np.ndarray,
    people: dict[str, np.ndarray],
    *,
    account_owner: np.ndarray,
    client_since: np.ndarray,
    do_not_contact: np.ndarray,
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            s.CLIENT_ID: pd.Series(client_id, dtype="str"),
            s.NAME: _text(people["name"]),
            s.COMPANY: _text(people["company"]),
            s.EMAIL: _text(people["email"]),
            s.PHONE: _text(people["phone"]),
            s.ADDRESS_LINE1: _text(people["line1"]),
            s.ADDRESS_LINE2: _text(people["line2"]),
            s.CITY: _text(people["city"]),
            s.REGION: _text(people["region"]),
            s.POSTCODE: _text(people["postcode"]),
            s.COUNTRY: pd.Series(["United Kingdom"] * client_id.size, dtype="str"),
            s.ACCOUNT_OWNER: _text(account_owner),
            s.CLIENT_SINCE: _dates(client_since),
            s.DO_NOT_CONTACT: np.asarray(do_not_contact, dtype=bool),
        }
    )
    return frame.sort_values(s.CLIENT_ID, ignore_index=True)[list(CLIENT_COLUMNS)]


def _transactions_frame(
    client_id: np.ndarray, *, owner: np.ndarray, day: np.ndarray, amount: np.ndarray
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            s.CLIENT_ID: pd.Series(client_id[owner], dtype="str"),
            s.DATE: _dates(day),
            s.AMOUNT: np.asarray(amount, dtype=float),
        }
    )
    # Refunds sort after the sale of the same day; numbers run in date order, as a ledger's do.
    frame = frame.sort_values(
        [s.DATE, s.CLIENT_ID, s.AMOUNT], ascending=[True, True, False], ignore_index=True, kind="stable"
    )
    refund = frame[s.AMOUNT].to_numpy() < 0
    number = np.where(refund, np.cumsum(refund), np.cumsum(~refund))
    frame[s.INVOICE_ID] = pd.Series(
        [f"CN-{k + 1000}" if r else f"INV-{k + 10000}" for k, r in zip(number, refund, strict=True)],
        dtype="str",
    )
    return frame[list(TRANSACTION_COLUMNS)]


def _contacts_frame(
    client_id: np.ndarray, *, owner: np.ndarray, day: np.ndarray, channel: np.ndarray
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            s.CLIENT_ID: pd.Series(client_id[owner], dtype="str"),
            s.DATE: _dates(day),
            s.CHANNEL: pd.Series(channel, dtype="str"),
        }
    )
    frame = frame.drop_duplicates(ignore_index=True)
    return frame.sort_values([s.DATE, s.CLIENT_ID, s.CHANNEL], ignore_index=True, kind="stable")[
        list(CONTACT_COLUMNS)
    ]


def _outcomes_frame(client_id: np.ndarray, log: dict[str, np.ndarray]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            s.CLIENT_ID: pd.Series(client_id[log["owner"]], dtype="str"),
            s.DATE: _dates(log["day"]),
            "_step": log["step"],
            s.CAMPAIGN: CAMPAIGN_ID,
            s.CHANNEL: pd.Series(log["channel"], dtype="str"),
            s.KIND: pd.Series(log["kind"], dtype="str"),
            s.AMOUNT: np.asarray(log["amount"], dtype=float),
            s.REASON: _text(log["reason"]),
            s.NOTE: _text(log["note"]),
            s.RECORDED_BY: _text(log["recorded_by"]),
            s.REFERRED_CLIENT_ID: _text(log["referred"]),
        }
    )
    frame = frame.sort_values([s.DATE, s.CLIENT_ID, "_step"], ignore_index=True, kind="stable")
    frame[s.CAMPAIGN] = frame[s.CAMPAIGN].astype("str")
    frame[s.EVENT_ID] = pd.Series([f"E{k + 1:06d}" for k in range(len(frame))], dtype="str")
    return frame[list(OUTCOME_COLUMNS)]


# --- files ----------------------------------------------------------------------


def _csv_text(frame: pd.DataFrame) -> str:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = np.where(out[col].to_numpy(), "true", "false")
    return out.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d", float_format="%.2f")


def _campaign_toml(data: SampleData, *, reports_folder: str) -> str:
    planner = data.firm == "financial-planner"
    if planner:
        capacity = {"letter": 0, "phone": 120, "email": 80}
        capacity_why = (
            "# Three callers and two on email: about 200 contacts a week gets through\n"
            "# 3,000 lapsed clients in some 15 weeks. No letters in this campaign."
        )
        description = (
            f"Fictional financial-planning group; win-back campaign {CAMPAIGN_ID} "
            f"started {data.campaign_start.isoformat()} (phone and email)"
        )
        outcomes_line = 'outcomes = "outcomes.csv"           # the campaign\'s event log\n'
        costs = (
            "# What the campaign costs, in pounds, counted from what the outcome log says was done:\n"
            "# each call (an unanswered one too) takes a caller about 12 minutes with the notes, at\n"
            "# a caller's hourly cost (wage and employer's costs); a personal e-mail from the\n"
            "# adviser team takes a few minutes of someone's time. No letters, no gifts, no fees.\n"
            "[costs]\n"
            "call_minutes = 12\n"
            "hourly_rate = 24.00\n"
            "email = 1.50\n"
        )
    else:
        capacity = {"letter": 10, "phone": 10, "email": 0}
        capacity_why = (
            "# At least 10 letters a week (the field report), each followed up by a\n"
            "# call; no e-mail campaign."
        )
        description = "Fictional consulting firm reconnecting with 500+ past clients by letter"
        outcomes_line = ""
        costs = (
            "# What the campaign costs, in pounds, counted from what the outcome log says was done:\n"
            "# a two-page letter printed on letterhead with its envelope, posted second class; a\n"
            "# follow-up call of about 15 minutes at a consultant's hourly rate; a small gift for the\n"
            "# most valuable clients; and the consultant's fee for setting the campaign up.\n"
            "[costs]\n"
            "letter_print = 0.45\n"
            "letter_postage = 0.87\n"
            "call_minutes = 15\n"
            "hourly_rate = 60.00\n"
            "gift = 20.00\n"
            "fixed = 1500.00\n"
        )
    edges = ", ".join(str(e) for e in DEFAULT_EDGES_MONTHS)
    cap = "\n".join(f"{k} = {v}" for k, v in capacity.items())
    sender = "\n".join(f'{k} = "{v}"' for k, v in _SENDERS[data.firm].items())
    where = f"data/sample/{data.firm}" if reports_folder == REPOSITORY_REPORTS_FOLDER else "OUTDIR"
    regen = f"reconnect sample {where} --firm {data.firm} --seed {data.seed}"
    if reports_folder != DEFAULT_REPORTS_FOLDER:
        regen += f" --reports-folder {reports_folder}"
    return f"""\
# Campaign file for the {data.firm} sample (generated by reconnect_lib.sample;
# regenerate with `{regen}`).
# Relative paths are resolved against this file's folder.

# Which campaign, and the date every number is computed as of.
[campaign]
name = "{data.firm}"
as_of = {data.as_of.isoformat()}
description = "{description}"

# The input files and how to read them: one row per client plus histories,
# already in reconnect_lib's column names, so the generic column map fits.
[data]
clients = "clients.csv"
transactions = "transactions.csv"
contacts = "contacts.csv"
{outcomes_line}column_map = "generic"

# Dormancy buckets (months without contact or purchase, whichever is later) and
# when a client is due: the field reports' defaults, written out.
[dormancy]
edges_months = [{edges}]
measure_from = "latest"
due_after_months = 6
keep_up_weeks = 4

# The contact plan: most valuable client of each bucket first, then the next, ...
[plan]
strategy = "round_robin"
follow_up_days = 7

# Contacts per week and channel.
{capacity_why}
[plan.capacity]
{cap}

# Who the letters and e-mails come from (an account owner signs their own clients' letters).
[sender]
{sender}

{costs}
# The append-only outcome log (SQLite file next to this one; ignored by git).
[outcomes]
database = "sqlite:///outcomes.sqlite"

# Where reports and each week's plan are written, relative to this file.
[reports]
folder = "{reports_folder}"
"""


_BUCKET_LABELS: Final = ("under 6 months", "6–12 months", "1–2 years", "2–3 years", "3 years and more")


def _buckets(last_activity: pd.Series, on: date) -> np.ndarray:
    """Default dormancy bucket per client (0 = under 6 months), in months of 365.25 / 12 days."""
    days = _day(on) - last_activity.to_numpy().astype("datetime64[D]").astype("int64")
    edges = [round(m * 365.25 / 12) for m in DEFAULT_EDGES_MONTHS]  # 183, 365, 730, 1096 days
    return np.searchsorted(edges, days, side="right")


def _last_activity(data: SampleData, *, before: date | None = None) -> pd.Series:
    tx = data.transactions[data.transactions[s.AMOUNT] > 0]
    ct = data.contacts
    if before is not None:
        tx = tx[tx[s.DATE] < pd.Timestamp(before)]
    both = pd.concat([tx[[s.CLIENT_ID, s.DATE]], ct[[s.CLIENT_ID, s.DATE]]])
    return both.groupby(s.CLIENT_ID)[s.DATE].max().reindex(data.clients[s.CLIENT_ID])


def _readme(data: SampleData) -> str:
    clients, tx = data.clients, data.transactions
    revenue = tx[s.AMOUNT].sum()
    per_client = tx.groupby(s.CLIENT_ID)[s.AMOUNT].sum().sort_values(ascending=False)
    top = per_client.head(round(0.2 * len(clients))).sum() / per_client.sum()
    counts = np.bincount(_buckets(_last_activity(data), data.as_of), minlength=len(_BUCKET_LABELS))
    table = "\n".join(f"| {label} | {int(c):,} |" for label, c in zip(_BUCKET_LABELS, counts, strict=True))
    first = tx[s.DATE].min().date().isoformat()
    regen = (
        f"    reconnect sample data/sample/{data.firm} --firm {data.firm} --seed {data.seed} "
        f"--reports-folder {REPOSITORY_REPORTS_FOLDER}\n\n"
        "or, from Python:\n\n"
        f"    from reconnect_lib.sample import write_sample\n"
        f'    write_sample("data/sample/{data.firm}", firm="{data.firm}", seed={data.seed},\n'
        f'                 reports_folder="{REPOSITORY_REPORTS_FOLDER}")\n'
    )
    common = (
        f"| File | Rows |\n|---|---|\n"
        f"| clients.csv | {len(clients):,} |\n"
        f"| transactions.csv | {len(tx):,} ({int((tx[s.AMOUNT] < 0).sum())} refunds) |\n"
        f"| contacts.csv | {len(data.contacts):,} |\n"
    )
    if data.outcomes is None:
        owners_left = ", ".join(name for name, _, gone in _CONSULTING_STAFF if gone is not None)
        return f"""\
# Sample: a consulting firm (fictional)

A small business-consulting practice based in Leeds. Over ten years it has
served {len(clients):,} clients, mostly small businesses, but it stopped keeping in
touch: most have heard nothing for more than 6 months, and some have neither
been contacted nor bought anything for over 3 years. This is the
**reconnection by letter** field report: sort the clients into dormancy buckets,
write to the most valuable of each bucket first, at least 10 letters a week.

Everything here is invented: names, companies, addresses, e-mail addresses on
the reserved `example.com`/`.org`/`.net` domains and phone numbers in Ofcom's
ranges reserved for drama. Some clients are owned by staff who have since left
({owners_left}).

## The numbers (as of {data.as_of.isoformat()})

{common}| outcomes.csv | none yet: the campaign starts now |

Invoices from {first}; total revenue {revenue:,.0f}; the top 20 % of clients
bring {top:.0%} of it. Each client buys to their own rhythm (monthly retainers to
occasional projects); a few invoices were refunded (negative amounts).

Clients by time since their last contact or purchase:

| Dormancy | Clients |
|---|---|
{table}

Due for contact (more than 6 months): {int(counts[1:].sum()):,}.
`do_not_contact` is set for {int(clients[s.DO_NOT_CONTACT].sum())} clients.

What the campaign costs is set under `[costs]` in `campaign.toml` (letters printed
and posted, follow-up calls and gifts, a consultant's fee); the return is set against it.

## How it was made

Generated by `reconnect_lib.sample` from seed {data.seed}; the same seed gives
byte-identical files, and a test checks these files still match the generator.
To regenerate:

{regen}"""
    out = data.outcomes
    start = data.campaign_start or data.as_of  # always set together with outcomes
    contacted = out.loc[out[s.KIND] == "contacted", s.CLIENT_ID].nunique()
    renewed = out[out[s.KIND] == "renewed"]
    lost = out[out[s.KIND].isin(["moved_on", "change_of_circumstances"])]
    referrals = out[out[s.KIND] == "referral"]
    joined = referrals[s.REFERRED_CLIENT_ID].dropna()
    # The campaign's clients: everyone but the people referred, who joined after it started.
    lapsed = data.clients[~data.clients[s.CLIENT_ID].isin(joined)]
    lapsed_data = SampleData(
        firm=data.firm,
        seed=data.seed,
        as_of=data.as_of,
        clients=lapsed,
        transactions=data.transactions,
        contacts=data.contacts,
    )
    bucket = _buckets(_last_activity(lapsed_data, before=start), start)
    won = lapsed[s.CLIENT_ID].isin(renewed[s.CLIENT_ID]).to_numpy()
    first_bought = data.transactions[data.transactions[s.CLIENT_ID].isin(joined)][s.AMOUNT].sum()
    rates = "\n".join(
        f"| {label} | {(bucket == b).sum():,} | {won[bucket == b].mean():.0%} |"
        for b, label in enumerate(_BUCKET_LABELS)
        if (bucket == b).any()
    )
    reasons = lost[s.REASON].value_counts()
    reason_rows = "\n".join(f"| {r} | {int(reasons.get(r, 0)):,} |" for r in s.REASONS)
    return f"""\
# Sample: a financial planner (fictional)

A financial-planning group with offices in the south of England and Wales. Its
clients renew a yearly planning service, but {PLANNER_CLIENTS:,} of them fell
through the cracks: no renewal call or e-mail for more than 6 months. On
{start.isoformat()} the firm started a win-back campaign (`{CAMPAIGN_ID}`) and
called or e-mailed every one of them. This is the **win-back by phone and
e-mail** field report: over 50 % signed up again; the others had moved on or
had a change of circumstances, for reasons the staff recorded.

Everything here is invented: names, addresses, e-mail addresses on the reserved
`example.com`/`.org`/`.net` domains and phone numbers in Ofcom's ranges reserved
for drama.

## The numbers

{common}| outcomes.csv | {len(out):,} events |

`contacts.csv` holds the contact history before the campaign; the campaign's
own calls and e-mails are the events in `outcomes.csv` (contacted, no_answer,
replied, problem_raised, problem_fixed, renewed, moved_on,
change_of_circumstances, do_not_contact, referral). Each renewal also appears in
`transactions.csv` as a purchase on the day of the `renewed` event.

Contacted: {contacted:,}. Renewed: {len(renewed):,} ({len(renewed) / contacted:.1%}),
recovering {renewed[s.AMOUNT].sum():,.0f} a year. Lost: {lost[s.CLIENT_ID].nunique():,}.

Referrals: {len(referrals):,} of the renewed clients ({len(referrals) / len(renewed):.1%}) introduced
someone a few weeks after renewing (`referral` events: the person's name in `note`,
their first purchase in `amount` when the staff knew it). {len(joined):,} of the people
introduced have since become clients: they are the last {len(joined):,} rows of
`clients.csv` (the {PLANNER_CLIENTS:,} lapsed clients come first), named by the event's
`referred_client_id`, with their first purchase ({first_bought:,.0f} in all) in
`transactions.csv` after the referral.

What the campaign cost is set under `[costs]` in `campaign.toml` (calls at a
caller's hourly cost, personal e-mails); the return is set against it.

Dormancy when the campaign started ({start.isoformat()}) and the share that renewed:

| Dormancy | Clients | Renewed |
|---|---|---|
{rates}

Reasons given by those who did not come back:

| Reason | Clients |
|---|---|
{reason_rows}

## How it was made

Generated by `reconnect_lib.sample` from seed {data.seed}, as of
{data.as_of.isoformat()}; the same seed gives byte-identical files, and a test
checks these files still match the generator. To regenerate:

{regen}"""
