"""Unavailable or misconfigured: what a failed connection means for start-up.

A database that refuses, times out or cannot be resolved yet may answer in a moment (it is
starting, restarting, or its DNS record is not published yet): `petsage serve` starts not ready
and readiness turns 200 once it answers, instead of exiting into a restart loop. A database that
refuses the credentials or does not exist will not heal by waiting: that stays exit code 2.
"""

from __future__ import annotations

import random
import ssl
from collections.abc import Iterator

from sqlalchemy.engine import URL

from petsage.database.engine import URL_VARIABLE, masked_url

# SQLSTATE classes of a server that is there but cannot take a session now: connection
# exception (08), insufficient resources (53: too many connections), operator intervention
# (57: "the database system is starting up", shutting down). Any other answer from the server
# (28: credentials refused, 3D: no such database) is a setting to fix.
_TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "53", "57"})
# The chain is DBAPIError <- SQLAlchemy's adapted error <- asyncpg's error; a bound guards
# against a cycle through __context__.
_MAX_CHAIN = 8

FIRST_RETRY_SECONDS = 0.25
MAX_RETRY_SECONDS = 5.0


class DatabaseUnreachableError(Exception):
    """The database could not be connected to (start-up, `petsage db`), for a reason that may
    pass on its own. Not the request-time 503: that is `session.DatabaseUnavailableError`."""

    def __init__(self, url: URL, reason: str, *, waited_seconds: float | None = None) -> None:
        self.url = url
        self.reason = reason
        self.waited_seconds = waited_seconds
        super().__init__(self.message())

    def message(self) -> str:
        where = masked_url(self.url)
        text = f"database unavailable: cannot connect to {URL_VARIABLE}={where}: {self.reason}"
        if self.waited_seconds is not None:
            text += f" (gave up after {self.waited_seconds:g} s: PETSAGE_DB_STARTUP_WAIT_SECONDS)"
        return text


def is_unavailable(exc: BaseException) -> bool:
    """True for a failure that waiting may cure: refused, reset, timed out, a name that does
    not resolve (yet), or a server saying it cannot take sessions now. Classified by SQLSTATE
    and exception class, never by message text."""
    link: BaseException | None = exc
    for _ in range(_MAX_CHAIN):
        if link is None:
            return False
        sqlstate = getattr(link, "sqlstate", None)
        if isinstance(sqlstate, str):
            return sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES
        if isinstance(link, ssl.SSLError):
            return False  # a certificate or TLS mode mismatch is configuration
        if isinstance(link, OSError):  # TimeoutError and socket.gaierror are OSErrors too
            return True
        link = link.__cause__ or link.__context__
    return False


def backoff_delays(
    first: float = FIRST_RETRY_SECONDS,
    cap: float = MAX_RETRY_SECONDS,
    rng: random.Random | None = None,
) -> Iterator[float]:
    """Delays doubling from `first` up to `cap`, each drawn from the upper half of its step:
    replicas started together then do not knock on the database in step."""
    rng = rng or random.SystemRandom()
    step = first
    while True:
        yield rng.uniform(step / 2, step)
        step = min(step * 2, cap)
