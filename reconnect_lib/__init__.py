"""reconnect_lib: win back a business's past clients."""

__version__ = "0.1.0"
