"""`StatusPageSettings`: the feature's own variables, `PETSAGE_STATUS_*`."""

from typing import Annotated

from fastapi import Depends
from pydantic import BaseModel, Field
from pydantic_settings import SettingsConfigDict

from petsage.blueprint import Configuration, FeatureSettings, feature_settings


class ComponentLabel(BaseModel):
    """How the page shows one check: a name for people, and a group it belongs to."""

    name: str | None = Field(default=None, min_length=1, max_length=80)
    group: str | None = Field(default=None, min_length=1, max_length=80)


class StatusPageSettings(FeatureSettings):
    model_config = SettingsConfigDict(env_prefix="PETSAGE_STATUS_")

    # PETSAGE_STATUS_PAGE_ENABLED=false: every path of the feature answers 404.
    page_enabled: bool = True
    # 0: never merge. A gap is compared with it, not waited for, so any length is honoured.
    incident_merge_seconds: float = Field(default=300.0, ge=0, le=86_400)
    # At least the 90 days the page shows.
    rollup_days: int = Field(default=400, ge=90, le=3650)
    # Open Server-Sent Events streams per process; beyond it a stream gets 503 (the page polls).
    max_streams: int = Field(default=100, ge=0, le=10_000)
    # PETSAGE_STATUS_COMPONENTS, JSON: {"http:vetapi": {"name": "Vet API", "group": "Partners"}}.
    # The page, badges and feed show the name; status.json has both beside the check's own name.
    components: dict[str, ComponentLabel] = Field(default_factory=dict)


def page_enabled(configuration: Configuration) -> bool:
    return configuration.of(StatusPageSettings).page_enabled


StatusSettingsDep = Annotated[StatusPageSettings, Depends(feature_settings(StatusPageSettings))]
