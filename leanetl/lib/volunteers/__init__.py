"""Pure logic of the volunteers domain (no Dagster)."""
