"""The soak test's figures, its verdict (`problems()`), and the report printed for people."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.support.soak_load import RequestKind, Tally
from tests.support.soak_observe import ErrorLines, Outage, ProcessSample

# RSS may grow this much between the end of the warm-up and the end of the load.
RSS_GROWTH_LIMIT = 0.10
# Descriptors other than HTTP and database connections (see soak_observe) may differ this much
# between the end of the warm-up and the end: room for a descriptor opened lazily once (a
# thread's eventfd, a file read by a check) at the wrong moment, never for one per request or
# per outage.
OWN_FD_MARGIN = 2
SHOWN_ERROR_LINES = 10


@dataclass
class SoakReport:
    clients: int
    rate: float
    warmup_seconds: float
    load_seconds: float
    kinds: tuple[RequestKind, ...]
    tallies: dict[str, Tally]
    outages: tuple[Outage, ...]
    samples: tuple[ProcessSample, ...]  # under load; the last one as the load ended
    after_close: ProcessSample  # once the clients' connections are closed
    database_connection_bound: int
    errors: ErrorLines = field(default_factory=lambda: ErrorLines((), ()))

    @property
    def warmed(self) -> ProcessSample:
        """The first sample after the warm-up: the baseline for RSS and descriptors."""
        return next((s for s in self.samples if s.elapsed >= self.warmup_seconds), self.samples[0])

    @property
    def end(self) -> ProcessSample:
        return self.samples[-1]

    @property
    def rss_growth(self) -> float:
        return (self.end.rss_kib - self.warmed.rss_kib) / self.warmed.rss_kib

    @property
    def requests(self) -> int:
        return sum(tally.count for tally in self.tallies.values())

    @property
    def liveness_5xx(self) -> int:
        return sum(
            n
            for kind in self.kinds
            if kind.liveness
            for status, n in self.tallies[kind.name].statuses.items()
            if status >= 500
        )

    @property
    def liveness_unanswered(self) -> int:
        kinds = [kind for kind in self.kinds if kind.liveness]
        return sum(sum(self.tallies[kind.name].errors.values()) for kind in kinds)

    def unexpected_answers(self) -> dict[str, int]:
        """Kinds with answers outside their expected statuses, or no answer at all."""
        wrong = {kind.name: self.tallies[kind.name].unexpected(kind) for kind in self.kinds}
        return {name: n for name, n in wrong.items() if n}

    def problems(self) -> list[str]:
        """Every criterion the soak missed, one line each; empty when it passed."""
        problems = []
        if self.rss_growth >= RSS_GROWTH_LIMIT:
            problems.append(f"RSS grew {self.rss_growth:.1%} after the warm-up ({self._rss()})")
        warmed, closed = self.warmed, self.after_close
        if closed.own_fds > warmed.own_fds + OWN_FD_MARGIN:
            problems.append(f"descriptors grew: {warmed.own_fds} -> {closed.own_fds} own fds")
        if closed.http_connections:
            problems.append(f"{closed.http_connections} HTTP connections open after the load")
        most = max(s.database_connections for s in (*self.samples, closed))
        if most > self.database_connection_bound:
            bound = self.database_connection_bound
            problems.append(f"{most} database connections, over the pools' {bound}")
        if self.liveness_5xx or self.liveness_unanswered:
            problems.append(
                f"liveness: {self.liveness_5xx} 5xx, {self.liveness_unanswered} unanswered"
            )
        if self.errors.unexpected:
            problems.append(f"{len(self.errors.unexpected)} unexpected ERROR lines in the log")
        if wrong := self.unexpected_answers():
            problems.append(f"unexpected answers: {wrong}")
        return problems

    def _rss(self) -> str:
        return f"{self.warmed.rss_kib / 1024:.1f} -> {self.end.rss_kib / 1024:.1f} MiB"

    def render(self) -> str:
        """The report as lines of text, for a terminal or a test's output."""
        lines = [
            f"soak: {self.load_seconds:.0f} s of load, {self.clients} clients, "
            f"at most {self.rate:.0f} req/s; database stopped {len(self.outages)} times",
            *(
                f"  outage {i}: {o.stopped_at:%H:%M:%S} to {o.started_at:%H:%M:%S} UTC"
                for i, o in enumerate(self.outages, 1)
            ),
            f"requests: {self.requests:,} ({self.requests / self.load_seconds:.0f}/s)",
            *(self._kind_line(kind) for kind in self.kinds),
            f"RSS: {self._rss()} ({self.rss_growth:+.1%}; warm-up {self.warmup_seconds:.0f} s), "
            f"peak {max(s.rss_kib for s in self.samples) / 1024:.1f} MiB",
            f"fds after warm-up: {_fds(self.warmed)}; after the load: {_fds(self.after_close)}",
            "fds over time (s: total/own/http/db): "
            + " ".join(
                f"{s.elapsed:.0f}:{s.fds}/{s.own_fds}/{s.http_connections}/{s.database_connections}"
                for s in self.samples
            ),
            f"liveness: {self.liveness_5xx} 5xx, {self.liveness_unanswered} unanswered",
            f"server log: {len(self.errors.expected)} expected ERROR lines (database down), "
            f"{len(self.errors.unexpected)} unexpected",
            *(f"  {line[:400]}" for line in self.errors.unexpected[:SHOWN_ERROR_LINES]),
        ]
        problems = self.problems()
        lines.append("verdict: " + ("; ".join(problems) if problems else "pass"))
        return "\n".join(lines)

    def _kind_line(self, kind: RequestKind) -> str:
        tally = self.tallies[kind.name]
        statuses = " ".join(f"{s}x{n}" for s, n in sorted(tally.statuses.items()))
        errors = " ".join(f"{e}x{n}" for e, n in sorted(tally.errors.items()))
        rate = tally.count / self.load_seconds
        return f"  {kind.name:<26} {tally.count:>8,} {rate:>6.1f}/s  {statuses} {errors}"

    def as_json(self) -> dict[str, Any]:
        return {
            "load_seconds": self.load_seconds,
            "requests": self.requests,
            "by_kind": {
                name: {"statuses": dict(t.statuses), "errors": dict(t.errors)}
                for name, t in self.tallies.items()
            },
            "outages": [[o.stopped_at.isoformat(), o.started_at.isoformat()] for o in self.outages],
            "rss_kib": {"warmed": self.warmed.rss_kib, "end": self.end.rss_kib},
            "rss_growth": self.rss_growth,
            "samples": [vars(s) | {"own_fds": s.own_fds} for s in self.samples],
            "after_close": vars(self.after_close) | {"own_fds": self.after_close.own_fds},
            "liveness_5xx": self.liveness_5xx,
            "liveness_unanswered": self.liveness_unanswered,
            "error_lines": {
                "expected": len(self.errors.expected),
                "unexpected": list(self.errors.unexpected),
            },
            "problems": self.problems(),
        }


def _fds(sample: ProcessSample) -> str:
    return (
        f"{sample.fds} (own {sample.own_fds}, http {sample.http_connections}, "
        f"db {sample.database_connections})"
    )
