"""The explorer in a real JupyterLab, driven by a real browser.

Starts a JupyterLab server on 127.0.0.1 (a free port, a token, a temporary
root holding a copy of notebooks/explore.ipynb pointed at a copy of the sample
firm whose campaign name, client names, companies and busiest account owner
hold markup: ``<img onerror>``, ``javascript:`` links in HTML and Markdown),
opens the notebook in the system Chromium with Playwright, runs every cell,
and checks what a consultant sees: the widgets and both plotly FigureWidgets
draw, unticking a bucket and picking an owner change the table's count (to the
numbers :func:`reconnect_lib.widgets.select_clients` gives), the value chart
redraws its points, the export button writes a call list and says where, and
the page logs no JavaScript error. The markup shows as typed (header, table,
owner dropdown, hover label) and never runs: no dialog opens, and the
explorer's DOM holds no image, no event-handler attribute and no
``javascript:`` link. Everything is shut down afterwards, also on failure.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, hostile, hostile_firm, require_chromium

ROOT = Path(__file__).resolve().parents[1]
SERVER_START_S = 90
KERNEL_START_MS = 90_000
KERNEL_RUN_MS = 180_000
UPDATE_MS = 30_000

#: Hard limit for the whole test: every wait below is bounded, this catches one that is not.
BUDGET_S = 480

pytestmark = pytest.mark.slow


class OverBudget(Exception):
    pass


@pytest.fixture
def budget() -> Iterator[None]:
    """Raise OverBudget in the test after BUDGET_S seconds, so the fixtures still clean up."""

    def expire(_signum: int, _frame: object) -> None:
        raise OverBudget(f"the browser test took more than {BUDGET_S} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(BUDGET_S)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    exports: Path
    log: Path
    config: Path

    def api(self, path: str, method: str = "GET") -> bytes:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()


def _notebook_copy(root: Path, exports: Path, config: Path) -> None:
    """notebooks/explore.ipynb with its parameters pointed at `config` by absolute paths."""
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    source = cell.source
    for name, value in (("config", str(config)), ("export_dir", str(exports))):
        source, n = re.subn(rf"^{name} = .*$", f"{name} = {json.dumps(value)}", source, flags=re.M)
        assert n == 1, f"no `{name} = ...` line in the parameters cell"
    cell.source = source
    nbformat.write(nb, root / "explore.ipynb")


@pytest.fixture
def lab(tmp_path: Path, budget: None) -> Iterator[Lab]:
    require_chromium()
    root, exports, home = tmp_path / "lab", tmp_path / "exports", tmp_path / "home"
    root.mkdir()
    home.mkdir()
    config = hostile_firm("consulting-firm", tmp_path / "firm")
    _notebook_copy(root, exports, config)
    # The news announcements ask for consent in a toast that can cover the widgets, and would
    # fetch from the internet: not part of what is tested.
    labconfig = home / "config" / "labconfig"
    labconfig.mkdir(parents=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        # A private Jupyter/IPython configuration: nothing from the developer's settings leaks in.
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    log = tmp_path / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={home / 'settings'}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        # window.jupyterapp: run the notebook's cells by command, not by hunting for menu items
        "--LabApp.expose_app_in_browser=True",
    ]
    if os.geteuid() == 0:  # containers and CI runners often run as root
        command.append("--allow-root")
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    info = Lab(url=url, token=token, root=root, exports=exports, log=log, config=config)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
            try:
                info.api("/api/status")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"JupyterLab did not answer within {SERVER_START_S} s:\n{log.read_text()[-3000:]}"
                    )
                time.sleep(0.2)
        yield info
    finally:
        _stop(server, info)


def _stop(server: subprocess.Popen, lab: Lab) -> None:
    """Shut the server down (it stops its kernels), then make sure its process group is gone."""
    if server.poll() is None:
        try:
            lab.api("/api/shutdown", method="POST")
            server.wait(timeout=20)
        except (urllib.error.URLError, ConnectionError, TimeoutError, subprocess.TimeoutExpired):
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)  # the server's own group: its kernels, nothing else
        except ProcessLookupError:
            break
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue
    if server.poll() is None:
        server.kill()
        server.wait(timeout=10)


@dataclass
class Browser:
    page: object
    errors: list[str]
    dialogs: list[str]


@pytest.fixture
def browser(lab: Lab) -> Iterator[Browser]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, timeout=60_000
        )
        try:
            context = chromium.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(UPDATE_MS)
            errors: list[str] = []
            dialogs: list[str] = []
            page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
            page.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
            yield Browser(page, errors, dialogs)
            context.close()
        finally:
            chromium.close()


def _count(page) -> int:
    text = page.locator(".rl-explorer-count").inner_text()
    match = re.search(r"([\d,]+) of [\d,]+ clients selected", text)
    assert match, text
    return int(match.group(1).replace(",", ""))


def _wait_for_points(page, n: int) -> None:
    """Wait until the value-vs-dormancy chart (the second plotly figure) draws `n` markers."""
    page.wait_for_function(
        "n => document.querySelectorAll('.rl-explorer .js-plotly-plot')[1]"
        "?.querySelectorAll('.scatterlayer path.point').length === n",
        arg=n,
    )


def test_explorer_in_jupyterlab(lab: Lab, browser: Browser, tmp_path: Path) -> None:
    try:
        _drive(lab, browser)
    except BaseException:
        shot = tmp_path / "failure.png"
        try:
            browser.page.screenshot(path=shot, full_page=True, timeout=10_000)
        except Exception:  # the page may be gone; the server log still says why
            shot = None
        print(f"screenshot: {shot}\nJavaScript errors: {browser.errors}\nJupyterLab log (end):")
        print(lab.log.read_text(errors="replace")[-4000:])
        raise


def _drive(lab: Lab, browser: Browser) -> None:
    from playwright.sync_api import expect

    import reconnect_lib as rl
    from reconnect_lib.widgets import select_clients

    page = browser.page

    campaign = rl.scored_base(lab.config)
    scored = campaign.scored
    labels = campaign.buckets["dormancy_bucket"].tolist()
    kept = labels[:-1]
    (owner,) = [o for o in scored["account_owner"].dropna().unique() if hostile("owner") in o]
    after_bucket = len(select_clients(scored, buckets=kept))
    after_owner = len(select_clients(scored, buckets=kept, owners=[owner]))
    assert len(scored) > after_bucket > after_owner > 0

    page.goto(f"{lab.url}/lab/tree/explore.ipynb?token={lab.token}&reset")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=60_000)
    expect(page.locator(".jp-NotebookPanel .jp-Cell").first).to_be_visible(timeout=60_000)
    # Running cells before the kernel is up opens a "Select Kernel" dialog instead.
    page.wait_for_function(
        "() => { const s = window.jupyterapp.shell.currentWidget.sessionContext;"
        " return s.isReady && s.session?.kernel?.status === 'idle'; }",
        timeout=KERNEL_START_MS,
    )
    # Not awaited: the command's promise is not bounded by any timeout.
    page.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); }")

    count = page.locator(".rl-explorer-count")
    expect(count).to_contain_text(
        f"{len(scored):,} of {len(scored):,} clients selected", timeout=KERNEL_RUN_MS
    )
    figures = page.locator(".rl-explorer .js-plotly-plot")
    expect(figures).to_have_count(2)
    expect(figures.nth(0).locator(".barlayer path").first).to_be_attached()
    expect(page.locator(".rl-explorer .rl-explorer-table tbody tr")).to_have_count(25)
    _wait_for_points(page, len(scored))
    explorer = page.locator(".rl-explorer")
    shown = " ".join(explorer.inner_text().split())  # as HTML shows it: runs of spaces as one
    for text in (hostile("firm"), hostile("name"), hostile("company")):
        assert " ".join(text.split()) in shown
    options = [o.replace("\xa0", " ") for o in explorer.locator("select option").all_inner_texts()]
    assert owner in options  # a dropdown option is text
    figures.nth(1).locator(".scatterlayer path.point").first.hover(force=True)
    expect(figures.nth(1).locator(".hoverlayer")).to_contain_text(hostile("name"))

    # untick the oldest bucket: the count, the table and the points follow
    box = page.locator(".rl-explorer .widget-checkbox", has_text=labels[-1]).locator("input")
    box.uncheck()
    expect(count).to_contain_text(f"{after_bucket:,} of {len(scored):,} clients selected")
    assert _count(page) == after_bucket
    _wait_for_points(page, after_bucket)
    assert labels[-1] not in page.locator(".rl-explorer-table").inner_text()

    # pick one account owner in the dropdown
    dropdown = page.locator(".rl-explorer .widget-dropdown", has_text="Owner").locator("select")
    dropdown.select_option(label=owner)
    expect(count).to_contain_text(f"{after_owner:,} of {len(scored):,} clients selected")
    _wait_for_points(page, after_owner)

    # export the selection: the status names the file, and the file is there
    page.get_by_role("button", name="Export call list").click()
    status = page.locator(".rl-explorer .widget-label", has_text="written to")
    expect(status).to_contain_text(str(lab.exports))
    written = re.search(r"written to (\S+\.csv)", status.inner_text())
    assert written, status.inner_text()
    assert Path(written.group(1)).is_file()
    assert owner in explorer.locator(".rl-explorer-table").inner_text()

    assert page.evaluate(_LIVE) == []
    assert browser.dialogs == []
    assert browser.errors == [], "JavaScript errors in the page:\n" + "\n".join(browser.errors)


# In the explorer: images, event-handler attributes, javascript: URLs where a URL is followed.
# (plotly keeps a label's text in data-unformatted: text, never followed.)
_LIVE = """
() => Array.from(document.querySelectorAll('.rl-explorer, .rl-explorer *')).flatMap(el =>
    (el.tagName === 'IMG' ? ['IMG ' + el.outerHTML] : []).concat(Array.from(el.attributes)
        .filter(a => /^on/i.test(a.name) || (/^(href|xlink:href|src|action|formaction|srcdoc)$/i.test(a.name)
                                             && /javascript:/i.test(a.value.replace(/\\s/g, ''))))
        .map(a => `${el.tagName} ${a.name}=${a.value}`)))
