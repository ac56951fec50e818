"""What a domain declares besides its steps: its raw tables, the data that lands from outside
leanetl, and its job. Every asset's group is its domain (the first part of its key)."""

from collections.abc import Iterable

import dagster as dg

from leanetl.defs.partitions import AssetJob

WAREHOUSE_KINDS = frozenset({"duckdb", "bigquery"})


def raw_spec(
    key: dg.AssetKey,
    description: str,
    deps: Iterable[dg.AssetKey] = (),
    kinds: Iterable[str] = WAREHOUSE_KINDS,
) -> dg.AssetSpec:
    """A raw table (or document set, or files that land from outside) of ``key``'s domain."""
    return dg.AssetSpec(
        key,
        deps=list(deps),
        group_name=key.path[0],
        description=description,
        kinds=set(kinds),
        tags={"layer": "raw"},
    )


def domain_job(
    name: str, domain: str, description: str, outside: dg.AssetKey | None = None
) -> AssetJob:
    """Every asset of ``domain`` but ``outside`` (what lands from outside leanetl: never run)."""
    selection = dg.AssetSelection.groups(domain)
    if outside is not None:
        selection = selection - dg.AssetSelection.assets(outside)
    return dg.define_asset_job(name, selection=selection, description=description)
