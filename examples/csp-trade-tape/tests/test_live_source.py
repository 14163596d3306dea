"""A live source (``testing.SilentFeed``: a peer that never sends) is opened
with the run's subscriptions, and the run ends on time whatever the source
does: at once when it heeds the stop signal, after the feed's grace period
when it does not. A simulation refuses it at once."""

import time
from datetime import datetime, timedelta, timezone
from typing import Any

import csp
import pytest
from conftest import os_threads, threads_left_behind
from probes import SilentManager

ENDTIME = timedelta(seconds=0.5)
# Feed::stop waits this long for a source that ignores the stop signal.
STOP_GRACE = 1.0


def late_by(manager: Any, realtime: bool = True) -> float:
    """Runs three subscriptions of ``manager`` (two symbols) until ``ENDTIME``;
    returns how long after it ``csp.run`` returned, in seconds."""

    @csp.graph
    def graph() -> None:
        for name, symbol in [("A", "A"), ("B", "B"), ("B again", "B")]:
            csp.add_graph_output(name, manager.subscribe(symbol))

    started = time.monotonic()
    csp.run(graph, starttime=datetime.now(timezone.utc), endtime=ENDTIME, realtime=realtime)
    return time.monotonic() - started - ENDTIME.total_seconds()


def test_the_source_is_opened_with_the_subscribed_symbols() -> None:
    manager = SilentManager()
    late_by(manager)
    assert manager.feed.opened_with() == ["A", "B"]


def test_a_source_that_heeds_the_stop_signal_ends_the_run_on_time() -> None:
    late = [late_by(SilentManager()) for _ in range(5)]
    print(f"\ncsp.run returned {', '.join(f'{s * 1000:.1f}' for s in late)} ms after its end time")
    assert max(late) < 0.5, late


def test_a_source_that_ignores_the_stop_signal_is_left_behind(capfd: pytest.CaptureFixture[str]) -> None:
    threads = os_threads()
    late = late_by(SilentManager(heeds_stop=False))
    print(f"\ncsp.run returned {late * 1000:.0f} ms after its end time")
    assert late < STOP_GRACE + 0.5
    assert "SilentManager: its source did not return within 1s of the stop signal" in capfd.readouterr().err
    # The thread left behind ends once its source returns (it sleeps 2.5 s at a time).
    assert not threads_left_behind(threads, patience=10)


def test_a_simulation_refuses_a_live_source_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(ValueError, match=r"^SilentManager start: the source is live, with no history to replay"):
        late_by(SilentManager(), realtime=False)
    assert time.monotonic() - started < 5
