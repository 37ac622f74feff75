"""Running the CLI in a test and reading what a report command wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from reconnect_lib.cli import main


def run_cli(*args: str) -> str:
    """The output of ``reconnect ARGS``, which must succeed (exceptions are raised, not printed)."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def report_numbers(output: str) -> dict[str, Any]:
    """The JSON numbers written beside the report whose path a `reconnect report` command printed."""
    html = next(Path(line.split(": ", 1)[1]) for line in output.splitlines() if line.startswith("Report: "))
    return json.loads(html.with_suffix(".json").read_text(encoding="utf-8"))
