"""Plotly figures from stage outputs.

Each function takes a frame a stage returned and draws it; nothing here
computes a number a stage should have computed. Every figure shares one
style (:data:`STYLE`) and a title that says what it shows.

plotly draws a subset of HTML in every text it shows (titles, axis and
category labels, legends, hover labels, annotations), links included: text
that comes from the user's files (names, owners, segments, channels, reasons)
goes through :func:`label` before it reaches a figure, so it shows as typed and
never as markup. The dormancy bucket labels are the library's own.
"""

from __future__ import annotations

import html
from datetime import timedelta

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import schema as s
from .money import format_money, money_symbol
from .weeks import iso_week, week_monday

#: Colours from recent (calm) to long dormant (warm), one per bucket in order.
BUCKET_COLOURS = ("#2a9d8f", "#8ab17d", "#e9c46a", "#f4a261", "#e76f51", "#b5452b", "#7f2f1d")
ACCENT = "#264653"

STYLE = go.layout.Template(
    layout=go.Layout(
        font={"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 13, "color": "#222"},
        title={"x": 0.0, "xanchor": "left", "font": {"size": 17}},
        plot_bgcolor="white",
        paper_bgcolor="white",
        margin={"l": 60, "r": 30, "t": 70, "b": 50},
        xaxis={"showgrid": False, "linecolor": "#999", "ticks": "outside"},
        yaxis={"gridcolor": "#eee", "zeroline": False},
        legend={"orientation": "h", "y": -0.18},
        hoverlabel={"bgcolor": "white"},
    )
)


def label(value: object) -> str:
    """Text from the data (a name, owner, segment, channel, reason) made safe to show in a figure.

    plotly reads ``<b>``, ``<br>``, ``<a href=...>`` and other tags in its texts and
    decodes entities: escaping ``&``, ``<`` and ``>`` makes it show the user's
    characters as they are, and no tag or link.

    >>> label('<a href="javascript:alert(1)">Ann & Bo</a>')
    '&lt;a href="javascript:alert(1)"&gt;Ann &amp; Bo&lt;/a&gt;'
    """
    return html.escape(str(value), quote=False)


def in_money(what: str, currency: str | None, locale: str | None = None) -> str:
    """An axis or panel title of amounts, naming the currency's symbol when the campaign has one.

    >>> in_money("value at stake per year", "GBP"), in_money("total revenue", None)
    ('value at stake per year (£)', 'total revenue')
    """
    symbol = money_symbol(currency, locale=locale)
    return f"{what} ({symbol})" if symbol else what


def _colours(n: int) -> list[str]:
    return [BUCKET_COLOURS[min(i, len(BUCKET_COLOURS) - 1)] for i in range(n)]


def dormancy_chart(
    buckets: pd.DataFrame, *, currency: str | None = None, locale: str | None = None
) -> go.Figure:
    """Clients per dormancy bucket, with the yearly value at stake in each.

    Parameters
    ----------
    buckets : DataFrame
        :func:`reconnect_lib.dormancy.bucket_table` output (buckets in order).
    currency, locale : str, optional
        ``[campaign] currency`` and ``locale``: amounts are shown in that currency.

    Returns
    -------
    plotly.graph_objects.Figure
        Bars of clients per bucket; if ``value_at_stake`` is present, a second
        panel of the yearly value at stake per bucket.

    Examples
    --------
    >>> t = pd.DataFrame({"dormancy_bucket": ["active (< 6 months)", "6–12 months"],
    ...                   "clients": [5, 7], "due": [0, 7]})
    >>> list(dormancy_chart(t).data[0].y)
    [5, 7]
    """
    labels = buckets[s.DORMANCY_BUCKET].astype(str).tolist()
    colours = _colours(len(labels))
    has_value = s.VALUE_AT_STAKE in buckets.columns
    titles = ("Clients", in_money("Value at stake per year", currency, locale)) if has_value else ("Clients",)
    fig = make_subplots(rows=1, cols=len(titles), subplot_titles=titles, horizontal_spacing=0.1)
    fig.add_bar(
        x=labels,
        y=buckets["clients"].tolist(),
        marker_color=colours,
        name="clients",
        text=[f"{c:,}" for c in buckets["clients"]],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}: %{y:,} clients<extra></extra>",
        row=1,
        col=1,
    )
    title = "Clients by time since they last heard from us or bought"
    if has_value:
        fig.add_bar(
            x=labels,
            y=buckets[s.VALUE_AT_STAKE].tolist(),
            marker_color=colours,
            name="value at stake per year",
            text=[format_money(v, currency, locale=locale, whole=True) for v in buckets[s.VALUE_AT_STAKE]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{text} a year at stake<extra></extra>",
            row=1,
            col=2,
        )
        title += ", and what they were worth a year"
    fig.update_layout(template=STYLE, title=title, showlegend=False, bargap=0.3, height=420)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(count_axis(buckets["clients"].max() if len(buckets) else 0), row=1, col=1)
    return fig


def segment_chart(
    segments: pd.DataFrame, *, currency: str | None = None, locale: str | None = None
) -> go.Figure:
    """Clients and revenue per RFM segment, largest revenue first.

    Parameters
    ----------
    segments : DataFrame
        :func:`reconnect_lib.value.segment_table` output: ``rfm_segment``,
        ``clients``, ``total_revenue``.
    currency, locale : str, optional
        ``[campaign] currency`` and ``locale``: revenue is shown in that currency.
    """
    ordered = segments.sort_values("total_revenue", ascending=True)
    fig = go.Figure(
        go.Bar(
            x=ordered["total_revenue"].tolist(),
            y=[label(v) for v in ordered[s.RFM_SEGMENT].astype(str)],
            orientation="h",
            marker_color=ACCENT,
            customdata=[
                [int(c), format_money(r, currency, locale=locale, whole=True)]
                for c, r in zip(ordered["clients"], ordered["total_revenue"], strict=True)
            ],
            text=[f"{c:,} clients" for c in ordered["clients"]],
            textposition="auto",
            hovertemplate="%{y}: %{customdata[1]} revenue from %{customdata[0]:,} clients<extra></extra>",
        )
    )
    fig.update_layout(
        template=STYLE,
        title="Revenue by client segment (recency, frequency, monetary value)",
        xaxis_title=in_money("total revenue", currency, locale),
        height=max(320, 40 * len(ordered) + 120),
        margin={"l": 160},
    )
    fig.update_yaxes(automargin=True)
    return fig


def calibration_chart(table: pd.DataFrame) -> go.Figure:
    """Mean purchases per client in a holdout period: what the model predicted vs what happened.

    Parameters
    ----------
    table : DataFrame
        :func:`reconnect_lib.clv.calibration_table` output (``frequency``,
        ``clients``, ``actual``, ``predicted``).
    """
    labels = [f"{f}+" if i == len(table) - 1 else str(f) for i, f in enumerate(table["frequency"])]
    fig = go.Figure()
    fig.add_scatter(
        x=labels,
        y=table["actual"].tolist(),
        mode="lines+markers",
        name="actual",
        line={"color": ACCENT, "width": 3},
        customdata=table["clients"].tolist(),
        hovertemplate="%{x} repeat purchases: %{y:.2f} actual (%{customdata:,} clients)<extra></extra>",
    )
    fig.add_scatter(
        x=labels,
        y=table["predicted"].tolist(),
        mode="lines+markers",
        name="predicted by BG/NBD",
        line={"color": BUCKET_COLOURS[4], "width": 3, "dash": "dash"},
        hovertemplate="%{x} repeat purchases: %{y:.2f} predicted<extra></extra>",
    )
    fig.update_layout(
        template=STYLE,
        title="Purchases in the last year, predicted from the years before vs what happened",
        xaxis_title="repeat purchases in the calibration period",
        yaxis_title="purchases per client in the last year",
        height=420,
    )
    return fig


def p_alive_chart(table: pd.DataFrame) -> go.Figure:
    """The chance each bucket's clients still buy at all, by the BG/NBD model.

    Parameters
    ----------
    table : DataFrame
        :func:`reconnect_lib.clv.p_alive_table` output.
    """
    labels = table[s.DORMANCY_BUCKET].astype(str).tolist()
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=table["mean_p_alive"].tolist(),
            marker_color=_colours(len(labels)),
            customdata=list(zip(table["clients"], table["likely_active"], table["overdue"], strict=True)),
            text=[f"{p:.0%}" for p in table["mean_p_alive"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=(
                "%{x}: %{y:.0%} on average; %{customdata[1]:,} of %{customdata[0]:,} likely active, "
                "%{customdata[2]:,} overdue for their rhythm<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        template=STYLE,
        title="Probability a client is still active (would buy again unprompted), by time since contact",
        yaxis={"tickformat": ".0%", "range": [0, 1.1]},
        height=400,
    )
    return fig


# --- the weekly report's figures ---------------------------------------------------------

#: What each measured column is called in a title or an axis.
MEASURE_LABELS: dict[str, str] = {
    s.VALUE_AT_STAKE: "value at stake per year",
    s.YEARLY_REVENUE: "revenue per year",
    s.TOTAL_REVENUE: "total revenue",
    s.EXPECTED_VALUE: "expected value if won back",
    s.VALUE_SCORE: "value score",
}
#: The reasons of :data:`reconnect_lib.schema.REASONS` as a business owner would say them.
REASON_LABELS: dict[str, str] = {
    "fixable_problem": "a problem we could fix",
    "competitor": "went to a competitor",
    "money": "money",
    "invoicing_mistakes": "invoicing mistakes",
    "owner_not_involved": "no longer dealt with the owner",
    "moved": "moved away",
    "circumstances": "change of circumstances",
    "other": "other",
}
#: How a win-back rate table's grouping reads in a title.
GROUP_LABELS: dict[str, str] = {
    s.DORMANCY_BUCKET: "by time since they last heard from us",
    s.CHANNEL: "by channel of the first contact",
    s.WEEK: "by week of the first contact",
    s.ACCOUNT_OWNER: "by account owner",
    s.CAMPAIGN: "by campaign",
}
NO_CONTACTS = "No contacts recorded yet"
_MUTED = "#8a8a8a"
_WARN = BUCKET_COLOURS[5]


def _measure_label(table: pd.DataFrame) -> str:
    column = str(table[s.MEASURE].iloc[0]) if s.MEASURE in table.columns and len(table) else "value"
    return MEASURE_LABELS.get(column, label(column.replace("_", " ")))


def _message(fig: go.Figure, text: str, *, y: float = 0.5) -> go.Figure:
    fig.add_annotation(
        text=text,
        x=0.5,
        y=y,
        xref="paper",
        yref="paper",
        showarrow=False,
        font={"size": 16, "color": "#555"},
        bgcolor="rgba(255,255,255,0.85)",
    )
    return fig


def _empty(title: str, text: str) -> go.Figure:
    """A figure with no data: the title and a sentence saying why."""
    fig = _message(go.Figure(), text)
    fig.update_layout(
        template=STYLE, title=title, height=320, xaxis={"visible": False}, yaxis={"visible": False}
    )
    return fig


def _ints(values: pd.Series) -> list[int | None]:
    """A nullable integer column as plotly data: None where missing (a gap in a line)."""
    return [None if pd.isna(v) else int(v) for v in values]


#: Most ticks a count axis shows one by one; above, plotly spaces them (whole numbers still).
_ONE_BY_ONE = 5


def count_axis(largest: object) -> dict[str, object]:
    """Axis settings for a count of clients: whole numbers only, never "0.2 clients".

    plotly picks ticks like 0.5 for a small range; ``",d"`` alone would then show
    "0, 1, 1, 2". Up to :data:`_ONE_BY_ONE`, every whole number is a tick; above,
    plotly's spacing is kept with ``tick0=0`` and a step of at least 1.

    >>> count_axis(2)
    {'tickformat': ',d', 'rangemode': 'tozero', 'tick0': 0, 'dtick': 1}
    >>> count_axis(3_000)["dtick"] is None
    True
    """
    top = 0 if pd.isna(largest) else float(largest)  # type: ignore[arg-type]
    return {"tickformat": ",d", "rangemode": "tozero", "tick0": 0, "dtick": 1 if top <= _ONE_BY_ONE else None}


#: Most week labels a week-by-week axis shows; every k-th week is labelled above that.
WEEK_LABELS = 12


def week_ticks(weeks: list[str], *, most: int = WEEK_LABELS) -> dict[str, object]:
    """Category-axis settings labelling at most `most` weeks, evenly spaced, the first always.

    >>> week_ticks([f"2026-W{w:02d}" for w in range(1, 31)], most=5)["tickvals"]
    ['2026-W01', '2026-W07', '2026-W13', '2026-W19', '2026-W25']
    """
    step = max(1, -(-len(weeks) // most))
    return {"type": "category", "tickmode": "array", "tickvals": weeks[::step], "ticktext": weeks[::step]}


def value_dormancy_chart(
    binned: pd.DataFrame, *, currency: str | None = None, locale: str | None = None
) -> go.Figure:
    """What clients are worth against how long they have been dormant: a point per client, or a heatmap.

    Parameters
    ----------
    binned : DataFrame
        :func:`reconnect_lib.value.value_by_dormancy` output: one row per client
        (with ``client_id``) is drawn as a scatter, coloured by dormancy bucket,
        named on hover, on a log value axis when every value is positive; the
        binned table as a heatmap of clients per cell (the cell's total value
        on hover).
    currency, locale : str, optional
        ``[campaign] currency`` and ``locale``: the value axis names the currency.

    Examples
    --------
    >>> t = pd.DataFrame({"client_id": ["a", "b"], "days_dormant": pd.array([30, 400], dtype="Int64"),
    ...                   "measure": "value_at_stake", "value": [150.0, 2500.0]})
    >>> list(value_dormancy_chart(t).data[0].y)
    [150.0, 2500.0]
    """
    what = _measure_label(binned)
    if s.CLIENT_ID not in binned.columns:
        return _value_heatmap(binned, what, in_money(what, currency, locale))
    title = f"{what.capitalize()} of each client, against time since they last heard from us or bought"
    if binned.empty:
        return _empty(title, "No clients to show")
    fig = go.Figure()
    names = binned[s.NAME] if s.NAME in binned.columns else binned[s.CLIENT_ID]
    names = names.astype("string").fillna(binned[s.CLIENT_ID].astype("string")).map(label)
    if s.DORMANCY_BUCKET in binned.columns:
        order = binned[s.BUCKET_ORDER] if s.BUCKET_ORDER in binned.columns else binned[s.DORMANCY_BUCKET]
        buckets = binned.assign(_o=order).drop_duplicates(s.DORMANCY_BUCKET).sort_values("_o")
        groups = [(str(b), binned[s.DORMANCY_BUCKET] == b) for b in buckets[s.DORMANCY_BUCKET]]
        colour_at = (
            (lambda i, o: BUCKET_COLOURS[min(int(o), len(BUCKET_COLOURS) - 1)])
            if s.BUCKET_ORDER in binned.columns
            else (lambda i, o: _colours(i + 1)[i])
        )
        colours = [colour_at(i, o) for i, o in enumerate(buckets["_o"])]
    else:
        groups = [("clients", pd.Series(True, index=binned.index))]
        colours = [ACCENT]
    for (group, rows), colour in zip(groups, colours, strict=True):
        fig.add_scatter(
            x=_ints(binned.loc[rows, s.DAYS_DORMANT]),
            y=binned.loc[rows, s.VALUE].tolist(),
            mode="markers",
            name=group,
            marker={"color": colour, "size": 7, "opacity": 0.75, "line": {"width": 0}},
            customdata=names[rows].tolist(),
            hovertemplate="%{customdata}: %{x:,} days, %{y:,.0f}<extra></extra>",
        )
    log = bool((binned[s.VALUE] > 0).all())
    fig.update_layout(
        template=STYLE,
        title=title,
        xaxis_title="days since the last contact or purchase",
        yaxis_title=in_money(what, currency, locale) + (" (log scale)" if log else ""),
        yaxis_type="log" if log else "linear",
        height=480,
    )
    unknown = int(binned[s.DAYS_DORMANT].isna().sum())
    if unknown:
        _message(fig, f"{unknown:,} clients with no known date are not shown", y=1.02)
    return fig


def _value_heatmap(binned: pd.DataFrame, what: str, axis: str) -> go.Figure:
    title = f"Clients by {what} and time since they last heard from us or bought"
    if binned.empty or int(binned[s.CLIENTS].sum()) == 0:
        return _empty(title, "No clients to show")
    days = list(dict.fromkeys(binned[s.DAYS_BIN].astype(str)))
    values = list(dict.fromkeys(binned[s.VALUE_BIN].astype(str)))
    # The table is the whole grid, days bins first: a reshape, not a computation.
    shape = (len(days), len(values))
    counts = binned[s.CLIENTS].to_numpy().reshape(shape).T
    sums = binned[s.VALUE].to_numpy().reshape(shape).T
    fig = go.Figure(
        go.Heatmap(
            x=days,
            y=values,
            z=counts.tolist(),
            customdata=sums.round(2).tolist(),
            colorscale=[[0.0, "#ffffff"], [0.02, "#d8e6e4"], [1.0, ACCENT]],
            colorbar={"title": {"text": "clients"}},
            xgap=1,
            ygap=1,
            hovertemplate=(
                "%{x} days dormant, " + what + " %{y}: %{z:,} clients, "
                "%{customdata:,.0f} in all<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        template=STYLE,
        title=title,
        xaxis_title="days since the last contact or purchase",
        yaxis_title=axis,
        height=520,
    )
    fig.update_xaxes(automargin=True, type="category")
    fig.update_yaxes(automargin=True, type="category")
    return fig


def concentration_chart(table: pd.DataFrame) -> go.Figure:
    """How much of the revenue the top clients bring: the cumulative share by the top x % of clients.

    Parameters
    ----------
    table : DataFrame
        :func:`reconnect_lib.value.value_concentration` output.

    Returns
    -------
    plotly.graph_objects.Figure
        The curve, the line of equal shares for comparison, and the top 10 % and
        20 % marked, their shares in the title.
    """
    what = _measure_label(table)
    shares = table[s.CUMULATIVE_SHARE] if s.CUMULATIVE_SHARE in table.columns else pd.Series(dtype=float)
    if table.empty:
        return _empty("Share of revenue brought by the top clients", "No clients to show")
    if shares.isna().all():
        return _empty(f"Share of {what} brought by the top clients", f"No {what} recorded yet")
    top = {p: table.loc[(table[s.CLIENT_SHARE] - p).abs() < 1e-9] for p in (0.1, 0.2)}
    fig = go.Figure()
    fig.add_scatter(
        x=[0.0, 1.0],
        y=[0.0, 1.0],
        mode="lines",
        name="if every client brought the same",
        line={"color": _MUTED, "dash": "dot", "width": 1.5},
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=table[s.CLIENT_SHARE].tolist(),
        y=shares.tolist(),
        mode="lines",
        name=f"share of {what}",
        line={"color": ACCENT, "width": 3},
        customdata=table[s.CLIENTS].tolist(),
        hovertemplate="top %{x:.0%} of clients (%{customdata:,.0f}): %{y:.1%}<extra></extra>",
    )
    marked = pd.concat(list(top.values()))
    fig.add_scatter(
        x=marked[s.CLIENT_SHARE].tolist(),
        y=marked[s.CUMULATIVE_SHARE].tolist(),
        mode="markers+text",
        name="top 10 % and 20 %",
        marker={"color": _WARN, "size": 10},
        text=[
            f"top {x:.0%}: {y:.0%}"
            for x, y in zip(marked[s.CLIENT_SHARE], marked[s.CUMULATIVE_SHARE], strict=True)
        ],
        textposition="middle right",
        hoverinfo="skip",
        showlegend=False,
    )
    parts = [
        f"the top {p:.0%} bring {float(row[s.CUMULATIVE_SHARE].iloc[0]):.0%}"
        for p, row in top.items()
        if len(row)
    ]
    fig.update_layout(
        template=STYLE,
        title=f"How concentrated {what} is: " + ", ".join(parts) + " of it",
        xaxis={"title": "top share of clients, largest first", "tickformat": ".0%", "range": [0, 1.02]},
        yaxis={"title": f"share of {what}", "tickformat": ".0%", "range": [0, 1.05]},
        height=460,
    )
    return fig


def _largest(table: pd.DataFrame, lines: tuple[tuple[str, ...], ...]) -> float:
    values = table[[line[0] for line in lines]].to_numpy(dtype="float64", na_value=float("nan"))
    return float(pd.Series(values.ravel()).max(skipna=True)) if values.size else 0.0


def burn_down_chart(progress: pd.DataFrame) -> go.Figure:
    """The catch-up burn-down: due clients still to contact, as logged, as planned and as forecast.

    Parameters
    ----------
    progress : DataFrame
        :func:`reconnect_lib.metrics.catch_up_progress` output.

    Returns
    -------
    plotly.graph_objects.Figure
        Three lines by ISO week (actual solid, planned dashed, forecast dotted)
        and the week the forecast finishes the catch-up marked.
    """
    title = "Catch-up: clients due for contact still to reach, week by week"
    if progress.empty:
        return _empty(title, "No plan to show")
    weeks = progress[s.WEEK].astype(str).tolist()
    end = progress.loc[progress[s.FORECAST_END], s.WEEK].astype(str).tolist()
    fig = go.Figure()
    lines = (
        (s.PLANNED_LEFT, "planned at the weekly capacity", {"color": _MUTED, "dash": "dash", "width": 2}),
        (s.FORECAST_LEFT, "forecast by the plan", {"color": BUCKET_COLOURS[4], "dash": "dot", "width": 3}),
        (s.ACTUAL_LEFT, "actual (outcome log)", {"color": ACCENT, "width": 3}),
    )
    for column, name, line in lines:
        fig.add_scatter(
            x=weeks,
            y=_ints(progress[column]),
            mode="lines+markers" if column == s.ACTUAL_LEFT else "lines",
            name=name,
            line=line,
            marker={"size": 5},
            hovertemplate="%{x}: %{y:,} still to contact (" + name + ")<extra></extra>",
        )
    if end:
        fig.add_shape(
            type="line", x0=end[0], x1=end[0], y0=0, y1=1, yref="paper", line={"color": _WARN, "dash": "dot"}
        )
        fig.add_annotation(
            x=end[0], y=0.9, yref="paper", text=f"catch-up done: {end[0]}", showarrow=False, xanchor="right"
        )
        title += f"; at the current pace the last one is reached in {end[0]}"
    else:
        title += "; nobody is left to catch up"
    actual = progress[s.ACTUAL_LEFT].dropna()
    if len(actual) and (actual == actual.iloc[0]).all():
        _message(fig, NO_CONTACTS, y=0.15)
    fig.update_layout(
        template=STYLE,
        title=title,
        xaxis_title="ISO week",
        yaxis={"title": "due clients still to contact", **count_axis(_largest(progress, lines))},
        height=460,
    )
    fig.update_xaxes(automargin=True, tickangle=-45, title=None, **week_ticks(weeks))
    fig.update_layout(legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.0})
    return fig


#: How the clients of a funnel stage are called after a number.
_FUNNEL_WHO = {
    "planned": "planned",
    "contacted": "contacted",
    "replied": "who answered",
    "won back": "won back",
}


def funnel_texts(funnel: pd.DataFrame) -> list[str]:
    """Each stage's count, and its share said as a share *of whom*, so 100 % reads as "all of them".

    "replied 3,000 (100 %)" read as every client having replied to the business;
    it was every contacted client. Here: "3,000: all 3,000 contacted",
    "1,530: 51% of the 3,000 who answered".

    >>> t = pd.DataFrame({"stage": ["contacted", "replied", "won back"], "clients": [10, 10, 4],
    ...                   "share_of_previous": [float("nan"), 1.0, 0.4]})
    >>> funnel_texts(t)
    ['10', '10: all 10 contacted', '4: 40% of the 10 who answered']
    """
    texts: list[str] = []
    previous: tuple[str, int] | None = None
    for stage, clients, share in zip(
        funnel[s.STAGE], funnel[s.CLIENTS], funnel[s.SHARE_OF_PREVIOUS], strict=True
    ):
        count = int(clients)
        if previous is None or pd.isna(share):
            texts.append(f"{count:,}")
        else:
            before, who = previous[1], _FUNNEL_WHO.get(previous[0], label(previous[0]))
            texts.append(
                f"{count:,}: all {before:,} {who}"
                if count == before
                else f"{count:,}: {share:.0%} of the {before:,} {who}"
            )
        previous = (str(stage), count)
    return texts


def funnel_chart(funnel: pd.DataFrame) -> go.Figure:
    """How many clients reached each stage, from planned (or contacted) to won back.

    Parameters
    ----------
    funnel : DataFrame
        :func:`reconnect_lib.metrics.funnel` output (``stage``, ``clients``,
        ``share_of_previous``).
    """
    title = "From contact to win-back: clients at each stage"
    if funnel.empty or int(funnel[s.CLIENTS].sum()) == 0:
        return _empty(title, NO_CONTACTS)
    fig = go.Figure(
        go.Funnel(
            y=[s.FUNNEL_STAGES.get(str(stage), label(stage)) for stage in funnel[s.STAGE]],
            x=funnel[s.CLIENTS].tolist(),
            text=funnel_texts(funnel),
            textinfo="text",
            marker={"color": _colours(len(funnel))},
            hovertemplate="%{y}: %{x:,} clients<extra></extra>",
        )
    )
    fig.update_layout(template=STYLE, title=title, height=380, margin={"l": 110})
    fig.update_yaxes(automargin=True)  # a stage's name is never cut ("answered (any reply)")
    fig.update_xaxes(count_axis(funnel[s.CLIENTS].max()))
    stages = funnel.set_index(funnel[s.STAGE].astype(str))[s.CLIENTS]
    if "contacted" in stages.index and int(stages["contacted"]) == 0:
        _message(fig, NO_CONTACTS, y=0.2)
    return fig


def win_back_rate_chart(rates: pd.DataFrame, by: str, *, overall: pd.DataFrame | None = None) -> go.Figure:
    """The win-back rate per group with its interval, the number contacted, and the overall rate.

    Parameters
    ----------
    rates : DataFrame
        :func:`reconnect_lib.metrics.win_back_rates` output grouped `by`.
    by : str
        The grouping column (``dormancy_bucket``, ``channel``, ``week``,
        ``account_owner``, ``campaign``).
    overall : DataFrame, optional
        ``win_back_rates(outcomes)`` (one row): drawn as a reference line.

    Returns
    -------
    plotly.graph_objects.Figure
        Bars of ``win_back_rate`` with asymmetric error bars to ``rate_low`` and
        ``rate_high``, ``n = contacted`` in each bar.
    """
    grouping = GROUP_LABELS.get(by, "by " + label(by.replace("_", " ")))
    title = "Share of contacted clients won back, " + grouping
    if rates.empty or by not in rates.columns or int(rates[s.CONTACTED].sum()) == 0:
        return _empty(title, NO_CONTACTS)
    rate = rates[s.RATE]
    labels = [label(v) for v in rates[by].astype(str)]
    colours = _colours(len(labels)) if by == s.DORMANCY_BUCKET else [ACCENT] * len(labels)
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=rate.tolist(),
            marker_color=colours,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (rates[s.RATE_HIGH] - rate).tolist(),
                "arrayminus": (rate - rates[s.RATE_LOW]).tolist(),
                "color": "#444",
                "thickness": 1.5,
            },
            text=[f"n = {n:,}" for n in rates[s.CONTACTED]],
            textposition="inside",
            insidetextanchor="start",
            customdata=list(
                zip(rates[s.WON_BACK], rates[s.CONTACTED], rates[s.RATE_LOW], rates[s.RATE_HIGH], strict=True)
            ),
            hovertemplate=(
                "%{x}: %{y:.1%} won back (%{customdata[0]:,} of %{customdata[1]:,}); "
                "95 % interval %{customdata[2]:.1%} to %{customdata[3]:.1%}<extra></extra>"
            ),
            name="win-back rate",
        )
    )
    if overall is not None and len(overall) and not pd.isna(overall[s.RATE].iloc[0]):
        level = float(overall[s.RATE].iloc[0])
        fig.add_hline(
            y=level,
            line={"color": _WARN, "dash": "dash"},
            annotation_text=f"all contacted clients: {level:.0%}",
            annotation_position="top right",
        )
    fig.update_layout(
        template=STYLE,
        title=title + " (bars: 95 % interval)",
        yaxis={"title": "won back", "tickformat": ".0%", "range": [0, 1.05]},
        height=440,
        showlegend=False,
    )
    fig.update_xaxes(automargin=True, type="category")
    return fig


def reasons_chart(reasons: pd.DataFrame) -> go.Figure:
    """Why clients left: the clients giving each reason, most frequent at the top.

    Parameters
    ----------
    reasons : DataFrame
        :func:`reconnect_lib.metrics.reasons_table` output.
    """
    title = "Why clients left or said no: the reasons they gave"
    if reasons.empty or int(reasons[s.CLIENTS].sum()) == 0:
        return _empty(title, "No reasons recorded yet")
    ordered = reasons.sort_values(s.CLIENTS, ascending=True, kind="stable")
    fig = go.Figure(
        go.Bar(
            x=ordered[s.CLIENTS].tolist(),
            y=[REASON_LABELS.get(str(r), label(r)) for r in ordered[s.REASON]],
            orientation="h",
            marker_color=ACCENT,
            text=[f"{c:,} ({p:.0%})" for c, p in zip(ordered[s.CLIENTS], ordered[s.SHARE], strict=True)],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,} clients<extra></extra>",
        )
    )
    fig.update_layout(
        template=STYLE,
        title=title,
        xaxis={
            "title": "clients (a client may give more than one reason)",
            **count_axis(ordered[s.CLIENTS].max()),
        },
        height=max(320, 36 * len(ordered) + 120),
        margin={"l": 220, "r": 80},
    )
    return fig


def lift_chart(lift: pd.DataFrame | None, *, confidence: float = 0.95) -> go.Figure:
    """What the campaign caused: the contacted and hold-out rates, and their difference, with intervals.

    Parameters
    ----------
    lift : DataFrame or None
        :func:`reconnect_lib.metrics.campaign_lift` output (None: no hold-out).
    confidence : float
        Of the intervals the table was made with.

    Returns
    -------
    plotly.graph_objects.Figure
        Left, the two rates with their Wilson intervals
        (:func:`reconnect_lib.metrics.lift_rates`); right, the lift with its
        Newcombe interval and the zero line.
    """
    from .metrics import lift_rates

    title = "What the campaign caused: contacted clients vs the hold-out group"
    if lift is None or lift.empty or pd.isna(lift[s.LIFT].iloc[0]):
        return _empty(title, "No lift yet: it needs contacted and hold-out clients whose window has passed")
    rates = lift_rates(lift, confidence=confidence)
    row = lift.iloc[0]
    fig = make_subplots(
        rows=1, cols=2, column_widths=[0.62, 0.38], subplot_titles=("Win-back rate", "Difference (points)")
    )
    rate = rates[s.RATE]
    fig.add_bar(
        x=rates[s.GROUP].tolist(),
        y=rate.tolist(),
        marker_color=[ACCENT, _MUTED],
        error_y={
            "type": "data",
            "symmetric": False,
            "array": (rates[s.RATE_HIGH] - rate).tolist(),
            "arrayminus": (rate - rates[s.RATE_LOW]).tolist(),
            "color": "#444",
        },
        text=[f"n = {n:,}" for n in rates[s.CLIENTS]],
        textposition="inside",
        insidetextanchor="start",
        customdata=list(zip(rates[s.WON_BACK], rates[s.CLIENTS], strict=True)),
        hovertemplate="%{x}: %{y:.1%} (%{customdata[0]:,} of %{customdata[1]:,})<extra></extra>",
        name="rate",
        row=1,
        col=1,
    )
    diff = float(row[s.LIFT])
    fig.add_scatter(
        x=["lift"],
        y=[diff],
        mode="markers",
        marker={"color": BUCKET_COLOURS[4] if diff >= 0 else _WARN, "size": 14},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [float(row[s.LIFT_HIGH]) - diff],
            "arrayminus": [diff - float(row[s.LIFT_LOW])],
            "color": "#444",
            "thickness": 2,
        },
        hovertemplate="%{y:+.1%}<extra></extra>",
        name="lift",
        row=1,
        col=2,
    )
    fig.add_hline(y=0, line={"color": "#999"}, row=1, col=2)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], row=1, col=1)
    fig.update_yaxes(tickformat="+.0%", row=1, col=2)
    fig.update_layout(
        template=STYLE,
        title=(
            f"What the campaign caused: {float(row[s.RATE]):.0%} of contacted clients came back vs "
            f"{float(row[s.HOLDOUT_RATE]):.0%} of the hold-out, {100 * diff:+.1f} points"
        ),
        showlegend=False,
        height=420,
    )
    return fig


