"""The command line: version, and configuration errors that stop start-up cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from petsage import __version__
from petsage.cli.config import settings_or_exit
from tests.support.server import run_petsage


def test_version() -> None:
    result = run_petsage("version")

    assert result.returncode == 0
    assert result.stdout.strip() == __version__


# Each setting's refusal, in process: the line `petsage serve` prints is the one
# `settings_or_exit` writes (below, four of them through the real command, which is what
# proves the wiring; each subprocess costs 1-3 s of CPU under coverage).
INVALID_SETTINGS = [
    ("PETSAGE_PORT", "abc"),
    ("PETSAGE_PORT", "70000"),
    ("PETSAGE_LOG_LEVEL", "loud"),
    ("PETSAGE_HEALTH_DETAILS", "sometimes"),
    ("PETSAGE_CONTACT_EMAIL", "not-an-email"),
    ("PETSAGE_PUBLIC_BASE_URL", "ftp://status.example.com"),
    ("PETSAGE_PUBLIC_BASE_URL", "https://status.example.com/?page=1"),
    # Timing settings below what the server can honour (settings.py says why, each).
    ("PETSAGE_SHUTDOWN_TIMEOUT_SECONDS", "0.05"),
    ("PETSAGE_HTTP_HEADER_TIMEOUT_SECONDS", "1e-9"),
    ("PETSAGE_HTTP_HEADER_TIMEOUT_SECONDS", "0.5"),
    ("PETSAGE_DB_CONNECT_TIMEOUT_SECONDS", "0.01"),
    ("PETSAGE_DB_POOL_TIMEOUT_SECONDS", "0"),
    ("PETSAGE_DB_STATEMENT_TIMEOUT_MS", "1"),
    ("PETSAGE_HEALTH_CHECK_TIMEOUT_SECONDS", "1e-9"),
    ("PETSAGE_HEALTH_INTERVAL_SECONDS", "0.001"),
    ("PETSAGE_HEALTH_LOOP_LAG_WARNING_MS", "0.5"),
    ("PETSAGE_HEALTH_HTTP_CHECKS", '[{"name": "x", "url": "http://x/", "timeout_seconds": 0}]'),
]
THROUGH_THE_COMMAND = [INVALID_SETTINGS[i] for i in (0, 5, 8, 16)]


@pytest.mark.parametrize(("variable", "value"), INVALID_SETTINGS)
def test_invalid_setting_is_one_line_naming_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the checkout's
    monkeypatch.setenv(variable, value)

    with pytest.raises(SystemExit) as exited:
        settings_or_exit()

    assert exited.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"petsage: invalid setting {variable}: ")


@pytest.mark.parametrize(("variable", "value"), THROUGH_THE_COMMAND)
def test_invalid_setting_stops_serve_with_one_line(
    tmp_path: Path, variable: str, value: str
) -> None:
    result = run_petsage("serve", env={variable: value}, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"petsage: invalid setting {variable}: ")
    assert "Traceback" not in result.stderr


def test_invalid_setting_in_dotenv_is_named(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PETSAGE_WORKERS=many\n", encoding="utf-8")

    result = run_petsage("serve", cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("petsage: invalid setting PETSAGE_WORKERS: ")


def test_secret_values_are_not_echoed(tmp_path: Path) -> None:
    result = run_petsage("serve", env={"PETSAGE_HEALTH_TOKEN": "hunter2"}, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("petsage: invalid setting PETSAGE_HEALTH_TOKEN: ")
    assert "hunter2" not in result.stderr


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        ("operator-token-0123456789abcdef\n", "leading or trailing whitespace"),
        ("  operator-token-0123456789abcdef", "leading or trailing whitespace"),
        ("operator-token-0123456789abcdef ", "leading or trailing whitespace"),
        (" " * 16, "at least 16 non-space characters"),
        ("operator tok3n s", "at least 16 non-space characters"),
    ],
    ids=["trailing-newline", "leading-spaces", "trailing-space", "spaces", "short-with-spaces"],
)
def test_a_token_that_could_never_match_stops_serve(
    tmp_path: Path, token: str, problem: str
) -> None:
    result = run_petsage("serve", env={"PETSAGE_HEALTH_TOKEN": token}, cwd=tmp_path)

    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("petsage: invalid setting PETSAGE_HEALTH_TOKEN: ")
    assert problem in line
    secret = token.strip()
    assert not secret or secret not in line


def test_an_unknown_disabled_feature_is_echoed_short_with_the_known_names(tmp_path: Path) -> None:
    name = "x" * 5000

    result = run_petsage("serve", env={"PETSAGE_FEATURES_DISABLED": name}, cwd=tmp_path)

    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        f"petsage: invalid setting PETSAGE_FEATURES_DISABLED: no feature '{'x' * 40}...' (known: "
    )
    assert "smoke_test" in line
    assert len(line) < 300
