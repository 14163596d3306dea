"""Faults in Rust callbacks become Python exceptions; the process never aborts."""

import gc
from datetime import timedelta

import csp
import pytest
from conftest import os_threads, threads_left_behind
from csp.impl.pushadapter import PushGroup
from probes import LockstepManager, ProbeManager, record, replay

from csp_kafka_quotes._native import testing

VALUES = list(range(200))
# Each fault point, and the name the error message gives to the failing object.
RAISING_POINTS = {
    "manager_name": "adapter manager name()",
    "manager_start": "FaultyManager start",
    "manager_stop": "FaultyManager stop",
    "input_start": "ReplayInput start",
    "input_stop": "ReplayInput stop",
    "push_thread": "ReplayInput: push thread",
    "output_start": "RecordingOutput start",
    "output_execute": "RecordingOutput on_tick",
    "output_stop": "RecordingOutput stop",
    "feed_source": "FaultyManager feed",
}


def probe_graph(point: str | None, panic: bool, probe: object, keep_pushing: bool = False):
    manager_fault = point if point and (point.startswith("manager") or point == "feed_source") else None
    manager = ProbeManager(manager_fault, panic)
    input_fault = point if point in {"input_start", "input_stop", "push_thread", "fatal", "destroy"} else None
    output_fault = point if point and point.startswith("output") else None

    @csp.graph
    def graph() -> None:
        values = replay(manager, int, VALUES, probe, input_fault, panic, keep_pushing)
        record(manager, values, int, probe, output_fault, panic)

    return graph


def run(graph: object, seconds: float = 1.0) -> None:
    csp.run(graph, endtime=timedelta(seconds=seconds), realtime=True)


def assert_released() -> None:
    gc.collect()
    created, released = testing.object_counts()
    assert created == released, f"{created - released} adapter objects were never destroyed"


def test_every_fault_point_is_covered() -> None:
    # "sim_time_slice" (and "feed_source" again) in test_simulation.py.
    assert set(testing.FAULT_POINTS) == set(RAISING_POINTS) | {"fatal", "destroy", "sim_time_slice"}


@pytest.mark.parametrize("panic", [True, False], ids=["panic", "error"])
@pytest.mark.parametrize("point", sorted(RAISING_POINTS))
def test_fault_raises_from_csp_run(point: str, panic: bool) -> None:
    threads_before = os_threads()
    probe = testing.Probe()
    what = "panicked" if panic else "failed" if point == "push_thread" else ""
    injected = f"injected {'panic' if panic else 'error'} at {point}"

    with pytest.raises(RuntimeError) as error:
        run(probe_graph(point, panic, probe))

    # The message alone: no C++ location or csp exception type in front of it.
    message = str(error.value)
    assert message.startswith(RAISING_POINTS[point]) and message.endswith(injected), message
    assert what in message
    assert_released()
    assert not threads_left_behind(threads_before)
    # The engine shut down cleanly: the next run works.
    clean = testing.Probe()
    run(probe_graph(None, True, clean), seconds=0.5)
    assert clean.values() == VALUES


def test_fatal_error_from_the_push_thread_stops_the_engine() -> None:
    probe = testing.Probe()
    with pytest.raises(RuntimeError, match="ReplayInput: injected fatal error"):
        run(probe_graph("fatal", True, probe), seconds=30)
    assert probe.thread_exited()
    assert_released()


def test_panic_in_destroy_is_reported_not_fatal() -> None:
    probe = testing.Probe()
    reported: list[str] = []

    def hook(unraisable: object) -> None:
        reported.append(str(getattr(unraisable, "exc_value", "")))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.unraisablehook", hook)
        run(probe_graph("destroy", True, probe), seconds=0.5)
        gc.collect()

    assert probe.values() == VALUES
    assert any("ReplayInput destroy panicked: injected panic at destroy" in text for text in reported)
    assert_released()


def test_pushes_after_the_graph_ends_are_refused() -> None:
    # The thread pushes flat out until the engine stops at endtime.
    probe = testing.Probe()
    run(probe_graph(None, True, probe, keep_pushing=True), seconds=0.3)
    assert probe.saw_stopped() and probe.thread_exited()
    assert probe.pushed() >= len(VALUES)
    assert_released()


def test_closing_the_push_gate_waits_for_pushes_inside_and_refuses_later_ones() -> None:
    # Four threads enter and leave the gate every push passes, flat out, while it closes.
    assert testing.gate_race(4, 50) >= 4


def test_closing_the_feed_gate_waits_for_the_batch_inside_and_refuses_later_ones() -> None:
    # The manager's feed enters a gate of its own once per send, flat out, while it closes.
    assert testing.gate_race(1, 50, solo=True) >= 1


def test_a_feed_push_that_fails_sends_nothing_of_its_batch() -> None:
    # Subscriptions in two push groups cannot share a csp batch: the feed's
    # push fails halfway through the first batch, csp.run raises it, and the
    # value already in the batch is freed instead of sent.
    probe = testing.Probe()
    manager = LockstepManager(3, probe, symbols=("A", "B"))
    recorder = ProbeManager()

    @csp.graph
    def graph() -> None:
        for symbol in ("A", "B"):
            record(recorder, manager.subscribe(symbol, PushGroup()), int, probe)

    with pytest.raises(ValueError, match="one push group"):
        csp.run(graph, endtime=timedelta(seconds=30), realtime=True)
    assert probe.values() == []


@pytest.mark.parametrize("how", ["stop_engine", "exception_elsewhere"])
def test_graph_ending_while_pushing_flat_out(how: str) -> None:
    probe = testing.Probe()
    manager = ProbeManager()

    @csp.node
    def end_after(x: csp.ts[int], n: int):
        with csp.state():
            s_seen = 0
        if csp.ticked(x):
            s_seen += 1
            if s_seen == n:
                if how == "stop_engine":
                    csp.stop_engine()
                else:
                    raise KeyError("elsewhere in the graph")

    @csp.graph
    def graph() -> None:
        values = replay(manager, int, VALUES, probe, keep_pushing=True)
        end_after(values, 1_000)

    if how == "stop_engine":
        run(graph, seconds=120)
    else:
        with pytest.raises(KeyError, match="elsewhere in the graph"):
            run(graph, seconds=120)
    assert probe.saw_stopped() and probe.thread_exited()
    assert probe.pushed() >= 1_000
    assert_released()


def test_destroy_runs_exactly_once_per_object() -> None:
    created_before, released_before = testing.object_counts()
    probe = testing.Probe()
    run(probe_graph(None, True, probe), seconds=0.3)
    gc.collect()
    created, released = testing.object_counts()
    # One manager, one input adapter, one output adapter.
    assert (created - created_before, released - released_before) == (3, 3)


def test_unknown_fault_point_is_a_value_error() -> None:
    with pytest.raises(ValueError, match='unknown fault point "nowhere"; use one of manager_name, manager_start'):
        testing.faulty_manager_capsule("nowhere")
