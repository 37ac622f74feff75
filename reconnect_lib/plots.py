"""Plotly figures from stage outputs.

Each function takes a frame a stage returned and draws it; nothing here
computes a number a stage should have computed. Every figure shares one
style (:data:`STYLE`) and a title that says what it shows.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import schema as s

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


def _colours(n: int) -> list[str]:
    return [BUCKET_COLOURS[min(i, len(BUCKET_COLOURS) - 1)] for i in range(n)]


def dormancy_chart(buckets: pd.DataFrame) -> go.Figure:
    """Clients per dormancy bucket, with the yearly value at stake in each.

    Parameters
    ----------
    buckets : DataFrame
        :func:`reconnect_lib.dormancy.bucket_table` output (buckets in order).

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
    titles = ("Clients", "Value at stake per year") if has_value else ("Clients",)
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
            text=[f"{v:,.0f}" for v in buckets[s.VALUE_AT_STAKE]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{x}: %{y:,.0f} a year at stake<extra></extra>",
            row=1,
            col=2,
        )
        title += ", and what they were worth a year"
    fig.update_layout(template=STYLE, title=title, showlegend=False, bargap=0.3, height=420)
    fig.update_xaxes(automargin=True)
    return fig


def segment_chart(segments: pd.DataFrame) -> go.Figure:
    """Clients and revenue per RFM segment, largest revenue first.

    Parameters
    ----------
    segments : DataFrame
        :func:`reconnect_lib.value.segment_table` output: ``rfm_segment``,
        ``clients``, ``total_revenue``.
    """
    ordered = segments.sort_values("total_revenue", ascending=True)
    fig = go.Figure(
        go.Bar(
            x=ordered["total_revenue"].tolist(),
            y=ordered[s.RFM_SEGMENT].astype(str).tolist(),
            orientation="h",
            marker_color=ACCENT,
            customdata=ordered["clients"].tolist(),
            text=[f"{c:,} clients" for c in ordered["clients"]],
            textposition="auto",
            hovertemplate="%{y}: %{x:,.0f} revenue from %{customdata:,} clients<extra></extra>",
        )
    )
    fig.update_layout(
        template=STYLE,
        title="Revenue by client segment (recency, frequency, monetary value)",
        xaxis_title="total revenue",
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
