"""Run a parameterized notebook with papermill and export it as offline HTML.

A report lands in ``<reports folder>/<campaign>/<ISO week>/`` as the executed
``.ipynb`` beside an ``.html`` with the code hidden and a ``.json`` of the
headline numbers the notebook computed (for machines and tests). The HTML carries
everything it needs (plotly.js inline, no CDN scripts), so it opens with no
network.

A run executes into a temporary folder and only then replaces the files of
that week, so a failing run leaves the last good report in place; the failed
notebook is kept under ``<campaign>/failed/`` for debugging and the error names
the failing cell.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from ._imports import hidden_modules
from .errors import ReconnectError, ReportError
from .files import (
    WRITE_ERRNOS,
    WriteError,
    atomic_write_text,
    clean_stale_temps,
    make_folder,
    os_errors,
    safe_folder_name,
    temp_dir,
    write_error,
)
from .weeks import iso_week as iso_week  # re-exported: reports.iso_week
from .weeks import week_monday

ReportKind = Literal["overview", "weekly"]
NOTEBOOKS: dict[str, str] = {
    "overview": "client_base_overview.ipynb",
    "weekly": "weekly_campaign_report.ipynb",
}
TEMPLATE_DIR = Path(__file__).parent / "templates"
#: The Monday of an ISO week (``weeks.week_monday``), under the name the report code used.
week_start = week_monday


@dataclass(frozen=True)
class ReportPaths:
    """Where a generated report was written."""

    notebook: Path
    html: Path
    numbers: Path
    #: The week's report files someone had changed since they were written, kept under a new name.
    kept: tuple[Path, ...] = ()


def notebooks_dir() -> Path:
    """The folder holding the report notebooks (``notebooks/`` of the checkout).

    Examples
    --------
    >>> sorted(path.name for path in notebooks_dir().glob("*.ipynb"))
    ['client_base_overview.ipynb', 'explore.ipynb', 'weekly_campaign_report.ipynb']
    >>> sorted(NOTEBOOKS) == ["overview", "weekly"] and set(NOTEBOOKS.values()) <= {
    ...     path.name for path in notebooks_dir().iterdir()}
    True
    """
    candidate = Path(__file__).resolve().parents[1] / "notebooks"
    if not candidate.is_dir():
        raise ReportError(
            "the report notebooks were not found",
            file=str(candidate),
            hint="run reports from a checkout of reconnect_lib (pip install -e .) or pass notebooks_dir=",
        )
    return candidate


#: Optional modules the notebook tools' imports are kept from loading. jsonschema (which nbformat,
#: papermill and nbconvert import) checks the ``iri`` formats with ``rfc3987_syntax`` when it is
#: installed, and that module builds some thirty Earley parsers when imported: a second of every
#: report. No notebook schema has an ``iri`` format, so jsonschema is imported without it.
_SLOW_FORMAT_CHECKERS: tuple[str, ...] = ("rfc3987_syntax",)


def _import_jsonschema() -> None:
    """Import jsonschema, for nbformat, without the checkers of :data:`_SLOW_FORMAT_CHECKERS`.

    A None entry in ``sys.modules`` makes ``import`` raise ImportError, which
    jsonschema catches (it then has no ``iri`` format checker); the entries are
    removed afterwards, so a later explicit import of those modules still works.
    """
    if "jsonschema" in sys.modules:
        return
    with hidden_modules(_SLOW_FORMAT_CHECKERS):
        import jsonschema  # noqa: F401


_exporter_lock = threading.Lock()
_exporters: list[Any] = []  # the one exporter of this process, once made


def _exporter() -> Any:
    """The reports' HTML exporter, made once per process, its templates compiled.

    nbconvert's JupyterLab template minus everything it would fetch from a CDN
    (require.js, MathJax, mermaid, the widget renderer). Importing nbconvert and
    compiling the templates (on a first small export) is half a second;
    :func:`run_report` has it done in a thread while the kernel runs.
    """
    with _exporter_lock:
        if not _exporters:
            _import_jsonschema()
            import nbformat
            from nbconvert import HTMLExporter

            exporter = HTMLExporter(
                extra_template_basedirs=[str(TEMPLATE_DIR)],
                template_name="offline_report",
                exclude_input=True,
                exclude_input_prompt=True,
                exclude_output_prompt=True,
            )
            v4 = nbformat.v4
            html = v4.new_output("display_data", data={"text/html": "<p>warm-up</p>"})
            exporter.from_notebook_node(v4.new_notebook(cells=[v4.new_code_cell("", outputs=[html])]))
            _exporters.append(exporter)
        return _exporters[0]


# A comment, a string, or a character that opens or closes a block or ends a statement.
_CSS_TOKEN = re.compile(r"""/\*.*?\*/|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[{};]""", re.DOTALL)
_CSS_COMMENT_OR_STRING = re.compile(r"""/\*.*?\*/|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'""", re.DOTALL)
_CSS_GROUP = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")  # an innermost (...) or [...]
_CSS_CLASS = re.compile(r"\.(-?[_a-zA-Z][_a-zA-Z0-9-]*)")
_GROUPED_AT_RULES = re.compile(r"@(?:media|supports|container|layer)\b")
_CSS_DECLARATION_END = re.compile(r"""/\*.*?\*/|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[();]""", re.DOTALL)
_CUSTOM_PROPERTY = re.compile(r"\s*(--[_a-zA-Z0-9-]+)\s*:")
_VAR = re.compile(r"var\(\s*(--[_a-zA-Z0-9-]+)")
_HTML_CLASS = re.compile(r'class="([^"]*)"')
_STYLE = re.compile(r'(<style type="text/css">)(.*?)(</style>)', re.DOTALL)


