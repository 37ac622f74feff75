"""Regenerate the README's pictures from the real reports, with headless Chromium.

Builds the sample consulting firm's weekly report and client-base overview
exactly as ``reconnect report weekly`` / ``overview`` do (papermill, then the
offline HTML), opens each in Chromium with no network, waits for every chart
to draw, and saves the first screen of each page under ``docs/``:

    python docs/screenshots.py            # docs/weekly-report.png, docs/overview-report.png
    python docs/screenshots.py --chromium /path/to/chrome

Needs the test extras (Playwright) and a Chromium (Debian: ``apt-get install
chromium``); Playwright's own browser download is not used.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from reconnect_lib.config import load_config
from reconnect_lib.reports import run_report
from reconnect_lib.weeks import iso_week

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FIRM = ROOT / "data" / "sample" / "consulting-firm" / "campaign.toml"
#: Report kind -> picture, as the README shows them.
PICTURES = {"weekly": DOCS / "weekly-report.png", "overview": DOCS / "overview-report.png"}
#: The window a reader's laptop shows: the picture is the page's first screen.
VIEWPORT = {"width": 1160, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def build(kind: str, reports: Path) -> Path:
    """The sample firm's `kind` report, built into `reports`; its HTML file."""
    cfg = load_config(FIRM)
    paths = run_report(
        kind,  # type: ignore[arg-type]
        config=cfg.source,
        campaign=cfg.campaign.name,
        reports_folder=reports,
        week=iso_week(cfg.campaign.as_of),
        as_of=cfg.campaign.as_of,
        progress=False,
    )
    return paths.html


def shoot(pages: dict[Path, Path], chromium: Path) -> None:
    """Save the first screen of each HTML page (key) as a PNG (value), once its charts have drawn."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            for html, picture in pages.items():
                context = browser.new_context(offline=True, viewport=VIEWPORT)
                page = context.new_page()
                page.goto(html.as_uri(), wait_until="load")
                page.wait_for_function(
                    "() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                    ".every(d => d._fullLayout)",
                    timeout=60_000,
                )
                page.screenshot(path=str(picture))
                context.close()
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"), help="the browser")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        pages = {build(kind, Path(tmp)): picture for kind, picture in PICTURES.items()}
        shoot(pages, args.chromium)
    for picture in PICTURES.values():
        print(picture.relative_to(ROOT))


if __name__ == "__main__":
    main()
