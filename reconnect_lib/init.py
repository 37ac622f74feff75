"""Guess a campaign from a consultant's exports: ``reconnect init``.

Given the files a business hands over (a client list, perhaps a purchase or
contact history), :func:`guess_campaign` works out

* which file is the client list, which a purchase history and which a contact
  history (a history names the same client on many rows, with a date; a
  purchase history has an amount, a contact history a channel);
* which column holds each column of the package's vocabulary
  (:mod:`reconnect_lib.schema`): by name first (a shipped map, HubSpot or Xero,
  when it recognises the file, then the generic map's synonyms and the words
  small businesses use, "Customer", "Total spent", "Kundennummer"), then by
  content (e-mail addresses, phone numbers, dates, money, ids that repeat the
  client list's);
* how dates are written: ISO, day-first (a day above 12 proves it) or
  month-first, and whether a column reads both ways (then it asks);
* how amounts are written: the decimal mark and any currency sign.

The :class:`Guess` it returns writes campaign.toml (:meth:`Guess.toml`,
:meth:`Guess.write`) with a comment on every guess and a ``CHECK`` on each one
a person should confirm, and says what it found (:meth:`Guess.summary`): the
clients, the date range, the map, the columns left unread. The file it writes
is loaded with the package's own loader before it is offered, so what
``reconnect buckets`` will say about it is known.

Cells are read with the loader's own parsers, so a guess reads a cell exactly
as loading will.

Example
-------
>>> import pandas as pd
>>> raw = pd.DataFrame({
...     "Customer": ["Ann Lee", "Bob Marsh", "Carla Diaz"],
...     "E-mail": ["ann@lee.example", "bob@marsh.example", "carla@diaz.example"],
...     "Last contacted": ["03/04/2024", "25/01/2023", "14/11/2022"],
...     "Total spent": ["£1,200.50", "£80", "£15,000"],
... })
>>> guess = guess_campaign({"shop.csv": raw})
>>> guess.files[0].table, guess.dayfirst
('clients', True)
>>> guess.files[0].columns["client_id"].source
'Customer'
"""

from __future__ import annotations

import os
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Literal

import pandas as pd

from . import schema as s
from .column_maps import (
    REQUIRED_COLUMNS,
    TABLE_COLUMNS,
    TABLES,
    Table,
    apply_map,
    available_maps,
    get_map,
    guess_map,
    normalise_name,
)
from .config import LATEST_AS_OF, parse_config
from .errors import InputError, ReconnectError
from .files import WriteError, atomic_write_text, make_folder, os_errors

__all__ = ["ColumnGuess", "DateGuess", "FileGuess", "Guess", "Question", "check_target", "guess_campaign"]

#: A share of a column's filled cells that must have a kind of content for the column to be read as it.
MOSTLY = 0.8
#: Rows of each file whose cells are looked at for the guesses (all of them are loaded to check the result).
PROFILE_ROWS = 20_000

_DATE_CANONICALS = frozenset((*s.CLIENT_DATE_COLUMNS, s.DATE))
_MONEY_CANONICALS = frozenset((s.AMOUNT, s.TOTAL_REVENUE))
#: A column named like one of these is not taken for an id, however unique its cells.
_NOT_IDS = _DATE_CANONICALS | _MONEY_CANONICALS
_TEXT_CANONICALS = frozenset(
    (
        s.NAME,
        s.COMPANY,
        s.ADDRESS_LINE1,
        s.ADDRESS_LINE2,
        s.CITY,
        s.REGION,
        s.COUNTRY,
        s.ACCOUNT_OWNER,
        s.POSTCODE,
    )
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE = re.compile(r"^\+?[\d\s().\-/]{7,22}$")
_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T]+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?$"
)
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_CURRENCY_SIGN = re.compile(r"[€$£¥₹]|\b(?:GBP|EUR|USD|AUD|CAD|NZD|CHF|SEK|NOK|DKK|JPY|INR)\b")
_DECIMAL_CELL = re.compile(r"\d[.,]\d{1,2}(?!\d)")
_WORDS = re.compile(r"^[^\W\d_][\w'’.&-]*(?:\s+[\w'’.&()-]+)+$")

#: Words in column names (casefolded, punctuation as spaces) that say what a column holds,
#: beyond the shipped maps' exact names: what small businesses and other languages write.
#: Checked in this order; the content must fit too.
_NAME_HINTS: dict[str, tuple[tuple[str, str], ...]] = {
    "clients": (
        (s.EMAIL, r"e ?mail|courriel"),
        (s.PHONE, r"phone|\btel\b|telephone|telefon|mobile|\bcell\b|handy"),
        (s.POSTCODE, r"post ?code|\bzip\b|postal|\bplz\b|postleitzahl"),
        (s.ADDRESS_LINE1, r"address|street|stra(ss|ß)e|adresse|\brue\b"),
        (s.CITY, r"\bcity\b|\btown\b|\bort\b|\bstadt\b|\bville\b"),
        (s.REGION, r"county|\bstate\b|region|province|bundesland"),
        (s.COUNTRY, r"country|\bland\b|\bpays\b"),
        (s.COMPANY, r"company|business|organi[sz]ation|\bfirm\b|\bfirma\b|entreprise|soci[ée]t[ée]"),
        (s.ACCOUNT_OWNER, r"owner|\brep\b|manager|advis[oe]r|consultant|berater|betreuer"),
        (s.DO_NOT_CONTACT, r"do not|\bdnc\b|opt(ed)? ?out|unsubscrib|no contact"),
        (s.CLIENT_SINCE, r"since|created|joined|\bfirst\b|\bstart|\bseit\b"),
        (s.LAST_CONTACT, r"contact|kontakt|touch|spoke|called|\bseen\b"),
        (s.LAST_PURCHASE, r"purchase|order|invoice|\bsale|bought|kauf|bestell|rechnung|achat"),
        (
            s.TOTAL_REVENUE,
            r"total|spent|spend|revenue|\bsales\b|turnover|umsatz|lifetime|billed|chiffre|amount",
        ),
        (s.CLIENT_ID, r"\bid\b|number|\bno\b|\bnr\b|\bnum\b|\bcode\b|\bref\b|nummer|account"),
        (s.NAME, r"name|customer|client|kunde|\bcontact\b|person"),
    ),
    "transactions": (
        (
            s.INVOICE_ID,
            r"(invoice|order|receipt|rechnung|transaction|document|bill|beleg).*(id|no|nr|num|number)|^invoice$",
        ),
        (s.CLIENT_ID, r"customer|client|kunde|account|contact|buyer|purchaser|patient|member|\bname\b"),
        (s.DATE, r"date|datum|\bday\b|\bwhen\b|\bdate\b"),
        (s.AMOUNT, r"amount|total|\bsum\b|value|price|paid|betrag|montant|\bnet\b|gross|revenue|spent"),
    ),
    "contacts": (
        (s.CLIENT_ID, r"customer|client|kunde|account|contact(?! type| date)|buyer|patient|member|\bname\b"),
        (s.DATE, r"date|datum|\bday\b|\bwhen\b|time"),
        (s.CHANNEL, r"channel|\btype\b|method|medium|\bvia\b|kanal|\bhow\b"),
    ),
}


