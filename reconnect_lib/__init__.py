"""reconnect_lib: win back a business's past clients.

The handful of functions a notebook calls; everything else lives in the stage
modules (``load``, ``client_base``, ``dormancy``, ``value``, ``plan``,
``exports``, ``outcomes``, ``metrics``, ``clv``), ``plots``, ``weekly`` (one
campaign week, composed for the weekly report) and ``reports``.
The outcome store and its metrics (SQLAlchemy, statsmodels) load on first use.

>>> import reconnect_lib as rl
>>> campaign = rl.scored_base("data/sample/consulting-firm/campaign.toml")  # doctest: +SKIP
>>> campaign.buckets  # doctest: +SKIP
"""

from .client_base import client_base
from .config import CampaignConfig, load_config
from .dormancy import base_summary, bucket_labels, bucket_table, dormancy_buckets, keep_up_list
from .errors import ConfigError, InputError, ReconnectError, StoreError
from .load import Inputs, LoadReport, load_clients, load_contacts, load_inputs, load_transactions, read_table
from .pipeline import Campaign, CampaignSource, outcome_report, scored_base
from .plan import ContactPlan, contact_plan, keep_up_timeline, plan_from_config
from .sample import generate_sample, write_sample
from .value import segment_table, value_by_dormancy, value_concentration, value_scores, win_back_chance

__version__ = "0.1.0"

_LAZY = {
    "OutcomeStore": "outcomes",
    "client_status": "metrics",
    "win_back_rates": "metrics",
    "observed_counts": "metrics",
    "lift": "metrics",
    "catch_up_progress": "metrics",
    "campaign_week": "weekly",
}


_LAZY_MODULES = ("clv", "plots")


def __getattr__(name: str):
    # The outcome store (SQLAlchemy, statsmodels), the models (scipy) and the charts
    # (plotly) load on first use, so `import reconnect_lib` stays quick.
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'reconnect_lib' has no attribute {name!r}")


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
