"""User text never becomes markup: in narrative, tables, figures, widgets, whatever it holds.

A campaign whose name and description, clients' names and companies, an
account owner, and the outcome log's notes all hold HTML (``<img onerror>``,
``<a href="javascript:">``), a Markdown link and entities is run through the
report notebooks' own cells (in an IPython shell, without papermill) and the
explorer notebook. Every output must hold no ``img`` element, no ``on...``
attribute and no ``javascript:`` link, must be HTML (no Markdown to render),
and must still show the user's characters as typed. The helpers that build
that output are checked on any text with hypothesis.
"""

from __future__ import annotations

import ast
import dataclasses
import html
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import hypothesis.strategies as st
import ipywidgets as widgets
import nbformat
import pandas as pd
import pytest
from browser_support import hostile, hostile_firm
from hypothesis import given
from markupsafe import Markup

import reconnect_lib as rl
from reconnect_lib import plots
from reconnect_lib.files import safe_folder_name
from reconnect_lib.notebook import bullets, counts_in_words, lines, narrative
from reconnect_lib.widgets import Explorer

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: Tags the library itself writes into plotly texts (hover templates).
PLOTLY_OWN_TAGS = {"extra", "br"}


# --- reading output as a browser would ------------------------------------------------------------


class _Page(HTMLParser):
    """The elements, attributes and visible text of an HTML fragment (script and style text left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, name, value or "") for name, value in attrs]
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


def inert(fragment: str) -> str:
    """Assert `fragment` holds no live markup a user could have planted; return its visible text."""
    page = _Page()
    page.feed(str(fragment))
    page.close()
    assert "img" not in page.tags, fragment[:300]
    live = [
        (tag, name, value)
        for tag, name, value in page.attrs
        if name.startswith("on") or "javascript:" in re.sub(r"\s", "", value).lower()
    ]
    assert live == [], live
    return "".join(page.text)


def strings(value: object) -> Iterator[str]:
    """Every text inside a (plotly) JSON structure."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def figure_text(figure: dict) -> str:
    """Assert no text of a plotly figure holds a tag but the library's own; return the texts as shown."""
    shown = []
    for text in strings({"data": figure.get("data"), "layout": figure.get("layout")}):
        tags = {t.lower() for t in re.findall(r"<\s*/?\s*([a-zA-Z]+)", text)}
        assert tags <= PLOTLY_OWN_TAGS, text
        shown.append(html.unescape(text))  # plotly decodes entities when it draws
    return "\n".join(shown)


# --- the helpers, on any text ----------------------------------------------------------------------

ANY_TEXT = st.one_of(
    st.text(),
    st.sampled_from([hostile("x"), "<script>alert(1)</script>", "**bold** _it_ `code` {x}", "a & b &amp; c"]),
)


@given(ANY_TEXT)
def test_narrative_shows_any_value_as_text(value: str) -> None:
    out = narrative("**{name}** has {n:,} clients: {v}", name=value, n=1234, v=value)
    page = _Page()
    page.feed(str(out))
    page.close()
    assert set(page.tags) <= {"p", "strong"}
    assert page.attrs == []
    assert "".join(page.text) == f"{value} has 1,234 clients: {value}"


@given(ANY_TEXT)
def test_bullets_and_lines_show_any_text_as_text(value: str) -> None:
    assert inert(bullets([value, "second"])) == value + "second"
    several = f"{value}\nnext"
    assert inert(lines(several)) == "\n".join(several.splitlines())


@given(ANY_TEXT)
def test_plotly_labels_show_the_characters_and_no_tag(value: str) -> None:
    shown = plots.label(value)
    assert "<" not in shown
    assert ">" not in shown
    assert html.unescape(shown) == value


def test_counts_in_words_is_markup_of_the_librarys_own_words() -> None:
    words = counts_in_words({"letter": 3, "<b>odd</b>": 1})
    assert isinstance(words, Markup)
    assert inert(words) == "3 letters, 1 <b>odd</b>"


def test_figures_from_hostile_frames_show_the_text_and_no_tag() -> None:
    text = hostile("data")
    segments = pd.DataFrame({"rfm_segment": [text, "Lost"], "clients": [3, 4], "total_revenue": [1.0, 2.0]})
    reasons = pd.DataFrame({"reason": [text], "clients": [2], "share": [1.0]})
    rates = pd.DataFrame(
        {
            "account_owner": [text, "Ann"],
            "contacted": [4, 5],
            "won_back": [1, 2],
            "win_back_rate": [0.25, 0.4],
            "rate_low": [0.05, 0.1],
            "rate_high": [0.7, 0.8],
        }
    )
    points = pd.DataFrame(
        {
            "client_id": ["a", "b"],
            "name": [text, None],
            "days_dormant": pd.array([30, 400], dtype="Int64"),
            "measure": "value_at_stake",
            "value": [150.0, 2500.0],
        }
    )
    figures = [
        plots.segment_chart(segments),
        plots.reasons_chart(reasons),
        plots.win_back_rate_chart(rates, "account_owner"),
        plots.win_back_rate_chart(rates.rename(columns={"account_owner": "campaign"}), "campaign"),
        plots.value_dormancy_chart(points),
    ]
    for fig in figures:
        assert text in figure_text(fig.to_plotly_json())


# --- the notebooks, on a hostile campaign ------------------------------------------------------------


@pytest.fixture(scope="module")
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.instance()


