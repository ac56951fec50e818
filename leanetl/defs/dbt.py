"""dbt models as Dagster assets: keys ``[domain, model]``, groups by domain, tests as checks."""

import datetime as dt
import json
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from leanetl.dbt_project import dbt_project
from leanetl.defs.ranges import RANGE_PER_RUN, partition_days
from leanetl.io_managers.duckdb_lock import LOCK_WAIT_SECONDS, held_by_another
from leanetl.io_managers.warehouse import Warehouse
from leanetl.settings import Settings

# The tag of a model that keeps one slice per partition day (as_of_date): its rows are counted.
SLICED = "sliced_by"
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
        if "as_of_date" in props.get("columns", {}):
            spec = spec.merge_attributes(tags={SLICED: "as_of_date"})
        return spec


def with_slice_row_counts(
    context: dg.AssetExecutionContext, events: list[Any], warehouse: Warehouse, days: list[dt.date]
) -> Iterator[Any]:
    """dbt's events, each output of a model sliced by ``as_of_date`` with ``dagster/row_count``:
    the rows of the run's day slices (staging models are views over the source, not counted: on
    BigQuery that would scan the source each run; history models keep a row per change). A run
    over several days records each day's own count on that day, and the range's as
    ``range_row_count`` and ``rows_per_day``."""
    for event in events:
        if isinstance(event, dg.Output):
            key = context.asset_key_for_output(event.output_name)
            if context.assets_def.specs_by_key[key].tags.get(SLICED) == "as_of_date":
                table = warehouse.table_ref(key.path[0], key.path[-1])  # manifest names, quoted
                sql = (
                    f"select as_of_date, count(*) as n from {table} "
                    f"where as_of_date between {warehouse.param('first')} "
                    f"and {warehouse.param('last')} group by as_of_date"
                )
                counts = warehouse.query(sql, {"first": days[0], "last": days[-1]})
                per_day = {
                    str(d)[:10]: int(n)
                    for d, n in zip(counts["as_of_date"], counts["n"], strict=True)
                }
                extra: dict[str, Any] = {"dagster/row_count": sum(per_day.values())}
                if len(days) > 1:
                    # Each day's materialisation its own count; the range's under other names.
                    rows = {d.isoformat(): per_day.get(d.isoformat(), 0) for d in days}
                    for day, n in rows.items():
                        context.add_asset_metadata(
                            {"dagster/row_count": n}, asset_key=key, partition_key=day
                        )
                    extra = {"range_row_count": sum(rows.values())}
                    extra["rows_per_day"] = dg.MetadataValue.json(rows)
                event = event.with_metadata({**event.metadata, **extra})
        yield event


def build_domain_dbt_assets(
    domain: str,
    settings: Settings,
    partitions_def: dg.PartitionsDefinition,
    vars_for: Callable[[list[dt.date]], dict[str, Any]],
) -> dg.AssetsDefinition:
    """The domain's dbt models; a backfill is one run and one ``dbt build`` that computes every
    day of the run (vars ``as_of_start``..``as_of_end`` from ``vars_for(days)``)."""
    project = dbt_project()

    @dbt_assets(
        name=f"{domain}_dbt_models",
        manifest=project.manifest_path,
        project=project,
        select=" ".join(f"{layer}.{domain}" for layer in ("staging", "intermediate", "marts")),
        partitions_def=partitions_def,
        dagster_dbt_translator=LeanetlDbtTranslator(settings),
        pool="warehouse",
        backfill_policy=RANGE_PER_RUN,
    )
    def _models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
        # Where the warehouse is (profiles.yml reads these vars): given, not exported.
        where = {
            "leanetl_home": str(settings.home),
            "leanetl_dataset_suffix": settings.dataset_suffix,
        }
        days = partition_days(context)
        args = ["build", "--vars", json.dumps({**where, **vars_for(days)})]
        # Counted once dbt has finished: DuckDB lets no other process open the file meanwhile.
        events = _build_when_free(context, dbt, args, warehouse)
        yield from with_slice_row_counts(context, events, warehouse, days)

    return _models


def _build_when_free(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, args: list[str], warehouse: Warehouse
) -> list[Any]:
    """dbt's events. On DuckDB, a build that finds the file held by another run (another
    local run's write or dbt) starts again once it is free, as the Python writes wait, for up to
    ``LOCK_WAIT_SECONDS``: otherwise the raw slices this run already replaced would be left
    without their models."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        invocation = dbt.cli(args, context=context, raise_on_error=False)
        events = list(invocation.stream())
        error = None if invocation.is_successful() else invocation.get_error()
        if error is None:
            return events
        locked = warehouse.backend == "duckdb" and held_by_another(error)
        if not locked or time.monotonic() > deadline:
            raise error
        context.log.info("The DuckDB file is held by another run: dbt starts again in 2 s.")
        time.sleep(2)
