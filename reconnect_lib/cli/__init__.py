"""The ``reconnect`` command line: parse arguments, read campaign.toml, call the library, render.

One module per area registers its commands on :data:`main`; importing them
here is what makes them part of the command.
"""

from . import base
from . import init as init_commands  # noqa: F401
from . import outcome as outcome_commands  # noqa: F401
from . import plan as plan_commands  # noqa: F401
from . import report as report_commands  # noqa: F401
from .base import main

__all__ = ["base", "main"]
