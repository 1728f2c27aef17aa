"""Test support: a throw-away PostgreSQL server for the ledger tests."""