# --- what a column holds -----------------------------------------------------------------


def _parsers():
    """The loader's own cell parsers (private to it: a guess must read a cell as loading will)."""
    from .load import CHANNEL_SYNONYMS
    from .load.cells import _guess_date_formats, _Options, _parse_amounts, _parse_dates

    return _Options, _parse_dates, _parse_amounts, _guess_date_formats, CHANNEL_SYNONYMS


@dataclass(frozen=True)
class DateGuess:
    """How a column's dates are written.

    ``order`` is ``"iso"`` (or typed dates, nothing to guess), ``"day_first"``,
    ``"month_first"``, ``"either"`` (every date reads both ways) or ``"mixed"``
    (some read only day-first, others only month-first). ``day_over_12`` and
    ``month_over_12`` are examples that prove an order.
    """

    order: Literal["iso", "day_first", "month_first", "either", "mixed"]
    separator: str = "/"
    two_digit_year: bool = False
    day_over_12: tuple[str, ...] = ()
    month_over_12: tuple[str, ...] = ()
    numeric: int = 0  # cells written d/m/y or m/d/y
    mostly_month: bool = False  # more cells show a month above 12 than a day above 12

    @property
    def month_first_format(self) -> str:
        """The strftime format that reads these dates month first, e.g. ``%m/%d/%Y``."""
        year = "%y" if self.two_digit_year else "%Y"
        return f"%m{self.separator}%d{self.separator}{year}"


@dataclass(frozen=True)
class _Profile:
    """What one column of a file holds."""

    column: str
    rows: int
    filled: int
    distinct: int
    emails: int
    phones: int
    dates: int  # cells read as dates (ISO, either order, or typed)
    date_guess: DateGuess | None  # numeric dates: which order
    named_format: str | None  # other dates: the strftime format that reads them ("%d %b %Y")
    amounts: int  # cells read as amounts
    money_marks: int  # cells with a currency sign or decimals (money, not a count or an id)
    currency: tuple[str, ...]
    decimal: str | None
    words: int  # cells of two words or more: a name
    channels: int  # cells that are channel words
    texts: frozenset[str]  # distinct cleaned text (for matching ids across files)

    def share(self, n: int) -> float:
        return n / self.filled if self.filled else 0.0

    @property
    def unique(self) -> bool:
        return self.filled > 0 and self.distinct == self.filled

    @property
    def complete(self) -> bool:
        return self.rows > 0 and self.filled == self.rows

    def fits(self, canonical: str) -> bool:
        """Whether the cells could be ``canonical``'s (by content alone; blank columns fit nothing)."""
        if self.filled == 0:
            return False
        is_date = self.share(self.dates) >= MOSTLY
        is_money = self.share(self.amounts) >= 0.9
        if canonical in _DATE_CANONICALS:
            return is_date
        if canonical in _MONEY_CANONICALS:
            return is_money and not is_date and self.share(self.phones) < 0.5
        if canonical == s.EMAIL:
            return self.share(self.emails) >= 0.5
        if canonical == s.PHONE:
            return self.share(self.phones) >= 0.5 and not is_date
        if canonical == s.CHANNEL:
            return self.share(self.channels) >= 0.5
        if canonical == s.DO_NOT_CONTACT:
            return self.share(self.channels) < 0.5 and not is_date and self.distinct <= 4
        if canonical in (s.CLIENT_ID, s.INVOICE_ID):
            return not is_date and self.share(self.emails) < 0.5 and not (is_money and self.money_marks)
        # text: anything that is not mostly something else
        return not is_date and self.share(self.emails) < 0.5 and not (is_money and self.money_marks)

    @property
    def could_key(self) -> bool:
        """Filled in every row, no two alike, and not dates or money: could name each client once."""
        is_money = self.share(self.amounts) >= 0.9 and self.money_marks > 0
        return self.complete and self.unique and self.share(self.dates) < MOSTLY and not is_money

    @property
    def id_like(self) -> bool:
        """Short codes or numbers, every row filled: a client or invoice number."""
        return (
            self.complete
            and self.words < 0.2 * self.filled
            and self.fits(s.CLIENT_ID)
            and self.share(self.phones) < 0.5
        )


def _date_guess(text: pd.Series) -> DateGuess | None:
    parts = text.str.extract(_NUMERIC_DATE)
    numeric = parts[0].notna()
    if not numeric.any():
        return None
    first = parts.loc[numeric, 0].astype(int)
    second = parts.loc[numeric, 2].astype(int)
    seps = Counter(parts.loc[numeric, 1])
    years = parts.loc[numeric, 3].str.len()
    days = (first > 12) & (second <= 12)
    months = (second > 12) & (first <= 12)
    day_over = tuple(dict.fromkeys(text[numeric][days].tolist()))[:3]
    month_over = tuple(dict.fromkeys(text[numeric][months].tolist()))[:3]
    if day_over and month_over:
        order = "mixed"
    elif day_over:
        order = "day_first"
    elif month_over:
        order = "month_first"
    else:
        order = "either"
    return DateGuess(
        order,  # type: ignore[arg-type]
        separator=seps.most_common(1)[0][0],
        two_digit_year=bool((years == 2).sum() > (years == 4).sum()),
        day_over_12=day_over,
        month_over_12=month_over,
        numeric=int(numeric.sum()),
        mostly_month=bool(months.sum() > days.sum()),
    )


