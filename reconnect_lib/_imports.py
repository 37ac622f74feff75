"""Import only what a command runs: names loaded on first use, slow optional modules kept out.

`reconnect --help` and `reconnect buckets` should not pay for pandas, pandera,
SQLAlchemy or statsmodels when they do not use them (benchmarks/README.md,
"Startup of the `reconnect` command"). Two tools serve every package face:

- :func:`lazy_names` gives a package the module ``__getattr__`` and ``__dir__``
  that import each public name from its module on first use (PEP 562);
- :func:`hidden_modules` keeps optional modules from loading while a library is
  imported, where the library would use them only for something we never ask.

Examples
--------
>>> import sys
>>> with hidden_modules(["a_module_nobody_has"]):
...     sys.modules["a_module_nobody_has"] is None
True
>>> "a_module_nobody_has" in sys.modules
False
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any


def lazy_names(
    package: str,
    names: Mapping[str, str],
    namespace: dict[str, Any],
    *,
    modules: Collection[str] = (),
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of `package`, loading `names` on first use.

    `names` maps each public name to the submodule (relative to `package`) that
    defines it; `modules` are submodules offered as attributes themselves.
    A loaded name is stored in `namespace` (the package's ``globals()``), so the
    next use finds it without a call.
    """

    def __getattr__(name: str) -> Any:
        if name in names:
            value = getattr(importlib.import_module(f".{names[name]}", package), name)
            namespace[name] = value
            return value
        if name in modules:
            return importlib.import_module(f".{name}", package)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*namespace, *namespace.get("__all__", ())})

    return __getattr__, __dir__


@contextmanager
def hidden_modules(names: Iterable[str]) -> Iterator[None]:
    """Within the block, importing any of `names` raises ImportError; afterwards it works again.

    A None entry in ``sys.modules`` makes ``import`` raise ImportError, which
    libraries with optional extras catch (then they go without). Names already
    imported are left alone, and the entries are removed on the way out, so a
    later explicit import of those modules still works.
    """
    hidden = [name for name in names if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]
