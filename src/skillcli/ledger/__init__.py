"""The payment ledger: runs, lines, certificates, bank disbursements and their events."""
