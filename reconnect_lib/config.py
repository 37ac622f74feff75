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

import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .engines import Engine
from .errors import ConfigError, Problem

MeasureFrom = Literal["latest", "contact", "purchase"]
ValueBasis = Literal["expected", "yearly", "total"]
Strategy = Literal["round_robin", "value", "dormancy", "custom"]

DEFAULT_EDGES_MONTHS: tuple[int, ...] = (6, 12, 24, 36)
DEFAULT_CAPACITY: dict[str, int] = {"letter": 10, "phone": 20, "email": 50}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CampaignSection(_Section):
    name: str = Field(min_length=1)
    as_of: date | None = None
    description: str = ""


class DataSection(_Section):
    clients: Path
    transactions: Path | None = None
    contacts: Path | None = None
    outcomes: Path | None = None
    column_map: str = "generic"
    columns: dict[Literal["clients", "transactions", "contacts"], dict[str, str]] = {}
    date_format: str | None = None
    dayfirst: bool = False
    decimal: Literal[".", ","] | None = None
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None


class DormancySection(_Section):
    edges_months: tuple[int, ...] = DEFAULT_EDGES_MONTHS
    measure_from: MeasureFrom = "latest"
    due_after_months: int = Field(default=6, gt=0)
    keep_up_weeks: int = Field(default=4, ge=0)

    @field_validator("edges_months")
    @classmethod
    def _increasing(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if not v or any(e <= 0 for e in v) or list(v) != sorted(set(v)):
            raise ValueError("must be positive whole months in increasing order, e.g. [6, 12, 24, 36]")
        return v


class ValueSection(_Section):
    basis: ValueBasis = "expected"
    model: Literal["historical", "bgnbd"] = "historical"
    prior_strength: float = Field(default=20.0, gt=0)
    prior: dict[str, float] | None = None

    @field_validator("prior")
    @classmethod
    def _probabilities(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is not None and any(not 0 < p < 1 for p in v.values()):
            raise ValueError("each prior win-back chance must be strictly between 0 and 1")
        return v


class PlanSection(_Section):
    strategy: Strategy = "round_robin"
    capacity: dict[Literal["letter", "phone", "email", "visit", "gift"], int] = DEFAULT_CAPACITY
    follow_up_days: int = Field(default=7, ge=0)
    gift: bool = False
    holdout_share: float = Field(default=0.0, ge=0, lt=1)
    seed: int = 0

    @field_validator("capacity")
    @classmethod
    def _non_negative(cls, v: dict[str, int]) -> dict[str, int]:
        if any(c < 0 for c in v.values()):
            raise ValueError("capacities are contacts per week and cannot be negative")
        return {**DEFAULT_CAPACITY, **v}


class EngineSection(_Section):
    """``[engine]``: which engine computes the client base, buckets and scores.

    ``name`` is ``pandas`` (the default), ``polars``, ``duckdb`` or ``spark``;
    ``master`` is Spark's master URL (``local[*]`` when omitted, or e.g.
    ``spark://host:7077``) and ``spark_config`` any further Spark settings
    (``"spark.executor.memory" = "8g"``). Both are for ``spark`` only.
    """

    name: Engine = "pandas"
    master: str | None = Field(default=None, min_length=1)
    spark_config: dict[str, str] = {}

    @model_validator(mode="after")
    def _spark_only(self) -> EngineSection:
        if self.name != "spark" and (self.master is not None or self.spark_config):
            raise ValueError('master and spark_config are settings of the spark engine: set name = "spark"')
        return self


class OutcomesSection(_Section):
    database: str = "sqlite:///outcomes.sqlite"


class ReportsSection(_Section):
    folder: Path = Path("reports")


class CampaignConfig(_Section):
    """A parsed, validated campaign.toml. Paths are absolute after :func:`load_config`."""

    campaign: CampaignSection
    data: DataSection
    dormancy: DormancySection = DormancySection()
    value: ValueSection = ValueSection()
    plan: PlanSection = PlanSection()
    outcomes: OutcomesSection = OutcomesSection()
    reports: ReportsSection = ReportsSection()
    engine: EngineSection = EngineSection()
    source: Path | None = Field(default=None, exclude=True)


def _problem_from(err: dict[str, Any], file: str | None) -> Problem:
    key = ".".join(str(p) for p in err["loc"])
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
    if kind == "missing":
        return Problem(f"missing key `{key}`", file=file, hint=f"add `{err['loc'][-1]} = ...`")
    value = err.get("input")
    return Problem(
        f"key `{key}` = {value!r} is not valid: {err['msg']}",
        file=file,
        hint="the README's campaign.toml section lists the allowed values",
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
        problems = [_problem_from(e, file) for e in err.errors()]
        raise ConfigError.from_problems(problems, file=file) from err
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


def load_config(path: str | Path) -> CampaignConfig:
    """Read and validate campaign.toml.

    Raises
    ------
    ConfigError
        If the file is missing, is not valid TOML, or has a wrong key or value.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ConfigError(
            "campaign file not found",
            file=str(path),
            hint="pass --config with a campaign.toml path, e.g. data/sample/consulting-firm/campaign.toml",
        ) from err
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"not valid TOML: {err}", file=str(path)) from err
    return parse_config(raw, source=path)
