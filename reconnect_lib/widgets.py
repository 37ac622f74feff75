"""The explorer: filter the scored client base in JupyterLab and export a call list.

A consultant looks at the past clients from a few angles before planning:
which dormancy buckets, how much each client is worth a year, whose accounts,
which RFM segments. :class:`Explorer` puts those filters next to two linked
charts and a table of the selected clients, and a button writes the selection
as a call list (the call sheet of :mod:`reconnect_lib.exports`).

- :func:`select_clients` is the filter itself: a pure function over the scored
  base, so the notebook, the tests and any script select the same clients.
- :class:`Explorer` builds the widgets. Its callbacks only write widget state
  (an HTML widget's value, FigureWidget trace data, a Label's text), never
  print, so everything it shows can be checked without a kernel.

This module is a face: it calls stages and plots; nothing in the package imports it.

Examples
--------
>>> import pandas as pd
>>> scored = pd.DataFrame({"client_id": ["a", "b", "c"],
...                        "dormancy_bucket": ["1–2 years", "2–3 years", "1–2 years"],
...                        "value_at_stake": [500.0, 900.0, 50.0], "priority_rank": [2, 1, 3]})
>>> select_clients(scored, buckets=["1–2 years"], value_range=(100, None))["client_id"].tolist()
['a']
"""

from __future__ import annotations

import hashlib
import html
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import plots
from ._frames import as_frame, check_as_of, check_whole, require_columns
from .config import DEFAULT_EDGES_MONTHS
from .dormancy import bucket_labels, bucket_table
from .errors import ConfigError, ReconnectError
from .exports import call_sheet, render_call_sheet_html, to_csv_text, writer_of
from .files import atomic_write_bytes, make_folder, safe_folder_name
from .money import format_money
from .pipeline import Campaign
from .plan import EXCLUSION_REASONS, contact_plan
from .schema import (
    ACCOUNT_OWNER,
    CLIENT_ID,
    COMPANY,
    DAYS_DORMANT,
    DORMANCY_BUCKET,
    EXPECTED_VALUE,
    NAME,
    PRIORITY_RANK,
    REASON,
    RFM_SEGMENT,
    VALUE_AT_STAKE,
    WIN_BACK_CHANCE,
)

#: Clients shown in the explorer's table (the first by priority rank).
DEFAULT_ROWS = 25
#: Above this many selected clients the value-vs-dormancy chart shows counts per cell, not points.
SCATTER_LIMIT = 2_000
#: Cells of the aggregated value-vs-dormancy chart: days dormant x value at stake.
GRID = (40, 30)

_HINT_SCORED = "pass the scored client base: reconnect_lib.scored_base(...).scored, or the Campaign itself"

#: What each plan exclusion means for a call list of hand-picked clients.
_LEFT_OUT = {
    "do_not_contact": "asked not to be contacted",
    "lost": "moved on",
    "recently_contacted": "contacted in the last 90 days",
    "unreachable": "no phone number",
    "not_due": "not due, no date known",
    "holdout": "in the hold-out",
    "beyond_horizon": "not due for contact this week",
}

#: Table columns: package column -> header.
_TABLE_COLUMNS = {
    PRIORITY_RANK: "Rank",
    NAME: "Name",
    COMPANY: "Company",
    DORMANCY_BUCKET: "Dormancy",
    DAYS_DORMANT: "Days silent",
    RFM_SEGMENT: "Segment",
    VALUE_AT_STAKE: "Value / yr",
    WIN_BACK_CHANCE: "Chance",
    EXPECTED_VALUE: "Expected / yr",
    ACCOUNT_OWNER: "Owner",
}
_TABLE_FORMATS = {
    DAYS_DORMANT: "{:,.0f}",
    WIN_BACK_CHANCE: "{:.0%}",
}
#: Table columns of amounts: whole units of the campaign's currency.
_MONEY = frozenset({VALUE_AT_STAKE, EXPECTED_VALUE})
_NUMERIC = frozenset(_TABLE_FORMATS) | _MONEY | {PRIORITY_RANK}


# --- the selection --------------------------------------------------------------------------


def _choices(name: str, values: Iterable[Any] | None) -> list[Any] | None:
    if values is None:
        return None
    if isinstance(values, str | bytes):
        raise ConfigError(
            f"{name}={values!r} is a single text, not a list of choices",
            expected=f"a list, e.g. {name}=[{values!r}]",
        )
    try:
        return list(values)
    except TypeError as err:
        raise ConfigError(f"{name}={values!r} is not a list of choices", expected="a list or None") from err


