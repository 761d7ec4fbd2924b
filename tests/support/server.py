"""The real `petsage` command as a subprocess: moved to `petsage.testing.server`, so that
features and plug-ins test with it too; here for the tests in tests/ and bench/."""

from petsage.testing.server import (
    STARTUP_TIMEOUT_SECONDS,
    RunningServer,
    child_env,
    free_port,
    petsage_command,
    petsage_server,
    run_petsage,
    wait_until_ready,
)

__all__ = [
    "STARTUP_TIMEOUT_SECONDS",
    "RunningServer",
    "child_env",
    "free_port",
    "petsage_command",
    "petsage_server",
    "run_petsage",
    "wait_until_ready",
]
