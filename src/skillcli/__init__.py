"""skillcli: check vocational-training subsidy rosters and compute payouts.

The package is a library first and a command line second: ``skillcli.pipeline`` runs a batch and
returns values; ``skillcli.cli`` only parses arguments, calls it, renders and picks an exit code.
"""

__version__ = "0.1.0"
