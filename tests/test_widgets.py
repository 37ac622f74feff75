"""The explorer: the selection is exactly the rows meeting every filter, and the widgets follow it.

The widgets are built without a kernel (ipywidgets gives them a dummy comm):
setting ``.value`` and calling ``button.click()`` run the observers
synchronously, and the callbacks write widget state, so the tests read what a
consultant would see: the table's HTML, the FigureWidget traces, the status label.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given

import reconnect_lib as rl
from reconnect_lib.dormancy import bucket_labels
from reconnect_lib.errors import ConfigError, InputError
from reconnect_lib.exports import CALL_SHEET_COLUMNS, writer_of
from reconnect_lib.widgets import (
    Explorer,
    binned_counts,
    select_clients,
    selection_table_html,
    write_call_list,
)

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 23)
LABELS = bucket_labels()
SAMPLE = ROOT / "data" / "sample" / "consulting-firm" / "campaign.toml"


def small_base() -> pd.DataFrame:
    """Ten scored clients with every column the explorer and the call list use.

    c08 asked not to be contacted, c09 has no phone, c01 and c02 are active
    (not due), c10 has no known value; the rest are due.
    """
    days = [30, 100, 200, 300, 400, 500, 800, 900, 1200, 1500]
    buckets = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    value = [100.0, 2500.0, 900.0, 4000.0, 50.0, 700.0, 3000.0, 1200.0, 600.0, np.nan]
    frame = pd.DataFrame(
        {
            "client_id": [f"c{i:02d}" for i in range(1, 11)],
            "name": [
                "Ann Lee",
                "Bo Park",
                "<script>alert(1)</script>",
                '=HYPERLINK("http://x","y")',
                "Dee Roy",
                "Eve Moss",
                "Fay Hart",
                "Gus Kent",
                "Hal Vine",
                "Ida West",
            ],
            "phone": ["0100", "0101", "0102", "0103", "0104", "0105", "0106", "0107", None, "0109"],
            "account_owner": ["Ann", "Bo", "Ann", None, "Bo", "Ann", "Ann", "Bo", "Ann", "Bo"],
            "do_not_contact": [False] * 7 + [True, False, False],
            "total_revenue": [1000.0] * 10,
            "days_dormant": pd.array(days, dtype="Int64"),
            "dormant_since": [pd.Timestamp(AS_OF) - pd.Timedelta(days=d) for d in days],
            "dormancy_bucket": [LABELS[b] for b in buckets],
            "bucket_order": buckets,
            "due": [d > 183 for d in days],
            "rfm_segment": [
                "Champions",
                "Loyal",
                "At Risk",
                "At Risk",
                "Lost",
                "Loyal",
                "At Risk",
                "Lost",
                "Lost",
                None,
            ],
            "value_at_stake": value,
            "win_back_chance": [0.6, 0.6, 0.5, 0.5, 0.4, 0.4, 0.3, 0.3, 0.2, 0.2],
        }
    )
    frame["expected_value"] = frame["value_at_stake"] * frame["win_back_chance"]
    frame["value_score"] = frame["expected_value"].fillna(0.0)
    frame["priority_rank"] = frame["value_score"].rank(ascending=False, method="first").astype("int64")
    return frame


def table_rows(html_text: str) -> list[list[str]]:
    """The body cells of the explorer's table, as shown (entities unescaped)."""
    import html

    body = html_text.split("<tbody>", 1)[1]
    return [
        [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def shown_count(explorer: Explorer) -> int:
    match = re.search(r"<b>([\d,]+)</b> of", explorer.summary.value)
    assert match, explorer.summary.value
    return int(match.group(1).replace(",", ""))


@pytest.fixture
def base() -> pd.DataFrame:
    return small_base()


@pytest.fixture
def explorer(base: pd.DataFrame, tmp_path: Path) -> Explorer:
    return Explorer(base, export_dir=tmp_path / "calls", as_of=AS_OF, rows=4)


@pytest.fixture(scope="module")
def campaign() -> rl.Campaign:
    return rl.scored_base(SAMPLE, as_of=AS_OF)


# --- select_clients ----------------------------------------------------------------------------


def test_no_filter_keeps_everyone_in_priority_order(base: pd.DataFrame) -> None:
    before = base.copy()
    out = select_clients(base)
    assert out["priority_rank"].tolist() == list(range(1, 11))
    assert sorted(out.index) == list(base.index)
    pd.testing.assert_frame_equal(base, before)


def test_each_filter_and_their_combination(base: pd.DataFrame) -> None:
    ids = lambda frame: sorted(frame["client_id"])  # noqa: E731
    assert ids(select_clients(base, buckets=[LABELS[0], LABELS[4]])) == ["c01", "c02", "c09", "c10"]
    # both ends included; an unknown value is outside every range
    assert ids(select_clients(base, value_range=(700, 2500))) == ["c02", "c03", "c06", "c08"]
    assert ids(select_clients(base, value_range=(3000, None))) == ["c04", "c07"]
    assert ids(select_clients(base, value_range=(None, None))) == ids(base.dropna(subset=["value_at_stake"]))
    assert ids(select_clients(base, owners=["Bo"])) == ["c02", "c05", "c08", "c10"]
    assert ids(select_clients(base, owners=[None])) == ["c04"]
    assert ids(select_clients(base, segments=["At Risk", None])) == ["c03", "c04", "c07", "c10"]
    both = select_clients(
        base, buckets=LABELS[2:], value_range=(500, 5000), owners=["Ann"], segments=["At Risk"]
    )
    assert ids(both) == ["c07"]
    assert select_clients(base, buckets=[]).empty


def test_polars_input_selects_the_same_rows(base: pd.DataFrame) -> None:
    pl = pytest.importorskip("polars")
    out = select_clients(pl.from_pandas(base), owners=["Ann"], value_range=(500, None))
    assert (
        out["client_id"].tolist()
        == select_clients(base, owners=["Ann"], value_range=(500, None))["client_id"].tolist()
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"buckets": "1–2 years"}, "single text"),
        ({"owners": "Ann"}, "single text"),
        ({"value_range": (10, 5)}, "low > high"),
        ({"value_range": (1, 2, 3)}, "not a pair"),
        ({"value_range": ("a", 5)}, "not valid"),
        ({"value_range": (math.nan, 5)}, "NaN"),
        ({"segments": 5}, "not a list"),
    ],
)
def test_malformed_filters_are_refused(base: pd.DataFrame, kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        select_clients(base, **kwargs)


def test_filter_on_a_missing_column_names_it(base: pd.DataFrame) -> None:
    with pytest.raises(InputError, match="account_owner"):
        select_clients(base.drop(columns="account_owner"), owners=["Ann"])
    # without an owner filter the column is not needed
    assert len(select_clients(base.drop(columns="account_owner"))) == 10
    with pytest.raises(InputError, match="priority_rank"):
        select_clients(base.drop(columns="priority_rank"))


OWNERS = ["Ann", "Bo", "Cy", None]
ROUND_VALUES = [0.0, 50.0, 700.0, 2500.0]
SEGMENTS = ["Loyal", "Lost", None]


@st.composite
def bases(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 30))
    value = st.one_of(st.sampled_from(ROUND_VALUES), st.floats(0, 10_000, allow_nan=False), st.just(math.nan))

    def column(strategy: st.SearchStrategy) -> list:
        return draw(st.lists(strategy, min_size=n, max_size=n))

    frame = pd.DataFrame(
        {
            "client_id": [f"c{i}" for i in range(n)],
            "dormancy_bucket": column(st.sampled_from(LABELS)),
            "value_at_stake": pd.array(column(value), dtype="float64"),
            "account_owner": pd.array(column(st.sampled_from(OWNERS)), dtype="string"),
            "rfm_segment": column(st.sampled_from(SEGMENTS)),
            "priority_rank": draw(st.permutations(list(range(1, n + 1)))),
        }
    )
    # a shuffled index: the selection keeps the original labels
    frame.index = pd.Index(draw(st.permutations(list(range(100, 100 + n)))))
    return frame


