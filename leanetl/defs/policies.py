"""Policies applied in one place to every domain's assets, by their ``layer`` tag (raw | core | out)."""

from collections.abc import Callable
from typing import Any

import dagster as dg

from leanetl.defs.partitions import out_freshness
from leanetl.settings import Settings
from leanetl.settings import settings as process_settings

# What a domain's definitions hold besides assets (a domain sets no loggers or metadata).
_KEPT = ("asset_checks", "jobs", "schedules", "sensors", "resources", "executor")


def with_policies(defs: dg.Definitions, settings: Settings) -> dg.Definitions:
    """``defs`` with a freshness policy on every asset people read (``layer: out``)."""
    freshness = out_freshness(settings)

    def apply(spec: dg.AssetSpec) -> dg.AssetSpec:
        if spec.tags.get("layer") != "out":
            return spec
        return spec.replace_attributes(freshness_policy=freshness)

    # Definitions.map_asset_specs does this, but is a preview API (it warns).
    kept = {name: getattr(defs, name) for name in _KEPT}
    return dg.Definitions(assets=dg.map_asset_specs(apply, list(defs.assets or [])), **kept)


def loaded_by_dg(build_defs: Callable[[Settings], dg.Definitions]) -> Any:
    """What a domain's ``definitions.py`` hands to ``dg`` (``@dg.definitions``, built when loaded):
    ``build_defs`` for this process's settings, with the shared policies."""

    @dg.definitions
    def domain() -> dg.Definitions:
        return domain_defs(build_defs, process_settings())

    return domain


def domain_defs(
    build_defs: Callable[[Settings], dg.Definitions], settings: Settings
) -> dg.Definitions:
    """A domain's ``build_defs(settings)`` with the shared policies applied."""
    return with_policies(build_defs(settings), settings)