def _bounds(value_range: Sequence[float | None] | None) -> tuple[float, float] | None:
    if value_range is None:
        return None
    expected = "(low, high): numbers or None for an open end, low <= high"
    try:
        low, high = value_range
    except (TypeError, ValueError) as err:
        raise ConfigError(f"value_range={value_range!r} is not a pair", expected=expected) from err
    ends = []
    for end, default in ((low, -math.inf), (high, math.inf)):
        if end is None:
            ends.append(default)
        elif isinstance(end, bool) or not isinstance(end, int | float | np.integer | np.floating):
            raise ConfigError(f"value_range={value_range!r} is not valid", expected=expected)
        elif math.isnan(end):
            raise ConfigError(f"value_range={value_range!r} has a NaN end", expected=expected)
        else:
            ends.append(float(end))
    if ends[0] > ends[1]:
        raise ConfigError(f"value_range={value_range!r} is empty: low > high", expected=expected)
    return ends[0], ends[1]


def _member(column: pd.Series, wanted: list[Any]) -> pd.Series:
    """Rows whose value is one of `wanted`; ``None`` in `wanted` matches a missing value."""
    known = [v for v in wanted if v is not None and not (isinstance(v, float) and math.isnan(v))]
    mask = column.isin(known).fillna(False).astype(bool)
    if len(known) < len(wanted):
        mask |= column.isna()
    return mask


def _pandas(scored: Any) -> pd.DataFrame:
    if isinstance(scored, pd.DataFrame):
        return scored
    return as_frame(scored, "scored").to_pandas()


def select_clients(
    scored: Any,
    *,
    buckets: Iterable[str] | None = None,
    value_range: Sequence[float | None] | None = None,
    owners: Iterable[str | None] | None = None,
    segments: Iterable[str | None] | None = None,
) -> pd.DataFrame:
    """The clients of the scored base that meet every filter, by priority rank.

    Parameters
    ----------
    scored : pandas or Polars DataFrame
        The scored client base (:func:`reconnect_lib.scored_base`'s ``.scored``):
        needs ``client_id``, ``dormancy_bucket``, ``value_at_stake`` and
        ``priority_rank``; ``account_owner`` and ``rfm_segment`` only when
        filtering on them.
    buckets : list of str, optional
        Keep clients in these dormancy buckets. ``None``: every bucket; an empty
        list keeps nobody.
    value_range : (low, high), optional
        Keep clients whose value at stake per year is within ``[low, high]``
        (both ends included; ``None`` for an open end). A client whose value is
        unknown is outside every range.
    owners, segments : list, optional
        Keep clients of these account owners / RFM segments; ``None`` in the
        list keeps clients with none recorded.

    Returns
    -------
    pandas.DataFrame
        A new frame: the rows of `scored` meeting every filter, all columns,
        sorted by ``priority_rank`` then ``client_id``, with the original index.
        `scored` is not modified.

    Raises
    ------
    InputError
        A column needed by the base or by a given filter is missing.
    ConfigError
        A filter is malformed (a single text instead of a list, ``low > high``).

    Examples
    --------
    >>> scored = pd.DataFrame({"client_id": ["a", "b"], "dormancy_bucket": ["1–2 years", "2–3 years"],
    ...                        "value_at_stake": [500.0, 900.0], "priority_rank": [2, 1],
    ...                        "account_owner": ["Ann", None]})
    >>> select_clients(scored, owners=[None])["client_id"].tolist()
    ['b']
    """
    frame = _pandas(scored)
    wanted = {
        DORMANCY_BUCKET: _choices("buckets", buckets),
        ACCOUNT_OWNER: _choices("owners", owners),
        RFM_SEGMENT: _choices("segments", segments),
    }
    bounds = _bounds(value_range)
    required = [CLIENT_ID, DORMANCY_BUCKET, VALUE_AT_STAKE, PRIORITY_RANK]
    required += [c for c in (ACCOUNT_OWNER, RFM_SEGMENT) if wanted[c] is not None]
    require_columns(as_frame(frame, "scored"), required, "scored", _HINT_SCORED)
    keep = pd.Series(True, index=frame.index)
    for column, values in wanted.items():
        if values is not None:
            keep &= _member(frame[column], values)
    if bounds is not None:
        value = pd.to_numeric(frame[VALUE_AT_STAKE], errors="coerce").astype("float64")
        keep &= value.between(*bounds).fillna(False).astype(bool)
    return frame.loc[keep.to_numpy()].sort_values([PRIORITY_RANK, CLIENT_ID], kind="stable")


