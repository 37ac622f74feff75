"""campaign.toml: one file that describes a campaign.

A campaign file names the data files and how to read them, the dormancy and
value settings, channel capacities, the outcome database, the report folder and
the engine that computes the client base (``[engine]``, pandas by default).
Every command takes ``--config campaign.toml``; command-line flags override it.

Relative paths are resolved against the folder holding campaign.toml, so a
campaign folder can be moved or shared as a whole.

Example
-------
>>> from reconnect_lib.config import parse_config
>>> cfg = parse_config({"campaign": {"name": "demo"}, "data": {"clients": "c.csv"}})
>>> cfg.plan.capacity["letter"]
10
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .errors import ConfigError, Problem
from .money import known_currency, known_locale
from .options import DecimalMark, Engine, FirstChannel, MeasureFrom, Strategy, ValueBasis

DEFAULT_EDGES_MONTHS: tuple[int, ...] = (6, 12, 24, 36)
DEFAULT_CAPACITY: dict[str, int] = {"letter": 10, "phone": 20, "email": 50}

#: The as-of dates reconnect_lib computes for. Input dates before 1900 are
#: refused by the loader too; the upper end leaves room for a plan's horizon
#: within the dates pandas can hold (up to 2262).
EARLIEST_AS_OF = date(1900, 1, 1)
LATEST_AS_OF = date(2199, 12, 31)
#: Upper bounds of campaign.toml's numbers: far above any real campaign, and
#: low enough that no date or count computed from them overflows.
MAX_MONTHS = 1200  # 100 years
MAX_KEEP_UP_WEEKS = 520  # 10 years
MAX_FOLLOW_UP_DAYS = 365
MAX_CAPACITY = 10_000_000  # contacts a week on one channel
MAX_PRIOR_STRENGTH = 1_000_000.0
MAX_COST = 1_000_000_000.0  # one action, or the fixed costs, in the campaign's currency
MAX_CALL_MINUTES = 24 * 60.0
MAX_SEED = 2**63 - 1
#: A campaign.toml is a few kilobytes; anything far bigger is the wrong file.
MAX_CONFIG_BYTES = 1_000_000


# TOML is typed, so each number is taken as written: a bool, a string that looks like a
# number, inf or nan is a mistake to report, not a value to coerce.
Months = Annotated[int, Strict(), Field(ge=1, le=MAX_MONTHS)]
KeepUpWeeks = Annotated[int, Strict(), Field(ge=0, le=MAX_KEEP_UP_WEEKS)]
FollowUpDays = Annotated[int, Strict(), Field(ge=0, le=MAX_FOLLOW_UP_DAYS)]
Capacity = Annotated[int, Strict(), Field(ge=0, le=MAX_CAPACITY)]
Seed = Annotated[int, Strict(), Field(ge=0, le=MAX_SEED)]
SheetNumber = Annotated[int, Strict(), Field(ge=0, le=10_000)]
PriorStrength = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, le=MAX_PRIOR_STRENGTH)]
Share = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, lt=1)]
Chance = Annotated[float, Strict(), Field(allow_inf_nan=False, gt=0, lt=1)]
Cost = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=MAX_COST)]
CallMinutes = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=MAX_CALL_MINUTES)]


def _path_text(value: Any) -> Any:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("is empty")
        if "\x00" in value:
            raise ValueError("contains a NUL character")
    return value


#: A path key: a non-empty string (a pathlib.Path from Python).
PathKey = Annotated[Path, BeforeValidator(_path_text)]

_NAME_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")


def _campaign_name(value: str) -> str:
    # Any readable name will do ("Acme / Partners", "../x"): the reports folder's
    # sub-folder is made from it by files.safe_folder_name, which stays inside.
    if not value.strip() or _NAME_FORBIDDEN.search(value):
        raise ValueError("must be a readable name: not blank, no control characters")
    return value


def _one_line(value: str) -> str:
    # A letter's signature and an e-mail's From header: a line break or a control character
    # would split a header or a signature line.
    if _NAME_FORBIDDEN.search(value):
        raise ValueError("must be one line of text, with no control characters")
    return value.strip()


#: An e-mail address as a header can carry it: one @, a dotted domain, no spaces, quotes or brackets.
EMAIL_ADDRESS = re.compile(r"[^@\s<>(),;:\"\\\[\]]+@[^@\s<>(),;:\"\\\[\]]+\.[^@\s<>(),;:\"\\\[\]]+")


def _email(value: str) -> str:
    value = _one_line(value)
    if value and not EMAIL_ADDRESS.fullmatch(value):
        raise ValueError("is not an e-mail address like office@example.com")
    return value


def _a_date(value: Any) -> Any:
    # pydantic would read a number as seconds since 1970 and a midnight datetime as its day.
    if isinstance(value, datetime):
        raise ValueError("is a date and time; as_of is a date")
    if not isinstance(value, date | str):
        raise ValueError("is not a date")
    return value


def _in_as_of_range(value: date) -> date:
    if not EARLIEST_AS_OF <= value <= LATEST_AS_OF:
        raise ValueError(f"must be from {EARLIEST_AS_OF} to {LATEST_AS_OF}")
    return value


_SPARK_MASTER = re.compile(r"^(local(\[(\*|[1-9][0-9]*)(,[0-9]+)?\])?|yarn|(spark|k8s|mesos)://.+)$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _currency(value: str) -> str:
    code = value.strip().upper()
    if not known_currency(code):
        raise ValueError("is not an ISO 4217 code Babel knows")
    return code


def _locale(value: str) -> str:
    if not known_locale(value.strip()):
        raise ValueError("is not a locale Babel knows")
    return value.strip()


class CampaignSection(_Section):
    name: Annotated[StrictStr, Field(min_length=1, max_length=200), AfterValidator(_campaign_name)]
    as_of: Annotated[date, BeforeValidator(_a_date), AfterValidator(_in_as_of_range)] | None = None
    description: StrictStr = ""
    #: The currency amounts are shown in (ISO 4217); None: plain numbers with thousands separators.
    currency: Annotated[StrictStr, Field(max_length=10), AfterValidator(_currency)] | None = None
    #: The locale whose symbol placement and separators amounts are shown with (English by default).
    locale: Annotated[StrictStr, Field(max_length=50), AfterValidator(_locale)] | None = None


class DataSection(_Section):
    clients: PathKey
    transactions: PathKey | None = None
    contacts: PathKey | None = None
    outcomes: PathKey | None = None
    column_map: StrictStr = "generic"
    columns: dict[Literal["clients", "transactions", "contacts"], dict[StrictStr, StrictStr]] = {}
    date_format: StrictStr | None = None
    dayfirst: StrictBool = False
    decimal: DecimalMark | None = None
    delimiter: StrictStr | None = None
    encoding: StrictStr | None = None
    sheet: StrictStr | SheetNumber | None = None


class DormancySection(_Section):
    edges_months: tuple[Months, ...] = DEFAULT_EDGES_MONTHS
    measure_from: MeasureFrom = "latest"
    due_after_months: Months = 6
    keep_up_weeks: KeepUpWeeks = 4

    @field_validator("edges_months")
    @classmethod
    def _increasing(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if not v or list(v) != sorted(set(v)):
            raise ValueError("must be positive whole months in increasing order, e.g. [6, 12, 24, 36]")
        return v


class ValueSection(_Section):
    basis: ValueBasis = "expected"
    model: Literal["historical", "bgnbd"] = "historical"
    prior_strength: PriorStrength = 20.0
    prior: dict[StrictStr, Chance] | None = None


class PlanSection(_Section):
    strategy: Strategy = "round_robin"
    capacity: dict[Literal["letter", "phone", "email", "visit", "gift"], Capacity] = DEFAULT_CAPACITY
    #: First-contact channels in order of preference; None: letter first when it has capacity,
    #: else e-mail and phone sharing the queue (what the plan did before the key existed).
    channels: tuple[FirstChannel, ...] | None = None
    follow_up_days: FollowUpDays = 7
    gift: StrictBool = False
    holdout_share: Share = 0.0
    seed: Seed = 0

    @field_validator("capacity")
    @classmethod
    def _with_defaults(cls, v: dict[str, int]) -> dict[str, int]:
        return {**DEFAULT_CAPACITY, **v}

    @field_validator("channels")
    @classmethod
    def _distinct_with_capacity(
        cls, v: tuple[str, ...] | None, info: ValidationInfo
    ) -> tuple[str, ...] | None:
        if v is None:
            return v
        if not v or len(set(v)) != len(v):
            raise ValueError('must list one or more of "letter", "email", "phone", each once')
        capacity = info.data.get("capacity")
        if capacity is not None and not any(capacity.get(c, 0) > 0 for c in v):
            raise ValueError(
                "every channel it lists has a capacity of 0 under [plan.capacity]: nobody could be contacted"
            )
        return v


class SenderSection(_Section):
    """``[sender]``: who writes the letters and e-mails.

    ``firm`` (default: made from the campaign name), ``signer`` (who signs a
    letter to a client with no account owner: an account owner signs their own
    clients' letters), the signer's ``role``, and the firm's ``phone`` and
    ``email`` (the From of the e-mail drafts).
    """

    firm: Annotated[StrictStr, Field(max_length=200), AfterValidator(_one_line)] = ""
    signer: Annotated[StrictStr, Field(max_length=200), AfterValidator(_one_line)] = ""
    role: Annotated[StrictStr, Field(max_length=200), AfterValidator(_one_line)] = ""
    phone: Annotated[StrictStr, Field(max_length=100), AfterValidator(_one_line)] = ""
    email: Annotated[StrictStr, Field(max_length=254), AfterValidator(_email)] = ""


class CostsSection(_Section):
    """``[costs]``: what each action costs, in the campaign's currency (what the return is set against).

    Per letter ``letter_print`` and ``letter_postage``; per ``gift``; per call
    either ``call_minutes`` at an ``hourly_rate`` or a ``call_flat`` cost; per
    ``email``; and ``fixed`` costs that do not grow with the contacts (a
    consultant's fee). Costs are counted from what the outcome log says was
    done, not from the plan. All default to 0.
    """

    letter_print: Cost = 0.0
    letter_postage: Cost = 0.0
    gift: Cost = 0.0
    call_minutes: CallMinutes = 0.0
    hourly_rate: Cost = 0.0
    call_flat: Cost | None = None
    email: Cost = 0.0
    fixed: Cost = 0.0

    @model_validator(mode="after")
    def _one_way_to_cost_a_call(self) -> CostsSection:
        if self.call_flat is not None and (self.call_minutes or self.hourly_rate):
            raise ValueError("a call is costed either flat (call_flat) or by call_minutes and hourly_rate")
        return self

    @property
    def any(self) -> bool:
        """Whether any cost is set (a campaign with none cannot say whether it paid for itself)."""
        return any(value for value in self.model_dump().values())


class EngineSection(_Section):
    """``[engine]``: which engine computes the client base, buckets and scores.

    ``name`` is ``pandas`` (the default), ``polars``, ``duckdb`` or ``spark``;
    ``master`` is Spark's master URL (``local[*]`` when omitted, or e.g.
    ``spark://host:7077``) and ``spark_config`` any further Spark settings
    (``"spark.executor.memory" = "8g"``). Both are for ``spark`` only.
    """

    name: Engine = "pandas"
    master: Annotated[StrictStr, Field(pattern=_SPARK_MASTER)] | None = None
    spark_config: dict[StrictStr, StrictStr] = {}

    @model_validator(mode="after")
    def _spark_only(self) -> EngineSection:
        if self.name != "spark" and (self.master is not None or self.spark_config):
            raise ValueError('master and spark_config are settings of the spark engine: set name = "spark"')
        return self


class OutcomesSection(_Section):
    database: Annotated[StrictStr, Field(min_length=1)] = "sqlite:///outcomes.sqlite"


class ReportsSection(_Section):
    folder: PathKey = Path("reports")


class CampaignConfig(_Section):
    """A parsed, validated campaign.toml. Paths are absolute after :func:`load_config`."""

    campaign: CampaignSection
    data: DataSection
    dormancy: DormancySection = DormancySection()
    value: ValueSection = ValueSection()
    plan: PlanSection = PlanSection()
    sender: SenderSection = SenderSection()
    costs: CostsSection = CostsSection()
    outcomes: OutcomesSection = OutcomesSection()
    reports: ReportsSection = ReportsSection()
    engine: EngineSection = EngineSection()
    source: Path | None = Field(default=None, exclude=True)


#: What each key of campaign.toml takes, and a line that fixes it (the README's example values).
_EXPECTED: dict[str, tuple[str, str]] = {
    "campaign": ("a table [campaign] with at least name = ...", '[campaign] name = "my-firm"'),
    "campaign.name": (
        "a short readable name, e.g. the firm's name (its report folder is made safe from it)",
        'name = "consulting-firm"',
    ),
    "campaign.as_of": (
        f"a date written without quotes, from {EARLIEST_AS_OF} to {LATEST_AS_OF}",
        "as_of = 2026-11-23 (or leave it out to use today)",
    ),
    "campaign.description": ("text in quotes", 'description = "Win back our past clients"'),
    "campaign.currency": (
        "a three-letter ISO 4217 currency code in quotes (leave it out for plain numbers)",
        'currency = "GBP"',
    ),
    "campaign.locale": (
        "a locale in quotes: the symbol placement and separators of amounts (English when left out)",
        'locale = "en_GB"',
    ),
    "data": ("a table [data] with at least clients = ...", '[data] clients = "clients.csv"'),
    "data.clients": (
        "the path of the client list, relative to campaign.toml's folder",
        'clients = "clients.csv"',
    ),
    "data.transactions": (
        "the path of a file, relative to campaign.toml's folder",
        'transactions = "sales.csv"',
    ),
    "data.contacts": ("the path of a file, relative to campaign.toml's folder", 'contacts = "contacts.csv"'),
    "data.outcomes": ("the path of a file, relative to campaign.toml's folder", 'outcomes = "outcomes.csv"'),
    "data.column_map": (
        '"generic", "hubspot", "xero" or the path of a .toml column map',
        'column_map = "generic"',
    ),
    "data.columns": (
        "tables [data.columns.clients], [data.columns.transactions] or [data.columns.contacts] "
        'of column = "header in your file"',
        '[data.columns.clients] client_id = "Customer No"',
    ),
    "data.date_format": ("a strftime format in quotes", 'date_format = "%d/%m/%Y"'),
    "data.dayfirst": ("true or false", "dayfirst = true"),
    "data.decimal": ('"." or ","', 'decimal = ","'),
    "data.delimiter": ("one character in quotes", 'delimiter = ";"'),
    "data.encoding": ("an encoding name in quotes", 'encoding = "cp1252"'),
    "data.sheet": ("an Excel sheet's name in quotes, or its number counting from 0", 'sheet = "Clients"'),
    "dormancy": ("a table [dormancy]", "[dormancy] due_after_months = 6"),
    "dormancy.edges_months": (
        f"whole months from 1 to {MAX_MONTHS}, in increasing order",
        "edges_months = [6, 12, 24, 36]",
    ),
    "dormancy.measure_from": ('"latest", "contact" or "purchase"', 'measure_from = "latest"'),
    "dormancy.due_after_months": (f"a whole number of months from 1 to {MAX_MONTHS}", "due_after_months = 6"),
    "dormancy.keep_up_weeks": (f"a whole number of weeks from 0 to {MAX_KEEP_UP_WEEKS}", "keep_up_weeks = 4"),
    "value": ("a table [value]", '[value] basis = "expected"'),
    "value.basis": ('"expected", "yearly" or "total"', 'basis = "expected"'),
    "value.model": ('"historical" or "bgnbd"', 'model = "historical"'),
    "value.prior_strength": (
        f"a number greater than 0, at most {MAX_PRIOR_STRENGTH:,.0f}",
        "prior_strength = 20",
    ),
    "value.prior": (
        "a table of bucket label = chance of winning back, each strictly between 0 and 1",
        'prior = { "6–12 months" = 0.5, "1–2 years" = 0.35 }',
    ),
    "plan": ("a table [plan]", '[plan] strategy = "round_robin"'),
    "plan.strategy": ('"round_robin", "value", "dormancy" or "custom"', 'strategy = "round_robin"'),
    "plan.capacity": (
        f"contacts a week for letter, phone, email, visit or gift: whole numbers from 0 to {MAX_CAPACITY:,}",
        "capacity = { letter = 10, phone = 20, email = 50 }",
    ),
    "plan.channels": (
        'first-contact channels in order of preference: a list of "letter", "email", "phone", each once, '
        "at least one with capacity",
        'channels = ["letter", "email", "phone"]',
    ),
    "plan.follow_up_days": (f"a whole number of days from 0 to {MAX_FOLLOW_UP_DAYS}", "follow_up_days = 7"),
    "plan.gift": ("true or false", "gift = true"),
    "plan.holdout_share": ("a share from 0 up to but not including 1", "holdout_share = 0.1"),
    "plan.seed": (f"a whole number from 0 to {MAX_SEED}", "seed = 2026"),
    "sender": ("a table [sender]", '[sender] signer = "Daniel Okoye"'),
    "sender.firm": ("the firm's name as letters give it, one line", 'firm = "Pike & Okoye"'),
    "sender.signer": (
        "who signs letters to clients with no account owner, one line",
        'signer = "Daniel Okoye"',
    ),
    "sender.role": ("the signer's role, one line", 'role = "Director"'),
    "sender.phone": ("the firm's phone number, one line", 'phone = "0191 498 0000"'),
    "sender.email": (
        "the firm's e-mail address (the From of the e-mail drafts)",
        'email = "office@example.com"',
    ),
    "outcomes": ("a table [outcomes]", '[outcomes] database = "sqlite:///outcomes.sqlite"'),
    "outcomes.database": ("a database URL in quotes", 'database = "sqlite:///outcomes.sqlite"'),
    "reports": ("a table [reports]", '[reports] folder = "reports"'),
    "reports.folder": ("the path of a folder, relative to campaign.toml's folder", 'folder = "reports"'),
    "costs": (
        "a table [costs] of amounts in the campaign's currency; a call costed flat or by minutes and rate",
        "[costs] letter_postage = 0.85",
    ),
    "costs.letter_print": ("an amount of 0 or more per letter printed", "letter_print = 0.40"),
    "costs.letter_postage": ("an amount of 0 or more per letter posted", "letter_postage = 0.85"),
    "costs.gift": ("an amount of 0 or more per gift", "gift = 12.50"),
    "costs.call_minutes": (
        f"minutes a call takes, 0 to {MAX_CALL_MINUTES:,.0f}",
        "call_minutes = 10",
    ),
    "costs.hourly_rate": ("an amount of 0 or more an hour of calling", "hourly_rate = 30"),
    "costs.call_flat": ("an amount of 0 or more per call, instead of minutes and rate", "call_flat = 5"),
    "costs.email": ("an amount of 0 or more per e-mail", "email = 0.05"),
    "costs.fixed": ("an amount of 0 or more for the whole campaign, e.g. a consultant's fee", "fixed = 1500"),
    "engine": ("a table [engine]", '[engine] name = "pandas"'),
    "engine.name": ('"pandas", "polars", "duckdb" or "spark"', 'name = "pandas"'),
    "engine.master": (
        "a Spark master URL: local, local[4], local[*], yarn, spark://host:port or k8s://...",
        'master = "local[*]"',
    ),
    "engine.spark_config": (
        'a table of Spark setting = "value"',
        'spark_config = { "spark.executor.memory" = "8g" }',
    ),
}


def _key_of(loc: tuple[Any, ...], raw: Any) -> tuple[str, ...]:
    """The key a user wrote, from a pydantic location: the parts found in the input.

    pydantic adds the names of union members (``str``, ``constrained-int``) and
    ``[key]`` to a location; walking the input keeps only what is in the file.
    """
    parts: list[str] = []
    node = raw
    for part in loc:
        in_table = isinstance(node, dict) and part in node
        in_array = isinstance(node, list | tuple) and isinstance(part, int) and 0 <= part < len(node)
        if in_table or in_array:
            node = node[part]
        elif node is raw or (isinstance(node, dict) and isinstance(part, str) and part.isidentifier()):
            node = None  # a missing key (or section), named as the user would write it
        else:
            continue
        parts.append(f"[{part}]" if isinstance(part, int) else str(part))
    return tuple(parts)


def _shown(value: Any) -> str:
    """A value as it is written in TOML, cut short: what the user sees in the file."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, date):  # also datetime
        text = value.isoformat()
    elif isinstance(value, str):
        text = repr(value)
    elif isinstance(value, dict):
        text = "a table"
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _expected(parts: tuple[str, ...]) -> tuple[str, str] | None:
    for n in range(len(parts), 0, -1):
        found = _EXPECTED.get(".".join(parts[:n]))
        if found:
            return found
    return None


def _where(parts: tuple[str, ...]) -> str:
    if len(parts) <= 1:
        return "at the top of campaign.toml"
    return f"under [{'.'.join(parts[:-1])}]" if len(parts) == 2 else f"under [{parts[0]}]"


def _problem_from(err: dict[str, Any], file: str | None, raw: Any = None) -> Problem:
    parts = _key_of(tuple(err["loc"]), raw)
    key = ".".join(parts).replace(".[", "[")
    kind = err["type"]
    if kind == "extra_forbidden":
        section = ".".join(str(p) for p in err["loc"][:-1])
        model: type[BaseModel] = CampaignConfig
        for part in err["loc"][:-1]:
            field = model.model_fields.get(str(part))
            annotation = getattr(field, "annotation", None)
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                model = annotation
            else:
                break
        allowed = ", ".join(k for k in model.model_fields if k != "source")
        where = f"[{section}]" if section else "the top level"
        return Problem(
            f"unknown key `{key}`",
            file=file,
            expected=f"one of {allowed} in {where}",
            hint="check the spelling; the README lists every key of campaign.toml",
        )
    expected, example = _expected(parts) or (None, None)
    if kind == "missing":
        return Problem(
            f"missing key `{key}`",
            file=file,
            expected=expected,
            hint=f"add {example or parts[-1] + ' = ...'} {_where(parts)}",
        )
    reason = str(err["msg"]).removeprefix("Value error, ")
    if not key:
        return Problem(
            f"not a campaign file: {reason}", file=file, hint="start from the README's campaign.toml"
        )
    return Problem(
        f"key `{key}` = {_shown(err.get('input'))} is not valid: {reason}",
        file=file,
        expected=expected,
        hint=f"set e.g. {example} {_where(parts)}" if example else "the README lists every key",
    )


def parse_config(raw: dict[str, Any], *, source: Path | None = None) -> CampaignConfig:
    """Validate a campaign mapping (as read from TOML) into a :class:`CampaignConfig`.

    Relative paths are resolved against ``source``'s folder when given.

    Raises
    ------
    ConfigError
        Naming every wrong key or value at once.
    """
    file = str(source) if source else None
    try:
        cfg = CampaignConfig.model_validate(raw)
    except ValidationError as err:
        problems: dict[str, Problem] = {}
        for e in err.errors():
            # One problem per key: a value that fits no member of a union fails once per member.
            problem = _problem_from(e, file, raw)
            problems.setdefault(problem.message.split(" = ")[0], problem)
        raise ConfigError.from_problems(list(problems.values()), file=file) from err
    if source is None:
        return cfg
    base = source.parent.resolve()

    def resolve(p: Path | None) -> Path | None:
        return None if p is None else Path(os.path.normpath(p if p.is_absolute() else base / p))

    data = cfg.data.model_copy(
        update={k: resolve(getattr(cfg.data, k)) for k in ("clients", "transactions", "contacts", "outcomes")}
    )
    database = cfg.outcomes.database
    prefix = "sqlite:///"
    if (
        database.startswith(prefix)
        and not database.startswith(prefix + "/")
        and database != prefix + ":memory:"
    ):
        database = prefix + str(base / database[len(prefix) :])
    return cfg.model_copy(
        update={
            "data": data,
            "outcomes": cfg.outcomes.model_copy(update={"database": database}),
            "reports": cfg.reports.model_copy(update={"folder": resolve(cfg.reports.folder)}),
            "source": source.resolve(),
        }
    )


DATA_FILES = ("clients", "transactions", "contacts", "outcomes")


def check_files(config: CampaignConfig) -> None:
    """Check that each file under ``[data]`` exists and is a file, before anything reads it.

    Raises
    ------
    ConfigError
        Naming campaign.toml, the key and the path of every missing file or
        folder given as a file, at once.
    """
    file = str(config.source) if config.source else None
    folder = config.source.parent if config.source else Path.cwd()
    problems = []
    for key in DATA_FILES:
        path = getattr(config.data, key)
        if path is None:
            continue
        try:
            found, is_dir = path.exists(), path.is_dir()
        except OSError as err:  # e.g. a folder on the way that may not be listed
            problems.append(
                Problem(
                    f"key `data.{key}` = '{path}': cannot be read ({err.strerror or err})",
                    file=file,
                    hint="check the path and that you may read it",
                )
            )
            continue
        if is_dir:
            problems.append(
                Problem(
                    f"key `data.{key}` = '{path}' is a folder, not a file",
                    file=file,
                    expected="the path of a CSV, Excel or Parquet file",
                    hint=f'give the {key} file itself under [data], e.g. {key} = "{key}.csv"',
                )
            )
        elif not found:
            near = _near_names(path)
            problems.append(
                Problem(
                    f"key `data.{key}` = '{path}': file not found",
                    file=file,
                    expected="the path of an existing file",
                    hint=(f"did you mean {near!r}? " if near else "")
                    + f"fix {key} under [data]; relative paths start at {folder}",
                )
            )
    if problems:
        raise ConfigError.from_problems(problems, file=file)


def _near_names(path: Path) -> str | None:
    try:
        names = [p.name for p in path.parent.iterdir() if p.is_file()]
    except OSError:
        return None
    close = difflib.get_close_matches(path.name, names, n=1)
    return close[0] if close else None


def load_config(path: str | Path) -> CampaignConfig:
    """Read and validate campaign.toml.

    Raises
    ------
    ConfigError
        If the file is missing, is a folder or unreadable, is not UTF-8 text or
        not valid TOML, or has a wrong key or value.
    """
    path = Path(path)
    file = str(path)
    example = "e.g. data/sample/consulting-firm/campaign.toml"
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError as err:
        raise ConfigError(
            "campaign file not found",
            file=file,
            hint=f"pass --config with a campaign.toml path, {example}",
        ) from err
    except IsADirectoryError as err:
        raise ConfigError(
            "is a folder, not a campaign file",
            file=file,
            expected="the path of a campaign.toml file",
            hint=f"pass the file itself, {example}",
        ) from err
    except OSError as err:
        raise ConfigError(
            f"cannot be read: {err.strerror or err}",
            file=file,
            hint="check that the file exists and that you may read it",
        ) from err
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"is larger than {MAX_CONFIG_BYTES:,} bytes: not a campaign file",
            file=file,
            expected="a campaign.toml of a few lines",
            hint=f"pass --config with a campaign.toml path, {example}",
        )
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark, as some Windows editors write, is fine
    except UnicodeDecodeError as err:
        start = err.start
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        raise ConfigError(
            f"not UTF-8 text (byte 0x{data[start]:02x} at line {line}, column {column})",
            file=file,
            expected="a text file saved as UTF-8",
            hint="save campaign.toml as UTF-8 (in most editors: Save As, Encoding UTF-8); "
            "if it is not a campaign file, pass the right one with --config",
        ) from err
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        # tomllib's message names the line and column and never quotes the file.
        raise ConfigError(
            f"not valid TOML: {err}",
            file=file,
            hint="fix the TOML at that line and column; the README shows a complete campaign.toml",
        ) from err
    if not raw:
        raise ConfigError(
            "is empty: it sets no key",
            file=file,
            expected="at least [campaign] name = ... and [data] clients = ...",
            hint="start from the campaign.toml in the README, or write one with `reconnect sample`",
        )
    return parse_config(raw, source=path)
