"""E-mail on run failure: who ran what, which step failed, the error, and a link to the run."""

import dagster as dg

from leanetl.defs.resources import Mailer
from leanetl.lib.redact import redact
from leanetl.settings import Settings


def failure_report(context: dg.RunFailureSensorContext, ui_url: str) -> tuple[str, str]:
    """(subject, body) of the alert for a failed run."""
    run = context.dagster_run
    partition = run.tags.get("dagster/partition", "")
    failures = context.get_step_failure_events()
    steps = [event.step_key or "?" for event in failures]
    subject = f"[leanetl] {run.job_name} failed" + (f" for {partition}" if partition else "")
    subject += f" at {', '.join(steps)}" if steps else ""
    lines = [
        f"Run {run.run_id} of job {run.job_name} failed.",
        f"Partition: {partition or '(none)'}",
        f"Run page: {ui_url}/runs/{run.run_id}",
        "",
    ]
    if not failures:
        lines.append(f"Run failure: {context.failure_event.message or 'no step failed'}")
    for event in failures:
        error = event.step_failure_data.error
        lines.append(f"Failed step: {event.step_key}")
        if error is not None:
            lines.append(f"Error: {error.cls_name}: {error.message.strip()}")
            cause = error.cause
            while cause is not None:
                lines.append(f"Caused by: {cause.cls_name}: {cause.message.strip()}")
                cause = cause.cause
        lines.append("")
    return redact(subject), redact("\n".join(lines))


def build_failure_email_sensor(settings: Settings) -> dg.SensorDefinition:
    @dg.run_failure_sensor(
        name="email_on_run_failure",
        description="E-mails LEANETL_ALERT_TO the run id, failed step and error of a failed run.",
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
    )
    def email_on_run_failure(context: dg.RunFailureSensorContext, mailer: Mailer):
        if not mailer.configured:
            return dg.SkipReason("LEANETL_SMTP_HOST or LEANETL_ALERT_TO not set: no e-mail sent")
        subject, body = failure_report(context, settings.ui_url)
        mailer.send(subject, body)
        context.log.info(f"failure e-mail for run {context.dagster_run.run_id} sent")
        return None

    return email_on_run_failure
