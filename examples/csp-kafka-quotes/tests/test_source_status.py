"""What a live source reports (``testing.ScriptedFeed``, opened with the
run's ``StatusReporter``): its statuses tick on ``status()`` in order with
its events, each in an engine cycle of its own between the batches it was
reported between; an error it ends with is raised by ``csp.run`` as the
Python exception of its kind, after the statuses reported before it."""

from datetime import datetime, timedelta, timezone
from typing import Any

import csp
import pytest
from csp import ts
from csp.adapters.status import Level, Status
from probes import ScriptedManager

from csp_kafka_quotes._native import (
    STATUS_BAD_MESSAGE,
    STATUS_CONNECTED,
    STATUS_DISCONNECTED,
    STATUS_FEED_FAILED,
    STATUS_GAVE_UP,
    STATUS_RECONNECTING,
)

CODES = {
    "connected": (STATUS_CONNECTED, Level.INFO),
    "disconnected": (STATUS_DISCONNECTED, Level.WARNING),
    "reconnecting": (STATUS_RECONNECTING, Level.INFO),
    "bad_message": (STATUS_BAD_MESSAGE, Level.WARNING),
    "gave_up": (STATUS_GAVE_UP, Level.ERROR),
}


@csp.node
def timeline(values: ts[int], status: ts[Status], seen: object) -> None:
    """Appends ``(cycle, what)`` to ``seen`` for every tick: engine cycles are numbered."""
    with csp.state():
        s_cycle = 0
    s_cycle += 1
    if csp.ticked(status):
        seen.append((s_cycle, ("status", status.status_code, status.level, status.msg)))  # type: ignore[attr-defined]
    if csp.ticked(values):
        seen.append((s_cycle, ("value", values)))  # type: ignore[attr-defined]


Seen = list[tuple[int, tuple[Any, ...]]]


def run(steps: list[tuple[Any, ...]], seconds: float = 0.5, seen: Seen | None = None) -> Seen:
    """Runs the script for ``seconds``; returns (and fills ``seen`` with) what ticked."""
    manager = ScriptedManager(steps)
    seen = [] if seen is None else seen

    @csp.graph
    def graph() -> None:
        timeline(manager.subscribe("A"), manager.status(), seen)

    csp.run(graph, starttime=datetime.now(timezone.utc), endtime=timedelta(seconds=seconds), realtime=True)
    return seen


def test_statuses_tick_in_order_with_the_events_each_in_its_own_cycle() -> None:
    steps: list[tuple[Any, ...]] = [
        ("batch", [("A", 1)]),
        ("status", "disconnected", "lost the peer"),
        ("status", "reconnecting", "in 10 ms"),
        ("wait", 0.01),
        ("status", "connected", "back"),
        ("batch", [("A", 2), ("B", 20), ("A", 3)]),
        ("status", "bad_message", "not JSON: 'x'"),
        ("batch", [("A", 4)]),
        ("status", "gave_up", "no more"),
    ]
    seen = run(steps)
    what = [w for _, w in seen]
    assert what == [
        ("value", 1),
        ("status", STATUS_DISCONNECTED, Level.WARNING, "lost the peer"),
        ("status", STATUS_RECONNECTING, Level.INFO, "in 10 ms"),
        ("status", STATUS_CONNECTED, Level.INFO, "back"),
        ("value", 2),
        ("value", 3),
        ("status", STATUS_BAD_MESSAGE, Level.WARNING, "not JSON: 'x'"),
        ("value", 4),
        ("status", STATUS_GAVE_UP, Level.ERROR, "no more"),
    ]
    cycles = [cycle for cycle, _ in seen]
    assert cycles == sorted(set(cycles)), f"two ticks shared a cycle: {seen}"


@pytest.mark.parametrize("name", sorted(CODES))
def test_each_status_has_its_documented_code_and_level(name: str) -> None:
    seen = run([("status", name, f"the {name} message"), ("batch", [("A", 1)])], seconds=0.3)
    code, level = CODES[name]
    assert [w for _, w in seen] == [("status", code, level, f"the {name} message"), ("value", 1)]


@pytest.mark.parametrize(
    ("kind", "exception"),
    [("value", ValueError), ("connection", ConnectionError), ("runtime", RuntimeError)],
)
def test_a_source_error_is_raised_as_its_kind_after_the_statuses_before_it(kind: str, exception: type) -> None:
    steps: list[tuple[Any, ...]] = [
        ("batch", [("A", 1)]),
        # csp drops what it has not processed when the run fails: let it.
        ("wait", 0.1),
        ("status", "gave_up", "gave up on ws://peer after 3 attempts"),
        ("fail", kind, f"ws://peer: the {kind} failure"),
    ]
    seen: Seen = []
    message = rf"^ScriptedManager feed thread failed: ws://peer: the {kind} failure$"
    with pytest.raises(exception, match=message) as raised:
        run(steps, seconds=5, seen=seen)
    if exception is not ConnectionError:
        assert not isinstance(raised.value, ConnectionError)
    ticked = [w[:2] for _, w in seen]
    assert ticked[:2] == [("value", 1), ("status", STATUS_GAVE_UP)]
    # STATUS_FEED_FAILED ticks if the engine runs a cycle before it stops.
    assert ticked[2:] in ([], [("status", STATUS_FEED_FAILED)])