# --- the call list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CallList:
    """A call list written by :func:`write_call_list`.

    Attributes
    ----------
    csv, html : Path
        The call sheet (CSV, columns :data:`reconnect_lib.exports.CALL_SHEET_COLUMNS`)
        and its printable page.
    calls : int
        Clients on the list.
    left_out : dict
        Plan exclusion reason -> clients of the selection not on the list.
    week : str
        The ISO week the calls are planned in.
    """

    csv: Path
    html: Path
    calls: int
    left_out: dict[str, int]
    week: str

    def describe(self) -> str:
        """One line for a status widget: what was written where, and who was left out."""
        text = f"{self.calls:,} call{'s' if self.calls != 1 else ''} ({self.week}) written to {self.csv}"
        text += f" (printable: {self.html.name})"
        if self.left_out:
            total = sum(self.left_out.values())
            reasons = ", ".join(f"{n:,} {_LEFT_OUT.get(r, r)}" for r, n in self.left_out.items())
            text += f"; {total:,} left out: {reasons}"
        return text


def write_call_list(
    selection: pd.DataFrame,
    out_dir: str | Path,
    *,
    as_of: date,
    status: pd.DataFrame | None = None,
    due_after_months: int = 6,
    firm: str = "our firm",
) -> CallList:
    """Write a selection of clients as a call list: this week's calls, by priority rank.

    The list is the first week of a contact plan (:func:`reconnect_lib.plan.contact_plan`)
    of the selection with the phone as the only channel and room for every
    selected client, ordered by ``priority_rank``; so the plan's rules apply:
    nobody who asked not to be contacted, was won back, moved on, was contacted
    in the last 90 days or has no phone number is called, and a client not yet
    due is called only in the week before they become due. Whoever is left out
    is counted by reason in :attr:`CallList.left_out`.

    Files: ``call-list-<as_of>-<digest>.csv`` (UTF-8 with a byte-order mark,
    every text field neutralised for spreadsheets) and ``.html`` (printable,
    escaped), where the digest names the selected clients: the same selection
    rewrites the same files with the same bytes, another one writes new files.
    A list of that name holding other bytes (filled in by a caller, or the
    clients' data changed since) is kept, and the new list is written as
    ``...-<digest>-2.csv`` (``-3``, ...).

    Parameters
    ----------
    selection : pandas.DataFrame
        Rows of the scored base (e.g. :func:`select_clients`' output).
    out_dir : str or Path
        Folder to write into (created if missing).
    as_of : datetime.date
        Today: the calls are planned from this day's week.
    status : pandas.DataFrame, optional
        The outcome log's client status (``Campaign.status``): open problems
        become talking points, and its rules (won back, lost, ...) apply.
    due_after_months : int
        The due mark of the campaign.
    firm : str
        Printed on the HTML page.

    Returns
    -------
    CallList

    Raises
    ------
    ConfigError
        `selection` is empty.
    """
    as_of = check_as_of(as_of)
    if len(selection) == 0:
        raise ConfigError("no clients selected: there is no call list to write", hint="widen the filters")
    ids = selection[CLIENT_ID].astype(str)
    if status is not None:
        status = status.loc[status[CLIENT_ID].astype(str).isin(set(ids))]
    plan = contact_plan(
        selection,
        as_of=as_of,
        capacity={"letter": 0, "email": 0, "phone": len(selection)},
        primary="phone",
        strategy="custom",
        sort_key=PRIORITY_RANK,
        status=status,
        due_after_months=due_after_months,
        weeks=1,
    )
    week = plan.start_week
    sheet = call_sheet(plan, week)
    page = render_call_sheet_html(plan, week, firm=firm)
    digest = hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:10]
    folder = make_folder(out_dir, hint="choose another folder for the call lists (export_dir=)")
    csv_bytes, html_bytes = to_csv_text(sheet).encode("utf-8-sig"), page.encode("utf-8")
    stem = f"call-list-{as_of.isoformat()}-{digest}"
    n = 1
    # A list already there with other bytes may hold the caller's notes (its Outcome column): it is
    # kept, and this list gets the next free name.
    while _taken(folder / f"{stem}.csv", csv_bytes) or _taken(folder / f"{stem}.html", html_bytes):
        n += 1
        stem = f"call-list-{as_of.isoformat()}-{digest}-{n}"
    csv_path, html_path = folder / f"{stem}.csv", folder / f"{stem}.html"
    # Each file is replaced whole: a reader (or a spreadsheet open on it) sees the old list or the new one.
    atomic_write_bytes(csv_path, csv_bytes)
    atomic_write_bytes(html_path, html_bytes)
    reasons = plan.excluded[REASON].value_counts()
    left_out = {r: int(reasons[r]) for r in EXCLUSION_REASONS if r in reasons.index}
    return CallList(csv=csv_path, html=html_path, calls=len(sheet), left_out=left_out, week=week)


