"""The development issuer (issue 18, section 3) and the settings' one-line refusals."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from petsage.auth.dev_issuer import key_path
from petsage.auth.errors import InvalidTokenError, KeysUnavailableError
from petsage.auth.principal import Principal
from petsage.auth.runtime import build_identity
from petsage.auth.settings import (
    AuthSettings,
    load_auth_settings,
    refuse_remote_development_issuer,
)
from petsage.cli.app import app
from petsage.settings import ConfigurationError
from tests.support.server import free_port, run_petsage


def mint(data_dir: Path, *args: str, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["auth", "token", *args], env={"PETSAGE_DATA_DIR": str(data_dir), **env}
    )
    return result.exit_code, result.output.strip()


def test_petsage_auth_token_prints_a_token_the_server_accepts(tmp_path: Path) -> None:
    code, token = mint(tmp_path, "--subject", "alice", "--scope", "a:read a:write")
    assert code == 0
    # Made at first use, readable by its owner only.
    assert stat.S_IMODE(key_path(tmp_path).stat().st_mode) == 0o600
    identity = build_identity(AuthSettings(_env_file=None), tmp_path)  # type: ignore[call-arg]
    principal = asyncio.run(identity.principal(token))
    assert principal == Principal("alice", "petsage-cli", frozenset({"a:read", "a:write"}))


def test_a_development_token_is_refused_by_an_instance_with_a_real_issuer(
    tmp_path: Path,
) -> None:
    _, token = mint(tmp_path, "--subject", "alice")
    settings = AuthSettings(_env_file=None, auth_issuer="http://127.0.0.1:9")  # type: ignore[call-arg]
    identity = build_identity(settings, tmp_path)
    with pytest.raises((InvalidTokenError, KeysUnavailableError)):
        asyncio.run(identity.principal(token))


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--expires", "forever"], {}, "invalid --expires 'forever'"),
        (["--expires", "31d"], {}, "invalid --expires '31d'"),
        (["--subject", " "], {}, "invalid --subject"),
        ([], {"PETSAGE_AUTH_ISSUER": "https://id.example.com"}, "PETSAGE_AUTH_ISSUER is set"),
    ],
)
def test_petsage_auth_token_refuses_with_one_line(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    subject = [] if "--subject" in args else ["--subject", "alice"]
    code, output = mint(tmp_path, *subject, *args, **env)
    assert code == 2
    (line,) = output.splitlines()
    assert line.startswith("petsage: ")
    assert message in line


def test_serve_on_a_public_address_with_the_development_issuer_exits_2(tmp_path: Path) -> None:
    env = {"PETSAGE_DATA_DIR": str(tmp_path / "var")}
    port = str(free_port())
    result = run_petsage("serve", "--host", "0.0.0.0", "--port", port, env=env, cwd=tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("petsage: the development issuer (no PETSAGE_AUTH_ISSUER) is refused")


@pytest.mark.parametrize(
    ("host", "allow", "issuer", "refused"),
    [
        ("127.0.0.1", False, None, False),
        ("::1", False, None, False),
        ("0.0.0.0", False, None, True),
        ("192.0.2.10", False, None, True),
        ("0.0.0.0", True, None, False),
        ("0.0.0.0", False, "https://id.example.com", False),
    ],
)
def test_the_development_issuer_stays_on_loopback_unless_allowed(
    host: str, allow: bool, issuer: str | None, refused: bool
) -> None:
    settings = AuthSettings(
        _env_file=None,  # type: ignore[call-arg]
        auth_dev_issuer_allow_remote=allow,
        auth_issuer=issuer,
    )
    if refused:
        with pytest.raises(ConfigurationError, match="PETSAGE_AUTH_DEV_ISSUER_ALLOW_REMOTE"):
            refuse_remote_development_issuer(settings, host)
    else:
        refuse_remote_development_issuer(settings, host)


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ({"auth_algorithms": "RS256 HS256"}, "invalid setting PETSAGE_AUTH_ALGORITHMS: "),
        ({"auth_algorithms": "none"}, "invalid setting PETSAGE_AUTH_ALGORITHMS: "),
        ({"auth_leeway_seconds": "61"}, "invalid setting PETSAGE_AUTH_LEEWAY_SECONDS: "),
        ({"auth_issuer": "id.example.com"}, "invalid setting PETSAGE_AUTH_ISSUER: "),
        (
            {"auth_jwks_min_ttl_seconds": "600", "auth_jwks_max_ttl_seconds": "60"},
            "invalid setting PETSAGE_AUTH_JWKS_MAX_TTL_SECONDS: ",
        ),
        (
            {"cors_allow_origins": "*", "cors_allow_credentials": "true"},
            "invalid setting PETSAGE_CORS_ALLOW_CREDENTIALS: ",
        ),
        (
            {"cors_allow_origins": "https://app.example.com/path"},
            "invalid setting PETSAGE_CORS_ALLOW_ORIGINS: ",
        ),
    ],
)
def test_an_invalid_setting_is_one_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str], line: str
) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"PETSAGE_{name.upper()}", value)
    with pytest.raises(ConfigurationError) as refused:
        load_auth_settings(_env_file=None)
    assert str(refused.value).startswith(line)
    assert "\n" not in str(refused.value)


def test_the_defaults_are_asymmetric_algorithms_and_a_short_leeway() -> None:
    settings = AuthSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.auth_algorithms == ("RS256", "PS256", "ES256", "EdDSA")
    assert settings.auth_leeway_seconds <= 60
    assert settings.development_issuer
    assert load_auth_settings(
        cors_allow_origins="https://a.test, http://b.test:8080"
    ).cors_allow_origins == (
        "https://a.test",
        "http://b.test:8080",
    )


# Builds an app as `petsage serve` does, then verifies one development token; prints which of
# PyJWT and cryptography were loaded after each step.
LOADED_WHEN = """
import asyncio, sys
from pathlib import Path
from petsage.auth.settings import load_auth_settings
from petsage.http.access import IDENTITY
from petsage.http.state import state_of
from petsage.main import create_app
from petsage.settings import Settings

def loaded():
    return sorted({name.split(".")[0] for name in sys.modules} & {"jwt", "cryptography"})

app = create_app(Settings())
print(loaded())
identity = state_of(app).get(IDENTITY)
from petsage.auth.dev_issuer import mint_token  # what `petsage auth token` runs
token = mint_token(load_auth_settings(), Path(sys.argv[1]), subject="a", scopes=(),
                   expires_seconds=60)
print(asyncio.run(identity.principal(token)).subject, loaded())
"""


def test_the_development_issuer_loads_pyjwt_at_the_first_token_not_at_start(
    tmp_path: Path,
) -> None:
    # PyJWT and cryptography are 8.8 MiB of idle RSS (issue 17's budget against the hand stack).
    result = subprocess.run(
        [sys.executable, "-c", LOADED_WHEN, str(tmp_path)],
        env={**os.environ, "PETSAGE_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.splitlines() == ["[]", "a ['cryptography', 'jwt']"]
