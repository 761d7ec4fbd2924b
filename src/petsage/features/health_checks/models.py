"""Response and query models of the health endpoints; their descriptions feed the OpenAPI text.

Detail fields (duration, times, observed value) are present, null when unknown, only for
callers who may see them; for anyone else they are left out of the body.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic.alias_generators import to_camel

from petsage.check_names import CHECK_NAME_PATTERN
from petsage.health.model import Status
from petsage.resources import Page

ReportStatus = Literal["ok", "degraded", "error", "starting", "draining"]
DraftStatus = Literal["pass", "warn", "fail"]
HISTORY_LIMIT_MAX = 500
# RFC 3339 `date-time`, offset required. Pydantic alone would also take `0.5` as a Unix time.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _rfc3339_only(value: object) -> object:
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError("expected an RFC 3339 date-time with a time zone, as 2024-01-31T08:00:00Z")
    if not isinstance(value, str | datetime):
        raise ValueError("expected an RFC 3339 date-time string")
    return value


def _in_utc(value: datetime) -> datetime:
    # `0001-01-01T00:00:00+14:00` is a valid date-time but falls before year 1 in UTC, which
    # Python (and so both databases' bind step) cannot represent.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time falls outside years 1 to 9999 once converted to UTC") from None


HistoryTime = Annotated[AwareDatetime, BeforeValidator(_rfc3339_only), AfterValidator(_in_utc)]


class CheckReport(BaseModel):
    """One check's latest result."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="The check's name.", examples=["database"])
    status: Status = Field(description="`ok`, `degraded` or `error`.")
    critical: bool = Field(description="Whether an `error` here makes the instance unready.")
    reason: str | None = Field(
        default=None,
        description="Why the check is not ok; `reason withheld` for callers without detail "
        "access. Absent when the check is ok.",
        examples=["reason withheld"],
    )
    duration_ms: float | None = Field(default=None, description="Detail: how long it took.")
    checked_at: datetime | None = Field(default=None, description="Detail: when it last ran.")
    last_success_at: datetime | None = Field(default=None, description="Detail: last pass.")
    last_failure_at: datetime | None = Field(default=None, description="Detail: last failure.")
    observed_value: float | str | None = Field(
        default=None, description="Detail: what it measured.", examples=[1.7]
    )
    observed_unit: str | None = Field(default=None, description="Detail: unit of the value.")


class HealthReport(BaseModel):
    """The instance's health: its status, why, and each check's status."""

    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "example": {
                "status": "error",
                "message": "PetSage is not ready: critical checks failing: database.",
                "checks": [
                    {
                        "name": "database",
                        "status": "error",
                        "critical": True,
                        "reason": "reason withheld",
                    },
                    {"name": "disk", "status": "ok", "critical": False},
                ],
            }
        },
    )

    status: ReportStatus = Field(
        description="`ok` and `degraded` answer 200; `error`, `starting` and `draining` 503."
    )
    message: str = Field(description="One sentence for the operator reading the probe.")
    checks: list[CheckReport] = Field(description="Every check, in registration order.")


class DraftCheck(BaseModel):
    """One measurement in the `application/health+json` format."""

    model_config = ConfigDict(
        frozen=True, alias_generator=to_camel, serialize_by_alias=True, validate_by_name=True
    )

    component_id: str
    component_type: str = Field(examples=["datastore"])
    status: DraftStatus
    observed_value: float | str | None = None
    observed_unit: str | None = None
    time: datetime | None = None
    output: str | None = None


class DraftHealthReport(BaseModel):
    """The IETF draft-inadarei-api-health-check body (`application/health+json`)."""

    model_config = ConfigDict(
        frozen=True, alias_generator=to_camel, serialize_by_alias=True, validate_by_name=True
    )

    status: DraftStatus
    version: str = Field(description="The major version of the service.", examples=["1"])
    release_id: str = Field(description="The full release version.", examples=["1.0.0"])
    service_id: str = Field(examples=["petsage"])
    description: str
    output: str | None = None
    checks: dict[str, list[DraftCheck]] = Field(
        description="Keyed `component:measurement`, as in `database:responseTime`."
    )


class HistoryQuery(BaseModel):
    """Filters and page of `GET /system/health/history`."""

    check: str | None = Field(
        default=None, pattern=CHECK_NAME_PATTERN, description="Only this check's changes."
    )
    since: HistoryTime | None = Field(
        default=None, description="Changes at or after this time (with a time zone)."
    )
    until: HistoryTime | None = Field(
        default=None,
        description="Changes before this time (with a time zone); not earlier than `since`.",
    )
    limit: int = Field(default=50, ge=1, le=HISTORY_LIMIT_MAX, description="Page size.")
    offset: int = Field(default=0, ge=0, le=1_000_000, description="Changes to skip.")

    @model_validator(mode="after")
    def _range_is_ordered(self) -> Self:
        if self.since and self.until and self.since > self.until:
            raise ValueError("`since` must not be later than `until`")
        return self


class HealthEventPublic(BaseModel):
    """One recorded change of a check's status."""

    occurred_at: datetime = Field(description="When the change was seen (UTC).")
    check: str = Field(examples=["database"])
    old_status: Status | None = Field(description="None for a check's first result.")
    new_status: Status
    reason: str = Field(description="Why; `reason withheld` without detail access.")
    instance_id: str | None = Field(
        default=None,
        description="Detail: the process that saw it, `host:pid`. Absent for callers without "
        "detail access: a host name helps an attacker map the deployment.",
    )


class HealthEventsPublic(Page[HealthEventPublic]):
    """A page of status changes, newest first (the resource kit's page)."""
