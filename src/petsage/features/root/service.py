"""Welcome logic: a constant greeting."""

from petsage.features.root.models import WelcomeResponse

_WELCOME = WelcomeResponse(message="Welcome to the PetSage API!")


def welcome() -> WelcomeResponse:
    """Return the greeting shown at `/`."""
    return _WELCOME
