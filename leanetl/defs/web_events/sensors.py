"""``web_events_new_objects``: requests a run for each arrival day that got new raw objects."""

import datetime as dt
import hashlib

import dagster as dg

from leanetl.defs.partitions import AssetJob
from leanetl.io_managers.object_store import ObjectStore
from leanetl.lib.web_events.cursor import Cursor, days_to_list, keys_by_day, list_days, take_new
from leanetl.lib.web_events.objects import day_prefix
from leanetl.settings import Settings


def build_new_objects_sensor(settings: Settings, job: AssetJob) -> dg.SensorDefinition:
    web = settings.web_events

    @dg.sensor(
        name="web_events_new_objects",
        job=job,
        minimum_interval_seconds=web.sensor_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Lists the raw Firehose objects (the day prefixes from LEANETL_WEB_EVENTS_LOOKBACK_DAYS "
            "before the newest seen to today) and requests one run per arrival day with new "
            "objects; the cursor is the newest last-modified seen and the keys seen at it."
        ),
    )
    def web_events_new_objects(
        context: dg.SensorEvaluationContext, web_raw: ObjectStore
    ) -> dg.SensorResult | dg.SkipReason:
        cursor = Cursor.from_text(context.cursor)
        today = dt.datetime.now(dt.UTC).date()  # arrival days are UTC
        first = max(settings.start_date, today - dt.timedelta(days=settings.sensor_catchup_days))
        days = days_to_list(cursor, today, web.lookback_days, first)
        listed = list_days(web_raw, days)
        new, advanced = take_new(cursor, listed)
        if not new:
            return dg.SkipReason(f"no new object among {len(listed)} listed")
        requests = []
        for day, keys in keys_by_day(new).items():
            if day < settings.start_date or day > today:
                context.log.warning(
                    f"{len(keys)} object(s) under {day_prefix(day)}: outside the partitions"
                )
                continue
            digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
            requests.append(
                dg.RunRequest(
                    run_key=f"{day}:{digest}",
                    partition_key=day.isoformat(),
                    run_config={"ops": {"transform_web_events": {"config": {"keys": keys}}}},
                    tags={"leanetl/new_objects": str(len(keys))},
                )
            )
        context.log.info(f"{len(new)} new object(s) in {len(requests)} day(s)")
        return dg.SensorResult(run_requests=requests, cursor=advanced.to_text())

    return web_events_new_objects