def _css_rules(css: str) -> list[tuple[str, str | None]]:
    """The top-level statements of a stylesheet: (prelude, block) pairs, None for a statement without one.

    Comments between statements are left out; a block is kept as written.
    """
    rules: list[tuple[str, str | None]] = []
    depth, start, opened = 0, 0, 0
    prelude = ""
    for token in _CSS_TOKEN.finditer(css):
        text = token.group()
        if text == "{":
            if depth == 0:
                prelude, opened = css[start : token.start()], token.end()
            depth += 1
        elif text == "}" and depth:
            depth -= 1
            if depth == 0:
                rules.append((prelude, css[opened : token.start()]))
                start = token.end()
        elif text == ";" and depth == 0:
            rules.append((css[start : token.start()], None))
            start = token.end()
    if depth == 0 and _CSS_COMMENT_OR_STRING.sub("", css[start:]).strip():
        rules.append((css[start:], None))  # a last statement without its semicolon
    return [(_CSS_COMMENT_OR_STRING.sub(_keep_strings, p).strip(), b) for p, b in rules]


def _keep_strings(match: re.Match[str]) -> str:
    return "" if match.group().startswith("/*") else match.group()


def _may_match(selectors: str, classes: set[str]) -> bool:
    """Whether a selector list may match an element of a page whose elements have `classes`.

    A selector needs each class it names outside parentheses and brackets; what is
    inside them (``:not(.x)``, ``[href$=".pdf"]``) requires nothing here, and a
    selector with an escape is kept as it is.
    """
    bare = _CSS_COMMENT_OR_STRING.sub('""', selectors)
    while (shorter := _CSS_GROUP.sub("", bare)) != bare:
        bare = shorter
    return any("\\" in one or set(_CSS_CLASS.findall(one)) <= classes for one in bare.split(","))


def _declarations(block: str) -> list[str]:
    """A rule's declarations, each with its ``;`` (not split inside ``url(...)`` or a string)."""
    parts, depth, start = [], 0, 0
    for token in _CSS_DECLARATION_END.finditer(block):
        text = token.group()
        if text == "(":
            depth += 1
        elif text == ")":
            depth = max(depth - 1, 0)
        elif text == ";" and depth == 0:
            parts.append(block[start : token.end()])
            start = token.end()
    return [*parts, block[start:]]


def _property_used(declaration: str, used: set[str]) -> bool:
    """Whether a declaration is not a custom property, or one in `used` (comments before it aside)."""
    name = _CUSTOM_PROPERTY.match(_CSS_COMMENT_OR_STRING.sub(_keep_strings, declaration))
    return name is None or name.group(1) in used


def _without_unused_properties(css: str, used: set[str]) -> str:
    """`css` without the custom properties (``--name: ...;``) that no ``var(--name)`` in `used` reads."""
    kept = []
    for prelude, block in _css_rules(css):
        if block is None:
            kept.append(f"{prelude};")
        elif _GROUPED_AT_RULES.match(prelude):
            kept.append(f"{prelude} {{\n{_without_unused_properties(block, used)}\n}}")
        elif prelude.startswith("@"):
            kept.append(f"{prelude} {{{block}}}")
        else:
            declarations = [d for d in _declarations(block) if _property_used(d, used)]
            if any(d.strip() for d in declarations) or not block.strip():
                kept.append(f"{prelude} {{{''.join(declarations)}}}")
    return "\n".join(kept)