def _subset(values: list) -> st.SearchStrategy:
    return st.none() | st.lists(st.sampled_from(values), unique=True)


@given(
    frame=bases(),
    buckets=_subset([*LABELS, "no such bucket"]),
    owners=_subset(OWNERS),
    segments=_subset(SEGMENTS),
    data=st.data(),
)
def test_selection_is_exactly_the_rows_meeting_every_filter(frame, buckets, owners, segments, data) -> None:
    # Ends are often a client's own value, so that "both ends included" is exercised.
    known = sorted(set(frame["value_at_stake"].dropna()))
    end = st.none() | st.floats(0, 10_000, allow_nan=False)
    if known:
        end |= st.sampled_from(known)
    ends = data.draw(st.none() | st.tuples(end, end), label="value_range")
    value_range = None
    if ends is not None:
        low, high = ends
        value_range = (low, high) if low is None or high is None else (min(low, high), max(low, high))
    before = frame.copy()

    out = select_clients(frame, buckets=buckets, value_range=value_range, owners=owners, segments=segments)

    def keeps(row: dict) -> bool:
        if buckets is not None and row["dormancy_bucket"] not in buckets:
            return False
        if value_range is not None:
            low = -math.inf if value_range[0] is None else value_range[0]
            high = math.inf if value_range[1] is None else value_range[1]
            if math.isnan(row["value_at_stake"]) or not low <= row["value_at_stake"] <= high:
                return False
        for column, wanted in (("account_owner", owners), ("rfm_segment", segments)):
            value = None if pd.isna(row[column]) else row[column]
            if wanted is not None and value not in wanted:
                return False
        return True

    expected = [i for i, row in zip(frame.index, frame.to_dict("records"), strict=True) if keeps(row)]
    assert sorted(out.index) == sorted(expected)
    assert out["priority_rank"].is_monotonic_increasing
    pd.testing.assert_frame_equal(out.sort_index(), frame.loc[sorted(expected)])
    pd.testing.assert_frame_equal(frame, before)


