"""Pure logic of the leads domain (no Dagster)."""