def prune_css(css: str, classes: set[str]) -> str:
    """`css` without the rules that cannot match an element of a page whose elements have `classes`.

    Rules inside ``@media`` (and ``@supports``, ``@container``, ``@layer``)
    blocks are pruned the same way, and such a block left empty goes; every
    other at-rule (``@keyframes``, ``@font-face``, ``@import``) is kept, and
    so is a rule whose selectors need no class. Nothing is rewritten: what is
    kept is as written. A report page holds no script that adds classes (its
    charts' plotly.js styles its own elements), so what the page's markup
    holds is what the styles can meet.

    Examples
    --------
    >>> css = ".a { color: red } /* x */ .b, .c > p { margin: 0 } @media print { .b { x: y } }"
    >>> prune_css(css, {"a"})
    '.a { color: red }'
    >>> prune_css(css, {"c"})
    '.b, .c > p { margin: 0 }'
    >>> prune_css(":root { --x: 1 } p:not(.b) { x: '}' }", set())
    ":root { --x: 1 }\\np:not(.b) { x: '}' }"
    """
    kept = []
    for prelude, block in _css_rules(css):
        if block is None:
            kept.append(f"{prelude};")
        elif _GROUPED_AT_RULES.match(prelude):
            inner = prune_css(block, classes)
            if inner:
                kept.append(f"{prelude} {{\n{inner}\n}}")
        elif prelude.startswith("@") or _may_match(prelude, classes):
            kept.append(f"{prelude} {{{block}}}")
    return "\n".join(kept)


def _pruned_styles(html: str) -> str:
    """A page whose ``<head>`` styles keep only the rules that may match its elements (:func:`prune_css`).

    nbconvert's JupyterLab stylesheet (240 KB) styles all of JupyterLab: the
    file browser, the menus, the editors. A report uses a few dozen of its rules.
    """
    head_end = html.find("</head>")
    if head_end < 0:
        return html
    classes = {name for found in _HTML_CLASS.findall(html, head_end) for name in found.split()}
    head = _STYLE.sub(
        lambda m: m.group(1) + "\n" + prune_css(m.group(2), classes) + "\n" + m.group(3), html[:head_end]
    )
    # A custom property is read by var(--name) in a kept rule, in another property, or in the page.
    used = set(_VAR.findall(head)) | set(_VAR.findall(html, head_end))
    head = _STYLE.sub(lambda m: m.group(1) + _without_unused_properties(m.group(2), used) + m.group(3), head)
    return head + html[head_end:]


def export_html(notebook: Path, html_path: Path) -> Path:
    """Export an executed notebook to offline HTML with code hidden (see :func:`_exporter`)."""
    exporter = _exporter()  # first: it imports jsonschema (under nbformat) as it should be
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    nb.metadata.pop("widgets", None)  # widget views do not survive a static export
    body, _ = exporter.from_notebook_node(nb)
    return atomic_write_text(html_path, _pruned_styles(body))


_FOLDER_HINT = "check [reports] folder in campaign.toml: it must be a folder you can write, with free space"
# Temporary folders of runs from before temporary names carried a process id: .tmp-<week>-<8 random>.
_LEGACY_TEMP = re.compile(r"\.tmp-\d{4}-W\d{2}-[a-z0-9_]{8}")


