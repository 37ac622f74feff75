"""reconnect_lib: win back a business's past clients.

The handful of functions a notebook calls; everything else lives in the stage
modules (``load``, ``client_base``, ``dormancy``, ``value``, ``plan``,
``exports``, ``outcomes``, ``metrics``, ``clv``), ``plots``, ``weekly`` (one
campaign week, composed for the weekly report) and ``reports``.
Every name but the errors loads on first use, so importing the package (or
starting the ``reconnect`` command) imports no pandas.

>>> import reconnect_lib as rl
>>> campaign = rl.scored_base("data/sample/consulting-firm/campaign.toml")  # doctest: +SKIP
>>> campaign.buckets  # doctest: +SKIP
"""

import importlib
import sys
from types import ModuleType

from ._imports import lazy_names
from .errors import ConfigError, InputError, ReconnectError, StoreError

__version__ = "0.1.0"

#: Every other name of the package face and the module it comes from. Each loads
#: on first use, so `import reconnect_lib` (and so the ``reconnect`` command, whose
#: modules sit inside the package) imports neither pandas nor pandera until a name
#: that needs them is used.
_LAZY = {
    "CampaignConfig": "config",
    "load_config": "config",
    "base_summary": "dormancy",
    "bucket_labels": "dormancy",
    "bucket_table": "dormancy",
    "dormancy_buckets": "dormancy",
    "keep_up_list": "dormancy",
    "Inputs": "load",
    "LoadReport": "load",
    "load_clients": "load",
    "load_contacts": "load",
    "load_inputs": "load",
    "load_transactions": "load",
    "read_table": "load",
    "Campaign": "pipeline",
    "CampaignSource": "pipeline",
    "outcome_report": "pipeline",
    "scored_base": "pipeline",
    "ContactPlan": "plan",
    "contact_plan": "plan",
    "keep_up_timeline": "plan",
    "plan_from_config": "plan",
    "generate_sample": "sample",
    "write_sample": "sample",
    "segment_table": "value",
    "value_by_dormancy": "value",
    "value_concentration": "value",
    "value_scores": "value",
    "win_back_chance": "value",
    "OutcomeStore": "outcomes",
    "client_status": "metrics",
    "win_back_rates": "metrics",
    "observed_counts": "metrics",
    "lift": "metrics",
    "catch_up_progress": "metrics",
    "campaign_week": "weekly",
}


_LAZY_MODULES = ("clv", "plots")


__getattr__, __dir__ = lazy_names(__name__, _LAZY, globals(), modules=_LAZY_MODULES)


class _Package(ModuleType):
    """The package's module type: ``client_base`` names the function, as it always has.

    The stage function shares its name with its module; importing the module
    (which any stage does) makes the import system set the package attribute
    ``client_base`` to the module. This property keeps the function under that
    name however the modules were imported, as the eager imports used to.
    """

    @property
    def client_base(self):
        return importlib.import_module(".client_base", __name__).client_base

    @client_base.setter
    def client_base(self, value) -> None:
        pass  # the submodule stays reachable as sys.modules["reconnect_lib.client_base"]


sys.modules[__name__].__class__ = _Package


__all__ = [
    "Campaign",
    "CampaignConfig",
    "CampaignSource",
    "ConfigError",
    "ContactPlan",
    "InputError",
    "Inputs",
    "LoadReport",
    "OutcomeStore",
    "ReconnectError",
    "StoreError",
    "__version__",
    "base_summary",
    "bucket_labels",
    "bucket_table",
    "campaign_week",
    "catch_up_progress",
    "client_base",
    "client_status",
    "clv",
    "contact_plan",
    "dormancy_buckets",
    "generate_sample",
    "keep_up_list",
    "keep_up_timeline",
    "lift",
    "load_clients",
    "load_config",
    "load_contacts",
    "load_inputs",
    "load_transactions",
    "observed_counts",
    "outcome_report",
    "plan_from_config",
    "plots",
    "read_table",
    "scored_base",
    "segment_table",
    "value_by_dormancy",
    "value_concentration",
    "value_scores",
    "win_back_chance",
    "win_back_rates",
    "write_sample",
]
