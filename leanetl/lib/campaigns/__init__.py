"""Pure logic of the campaigns domain (no Dagster)."""
