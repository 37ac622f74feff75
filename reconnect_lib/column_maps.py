"""Column maps: read a CRM or accounting export in the package's own vocabulary.

A *column map* says, for each table (``clients``, ``transactions``,
``contacts``), which columns of an export hold each canonical column of
:mod:`reconnect_lib.schema`. Maps are TOML files shipped in
``reconnect_lib/column_maps/`` (see :func:`available_maps`), or any ``.toml``
file of the same shape. Each shipped file says, in comments, where its column
names come from.

Column names are matched ignoring case, spaces and punctuation, so
``"Customer ID"``, ``"customer_id"`` and ``"*CustomerID"`` are the same name.

How a canonical column is found, in this order of *layers*:

1. the user's own mapping (``[data.columns.<table>]`` in campaign.toml or the
   ``columns`` argument), e.g. ``{"client_id": "Kundennummer"}``;
2. the named map (``column_map = "hubspot"``);
3. the ``generic`` map (canonical names plus common synonyms).

The first layer that can build the column wins. Within a layer:

* ``[<table>.columns]`` lists synonyms; the first one present in the file is used;
* ``[<table>.join]`` builds a column from several (``First Name`` + ``Last Name``),
  skipping blank parts; used when no synonym is present;
* ``[<table>.product]`` multiplies two numeric columns (quantity × unit amount);
  used when no synonym is present;
* ``[<table>.fallback]`` fills blank cells row by row from other columns
  (Xero: the contact name where first and last name are blank).

A table may also declare rows to set aside (``[<table>.exclude_when]``, e.g.
voided invoices), rows whose amount is a refund (``[<table>.refund_when]``,
e.g. credit notes), and ``per_invoice`` amount columns that repeat an invoice
total on each of its line items (the loader then keeps one row per invoice).

Example
-------
>>> import pandas as pd
>>> from reconnect_lib.column_maps import apply_map
>>> raw = pd.DataFrame({"Customer ID": ["00123"], "E-mail": ["ann@example.com"]})
>>> mapped = apply_map(raw, "clients")
>>> list(mapped.frame.columns)
['client_id', 'email']
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from . import schema as s
from .errors import ConfigError, Problem

Table = Literal["clients", "transactions", "contacts"]
TABLES: tuple[Table, ...] = ("clients", "transactions", "contacts")

#: The canonical columns of each input table, in output order.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "clients": (
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
        s.LAST_CONTACT,
        s.LAST_PURCHASE,
        s.TOTAL_REVENUE,
    ),
    "transactions": (s.CLIENT_ID, s.DATE, s.AMOUNT, s.INVOICE_ID),
    "contacts": (s.CLIENT_ID, s.DATE, s.CHANNEL),
}

#: Columns a table cannot do without.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "clients": (s.CLIENT_ID,),
    "transactions": (s.CLIENT_ID, s.DATE, s.AMOUNT),
    "contacts": (s.CLIENT_ID, s.DATE),
}

_MAP_FOLDER = "column_maps"
_SECTION_KEYS = ("columns", "join", "product", "fallback", "per_invoice", "exclude_when", "refund_when")


def normalise_name(name: object) -> str:
    """The key a column name is matched by: lower case, letters and digits only.

    >>> normalise_name("*Customer_ID ")
    'customerid'
    """
    return "".join(ch for ch in str(name).casefold() if ch.isalnum())


# --- what a map file says ----------------------------------------------------------


@dataclass(frozen=True)
class Join:
    """Build a text column from several columns, skipping blank parts.

    Each part is a tuple of synonyms (the first present is used).
    """

    parts: tuple[tuple[str, ...], ...]
    sep: str = " "


@dataclass(frozen=True)
class Product:
    """Build a numeric column as the product of numeric columns (quantity × unit amount)."""

    parts: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class TableMap:
    """What one map says about one table; see the module docstring."""

    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    join: Mapping[str, Join] = field(default_factory=dict)
    product: Mapping[str, Product] = field(default_factory=dict)
    fallback: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    per_invoice: tuple[str, ...] = ()
    exclude_when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    refund_when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ColumnMap:
    """A named column map: one :class:`TableMap` per table it knows."""

    name: str
    description: str
    tables: Mapping[str, TableMap]
    origin: str = ""


def available_maps() -> list[str]:
    """Names of the column maps shipped with the package, sorted.

    >>> "generic" in available_maps() and "hubspot" in available_maps()
    True
    """
    folder = resources.files("reconnect_lib") / _MAP_FOLDER
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def get_map(name: str) -> ColumnMap:
    """The column map called ``name``, or read from ``name`` if it is a path to a ``.toml`` file.

    Raises
    ------
    ConfigError
        If no such map exists (listing the shipped ones) or the file is malformed.

    Examples
    --------
    >>> get_map("xero").tables["clients"].columns["client_id"]
    ('*ContactName', 'ContactName')
    """
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(
            f"column map {name!r} is not a name",
            expected="one of " + ", ".join(available_maps()) + ", or the path of a .toml file",
        )
    if name.endswith(".toml"):
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            why = "is not UTF-8 text" if isinstance(err, UnicodeDecodeError) else "cannot be read"
            if isinstance(err, IsADirectoryError):
                why = "is a folder"
            elif isinstance(err, PermissionError):
                why = "cannot be read (permission denied)"
            raise ConfigError(
                f"column map file {why}",
                file=str(path),
                hint="give the path of a .toml file shaped like reconnect_lib/column_maps/generic.toml",
            ) from err
        return _parse_map(path.stem, text, origin=str(path))
    return _shipped_map(name)


@cache
def _shipped_map(name: str) -> ColumnMap:
    names = available_maps()
    if name not in names:
        close = difflib.get_close_matches(name, names, n=1)
        raise ConfigError(
            f"unknown column map {name!r}",
            expected="one of " + ", ".join(names) + ", or the path of a .toml file",
            hint=f'did you mean column_map = "{close[0]}"?' if close else None,
        )
    text = (resources.files("reconnect_lib") / _MAP_FOLDER / f"{name}.toml").read_text(encoding="utf-8")
    return _parse_map(name, text, origin=f"reconnect_lib/column_maps/{name}.toml")


def _synonyms(value: Any, where: str, origin: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where} must be a column name or a list of names, not {value!r}", file=origin)


def _parse_table(table: str, raw: Any, origin: str) -> TableMap:
    if not isinstance(raw, dict):
        raise ConfigError(f"[{table}] must be a table", file=origin)
    unknown = set(raw) - set(_SECTION_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown key(s) {', '.join(sorted(unknown))} in [{table}]",
            file=origin,
            expected="one of " + ", ".join(_SECTION_KEYS),
        )
    allowed = TABLE_COLUMNS[table]

    def canonical(section: str) -> dict[str, Any]:
        entries = raw.get(section, {})
        if not isinstance(entries, dict):
            raise ConfigError(f"[{table}.{section}] must be a table", file=origin)
        for key in entries:
            if key not in allowed:
                raise ConfigError(
                    f"[{table}.{section}] names `{key}`, which is not a {table} column",
                    file=origin,
                    expected="one of " + ", ".join(allowed),
                )
        return entries

    columns = {k: _synonyms(v, f"[{table}.columns] {k}", origin) for k, v in canonical("columns").items()}
    join = {}
    for key, spec in canonical("join").items():
        if not isinstance(spec, dict) or "columns" not in spec:
            raise ConfigError(f'[{table}.join] {key} must be {{ columns = [...], sep = " " }}', file=origin)
        parts = tuple(_synonyms(p, f"[{table}.join] {key}", origin) for p in spec["columns"])
        join[key] = Join(parts, str(spec.get("sep", " ")))
    product = {
        k: Product(tuple(_synonyms(p, f"[{table}.product] {k}", origin) for p in v))
        for k, v in canonical("product").items()
    }
    fallback = {k: _synonyms(v, f"[{table}.fallback] {k}", origin) for k, v in canonical("fallback").items()}
    per_invoice = (
        _synonyms(raw["per_invoice"], f"[{table}] per_invoice", origin) if "per_invoice" in raw else ()
    )

    def by_value(section: str) -> dict[str, tuple[str, ...]]:
        entries = raw.get(section, {})
        if not isinstance(entries, dict):
            raise ConfigError(f"[{table}.{section}] must be a table", file=origin)
        return {col: _synonyms(v, f"[{table}.{section}] {col}", origin) for col, v in entries.items()}

    return TableMap(
        columns=columns,
        join=join,
        product=product,
        fallback=fallback,
        per_invoice=per_invoice,
        exclude_when=by_value("exclude_when"),
        refund_when=by_value("refund_when"),
    )


def _parse_map(name: str, text: str, *, origin: str) -> ColumnMap:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"column map is not valid TOML: {err}", file=origin) from err
    unknown = set(raw) - {"name", "description", *TABLES}
    if unknown and not set(raw) & set(TABLES):
        # Not a column map at all (a path pointing at another TOML file): its keys are
        # not listed, as they could be anything that file holds, secrets included.
        raise ConfigError(
            "is not a column map: it has none of the tables " + ", ".join(f"[{t}]" for t in TABLES),
            file=origin,
            expected="a .toml file shaped like reconnect_lib/column_maps/generic.toml",
            hint="check the column_map path under [data] in campaign.toml",
        )
    if unknown:
        raise ConfigError(
            f"unknown key(s) {', '.join(sorted(unknown))} in column map",
            file=origin,
            expected="name, description and tables " + ", ".join(TABLES),
        )
    tables = {t: _parse_table(t, raw[t], origin) for t in TABLES if t in raw}
    return ColumnMap(str(raw.get("name", name)), str(raw.get("description", "")), tables, origin)


def _user_layer(
    table: str, columns: Mapping[str, str], raw_columns: Sequence[str]
) -> tuple[TableMap, list[str], list[Problem]]:
    """The user's own mapping as a layer; also which canonical columns they switched off."""
    allowed = TABLE_COLUMNS[table]
    present = {normalise_name(c): c for c in raw_columns}
    mapped: dict[str, tuple[str, ...]] = {}
    off: list[str] = []
    problems: list[Problem] = []
    where = f"[data.columns.{table}] in campaign.toml (or the `columns` argument)"
    for key, value in columns.items():
        if key in allowed:
            canonical, source = key, value
        elif value in allowed:  # written the pandas-rename way: {"Source": "canonical"}
            canonical, source = value, key
        else:
            close = difflib.get_close_matches(str(key), allowed, n=1) or difflib.get_close_matches(
                str(value), allowed, n=1
            )
            problems.append(
                Problem(
                    f"{key!r} = {value!r} names no {table} column",
                    expected='canonical_name = "Column in your file", with canonical names '
                    + ", ".join(allowed),
                    hint=f"did you mean `{close[0]}`? (set in {where})" if close else f"fix it in {where}",
                )
            )
            continue
        if source is None or str(source).strip() == "":
            off.append(canonical)
            continue
        if normalise_name(source) not in present:
            close = difflib.get_close_matches(str(source), list(raw_columns), n=1)
            # A file of one column that is not the one named is likely not a table at all
            # (a path at the wrong file): its first line is not shown, it could be a secret.
            single = len(raw_columns) == 1
            if single:
                close = []
            problems.append(
                Problem(
                    f"the mapping {canonical} = {source!r} names a column the file does not have",
                    column=str(source),
                    expected="a table with that column (this file has a single column, and not that one: "
                    "is the path right, and [data] delimiter?)"
                    if single
                    else "one of its columns: " + _list_columns(raw_columns),
                    hint=(f'did you mean {canonical} = "{close[0]}"? ' if close else "")
                    + f"(set in {where})",
                )
            )
            continue
        mapped[canonical] = (str(source),)
    return TableMap(columns=mapped), off, problems


