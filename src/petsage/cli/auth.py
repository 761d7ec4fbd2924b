"""`petsage auth token`: an access token from the development issuer, for local calls.

    petsage auth token --subject alice --scope "pet_profile:read pet_profile:write" --expires 1h

The token is signed with the key in the data directory, the one `petsage serve` verifies with
when PETSAGE_AUTH_ISSUER is unset. With a real issuer configured, tokens come from it instead.
"""

from __future__ import annotations

import re
from typing import Annotated

import typer

from petsage.cli.config import auth_settings_or_exit, fail, settings_or_exit

app = typer.Typer(
    name="auth",
    help="Access tokens from the development issuer.",
    no_args_is_help=True,
)

_DURATION = re.compile(r"(\d{1,7})([smhd]?)")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86_400}
# A development token is for a working session, not a credential to keep.
MAX_EXPIRY_SECONDS = 30 * 86_400


def parse_duration(text: str) -> int | None:
    """`90`, `90s`, `15m`, `1h`, `2d` -> seconds; None when not one of those or out of range."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        return None
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return seconds if 0 < seconds <= MAX_EXPIRY_SECONDS else None


@app.command()
def token(
    subject: Annotated[str, typer.Option(help="Who the token names (its `sub`).")],
    scope: Annotated[str, typer.Option(help='Space-separated scopes: "a:read a:write".')] = "",
    expires: Annotated[str, typer.Option(help="Lifetime: 90s, 15m, 1h, 2d (at most 30d).")] = "1h",
) -> None:
    """Print a development access token that the local server accepts."""
    settings = settings_or_exit()
    auth = auth_settings_or_exit()
    from petsage.auth.dev_issuer import mint_token  # noqa: PLC0415 (cryptography: only here)

    if auth.auth_issuer is not None:
        fail(
            "PETSAGE_AUTH_ISSUER is set: the server accepts tokens from that issuer only, "
            "ask it for one"
        )
    seconds = parse_duration(expires)
    if seconds is None:
        fail(f"invalid --expires {expires[:40]!r}: use 90s, 15m, 1h or 2d, at most 30d")
    if not subject.strip():
        fail("invalid --subject: it cannot be empty")
    scopes = tuple(scope.split())
    typer.echo(
        mint_token(auth, settings.data_dir, subject=subject, scopes=scopes, expires_seconds=seconds)
    )