def _profile(frame: pd.DataFrame, column: str, delimiter: str | None = None) -> _Profile:
    options, parse_dates, parse_amounts, guess_formats, channel_words = _parsers()
    col = frame[column]
    far = pd.Timestamp(LATEST_AS_OF)
    blank = col.map(
        lambda v: (
            v is None
            or (isinstance(v, str) and not v.strip())
            or v is pd.NaT
            or (isinstance(v, float) and v != v)
        )
    ).astype(bool)
    filled = col[~blank]
    # As the loader cleans an id: whitespace runs to one space, a whole float (Excel's 1001.0) as 1001.
    text = filled.map(
        lambda v: " ".join(str(int(v) if isinstance(v, float) and v.is_integer() else v).split())
    ).astype(object)
    str_cells = text[filled.map(lambda v: isinstance(v, str)).astype(bool)]
    date_guess = _date_guess(str_cells.astype(str)) if len(str_cells) else None
    dates, named_format = 0, None
    if len(filled):
        plain = parse_dates(filled, options(far, None, False, None, delimiter))
        day_first = parse_dates(filled, options(far, None, True, None, delimiter))
        month_first = (
            parse_dates(filled, options(far, date_guess.month_first_format, False, None, delimiter))
            if date_guess
            else day_first
        )
        readable = plain.parsed.notna() | day_first.parsed.notna() | month_first.parsed.notna()
        if readable.sum() < MOSTLY * len(filled) and len(str_cells):
            # Not numbers: a format with month names ("5 Mar 2024", "March 5, 2024") may read them.
            for fmt in guess_formats(str_cells.tolist()):
                named = parse_dates(filled, options(far, fmt, False, None, delimiter)).parsed.notna()
                if (readable | named).sum() > readable.sum():
                    readable, named_format = readable | named, fmt
                    break
        dates = int(readable.sum())
    amounts, decimal = 0, None
    if len(filled):
        parsed = parse_amounts(filled, options(far, None, False, None, delimiter))
        amounts = int((parsed.parsed.notna() & ~parsed.bad).sum())
        decimal = parsed.decimal
    signs = Counter(m.group(0) for v in str_cells for m in _CURRENCY_SIGN.finditer(v))
    money_marks = int(
        str_cells.map(lambda v: bool(_CURRENCY_SIGN.search(v) or _DECIMAL_CELL.search(v))).sum()
    )
    # Typed numbers (Excel, Parquet): a fraction of a unit is money, not a count or an id.
    money_marks += int(filled.map(lambda v: isinstance(v, float) and not v.is_integer()).sum())
    channel_keys = {normalise_name(w) for words in channel_words.values() for w in words} - {"other"}
    phones = str_cells.map(
        lambda v: (
            bool(_PHONE.match(v))
            and 7 <= sum(ch.isdigit() for ch in v) <= 15
            and not _NUMERIC_DATE.match(v)
            and not _ISO.match(v)
            and (v[0] in "+0(" or bool(re.search(r"\d[\s\-.]\d", v)))
            and not re.fullmatch(r"\d+[.,]\d{1,2}", v)
        )
    )
    return _Profile(
        column=column,
        rows=len(col),
        filled=len(filled),
        distinct=int(text.str.casefold().nunique()) if len(text) else 0,
        emails=int(str_cells.map(lambda v: bool(_EMAIL.match(v))).sum()),
        phones=int(phones.sum()),
        dates=dates,
        date_guess=date_guess,
        named_format=named_format,
        amounts=amounts,
        money_marks=money_marks,
        currency=tuple(sign for sign, _ in signs.most_common()),
        decimal=decimal,
        words=int(str_cells.map(lambda v: bool(_WORDS.match(v))).sum()),
        channels=int(str_cells.map(lambda v: normalise_name(v) in channel_keys).sum()),
        texts=frozenset(text.str.casefold()),
    )


# --- the guesses -------------------------------------------------------------------------


How = Literal["map", "name", "content", "answer"]


@dataclass(frozen=True)
class ColumnGuess:
    """Where one canonical column is read from, and why.

    ``how`` is ``"map"`` (the column map builds it by name: written as a comment
    only), ``"name"`` (a word of the column's name, its content fitting),
    ``"content"`` (what its cells hold) or ``"answer"`` (a person chose it).
    ``check`` says what a person should confirm, when anything. ``column`` is
    the file's one column it is read from, ``None`` when it is built from
    several (``First Name + Last Name``, or a column filled in from another).
    """

    canonical: str
    source: str
    how: How
    why: str
    check: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class Question:
    """A guess a person should confirm: ``--interactive`` asks it.

    Answer it with ``guess_campaign(..., answers={question.key: choice})``.
    """

    key: str
    text: str
    choices: tuple[str, ...]
    default: str


@dataclass(frozen=True)
class FileGuess:
    """One input file: what it is and how its columns are read."""

    path: Path | None  # None for a frame handed in
    label: str  # how messages name it
    table: Table | None  # None: not used (a second client list, say)
    why: str
    column_map: str
    columns: Mapping[str, ColumnGuess]
    off: tuple[str, ...]  # canonical columns the map would read but the content contradicts
    unmapped: tuple[str, ...]
    rows: int
    notes: tuple[str, ...] = ()
    read_as: str = ""  # how the file was read, e.g. "CSV, semicolon-separated, utf-8"

    @property
    def written(self) -> dict[str, str]:
        """What goes under ``[data.columns.<table>]``: the guesses the column map does not make."""
        out = {c: g.source for c, g in self.columns.items() if g.how != "map"}
        out.update({c: "" for c in self.off})
        return out


@dataclass(frozen=True)
class Guess:
    """A campaign guessed from files; see the module docstring.

    Attributes
    ----------
    files
        One :class:`FileGuess` per file, in the order given.
    column_map
        The shipped map the files' names fit (``generic`` when none fits better).
    dayfirst, date_format
        How non-ISO dates are read (``[data] dayfirst`` / ``date_format``).
    decimal
        ``","`` when the amounts use a decimal comma, else ``None`` (detected per column).
    currency
        Currency signs seen in amounts, most common first.
    currency_code
        ``[campaign] currency`` when the signs name one currency (£ is GBP);
        ``None`` for no sign, several, or one shared by many currencies ($).
    questions
        The guesses a person should confirm.
    problems
        What loading the guessed campaign reported (``None`` when it loads, or
        when the tables were handed in as frames and so not loaded).
    clients, first_date, last_date
        What loading found: clients, and the earliest and latest date of any table.
    """

    name: str
    files: tuple[FileGuess, ...]
    column_map: str
    dayfirst: bool
    date_format: str | None
    date_why: str
    decimal: str | None
    decimal_why: str
    currency: tuple[str, ...]
    currency_code: str | None = None
    questions: tuple[Question, ...] = ()
    notes: tuple[str, ...] = ()
    problems: str | None = None
    clients: int | None = None
    first_date: date | None = None
    last_date: date | None = None
    needed_keys: tuple[str, ...] = ()
    map_files: tuple[str, ...] = ()  # the files read whose column names fit column_map

    def file_of(self, table: str) -> FileGuess | None:
        """The file read as ``table``, if any."""
        return next((f for f in self.files if f.table == table), None)

    def toml(self, folder: str | Path | None = None) -> str:
        """campaign.toml's text, data paths relative to ``folder`` when given (else absolute)."""
        return _render(self, None if folder is None else Path(folder))

    def write(self, folder: str | Path, *, force: bool = False) -> Path:
        """Write ``folder/campaign.toml``, creating the folder; an existing one only when ``force``.

        Raises
        ------
        WriteError
            If campaign.toml exists (and not ``force``) or cannot be written.
        """
        target = check_target(folder, force=force)
        make_folder(target.parent)
        return atomic_write_text(target, self.toml(target.parent))

    def summary(self) -> str:
        """What was found, in a few lines: files, clients, dates, the map, what to check."""
        return _summary(self)


