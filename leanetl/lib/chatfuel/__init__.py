"""Chatfuel: the contacts export and its unpivot (no Dagster)."""
