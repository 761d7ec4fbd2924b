"""Response models of `/system/info`; their descriptions feed the OpenAPI schema."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class SystemDetails(BaseModel):
    """Facts about the build and the process, shown under the health detail policy."""

    model_config = ConfigDict(frozen=True)

    git_commit: str | None = Field(
        examples=["3f2c1e9"],
        description="The commit the build came from (PETSAGE_GIT_COMMIT); null when unknown.",
    )
    python_version: str = Field(examples=["3.11.9"], description="The Python running PetSage.")
    started_at: datetime = Field(description="When this process started serving (UTC).")
    uptime_seconds: float = Field(examples=[3600.5], description="Seconds since `started_at`.")
    instance_id: str = Field(
        examples=["petsage-7d9f-abc12:1"],
        description="`<hostname>:<pid>`, as logs and health events name this process.",
    )


class SystemInfo(BaseModel):
    """What is running: the version for everyone, the details for those the policy allows."""

    model_config = ConfigDict(frozen=True)

    version: str = Field(examples=["1.0.0"], description="The PetSage version.")
    details: SystemDetails | None = Field(
        description="Withheld (null) unless PETSAGE_HEALTH_DETAILS allows this caller: "
        "`always`, or `authorized` with `Authorization: Bearer <PETSAGE_HEALTH_TOKEN>`.",
    )