def check_target(folder: str | Path, *, force: bool = False) -> Path:
    """``folder/campaign.toml``, refused when it exists (unless ``force``) or is a folder.

    Raises
    ------
    WriteError
    """
    target = Path(folder) / "campaign.toml"
    with os_errors(target):
        exists = target.exists() or target.is_symlink()
        is_dir = target.is_dir()
    if is_dir:
        raise WriteError(f"cannot write {target}: it is a folder", hint="choose another --out folder")
    if exists and not force:
        raise WriteError(
            f"{target} already exists: not overwritten",
            hint="pass --force (force=True in Python) to replace it, or choose another --out folder",
        )
    return target


def _table_scores(
    profiles: Mapping[str, _Profile], found: Mapping[str, Mapping[str, str]]
) -> dict[str, tuple[float, str]]:
    """How well a file fits each table, and why, from the columns each would read."""
    scores: dict[str, tuple[float, str]] = {}
    for table in TABLES:
        cols = found[table]
        if not all(c in cols for c in REQUIRED_COLUMNS[table] if c != s.CLIENT_ID):
            scores[table] = (-1.0, "")
            continue
        ref = profiles.get(cols.get(s.CLIENT_ID, ""))
        repeats = ref is not None and ref.filled > ref.distinct
        if table == "clients":
            # A client named on several rows, with a date and an amount on each, is a history.
            history = repeats and {s.DATE, s.AMOUNT} <= set(found["transactions"])
            score = len(cols) + (3 if ref is not None and ref.unique else 0) - (6 if history else 0)
            why = f"one row per client: {len(cols)} client-list column{'s' if len(cols) != 1 else ''} found"
            if ref is not None and ref.unique:
                why += f", `{ref.column}` never repeats"
        elif table == "transactions":
            score = (10 if repeats else 4) if ref is not None else -1.0
            why = f"a purchase history: a date and an amount on each row, `{ref.column if ref else '?'}`"
            why += " naming a client on several rows" if repeats else " naming a client"
        else:
            score = (9 if cols.get(s.CHANNEL) else 3) + (2 if repeats else 0) if ref is not None else -1.0
            if s.AMOUNT in found["transactions"]:
                score -= 8
            why = (
                "a contact history: a date" + (" and a channel" if s.CHANNEL in cols else "") + " on each row"
            )
        scores[table] = (float(score), why)
    return scores


def _name_hint(table: str, column: str) -> list[str]:
    words = " ".join(re.sub(r"[^\w]+", " ", column.casefold()).replace("_", " ").split())
    return [c for c, pattern in _NAME_HINTS[table] if re.search(pattern, words)]


@dataclass(frozen=True)
class _Assigned:
    columns: dict[str, ColumnGuess]  # canonical column -> guess
    off: tuple[str, ...]  # canonical columns the map would read, switched off
    notes: tuple[str, ...]
    unread: tuple[str, ...]  # columns of the file nothing reads


def _assign(
    table: Table,
    frame: pd.DataFrame,
    profiles: Mapping[str, _Profile],
    column_map: str,
    client_values: frozenset[str] | None,
    answers: Mapping[str, str],
    label: str,
) -> _Assigned:
    """How one file's columns would be read as ``table``."""
    mapped = apply_map(frame, table, column_map)
    guesses: dict[str, ColumnGuess] = {}
    off: list[str] = []
    notes: list[str] = []
    used: set[str] = set()
    for canonical, src in mapped.sources.items():
        prof = profiles[src.columns[0]]
        if src.kind == "column" and not src.fallback and prof.filled and not prof.fits(canonical):
            # Named like it, but its cells say otherwise ("Last Contacted" holding "by phone").
            kind = (
                "dates"
                if canonical in _DATE_CANONICALS
                else "amounts"
                if canonical in _MONEY_CANONICALS
                else ""
            )
            why = f"holds no {kind or canonical + ' values'}"
            off.append(canonical)
            notes.append(f"`{src.columns[0]}` would be {canonical} by its name, but it {why}: not read as it")
            continue
        used.update((*src.columns, *src.fallback))
        what = _content(profiles[src.columns[0]], canonical) if src.kind == "column" else ""
        where = (
            "the generic map" if mapped.map_name == "generic" else f"the {mapped.map_name} map (or generic)"
        )
        why = f"named so in {where}" + (f"; {what}" if what else "")
        single = src.columns[0] if src.kind == "column" and not src.fallback else None
        guesses[canonical] = ColumnGuess(canonical, src.label, "map", why, column=single)
    # Only the first of columns with the same name up to case and punctuation can be named in campaign.toml.
    reachable: dict[str, str] = {}
    for c in map(str, frame.columns):
        key = normalise_name(c)
        if key and key in reachable:
            notes.append(
                f"`{c}` cannot be told apart from `{reachable[key]}` by name (case and punctuation "
                "are ignored): rename one in the file to read it"
            )
        elif key:
            reachable[key] = c
    free = [c for c in reachable.values() if c not in used]
    wanted = [c for c in TABLE_COLUMNS[table] if c not in guesses]

    answer = answers.get(f"{label}:client_id") if table == "clients" else None
    if answer and answer in reachable.values() and s.CLIENT_ID in wanted:
        guesses[s.CLIENT_ID] = ColumnGuess(s.CLIENT_ID, answer, "answer", "chosen when asked", column=answer)
        wanted.remove(s.CLIENT_ID)

    candidates: list[tuple[float, str, str, How, str]] = []
    exact = {
        normalise_name(n): c
        for name in available_maps()
        for c, names in getattr(get_map(name).tables.get(table), "columns", {}).items()
        for n in names
    }
    for col in free:
        prof = profiles[col]
        if prof.filled == 0:
            continue
        hints = _name_hint(table, col)
        if exact.get(normalise_name(col)) in wanted:
            hints.insert(0, exact[normalise_name(col)])
        for rank, canonical in enumerate(dict.fromkeys(hints)):
            if canonical in wanted and prof.fits(canonical):
                if canonical == s.CLIENT_ID and table == "clients" and not prof.unique:
                    continue
                what = _content(prof, canonical)
                why = f"by its name ('{col}' suggests {canonical})" + (f"; {what}" if what else "")
                candidates.append((3.0 - 0.1 * rank, canonical, col, "name", why))
        # by content
        if prof.share(prof.emails) >= MOSTLY:
            candidates.append(
                (1.5, s.EMAIL, col, "content", f"{prof.emails} of {prof.filled} cells are e-mail addresses")
            )
        if prof.share(prof.phones) >= MOSTLY:
            candidates.append(
                (1.4, s.PHONE, col, "content", f"{prof.phones} of {prof.filled} cells are phone numbers")
            )
        if prof.fits(s.AMOUNT) and prof.money_marks:
            target = s.TOTAL_REVENUE if table == "clients" else s.AMOUNT
            candidates.append((1.3, target, col, "content", "its cells are amounts of money"))
        if prof.fits(s.DATE):
            if table == "clients":
                candidates.append(
                    (0.5, s.LAST_CONTACT, col, "content", "its cells are dates, and its name says no more")
                )
            else:
                candidates.append((1.3, s.DATE, col, "content", "its cells are dates"))
        if table != "clients" and client_values and not prof.fits(s.DATE):
            overlap = len(prof.texts & client_values) / max(len(prof.texts), 1)
            if overlap >= 0.5:
                candidates.append(
                    (
                        4.0 + overlap,
                        s.CLIENT_ID,
                        col,
                        "content",
                        f"{overlap:.0%} of its values are client ids of the client list",
                    )
                )
        if table == "contacts" and prof.fits(s.CHANNEL):
            candidates.append((1.2, s.CHANNEL, col, "content", "its cells are channels (phone, letter, ...)"))
        if table == "clients" and prof.id_like and prof.unique and not _NOT_IDS & set(hints):
            candidates.append((1.0, s.CLIENT_ID, col, "content", "every row has one, and no two are alike"))
        if table != "clients" and client_values is None and prof.id_like:
            # Before the client list is known: a code that repeats names a client on several rows.
            score = 0.8 if prof.filled > prof.distinct else 0.4
            candidates.append((score, s.CLIENT_ID, col, "content", "an id on every row"))
    for _score, canonical, col, how, why in sorted(candidates, key=lambda c: -c[0]):
        if canonical not in wanted or col in used:
            continue
        check = None
        if canonical == s.LAST_CONTACT and how == "content":
            check = (
                "is this the day each client was last contacted? if it is the last purchase, "
                f'write last_purchase = "{col}" instead'
            )
        guesses[canonical] = ColumnGuess(canonical, col, how, why, check, column=col)
        wanted.remove(canonical)
        used.add(col)

    if table == "clients" and s.CLIENT_ID not in guesses:
        for canonical in (s.NAME, s.COMPANY, s.EMAIL, s.PHONE):
            col = getattr(guesses.get(canonical), "column", None)
            if col is not None and profiles[col].could_key:
                guesses[s.CLIENT_ID] = ColumnGuess(
                    s.CLIENT_ID,
                    col,
                    "content",
                    f"the file has no id column; `{col}` is filled in every row and no two are alike",
                    check=f"two clients with the same {canonical} would be taken for one: if that can "
                    "happen, add an id column (a customer number) to the file and name it here",
                    column=col,
                )
                break
    # A column is read when a guess names it or the map uses it (a fallback, a row rule such as Status).
    read = (set(frame.columns.astype(str)) - set(mapped.ignored)) | used
    unread = tuple(str(c) for c in frame.columns if str(c) not in read)
    # A canonical column switched off in the map and then found elsewhere is simply read from there.
    return _Assigned(guesses, tuple(c for c in off if c not in guesses), tuple(notes), unread)


