"""The bound on events in flight: a graph slower than its source has at most
``max_in_flight`` of them pushed and not yet consumed, and a file or a
generated feed then waits, losing nothing."""

import time
from datetime import timedelta
from pathlib import Path

import csp
import pytest
from conftest import T0, feed_ended, run_realtime, to_output, write_events
from csp import ts

from csp_trade_tape import (
    Synthetic,
    TradeTapeAdapterManager,
)
from csp_trade_tape.adapters import INPUT_TYPE
from csp_trade_tape.demo import demo_values

COUNT = 20_000
MAX = 500
# A send may go past the bound by one send: at most 64 values.
SEND = 64
# What the graph spends on each tick: far slower than the feed.
WORK = 20e-6


def make_source(kind: str, tmp_path: Path) -> Synthetic | str:
    if kind == "synthetic":
        return Synthetic(COUNT)
    rows = ((T0 + timedelta(microseconds=i), "A", value) for i, value in enumerate(demo_values(INPUT_TYPE, COUNT)))
    return str(write_events(tmp_path / "events.csv", rows))


def run_slow(manager: TradeTapeAdapterManager) -> int:
    """Runs a graph that spends ``WORK`` on each of A's events and publishes
    them, until the source ends; returns the most events that were pushed
    and not yet seen by the graph, as the graph saw it."""
    ahead = [0]

    @csp.node
    def slow(x: ts[INPUT_TYPE]) -> ts[INPUT_TYPE]:  # type: ignore[valid-type]
        with csp.state():
            s_seen = 0
        s_seen += 1
        ahead[0] = max(ahead[0], manager.stats()["pushed"] - s_seen)
        began = time.perf_counter()
        while time.perf_counter() - began < WORK:
            pass
        return x

    @csp.graph
    def graph() -> None:
        manager.publish(to_output(slow(manager.subscribe("A"))), "A")
        csp.stop_engine(feed_ended(manager.status()))

    run_realtime(graph, endtime=timedelta(seconds=60))
    return ahead[0]


@pytest.mark.parametrize("kind", ["synthetic", "events file"])
def test_a_slow_graph_holds_the_feed_at_the_bound_and_loses_nothing(kind: str, tmp_path: Path) -> None:
    manager = TradeTapeAdapterManager(make_source(kind, tmp_path), max_in_flight=MAX)
    ahead = run_slow(manager)
    stats = manager.stats()
    # Every event arrived, in order (the output adapter checks each value).
    assert (stats["received"], stats["mismatches"], stats["dropped"]) == (COUNT, 0, 0)
    assert ahead <= MAX + SEND, f"the feed got {ahead} events ahead of the graph"
    # The feed reached the bound: it waited.
    assert MAX <= stats["peak_in_flight"] <= MAX + SEND


def test_without_a_bound_the_feed_runs_ahead() -> None:
    manager = TradeTapeAdapterManager(Synthetic(COUNT), max_in_flight=None)
    ahead = run_slow(manager)
    stats = manager.stats()
    assert (stats["received"], stats["mismatches"], stats["peak_in_flight"]) == (COUNT, 0, 0)
    assert ahead > MAX + SEND, f"only {ahead} events ahead: the test's graph is not slower than its feed"


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="max_in_flight must be >= 1, or None for no bound"):
        TradeTapeAdapterManager(Synthetic(1), max_in_flight=0)
    with pytest.raises(TypeError, match="max_in_flight must be an int"):
        TradeTapeAdapterManager(Synthetic(1), max_in_flight=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="when_full must be one of 'block', 'drop_oldest', 'drop_newest'"):
        TradeTapeAdapterManager(Synthetic(1), when_full="drop")
