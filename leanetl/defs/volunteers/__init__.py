"""Volunteer flake rate: VAN event sign-ups -> last status per sign-up -> weekly flake rates."""