# --- the explorer's widgets --------------------------------------------------------------------


def test_explorer_starts_with_everyone(explorer: Explorer, base: pd.DataFrame) -> None:
    assert list(explorer.bucket_boxes) == LABELS
    assert all(box.value for box in explorer.bucket_boxes.values())
    assert shown_count(explorer) == 10
    total = base["value_at_stake"].sum()
    assert f"value at stake <b>{total:,.0f}</b> a year" in explorer.summary.value
    assert "showing the first 4 by priority rank" in explorer.summary.value
    rows = table_rows(explorer.table.value)
    assert [r[0] for r in rows] == ["1", "2", "3", "4"]
    assert list(explorer.bucket_figure.data[0].x) == LABELS
    assert list(explorer.bucket_figure.data[0].y) == [2, 2, 2, 2, 2]
    assert sum(explorer.bucket_figure.data[1].y) == pytest.approx(total)
    # c10 has no value: not a point on the value chart, and the title says so
    assert len(explorer.scatter_figure.data[0].x) == 9
    assert "1 without a date or value not shown" in explorer.scatter_figure.layout.title.text


def test_unticking_a_bucket_updates_table_and_charts(explorer: Explorer, base: pd.DataFrame) -> None:
    explorer.bucket_boxes[LABELS[3]].value = False  # c07 (rank 3), c08
    assert shown_count(explorer) == 8
    assert sorted(explorer.selection["client_id"]) == ["c01", "c02", "c03", "c04", "c05", "c06", "c09", "c10"]
    names = [r[1] for r in table_rows(explorer.table.value)]
    assert "Fay Hart" not in names
    assert "Gus Kent" not in names
    assert [r[3] for r in table_rows(explorer.table.value)].count(LABELS[3]) == 0
    assert list(explorer.bucket_figure.data[0].y) == [2, 2, 2, 0, 2]
    assert explorer.bucket_figure.data[1].y[3] == 0
    assert list(explorer.bucket_figure.data[0].text) == ["2", "2", "2", "0", "2"]
    scatter = explorer.scatter_figure.data[0]
    assert sorted(scatter.x) == sorted(
        base.loc[
            base["client_id"].isin(["c01", "c02", "c03", "c04", "c05", "c06", "c09"]), "days_dormant"
        ].astype(float)
    )
    assert "800" not in {str(int(x)) for x in scatter.x}


def test_owner_segment_and_value_filters(explorer: Explorer) -> None:
    explorer.owner_dropdown.label = "Ann"
    assert sorted(explorer.selection["client_id"]) == ["c01", "c03", "c06", "c07", "c09"]
    assert {r[-1] for r in table_rows(explorer.table.value)} == {"Ann"}
    explorer.segment_dropdown.label = "At Risk"
    assert sorted(explorer.selection["client_id"]) == ["c03", "c07"]
    explorer.value_slider.value = (1000, explorer.value_slider.max)
    assert explorer.selection["client_id"].tolist() == ["c07"]
    assert explorer.filters()["value_range"] == (1000, explorer.value_slider.max)
    assert list(explorer.bucket_figure.data[0].y) == [0, 0, 0, 1, 0]
    assert list(explorer.scatter_figure.data[0].x) == [800.0]