def _taken(path: Path, data: bytes) -> bool:
    """Whether `path` holds something other than `data` (someone's file, or a list changed since)."""
    if not os.path.lexists(path):
        return False
    if path.is_symlink() or not path.is_file():
        return True
    try:
        return path.read_bytes() != data
    except OSError:
        return True


# --- views of a selection ---------------------------------------------------------------------

#: The explorer's own styles, scoped to it. A widget Label keeps to one line and cuts the rest
#: ("…"): the status names a file path and who was left out, so it wraps instead. The table's
#: cells share one padding, alignment per column and figures of one width, so columns line up.
_CSS = """<style>
.rl-explorer .rl-explorer-status { white-space: normal; overflow: visible; text-overflow: clip;
  overflow-wrap: anywhere; line-height: 1.4; min-width: 0; }
.rl-explorer .rl-explorer-table { border-collapse: collapse; line-height: 1.4;
  font-variant-numeric: tabular-nums; }
.rl-explorer .rl-explorer-table th, .rl-explorer .rl-explorer-table td { padding: 3px 10px;
  white-space: nowrap; vertical-align: top; }
.rl-explorer .rl-explorer-table thead th { position: sticky; top: 0; background: white;
  border-bottom: 1px solid #999; }
</style>"""


def _cell(value: Any, column: str, currency: str | None = None, locale: str | None = None) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if column in _MONEY:
        return html.escape(format_money(value, currency, locale=locale, whole=True))
    fmt = _TABLE_FORMATS.get(column)
    return html.escape(fmt.format(value) if fmt else str(value))


