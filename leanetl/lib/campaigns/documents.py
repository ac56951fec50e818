"""The MongoDB documents of the campaigns domain, validated on read.

``campaigns`` and ``contributions`` belong to the crowd-funding platform; ``expenditures`` and
``canvases`` are written by leanetl. A stored document that does not fit its model is not used:
it goes to a quarantine with its ``_id`` and the reason, so one bad document never stops the rest.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from leanetl.lib.keys import key_segment
from leanetl.lib.quarantine import quarantine_frame, raw_json

CampaignStatus = Literal["draft", "active", "paused", "ended", "cancelled"]
# Statuses of campaigns whose ads ran (paused ads still collect late attribution).
RAN = frozenset({"active", "paused", "ended"})
CHANNEL = "facebook_ads"


def _as_date(value: Any) -> Any:
    """Mongo stores dates as datetimes; a campaign's dates are calendar days."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value


class FacebookRef(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ad_account_id: str = Field(min_length=1)
    campaign_id: str = Field(pattern=r"^\d+$")

    @field_validator("ad_account_id", "campaign_id", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("ad_account_id")
    @classmethod
    def _account(cls, value: str) -> str:
        number = value.removeprefix("act_")
        if not number.isdigit():
            raise ValueError(f"{value!r} is not an ad account id (act_<digits>)")
        return number


class Campaign(BaseModel):
    """A crowd-funding campaign and the Facebook campaign that advertises it."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(alias="_id")
    name: str = Field(min_length=1)
    status: CampaignStatus
    start_date: dt.date
    end_date: dt.date | None = None
    goal: float = Field(gt=0)
    raised: float = Field(ge=0)
    currency: str = "USD"
    facebook: FacebookRef

    _dates = field_validator("start_date", "end_date", mode="before")(_as_date)

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        return value if isinstance(value, str) else str(value)

    @field_validator("id")
    @classmethod
    def _id_is_key_segment(cls, value: str) -> str:
        # The id names the campaign's reach map in the object store and its URL in canvases.
        return key_segment(value, "_id")

    @model_validator(mode="after")
    def _window(self) -> "Campaign":
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        return self

    def ran_on(self, day: dt.date) -> bool:
        """Whether the campaign's ads were running on ``day``."""
        return (
            self.status in RAN
            and self.start_date <= day
            and (self.end_date is None or day <= self.end_date)
        )


class Contribution(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(alias="_id")
    campaign_id: str = Field(min_length=1)
    user_id: str = Field(min_length=1)
    amount: float = Field(gt=0)
    at: dt.datetime

    @field_validator("id", "campaign_id", "user_id", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return value if isinstance(value, str) or value is None else str(value)

    @field_validator("at")
    @classmethod
    def _utc(cls, value: dt.datetime) -> dt.datetime:
        # The embedded store and pymongo without tz_aware return naive datetimes, which are UTC.
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Expenditure(BaseModel):
    """What a campaign spent on one channel on one day (one document per campaign, day, channel)."""

    id: str = Field(alias="_id")
    campaign_id: str
    day: dt.datetime
    channel: str
    facebook_campaign_id: str
    currency: str
    spend: float = Field(ge=0)
    impressions: int = Field(ge=0)
    clicks: int = Field(ge=0)
    conversions: int = Field(ge=0)


class Canvas(BaseModel):
    """How far one contributor's money went in one campaign."""

    id: str = Field(alias="_id")
    user_id: str
    campaign_id: str
    amount_contributed: float = Field(ge=0)
    share_of_funds: float = Field(ge=0, le=1)
    share_of_spend: float = Field(ge=0)
    people_reached: float = Field(ge=0)
    cost_per_person_reached: float | None
    map_url: str
    as_of: dt.datetime


M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Validated(Generic[M]):
    valid: list[M]
    quarantine: list[dict[str, str]]  # _id, reason, raw (the document as JSON)

    def quarantine_frame(self, source: str) -> pd.DataFrame:
        """The quarantined documents in the one quarantine schema (locator ``_id <id>``)."""
        return quarantine_frame(
            source,
            [f"_id {q['_id']}" for q in self.quarantine],
            [q["reason"] for q in self.quarantine],
            [q["raw"] for q in self.quarantine],
        )


def _reason(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:3]:
        where = ".".join(str(p) for p in item["loc"]) or "document"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def validate_documents(documents: Iterable[dict[str, Any]], model: type[M]) -> Validated[M]:
    """Each document as ``model``, or a quarantine row naming its ``_id`` and what is wrong."""
    valid: list[M] = []
    bad: list[dict[str, str]] = []
    for document in documents:
        try:
            valid.append(model.model_validate(document))
        except ValidationError as error:
            bad.append(
                {
                    "_id": str(document.get("_id", "")),
                    "reason": _reason(error),
                    "raw": raw_json(document),
                }
            )
    return Validated(valid, bad)


CONTRIBUTION_COLUMNS = ("contribution_id", "campaign_id", "user_id", "amount", "at")


def contribution_rows(
    contributions: list[Contribution], campaigns: set[str], cutoff: dt.datetime
) -> pd.DataFrame:
    """Contributions to ``campaigns`` made before ``cutoff``, in id order."""
    return pd.DataFrame(
        [
            {
                "contribution_id": c.id,
                "campaign_id": c.campaign_id,
                "user_id": c.user_id,
                "amount": c.amount,
                "at": c.at,
            }
            for c in contributions
            if c.campaign_id in campaigns and c.at < cutoff
        ],
        columns=list(CONTRIBUTION_COLUMNS),
    ).sort_values("contribution_id", ignore_index=True)