@dataclass(frozen=True)
class _Read:
    label: str
    path: Path | None
    frame: pd.DataFrame
    read_as: str = ""  # e.g. "CSV, semicolon-separated, cp1252"
    delimiter: str | None = None
    notes: tuple[str, ...] = ()


def _read_one(label: str, path: Path | None, source: Path | pd.DataFrame) -> _Read:
    # The loader's own reader, which also says how it read the file (delimiter, encoding, sheet);
    # loading the campaign detects the same, so campaign.toml need not name them.
    from .load.read import _read

    raw, notes = _read(source, name="file", delimiter=None, encoding=None, decimal=None, sheet=None)
    frame = raw.frame.reset_index(drop=True)
    return _Read(label, path, frame, raw.read_as, raw.delimiter, tuple(notes))


def _read_all(paths: str | Path | Iterable[str | Path] | Mapping[str, pd.DataFrame]) -> list[_Read]:
    if isinstance(paths, Mapping):
        return [_read_one(str(k), None, v) for k, v in paths.items()]
    given = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    names = Counter(p.name for p in given)
    out = []
    for path in given:
        if not path.is_file():
            raise InputError(
                "is a folder, not a file" if path.is_dir() else "file not found",
                file=str(path),
                hint="give the path of a CSV, Excel or Parquet file",
            )
        # Files are named by their name, or by the path given when two share a name.
        label = path.name if names[path.name] == 1 else str(path)
        out.append(_read_one(label, path.resolve(), path))
    return out


def _kinds(
    reads: Sequence[_Read],
    profiles: Mapping[str, Mapping[str, _Profile]],
    column_map: str,
    answers: Mapping[str, str],
) -> tuple[dict[str, tuple[Table | None, str]], list[Question], list[str]]:
    """Which table each file is (``None``: not read), and why; with the questions and notes that raises."""
    kinds: dict[str, tuple[Table | None, str]] = {}
    for r in reads:
        found = {}
        for t in TABLES:
            assigned = _assign(t, r.frame, profiles[r.label], column_map, None, answers, r.label)
            found[t] = {c: g.source for c, g in assigned.columns.items()}
        scores = _table_scores(profiles[r.label], found)
        best = max(scores, key=lambda t: scores[t][0])
        kinds[r.label] = (best if scores[best][0] > 0 else None, scores[best][1])  # type: ignore[assignment]
        if (chosen := answers.get(f"{r.label}:table")) in (*TABLES, "skip"):
            kinds[r.label] = (None if chosen == "skip" else chosen, f"read as {chosen} when asked")  # type: ignore[assignment]
    questions: list[Question] = []
    notes: list[str] = []
    for table in TABLES:
        # One file per table: the one a person chose, else the first given.
        of_kind = sorted(
            (r for r in reads if kinds[r.label][0] == table),
            key=lambda r: answers.get(f"{r.label}:table") != table,
        )
        for extra in of_kind[1:]:
            kinds[extra.label] = (None, f"a second {table} file: only one is read")
            notes.append(f"{extra.label} also looks like a {table} file; only {of_kind[0].label} is read")
        if len(of_kind) > 1:
            questions.append(
                Question(
                    f"{of_kind[1].label}:table",
                    f"{of_kind[1].label} also looks like a {table} file: read it as",
                    (*TABLES, "skip"),
                    "skip",
                )
            )
    return kinds, questions, notes


