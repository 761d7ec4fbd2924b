"""The board wakes its streams only for changes a viewer sees (issue 20, finding 4)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from petsage.features.status_page.board import StatusBoard
from petsage.features.status_page.models import StatusSummary
from petsage.features.status_page.tests.factories import sample_summary


def versions_after(summaries: list[StatusSummary]) -> list[int]:
    """The board's version after publishing each of `summaries` in turn."""

    async def run() -> list[int]:
        queue = iter(summaries)

        async def compute(_: Sequence[Any]) -> StatusSummary:
            return next(queue)

        board = StatusBoard(compute, summaries[0], instance_id="test")
        seen = []
        for _ in summaries:
            await board.refresh()
            seen.append(board.version)
        return seen

    return asyncio.run(run())


def later(summary: StatusSummary, seconds: float) -> StatusSummary:
    """`summary` recomputed `seconds` later with nothing changed: its ongoing incident grew."""
    ongoing = summary.incidents[0]
    grown = ongoing.model_copy(
        update={
            "duration_seconds": ongoing.duration_seconds + seconds,
            "downtime_seconds": ongoing.downtime_seconds + seconds,
        }
    )
    return summary.model_copy(
        update={
            "updated_at": summary.updated_at + timedelta(seconds=seconds),
            "incidents": [grown, *summary.incidents[1:]],
        }
    )


def test_time_passing_wakes_no_stream_and_a_status_change_does() -> None:
    first = sample_summary()
    recovered = first.checks[0].model_copy(update={"status": "ok"})
    changed = first.model_copy(update={"checks": [recovered, *first.checks[1:]]})

    versions = versions_after([first, later(first, 60), later(first, 120), changed])

    assert versions == [0, 0, 0, 1]


def test_uptime_moving_past_what_the_page_shows_is_a_change() -> None:
    # 97.08 % on the page, then still 97.08 %, then 97.12 %.
    def uptime(ratio: float) -> StatusSummary:
        summary = sample_summary()
        return summary.model_copy(update={"uptime": dict.fromkeys(summary.uptime, ratio)})

    assert versions_after([uptime(0.97085), uptime(0.97086), uptime(0.9712)]) == [0, 0, 1]


def test_what_a_viewer_sees_change_is_a_change() -> None:
    first = sample_summary()
    ongoing, *others = first.incidents
    ended = ongoing.model_copy(update={"ended_at": ongoing.started_at + timedelta(minutes=50)})
    bar = first.checks[0].days[-1]
    recoloured = first.checks[0].model_copy(
        update={
            "days": [
                *first.checks[0].days[:-1],
                bar.model_copy(update={"status": "ok" if bar.status != "ok" else "error"}),
            ]
        }
    )
    # A resolved incident's seconds are shown as they are: a change to them is a change.
    resolved, *rest = others
    longer = resolved.model_copy(update={"downtime_seconds": resolved.downtime_seconds + 60})

    for changed in (
        first.model_copy(update={"incidents": [ended, *others]}),
        first.model_copy(update={"checks": [recoloured, *first.checks[1:]]}),
        first.model_copy(update={"incidents": [ongoing, longer, *rest]}),
    ):
        assert versions_after([first, changed]) == [0, 1]
