"""Liveness logic. Deliberately touches no database or other dependency: if the process can
run this function, it is alive, and restarting it would not help anything else."""

from petsage.features.smoke_test.models import SmokeTestResponse

_ALIVE = SmokeTestResponse(status="ok", message="PetSage system is alive and purring!")


def perform_system_check() -> SmokeTestResponse:
    """Return the liveness answer. It is constant by design; see the module docstring."""
    return _ALIVE