def guess_campaign(
    paths: str | Path | Iterable[str | Path] | Mapping[str, pd.DataFrame],
    *,
    as_of: date | None = None,
    name: str | None = None,
    answers: Mapping[str, str] | None = None,
) -> Guess:
    """Guess a campaign from a business's files; see the module docstring.

    Parameters
    ----------
    paths
        The files (CSV, Excel, Parquet; one path or several), or
        ``{label: DataFrame}`` (then the written campaign.toml names the labels
        as paths, and the guess is not loaded to check it).
    as_of
        The date loading checks dates against (none is after it); the guess is
        checked without that when ``None``.
    name
        The campaign's name; the first file's name by default.
    answers
        Answers to :attr:`Guess.questions`, ``{question.key: choice}``.

    Raises
    ------
    InputError
        If a file cannot be read, or no file can be a client list.
    """
    answers = dict(answers or {})
    reads = _read_all(paths)
    if not reads:
        raise InputError("no files given", hint="name the client list (and any history files) to read")
    profiles = {
        r.label: {str(c): _profile(r.frame.head(PROFILE_ROWS), str(c), r.delimiter) for c in r.frame.columns}
        for r in reads
    }

    # One column map serves every file: the shipped map that recognises the most of the files read.
    fits = {
        r.label: next(filter(None, (guess_map(list(map(str, r.frame.columns)), t) for t in TABLES)), None)
        for r in reads
    }
    votes = Counter(m for m in fits.values() if m)
    column_map = answers.get("column_map") or (votes.most_common(1)[0][0] if votes else "generic")
    kinds, questions, notes = _kinds(reads, profiles, column_map, answers)
    used_votes = Counter(fits[r.label] for r in reads if kinds[r.label][0] and fits[r.label])
    better = used_votes.most_common(1)[0][0] if used_votes else "generic"
    if "column_map" not in answers and better != column_map:  # the map came from a file not read
        column_map = better
        kinds, questions, notes = _kinds(reads, profiles, column_map, answers)
    client_files = [r for r in reads if kinds[r.label][0] == "clients"]
    if not client_files:
        raise InputError(
            "no client list among the files: none has a column naming each client once (an id, a name "
            "or an e-mail filled in every row, no two alike)",
            file=", ".join(r.label for r in reads),
            expected="a client list (one row per client) among the files; histories name the same client "
            "on several rows, so they cannot say who the clients are",
            hint="add the client list to the files given",
        )
    if len(used_votes) > 1 and "column_map" not in answers:
        questions.insert(
            0,
            Question(
                "column_map",
                "the files fit more than one column map: read them with",
                tuple(used_votes),
                column_map,
            ),
        )
        notes.append(
            f"the files fit the {' and the '.join(used_votes)} maps; one map serves every file, "
            f"so {column_map} is used"
        )

    clients_read = client_files[0]
    file_guesses: list[FileGuess] = []
    client_values: frozenset[str] | None = None
    order = sorted(reads, key=lambda r: kinds[r.label][0] != "clients")
    by_label: dict[str, FileGuess] = {}
    for r in order:
        table, why = kinds[r.label]
        if table is None:
            by_label[r.label] = FileGuess(
                r.path,
                r.label,
                None,
                why or "not a client list or a history",
                column_map,
                {},
                (),
                tuple(map(str, r.frame.columns)),
                len(r.frame),
                r.notes,
                r.read_as,
            )
            continue
        assigned = _assign(table, r.frame, profiles[r.label], column_map, client_values, answers, r.label)
        cols = assigned.columns
        if r is clients_read and s.CLIENT_ID in cols:
            src = cols[s.CLIENT_ID].column or cols[s.CLIENT_ID].source
            if src in profiles[r.label]:
                client_values = profiles[r.label][src].texts
            id_choices = tuple(
                c
                for c, p in profiles[r.label].items()
                if p.could_key and not {s.TOTAL_REVENUE, *_DATE_CANONICALS} & set(_name_hint("clients", c))
            )
            if cols[s.CLIENT_ID].check and len(id_choices) > 1:
                questions.append(
                    Question(
                        f"{r.label}:client_id",
                        f"{r.label} has no id column: which column names each client once",
                        id_choices,
                        src,
                    )
                )
        if len(r.frame) > PROFILE_ROWS:
            why += f" (guessed from its first {PROFILE_ROWS:,} rows of {len(r.frame):,})"
        by_label[r.label] = FileGuess(
            r.path,
            r.label,
            table,
            why,
            column_map,
            cols,
            assigned.off,
            assigned.unread,
            len(r.frame),
            r.notes + assigned.notes,
            r.read_as,
        )
    file_guesses = [by_label[r.label] for r in reads]

    date_setting = _dates(file_guesses, profiles, answers, questions)
    decimal, decimal_why, currency = _amounts(file_guesses, profiles)
    guess = Guess(
        name=name or _default_name(reads),
        files=tuple(file_guesses),
        column_map=column_map,
        dayfirst=date_setting[0],
        date_format=date_setting[1],
        date_why=date_setting[2],
        decimal=decimal,
        decimal_why=decimal_why,
        currency=currency,
        currency_code=_currency_code(currency),
        questions=tuple(questions),
        notes=tuple(notes),
        needed_keys=date_setting[3]
        + (
            ("a column map per file ([data] column_map applies to every file)",)
            if len(used_votes) > 1
            else ()
        ),
        map_files=tuple(r.label for r in reads if kinds[r.label][0] and fits[r.label] == column_map),
    )
    return _checked(guess, as_of, {r.label: r.frame for r in reads if r.path is None})


def _default_name(reads: Sequence[_Read]) -> str:
    stem = Path(reads[0].label).stem
    text = " ".join(re.sub(r"[^\w&'-]+", " ", stem).split())
    return text or "campaign"


