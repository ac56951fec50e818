"""What every domain's dashboard asset shares: its spec and how the page is published."""

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeAlias

import dagster as dg

from leanetl.defs.partitions import daily_step, partition_day
from leanetl.io_managers.object_store import ObjectStore
from leanetl.io_managers.warehouse import Warehouse
from leanetl.lib.dashboards import PLOTLY_JS_NAME, plotly_js
from leanetl.settings import Settings

DASHBOARDS = "dashboards"
# From dashboards/<domain>/<report>/dt=<day>/index.html to the one plotly.js under dashboards/.
PLOTLY_SRC = f"../../../{PLOTLY_JS_NAME}"


def dashboard_key(domain: str, report: str, day: str) -> str:
    """Where a day's report lives in the lake."""
    return f"{DASHBOARDS}/{domain}/{report}/dt={day}/index.html"


Dep: TypeAlias = dg.AssetKey | Sequence[str]
# A page and its materialisation's metadata; None: nothing to show that day (no page published).
Page: TypeAlias = tuple[str, dict[str, object]] | None


def dashboard_spec(key: Sequence[str], deps: Sequence[Dep], description: str) -> dg.AssetSpec:
    """An HTML report in the lake, refreshed whenever what it shows is (eager), kept fresh."""
    return dg.AssetSpec(
        list(key),
        group_name=key[0],
        # A page with nothing to show is not published (an old day's run must not replace the
        # latest materialisation with an empty page).
        skippable=True,
        deps=[
            dg.AssetKey.from_coercible(d if isinstance(d, dg.AssetKey) else list(d)) for d in deps
        ],
        kinds={"plotly", "html"},
        tags={"layer": "out"},
        automation_condition=dg.AutomationCondition.eager(),
        description=description,
    )


def dashboard_asset(
    settings: Settings,
    key: Sequence[str],
    deps: Sequence[Dep],
    description: str,
    include_today: bool = False,
    timezone: str | None = None,
    **extra: Any,
) -> Callable[[Callable[..., Any]], dg.AssetsDefinition]:
    """The decorator of a domain's dashboard asset: its spec, daily partitions, a backfill as
    one run (a page per day: ``per_day``), retries (it reads the warehouse, the lake or MongoDB
    and writes the lake)."""
    return daily_step(
        settings,
        f"{key[-1]}_html",
        include_today=include_today,
        timezone=timezone,
        specs=[dashboard_spec(key, deps, description)],
        **extra,
    )


def publish_dashboard(
    lake: ObjectStore, key: str, page: str, metadata: dict[str, object] | None = None
) -> dg.MaterializeResult:
    """Write the page (built with ``plotly_src=PLOTLY_SRC``) and, once, the shared plotly.js
    beside the dashboards; the page's URL and path go to the materialisation."""
    shared = f"{DASHBOARDS}/{PLOTLY_JS_NAME}"
    if not lake.exists(shared):
        lake.put_bytes(shared, plotly_js(), content_type="text/javascript")
    lake.put_bytes(key, page.encode(), content_type="text/html")
    return dg.MaterializeResult(
        metadata={
            "dashboard_url": dg.MetadataValue.url(lake.browser_url(key)),
            "path": dg.MetadataValue.path(lake.uri(key)),
            **(metadata or {}),
            "bytes": len(page),
        }
    )


def warehouse_dashboard(
    settings: Settings,
    key: Sequence[str],
    deps: Sequence[Dep],
    description: str,
    page: Callable[[Warehouse, dt.date], Page],
) -> dg.AssetsDefinition:
    """A dashboard drawn from warehouse tables: ``page(warehouse, day)`` builds the day's page,
    published as report ``key[-1]`` less its ``_dashboard``."""
    report = key[-1].removesuffix("_dashboard")

    @dashboard_asset(settings, key, deps, description, pool="warehouse")
    def _dashboard(
        context: dg.AssetExecutionContext, warehouse: Warehouse, lake: ObjectStore
    ) -> Iterator[dg.MaterializeResult]:
        day = partition_day(context)
        built = page(warehouse, day)
        if built is None:
            context.log.info(f"nothing to show as of {day}: no page published")
            return
        html, metadata = built
        yield publish_dashboard(
            lake, dashboard_key(key[0], report, day.isoformat()), html, metadata
        )

    return _dashboard
