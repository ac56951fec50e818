"""The leads dashboard: a plotly HTML report per partition day, written to the lake."""

import dagster as dg
import pandas as pd

from leanetl.defs.dashboards import PLOTLY_SRC, dashboard_asset, dashboard_key, publish_dashboard
from leanetl.defs.leads.common import DOMAIN
from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.leads.dashboard import leads_dashboard
from leanetl.settings import Settings


def build_dashboard_asset(settings: Settings) -> dg.AssetsDefinition:
    @dashboard_asset(
        settings,
        [DOMAIN, "leads_dashboard"],
        [[DOMAIN, "leads_per_month"], [DOMAIN, "leads_last_10_days"], [DOMAIN, "top_countries"]],
        "Leads per month, the last 10 days and the top countries, as one HTML page.",
        ins={
            "per_month": dg.AssetIn([DOMAIN, "leads_per_month"]),
            "last_10_days": dg.AssetIn([DOMAIN, "leads_last_10_days"]),
            "top_countries": dg.AssetIn([DOMAIN, "top_countries"]),
        },
    )
    def leads_dashboard_html(
        context: dg.AssetExecutionContext,
        lake: ObjectStore,
        per_month: pd.DataFrame,
        last_10_days: pd.DataFrame,
        top_countries: pd.DataFrame,
    ) -> dg.MaterializeResult:
        day = context.partition_key
        page = leads_dashboard(per_month, last_10_days, top_countries, day, PLOTLY_SRC)
        return publish_dashboard(lake, dashboard_key(DOMAIN, "answers", day), page)

    return leads_dashboard_html