def _dates(
    files: Sequence[FileGuess],
    profiles: Mapping[str, Mapping[str, _Profile]],
    answers: Mapping[str, str],
    questions: list[Question],
) -> tuple[bool, str | None, str, tuple[str, ...]]:
    """(dayfirst, date_format, why, keys campaign.toml would need) for every date column read."""
    seen: list[tuple[str, str, DateGuess]] = []
    named: list[tuple[str, str, str]] = []  # written with month names: (file, column, format)
    for f in files:
        if f.table is None:
            continue
        for canonical, guess in f.columns.items():
            prof = profiles[f.label].get(guess.source)
            if canonical not in _DATE_CANONICALS or prof is None:
                continue
            if prof.date_guess is not None:
                seen.append((f.label, guess.source, prof.date_guess))
            elif prof.named_format:
                named.append((f.label, guess.source, prof.named_format))
    named_fmts = sorted({fmt for *_, fmt in named})
    if not seen and named:
        lbl, col, fmt = named[0]
        why = f"dates are written with month names: {lbl} `{col}` reads as date_format {fmt!r}"
        if len(named_fmts) > 1:
            why += f"; CHECK: dates are written several ways ({', '.join(named_fmts)}): "
            why += "one date_format reads one"
            return False, fmt, why, ("a date format per file ([data] date_format applies to every file)",)
        return False, fmt, why, ()
    if not seen:
        return False, None, "dates are ISO (YYYY-MM-DD) or typed cells: read as they are", ()
    if named:
        notes_named = (
            "; CHECK: "
            + ", ".join(f"{lbl} `{col}` ({fmt!r})" for lbl, col, fmt in named)
            + " is written with month names, other dates with numbers: one date setting cannot read both"
        )
    else:
        notes_named = ""
    # A column that mixes both counts for the order most of its telling dates show.
    day = [x for x in seen if x[2].order == "day_first" or (x[2].order == "mixed" and not x[2].mostly_month)]
    month = [x for x in seen if x[2].order == "month_first" or (x[2].order == "mixed" and x[2].mostly_month)]
    mixed = [x for x in seen if x[2].order == "mixed"]
    needed: tuple[str, ...] = ()

    def shown(items: Sequence[tuple[str, str, DateGuess]], attr: str) -> str:
        return "; ".join(
            f"{lbl} `{col}` has {', '.join(repr(v) for v in getattr(g, attr))}" for lbl, col, g in items[:2]
        )

    chosen = answers.get("dates")
    if chosen in ("day_first", "month_first"):
        order, why = chosen, f"dates read {chosen.replace('_', '-')}: chosen when asked"
    elif day and not month:
        order = "day_first"
        why = f"dates are day-first: a day above 12 in {shown(day, 'day_over_12')}"
    elif month and not day:
        order = "month_first"
        why = f"dates are month-first: a month cannot be above 12, and {shown(month, 'month_over_12')}"
    elif day and month:
        order = "day_first" if len(day) >= len(month) else "month_first"
        why = (
            f"CHECK: files disagree: {shown(day, 'day_over_12')} (day-first) but "
            f"{shown(month, 'month_over_12')} (month-first); campaign.toml has one date setting for "
            f"every file, so {order.replace('_', '-')} is set and the other file's dates need rewriting"
        )
        needed = ("a date order per file ([data] date_format and dayfirst apply to every file)",)
        questions.append(
            Question(
                "dates",
                "the files disagree on the date order: read every file's dates as",
                ("day_first", "month_first"),
                order,
            )
        )
    else:
        dollars = any("$" in p.currency for prof in profiles.values() for p in prof.values())
        order = "month_first" if dollars else "day_first"
        cols = ", ".join(f"`{col}`" for _, col, _ in seen[:3])
        why = (
            f"CHECK: every date in {cols} reads both ways (no day or month above 12); read "
            f"{order.replace('_', '-')}"
            + (" because amounts are in $" if order == "month_first" else "")
            + ': if 03/04/2024 is 4 March, set dayfirst = true; if 3 April, date_format = "%m/%d/%Y"'
        )
        questions.append(
            Question(
                "dates",
                "dates read both ways (e.g. 03/04/2024): read them as",
                ("day_first", "month_first"),
                order,
            )
        )
    if mixed:
        why += (
            "; CHECK: "
            + ", ".join(f"{lbl} `{col}`" for lbl, col, _ in mixed)
            + " mixes day-first and month-first dates: the rows that do not read "
            + order.replace("_", "-")
            + " will be reported when loading"
        )
    if named:
        why += notes_named
        needed += ("a date format per file ([data] date_format applies to every file)",)
    if order == "day_first":
        return True, None, why, needed
    fmts = {g.month_first_format for _, _, g in seen if g.order != "day_first"}
    fmt = sorted(fmts)[0] if fmts else "%m/%d/%Y"
    if len(fmts) > 1:
        why += (
            f"; CHECK: dates are written several ways ({', '.join(sorted(fmts))}): one date_format reads one"
        )
    return False, fmt, why, needed


#: The currency a sign names, when it names one (``$`` is the dollar of many countries).
_SIGN_CURRENCY = {"£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR"}


def _currency_code(signs: Sequence[str]) -> str | None:
    """The ISO 4217 code of the one currency ``signs`` name, if they name one.

    >>> _currency_code(["£"]), _currency_code(["$"]), _currency_code(["GBP", "£"]), _currency_code(["€", "£"])
    ('GBP', None, 'GBP', None)
    """
    codes = {_SIGN_CURRENCY.get(sign, sign if sign.isalpha() and len(sign) == 3 else None) for sign in signs}
    return codes.pop() if len(codes) == 1 and None not in codes else None


def _amounts(
    files: Sequence[FileGuess], profiles: Mapping[str, Mapping[str, _Profile]]
) -> tuple[str | None, str, tuple[str, ...]]:
    marks: dict[str, list[str]] = {}
    signs: Counter[str] = Counter()
    for f in files:
        for c, g in f.columns.items():
            if c in _MONEY_CANONICALS and g.source in profiles[f.label]:
                p = profiles[f.label][g.source]
                if p.decimal:
                    marks.setdefault(p.decimal, []).append(f"{f.label} `{g.source}`")
                signs.update(p.currency)
    currency = tuple(sign for sign, _ in signs.most_common())
    if set(marks) == {","}:
        return ",", f"amounts use a decimal comma ({', '.join(marks[','][:3])})", currency
    if len(marks) > 1:
        return (
            None,
            (
                "amounts use a decimal comma in "
                + ", ".join(marks[","][:2])
                + " and a point in "
                + ", ".join(marks["."][:2])
                + ": each column's mark is detected as it loads"
            ),
            currency,
        )
    return None, "amounts use a decimal point (or none): the default", currency


def _checked(guess: Guess, as_of: date | None, frames: Mapping[str, pd.DataFrame]) -> Guess:
    """The guess with what loading it reports: clients and date range, or the problems."""
    from .load import load_inputs

    if frames:
        return guess  # frames in memory: the loader reads files; nothing more to check here
    raw = tomllib.loads(guess.toml())
    try:
        cfg = parse_config(raw, source=Path.cwd() / "campaign.toml")
        inputs = load_inputs(cfg, as_of=as_of or LATEST_AS_OF)
    except ReconnectError as err:
        return replace(guess, problems=str(err))
    days = [
        frame[c].dropna()
        for frame in (inputs.clients, inputs.transactions, inputs.contacts)
        if frame is not None
        for c in (*s.CLIENT_DATE_COLUMNS, s.DATE)
        if c in frame.columns and c != s.CLIENT_SINCE
    ]
    stamps = pd.concat(days) if days else pd.Series(dtype="datetime64[ns]")
    return replace(
        guess,
        clients=len(inputs.clients),
        first_date=stamps.min().date() if len(stamps) else None,
        last_date=stamps.max().date() if len(stamps) else None,
    )


# --- campaign.toml -----------------------------------------------------------------------


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _comment(text: str) -> str:
    """One comment line: no character that could end it or that TOML refuses in a comment."""
    return "# " + "".join(ch if ch == "\t" or (ord(ch) >= 0x20 and ord(ch) != 0x7F) else " " for ch in text)


def _path_text(f: FileGuess, folder: Path | None) -> str:
    if f.path is None:
        return f.label
    if folder is None:
        return str(f.path)
    folder = folder.resolve()
    try:
        common = Path(os.path.commonpath([f.path, folder]))
    except ValueError:  # another drive (Windows): no relative path
        return str(f.path)
    if common == Path(common.anchor):  # nothing shared but the root: the full path says more
        return str(f.path)
    # Relative, so the campaign folder and its data can be moved together.
    return Path(os.path.relpath(f.path, folder)).as_posix()