def _list_columns(columns: Sequence[str], limit: int = 15) -> str:
    shown = ", ".join(repr(c) for c in list(columns)[:limit])
    more = len(columns) - limit
    return shown + (f" and {more} more" if more > 0 else "") if columns else "(none)"


# --- applying a map to a frame -----------------------------------------------------


@dataclass(frozen=True)
class Source:
    """How one canonical column was built from a file's columns."""

    kind: Literal["column", "join", "product"]
    columns: tuple[str, ...]
    sep: str = " "
    fallback: tuple[str, ...] = ()
    per_invoice: bool = False

    @property
    def label(self) -> str:
        """The column(s) as the user knows them, e.g. ``FirstName + LastName``."""
        glue = {"column": "", "join": " + ", "product": " × "}[self.kind]
        text = glue.join(self.columns) if glue else self.columns[0]
        if self.fallback:
            text += " (or " + ", ".join(self.fallback) + ")"
        return text


@dataclass(frozen=True)
class MappedTable:
    """A raw table renamed to the canonical vocabulary.

    Attributes
    ----------
    frame
        Canonical columns found (values still raw: a column read from one file
        column keeps its dtype; a joined, filled-in or product column holds Python
        objects); a product column appears as its parts, named ``"<canonical>[0]"``,
        ``"<canonical>[1]"``; index unchanged.
    sources
        Canonical column → :class:`Source`.
    ignored
        Columns of the file that no canonical column uses.
    exclude
        Rows to set aside, with the reason (e.g. ``"Status is 'Voided'"``).
    refund
        Rows whose amount is a refund (made negative).
    problems
        Mistakes in the user's own mapping.
    """

    table: str
    map_name: str
    frame: pd.DataFrame
    sources: Mapping[str, Source]
    ignored: tuple[str, ...]
    exclude: pd.Series
    refund: pd.Series
    problems: tuple[Problem, ...] = ()
    raw_columns: tuple[str, ...] = ()


