"""What the browser tests share: Debian's Chromium and the flags it runs with here.

Playwright cannot download a browser of its own on these machines, so the tests
launch the system Chromium (``.ci/run`` installs Debian's ``chromium``) with
background networking, component updates and sync off.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip without Chromium on a developer's machine; fail in CI, where .ci/run installs it."""
    if CHROMIUM.exists():
        return
    message = f"the browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def chromium_browser() -> Iterator[Any]:
    """Playwright's Chromium on Debian's binary, closed on the way out (skips or fails as above)."""
    require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# --- a campaign whose every user-supplied text is markup ----------------------------------------

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def hostile(field: str) -> str:
    """Text a user might type (or an attacker might plant) in `field`: HTML, a Markdown link, entities.

    Rendered as markup it would run a script (``onerror``), draw a live
    ``javascript:`` link (in HTML, in Markdown, in a plotly text) or bold text;
    shown as text it reads as typed.
    """
    return (
        f"<img src=x onerror=alert('{field}')> [{field}](javascript:alert('{field}')) "
        f'& *{field}* &amp; _x_ <a href="javascript:alert(1)">{field} link'
    )  # no "/": a campaign name must be one folder name


def hostile_firm(firm: str, dest: Path) -> Path:
    """Copy ``data/sample/<firm>`` to `dest` with markup in every user-supplied text; return campaign.toml.

    The campaign's name and description; the firm and signer of ``[sender]``;
    every client's name and company (the original text first, so clients stay
    apart); the busiest account owner's name; and, when the firm has an outcome
    log, every event's note and who recorded it. Reports are written under
    ``dest/reports``; the sample is not touched.
    """
    import re
    import shutil

    import pandas as pd

    shutil.copytree(SAMPLE / firm, dest, ignore=shutil.ignore_patterns("*.sqlite", "*.sqlite-*"))
    toml = dest / "campaign.toml"
    text = toml.read_text(encoding="utf-8")
    for key, field in (
        ("name", "campaign"),
        ("description", "about"),
        ("firm", "firm"),
        ("signer", "signer"),
    ):
        line = f"{key} = {_toml_string(hostile(field))}"
        text = re.sub(rf'(?m)^{key} = ".*"$', lambda _, line=line: line, text, count=1)
    text = re.sub(r'(?m)^folder = ".*"$', 'folder = "reports"', text, count=1)
    toml.write_text(text, encoding="utf-8")
    clients = pd.read_csv(dest / "clients.csv", dtype=str, keep_default_na=False)
    clients["name"] = clients["name"] + " " + hostile("name")
    clients["company"] = clients["company"] + " " + hostile("company")
    busiest = clients["account_owner"].value_counts().index[0]
    clients.loc[clients["account_owner"] == busiest, "account_owner"] = busiest + " " + hostile("owner")
    clients.to_csv(dest / "clients.csv", index=False)
    if (dest / "outcomes.csv").exists():
        events = pd.read_csv(dest / "outcomes.csv", dtype=str, keep_default_na=False)
        events["note"] = hostile("note")
        events["recorded_by"] = hostile("by")
        events.to_csv(dest / "outcomes.csv", index=False)
    return toml


def _toml_string(value: str) -> str:
    """A TOML basic string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