def test_owner_dropdown_offers_clients_without_owner(explorer: Explorer) -> None:
    labels = [label for label, _ in explorer.owner_dropdown.options]
    assert labels == ["All owners", "Ann", "Bo", "(no owner recorded)"]
    assert explorer.owner_dropdown.label == "All owners"  # a value of None would show an empty dropdown
    assert explorer.owner_dropdown.value is not None
    explorer.owner_dropdown.label = "(no owner recorded)"
    assert explorer.selection["client_id"].tolist() == ["c04"]


def test_full_value_range_keeps_clients_without_a_value(explorer: Explorer) -> None:
    slider = explorer.value_slider
    assert (slider.min, slider.max) == (50, 4000)
    assert explorer.filters()["value_range"] is None
    assert "c10" in set(explorer.selection["client_id"])
    slider.value = (slider.min + slider.step, slider.max)
    assert "c10" not in set(explorer.selection["client_id"])  # outside every range
    assert "c05" not in set(explorer.selection["client_id"])  # 50 a year


def test_reset_restores_every_filter(explorer: Explorer) -> None:
    explorer.bucket_boxes[LABELS[0]].value = False
    explorer.owner_dropdown.label = "Bo"
    explorer.value_slider.value = (500, 1000)
    assert shown_count(explorer) < 10
    explorer.reset_button.click()
    assert shown_count(explorer) == 10
    assert explorer.filters() == {"buckets": LABELS, "value_range": None, "owners": None, "segments": None}


def test_table_and_hover_text_are_escaped(explorer: Explorer) -> None:
    explorer.owner_dropdown.label = "Ann"
    explorer.bucket_boxes[LABELS[0]].value = False
    html_text = explorer.table.value
    assert "<script>" not in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in explorer.scatter_figure.data[0].customdata
    # the bucket label "active (< 6 months)" is escaped too
    assert "(&lt; 6 months)" in selection_table_html(small_base())


def test_empty_selection(explorer: Explorer, tmp_path: Path) -> None:
    for box in explorer.bucket_boxes.values():
        box.value = False
    assert shown_count(explorer) == 0
    assert "No client meets these filters" in explorer.table.value
    assert explorer.export_button.disabled
    assert list(explorer.bucket_figure.data[0].y) == [0] * 5
    assert len(explorer.scatter_figure.data[0].x) == 0
    explorer.export_button.click()
    assert explorer.status.value.startswith("Nothing selected")
    assert not (tmp_path / "calls").exists()


def test_large_selection_is_charted_as_counts_per_cell(base: pd.DataFrame, tmp_path: Path) -> None:
    explorer = Explorer(base, export_dir=tmp_path, as_of=AS_OF, scatter_limit=5)
    scatter, heat = explorer.scatter_figure.data
    assert heat.visible is True
    assert scatter.visible is False
    assert len(scatter.x) == 0
    assert sum(c or 0 for row in heat.z for c in row) == 9  # every client with a date and a value
    assert "(clients per cell)" in explorer.scatter_figure.layout.title.text
    explorer.bucket_boxes[LABELS[0]].value = False
    assert sum(c or 0 for row in heat.z for c in row) == 7
    explorer.bucket_boxes[LABELS[1]].value = False  # 5 points left, not above the limit: points again
    assert scatter.visible is True
    assert heat.visible is False
    assert len(scatter.x) == 5
    assert len(heat.z) == 0


def test_binned_counts_count_every_point() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 2000, 500), rng.lognormal(7, 1, 500)
    xs, ys, z = binned_counts(x, y, bins=(10, 8))
    assert len(xs) == 10
    assert len(ys) == 8
    assert len(z) == 8
    assert len(z[0]) == 10
    assert sum(c or 0 for row in z for c in row) == 500
    assert binned_counts(np.array([]), np.array([])) == ([], [], [])
    xs, ys, z = binned_counts(x, y, bins=(10, 8), log_y=True)
    assert sum(c or 0 for row in z for c in row) == 500
    assert np.allclose(np.diff(np.log10(ys)), np.log10(ys[1] / ys[0]))  # evenly spaced on a log axis
    assert y.min() < ys[0] < ys[-1] < y.max()