def _why(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def _check_targets(final_dir: Path, targets: list[Path]) -> None:
    """Refuse, before anything moves, a week's folder or report name that is not a place for a file.

    A folder named like the report (``weekly_campaign_report.html/``) made the last
    move fail after the others were done: half the week new, half old.
    """
    if os.path.lexists(final_dir) and not final_dir.is_dir():
        raise WriteError(
            f"cannot write into {final_dir}: it is a file, not a folder",
            hint=f"move or rename {final_dir}; the report of that week goes there",
        )
    for path in targets:
        if path.is_dir():
            raise WriteError(
                f"cannot write {path}: a folder of that name is in the way",
                hint=f"move or rename the folder {path}; the report is written under that name",
            )


def _literal(path: Path) -> str:
    """`path` for papermill, which fills ``{name}`` in a path from the parameters (``str.format``).

    A campaign called ``{{7*7}}`` or ``{week}`` gives a folder holding braces: doubled, they stay as they are.
    """
    return str(path).replace("{", "{{").replace("}", "}}")


def _keep_failed(notebook: Path, campaign_dir: Path, week: str, name: str) -> Path | None:
    """Move a failed run's notebook to ``<campaign>/failed/``; None when there is none to keep."""
    if not notebook.exists():
        return None
    failed = campaign_dir / "failed" / f"{week}-{name}"
    try:
        failed.parent.mkdir(exist_ok=True)
        os.replace(notebook, failed)
    except OSError:
        return None
    return failed


def _failed_hint(failed: Path | None) -> str:
    kept = f"the failed notebook is kept at {failed}" if failed else "no notebook was produced"
    return f"{kept}; the previous report is unchanged"


#: Command-line arguments of the report's kernel. ipykernel logs a warning that the kernel
#: talks to papermill over TCP on the loopback without encryption; it wrote into the middle
#: of the progress bar of every report. Only the kernel's own log is quietened: a cell's
#: output and errors still reach the notebook, and the kernel's errors still show.
KERNEL_ARGUMENTS: tuple[str, ...] = ("--IPKernelApp.log_level=ERROR",)


#: The modules each report's notebook imports first. A kernel started ahead (:func:`start_kernel`)
#: imports them while the report process opens the campaign and loads papermill. The metrics
#: package loads its names on first use, so its modules are named themselves.
PRELOAD: dict[str, tuple[str, ...]] = {
    "overview": ("reconnect_lib.notebook", "reconnect_lib.plots", "reconnect_lib.pipeline"),
    "weekly": (
        "reconnect_lib.notebook",
        "reconnect_lib.plots",
        "reconnect_lib.weekly",
        "reconnect_lib.metrics.summary",
        "reconnect_lib.metrics.progress",
    ),
}


class ReportKernel:
    """A report's kernel started ahead of its run (:func:`start_kernel`); :meth:`close` shuts it down."""

    def __init__(self, manager: Any) -> None:
        self.manager = manager
        self._open = True

    def close(self, *, now: bool = False) -> None:
        """Shut the kernel down, at once with `now` (a second call does nothing).

        A kernel still busy with its imports, asked to shut down, logs an error
        as it goes: a run that never executed, or failed, kills it instead.
        """
        if not self._open:
            return
        from jupyter_core.utils import run_sync

        self._open = False
        for client in self.manager.clients:  # papermill's too: it leaves a kernel it did not start running
            with suppress(Exception):
                client.stop_channels()
        with suppress(Exception):  # a kernel that died is already gone
            run_sync(self.manager.shutdown_kernel)(now=now)


def start_kernel(kind: ReportKind, *, notebooks: Path | None = None) -> ReportKernel | None:
    """Start the kernel a report will run in, and have it import the notebook's modules meanwhile.

    A kernel takes half a second to start and another second to import pandas,
    plotly and the library; the report process spends a second opening the
    campaign and loading papermill. Started first, the kernel does its part
    beside the process's (on a second core). The imports are the kernel's
    start-up lines (``IPKernelApp.exec_lines``): they are not counted as a cell
    and print nothing into the notebook, the kernel answers once they are
    done, and the notebook's own import cell finds them done. Pass the kernel to
    :func:`run_report`, which shuts it down; close it yourself if the run never
    starts.

    Returns None when the kernel cannot be started: :func:`run_report` then
    starts one itself and reports why it could not.
    """
    if kind not in NOTEBOOKS:
        return None
    try:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        class Manager(AsyncKernelManager):
            """Remembers its clients, so that the ones papermill makes are closed too."""

            clients: list[Any]

            def client(self, **kwargs: Any) -> Any:
                made = super().client(**kwargs)
                self.clients.append(made)
                return made

        manager = Manager(kernel_name="python3")
        manager.clients = []
        modules = ", ".join(PRELOAD[kind])
        preload = f"--IPKernelApp.exec_lines=['try:\\n    import {modules}\\nexcept Exception:\\n    pass']"
        cwd = str(notebooks or notebooks_dir())
        run_sync(manager.start_kernel)(extra_arguments=[*KERNEL_ARGUMENTS, preload], cwd=cwd)
    except Exception:
        return None
    return ReportKernel(manager)


_ENGINE = "reconnect-save-at-end"


def _save_at_end_engine() -> str:
    """Register (once) and name papermill's nbclient engine writing the notebook at the end only.

    papermill rewrites the output notebook before and after every cell; once the
    first chart carries plotly.js, each write serializes some 5 MB, about two
    seconds of a weekly report. The run executes into a temporary folder that
    nobody reads while it runs, so this engine writes it once: papermill's final
    write on success, its error-banner write after a failing cell, and the
    notebook as far as it got when execution stops otherwise (a kernel that
    died, a timeout), so the failed run can still be kept.
    """
    from papermill.engines import NBClientEngine, papermill_engines

    if _ENGINE in papermill_engines._engines:
        return _ENGINE

    class SaveAtEndEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, **kwargs):
            try:
                return super().execute_notebook(nb, kernel_name, output_path=None, **kwargs)
            except BaseException:
                if output_path:
                    from papermill.iorw import write_ipynb

                    with suppress(Exception):  # the error that stopped the run is the one to report
                        write_ipynb(nb, output_path)  # nbclient fills `nb` in place, cell by cell
                raise

    papermill_engines.register(_ENGINE, SaveAtEndEngine)
    return _ENGINE


