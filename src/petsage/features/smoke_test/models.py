"""Response models of the liveness check; their descriptions feed the OpenAPI schema."""

from pydantic import BaseModel, ConfigDict, Field, JsonValue

HEALTHY_EXAMPLE: dict[str, JsonValue] = {
    "status": "ok",
    "message": "PetSage system is alive and purring!",
}


class SmokeTestResponse(BaseModel):
    """Defines the response structure for a successful system health check."""

    model_config = ConfigDict(frozen=True, json_schema_extra={"example": HEALTHY_EXAMPLE})

    status: str = Field(
        examples=["ok"],
        description="The operational status of the system.",
    )
    message: str = Field(
        examples=["PetSage system is alive and purring!"],
        description="A confirmation message indicating system health.",
    )
