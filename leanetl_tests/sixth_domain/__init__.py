"""The deliveries domain (a test fixture: a sixth domain in one folder)."""
