"""reconnect_lib: win back a business's past clients.

The handful of functions a notebook calls; everything else lives in the stage
modules (``load``, ``client_base``, ``dormancy``, ``value``), ``plots`` and
``reports``.

>>> import reconnect_lib as rl
>>> campaign = rl.scored_base("data/sample/consulting-firm/campaign.toml")  # doctest: +SKIP
>>> campaign.buckets  # doctest: +SKIP
"""

from . import plots
from .client_base import client_base
from .config import CampaignConfig, load_config
from .dormancy import base_summary, bucket_labels, bucket_table, dormancy_buckets, keep_up_list
from .errors import ConfigError, InputError, ReconnectError, StoreError
from .load import Inputs, LoadReport, load_clients, load_contacts, load_inputs, load_transactions, read_table
from .pipeline import Campaign, scored_base
from .sample import generate_sample, write_sample
from .value import segment_table, value_scores, win_back_chance

__version__ = "0.1.0"

__all__ = [
    "Campaign",
    "CampaignConfig",
    "ConfigError",
    "InputError",
    "Inputs",
    "LoadReport",
    "ReconnectError",
    "StoreError",
    "__version__",
    "base_summary",
    "bucket_labels",
    "bucket_table",
    "client_base",
    "dormancy_buckets",
    "generate_sample",
    "keep_up_list",
    "load_clients",
    "load_config",
    "load_contacts",
    "load_inputs",
    "load_transactions",
    "plots",
    "read_table",
    "scored_base",
    "segment_table",
    "value_scores",
    "win_back_chance",
    "write_sample",
]
