"""The payout stage, one module per concern; ``skillcli.payout.decide.decide`` chains them.

- ``decide``: the orchestration, batch + policy (+ ledger history) → ``Decision``.
- ``decision``: the ``Decision`` and its control totals.
- ``holds``: rows held by an error, lines held by a rule that cannot be decided.
- ``limits``: E4 exclusive groups, E2 no repeat, E1 yearly count, across the ledger's trainings.
- ``history`` and ``settled``: what the ledger holds, and the claims it already paid or advanced.
- ``advances``: advance batches and netting what was advanced (E10, E15).
- ``lines``: payment lines and their claim keys; ``ineligible``: rows no rule pays.
- ``notes``: batch-level warnings; ``reasons``: the issue rows every stage emits.
- ``explain``: one person's rows, rule by rule, from a decision.

This package imports nothing above it (ledger, report, api, cli); it stays light to import so that
``skillcli.ledger`` can take ``History`` from it without loading the rule engine.
"""
