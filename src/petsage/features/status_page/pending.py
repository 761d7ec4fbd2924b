"""This instance's changes that the history writer has not written yet (the board's
`pending`), merged into what the database says: without them, a change made while the
database refuses writes (down, full) would be missing from the page until it is written."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from petsage.features.status_page.timeline import Baseline, Change, Run


def with_pending_baseline(
    baseline: Baseline, runs: Sequence[Run], pending: Sequence[Change], at: datetime
) -> Baseline:
    """`baseline` with the pending changes before `at`: the history writes an instance's
    changes in order, so an unwritten one is newer than any the database has for its run."""
    if not pending:
        return baseline
    merged = dict(baseline)
    for run in runs:
        if not run.start < at < run.end:
            continue
        for change in pending:  # oldest first: the last one before `at` wins
            if change.instance_id == run.instance_id and run.start <= change.at < at:
                merged[(change.instance_id, change.check)] = change.status
    return merged


def merge_pending(changes: list[Change], pending: Sequence[Change]) -> list[Change]:
    """Add this instance's changes that the history recorder has not written yet."""
    if not pending:
        return changes
    seen = {(c.instance_id, c.check, c.at) for c in changes}
    extra = [c for c in pending if (c.instance_id, c.check, c.at) not in seen]
    return sorted([*changes, *extra], key=lambda change: change.at) if extra else changes
