"""Dagster wiring, one package per domain; shared helpers beside them."""
