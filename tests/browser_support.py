"""What the browser tests share: Debian's Chromium and the flags it runs with here.

Playwright cannot download a browser of its own on these machines, so the tests
launch the system Chromium (``.ci/run`` installs Debian's ``chromium``) with
background networking, component updates and sync off.
"""

from __future__ import annotations

import os
from pathlib import Path

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
