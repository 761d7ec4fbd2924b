"""Response model of `GET /me`."""

from pydantic import BaseModel, ConfigDict, Field


class CallerResponse(BaseModel):
    """The caller an access token names (RFC 9068)."""

    model_config = ConfigDict(frozen=True)

    subject: str = Field(description="The token's `sub`: who the token is about.")
    client_id: str | None = Field(description="The client the token was issued to.")
    scopes: list[str] = Field(description="What the token allows, sorted.")
