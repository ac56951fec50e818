"""Every asset's key is [domain, name]: a domain's keys, written once."""

import dagster as dg


def asset_keys(domain: str, *names: str) -> tuple[dg.AssetKey, ...]:
    """The keys of ``domain``'s assets ``names``, in order (unpacked into the domain's names)."""
    return tuple(dg.AssetKey([domain, name]) for name in names)