def keep_up_chart(timeline: pd.DataFrame) -> go.Figure:
    """Keeping up: clients becoming due each week, the keep-up contacts planned, and any who would slide past.

    Parameters
    ----------
    timeline : DataFrame
        :func:`reconnect_lib.plan.keep_up_timeline` output.
    """
    title = "Keeping up: clients becoming due for contact each week, and the contacts planned before they do"
    if timeline.empty:
        return _empty(title, "No weeks to show")
    weeks = timeline[s.WEEK].astype(str).tolist()
    fig = go.Figure()
    looked_after = timeline[s.CROSSING] - timeline.get(s.CROSSING_LEFT_OUT, 0)
    bars = [
        (looked_after, "becoming due", BUCKET_COLOURS[2]),
        (timeline[s.KEEP_UP_CONTACTS], "keep-up contacts planned", ACCENT),
        (timeline[s.LATE], "contacted too late or not at all", _WARN),
    ]
    if s.CROSSING_LEFT_OUT in timeline.columns:
        left_out = "becoming due, left out (lost, do not contact, unreachable)"
        bars.append((timeline[s.CROSSING_LEFT_OUT], left_out, "#bbbbbb"))
    for values, name, colour in bars:
        fig.add_bar(
            x=weeks,
            y=values.tolist(),
            name=name,
            marker_color=colour,
            hovertemplate="%{x}: %{y:,} " + name + "<extra></extra>",
        )
    largest = max((float(pd.Series(v).max()) for v, _, _ in bars), default=0.0)
    fig.update_layout(
        template=STYLE,
        title=title,
        yaxis={"title": "clients", **count_axis(largest)},
        barmode="group",
        height=460,
        # The legend above the plot: under it, it sat on the week axis's title and labels.
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.0},
        margin={"t": 110},
    )
    fig.update_xaxes(automargin=True, title="ISO week", **week_ticks(weeks))
    if int(timeline[[s.CROSSING, s.KEEP_UP_CONTACTS]].to_numpy().sum()) == 0:
        _message(fig, "Nobody becomes due in these weeks")
    return fig


