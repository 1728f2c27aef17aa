"""The package's version, in a module of its own: the ledger and the reports read it, and they sit
below ``skillcli/__init__.py``, which re-exports the api (tests/test_layers.py)."""

__version__ = "0.1.0"