def _layers(table: str, column_map: str | ColumnMap) -> list[TableMap]:
    named = column_map if isinstance(column_map, ColumnMap) else get_map(column_map)
    layers = [named.tables[table]] if table in named.tables else []
    if named.name != "generic":
        generic = get_map("generic")
        if table in generic.tables:
            layers.append(generic.tables[table])
    return layers


def _text(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def apply_map(
    frame: pd.DataFrame,
    table: Table,
    column_map: str | ColumnMap = "generic",
    columns: Mapping[str, str] | None = None,
) -> MappedTable:
    """Rename a raw table's columns to the canonical vocabulary.

    Parameters
    ----------
    frame
        The raw table (e.g. from :func:`reconnect_lib.load.read_table`); not modified.
    table
        ``"clients"``, ``"transactions"`` or ``"contacts"``.
    column_map
        A shipped map name (see :func:`available_maps`), a path to a ``.toml``
        map, or a :class:`ColumnMap`.
    columns
        The user's own mapping, ``{"client_id": "Kundennummer", ...}``, applied
        on top of the named map; ``{"channel": ""}`` switches a column off.

    Returns
    -------
    MappedTable
        Values are not parsed here; :mod:`reconnect_lib.load` parses and validates them.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"First Name": ["Ann"], "Last Name": ["Lee"], "Record ID": ["7"]})
    >>> m = apply_map(raw, "clients", "hubspot")
    >>> m.frame.loc[0, "name"], m.sources["name"].label
    ('Ann Lee', 'First Name + Last Name')
    """
    if table not in TABLES:
        raise ConfigError(f"unknown table {table!r}", expected="one of " + ", ".join(TABLES))
    raw_columns = [str(c) for c in frame.columns]
    present: dict[str, str] = {}
    for c in raw_columns:
        key = normalise_name(c)
        if key:
            present.setdefault(key, c)

    def find(synonyms: Iterable[str]) -> str | None:
        for name in synonyms:
            hit = present.get(normalise_name(name))
            if hit is not None:
                return hit
        return None

    named = column_map if isinstance(column_map, ColumnMap) else get_map(column_map)
    user, off, problems = _user_layer(table, columns or {}, raw_columns)
    layers = [user, *_layers(table, named)]

    sources: dict[str, Source] = {}
    for canonical in TABLE_COLUMNS[table]:
        if canonical in off:
            continue
        for layer in layers:
            src: Source | None = None
            if canonical in layer.columns and (hit := find(layer.columns[canonical])):
                src = Source("column", (hit,))
            if src is None and canonical in layer.join:
                join = layer.join[canonical]
                parts = tuple(p for p in (find(part) for part in join.parts) if p)
                if parts:
                    src = Source("join", parts, sep=join.sep)
            if src is None and canonical in layer.product:
                parts = tuple(find(part) for part in layer.product[canonical].parts)
                if all(parts):
                    src = Source("product", tuple(p for p in parts if p))
            fallback = tuple(
                dict.fromkeys(hit for name in layer.fallback.get(canonical, ()) if (hit := find((name,))))
            )
            if src is None and fallback:
                src, fallback = Source("column", fallback[:1]), fallback[1:]
            if src is not None:
                fallback = tuple(f for f in fallback if f not in src.columns)
                per_invoice = src.kind == "column" and normalise_name(src.columns[0]) in {
                    normalise_name(c) for c in layer.per_invoice
                }
                sources[canonical] = Source(src.kind, src.columns, src.sep, fallback, per_invoice)
                break

    out: dict[str, pd.Series] = {}
    for canonical, src in sources.items():
        if src.kind == "product":
            for i, col in enumerate(src.columns):
                out[f"{canonical}[{i}]"] = frame[col].astype(object)
            continue
        if src.kind == "join":
            parts = [frame[c].astype(object).tolist() for c in src.columns]
            joined = [
                src.sep.join(t for v in row if (t := _text(v))) or None for row in zip(*parts, strict=True)
            ]
            values = pd.Series(joined, index=frame.index, dtype=object)
        else:
            # A single source column keeps its own dtype (typed Parquet dates, amounts and
            # flags take the loader's fast paths); filling it from fallbacks mixes types.
            values = frame[src.columns[0]]
            if src.fallback:
                values = values.astype(object)
        for col in src.fallback:
            blank = values.map(_text).isna()
            values = values.where(~blank, frame[col].astype(object))
        out[canonical] = values
    mapped = pd.DataFrame(out, index=frame.index) if out else pd.DataFrame(index=frame.index, dtype=object)

    used: set[str] = {c for src in sources.values() for c in (*src.columns, *src.fallback)}
    exclude = pd.Series(None, index=frame.index, dtype=object)
    refund = pd.Series(False, index=frame.index, dtype=bool)
    rules = layers[1:2]  # row rules come from the named map only (or generic, if it is the named one)
    for layer in rules:
        for col_name, values in layer.exclude_when.items():
            hit = find((col_name,))
            if hit is None:
                continue
            used.add(hit)
            wanted = {normalise_name(v) for v in values}
            raw = frame[hit].astype(object).map(_text)
            match = raw.map(lambda v, w=wanted: v is not None and normalise_name(v) in w).astype(bool)
            reason = raw.map(lambda v, c=hit: f"{c} {v!r}")
            exclude = exclude.where(~(match & exclude.isna()), reason)
        for col_name, values in layer.refund_when.items():
            hit = find((col_name,))
            if hit is None:
                continue
            used.add(hit)
            wanted = {normalise_name(v) for v in values}
            raw = frame[hit].astype(object).map(_text)
            refund |= raw.map(lambda v, w=wanted: v is not None and normalise_name(v) in w).astype(bool)
    ignored = tuple(c for c in raw_columns if c not in used)
    return MappedTable(
        table=table,
        map_name=named.name,
        frame=mapped,
        sources=sources,
        ignored=ignored,
        exclude=exclude,
        refund=refund,
        problems=tuple(problems),
        raw_columns=tuple(raw_columns),
    )


# --- helping a user whose file does not match ----------------------------------------


def synonyms_for(canonical: str, table: Table, column_map: str | ColumnMap = "generic") -> list[str]:
    """Every column name the map (and the generic map under it) accepts for ``canonical``.

    >>> synonyms_for("client_id", "clients")[:3]
    ['client_id', 'Customer ID', 'Client No']
    """
    names: list[str] = []
    for layer in _layers(table, column_map):
        names += list(layer.columns.get(canonical, ()))
        if canonical in layer.join:
            names.append(" + ".join(p[0] for p in layer.join[canonical].parts))
        if canonical in layer.product:
            names.append(" × ".join(p[0] for p in layer.product[canonical].parts))
        names += list(layer.fallback.get(canonical, ()))
    return list(dict.fromkeys(names))


def close_columns(
    canonical: str, table: Table, raw_columns: Sequence[str], column_map: str | ColumnMap = "generic"
) -> list[str]:
    """Columns of a file that look like ``canonical`` or one of its synonyms ("did you mean")."""
    keys = {normalise_name(c): c for c in raw_columns if normalise_name(c)}
    wanted = [
        normalise_name(canonical),
        *(normalise_name(n) for n in synonyms_for(canonical, table, column_map)),
    ]
    hits: list[str] = []
    for w in wanted:
        for k in difflib.get_close_matches(w, list(keys), n=3, cutoff=0.75):
            hits.append(keys[k])
    # Then columns whose name has the shape of the thing: "Kunden Nr" for an id, "Datum" for a date.
    hits += [c for k, c in keys.items() if _LOOKS_LIKE.get(canonical) and _LOOKS_LIKE[canonical].search(k)]
    return list(dict.fromkeys(hits))[:3]


_LOOKS_LIKE = {
    s.CLIENT_ID: re.compile(r"(id|nr|no|num|number|nummer|code|ref)$"),
    s.INVOICE_ID: re.compile(r"(id|nr|no|num|number|nummer|ref)$"),
    s.DATE: re.compile(r"date|datum|day|when|time"),
    s.AMOUNT: re.compile(r"amount|total|sum|value|price|betrag|montant|net|gross"),
    s.LAST_CONTACT: re.compile(r"contact"),
    s.LAST_PURCHASE: re.compile(r"purchase|order|invoice|sale"),
}


def guess_map(raw_columns: Sequence[str], table: Table) -> str | None:
    """The shipped map (other than ``generic``) that explains most of a file's columns, if any.

    >>> guess_map(["Record ID", "First Name", "Last Name", "Last Contacted"], "clients")
    'hubspot'
    """
    keys = {normalise_name(c) for c in raw_columns}
    best, best_hits = None, 2  # at least three specific columns before we suggest a map
    for name in available_maps():
        if name == "generic":
            continue
        tm = get_map(name).tables.get(table)
        if tm is None:
            continue
        names = [n for syn in tm.columns.values() for n in syn]
        names += [n for j in tm.join.values() for part in j.parts for n in part]
        names += [n for p in tm.product.values() for part in p.parts for n in part]
        hits = len({normalise_name(n) for n in names} & keys)
        if hits > best_hits:
            best, best_hits = name, hits
    return best
