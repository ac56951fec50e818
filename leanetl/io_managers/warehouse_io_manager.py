"""The warehouse's IO manager: an asset's frame as ``<domain>.<asset>``, a day's rows replaced."""

import datetime as dt

import dagster as dg
import pandas as pd

from leanetl.io_managers.warehouse import PARTITION_COLUMN, Warehouse


class WarehouseIOManager(dg.ConfigurableIOManager):
    """Stores DataFrames as ``<domain>.<asset>``; daily partitions live in the ``dt`` column."""

    warehouse: dg.ResourceDependency[Warehouse]

    @staticmethod
    def _domain_table(key: dg.AssetKey) -> tuple[str, str]:
        path = list(key.path)
        return (path[0], path[-1]) if len(path) > 1 else ("default", path[0])

    @staticmethod
    def _days(context: dg.OutputContext | dg.InputContext) -> list[dt.date]:
        return [dt.date.fromisoformat(k) for k in context.asset_partition_keys]

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame | None) -> None:
        if obj is None:
            return
        domain, table = self._domain_table(context.asset_key)
        if not context.has_asset_partitions:
            self.warehouse.replace_table(domain, table, obj)
        else:
            days = self._days(context)
            if len(days) == 1:
                obj = obj.assign(**{PARTITION_COLUMN: days[0]})
            elif PARTITION_COLUMN not in obj.columns:
                raise ValueError(
                    f"{context.asset_key.to_user_string()}: a run over {len(days)} partitions "
                    f"must return a '{PARTITION_COLUMN}' column"
                )
            self.warehouse.replace_partitions(domain, table, obj, PARTITION_COLUMN, days)
        context.add_output_metadata(
            {
                "dagster/row_count": len(obj),
                "table": self.warehouse.table_ref(domain, table),
            }
        )

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        domain, table = self._domain_table(context.asset_key)
        if context.has_asset_partitions:
            return self.warehouse.read(domain, table, PARTITION_COLUMN, self._days(context))
        return self.warehouse.read(domain, table)
