"""`HealthSnapshot`: the immutable result of the latest complete round, as endpoints read it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from petsage.health.aggregate import overall_status
from petsage.health.model import CheckResult, Status

STALE_REASON = "stale: no complete round of checks for {age:.1f} s"


@dataclass(frozen=True, slots=True)
class HealthSnapshot:
    """Results of one round in registration order. `round == 0` means none has completed.

    `completed_at` is `time.monotonic()` at the end of the round: a snapshot older than
    `stale_after` seconds counts as failed, so a stuck runner never looks healthy.
    """

    results: tuple[CheckResult, ...] = ()
    round: int = 0
    completed_at: float = 0.0
    completed_at_utc: datetime | None = None
    stale_after: float = float("inf")
    # Set on the copy `as_of` returns for a reader who found it stale: everything failed.
    stale: bool = False
    by_name: Mapping[str, CheckResult] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = MappingProxyType({r.name: r for r in self.results})
        object.__setattr__(self, "by_name", by_name)

    @property
    def started(self) -> bool:
        return self.round > 0

    @property
    def stale_at(self) -> float:
        """The monotonic time from which this snapshot counts as failed."""
        return self.completed_at + self.stale_after

    def is_stale(self, now: float) -> bool:
        return self.started and now >= self.stale_at

    def status(self) -> Status:
        """The overall status; a stale snapshot is an error whatever its checks said."""
        return Status.ERROR if self.stale else overall_status(self.results)

    def as_of(self, now: float) -> HealthSnapshot:
        """This snapshot as a reader at monotonic time `now` must see it: stale means failed."""
        if not self.is_stale(now):
            return self
        reason = STALE_REASON.format(age=now - self.completed_at)
        failed = tuple(replace(r, status=Status.ERROR, error=reason) for r in self.results)
        return replace(self, results=failed, stale_after=float("inf"), stale=True)
