"""Time the weekly campaign report end to end, and measure what it writes.

Runs ``reconnect report weekly`` (papermill executes the notebook in a fresh
kernel, nbconvert exports the offline HTML) as a user would, each run in its own
process, for the two sample firms and a generated base of 100,000 clients with
1,000,000 transactions (the ``small`` data of ``bench_client_base.py``, cached
under ``benchmarks/.data/``). Records the wall time (best and median of the
runs), the CPU time of the best run (user + sys of the process and its kernel:
a machine busy with other work stretches it least), the peak resident memory of
the largest process (the kernel), and the size of the HTML (MB here are MiB,
2**20 bytes) and of the executed notebook, between the ``report`` markers of
``benchmarks/README.md`` with ``--write``::

    .venv/bin/python benchmarks/bench_report.py --repeat 3 --write
    .venv/bin/python benchmarks/bench_report.py --cases consulting-firm   # one case, not recorded
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from _common import machine, write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = HERE / "README.md"
START, END = "<!-- report:start -->", "<!-- report:end -->"
SAMPLE = ROOT / "data" / "sample"
RECONNECT = Path(sys.executable).with_name("reconnect")

CASES = ("consulting-firm", "financial-planner", "generated-100k")


def generated_campaign(folder: Path) -> Path:
    """A campaign.toml over bench_client_base's 100,000-client Parquet data (generated if missing)."""
    sys.path.insert(0, str(HERE))
    import bench_client_base

    data = bench_client_base.ensure_data("small")
    toml = folder / "campaign.toml"
    toml.write_text(
        "\n".join(
            [
                "[campaign]",
                'name = "generated-100k"',
                f"as_of = {bench_client_base.AS_OF.isoformat()}",
                "[data]",
                f'clients = "{(data / "clients.parquet").as_posix()}"',
                f'transactions = "{(data / "transactions.parquet").as_posix()}"',
                f'contacts = "{(data / "contacts.parquet").as_posix()}"',
                # The generated clients have an e-mail address, no postal address or phone.
                "[plan.capacity]",
                "letter = 0",
                "phone = 0",
                "email = 1000",
                "[outcomes]",
                f'database = "sqlite:///{(folder / "outcomes.sqlite").as_posix()}"',
                "[reports]",
                f'folder = "{(folder / "reports").as_posix()}"',
                "",
            ]
        ),
        encoding="utf-8",
    )
    return toml


def sample_campaign(firm: str, folder: Path) -> Path:
    """The sample firm's campaign.toml, copied with its reports (and store) in `folder`."""
    import tomllib

    source = SAMPLE / firm / "campaign.toml"
    raw = tomllib.loads(source.read_text(encoding="utf-8"))
    lines = [
        "[campaign]",
        f'name = "{firm}"',
        f"as_of = {raw['campaign']['as_of'].isoformat()}",
        "[data]",
    ]
    for key in ("clients", "transactions", "contacts", "outcomes"):
        if key in raw["data"]:
            lines.append(f'{key} = "{(source.parent / raw["data"][key]).as_posix()}"')
    lines += ["[plan.capacity]", *(f"{k} = {v}" for k, v in raw["plan"]["capacity"].items())]
    lines += [
        "[outcomes]",
        f'database = "sqlite:///{(folder / "outcomes.sqlite").as_posix()}"',
        "[reports]",
        f'folder = "{(folder / "reports").as_posix()}"',
        "",
    ]
    toml = folder / "campaign.toml"
    toml.write_text("\n".join(lines), encoding="utf-8")
    return toml


def run_once(toml: Path) -> dict[str, float]:
    """One `reconnect report weekly` in a child process: wall time, peak RSS, output sizes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    done = subprocess.run(
        [str(RECONNECT), "report", "weekly", "--config", str(toml), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"report failed for {toml}:\n{done.stdout}\n{done.stderr}")
    html = Path(done.stdout.strip().splitlines()[-1].removeprefix("Report: "))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = usage.ru_maxrss
    return {
        "seconds": seconds,
        # user + sys of the process and of the kernel it waited for: what a busy machine stretches least.
        "cpu": usage.ru_utime + usage.ru_stime - cpu_before,
        # ru_maxrss of children is the largest child so far: exact for the first run of a
        # fresh parent process, a lower bound afterwards; each case runs in its own parent.
        "peak_mb": max(peak, before) / 1024,
        "html_mb": html.stat().st_size / 2**20,
        "ipynb_mb": html.with_suffix(".ipynb").stat().st_size / 2**20,
    }


def run_case(case: str, repeat: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"bench-report-{case}-") as tmp:
        folder = Path(tmp)
        toml = generated_campaign(folder) if case == "generated-100k" else sample_campaign(case, folder)
        runs = [run_once(toml) for _ in range(repeat)]
    seconds = [r["seconds"] for r in runs]
    return {
        "case": case,
        "runs": repeat,
        "best_s": min(seconds),
        "median_s": statistics.median(seconds),
        "cpu_s": min(r["cpu"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "html_mb": runs[-1]["html_mb"],
        "ipynb_mb": runs[-1]["ipynb_mb"],
    }


def table(results: list[dict[str, object]]) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    packages = ", ".join(
        f"{p} {version(p)}" for p in ("pandas", "plotly", "papermill", "nbconvert", "ipykernel", "nbclient")
    )
    lines = [
        f"Recorded {when} on {machine()} (load average at the end {os.getloadavg()[0]:.2f}).",
        "",
        f"Python {platform.python_version()}, {packages}.",
        "",
        "| base | runs | best | median | CPU (best) | peak RSS (kernel) | HTML | executed .ipynb |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['case']} | {r['runs']} | {r['best_s']:.1f} s | {r['median_s']:.1f} s | "
            f"{r['cpu_s']:.1f} s | {r['peak_mb']:,.0f} MB | {r['html_mb']:.2f} MB | {r['ipynb_mb']:.2f} MB |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--repeat", type=int, default=3, help="runs per case")
    parser.add_argument("--write", action="store_true", help="record the results in benchmarks/README.md")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    o = parser.parse_args(argv)
    if o.child:
        print(json.dumps(run_case(o.child, o.repeat)))
        return 0
    results = []
    for case in o.cases:
        # Each case in its own parent process, so RUSAGE_CHILDREN's peak is that case's.
        out = subprocess.run(
            [sys.executable, __file__, "--child", case, "--repeat", str(o.repeat)],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(out.stdout, out.stderr, file=sys.stderr)
            return out.returncode
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{case}: best {result['best_s']:.1f} s, median {result['median_s']:.1f} s, "
            f"CPU {result['cpu_s']:.1f} s, peak {result['peak_mb']:,.0f} MB, HTML {result['html_mb']:.2f} MB",
            flush=True,
        )
        results.append(result)
    text = table(results)
    print(text)
    if o.write:
        write_section(START, END, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
