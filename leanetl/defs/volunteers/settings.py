"""The volunteers domain's settings (read by ``leanetl/settings.py``, which finds them through ``DOMAIN``)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leanetl.domains import Domain

if TYPE_CHECKING:
    from leanetl.env_values import EnvValues
    from leanetl.settings import Settings


@dataclass(frozen=True)
class VolunteersSettings:
    signups_table: str  # prod: project.dataset.table read in place by dbt
    cron: str
    quarantine_max_share: float

    @classmethod
    def read(cls, values: "EnvValues", core: "Settings") -> "VolunteersSettings":
        table = values.text("LEANETL_VAN_SIGNUPS_TABLE")
        if not core.is_local and table and len(table.split(".")) != 3:
            raise ValueError(
                f"LEANETL_VAN_SIGNUPS_TABLE={table!r} is not project.dataset.table "
                "(needed outside the local environment)"
            )
        return cls(
            signups_table=table,
            cron=values.text("LEANETL_VOLUNTEERS_CRON"),
            quarantine_max_share=values.share("LEANETL_VOLUNTEERS_QUARANTINE_MAX_SHARE"),
        )


DOMAIN = Domain.of(__name__, order=1, read=VolunteersSettings.read, demo_job="volunteers_daily")
