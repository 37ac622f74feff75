"""What every benchmark script shares: the machine line, package versions, and
writing results between a script's markers in benchmarks/README.md."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def machine() -> str:
    """CPU model, cores, RAM and kernel, e.g. ``AMD EPYC, 2 cores, 23.5 GiB RAM, Linux 6.1``."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, flags=re.MULTILINE)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total_kb = re.search(r"^MemTotal:\s*(\d+)", meminfo, flags=re.MULTILINE)
    ram = f"{int(total_kb.group(1)) / 2**20:.1f} GiB RAM" if total_kb else "RAM unknown"
    cpu = models[0] if models else platform.processor() or "unknown CPU"
    return f"{cpu}, {os.cpu_count()} cores, {ram}, {platform.system()} {platform.release()}"


def package_versions(names: Iterable[str]) -> list[str]:
    """``name version`` for each package, ``name (not installed)`` when it is missing."""
    found = []
    for name in names:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return found


def write_section(start: str, end: str, text: str, readme: Path = README) -> None:
    """Replace what stands between the markers `start` and `end` of `readme` with `text`."""
    current = readme.read_text(encoding="utf-8") if readme.exists() else ""
    if start not in current or end not in current:
        raise SystemExit(f"{readme} has no {start} ... {end} markers: add them where the results go")
    before, rest = current.split(start, 1)
    _, after = rest.split(end, 1)
    readme.write_text(f"{before}{start}\n{text}\n{end}{after}", encoding="utf-8")