def test_value_axis_is_log_unless_a_client_is_worth_nothing(base: pd.DataFrame, tmp_path: Path) -> None:
    assert Explorer(base, export_dir=tmp_path, as_of=AS_OF).scatter_figure.layout.yaxis.type == "log"
    base.loc[0, "value_at_stake"] = 0.0
    explorer = Explorer(base, export_dir=tmp_path, as_of=AS_OF)
    assert explorer.scatter_figure.layout.yaxis.type == "linear"
    assert 0.0 in explorer.scatter_figure.data[0].y


# --- optional columns ----------------------------------------------------------------------------


def test_base_without_owner_column_hides_the_owner_filter(base: pd.DataFrame, tmp_path: Path) -> None:
    explorer = Explorer(base.drop(columns="account_owner"), export_dir=tmp_path, as_of=AS_OF)
    assert explorer.owner_dropdown.disabled
    assert explorer.owner_dropdown.layout.display == "none"
    assert not explorer.segment_dropdown.disabled
    assert explorer.filters()["owners"] is None
    assert "no `account_owner` column: the owner filter is off" in explorer.widget.children[0].value
    assert "<th" in explorer.table.value
    assert ">Owner<" not in explorer.table.value
    explorer.segment_dropdown.label = "Lost"
    assert sorted(explorer.selection["client_id"]) == ["c05", "c08", "c09"]


def test_empty_owner_and_missing_segment_columns(base: pd.DataFrame, tmp_path: Path) -> None:
    frame = base.drop(columns="rfm_segment").assign(account_owner=pd.Series([None] * 10, dtype="string"))
    explorer = Explorer(frame, export_dir=tmp_path, as_of=AS_OF)
    assert explorer.owner_dropdown.disabled
    assert explorer.segment_dropdown.disabled
    header = explorer.widget.children[0].value
    assert "an empty `account_owner` column" in header
    assert "no `rfm_segment` column" in header
    explorer.bucket_boxes[LABELS[4]].value = False
    assert shown_count(explorer) == 8


def test_base_without_days_dormant_charts_no_points(base: pd.DataFrame, tmp_path: Path) -> None:
    explorer = Explorer(base.drop(columns="days_dormant"), export_dir=tmp_path, as_of=AS_OF)
    assert len(explorer.scatter_figure.data[0].x) == 0
    assert "10 without a date or value not shown" in explorer.scatter_figure.layout.title.text
    explorer.bucket_boxes[LABELS[0]].value = False
    assert shown_count(explorer) == 8


def test_explorer_needs_the_core_columns_and_dates(base: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="value_at_stake"):
        Explorer(base.drop(columns="value_at_stake"), export_dir=tmp_path, as_of=AS_OF)
    with pytest.raises(ConfigError, match="as-of date"):
        Explorer(base, export_dir=tmp_path)
    with pytest.raises(ConfigError, match="folder"):
        Explorer(base, as_of=AS_OF)
    with pytest.raises(ConfigError, match="are not those of these edges"):
        Explorer(base, export_dir=tmp_path, as_of=AS_OF, edges_months=(3, 9))


# --- the call list --------------------------------------------------------------------------------