def _render(guess: Guess, folder: Path | None) -> str:
    lines = [
        _comment("campaign.toml written by `reconnect init`: every guess is explained in a comment,"),
        _comment("and each line marked CHECK is a guess a person should confirm. Edit freely."),
        "",
        "[campaign]",
        f"name = {_toml_string(guess.name)}",
        _comment("as_of = 2026-11-23   # pin the date every number is computed as of (default: today)"),
    ]
    signs = " ".join(guess.currency)
    if guess.currency_code:
        why = f"amounts are written with {signs}: shown so in reports and letters"
        lines.append(f"currency = {_toml_string(guess.currency_code)}   {_comment(why)}")
    elif guess.currency:
        lines.append(
            _comment(
                f"CHECK: amounts are written with {signs}, which names "
                + ("several currencies" if len(guess.currency) == 1 else "more than one currency")
                + ': set currency = "USD" (or the code of yours) to show amounts so'
            )
        )
    lines += ["", "[data]"]
    for table in TABLES:
        f = guess.file_of(table)
        if f is not None:
            read_as = f" ({f.read_as})" if f.read_as else ""
            lines += [
                _comment(f"{f.label}{read_as}: {f.why}"),
                f"{table} = {_toml_string(_path_text(f, folder))}",
            ]
    for f in guess.files:
        if f.table is None:
            lines.append(_comment(f"{f.label} is not read: {f.why}"))
    map_why = (
        f"the column names of {', '.join(guess.map_files) or 'the files'} fit the {guess.column_map} map"
        if guess.column_map != "generic"
        else "no shipped map ("
        + ", ".join(m for m in available_maps() if m != "generic")
        + ") fits these columns: the generic names and synonyms are used"
    )
    lines += [_comment(map_why), f"column_map = {_toml_string(guess.column_map)}"]
    lines.append(_comment(guess.date_why))
    if guess.date_format:
        lines.append(f"date_format = {_toml_string(guess.date_format)}")
    elif guess.dayfirst:
        lines.append("dayfirst = true")
    lines.append(_comment(guess.decimal_why))
    if guess.decimal:
        lines.append(f"decimal = {_toml_string(guess.decimal)}")
    if guess.currency:
        lines.append(
            _comment(f"currency signs in the amounts ({' '.join(guess.currency)}) are read and dropped")
        )
    for key in guess.needed_keys:
        lines.append(_comment(f"CHECK: not expressible in campaign.toml yet: {key}"))
    for note in guess.notes:
        lines.append(_comment(note))
    for table in TABLES:
        f = guess.file_of(table)
        if f is None:
            continue
        lines += ["", f"[data.columns.{table}]"]
        lines.append(_comment(f"how {f.label}'s columns are read ({table} column = column in the file)"))
        for canonical in TABLE_COLUMNS[table]:
            g = f.columns.get(canonical)
            if g is None:
                continue
            why = g.why
            if g.how == "map":
                lines.append(_comment(f"{canonical} <- {_toml_string(g.source)}: {why}"))
            else:
                if g.check:
                    lines.append(_comment(f"CHECK: {g.check}"))
                lines.append(f"{canonical} = {_toml_string(g.source)}   {_comment(why)}")
        for canonical in f.off:
            lines.append(f'{canonical} = ""   {_comment("switched off: see the note below")}')
        for note in f.notes:
            lines.append(_comment(note))
        if f.unmapped:
            lines.append(_comment("not read: " + ", ".join(_toml_string(c) for c in f.unmapped)))
    lines += [
        "",
        _comment("Everything else takes its default: see the README's campaign.toml for [dormancy],"),
        _comment('[value], [plan] (capacity per channel), [outcomes] and [reports] (folder = "reports").'),
        "",
    ]
    return "\n".join(lines)


def _content(prof: _Profile, canonical: str) -> str:
    """What a column's cells are, in words, for the comment on its guess."""
    if prof.filled == 0:
        return ""
    if canonical in _DATE_CANONICALS:
        g = prof.date_guess
        order = {
            "day_first": ", day-first",
            "month_first": ", month-first",
            "either": ", day and month both 12 or less",
            "mixed": ", some day-first and some month-first",
        }.get(g.order if g else "", "")
        return f"{prof.dates:,} of {prof.filled:,} cells are dates{order}"
    if canonical in _MONEY_CANONICALS:
        signs = f" in {' '.join(prof.currency)}" if prof.currency else ""
        mark = {",": ", decimal comma", ".": ", decimal point"}.get(prof.decimal or "", "")
        return f"{prof.amounts:,} of {prof.filled:,} cells are amounts{signs}{mark}"
    if canonical == s.EMAIL:
        return f"{prof.emails:,} of {prof.filled:,} cells are e-mail addresses"
    if canonical == s.PHONE:
        return f"{prof.phones:,} of {prof.filled:,} cells are phone numbers"
    if canonical == s.CHANNEL:
        return f"{prof.channels:,} of {prof.filled:,} cells are channels"
    if canonical == s.CLIENT_ID and prof.unique:
        return f"{prof.filled:,} of {prof.rows:,} rows filled, no two alike"
    return ""


def _summary(guess: Guess) -> str:
    out = []
    for f in guess.files:
        if f.table is None:
            out.append(f"{f.label}: not read ({f.why})")
            continue
        out.append(f"{f.label}: {f.table} ({f.rows:,} row{'s' if f.rows != 1 else ''}), {f.why}")
        if f.read_as:
            out.append(f"  read as: {f.read_as}")
        out.append(f"  column map: {guess.column_map}")
        for canonical in TABLE_COLUMNS[f.table]:
            if (g := f.columns.get(canonical)) is not None:
                out.append(f"  {canonical:<14} <- {g.source}  ({g.why})")
        if f.unmapped:
            out.append("  not read: " + ", ".join(f.unmapped))
    out.append(f"dates: {guess.date_why}")
    code = f" ({guess.currency_code})" if guess.currency_code else ""
    out.append(
        f"amounts: {guess.decimal_why}"
        + (f"; currency {' '.join(guess.currency)}{code}" if guess.currency else "")
    )
    if guess.clients is not None:
        span = f", dates from {guess.first_date} to {guess.last_date}" if guess.first_date else ""
        out.append(f"loads: {guess.clients:,} clients{span}")
    checks = [
        f"{f.label} `{g.source}` as {g.canonical}: {g.check}"
        for f in guess.files
        for g in f.columns.values()
        if g.check
    ]
    checks += [n for f in guess.files for n in f.notes] + list(guess.notes)
    if "CHECK" in guess.date_why:
        checks.append(guess.date_why.replace("CHECK: ", ""))
    if guess.currency and not guess.currency_code:
        checks.append(
            f"amounts are written with {' '.join(guess.currency)}: set currency under [campaign] "
            'to your currency\'s code (e.g. "USD") to show amounts with it'
        )
    checks += [f"not expressible in campaign.toml yet: {k}" for k in guess.needed_keys]
    if guess.problems:
        checks.append(
            "loading this campaign fails:\n"
            + "\n".join("    " + line for line in guess.problems.splitlines())
        )
    if checks:
        out.append("to check:")
        out += [f"  - {c}" for c in checks]
    return "\n".join(out)
