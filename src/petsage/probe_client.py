"""`petsage check`: probe a running PetSage over HTTP with nothing but the standard library.

Docker runs a HEALTHCHECK command inside the container every interval, and a slim image has no
curl. This module is that command: it imports only the standard library and reads only the
three variables it needs (`PETSAGE_PORT`, `PETSAGE_HEALTH_TOKEN`), never the whole `Settings`,
so an unrelated bad setting, a broken third-party package or a slow import cannot fail the
health check. `petsage.entrypoint` routes `petsage check` here before typer or the application
is imported.

Exit codes: 0 healthy (HTTP 200, `degraded` included), 1 unhealthy (any other HTTP status,
a redirect included: it is reported, never followed), 2 unknown (unreachable, timed out, or a
usage error).
"""

from __future__ import annotations

import argparse
import json
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from petsage.probe_http import Answer, get

# The one copy of route paths outside the features that own them: this module must not import
# the application (it runs as a slim image's HEALTHCHECK). tests/test_check_cli.py proves the
# copy equals the features' own constants.
TARGETS = {
    "live": "/system/health",
    "ready": "/system/health/ready",
    "checks": "/system/health/checks",
}
EXIT_HEALTHY = 0
EXIT_UNHEALTHY = 1
EXIT_UNKNOWN = 2
DEFAULT_PORT = 8000
DEFAULT_TIMEOUT_SECONDS = 2.0
USER_AGENT = "petsage-check"
# Check statuses that need no mention: ours, and application/health+json's.
PASSING = (None, "ok", "pass")
MAX_LOCATION_CHARACTERS = 200


class ProbeResult(NamedTuple):
    """What one probe found; `line()` is the one line the command prints."""

    target: str
    url: str
    exit_code: int
    summary: str

    def line(self) -> str:
        return f"{self.target}: {self.summary} {self.url}"


def probe(target: str, base_url: str, timeout: float, token: str | None = None) -> ProbeResult:
    """GET the endpoint behind `target` on `base_url`, within `timeout` seconds overall."""
    url = base_url.rstrip("/") + TARGETS[target]
    outcome = _fetch_within(url, timeout, token)
    if isinstance(outcome, BaseException):
        return ProbeResult(target, url, EXIT_UNKNOWN, _describe_failure(outcome, timeout))
    code = EXIT_HEALTHY if outcome.status == 200 else EXIT_UNHEALTHY
    if outcome.location is not None:
        return ProbeResult(target, url, code, _describe_redirect(outcome))
    return ProbeResult(target, url, code, _describe_answer(outcome.status, outcome.body))


def _fetch_within(url: str, timeout: float, token: str | None) -> Answer | BaseException:
    # The socket timeout bounds each read, not the whole exchange: a server trickling one byte
    # at a time would hold the probe forever. A daemon thread gives a wall-clock deadline and
    # cannot keep the process alive once the answer is given up on.
    outcome: list[Answer | BaseException] = []

    def fetch() -> None:
        try:
            outcome.append(_fetch(url, timeout, token))
        except Exception as exc:
            outcome.append(exc)

    worker = threading.Thread(target=fetch, name="petsage-check", daemon=True)
    worker.start()
    worker.join(timeout)
    return outcome[0] if outcome else TimeoutError()


def _fetch(url: str, timeout: float, token: str | None) -> Answer:
    headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    # Never through a proxy from the environment, never following a redirect (see probe_http).
    return get(url, headers, timeout)


def _describe_redirect(answer: Answer) -> str:
    location = (answer.location or "")[:MAX_LOCATION_CHARACTERS]
    return f"redirected ({answer.status}) to {location!r}, not followed"


def _describe_answer(status: int, body: bytes) -> str:
    document = _json_object(body)
    word = document.get("status")
    if not isinstance(word, str) or not word:
        word = "ok" if status == 200 else "unhealthy"
    failing = _failing_checks(document.get("checks"))
    suffix = f" [{', '.join(failing)}]" if failing else ""
    return f"{word} ({status}){suffix}"


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def _failing_checks(checks: object) -> list[str]:
    """`name: status` for each check that is not ok, whether checks come as a list or a map."""
    if isinstance(checks, dict):
        entries = [{"name": name, **_as_entry(value)} for name, value in checks.items()]
    elif isinstance(checks, list):
        entries = [entry for entry in checks if isinstance(entry, dict)]
    else:
        return []
    return [
        f"{entry.get('name')}: {entry.get('status')}"
        for entry in entries
        if entry.get("status") not in PASSING
    ]


def _as_entry(value: object) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        # application/health+json keeps a list of measurements per component: the first
        # failing one speaks for it.
        failing = [v for v in value if isinstance(v, dict) and v.get("status") not in PASSING]
        return failing[0] if failing else {}
    return {"status": value}


def _describe_failure(reason: BaseException, timeout: float) -> str:
    if isinstance(reason, TimeoutError):
        return f"timed out after {timeout:g}s"
    if isinstance(reason, ConnectionRefusedError):
        return "unreachable (connection refused)"
    text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return f"unreachable ({text})"


def default_url(environ: Mapping[str, str]) -> str:
    """The local instance: `PETSAGE_PORT` on the loopback interface (8000 when unset)."""
    raw = environ.get("PETSAGE_PORT", "").strip() or str(DEFAULT_PORT)
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise ValueError(f"invalid setting PETSAGE_PORT: not a TCP port (got {raw[:60]!r})")
    return f"http://127.0.0.1:{int(raw)}"


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 300:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 300: {text!r}")
    return value


def _http_url(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {text!r}")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="petsage check",
        description="Probe a running PetSage and print one line. Exit 0 when healthy "
        "(degraded included), 1 when unhealthy, 2 when unreachable or timed out.",
    )
    parser.add_argument(
        "target",
        nargs="?",
        default="live",
        choices=list(TARGETS),
        help="live: /system/health, ready: /system/health/ready, "
        "checks: /system/health/checks (default: live)",
    )
    parser.add_argument(
        "--url",
        type=_http_url,
        help="base URL of the instance (default: http://127.0.0.1:$PETSAGE_PORT, port 8000)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="give up after this many seconds, in all (default: %(default)g)",
    )
    parser.add_argument(
        "--token",
        help="bearer token for check details (default: $PETSAGE_HEALTH_TOKEN; prefer the "
        "variable, a command line is visible to every process on the host)",
    )
    return parser


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run `petsage check` with `argv` (without the `check` word) and return its exit code."""
    environ = os.environ if environ is None else environ
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        base_url = args.url or default_url(environ)
    except ValueError as exc:
        parser.exit(EXIT_UNKNOWN, f"petsage: {exc}\n")
    token = args.token or environ.get("PETSAGE_HEALTH_TOKEN") or None
    result = probe(args.target, base_url, args.timeout, token)
    print(result.line(), flush=True)
    return result.exit_code
