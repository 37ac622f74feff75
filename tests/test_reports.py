"""Report notebooks run with papermill; the HTML works offline; a failing run keeps the last good one."""

import json
import re
import shutil
from datetime import date
from html import escape as html_escape
from pathlib import Path

import nbformat
import pytest
from browser_support import hostile

import reconnect_lib as rl
from reconnect_lib.reports import ReportError, iso_week, notebooks_dir, run_report, week_start
from reconnect_lib.weekly import campaign_week

SAMPLE = Path(__file__).parents[1] / "data" / "sample"
pytestmark = pytest.mark.slow


def report(kind: str, config: Path, reports: Path, **kwargs):
    """Run the `kind` report of a campaign for the ISO week of its as_of into `reports`."""
    cfg = rl.load_config(config)
    return cfg, run_report(
        kind,
        config=cfg.source,
        campaign=cfg.campaign.name,
        reports_folder=reports,
        week=iso_week(cfg.campaign.as_of),
        as_of=cfg.campaign.as_of,
        progress=False,
        **kwargs,
    )


def overview(firm: str, reports: Path, **kwargs):
    return report("overview", SAMPLE / firm / "campaign.toml", reports, **kwargs)


def weekly_with(notebooks: Path, reports: Path, *, campaign: str = "acme", **kwargs):
    """The consulting firm's weekly report of 2026-W48, run from the notebooks in `notebooks`."""
    return run_report(
        "weekly",
        config=SAMPLE / "consulting-firm" / "campaign.toml",
        campaign=campaign,
        reports_folder=reports,
        week="2026-W48",
        as_of=date(2026, 11, 23),
        notebooks=notebooks,
        progress=False,
        **kwargs,
    )


def config_of(firm: str):
    return rl.load_config(SAMPLE / firm / "campaign.toml")


@pytest.mark.parametrize("firm", ["consulting-firm", "financial-planner"])
def test_overview_numbers_match_the_library(firm, sample_report):
    cfg, paths = config_of(firm), sample_report("overview", firm)
    assert paths.html.parts[-3:] == (firm, "2026-W48", "client_base_overview.html")
    reported = json.loads(paths.numbers.read_text())
    campaign = rl.scored_base(cfg)
    expected = rl.base_summary(campaign.scored)
    overdue = reported.pop("overdue_for_rhythm")
    assert reported == pytest.approx(expected)
    rhythm = rl.clv.purchase_rhythm(campaign.inputs.transactions, as_of=campaign.as_of)
    assert overdue == len(rl.clv.overdue_clients(rhythm, campaign.scored))
    html = paths.html.read_text(encoding="utf-8")
    # the narrative carries the library's numbers
    assert f"<strong>{expected['clients']:,} clients</strong>" in html
    assert f"<strong>{expected['due']:,}</strong>" in html


def test_overview_html_is_offline_and_hides_code(sample_report):
    html = sample_report("overview", "consulting-firm").html.read_text(encoding="utf-8")
    external = re.findall(r"<script[^>]+src=\"(https?:[^\"]+)\"", html)
    assert external == []
    assert "cdn" not in " ".join(re.findall(r"<(?:script|link)[^>]*>", html)).lower()
    assert html.count('class="plotly-graph-div"') == 6
    assert html.count("Plotly.newPlot") == 6
    assert "scored_base(" not in html  # code cells are hidden


def test_rerun_replaces_the_week_and_a_failure_keeps_the_last_good_report(sample_report, tmp_path):
    # The session's good report, copied: this test changes the folder it reports into.
    shared = sample_report("overview", "consulting-firm")
    shutil.copytree(shared.html.parents[1], tmp_path / "consulting-firm")
    good_html = tmp_path / "consulting-firm" / "2026-W48" / shared.html.name
    good_text = good_html.read_text(encoding="utf-8")
    broken = tmp_path / "notebooks"
    broken.mkdir()
    nb = nbformat.read(notebooks_dir() / "client_base_overview.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('boom in a late cell')"))
    nbformat.write(nb, broken / "client_base_overview.ipynb")
    with pytest.raises(ReportError) as info:
        overview("consulting-firm", tmp_path, notebooks=broken)
    message = str(info.value)
    assert "RuntimeError: boom in a late cell" in message
    assert "previous report is unchanged" in message
    failed = tmp_path / "consulting-firm" / "failed" / "2026-W48-client_base_overview.ipynb"
    assert failed.exists()
    assert good_html.read_text(encoding="utf-8") == good_text
    leftovers = [p.name for p in (tmp_path / "consulting-firm").iterdir()]
    assert sorted(leftovers) == ["2026-W48", "failed"]  # no temporary folder left behind
    shutil.rmtree(broken)


