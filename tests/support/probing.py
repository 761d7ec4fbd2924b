"""Probes as Kubernetes sends them, recorded one by one, and probe storms.

`Prober` sends one path again and again from a thread of its own, each probe on a new TCP
connection (the kubelet disables keep-alive), and records when it was sent, how long the answer
took and its status. The client waits longer than Kubernetes' default one-second probe timeout,
so that a slow answer is measured rather than cut off: tests assert the one-second bound on the
recorded latencies.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

import httpx2 as httpx

# Kubernetes' default probe timeoutSeconds: a slower answer is a failed probe.
KUBERNETES_PROBE_TIMEOUT_SECONDS = 1.0
# How long the client itself waits: past the bound, so that a breach is measured.
CLIENT_TIMEOUT_SECONDS = 3.0
PROBE_PERIOD_SECONDS = 0.05


@dataclass(frozen=True)
class Sample:
    path: str
    sent_at: float  # time.monotonic()
    latency: float
    status: int | None  # None: no answer at all (connection refused, reset or timed out)

    @property
    def answered_at(self) -> float:
        return self.sent_at + self.latency


class Prober:
    """Probes `base_url + path` every PROBE_PERIOD_SECONDS until stopped, recording each."""

    def __init__(self, base_url: str, path: str, headers: dict[str, str] | None = None) -> None:
        self.path = path
        self.samples: list[Sample] = []
        self._client = httpx.Client(
            base_url=base_url,
            headers=headers,
            timeout=CLIENT_TIMEOUT_SECONDS,
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()
        self._thread.join(timeout=CLIENT_TIMEOUT_SECONDS + 2)
        self._client.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            sent_at = time.monotonic()
            try:
                status: int | None = self._client.get(self.path).status_code
            except httpx.TransportError:
                status = None
            self.samples.append(Sample(self.path, sent_at, time.monotonic() - sent_at, status))
            self._stopping.wait(PROBE_PERIOD_SECONDS)

    def wait_for(self, status: int, after: float, timeout: float) -> Sample:
        """The first probe sent at or after `after` that got `status`; fail after `timeout`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for sample in self.between(after, float("inf")):
                if sample.status == status:
                    return sample
            time.sleep(PROBE_PERIOD_SECONDS / 2)
        seen = [sample.status for sample in self.between(after, float("inf"))]
        raise AssertionError(f"{self.path} never answered {status} within {timeout} s: {seen}")

    def between(self, start: float, end: float) -> list[Sample]:
        return [sample for sample in list(self.samples) if start <= sample.sent_at < end]

    def slowest(self) -> Sample:
        return max(self.samples, key=lambda sample: sample.latency)


@dataclass(frozen=True)
class StormResult:
    statuses: dict[int | None, int]
    requests: int
    slowest_seconds: float


async def _storm(
    base_url: str, paths: Sequence[str], concurrency: int, seconds: float
) -> StormResult:
    statuses: dict[int | None, int] = {}
    slowest = 0.0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient, index: int) -> None:
        nonlocal slowest
        path = paths[index % len(paths)]
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                status: int | None = (await client.get(path)).status_code
            except httpx.TransportError:
                status = None
            slowest = max(slowest, time.monotonic() - started)
            statuses[status] = statuses.get(status, 0) + 1

    async with httpx.AsyncClient(
        base_url=base_url, timeout=CLIENT_TIMEOUT_SECONDS, limits=limits
    ) as client:
        await asyncio.gather(*(worker(client, index) for index in range(concurrency)))
    return StormResult(statuses, sum(statuses.values()), slowest)


def probe_storm(
    base_url: str, paths: Sequence[str], concurrency: int, seconds: float
) -> StormResult:
    """`concurrency` probers at once, each sending `paths` in turn, for `seconds`."""
    return asyncio.run(_storm(base_url, paths, concurrency, seconds))
