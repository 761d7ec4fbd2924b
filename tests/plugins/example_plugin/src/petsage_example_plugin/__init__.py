"""A feature that lives outside PetSage: found through the `petsage.features` entry point."""

from fastapi import APIRouter
from pydantic import BaseModel

from petsage.blueprint import Feature


class PluginGreeting(BaseModel):
    message: str


router = APIRouter(tags=["Example Plugin"])


@router.get("/example-plugin", summary="Greet from an installed feature")
async def get_plugin_greeting() -> PluginGreeting:
    """Answers only where the example plug-in is installed (PetSage's test environment)."""
    return PluginGreeting(message="Hello from an installed feature!")


feature = Feature(
    name="example_plugin", summary="An installed third-party feature", routers=(router,)
)
