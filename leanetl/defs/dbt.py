"""dbt models as Dagster assets: keys ``[domain, model]``, groups by domain, tests as checks."""

import json
from collections.abc import Callable, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from leanetl.dbt_project import dbt_project
from leanetl.defs.partitions import ONE_DAY_PER_RUN
from leanetl.settings import Settings

# dbt's folders onto leanetl's layers: marts are what people read.
LAYERS = {"staging": "core", "intermediate": "core", "marts": "out"}


def _domain(props: Mapping[str, Any]) -> str | None:
    fqn = props.get("fqn", [])
    return fqn[2] if len(fqn) > 3 else None


class LeanetlDbtTranslator(DagsterDbtTranslator):
    """Model ``models/<layer>/<domain>/<name>.sql`` becomes asset ``[domain, name]``."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(DagsterDbtTranslatorSettings(enable_asset_checks=True))
        self._leanetl = settings

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] != "model":
            return spec
        domain = _domain(props)
        dbt_layer = props["fqn"][1]
        warehouse_kind = "duckdb" if self._leanetl.is_local else "bigquery"
        spec = spec.replace_attributes(
            key=dg.AssetKey([domain, props["name"]]) if domain else spec.key,
            group_name=domain or spec.group_name,
            kinds={"dbt", warehouse_kind},
        ).merge_attributes(tags={"layer": LAYERS.get(dbt_layer, "core"), "dbt_layer": dbt_layer})
        return spec


def build_domain_dbt_assets(
    domain: str,
    settings: Settings,
    partitions_def: dg.PartitionsDefinition,
    vars_for: Callable[[dg.AssetExecutionContext], dict[str, Any]],
) -> dg.AssetsDefinition:
    """The domain's dbt models, one ``dbt build`` per partition with ``vars_for`` its vars."""
    project = dbt_project()

    @dbt_assets(
        name=f"{domain}_dbt_models",
        manifest=project.manifest_path,
        project=project,
        select=" ".join(f"{layer}.{domain}" for layer in ("staging", "intermediate", "marts")),
        partitions_def=partitions_def,
        dagster_dbt_translator=LeanetlDbtTranslator(settings),
        pool="warehouse",
        backfill_policy=ONE_DAY_PER_RUN,
    )
    def _models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        # Where the warehouse is (profiles.yml reads these vars): given, not exported.
        where = {
            "leanetl_home": str(settings.home),
            "leanetl_dataset_suffix": settings.dataset_suffix,
        }
        args = ["build", "--vars", json.dumps({**where, **vars_for(context)})]
        yield from dbt.cli(args, context=context).stream()

    return _models
