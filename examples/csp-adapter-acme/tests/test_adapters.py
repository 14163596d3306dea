"""The Rust adapters on real csp graphs: every value checked exactly."""

from datetime import datetime, timedelta
from typing import Any

import csp
import pytest
from conftest import run_realtime, to_output
from csp.adapters.status import Level, Status

from csp_adapter_acme import (
    AcmeAdapterManager,
)
from csp_adapter_acme._native import STATUS_STARTED, Runtime
from csp_adapter_acme.adapters import INPUT_TYPE as INPUT
from csp_adapter_acme.adapters import OUTPUT_TYPE as OUTPUT
from csp_adapter_acme.adapters import (
    acme_input,
    acme_output,
)
from csp_adapter_acme.demo import demo_value, demo_values


def counters(stats: Any) -> tuple[int, int, int, str | None]:
    return stats["pushed"], stats["received"], stats["mismatches"], stats["first_mismatch"]


def ticks(outputs: dict, name: str) -> list:
    return [value for _, value in outputs[name]]


@pytest.mark.parametrize("count", [1, 1000, 20_000])
def test_every_pushed_value_arrives_in_order(count: int) -> None:
    manager = AcmeAdapterManager()

    @csp.graph
    def graph() -> None:
        values = manager.subscribe(count=count, interval=timedelta(0))
        csp.add_graph_output("values", values)
        manager.publish(to_output(values), stop_after=count)

    outputs = run_realtime(graph)

    assert ticks(outputs, "values") == demo_values(INPUT, count)
    stats = manager.stats()
    assert counters(stats) == (count, count, 0, None)
    assert stats["first_push_ns"] is not None and stats["last_receive_ns"] is not None
    assert stats["first_push_ns"] <= stats["last_receive_ns"]


def test_status_ticks_info_when_the_manager_starts() -> None:
    manager = AcmeAdapterManager()

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("status", manager.status())
        csp.add_graph_output("last_status", manager.status(push_mode=csp.PushMode.LAST_VALUE))
        values = manager.subscribe(count=3, interval=timedelta(0))
        manager.publish(to_output(values), stop_after=3)

    outputs = run_realtime(graph)

    expected = Status(level=Level.INFO, status_code=STATUS_STARTED, msg="started")
    assert ticks(outputs, "status") == [expected]
    assert ticks(outputs, "last_status") == [expected]


def test_output_adapter_counts_wrong_values() -> None:
    manager = AcmeAdapterManager()
    sent = [demo_value(OUTPUT, 0), demo_value(OUTPUT, 2), demo_value(OUTPUT, 2), demo_value(OUTPUT, 3)]

    @csp.graph
    def graph() -> None:
        curve = csp.curve(OUTPUT, [(timedelta(seconds=i), value) for i, value in enumerate(sent)])
        manager.publish(curve)

    csp.run(graph, starttime=datetime(2024, 1, 1), endtime=timedelta(seconds=10))

    stats = manager.stats()
    assert (stats["received"], stats["mismatches"]) == (4, 1)
    assert stats["first_mismatch"] is not None and stats["first_mismatch"].startswith("value 1: expected")


@pytest.mark.parametrize("batch_size", [2, 64, 1000])
def test_batched_pushes_arrive_in_order(batch_size: int) -> None:
    manager = AcmeAdapterManager()
    count = 5000

    @csp.graph
    def graph() -> None:
        values = manager.subscribe(count=count, interval=timedelta(0), batch_size=batch_size)
        csp.add_graph_output("values", values)
        manager.publish(to_output(values), stop_after=count)

    outputs = run_realtime(graph)

    assert ticks(outputs, "values") == demo_values(INPUT, count)
    assert counters(manager.stats()) == (count, count, 0, None)


def test_interval_paces_the_pushes() -> None:
    manager = AcmeAdapterManager()
    interval = timedelta(milliseconds=20)

    @csp.graph
    def graph() -> None:
        values = manager.subscribe(count=5, interval=interval)
        csp.add_graph_output("values", values)
        manager.publish(to_output(values), stop_after=5)

    outputs = run_realtime(graph)

    times = [t for t, _ in outputs["values"]]
    assert ticks(outputs, "values") == demo_values(INPUT, 5)
    # Value i is pushed no earlier than i intervals after the first push.
    assert times[-1] - times[0] >= 3 * interval


def test_count_zero_pushes_until_the_graph_stops() -> None:
    manager = AcmeAdapterManager()

    @csp.graph
    def graph() -> None:
        values = manager.subscribe(count=0, interval=timedelta(milliseconds=1))
        csp.add_graph_output("values", values)
        manager.publish(to_output(values))

    outputs = run_realtime(graph, endtime=timedelta(milliseconds=300))

    received = ticks(outputs, "values")
    assert len(received) > 10
    assert received == demo_values(INPUT, len(received))
    stats = manager.stats()
    assert stats["mismatches"] == 0
    assert stats["received"] == len(received)
    assert stats["pushed"] >= stats["received"]


def test_last_value_mode_never_invents_values() -> None:
    manager = AcmeAdapterManager()

    @csp.graph
    def graph() -> None:
        values = manager.subscribe(count=5000, interval=timedelta(0), push_mode=csp.PushMode.LAST_VALUE)
        csp.add_graph_output("values", values)

    outputs = run_realtime(graph, endtime=timedelta(milliseconds=500))

    received = ticks(outputs, "values")
    expected = demo_values(INPUT, 5000)
    assert received, "at least one value ticks"
    assert received[-1] == expected[-1]
    assert len(received) <= 5000


def test_burst_mode_delivers_lists_in_order() -> None:
    manager = AcmeAdapterManager()

    @csp.graph
    def graph() -> None:
        bursts = manager.subscribe(count=3000, interval=timedelta(0), push_mode=csp.PushMode.BURST)
        csp.add_graph_output("bursts", bursts)

    outputs = run_realtime(graph, endtime=timedelta(milliseconds=500))

    flattened = [value for burst in ticks(outputs, "bursts") for value in burst]
    assert flattened == demo_values(INPUT, 3000)


def test_standalone_adapters_without_a_manager() -> None:
    runtime = Runtime()

    @csp.graph
    def graph() -> None:
        values = acme_input(runtime, count=500, interval=timedelta(0))
        csp.add_graph_output("values", values)
        acme_output(to_output(values), runtime, stop_after=500)

    outputs = run_realtime(graph)

    assert ticks(outputs, "values") == demo_values(INPUT, 500)
    assert counters(runtime.stats()) == (500, 500, 0, None)


def test_each_run_counts_afresh() -> None:
    manager = AcmeAdapterManager()

    @csp.graph
    def graph() -> None:
        manager.publish(to_output(manager.subscribe(count=50, interval=timedelta(0))), stop_after=50)

    for _ in range(3):
        run_realtime(graph)
        assert manager.stats()["received"] == 50