def test_iso_weeks():
    assert iso_week(date(2026, 11, 23)) == "2026-W48"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    assert week_start("2026-W53") == date(2026, 12, 28)
    with pytest.raises(rl.ReconnectError, match="not an ISO week"):
        week_start("2026-48")
    with pytest.raises(rl.ReconnectError, match="not an ISO week"):
        week_start("2025-W53")


@pytest.mark.parametrize("firm", ["consulting-firm", "financial-planner"])
def test_weekly_numbers_match_the_library(firm, sample_report):
    cfg, paths = config_of(firm), sample_report("weekly", firm)
    assert paths.html.parts[-3:] == (firm, "2026-W48", "weekly_campaign_report.html")
    reported = json.loads(paths.numbers.read_text())
    expected = json.loads(json.dumps(campaign_week(cfg).numbers(), default=str))
    assert reported == expected
    html = paths.html.read_text(encoding="utf-8")
    # The narrative carries the library's numbers.
    assert f"<strong>{expected['catch_up_clients']:,} clients</strong>" in html
    assert f"week <strong>{expected['end_week']}</strong>" in html
    assert f"<strong>{expected['capacity_to_finish']:,} first contacts a week</strong>" in html
    if expected["contacted"]:
        assert f"{expected['won_back']:,} of {expected['contacted']:,} contacted clients won back" in html
    else:
        assert "No contacted clients yet" in html
    # This week's contacts, by name.
    names = [str(n) for n in campaign_week(cfg).this_week()["name"] if not {"'", '"'} & set(str(n))]
    assert names
    for name in names:
        assert html_escape(name, quote=False) in html
    assert "cw = campaign_week" not in html  # code cells are hidden
    external = re.findall(r"<script[^>]+src=\"(https?:[^\"]+)\"", html)
    assert external == []


def test_weekly_report_escapes_client_fields(hostile_report):
    """Client names and companies holding markup show as text, never run or render as HTML.

    The session's report of the consulting firm with markup in every user field
    (the browser tests open the same file); this week's contacts are listed by name.
    """
    html = hostile_report("weekly").html.read_text(encoding="utf-8")
    assert "<img src=x" not in html
    assert '<a href="javascript:' not in html
    for field in ("name", "company", "owner"):
        assert html_escape(hostile(field), quote=False) in html, field


