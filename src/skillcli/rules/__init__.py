"""Policies as cited data: load and lint rule files, evaluate them over a batch."""