def test_export_writes_the_selection_as_a_call_list(explorer: Explorer, tmp_path: Path) -> None:
    explorer.bucket_boxes[LABELS[0]].value = False  # c01, c02 are not due anyway
    explorer.export_button.click()
    written = explorer.last_export
    assert written is not None
    assert written.csv.parent == tmp_path / "calls"
    assert written.csv.exists()
    assert written.html.exists()
    assert str(written.csv) in explorer.status.value
    # c08 asked not to be contacted, c09 has no phone: left out and counted
    assert "2 left out: 1 asked not to be contacted, 1 no phone number" in explorer.status.value
    sheet = pd.read_csv(written.csv, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert tuple(sheet.columns) == CALL_SHEET_COLUMNS
    by_rank = explorer.selection.loc[~explorer.selection["client_id"].isin(["c08", "c09"]), "client_id"]
    assert sheet["ClientID"].tolist() == by_rank.tolist()
    assert sheet["Order"].tolist() == [str(i) for i in range(1, 7)]
    assert set(sheet["Action"]) == {"Call"}
    assert written.calls == 6
    assert written.week == "2026-W48"
    # a name that would run as a spreadsheet formula is neutralised; the HTML page escapes markup
    assert '\'=HYPERLINK("http://x","y")' in sheet["Name"].tolist()
    page = written.html.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page

    first = written.csv.read_bytes()
    explorer.export_button.click()  # same selection: same file, same bytes
    assert explorer.last_export.csv == written.csv
    assert written.csv.read_bytes() == first
    explorer.owner_dropdown.label = "Bo"
    explorer.export_button.click()  # another selection: another file
    assert explorer.last_export.csv != written.csv
    assert sorted(p.name for p in (tmp_path / "calls").iterdir() if p.suffix == ".csv") == sorted(
        [written.csv.name, explorer.last_export.csv.name]
    )


def test_export_of_clients_not_yet_due(explorer: Explorer) -> None:
    for label in LABELS[1:]:
        explorer.bucket_boxes[label].value = False
    explorer.export_button.click()
    # c01 (30 days) and c02 (100 days) become due months from now: not this week's calls
    assert explorer.last_export.calls == 0
    assert "2 left out: 2 not due for contact this week" in explorer.status.value


def test_export_error_is_shown_in_the_status(base: pd.DataFrame, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    explorer = Explorer(base, export_dir=blocker / "calls", as_of=AS_OF)
    assert explorer.export() is None
    assert explorer.status.value.startswith("No call list written:")
    assert explorer.last_export is None


def test_write_call_list_refuses_an_empty_selection(base: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no clients selected"):
        write_call_list(base.iloc[:0], tmp_path, as_of=AS_OF)


# --- on a sample firm --------------------------------------------------------------------------------


def test_explorer_on_the_sample_consulting_firm(campaign: rl.Campaign, tmp_path: Path) -> None:
    explorer = Explorer(campaign, export_dir=tmp_path)
    buckets = campaign.buckets
    assert list(explorer.bucket_figure.data[0].y) == buckets["clients"].tolist()
    assert shown_count(explorer) == len(campaign.scored) == 532
    keep = LABELS[1:3]
    for label in LABELS:
        explorer.bucket_boxes[label].value = label in keep
    expected = buckets.set_index("dormancy_bucket").loc[keep, "clients"].sum()
    assert shown_count(explorer) == expected
    first = table_rows(explorer.table.value)[0]
    top = campaign.scored[campaign.scored["dormancy_bucket"].isin(keep)].nsmallest(1, "priority_rank")
    assert first[0] == str(top["priority_rank"].iloc[0])
    assert first[1] == top["name"].iloc[0]
    assert explorer.state()["clients_per_bucket"] == {
        label: int(buckets.set_index("dormancy_bucket").loc[label, "clients"]) if label in keep else 0
        for label in LABELS
    }
    json.dumps(explorer.state())  # plain values for a sidecar


def test_campaign_supplies_as_of_and_export_folder(campaign: rl.Campaign, tmp_path: Path) -> None:
    explorer = Explorer(campaign)
    assert explorer.as_of == AS_OF
    # printed on the call sheet as `reconnect plan` signs the letters: [sender] firm, else from the name
    assert explorer.firm == writer_of(campaign.config)[0]
    assert explorer.export_dir == campaign.config.reports.folder / "consulting-firm" / "call-lists"
    with pytest.raises(ConfigError, match="come from the Campaign"):
        Explorer(campaign, export_dir=tmp_path, as_of=AS_OF)


def test_the_call_sheet_names_the_firm_of_sender_firm(tmp_path: Path) -> None:
    """The explorer's call sheet names the firm as the letters do: `[sender] firm` when it is set."""
    import shutil

    firm = tmp_path / "firm"
    shutil.copytree(SAMPLE.parent, firm, ignore=shutil.ignore_patterns("*.sqlite", "*.sqlite-*"))
    toml = firm / "campaign.toml"
    # The sample's own [sender] table, if it has one, gives way to one naming another firm.
    text = re.sub(r"(?ms)^\[sender\]\n.*?(?=^\[|\Z)", "", toml.read_text(encoding="utf-8"))
    toml.write_text(text + '\n[sender]\nfirm = "Hale & Mensah"\n', encoding="utf-8")
    explorer = Explorer(rl.scored_base(toml), export_dir=tmp_path / "calls")
    assert explorer.firm == "Hale & Mensah"
    assert "Hale &amp; Mensah" in explorer.widget.children[0].value
    written = explorer.export()
    assert written is not None
    assert "Hale &amp; Mensah" in written.html.read_text(encoding="utf-8")


def test_the_export_button_keeps_its_label_and_the_status_wraps(explorer: Explorer) -> None:
    explorer.export_button.click()
    assert explorer.export_button.description == "Export call list"
    assert explorer.export_button.layout.flex == "0 0 auto"  # never shrunk by a long status
    assert "rl-explorer-status" in explorer.status._dom_classes
    assert ".rl-explorer-status" in explorer.widget.children[0].value  # its style: white-space normal


@pytest.mark.slow
@pytest.mark.parametrize(("firm", "clients"), [("consulting-firm", 532), ("financial-planner", 3025)])
def test_explore_notebook_runs_under_papermill(tmp_path: Path, firm: str, clients: int) -> None:
    import nbformat
    import papermill as pm

    sidecar = tmp_path / "explorer.json"
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(
        ROOT / "notebooks" / "explore.ipynb",
        out,
        parameters={
            "config": str(ROOT / "data" / "sample" / firm / "campaign.toml"),
            "as_of": "2026-11-23",
            "export_dir": str(tmp_path / "calls"),
            "sidecar": str(sidecar),
        },
        kernel_name="python3",
        progress_bar=False,
        cwd=str(ROOT / "notebooks"),
        execution_timeout=300,
    )
    state = json.loads(sidecar.read_text())
    assert state["clients"] == state["selected"] == clients
    assert state["owner_filter"]
    assert state["segment_filter"]
    assert state["export_dir"] == str(tmp_path / "calls")
    assert sum(state["clients_per_bucket"].values()) == clients
    nb = nbformat.read(out, as_version=4)
    shown = nb.cells[-1].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in shown)


def test_a_call_list_filled_in_by_a_caller_is_kept_when_exported_again(base: pd.DataFrame, tmp_path: Path):
    # The call list has an Outcome column for the caller: exporting the same selection again the same
    # day replaced the file, and whatever the caller had typed into it was lost.
    written = write_call_list(base, tmp_path, as_of=AS_OF)
    filled = written.csv.read_bytes() + b"called: wants a meeting\n"
    written.csv.write_bytes(filled)
    again = write_call_list(base, tmp_path, as_of=AS_OF)
    assert written.csv.read_bytes() == filled
    assert again.csv.name == written.csv.stem + "-2.csv"
    assert again.html.name == written.csv.stem + "-2.html"
    assert again.csv.read_bytes() == filled[: -len(b"called: wants a meeting\n")]
    # an unchanged list is rewritten in place, and a user's link of that name is never followed
    assert write_call_list(base, tmp_path, as_of=AS_OF).csv == again.csv
    mine = tmp_path / "mine.csv"
    mine.write_text("my file", encoding="utf-8")
    again.csv.unlink()
    again.csv.symlink_to(mine)
    third = write_call_list(base, tmp_path, as_of=AS_OF)
    assert third.csv.name == written.csv.stem + "-3.csv"
    assert mine.read_text(encoding="utf-8") == "my file"
    assert again.csv.is_symlink()


def test_the_explorer_shows_money_in_the_campaign_s_currency(tmp_path: Path) -> None:
    import shutil

    firm = tmp_path / "firm"
    shutil.copytree(SAMPLE.parent, firm, ignore=shutil.ignore_patterns("*.sqlite", "*.sqlite-*"))
    toml = firm / "campaign.toml"
    text = re.sub(r'(?m)^currency = ".*"\n', "", toml.read_text(encoding="utf-8"))
    toml.write_text(text.replace("[campaign]\n", '[campaign]\ncurrency = "GBP"\n', 1), encoding="utf-8")
    explorer = Explorer(rl.scored_base(toml), export_dir=tmp_path / "calls")
    assert re.search(r"value at stake <b>£[\d,]+</b> a year", explorer.summary.value)
    first = table_rows(explorer.table.value)[0]
    assert any(cell.startswith("£") for cell in first)
    assert all(t.startswith("£") for t in explorer.bucket_figure.data[1].text)
    assert "(£)" in explorer.scatter_figure.layout.yaxis.title.text