def test_every_notebook_is_run_by_a_test():
    """A notebook added to notebooks/ needs a papermill test on both sample firms, like these."""
    covered = {
        "client_base_overview.ipynb": "test_overview_numbers_match_the_library",
        "weekly_campaign_report.ipynb": "test_weekly_numbers_match_the_library",
        "explore.ipynb": "test_explore_notebook_runs_under_papermill (tests/test_widgets.py)",
    }
    assert sorted(p.name for p in notebooks_dir().glob("*.ipynb")) == sorted(covered)
    for name in covered:
        nb = nbformat.read(notebooks_dir() / name, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, f"{name} needs exactly one cell tagged `parameters`"
        assert nb.metadata["kernelspec"]["name"] == "python3"
        assert nb.metadata["language_info"]["name"] == "python"
        executed = [c for c in nb.cells if c.cell_type == "code" and c.get("outputs")]
        assert executed == [], f"{name} is stored with outputs: clear them"


def tiny_weekly_notebook(tmp_path: Path) -> Path:
    """A folder holding a one-cell weekly notebook that writes its week into the sidecar: a quick report."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("config = as_of = week = sidecar = None")
    params.metadata["tags"] = ["parameters"]
    write = "import json, pathlib\npathlib.Path(sidecar).write_text(json.dumps({'week': week}))"
    nb.cells = [params, nbformat.v4.new_code_cell(write)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, notebooks / "weekly_campaign_report.ipynb")
    return notebooks


def test_a_campaign_name_with_braces_reports_into_its_own_folder(tmp_path):
    # papermill fills {name} in its paths from the parameters (str.format): a campaign called
    # "Acme {0}" could not run, one called "{{7+7}}" ran into a folder that did not exist, and one
    # holding "{week}" would have written elsewhere.
    notebooks = tiny_weekly_notebook(tmp_path)
    for name in ("Acme {0} {week}", "{{7+7}} {config}"):
        paths = weekly_with(notebooks, tmp_path / "reports", campaign=name)
        assert paths.html.parent == tmp_path / "reports" / name / "2026-W48"
        assert json.loads(paths.numbers.read_text(encoding="utf-8")) == {"week": "2026-W48"}
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["Acme {0} {week}", "{{7+7}} {config}"]


def test_a_folder_named_like_a_report_file_is_refused_before_anything_moves(tmp_path):
    # A folder called weekly_campaign_report.html in the week made the last move fail after the
    # sidecar and the notebook had been replaced ("Is a directory", naming the week): half a report.
    notebooks = tiny_weekly_notebook(tmp_path)
    week = tmp_path / "reports" / "acme" / "2026-W48"
    week.mkdir(parents=True)
    (week / "weekly_campaign_report.json").write_text("last week's numbers", encoding="utf-8")
    (week / "weekly_campaign_report.html").mkdir()
    with pytest.raises(rl.ReconnectError, match=r"report\.html: a folder of that name") as err:
        weekly_with(notebooks, tmp_path / "reports")
    assert "move or rename the folder" in str(err.value)
    assert (week / "weekly_campaign_report.json").read_text(encoding="utf-8") == "last week's numbers"
    assert sorted(p.name for p in week.iterdir()) == [f"weekly_campaign_report.{x}" for x in ("html", "json")]


def test_a_report_file_changed_since_it_was_written_is_kept_aside_not_replaced(tmp_path):
    # Opening the week's notebook in Jupyter, adding one's own analysis and saving it in place, then
    # rerunning the week (it is scheduled) replaced the notebook: the analysis was lost.
    notebooks = tiny_weekly_notebook(tmp_path)

    def run():
        return weekly_with(notebooks, tmp_path / "reports")

    first = run()
    assert first.kept == ()
    mine = first.notebook.read_text(encoding="utf-8").replace("sidecar", "sidecar  # my analysis", 1)
    first.notebook.write_text(mine, encoding="utf-8")
    second = run()
    (kept,) = second.kept
    assert kept.name == "weekly_campaign_report.kept-1.ipynb"
    assert kept.read_text(encoding="utf-8") == mine
    assert "# my analysis" not in second.notebook.read_text(encoding="utf-8")
    assert run().kept == ()  # files the report wrote are replaced without a copy
    week = sorted(p.name for p in second.notebook.parent.iterdir())
    assert week == [
        ".reconnect-weekly_campaign_report.json",
        "weekly_campaign_report.html",
        "weekly_campaign_report.ipynb",
        "weekly_campaign_report.json",
        "weekly_campaign_report.kept-1.ipynb",
    ]


def test_the_executed_notebook_is_written_once_not_before_and_after_every_cell(tmp_path, monkeypatch):
    # papermill rewrote the output notebook twice a cell; with plotly.js in the first chart's
    # output each write serialized some 5 MB: about two seconds of every weekly report.
    from papermill.iorw import papermill_io

    notebooks = tiny_weekly_notebook(tmp_path)
    nb = nbformat.read(notebooks / "weekly_campaign_report.ipynb", as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(f"print({n})") for n in range(5)]
    nbformat.write(nb, notebooks / "weekly_campaign_report.ipynb")
    written = []
    write = papermill_io.write
    monkeypatch.setattr(
        papermill_io, "write", lambda buf, path, *a, **k: (written.append(path), write(buf, path, *a, **k))[1]
    )
    paths = weekly_with(notebooks, tmp_path / "reports")
    assert len(written) == 1
    executed = nbformat.read(paths.notebook, as_version=4)
    printed = [o["text"] for c in executed.cells for o in c.outputs if o.get("name") == "stdout"]
    assert printed == [f"{n}\n" for n in range(5)]
    assert all(c.metadata.papermill["status"] == "completed" for c in executed.cells)


def test_a_run_stopped_by_a_dead_kernel_keeps_the_cells_that_ran(tmp_path):
    # The notebook is written at the end only; a kernel that dies half-way still leaves the
    # cells that ran (with their outputs) in the failed notebook kept for debugging.
    notebooks = tiny_weekly_notebook(tmp_path)
    nb = nbformat.read(notebooks / "weekly_campaign_report.ipynb", as_version=4)
    nb.cells += [
        nbformat.v4.new_code_cell("print('got this far')"),
        nbformat.v4.new_code_cell("import os\nos._exit(1)"),
    ]
    nbformat.write(nb, notebooks / "weekly_campaign_report.ipynb")
    with pytest.raises(ReportError, match="DeadKernelError") as caught:
        weekly_with(notebooks, tmp_path / "reports")
    failed = tmp_path / "reports" / "acme" / "failed" / "2026-W48-weekly_campaign_report.ipynb"
    assert f"kept at {failed}" in str(caught.value)
    kept = nbformat.read(failed, as_version=4)
    printed = [o["text"] for c in kept.cells for o in c.outputs if o.get("name") == "stdout"]
    assert printed == ["got this far\n"]


def test_the_notebook_tools_load_without_the_iri_grammar(tmp_path):
    # jsonschema (under nbformat, papermill, nbconvert) imported rfc3987_syntax when installed, which
    # builds its IRI parsers on import: a second of every report, for a format no notebook uses.
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("rfc3987_syntax") is None:
        pytest.skip("rfc3987_syntax is not installed: nothing to keep out")
    notebook = tmp_path / "nb.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Hi")]), notebook)
    code = (
        "import sys, pathlib\n"
        "from reconnect_lib.reports import export_html\n"
        f"html = export_html(pathlib.Path({str(notebook)!r}), pathlib.Path({str(tmp_path / 'nb.html')!r}))\n"
        "import nbformat, papermill, jsonschema\n"
        "nbformat.validate(nbformat.read(str(html.with_suffix('.ipynb')), as_version=4))\n"
        "print('rfc3987_syntax' in sys.modules, '>Hi<' in html.read_text())\n"
        "import rfc3987_syntax\n"  # still importable by whoever asks for it
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]


def test_the_html_exporter_is_made_while_the_kernel_runs_and_made_once(tmp_path, monkeypatch):
    # Importing nbconvert and compiling its templates took half a second after the notebook had run;
    # it is done in a thread while the kernel works, once per process.
    import threading

    from reconnect_lib import reports

    made = reports._exporter
    callers = []

    def exporter():
        callers.append(threading.current_thread().name)
        return made()

    monkeypatch.setattr(reports, "_exporter", exporter)
    notebooks = tiny_weekly_notebook(tmp_path)
    for folder in ("one", "two"):
        paths = weekly_with(notebooks, tmp_path / folder)
        assert "</html>" in paths.html.read_text(encoding="utf-8")
    assert [name.startswith("export") for name in callers] == [True, False, True, False]
    assert len(reports._exporters) == 1


def test_the_kernel_is_started_ahead_with_the_notebook_s_modules_imported_and_shut_down(tmp_path):
    # Starting the kernel and importing pandas, plotly and the library in it took 1.5 s after the
    # report process had opened the campaign and loaded papermill; it now runs beside them.
    from reconnect_lib.reports import PRELOAD, start_kernel

    notebooks = tiny_weekly_notebook(tmp_path)
    nb = nbformat.read(notebooks / "weekly_campaign_report.ipynb", as_version=4)
    check = "import sys\nprint(sorted(m for m in {modules!r} if m in sys.modules))".format(
        modules=PRELOAD["weekly"]
    )
    nb.cells.append(nbformat.v4.new_code_cell(check))
    nbformat.write(nb, notebooks / "weekly_campaign_report.ipynb")
    kernel = start_kernel("weekly", notebooks=notebooks)
    assert kernel is not None
    paths = weekly_with(notebooks, tmp_path / "reports", kernel=kernel)
    assert not kernel.manager.has_kernel  # shut down when the run ended
    executed = nbformat.read(paths.notebook, as_version=4)
    printed = [o["text"] for c in executed.cells for o in c.outputs if o.get("name") == "stdout"]
    assert printed == [f"{sorted(PRELOAD['weekly'])}\n"]
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"] == [1, 2, 3, 4]


def test_a_report_that_never_runs_shuts_its_kernel_down(tmp_path, monkeypatch):
    # The command starts the kernel before it opens the campaign: a campaign.toml that cannot be
    # read is still one message, and leaves no kernel running.
    from click.testing import CliRunner

    from reconnect_lib import reports
    from reconnect_lib.cli.base import main

    started = []
    made = reports.start_kernel

    def start(kind, **kwargs):
        started.append(made(kind, **kwargs))
        return started[-1]

    monkeypatch.setattr(reports, "start_kernel", start)
    bad = tmp_path / "campaign.toml"
    bad.write_text(
        '[campaign]\nname = "x"\nas_of = 2026-11-23\n[data]\nclients = "gone.csv"\n', encoding="utf-8"
    )
    for kind in ("weekly", "overview"):
        result = CliRunner().invoke(main, ["report", kind, "--config", str(bad), "--quiet"])
        assert result.exit_code == 2, result.output
        assert "key `data.clients`" in result.output
        assert "file not found" in result.output
    assert len(started) == 2
    assert all(kernel is not None and not kernel.manager.has_kernel for kernel in started)