def _weeks_until(weeks: list[str], last: str) -> list[str]:
    """`weeks` followed by every ISO week after its last one up to `last` (a forecast beyond the log)."""
    if not weeks or last in weeks or last < weeks[-1]:
        return weeks
    extra, day, end = [], week_monday(weeks[-1]), week_monday(last)
    while day < end:
        day += timedelta(days=7)
        extra.append(iso_week(day))
    return weeks + extra


def return_chart(
    weekly: pd.DataFrame,
    *,
    break_even_week: str | None = None,
    forecast_week: str | None = None,
    currency: str | None = None,
    locale: str | None = None,
) -> go.Figure:
    """Did it pay for itself? Cumulative cost against cumulative return, week by week, break-even marked.

    Parameters
    ----------
    weekly : DataFrame
        :attr:`reconnect_lib.metrics.ReturnSummary.weekly` (``week``,
        ``cumulative_cost``, ``cumulative_return``), one row per ISO week.
    break_even_week : str, optional
        ``ReturnSummary.break_even_week``: a solid vertical line, labelled.
    forecast_week : str, optional
        ``ReturnSummary.forecast_break_even_week``, when not yet reached: a dashed
        vertical line, labelled; the week axis runs on to it.
    currency, locale : str, optional
        ``[campaign] currency`` and ``locale``: the amounts' axis and hover labels.

    Returns
    -------
    plotly.graph_objects.Figure
        Two lines (cost, return) of the running totals by ISO week.

    Examples
    --------
    >>> t = pd.DataFrame({"week": ["2026-W10", "2026-W11"], "cumulative_cost": [120.0, 150.0],
    ...                   "cumulative_return": [0.0, 600.0]})
    >>> fig = return_chart(t, break_even_week="2026-W11", currency="GBP")
    >>> [list(trace.y) for trace in fig.data], fig.layout.shapes[0].x0
    ([[120.0, 150.0], [0.0, 600.0]], '2026-W11')
    """
    title = "Did it pay for itself? What the campaign cost and what it brought back, week by week"
    if weekly.empty:
        return _empty(title, "Nothing spent or won back yet")
    weeks = weekly[s.WEEK].astype(str).tolist()
    fig = go.Figure()
    lines = (
        (s.CUMULATIVE_COST, "cost so far", {"color": _WARN, "width": 3}),
        (s.CUMULATIVE_RETURN, "return so far (won back and referrals)", {"color": ACCENT, "width": 3}),
    )
    for column, name, line in lines:
        values = weekly[column].astype("float64")
        fig.add_scatter(
            x=weeks,
            y=values.tolist(),
            mode="lines+markers",
            name=name,
            line=line,
            marker={"size": 5},
            customdata=[format_money(v, currency, locale=locale, whole=True) for v in values],
            hovertemplate="%{x}: %{customdata} " + name + "<extra></extra>",
        )
    axis = weeks
    marks = []
    spent = float(weekly[s.CUMULATIVE_COST].max()) > 0
    if not spent:
        title += "; no cost counted yet"
    elif break_even_week:
        marks.append((break_even_week, f"broke even: {break_even_week}", "solid"))
        title += f"; it broke even in {break_even_week}"
    elif forecast_week:
        axis = _weeks_until(weeks, forecast_week)
        if len(axis) > len(weeks):  # the weeks still to come hold no point, but the axis shows them
            fig.add_scatter(
                x=axis[len(weeks) :], y=[None] * (len(axis) - len(weeks)), showlegend=False, hoverinfo="skip"
            )
        marks.append((forecast_week, f"break-even forecast: {forecast_week}", "dash"))
        title += f"; at the rates so far it breaks even in {forecast_week}"
    else:
        title += "; it has not broken even yet"
    for week, text, dash in marks:
        fig.add_shape(
            type="line", x0=week, x1=week, y0=0, y1=1, yref="paper", line={"color": _MUTED, "dash": dash}
        )
        # The label on the side of the line with more room: a break-even in the first weeks was cut off.
        early = week in axis and axis.index(week) < len(axis) / 2
        fig.add_annotation(
            x=week, y=1.0, yref="paper", text=text, showarrow=False, xanchor="left" if early else "right"
        )
    if not spent:
        _message(fig, "No cost counted: [costs] in campaign.toml sets what each action costs", y=0.85)
    fig.update_layout(
        template=STYLE,
        title=title,
        yaxis={
            "title": in_money("cost and return so far", currency, locale),
            "tickformat": ",.0f",
            "rangemode": "tozero",
            "automargin": True,  # "2,500,000" was cut to ",500,000" under the title
        },
        height=460,
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.0},
        margin={"t": 110},
    )
    fig.update_xaxes(
        automargin=True,
        tickangle=-45,
        title="ISO week",
        categoryorder="array",
        categoryarray=axis,
        **week_ticks(axis),
    )
    return fig
