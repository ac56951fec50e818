"""Deterministic sample sources for the local environment."""
