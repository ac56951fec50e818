"""A sensor that notices campaigns that became active and refreshes the days they ran."""

import datetime as dt
import json

import dagster as dg

from leanetl.defs.campaigns.common import ADS_INSIGHTS, CAMPAIGNS_COLLECTION, DOMAIN
from leanetl.defs.partitions import AssetJob
from leanetl.io_managers.mongo import MongoStore
from leanetl.lib.campaigns.documents import Campaign, validate_documents
from leanetl.settings import Settings


def days_to_refresh(
    campaign: Campaign, first_partition: dt.date, today: dt.date, done: set[str]
) -> list[str]:
    """The partitions of ``campaign``'s window so far that have not been materialised yet."""
    start = max(campaign.start_date, first_partition)
    end = min(campaign.end_date or today, today)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    return [d.isoformat() for d in days if d.isoformat() not in done]


def catch_up(
    campaigns: list[Campaign], first_partition: dt.date, today: dt.date, done: set[str], limit: int
) -> tuple[list[str], int]:
    """The newest ``limit`` missing days of any of ``campaigns``' windows, newest first (a run
    refreshes every campaign, so one run per day), and how many older days were left out."""
    missing = sorted(
        {d for c in campaigns for d in days_to_refresh(c, first_partition, today, done)},
        reverse=True,
    )
    return missing[:limit], max(0, len(missing) - limit)


def build_active_campaigns_sensor(settings: Settings, job: AssetJob) -> dg.SensorDefinition:
    @dg.sensor(
        name="campaigns_newly_active",
        job=job,
        minimum_interval_seconds=300,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Looks at the campaigns collection every 5 minutes; for campaigns that became "
            "active since the last look, requests the newest LEANETL_SENSOR_CATCHUP_DAYS days of "
            "their windows not yet materialised, newest first, one run per day."
        ),
    )
    def campaigns_newly_active(
        context: dg.SensorEvaluationContext, mongo: MongoStore
    ) -> dg.SensorResult | dg.SkipReason:
        seen = set(json.loads(context.cursor)) if context.cursor else set()
        with mongo.session(DOMAIN) as database:
            documents = list(database[CAMPAIGNS_COLLECTION].find({"status": "active"}))
        today = settings.today()
        active = [
            c
            for c in validate_documents(documents, Campaign).valid
            if c.status == "active" and c.start_date <= today
        ]
        new = [c for c in active if c.id not in seen]
        if not new:
            return dg.SkipReason(f"no newly active campaign ({len(active)} active)")
        done = context.instance.get_materialized_partitions(ADS_INSIGHTS)
        days, left_out = catch_up(
            new, settings.start_date, today, done, settings.sensor_catchup_days
        )
        activated = "+".join(sorted(c.id for c in new))
        # Newest first: the queue runs them in this order, so today's figures come first.
        requests = [
            dg.RunRequest(
                run_key=f"{activated}:{day}",
                partition_key=day,
                tags={"leanetl/activated_campaigns": activated},
            )
            for day in days
        ]
        context.log.info(
            "newly active: "
            + ", ".join(f"{c.id} ({c.start_date} to {c.end_date or 'open'})" for c in new)
            + f"; requested {len(days)} day(s), newest first"
            + (
                f"; {left_out} older day(s) left out (LEANETL_SENSOR_CATCHUP_DAYS="
                f"{settings.sensor_catchup_days}): backfill them from the UI if needed"
                if left_out
                else ""
            )
        )
        return dg.SensorResult(
            run_requests=requests,
            cursor=json.dumps(sorted(seen | {c.id for c in active})),
        )

    return campaigns_newly_active
