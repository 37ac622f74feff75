"""Small display helpers for the notebooks under ``notebooks/``.

Notebooks call the library and show what it returns; these helpers only decide
*how* a figure or a paragraph is displayed so that the same output works in
JupyterLab and in the offline HTML report.

Why not ``fig.show()``: since plotly 6.1 a kernel defaults to the
``plotly_mimetype`` renderer, which nbconvert cannot draw (blank charts), and
plotly's ``notebook`` renderer adds a MathJax script from a CDN to every figure.
:func:`show` publishes both the plotly JSON (for JupyterLab) and self-contained
HTML (for the report), with plotly.js inline in the first figure of the
notebook only, and no global renderer setting is touched.

Narrative is HTML, never Markdown built from data: :func:`say` takes the
notebook's own sentence and escapes every value put into it (a campaign,
client or owner name may hold ``<img onerror=...>`` or ``[x](javascript:...)``);
tables escape their cells (``Styler.format(escape="html")``) and figures their
labels (:func:`reconnect_lib.plots.label`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import plotly.graph_objects as go
from markupsafe import Markup, escape

from .exports import isolate_bidi
from .money import counted, format_money

_plotlyjs_sent = False
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


def figure_bundle(fig: go.Figure, *, include_plotlyjs: bool) -> dict[str, object]:
    """The MIME bundle :func:`show` displays for ``fig``.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    include_plotlyjs : bool
        Embed plotly.js (about 4.6 MB) in the HTML part. Needed once per page.

    Returns
    -------
    dict
        ``application/vnd.plotly.v1+json`` and ``text/html`` representations.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> bundle = figure_bundle(go.Figure(go.Bar(x=[1], y=[2])), include_plotlyjs=False)
    >>> sorted(bundle)
    ['application/vnd.plotly.v1+json', 'text/html']
    """
    div = fig.to_html(
        include_plotlyjs=include_plotlyjs,
        full_html=False,
        include_mathjax=False,
        config={"displaylogo": False, "responsive": True},
    )
    return {
        "application/vnd.plotly.v1+json": fig.to_plotly_json(),
        "text/html": div,
    }


def show(fig: go.Figure) -> None:
    """Display a plotly figure so it draws in JupyterLab and in the offline report."""
    from IPython.display import display

    global _plotlyjs_sent
    display(figure_bundle(fig, include_plotlyjs=not _plotlyjs_sent), raw=True)
    _plotlyjs_sent = True


def narrative(template: str, /, **values: object) -> Markup:
    """A paragraph of narrative as HTML: the notebook's own words, with every value escaped.

    Narrative is HTML, not Markdown: a client's, owner's or campaign's name put
    into Markdown can run as HTML (``<img onerror=...>``) or become a link
    (``[x](javascript:...)``), and escaping Markdown by hand misses cases. Here
    the notebook's own text is escaped too; only ``**bold**`` in it becomes
    ``<strong>``.

    Parameters
    ----------
    template : str
        The notebook's own sentence (a literal, never built from data), with
        ``**bold**`` and ``str.format`` placeholders: ``{name}``, ``{n[clients]:,}``,
        ``{as_of:%d %B %Y}``. Without `values` it is shown as written (braces included).
    **values
        Filled into the placeholders, each formatted and then HTML-escaped;
        :class:`markupsafe.Markup` values (e.g. :func:`counts_in_words`) are
        kept as they are.

    Returns
    -------
    markupsafe.Markup
        A ``<p>`` element.

    Examples
    --------
    >>> str(narrative("**{name}**: {n:,} clients", name="<b>Ann</b> [x](javascript:y)", n=1200))
    '<p><strong>&lt;b&gt;Ann&lt;/b&gt; [x](javascript:y)</strong>: 1,200 clients</p>'
    """
    own = Markup(_BOLD.sub(r"<strong>\1</strong>", str(escape(template))))
    # A direction control in a name (U+202E) acts on that name only, not on the rest of the sentence.
    values = {k: isolate_bidi(v) if type(v) is str else v for k, v in values.items()}
    return Markup("<p>{}</p>").format(own.format(**values) if values else own)


def bullets(items: Iterable[object]) -> Markup:
    """A bulleted list of texts (notes, warnings) as HTML, each item escaped.

    >>> str(bullets(["a < b", "*c*"]))
    '<ul><li>a &lt; b</li><li>*c*</li></ul>'
    """
    return Markup("<ul>{}</ul>").format(Markup("").join(Markup("<li>{}</li>").format(i) for i in items))


def lines(text: object) -> Markup:
    r"""Text of several lines (e.g. the loader's report) as one HTML paragraph, escaped, lines kept.

    >>> str(lines("clients.csv: 3 rows\n<x> set aside"))
    '<p>clients.csv: 3 rows<br>\n&lt;x&gt; set aside</p>'
    """
    return Markup("<p>{}</p>").format(Markup("<br>\n").join(str(text).splitlines()))


def say(template: str | Markup, /, **values: object) -> None:
    """Display a paragraph of narrative written from computed numbers (see :func:`narrative`).

    A :class:`markupsafe.Markup` (from :func:`bullets` or :func:`lines`) is shown as it is.
    """
    from IPython.display import HTML, display

    shown = template if isinstance(template, Markup) else narrative(template, **values)
    display(HTML(str(shown)))


def parse_as_of(value: str | date | None) -> date | None:
    """An ``as_of`` notebook parameter (ISO string, date or empty) as a date.

    papermill passes dates as ISO strings, so notebooks take strings and parse them here.

    >>> parse_as_of("2026-11-23")
    datetime.date(2026, 11, 23)
    >>> parse_as_of("") is None
    True
    """
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


_CLIENT_COLUMNS = {
    "priority_rank": "Rank",
    "name": "Name",
    "company": "Company",
    "dormancy_bucket": "Dormancy",
    "days_dormant": "Days silent",
    "rfm_segment": "Segment",
    "value_at_stake": "Value / yr",
    "win_back_chance": "Chance",
    "expected_value": "Expected / yr",
    "account_owner": "Owner",
}
_RHYTHM_COLUMNS = {
    "name": "Name",
    "company": "Company",
    "dormancy_bucket": "Dormancy",
    "rhythm_days": "Usual gap (days)",
    "days_since_purchase": "Days since purchase",
    "overdue_ratio": "Times overdue",
    "p_alive": "Still active",
    "value_at_stake": "Value / yr",
}
_KEEP_UP_COLUMNS = {
    "crosses_on": "Due on",
    "weeks_until_due": "Weeks left",
    "name": "Name",
    "company": "Company",
    "days_dormant": "Days silent",
    "value_at_stake": "Value / yr",
    "account_owner": "Owner",
}


def money_options(config) -> dict[str, str | None]:
    """The campaign's ``[campaign] currency`` and ``locale``, as keyword arguments of the views and charts.

    >>> from reconnect_lib.config import parse_config
    >>> cfg = parse_config({"campaign": {"name": "x", "currency": "GBP"}, "data": {"clients": "c.csv"}})
    >>> money_options(cfg)
    {'currency': 'GBP', 'locale': None}
    """
    return {"currency": config.campaign.currency, "locale": config.campaign.locale}


def money(currency: str | None = None, locale: str | None = None):
    """Whole amounts in the campaign's currency (plain numbers without one), for a table or a sentence.

    >>> money("GBP")(2578658.32), money()(48762.4), money("EUR", "de_DE")(1234.0)
    ('£2,578,658', '48,762', '1.234\xa0€')
    """
    return lambda amount: format_money(amount, currency, locale=locale, whole=True)


def bucket_view(buckets, *, currency: str | None = None, locale: str | None = None):
    """The bucket table as a readable, escaped table for a notebook or report, money in `currency`."""
    shown = buckets.drop(columns=["bucket_order"], errors="ignore").rename(
        columns={
            "dormancy_bucket": "Dormancy",
            "clients": "Clients",
            "due": "Due",
            "due_contactable": "Due, may be contacted",
            "do_not_contact": "Do not contact",
            "total_revenue": "Revenue",
            "share_of_revenue": "Share of revenue",
            "value_at_stake": "Value at stake / yr",
            "expected_value": "Expected win-back / yr",
        }
    )
    amounts = [c for c in ("Revenue", "Value at stake / yr", "Expected win-back / yr") if c in shown.columns]
    return (
        shown.style.hide(axis="index")
        .format(escape="html")
        .format(money(currency, locale), subset=amounts)
        .format("{:.1%}", subset=["Share of revenue"])
        .format(
            "{:,}",
            subset=[c for c in ("Clients", "Due", "Due, may be contacted", "Do not contact") if c in shown],
        )
    )


def client_view(
    clients,
    *,
    n: int = 15,
    keep_up: bool = False,
    due_only: bool = False,
    rhythm: bool = False,
    currency: str | None = None,
    locale: str | None = None,
):
    """The first ``n`` clients (by priority rank, or by due date for a keep-up list), escaped.

    Amounts are whole units of `currency` (``[campaign] currency``; plain numbers without one).

    ``due_only`` shows only clients due for contact who have not asked to be left
    alone; ``rhythm`` shows an :func:`reconnect_lib.clv.overdue_clients` list in its order.
    """
    columns = _RHYTHM_COLUMNS if rhythm else _KEEP_UP_COLUMNS if keep_up else _CLIENT_COLUMNS
    order = "crosses_on" if keep_up else "priority_rank"
    if due_only:
        clients = clients[clients["due"] & ~clients["do_not_contact"].fillna(False).astype(bool)]
    head = clients.head(n) if rhythm else clients.sort_values([order, "client_id"]).head(n)
    if due_only and "priority_rank" in head.columns:
        # priority_rank counts every client; among the due ones it skipped numbers (1, 2, 5, ...), which
        # read as clients missing. The list shows each client's place in the order of reconnecting.
        head = head.assign(priority_rank=range(1, len(head) + 1))
    shown = head[[c for c in columns if c in head.columns]].rename(columns=columns)
    formats = {
        "Usual gap (days)": "{:,.0f}",
        "Days since purchase": "{:,.0f}",
        "Times overdue": "{:.1f}×",
        "Still active": "{:.0%}",
        "Value / yr": money(currency, locale),
        "Expected / yr": money(currency, locale),
        "Chance": "{:.0%}",
        "Due on": lambda d: f"{d:%d %b %Y}",
    }
    style = shown.style.hide(axis="index").format(escape="html", na_rep="")
    for column, fmt in formats.items():
        if column in shown.columns:
            style = style.format(fmt, subset=[column], na_rep="")
    return style


_ACTION_COLUMNS = {
    "planned_on": "Day",
    "action": "Action",
    "name": "Name",
    "company": "Company",
    "dormancy_bucket": "Dormancy",
    "value_at_stake": "Value / yr",
    "win_back_chance": "Chance",
    "account_owner": "Owner",
    "note": "Note",
}
_ACTION_WORDS = {
    "letter": "Letter",
    "email": "E-mail",
    "call": "Call",
    "follow_up_call": "Follow-up call",
    "gift": "Gift",
}


_ACTION_PLURALS = {
    "letter": "letters",
    "email": "e-mails",
    "call": "first calls",
    "follow_up_call": "follow-up calls",
    "gift": "gifts",
}


def counts_in_words(counts: dict[str, int]) -> Markup:
    """Planned actions per kind in words, in bold, for a narrative sentence (HTML).

    >>> str(counts_in_words({"letter": 10, "email": 0, "follow_up_call": 4}))
    '<strong>10 letters</strong>, <strong>4 follow-up calls</strong>'
    >>> str(counts_in_words({"letter": 0}))
    'nothing'
    """
    words = [
        Markup("<strong>{:,} {}</strong>").format(n, _ACTION_PLURALS.get(action, action))
        for action, n in counts.items()
        if n
    ]
    return Markup(", ").join(words) or Markup("nothing")


def contacts_view(actions, *, n: int | None = None, currency: str | None = None, locale: str | None = None):
    """A week's planned actions (:meth:`ContactPlan.week` rows) by day, as an escaped table.

    A column with nothing in it (no action of the week has a note) is left out.
    """
    ordered = actions.sort_values(["planned_on", "action", "week_order"], kind="stable")
    head = ordered if n is None else ordered.head(n)
    kept = [c for c in _ACTION_COLUMNS if c in head.columns and not _blank(head[c])]
    shown = head[kept].rename(columns=_ACTION_COLUMNS)
    if "Action" in shown.columns:
        shown = shown.assign(Action=shown["Action"].map(lambda a: _ACTION_WORDS.get(a, a)))
    style = shown.style.hide(axis="index").format(escape="html", na_rep="")
    formats = {"Day": lambda d: f"{d:%a %d %b}", "Value / yr": money(currency, locale), "Chance": "{:.0%}"}
    for column, fmt in formats.items():
        if column in shown.columns:
            style = style.format(fmt, subset=[column], na_rep="")
    return style


def _blank(column) -> bool:
    """Whether a column holds nothing to show: every value missing or empty text."""
    return bool(column.isna().all()) or bool(column.astype("string").fillna("").str.strip().eq("").all())


#: Longest contact list shown open; a longer one is folded under a line saying how many rows it has.
OPEN_ROWS = 15


def folded(table, *, rows: int, what: str, open_rows: int = OPEN_ROWS) -> Markup:
    """A table as HTML, folded into ``<details>`` when it has more than `open_rows` rows.

    The summary line says what it is and how many rows it has, so a week of 200
    contacts does not push the charts 6,000 pixels down the page. The table is
    written without the Styler's per-cell ids and classes (``<td>``, not
    ``<td class="data row0 col0" id="T_..._row0_col0">``): nothing styles them, and
    they were two thirds of a long list's bytes in the report. So styles of single
    cells (``Styler.map``) are not kept: the tables folded here are formatted
    and escaped, not styled.

    Parameters
    ----------
    table : pandas Styler
        An escaped table (:func:`contacts_view`, :func:`client_view`).
    rows : int
        How many rows it has.
    what : str
        What a row is, plural ("contacts this week"): the summary reads "Show the 200 contacts this week".

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"a": range(3)}).style.hide(axis="index")
    >>> str(folded(t, rows=3, what="rows", open_rows=2)).startswith("<details><summary>Show the 3 rows")
    True
    >>> "<details>" in str(folded(t, rows=3, what="rows", open_rows=3))
    False
    """
    html = Markup(table.to_html(exclude_styles=True))
    if rows <= open_rows:
        return html
    return Markup("<details><summary>Show the {:,} {}</summary>{}</details>").format(rows, what, html)


def keep_up_section(
    keep_up, *, weeks: int, n: int = 15, currency: str | None = None, locale: str | None = None
) -> Markup:
    """How many clients become due within `weeks` weeks, and the first `n` of them (none: no table).

    "0 clients become due within 4 weeks" was followed by an empty table's headers.

    >>> import pandas as pd
    >>> str(keep_up_section(pd.DataFrame(columns=["client_id", "crosses_on"]), weeks=4))
    '<p><strong>0</strong> clients become due within 4 weeks.</p>'
    """
    one = len(keep_up) == 1
    sentence = narrative(
        "**{clients:,}** " + ("client becomes" if one else "clients become") + " due within {weeks}.",
        clients=len(keep_up),
        weeks=counted(weeks, "week"),
    )
    if len(keep_up) == 0:
        return sentence
    if len(keep_up) > n:
        sentence += narrative("The first {n:,} by the day they become due:", n=n)
    table = client_view(keep_up, n=n, keep_up=True, currency=currency, locale=locale)
    return sentence + Markup(table.to_html())


def rates_view(rates, *, label: str | None = None, currency: str | None = None, locale: str | None = None):
    """A :func:`~reconnect_lib.metrics.win_back_rates` table, escaped and formatted."""
    columns = {
        "contacted": "Contacted",
        "won_back": "Won back",
        "win_back_rate": "Rate",
        "rate_low": "Interval from",
        "rate_high": "to",
        "revenue_recovered": "Revenue recovered",
    }
    if label:
        columns = {rates.columns[0]: label, **columns}
    shown = rates[[c for c in columns if c in rates.columns]].rename(columns=columns)
    return (
        shown.style.hide(axis="index")
        .format(escape="html", na_rep="")
        .format("{:.1%}", subset=["Rate", "Interval from", "to"], na_rep="")
        .format(money(currency, locale), subset=["Revenue recovered"])
        .format("{:,}", subset=["Contacted", "Won back"])
    )


def return_words(returns, *, currency: str | None = None, locale: str | None = None) -> dict[str, str]:
    """The values of the "did it pay for itself?" sentence, from a ``ReturnSummary``.

    Keywords for :func:`say`: ``spent``, ``returned``, ``recovered`` and ``referrals``
    (whole amounts in `currency`), and ``verdict``: the week it broke even, the
    forecast week, or that it has not yet (nothing when nothing was spent), then
    ``returns.statement`` (whether it paid for itself, with its interval).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import pandas as pd
    >>> overall = pd.DataFrame({"cost": [124.0], "revenue_recovered": [600.0], "referral_revenue": [150.0],
    ...                         "return": [750.0]})
    >>> r = SimpleNamespace(overall=overall, break_even_week="2026-W11", forecast_break_even_week=None,
    ...                     statement="(statement)")
    >>> words = return_words(r, currency="GBP")
    >>> words["spent"], words["returned"]
    ('£124', '£750')
    >>> print(words["verdict"])
    It broke even in week 2026-W11: since then what it brought back has covered its cost. (statement)
    """
    row = returns.overall.iloc[0]
    amount = money(currency, locale)
    cost = float(row["cost"])
    if returns.break_even_week:
        even = (
            f"It broke even in week {returns.break_even_week}: "
            "since then what it brought back has covered its cost."
        )
    elif returns.forecast_break_even_week:
        even = (
            "It has not broken even yet; if the plan is carried out and clients answer as they have so far, "
            f"it would in week {returns.forecast_break_even_week}."
        )
    elif cost > 0:
        even = "It has not broken even yet."
    else:
        even = ""
    return {
        "spent": amount(cost),
        "returned": amount(row["return"]),
        "recovered": amount(row["revenue_recovered"]),
        "referrals": amount(row["referral_revenue"]),
        "verdict": f"{even} {returns.statement}".strip(),
    }


_RETURN_COLUMNS = {
    "clients": "Clients",
    "cost": "Cost",
    "revenue_recovered": "Won back",
    "referral_revenue": "From referrals",
    "return": "Return",
    "return_per_cost": "Return per unit of cost",
}


def return_table(table, *, label: str, currency: str | None = None, locale: str | None = None):
    """A return table (``ReturnSummary.by_channel`` or ``.by_bucket``) as an escaped table.

    The group column is headed `label`; amounts are whole units of `currency`; the
    return per unit of cost has two decimals (1.00 = paid for itself; empty where
    nothing was spent). The fixed costs' row reads "fixed costs".

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"channel": ["letter", "fixed"], "clients": [2, 0], "cost": [4.0, 100.0],
    ...                   "revenue_recovered": [600.0, 0.0], "referral_revenue": [0.0, 0.0],
    ...                   "return": [600.0, 0.0], "return_per_cost": [150.0, 0.0]})
    >>> shown = return_table(t, label="Channel", currency="GBP")
    >>> list(shown.data["Channel"]), "£600" in shown.to_html()
    (['letter', 'fixed costs'], True)
    """
    group = table.columns[0]
    shown = table[[group, *(c for c in _RETURN_COLUMNS if c in table.columns)]].rename(
        columns={group: label, **_RETURN_COLUMNS}
    )
    shown[label] = shown[label].astype("string").replace({"fixed": "fixed costs"})
    amounts = [c for c in ("Cost", "Won back", "From referrals", "Return") if c in shown.columns]
    return (
        shown.style.hide(axis="index")
        .format(escape="html", na_rep="")
        .format(money(currency, locale), subset=amounts)
        .format("{:.2f}", subset=["Return per unit of cost"], na_rep="")
        .format("{:,}", subset=["Clients"])
    )
