"""The campaigns' reach maps: a choropleth per changed campaign, HTML and PNG, in the maps'
store (GCS in prod)."""

import functools
from collections.abc import Callable, Iterator
from typing import Any

import dagster as dg
import pandas as pd

from leanetl.defs.campaigns.common import INSIGHTS_CHANGES, INSIGHTS_TOTALS, REACH_MAP
from leanetl.defs.campaigns.outputs import map_url, out_asset, to_write
from leanetl.defs.partitions import daily_step
from leanetl.defs.ranges import later_days
from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.campaigns.map_png import browser_session, png_images
from leanetl.lib.campaigns.map_store import write_maps
from leanetl.lib.campaigns.outputs import describe_plan
from leanetl.lib.campaigns.reach_map import offline_html, reach_map_figure
from leanetl.settings import Settings


def in_browser_session(browser_path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The step runs its days with one browser for the PNGs (``browser_session``)."""

    def wrap(step: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
        @functools.wraps(step)
        def in_session(*args: Any, **kwargs: Any) -> Iterator[Any]:
            with browser_session(browser_path):
                yield from step(*args, **kwargs)

        return in_session

    return wrap


def _campaign_figure(totals: pd.DataFrame, regions: pd.DataFrame, campaign_id: str) -> Any:
    """One campaign's reach map: reach by US state, other regions beside it, the API's total."""
    rows = regions[regions["campaign_id"] == campaign_id]
    name = rows["campaign_name"].iloc[0] if len(rows) else campaign_id
    states = rows[rows["state"].notna()].groupby("state", as_index=False)["reach"].sum()
    others = rows.loc[rows["state"].isna(), ["region", "reach"]]
    whole = totals[(totals["level"] == "campaign") & (totals["campaign_id"] == campaign_id)]
    total = int(whole["reach"].iloc[0]) if len(whole) else None
    return reach_map_figure(states, others, f"People reached: {name}", total)


def build_reach_map(settings: Settings) -> dg.AssetsDefinition:

    @daily_step(
        settings,
        REACH_MAP.path[-1],
        outer=in_browser_session(settings.campaigns.browser_path),
        **out_asset(
            REACH_MAP,
            "Per campaign, a choropleth of the people reached by US state (other regions "
            "listed beside it): self-contained HTML that opens offline, and PNG, uploaded to "
            f"{settings.campaigns.maps_url}. Only campaigns whose insights changed are redrawn.",
            {"plotly", "gcs"},
            {"totals": INSIGHTS_TOTALS, "plan": INSIGHTS_CHANGES},
        ),
        include_today=True,
    )
    def reach_map(
        context: dg.AssetExecutionContext,
        maps: ObjectStore,
        totals: pd.DataFrame,
        plan: pd.DataFrame,
    ) -> dg.MaterializeResult:
        regions = totals[totals["level"] == "region"]
        # In a run over several days, a map a later day of the run redraws is drawn then only:
        # each campaign's map is one object, the last drawing is the one that stays.
        later = later_days(context, "plan")
        redrawn_later = to_write(later) if later is not None else set()
        figures = {
            campaign_id: _campaign_figure(totals, regions, campaign_id)
            for campaign_id in sorted(to_write(plan) - redrawn_later)
        }
        images, png_note = png_images(
            list(figures.values()), browser_path=settings.campaigns.browser_path
        )
        pages = {campaign_id: offline_html(figure) for campaign_id, figure in figures.items()}
        write_maps(maps, pages, dict(zip(figures, images, strict=True)) if images else {})
        uploaded = {campaign_id: map_url(maps, settings, campaign_id) for campaign_id in figures}
        return dg.MaterializeResult(
            metadata={
                "maps_uploaded": len(uploaded),
                "status": describe_plan(plan),
                "urls": dg.MetadataValue.md(
                    "\n".join(f"- {c}: {u}" for c, u in uploaded.items()) or "_none uploaded_"
                ),
                "png": png_note if figures else "no map drawn",
                "maps_left_to_later_days": len(to_write(plan) & redrawn_later),
                "store": maps.uri("reach-maps"),
            }
        )

    return reach_map
