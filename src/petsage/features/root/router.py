"""`GET /`: where a person lands first."""

from fastapi import APIRouter

from petsage.features.root import service
from petsage.features.root.models import WelcomeResponse

router = APIRouter(tags=["Root"])


@router.get("/", summary="Welcome")
async def read_root() -> WelcomeResponse:
    """Welcome endpoint for the PetSage API."""
    return service.welcome()