def selection_table_html(
    selection: pd.DataFrame,
    *,
    rows: int = DEFAULT_ROWS,
    currency: str | None = None,
    locale: str | None = None,
) -> str:
    """The first `rows` clients of a selection as an HTML table, every value escaped.

    `selection` is shown in its order (:func:`select_clients` sorts by
    priority rank); only the columns of the table it has are shown; amounts in
    whole units of `currency` (``[campaign] currency``; plain numbers without one).

    >>> t = pd.DataFrame({"name": ["Ann"], "value_at_stake": [48762.4]})
    >>> ">£48,762</td>" in selection_table_html(t, currency="GBP")
    True
    """
    columns = [c for c in _TABLE_COLUMNS if c in selection.columns]
    head = "".join(
        f'<th style="text-align:{"right" if c in _NUMERIC else "left"}">{html.escape(_TABLE_COLUMNS[c])}</th>'
        for c in columns
    )
    body = []
    for record in selection.head(rows)[columns].to_dict("records"):
        cells = "".join(
            f'<td style="text-align:{"right" if c in _NUMERIC else "left"}">'
            f"{_cell(record[c], c, currency, locale)}</td>"
            for c in columns
        )
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(columns)}"><em>No client meets these filters.</em></td></tr>')
    return (
        '<table class="rl-explorer-table"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


def selection_summary(
    selection: pd.DataFrame,
    *,
    of: int,
    rows: int = DEFAULT_ROWS,
    currency: str | None = None,
    locale: str | None = None,
) -> str:
    """One escaped HTML line: how many clients are selected and what they are worth a year (in `currency`)."""

    def money(column: str) -> str:
        total = float(pd.to_numeric(selection[column], errors="coerce").sum())
        return html.escape(format_money(total, currency, locale=locale, whole=True))

    n = len(selection)
    text = f"<b>{n:,}</b> of {of:,} clients selected · value at stake <b>{money(VALUE_AT_STAKE)}</b> a year"
    if EXPECTED_VALUE in selection.columns:
        text += f" · expected win-back {money(EXPECTED_VALUE)} a year"
    if n > rows:
        text += f" · showing the first {rows:,} by priority rank"
    return f'<p class="rl-explorer-count">{text}</p>'


def _hover_names(selection: pd.DataFrame) -> list[str]:
    # plotly draws a subset of HTML in hover labels: client-supplied text is escaped first.
    names = selection[NAME] if NAME in selection.columns else selection[CLIENT_ID]
    return [plots.label("" if pd.isna(v) else v) for v in names]


def _points(selection: pd.DataFrame) -> pd.DataFrame:
    """Days dormant and value of the selected clients who have both, as float64."""
    if DAYS_DORMANT not in selection.columns:
        return pd.DataFrame({"x": [], "y": []}, dtype="float64")
    out = pd.DataFrame(
        {
            "x": pd.to_numeric(selection[DAYS_DORMANT], errors="coerce").astype("float64"),
            "y": pd.to_numeric(selection[VALUE_AT_STAKE], errors="coerce").astype("float64"),
        },
        index=selection.index,
    )
    return out.loc[out["x"].notna() & out["y"].notna()]


def binned_counts(
    x: np.ndarray, y: np.ndarray, *, bins: tuple[int, int] = GRID, log_y: bool = False
) -> tuple[list[float], list[float], list[list[int | None]]]:
    """Clients per cell of a days x value grid: (x centres, y centres, counts by row of y).

    With `log_y` (all `y` > 0) the value bins are equally wide on a log scale
    and their centres geometric, to match a log axis. Empty cells are ``None``
    so a heatmap leaves them blank.
    """
    if len(x) == 0:
        return [], [], []
    x_edges = np.histogram_bin_edges(x, bins=bins[0])
    if log_y:
        y_edges = 10 ** np.histogram_bin_edges(np.log10(y), bins=bins[1])
        y_edges[0], y_edges[-1] = min(y_edges[0], y.min()), max(y_edges[-1], y.max())  # float round trip
        y_mid = np.sqrt(y_edges[:-1] * y_edges[1:])
    else:
        y_edges = np.histogram_bin_edges(y, bins=bins[1])
        y_mid = (y_edges[:-1] + y_edges[1:]) / 2
    counts, _, _ = np.histogram2d(x, y, bins=[x_edges, y_edges])
    z = [[int(c) if c else None for c in row] for row in counts.T]
    return ((x_edges[:-1] + x_edges[1:]) / 2).tolist(), y_mid.tolist(), z


def _scatter_figure(*, log_y: bool, currency: str | None = None, locale: str | None = None) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(
        x=[],
        y=[],
        mode="markers",
        name="clients",
        marker={"size": 7, "opacity": 0.75, "line": {"width": 0}},
        hovertemplate="%{customdata}<br>%{x:,} days silent · %{y:,.0f} a year<extra></extra>",
    )
    fig.add_heatmap(
        x=[],
        y=[],
        z=[],
        name="clients per cell",
        visible=False,
        colorscale=[[0.0, "#e9f5f3"], [1.0, plots.ACCENT]],
        colorbar={"title": {"text": "clients"}},
        hovertemplate="%{z:,} clients around %{x:,.0f} days silent, %{y:,.0f} a year<extra></extra>",
    )
    fig.update_layout(
        template=plots.STYLE,
        xaxis_title="days since last contact or purchase",
        yaxis_title=plots.in_money("value at stake per year", currency, locale)
        + (" (log scale)" if log_y else ""),
        yaxis_type="log" if log_y else "linear",
        height=420,
        showlegend=False,
    )
    return fig


# --- the explorer ------------------------------------------------------------------------------


def _options(values: pd.Series, everyone: str, missing: str) -> list[tuple[str, list[Any] | None]]:
    """Dropdown choices: (label, filter); ``None`` keeps everyone, ``[None]`` those with none recorded."""
    known = sorted({str(v) for v in values.dropna()})
    options: list[tuple[str, list[Any] | None]] = [(everyone, None)]
    options += [(v, [v]) for v in known]
    if values.isna().any():
        options.append((missing, [None]))
    return options


def _bucket_colours(labels: list[str]) -> dict[str, str]:
    n = len(plots.BUCKET_COLOURS)
    return {label: plots.BUCKET_COLOURS[min(i, n - 1)] for i, label in enumerate(labels)}


class Explorer:
    """Filters, linked charts, a table and a call-list export over a scored client base.

    Parameters
    ----------
    source : Campaign or pandas DataFrame
        A :class:`~reconnect_lib.pipeline.Campaign` (its scored base, as-of
        date, bucket edges, due mark, outcome status and name are used), or a
        scored frame (then pass `as_of`, and `edges_months` if not the default).
    export_dir : str or Path, optional
        Folder the export button writes call lists into. Default with a
        Campaign: ``<reports folder>/<campaign name>/call-lists``, the name made a safe folder name
        (:func:`reconnect_lib.files.safe_folder_name`); required with a frame.
    as_of : datetime.date, optional
        Required with a frame; not allowed with a Campaign (it carries its own).
    edges_months : sequence of int, optional
        Bucket edges of a scored frame (default the field report's).
    rows : int
        Clients shown in the table.
    scatter_limit : int
        Above this many selected clients, the value-vs-dormancy chart shows
        clients per cell of a grid instead of one point each.

    Attributes
    ----------
    bucket_boxes : dict of str -> ipywidgets.Checkbox
        One ticked box per dormancy bucket.
    value_slider : ipywidgets.FloatRangeSlider
        Value at stake per year; at its full extent it filters nothing (clients
        with an unknown value stay in).
    owner_dropdown, segment_dropdown : ipywidgets.Dropdown
        "All" or one account owner / RFM segment (or "none recorded"), by
        label; the value is the option's position, 0 for all. Disabled and
        hidden when the base has no such column (or it is empty).
    bucket_figure : plotly.graph_objects.FigureWidget
        Trace 0: selected clients per bucket; trace 1: their value at stake per bucket.
    scatter_figure : plotly.graph_objects.FigureWidget
        Trace 0: one point per selected client (value vs days dormant); trace
        1: a heatmap of clients per cell, shown instead above `scatter_limit`.
    summary, table : ipywidgets.HTML
        The count and total value of the selection; its first `rows` clients.
    export_button : ipywidgets.Button
        Writes the selection's call list (:func:`write_call_list`) into `export_dir`.
    status : ipywidgets.Label
        What the last export wrote, or why it did not.
    selection : pandas.DataFrame
        The clients currently selected (:func:`select_clients`).
    last_export : CallList or None
    widget : ipywidgets.VBox
        Everything, laid out; displaying the Explorer displays it.

    Examples
    --------
    >>> import reconnect_lib as rl  # doctest: +SKIP
    >>> explorer = Explorer(rl.scored_base("campaign.toml"), export_dir="call-lists")  # doctest: +SKIP
    >>> explorer  # doctest: +SKIP
    """

    def __init__(
        self,
        source: Campaign | pd.DataFrame,
        *,
        export_dir: str | Path | None = None,
        as_of: date | None = None,
        edges_months: Sequence[int] | None = None,
        rows: int = DEFAULT_ROWS,
        scatter_limit: int = SCATTER_LIMIT,
    ) -> None:
        if isinstance(source, Campaign):
            if as_of is not None or edges_months is not None:
                raise ConfigError(
                    "as_of and edges_months come from the Campaign",
                    hint="pass a scored frame to set them, or leave them out",
                )
            scored = source.scored
            self.as_of = source.as_of
            self.edges_months = tuple(source.config.dormancy.edges_months)
            self.due_after_months = source.config.dormancy.due_after_months
            self.outcome_status = source.status
            self.currency, self.locale = source.config.campaign.currency, source.config.campaign.locale
            name = source.config.campaign.name
            self.firm = writer_of(source.config)[0]  # as `reconnect plan` names it in letters
            if export_dir is None:
                # The name is free text ("../x", "a/b", markup): one safe folder inside the reports folder.
                export_dir = source.config.reports.folder / safe_folder_name(name) / "call-lists"
        else:
            if as_of is None:
                raise ConfigError(
                    "the explorer needs an as-of date for the call lists",
                    hint="pass as_of=datetime.date(...), or pass the Campaign from reconnect_lib.scored_base",
                )
            scored = _pandas(source)
            self.as_of = check_as_of(as_of)
            self.edges_months = tuple(edges_months or DEFAULT_EDGES_MONTHS)
            self.due_after_months = 6
            self.outcome_status = None
            self.currency = self.locale = None
            self.firm = "our firm"
        if export_dir is None:
            raise ConfigError(
                "the explorer needs a folder to write call lists into",
                hint="pass export_dir=...",
            )
        self.rows = check_whole("rows", rows, minimum=1)
        self.scatter_limit = check_whole("scatter_limit", scatter_limit, minimum=1)
        self.export_dir = Path(export_dir)
        self.scored = scored
        require_columns(
            as_frame(scored, "scored"),
            [CLIENT_ID, DORMANCY_BUCKET, VALUE_AT_STAKE, PRIORITY_RANK],
            "scored",
            _HINT_SCORED,
        )
        self.labels = bucket_labels(self.edges_months)
        self._bucket_table(scored)  # fails now, not on the first click, on labels the edges do not make
        self.selection = select_clients(scored)
        self.last_export: CallList | None = None
        self._holding = False
        self.notes: list[str] = []
        self._build()
        self.refresh()

    # --- construction ---

    def _bucket_table(self, selection: pd.DataFrame) -> pd.DataFrame:
        return bucket_table(selection, edges_months=self.edges_months)

    def _dropdown(self, column: str, noun: str, label: str) -> tuple[widgets.Dropdown, list[Any]]:
        """A dropdown of "All" and each value of `column`, and the filter of each option.

        The dropdown's value is the option's position (0 = all): a value of None
        would show as an empty dropdown.
        """
        values = self.scored[column] if column in self.scored.columns else None
        if values is None or values.notna().sum() == 0:
            why = "no" if values is None else "an empty"
            self.notes.append(f"This base has {why} `{column}` column: the {noun} filter is off.")
            choices = [(f"All {noun}s", None)]
            layout = widgets.Layout(display="none")
        else:
            choices = _options(values, f"All {noun}s", f"(no {noun} recorded)")
            layout = widgets.Layout(width="320px")
        box = widgets.Dropdown(
            options=[(text, i) for i, (text, _) in enumerate(choices)],
            value=0,
            description=label,
            disabled=len(choices) == 1,
            layout=layout,
        )
        box.observe(self._changed, "value")
        return box, [wanted for _, wanted in choices]

    def _build(self) -> None:
        counts = self.scored[DORMANCY_BUCKET].value_counts()
        self.bucket_boxes = {
            label: widgets.Checkbox(
                value=True,
                description=f"{label} ({int(counts.get(label, 0)):,})",
                indent=False,
                layout=widgets.Layout(width="auto"),
            )
            for label in self.labels
        }
        for box in self.bucket_boxes.values():
            box.observe(self._changed, "value")

        value = pd.to_numeric(self.scored[VALUE_AT_STAKE], errors="coerce").astype("float64").dropna()
        low = math.floor(value.min()) if len(value) else 0.0
        high = math.ceil(value.max()) if len(value) else 1.0
        if high <= low:
            high = low + 1
        step = 10.0 ** math.floor(math.log10((high - low) / 100)) if high - low >= 1 else 0.01
        self.value_slider = widgets.FloatRangeSlider(
            value=(low, high),
            min=low,
            max=high,
            step=step,
            description="Value / yr",
            readout_format=",.0f",
            continuous_update=False,
            disabled=len(value) == 0,
            layout=widgets.Layout(width="420px"),
        )
        self.value_slider.observe(self._changed, "value")
        self.owner_dropdown, self._owner_filters = self._dropdown(ACCOUNT_OWNER, "owner", "Owner")
        self.segment_dropdown, self._segment_filters = self._dropdown(RFM_SEGMENT, "segment", "Segment")
        self.reset_button = widgets.Button(description="Reset filters", icon="undo")
        self.reset_button.on_click(lambda _: self.reset())

        self.bucket_figure = go.FigureWidget(
            plots.dormancy_chart(
                self._bucket_table(self.selection), currency=self.currency, locale=self.locale
            ).update_layout(title="The selection by time since they last heard from us or bought")
        )
        self._colours = _bucket_colours(self.labels)
        # Values span orders of magnitude: a log axis, unless a client is worth 0 (a log axis drops it).
        self.log_values = bool(len(value)) and bool(value.min() > 0)
        self.scatter_figure = go.FigureWidget(
            _scatter_figure(log_y=self.log_values, currency=self.currency, locale=self.locale)
        )
        self.summary = widgets.HTML()
        self.table = widgets.HTML(layout=widgets.Layout(max_height="480px", overflow="auto"))
        self.export_button = widgets.Button(
            description="Export call list",
            icon="phone",
            button_style="primary",
            tooltip=f"Write the selection's call list into {self.export_dir}",
            # As wide as its label, never shrunk by a long status beside it ("Export c…").
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        self.export_button.on_click(lambda _: self.export())
        self.status = widgets.Label(
            value=f"Call lists are written into {self.export_dir}",
            layout=widgets.Layout(flex="1 1 auto", width="auto", height="auto"),
        )
        self.status.add_class("rl-explorer-status")  # wraps: see _CSS

        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        header = widgets.HTML(
            _CSS
            + "<h3>Explore the client base</h3>"
            + f"<p>{html.escape(self.firm)} · as of {self.as_of:%d %B %Y} · {len(self.scored):,} clients</p>"
            + (f"<ul>{notes}</ul>" if notes else "")
        )
        buckets = widgets.VBox(
            [widgets.HTML("<b>Dormancy</b>"), *self.bucket_boxes.values()],
            layout=widgets.Layout(margin="0 24px 0 0"),
        )
        others = widgets.VBox(
            [self.value_slider, self.owner_dropdown, self.segment_dropdown, self.reset_button]
        )
        self.widget = widgets.VBox(
            [
                header,
                widgets.HBox([buckets, others]),
                self.bucket_figure,
                self.scatter_figure,
                self.summary,
                self.table,
                widgets.HBox([self.export_button, self.status]),
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.widget.add_class("rl-explorer")

    # --- state ---

    def filters(self) -> dict[str, Any]:
        """The filters as :func:`select_clients` keyword arguments."""
        low, high = self.value_slider.value
        full = low <= self.value_slider.min and high >= self.value_slider.max
        return {
            "buckets": [label for label, box in self.bucket_boxes.items() if box.value],
            "value_range": None if full or self.value_slider.disabled else (low, high),
            "owners": self._owner_filters[self.owner_dropdown.value],
            "segments": self._segment_filters[self.segment_dropdown.value],
        }

    def _changed(self, _change: dict[str, Any]) -> None:
        if not self._holding:
            self.refresh()

    def reset(self) -> None:
        """Tick every bucket, widen the value range to the whole base, show all owners and segments."""
        self._holding = True
        try:
            for box in self.bucket_boxes.values():
                box.value = True
            self.value_slider.value = (self.value_slider.min, self.value_slider.max)
            self.owner_dropdown.value = 0
            self.segment_dropdown.value = 0
        finally:
            self._holding = False
        self.refresh()

    def refresh(self) -> None:
        """Select again with the current filters and update the charts, summary and table."""
        self.selection = select_clients(self.scored, **self.filters())
        selection = self.selection
        money = {"currency": self.currency, "locale": self.locale}
        self.summary.value = selection_summary(selection, of=len(self.scored), rows=self.rows, **money)
        self.table.value = selection_table_html(selection, rows=self.rows, **money)
        self.export_button.disabled = len(selection) == 0

        table = self._bucket_table(selection)
        with self.bucket_figure.batch_update():
            clients, value = self.bucket_figure.data[0], self.bucket_figure.data[1]
            clients.y = table["clients"].tolist()
            clients.text = [f"{c:,}" for c in table["clients"]]
            value.y = table[VALUE_AT_STAKE].tolist()
            value.text = [
                format_money(v, self.currency, locale=self.locale, whole=True) for v in table[VALUE_AT_STAKE]
            ]
        self._update_scatter(selection)

    def _update_scatter(self, selection: pd.DataFrame) -> None:
        points = _points(selection)
        unplaced = len(selection) - len(points)
        aggregated = len(points) > self.scatter_limit
        title = f"Value at stake vs time since last contact: {len(points):,} clients"
        if aggregated:
            title += " (clients per cell)"
        if unplaced:
            title += f"; {unplaced:,} without a date or value not shown"
        scatter, heat = self.scatter_figure.data
        with self.scatter_figure.batch_update():
            self.scatter_figure.layout.title.text = title
            if aggregated:
                x, y, z = binned_counts(points["x"].to_numpy(), points["y"].to_numpy(), log_y=self.log_values)
                scatter.update(x=[], y=[], customdata=[], marker={"color": []}, visible=False)
                heat.update(x=x, y=y, z=z, visible=True)
            else:
                chosen = selection.loc[points.index]
                colours = [self._colours.get(b, plots.ACCENT) for b in chosen[DORMANCY_BUCKET]]
                scatter.update(
                    x=points["x"].tolist(),
                    y=points["y"].tolist(),
                    customdata=_hover_names(chosen),
                    marker={"color": colours},
                    visible=True,
                )
                heat.update(x=[], y=[], z=[], visible=False)

    def state(self) -> dict[str, Any]:
        """What the explorer shows, as plain values (for a notebook's JSON sidecar).

        Keys: ``clients`` (in the base), ``selected``, ``value_at_stake``
        (of the selection, a year), ``filters`` (:meth:`filters`),
        ``owner_filter`` and ``segment_filter`` (whether offered),
        ``clients_per_bucket`` (bucket -> selected clients, as charted),
        ``aggregated`` (the value chart shows cells, not points) and
        ``export_dir``.
        """
        return {
            "clients": len(self.scored),
            "selected": len(self.selection),
            "value_at_stake": float(pd.to_numeric(self.selection[VALUE_AT_STAKE], errors="coerce").sum()),
            "filters": self.filters(),
            "owner_filter": not self.owner_dropdown.disabled,
            "segment_filter": not self.segment_dropdown.disabled,
            "clients_per_bucket": dict(
                zip(self.bucket_figure.data[0].x, map(int, self.bucket_figure.data[0].y), strict=True)
            ),
            "aggregated": bool(self.scatter_figure.data[1].visible),
            "export_dir": str(self.export_dir),
        }

    # --- export ---

    def export(self) -> CallList | None:
        """Write the selection as a call list into `export_dir`; report the path in :attr:`status`.

        Returns
        -------
        CallList or None
            None when nothing was written (empty selection, or an error shown in `status`).
        """
        if len(self.selection) == 0:
            self.status.value = "Nothing selected: no call list written. Widen the filters."
            return None
        try:
            written = write_call_list(
                self.selection,
                self.export_dir,
                as_of=self.as_of,
                status=self.outcome_status,
                due_after_months=self.due_after_months,
                firm=self.firm,
            )
        except (ReconnectError, OSError) as err:
            # A button callback's exception only reaches the kernel log: show it where the user looks.
            self.status.value = f"No call list written: {err}".replace("\n", " ")
            return None
        self.last_export = written
        self.status.value = written.describe()
        return written

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


__all__ = [
    "DEFAULT_ROWS",
    "SCATTER_LIMIT",
    "CallList",
    "Explorer",
    "binned_counts",
    "select_clients",
    "selection_summary",
    "selection_table_html",
    "write_call_list",
]
