"""Settings for commands: a bad value ends the command with one line and exit code 2.

Free of typer, for `petsage serve`'s start without it (`petsage.cli.serve`): a `SystemExit`
ends a typer command with its code as `typer.Exit` does.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NoReturn

from petsage.settings import ConfigurationError, Settings, load_settings

if TYPE_CHECKING:
    from petsage.auth.settings import AuthSettings

EXIT_CONFIGURATION = 2


def settings_or_exit(**overrides: Any) -> Settings:
    """Load settings; on an invalid value print `petsage: invalid setting ...` and exit 2."""
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ConfigurationError as exc:
        fail(str(exc))


def auth_settings_or_exit() -> AuthSettings:
    """Load `PETSAGE_AUTH_*` and `PETSAGE_CORS_*`; an invalid value is one line and exit 2."""
    from petsage.auth.settings import load_auth_settings  # noqa: PLC0415 (only serve and auth)

    try:
        return load_auth_settings()
    except ConfigurationError as exc:
        fail(str(exc))


def fail(message: str, code: int = EXIT_CONFIGURATION) -> NoReturn:
    """Print one line to stderr and end the command with `code`."""
    print(f"petsage: {message}", file=sys.stderr, flush=True)
    raise SystemExit(code)
