"""Health configuration mistakes stop `petsage serve` with one line and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from petsage.cli.config import settings_or_exit
from tests.support.server import run_petsage

SECRET = "S3cretPass"


def test_two_http_checks_with_one_name(tmp_path: Path) -> None:
    checks = [
        {"name": "payments", "url": "http://127.0.0.1:9/a"},
        {"name": "payments", "url": "http://127.0.0.1:9/b"},
    ]
    env = {"PETSAGE_HEALTH_HTTP_CHECKS": json.dumps(checks), "PETSAGE_DATA_DIR": str(tmp_path)}

    result = run_petsage("serve", "--port", "1", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "petsage: invalid setting PETSAGE_HEALTH_HTTP_CHECKS: the name 'payments' is used twice"
    ]


def test_http_checks_that_are_not_json_stop_serve_with_one_line(tmp_path: Path) -> None:
    value = '[{"name": "payments", "url": "http://user:s3cret@127.0.0.1:9/"'  # cut short
    env = {"PETSAGE_HEALTH_HTTP_CHECKS": value, "PETSAGE_DATA_DIR": str(tmp_path)}

    result = run_petsage("serve", "--port", "1", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("petsage: invalid setting PETSAGE_HEALTH_HTTP_CHECKS: not valid JSON")
    assert "s3cret" not in line
    assert "payments" not in line


def test_a_disk_critical_level_above_the_warning_level_stops_serve(tmp_path: Path) -> None:
    env = {
        "PETSAGE_HEALTH_DISK_WARNING_MIB": "100",
        "PETSAGE_HEALTH_DISK_CRITICAL_MIB": "500",
        "PETSAGE_DATA_DIR": str(tmp_path),
    }

    result = run_petsage("serve", "--port", "1", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "petsage: invalid setting PETSAGE_HEALTH_DISK_CRITICAL_MIB: Value error, 500 MiB is "
        "above PETSAGE_HEALTH_DISK_WARNING_MIB (100 MiB); the critical level must be at most "
        "the warning level (got '500')"
    ]


@pytest.mark.parametrize(
    "checks",
    [
        [{"name": "x", "url": f"ftp://admin:{SECRET}@db.internal/"}],
        [{"name": "x", "url": f"http://admin:{SECRET}@db internal/"}],
        [{"name": "x", "url": f"ftp://admin:{SECRET} 2@db.internal/"}],
        [{"name": "x", "url": f"ftp://admin:{SECRET}{'a' * 80}@db.internal/"}],
        [f"ftp://admin:{SECRET}@db.internal/"],
        [{"name": "x", "url": f"http://db internal/?token={SECRET}"}],
        [{"name": "x", "url": f"ftp://db.internal/?a=1&password={SECRET}"}],
        [{"name": "x", "url": "http://db.internal/", "critical": f"https://u:{SECRET}@x"}],
    ],
    ids=[
        "bad-scheme",
        "space-in-host",
        "space-in-password",
        "long-password",
        "bare-string",
        "query-token",
        "query-password",
        "wrong-type",
    ],
)
def test_an_invalid_http_check_never_echoes_its_credentials(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    checks: list[object],
) -> None:
    # In process: the line `petsage serve` prints is the one `settings_or_exit` writes (the
    # issue's own form goes through the real command below; each costs 1-3 s of CPU).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PETSAGE_HEALTH_HTTP_CHECKS", json.dumps(checks))

    with pytest.raises(SystemExit) as exited:
        settings_or_exit()

    assert exited.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("petsage: invalid setting PETSAGE_HEALTH_HTTP_CHECKS: entry 0")
    assert "***" in line
    assert "S3cret" not in line


def test_the_issues_http_check_url_is_masked_by_serve(tmp_path: Path) -> None:
    checks = [{"name": "x", "url": f"ftp://admin:{SECRET}@db.internal/"}]
    env = {"PETSAGE_HEALTH_HTTP_CHECKS": json.dumps(checks), "PETSAGE_DATA_DIR": str(tmp_path)}

    result = run_petsage("serve", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("petsage: invalid setting PETSAGE_HEALTH_HTTP_CHECKS: entry 0")
    assert "admin:***@db.internal" in line
    assert "S3cret" not in line


def test_another_settings_url_never_echoes_its_password(tmp_path: Path) -> None:
    env = {"PETSAGE_CONTACT_URL": f"ftp://admin:{SECRET}@example.com/"}

    result = run_petsage("serve", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "petsage: invalid setting PETSAGE_CONTACT_URL: URL scheme should be 'http' or 'https' "
        "(got 'ftp://admin:***@example.com/')"
    ]


def test_a_mistyped_key_in_an_http_check_stops_serve(tmp_path: Path) -> None:
    checks = [{"name": "payments", "url": "http://127.0.0.1:9/", "critcal": True}]
    env = {"PETSAGE_HEALTH_HTTP_CHECKS": json.dumps(checks), "PETSAGE_DATA_DIR": str(tmp_path)}

    result = run_petsage("serve", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "petsage: invalid setting PETSAGE_HEALTH_HTTP_CHECKS: entry 0: unknown key 'critcal'"
    ]
