"""The ``reconnect`` command line: parse arguments, read campaign.toml, call the library, render.

One module per area registers its commands on :data:`main`; the group imports
a module when one of its commands runs (:data:`base.LAZY_COMMANDS`), so
``reconnect --help`` and each command import only what they use.
"""

from . import base
from .base import main

__all__ = ["base", "main"]
