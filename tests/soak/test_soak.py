"""About three minutes of the soak test (`make soak` runs thirty): mixed load on a real `petsage
serve`, issue 16's attacks among it (tests/support/soak_attacks.py), PostgreSQL stopped for 15 s
every minute, and nothing may leak or break meanwhile.

The driver and its criteria are in tests/support/soak.py and soak_report.py. The report goes
to `soak-report.txt` in the test's temporary directory and to its captured output; the
assertion messages carry the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.faults import missing_postgres_reason, postgres_required
from tests.support.soak import SoakConfig, run_soak
from tests.support.soak_report import OWN_FD_MARGIN, RSS_GROWTH_LIMIT

pytestmark = pytest.mark.slow

# Two outages (at 60 s and 120 s), each followed by at least 30 s of load on a recovered
# database. 165 s rather than 180: with the cluster's initdb and the server's start-up (15 s on
# a quiet machine, up to a minute on a busy one) the test stays within about 3.5 minutes.
CONFIG = SoakConfig(
    seconds=165, db_cycle_seconds=60, db_down_seconds=15, warmup_seconds=25, rate=150
)


@pytest.fixture
def postgres_binaries() -> None:
    reason = missing_postgres_reason()
    if reason is not None:
        if postgres_required():
            pytest.fail(f"PETSAGE_TEST_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)


@pytest.mark.usefixtures("postgres_binaries")
def test_three_minutes_of_mixed_load_with_the_database_cycled(tmp_path: Path) -> None:
    report = run_soak(CONFIG, tmp_path)
    text = report.render()
    (tmp_path / "soak-report.txt").write_text(text + "\n", encoding="utf-8")
    print(text)

    assert len(report.outages) == 2, "the database was not stopped and started twice"
    ready = report.tallies["ready"].statuses
    assert ready[503], f"readiness never saw the outage: {dict(ready)}"
    assert ready[200], f"readiness never answered 200: {dict(ready)}"
    warmed, end, closed = report.warmed, report.end, report.after_close
    assert report.rss_growth < RSS_GROWTH_LIMIT, (
        f"RSS {warmed.rss_kib} KiB after the warm-up, {end.rss_kib} KiB at the end\n{text}"
    )
    assert closed.own_fds <= warmed.own_fds + OWN_FD_MARGIN, (
        f"{warmed.own_fds} own descriptors after the warm-up, {closed.own_fds} at the end\n{text}"
    )
    assert closed.http_connections == 0, text
    assert report.liveness_5xx == 0, text
    assert report.liveness_unanswered == 0, text
    assert not report.errors.unexpected, text
    # The rest of the verdict: database connections within the pools, every answer expected.
    assert not report.problems(), text