def run_report(
    kind: ReportKind,
    *,
    config: Path,
    campaign: str,
    reports_folder: Path,
    week: str,
    as_of: date,
    extra_parameters: Mapping[str, object] | None = None,
    notebooks: Path | None = None,
    progress: bool = True,
    timeout: int = 600,
    kernel: ReportKernel | None = None,
) -> ReportPaths:
    """Execute a report notebook for one campaign week and export it.

    Parameters
    ----------
    kind : {"overview", "weekly"}
    config : Path
        campaign.toml, passed to the notebook as an absolute path.
    campaign : str
        Campaign name: the sub-folder of ``reports_folder`` is
        :func:`reconnect_lib.files.safe_folder_name` of it.
    reports_folder : Path
    week : str
        ISO week (``YYYY-Www``): the sub-folder the report lands in.
    as_of : date
        Passed to the notebook as an ISO string.
    extra_parameters : mapping, optional
        More notebook parameters.
    notebooks : Path, optional
        Folder of the notebooks; default :func:`notebooks_dir`.
    progress : bool
        Show papermill's progress bar.
    timeout : int
        Per-cell timeout in seconds.
    kernel : ReportKernel, optional
        A kernel started ahead with :func:`start_kernel` for this report (it is
        shut down when the run ends); default: one started here.

    Returns
    -------
    ReportPaths

    Raises
    ------
    ReportError
        With the failing cell's error, or why the notebook could not run (a kernel
        that died, a file that is not a notebook); the previous report stays in
        place and the failed notebook, when there is one, is kept under
        ``<campaign>/failed/``.
    reconnect_lib.files.WriteError
        The reports folder cannot be written (read-only, a file, a full disk).
    """
    if kind not in NOTEBOOKS:
        raise ReportError(f"unknown report {kind!r}", expected=" or ".join(NOTEBOOKS))
    week_monday(week)  # validates the week
    source = (notebooks or notebooks_dir()) / NOTEBOOKS[kind]
    if not source.is_file():
        raise ReportError(f"the {kind} report notebook was not found", file=str(source))
    stem = source.stem
    campaign_dir = Path(reports_folder) / safe_folder_name(campaign)
    final_dir = campaign_dir / week
    make_folder(campaign_dir, hint=_FOLDER_HINT)
    clean_stale_temps(campaign_dir, legacy=_LEGACY_TEMP)
    parameters = {
        "config": str(Path(config).resolve()),
        "as_of": as_of.isoformat(),
        "week": week,
        **(extra_parameters or {}),
    }
    targets = [final_dir / f"{stem}.json", final_dir / source.name, final_dir / f"{stem}.html"]
    _check_targets(final_dir, targets)  # before the notebook runs: a minute's work for nothing otherwise
    kernel = kernel or start_kernel(kind, notebooks=source.parent)  # it starts while papermill loads
    try:
        _import_jsonschema()
        import papermill as pm

        # The exporter is made (nbconvert imported, templates compiled) while the kernel runs.
        with temp_dir(campaign_dir, week) as tmp, ThreadPoolExecutor(1, thread_name_prefix="export") as pool:
            pool.submit(_exporter)  # its error, if any, is raised again by export_html
            tmp_nb = tmp / source.name
            tmp_html = tmp / f"{stem}.html"
            tmp_json = tmp / f"{stem}.json"
            parameters["sidecar"] = str(tmp_json)
            ran = False
            try:
                pm.execute_notebook(
                    _literal(source),
                    _literal(tmp_nb),
                    parameters=parameters,
                    kernel_name="python3",
                    engine_name=_save_at_end_engine(),
                    progress_bar=progress,
                    cwd=str(source.parent),
                    execution_timeout=timeout,
                    extra_arguments=list(KERNEL_ARGUMENTS),
                    **({"km": kernel.manager} if kernel is not None else {}),
                )
                ran = True
            except pm.PapermillExecutionError as err:
                failed = _keep_failed(tmp_nb, campaign_dir, week, source.name)
                raise ReportError(
                    f"the {kind} report failed in cell {err.exec_count}: {err.ename}: {err.evalue}",
                    file=str(source),
                    hint=_failed_hint(failed),
                ) from err
            except Exception as err:  # a kernel that died, a notebook that is not a notebook, a full disk
                if isinstance(err, OSError) and err.errno in WRITE_ERRNOS:
                    raise write_error(err, tmp_nb, hint=_FOLDER_HINT) from err
                failed = _keep_failed(tmp_nb, campaign_dir, week, source.name)
                raise ReportError(
                    f"the {kind} report could not run: {_why(err)}",
                    file=str(source),
                    hint=_failed_hint(failed),
                ) from err
            finally:  # the kernel's work is done: it goes before the export
                if kernel is not None:
                    kernel.close(now=not ran)
            try:
                export_html(tmp_nb, tmp_html)
            except ReconnectError:
                raise
            except Exception as err:
                if isinstance(err, OSError) and err.errno in WRITE_ERRNOS:
                    raise write_error(err, tmp_html, hint=_FOLDER_HINT) from err
                failed = _keep_failed(tmp_nb, campaign_dir, week, source.name)
                raise ReportError(
                    f"the {kind} report ran but could not be exported to HTML: {_why(err)}",
                    file=str(source),
                    hint=_failed_hint(failed),
                ) from err
            make_folder(final_dir, hint=_FOLDER_HINT)
            _check_targets(final_dir, targets)
            pairs = zip((tmp_json, tmp_nb, tmp_html), targets, strict=True)  # HTML last: what users open
            moves = [(tmp, target) for tmp, target in pairs if tmp.exists()]
            with os_errors(final_dir, hint=_FOLDER_HINT):
                kept = _move_into_place(moves, final_dir / f".reconnect-{stem}.json")
    finally:
        if kernel is not None:
            kernel.close(now=True)  # closed already, unless the run stopped before the notebook ran
    return ReportPaths(
        notebook=final_dir / source.name,
        html=final_dir / f"{stem}.html",
        numbers=final_dir / f"{stem}.json",
        kept=tuple(kept),
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_digests(manifest: Path) -> dict[str, set[str]]:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    digests = data.get("sha256") if isinstance(data, dict) else None
    if not isinstance(digests, dict):
        return {}
    return {
        name: {d for d in known if isinstance(d, str)}
        for name, known in digests.items()
        if isinstance(name, str) and isinstance(known, list)
    }


def _aside(path: Path) -> Path:
    n = 1
    while os.path.lexists(aside := path.with_name(f"{path.stem}.kept-{n}{path.suffix}")):
        n += 1
    return aside


def _move_into_place(moves: list[tuple[Path, Path]], manifest: Path) -> list[Path]:
    """Move a run's files over the week's; a report file someone changed since is kept aside first.

    ``manifest`` keeps the SHA-256 of each file the last run wrote. A file of
    that name whose content is no longer what was written (a notebook opened,
    edited and saved in place) or that is a link is renamed
    ``<name>.kept-<n>.<ext>`` rather than replaced; so is nothing else. Each
    ``os.replace`` is atomic: a reader sees the old file or the new one, never
    half; the manifest lists old and new digests while files move, so a run
    killed then leaves files the next run still knows as its own.
    """
    known = _read_digests(manifest)
    kept = []
    for _, target in moves:
        changed = target.name in known and known[target.name] and _digest(target) not in known[target.name]
        if target.is_symlink() or (target.is_file() and changed):
            aside = _aside(target)
            os.replace(target, aside)
            kept.append(aside)
    new = {target.name: _digest(tmp) for tmp, target in moves}
    journal = {name: sorted(known.get(name, set()) | {digest}) for name, digest in new.items()}
    atomic_write_text(manifest, json.dumps({"sha256": journal}, indent=1) + "\n")
    for tmp, target in moves:
        os.replace(tmp, target)
    atomic_write_text(manifest, json.dumps({"sha256": {k: [v] for k, v in new.items()}}, indent=1) + "\n")
    return kept