def run_cells(shell, notebook: str, **parameters: object) -> list[dict]:
    """Run a notebook's code cells in `shell` with `parameters`; every output's MIME bundle, in order."""
    from IPython.utils.capture import capture_output

    nb = nbformat.read(NOTEBOOKS / notebook, as_version=4)
    shell.reset(new_session=False)
    outputs: list[dict] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.metadata.get("tags", []):  # the defaults, then ours (as papermill does)
            shell.run_cell(cell.source, store_history=False).raise_error()
            shell.user_ns.update(parameters)
            continue
        with capture_output() as captured:
            result = shell.run_cell(cell.source, store_history=False)
        result.raise_error()
        outputs += [dict(o.data) for o in captured.outputs]
        if result.result is not None:
            outputs.append(shell.display_formatter.format(result.result)[0])
    return outputs


@pytest.fixture(scope="module")
def firm(tmp_path_factory) -> Path:
    """campaign.toml of a copy of the financial planner with markup in every user field."""
    return hostile_firm("financial-planner", tmp_path_factory.mktemp("hostile") / "firm")


def shown(outputs: list[dict]) -> str:
    """Check every output is inert; the text a reader sees, all outputs together."""
    texts = []
    for bundle in outputs:
        assert "text/markdown" not in bundle, "narrative must be HTML: Markdown would render user text"
        if "application/vnd.plotly.v1+json" in bundle:
            texts.append(figure_text(bundle["application/vnd.plotly.v1+json"]))
        if "text/html" in bundle:
            texts.append(inert(bundle["text/html"]))
    return "\n".join(texts)


@pytest.mark.parametrize("notebook", ["client_base_overview.ipynb", "weekly_campaign_report.ipynb"])
def test_report_notebooks_show_hostile_text_as_text(shell, firm, tmp_path, notebook):
    sidecar = tmp_path / "numbers.json"
    outputs = run_cells(shell, notebook, config=str(firm), as_of="", week="", sidecar=str(sidecar))
    text = shown(outputs)
    name = rl.load_config(firm).campaign.name
    assert name == hostile("campaign")
    for field in ("campaign", "name", "company", "owner"):
        assert hostile(field) in text, field
    if notebook.startswith("weekly"):
        # the sidecar is data for machines: the name as typed, neither escaped nor dropped
        assert json.loads(sidecar.read_text())["campaign"] == name


def test_explorer_notebook_shows_hostile_text_as_text(shell, firm):
    run_cells(shell, "explore.ipynb", config=str(firm), as_of="", export_dir="", outcomes=True, rows=25)
    explorer: Explorer = shell.user_ns["explorer"]
    html_widgets, text_widgets = [], []

    def walk(widget):
        if isinstance(widget, widgets.HTML):
            html_widgets.append(widget)
        elif isinstance(widget, widgets.Label | widgets.Checkbox | widgets.Dropdown):
            text_widgets.append(widget)
        for child in getattr(widget, "children", ()):
            walk(child)

    walk(explorer.widget)
    visible = "\n".join(inert(w.value) for w in html_widgets)
    assert hostile("firm") in visible  # [sender] firm names the firm on the call sheet
    for field in ("name", "company", "owner"):
        assert hostile(field) in visible, field
    # Labels, checkboxes and dropdowns draw their text as text (ipywidgets 8), so it stays as typed.
    assert not any(w.description_allow_html for w in text_widgets)
    owner = next(label for label, _ in explorer.owner_dropdown.options if hostile("owner") in label)
    explorer.owner_dropdown.label = owner  # fewer clients: one point each
    assert hostile("owner") in inert(explorer.table.value)
    for figure in (explorer.bucket_figure, explorer.scatter_figure):
        figure_text(figure.to_plotly_json())
    names = explorer.scatter_figure.data[0].customdata
    assert names
    assert all(hostile("name") in html.unescape(n) for n in names)


def test_explorer_writes_call_lists_into_one_safe_folder(shell, firm):
    """The campaign name is free text: the call lists go to one folder inside the reports folder."""
    cfg = rl.load_config(firm)
    campaign = rl.scored_base(cfg)
    reports = cfg.reports.folder
    for name in (cfg.campaign.name, "../../outside", "..", "a/b\\c", 'CON:<>|?*"'):
        renamed = cfg.model_copy(update={"campaign": cfg.campaign.model_copy(update={"name": name})})
        explorer = Explorer(dataclasses.replace(campaign, config=renamed))
        assert explorer.export_dir == reports / safe_folder_name(name) / "call-lists", name
        assert explorer.export_dir.resolve().parent.parent == reports.resolve(), name
    written = explorer.export()
    assert written is not None, explorer.status.value
    assert written.csv.parent == reports / safe_folder_name('CON:<>|?*"') / "call-lists"
    assert inert(written.html.read_text(encoding="utf-8"))


@pytest.mark.parametrize("notebook", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_notebooks_say_only_their_own_words(notebook):
    """say()'s first argument is a literal sentence (values go in as keywords) or a helper that escapes.

    An f-string or a sum would put data into the sentence unescaped, as the
    overview once did with the campaign name.
    """
    nb = nbformat.read(NOTEBOOKS / notebook, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "say":
                (first,) = node.args
                literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
                called = getattr(first.func, "id", None) if isinstance(first, ast.Call) else None
                helper = called in {"bullets", "lines", "keep_up_section", "folded"}  # each escapes values
                assert literal or helper, f"{notebook}: say({ast.unparse(first)})"


def test_a_right_to_left_override_in_a_name_acts_only_on_that_name_in_narrative():
    # Narrative put the campaign's name into a sentence as typed: a U+202E in it showed the rest of
    # the sentence backwards.
    shown = str(narrative("Campaign **{name}** is as of {day}.", name="\u202eAcme", day="23 November"))
    assert shown == "<p>Campaign <strong>\u2068\u202eAcme\u2069</strong> is as of 23 November.</p>"
    assert str(narrative("{n:,} clients", n=3)) == "<p>3 clients</p>"