"""


# The export button's label, whether the label fits its button, the status text and its lines, and
# for each column of the client table the left and right edges of its header and of its first cell.
_EXPLORER = """
() => {
    const root = document.querySelector('.rl-explorer');
    const button = Array.from(root.querySelectorAll('button')).find(b => /call list/.test(b.textContent));
    const status = root.querySelector('.rl-explorer-status');
    const lineHeight = parseFloat(getComputedStyle(status).lineHeight);
    const edges = cells => Array.from(cells).map(c => {
        const r = c.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.right)]; });
    const table = root.querySelector('.rl-explorer-table');
    return {
        label: button.textContent.trim(),
        fits: button.scrollWidth <= button.clientWidth + 1,
        status: status.textContent,
        statusFits: status.scrollWidth <= status.clientWidth + 1,
        statusLines: Math.round(status.getBoundingClientRect().height / lineHeight),
        statusRight: status.getBoundingClientRect().right,
        rootRight: root.getBoundingClientRect().right,
        headers: edges(table.querySelectorAll('thead th')),
        cells: edges(table.querySelectorAll('tbody tr:first-child td')),
    };
}
"""


# (Here, not in test_browser_layout.py: a second Playwright started while that module's
# browser runs finds its event loop and refuses to start.)
def test_the_explorer_s_button_status_and_table_read_whole(lab: Lab, browser: Browser) -> None:
    from playwright.sync_api import expect

    page = browser.page
    page.goto(f"{lab.url}/lab/tree/explore.ipynb?token={lab.token}&reset")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=60_000)
    page.wait_for_function(
        "() => { const s = window.jupyterapp.shell.currentWidget.sessionContext;"
        " return s.isReady && s.session?.kernel?.status === 'idle'; }",
        timeout=90_000,
    )
    page.evaluate("() => { void window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    expect(page.locator(".rl-explorer .rl-explorer-table tbody tr").first).to_be_visible(timeout=180_000)
    page.get_by_role("button", name="Export call list").click()
    expect(page.locator(".rl-explorer .rl-explorer-status")).to_contain_text("written to")
    seen = page.evaluate(_EXPLORER)
    page.screenshot(path=str(lab.root.parent / "explorer.png"), full_page=True)
    assert seen["label"] == "Export call list"
    assert seen["fits"], "the button's label is cut"
    # A path and the clients left out: longer than a line beside the button, so it wraps, cut nowhere.
    assert str(lab.exports) in seen["status"]
    assert seen["statusFits"], "the status is cut"
    assert seen["statusLines"] >= 2
    assert seen["statusRight"] <= seen["rootRight"] + 1
    assert len(seen["headers"]) == len(seen["cells"]) > 0
    for header, cell in zip(seen["headers"], seen["cells"], strict=True):
        assert abs(header[0] - cell[0]) <= 1
        assert abs(header[1] - cell[1]) <= 1
    assert browser.errors == [], "JavaScript errors in the page:\n" + "\n".join(browser.errors)
