"""Leads: Google Sheet (or export) + companies -> clean, dedupe -> four Spark answers -> dashboard."""
