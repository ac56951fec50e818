"""Policies applied in one place to every domain's assets, by their ``layer`` tag (raw | core | out)."""

from collections.abc import Callable

import dagster as dg

from leanetl.defs.partitions import out_freshness
from leanetl.settings import Settings


def with_policies(defs: dg.Definitions, settings: Settings) -> dg.Definitions:
    """``defs`` with a freshness policy on every asset people read (``layer: out``)."""
    freshness = out_freshness(settings)

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        if spec.tags.get("layer") != "out":
            return spec
        return spec.replace_attributes(freshness_policy=freshness)

    return dg.Definitions(
        assets=dg.map_asset_specs(apply, list(defs.assets or [])),
        asset_checks=defs.asset_checks,
        jobs=defs.jobs,
        schedules=defs.schedules,
        sensors=defs.sensors,
        resources=defs.resources,
        executor=defs.executor,
    )


def domain_defs(
    build_defs: Callable[[Settings], dg.Definitions], settings: Settings
) -> dg.Definitions:
    """A domain's ``build_defs(settings)`` with the shared policies applied."""
    return with_policies(build_defs(settings), settings)
