"""A throwaway sixth domain (copied into a temporary project by test_sixth_domain.py): a food
bank's parcel deliveries, one CSV dropped a day."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leanetl.domains import Domain

if TYPE_CHECKING:
    from leanetl.env_values import EnvValues
    from leanetl.settings import Settings


@dataclass(frozen=True)
class DeliveriesSettings:
    source_url: str

    @classmethod
    def read(cls, values: "EnvValues", core: "Settings") -> "DeliveriesSettings":
        default = core.sources_url("deliveries")
        return cls(source_url=values.text("LEANETL_DELIVERIES_SOURCE_URL", default=default))


DOMAIN = Domain.of(__name__, order=6, read=DeliveriesSettings.read, demo_job="deliveries_daily")
