"""The chatfuel domain: a bot's users and their attributes as events (Dagster wiring only)."""
