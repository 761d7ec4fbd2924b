"""Response model of the welcome endpoint."""

from pydantic import BaseModel, ConfigDict, Field


class WelcomeResponse(BaseModel):
    """The greeting returned at the API root."""

    model_config = ConfigDict(frozen=True)

    message: str = Field(
        examples=["Welcome to the PetSage API!"],
        description="A greeting that confirms you reached the PetSage API.",
    )
