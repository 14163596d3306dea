"""The Rust manager in simulation (``csp.run(..., realtime=False)``): every
event ticks at its recorded time, exactly as csp's own managed sim adapters
tick it (``sim_reference.py``)."""

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import csp
import pytest
from conftest import (
    INPUT,
    OUTPUT,
    T0,
    from_cells,
    from_text,
    is_record,
    read_events,
    run_failing,
    to_cells,
    to_output,
    write_events,
)
from csp.adapters.status import Level, Status
from probes import ProbeManager, record, replay
from sim_reference import ReferenceManager

from csp_kafka_quotes import (
    KafkaQuotesAdapterManager,
    Synthetic,
)
from csp_kafka_quotes._native import (
    STATUS_FEED_ENDED,
    STATUS_OPENED,
    testing,
)
from csp_kafka_quotes.demo import demo_value

Manager = KafkaQuotesAdapterManager
MODES = {
    "nc": csp.PushMode.NON_COLLAPSING,
    "lv": csp.PushMode.LAST_VALUE,
    "burst": csp.PushMode.BURST,
}


def simulate(graph: Any, starttime: datetime = T0, endtime: datetime | timedelta = timedelta(days=1)) -> dict:
    return csp.run(graph, starttime=starttime, endtime=endtime, realtime=False)


def mixed_rows(times: int = 40) -> list[tuple[datetime, str, object]]:
    """Several events per symbol at one time, symbols interleaved, gaps between times."""
    rows: list[tuple[datetime, str, object]] = []
    index = 0
    time = T0
    for step in range(times):
        time += timedelta(seconds=step % 3, microseconds=step)
        for symbol in ["A", "B", "A", "C", "A", "B"][: 1 + step % 6]:
            rows.append((time, symbol, demo_value(INPUT, index)))
            index += 1
    return rows


def subscriptions(manager: Any) -> None:
    """Every symbol in every push mode (D has no events)."""
    for symbol in ["A", "B", "C", "D"]:
        for name, mode in MODES.items():
            csp.add_graph_output(f"{symbol}-{name}", manager.subscribe(symbol, mode))


WINDOWS = {
    "whole-file": (T0, timedelta(days=1)),
    "starts-late": (T0 + timedelta(seconds=7, microseconds=3), timedelta(days=1)),
    "ends-early": (T0, T0 + timedelta(seconds=20)),
}


@pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
def test_every_push_mode_ticks_as_csp_managed_sim_adapters(tmp_path: Path, window: tuple) -> None:
    path = write_events(tmp_path / "events.csv", mixed_rows())

    @csp.graph
    def rust() -> None:
        subscriptions(Manager(path))

    @csp.graph
    def reference() -> None:
        subscriptions(ReferenceManager(path))

    start, end = window
    end = start + end if isinstance(end, timedelta) else end
    outside = [time for time, _, _ in mixed_rows() if not start <= time <= end]
    assert bool(outside) == (window != WINDOWS["whole-file"])
    expected = simulate(reference, *window)
    assert sum(len(ticks) for ticks in expected.values()) > 50
    assert simulate(rust, *window) == expected


def test_each_event_ticks_at_its_recorded_time(tmp_path: Path) -> None:
    rows = [(T0 + timedelta(microseconds=7 * i + i * i), "A", demo_value(INPUT, i)) for i in range(500)]
    manager = Manager(write_events(tmp_path / "events.csv", rows))

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("A", manager.subscribe("A"))

    assert simulate(graph)["A"] == [(time, value) for time, _, value in rows]
    stats = manager.stats()
    assert (stats["events"], stats["pushed"], stats["unrouted"]) == (500, 500, 0)


@pytest.mark.parametrize("interval", [timedelta(0), timedelta(milliseconds=250)], ids=["zero", "250ms"])
def test_a_synthetic_feed_ticks_every_interval(interval: timedelta) -> None:
    manager = Manager(Synthetic(1000, symbols=("A", "B"), interval=interval, batch_size=7))
    step = interval or timedelta(microseconds=1)

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("A", manager.subscribe("A"))
        csp.add_graph_output("B", manager.subscribe("B"))

    outputs = simulate(graph)

    assert outputs["A"] == [(T0 + i * step, demo_value(INPUT, i)) for i in range(0, 1000, 2)]
    assert outputs["B"] == [(T0 + i * step, demo_value(INPUT, i)) for i in range(1, 1000, 2)]


def test_status_ticks_at_the_open_and_with_the_last_event(tmp_path: Path) -> None:
    rows = [(T0 + timedelta(seconds=5 + i), "A", demo_value(INPUT, i)) for i in range(3)]
    manager = Manager(write_events(tmp_path / "events.csv", rows))

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("status", manager.status())
        csp.add_graph_output("A", manager.subscribe("A"))

    outputs = simulate(graph)

    opened = Status(level=Level.INFO, status_code=STATUS_OPENED, msg=f"opened events file {tmp_path / 'events.csv'}")
    ended = Status(level=Level.INFO, status_code=STATUS_FEED_ENDED, msg="the source ended after 3 events")
    assert outputs["status"] == [(T0, opened), (T0 + timedelta(seconds=7), ended)]
    assert [time for time, _ in outputs["A"]] == [time for time, _, _ in rows]


def test_the_sink_gets_every_published_tick_at_its_simulated_time(tmp_path: Path) -> None:
    symbols = ("A", "B", "C")
    rows = [(T0 + timedelta(microseconds=i // 2), symbols[i % 3], demo_value(INPUT, i)) for i in range(3000)]
    source = write_events(tmp_path / "events.csv", rows)
    sink = tmp_path / "sink.csv"
    manager = Manager(source, sink=sink)

    @csp.graph
    def graph() -> None:
        for position, symbol in enumerate(symbols):
            manager.publish(to_output(manager.subscribe(symbol), position, len(symbols)), symbol)

    simulate(graph)

    published = read_events(sink)
    for symbol in symbols:
        mine = [row for row in published if row["symbol"] == symbol]
        got = [(from_text(row["time"], datetime), from_cells(row, OUTPUT)) for row in mine]
        assert got == [(time, demo_value(OUTPUT, i)) for i, (time, s, _) in enumerate(rows) if s == symbol]
    # Input and output carry one type: the sink is the source, byte for byte.
    replayed = tmp_path / "replayed.csv"
    again = Manager(sink, sink=replayed)

    @csp.graph
    def round_trip() -> None:
        for symbol in symbols:
            again.publish(again.subscribe(symbol), symbol)

    simulate(round_trip)
    assert replayed.read_bytes() == sink.read_bytes()


def test_a_million_events_replay_without_loss(tmp_path: Path) -> None:
    symbols = [f"S{k}" for k in range(10)]
    # Writing a million records from Python takes half a minute: a quarter of them.
    count = 250_000 if is_record(INPUT) else 1_000_000
    path = tmp_path / "events.csv"
    write_events(path, ((T0 + timedelta(microseconds=i), symbols[i % 10], demo_value(INPUT, i)) for i in range(count)))
    manager = Manager(path)

    @csp.graph
    def graph() -> None:
        for position, symbol in enumerate(symbols):
            manager.publish(to_output(manager.subscribe(symbol), position, len(symbols)), symbol)

    simulate(graph)

    stats = manager.stats()
    assert (stats["events"], stats["pushed"], stats["received"], stats["mismatches"]) == (count, count, count, 0)


def test_a_bad_row_raises_naming_file_and_line(tmp_path: Path) -> None:
    rows = [(T0 + timedelta(seconds=i), "A", demo_value(INPUT, i)) for i in range(3)]
    path = write_events(tmp_path / "events.csv", rows)
    cells = ",".join(to_cells(demo_value(INPUT, 3)))
    path.write_text(path.read_text() + f"2019-12-31T00:00:00Z,A,{cells}\n")
    message = re.escape("events.csv, line 5: time 2019-12-31T00:00:00Z is before")
    seen = run_failing(Manager(path), ValueError, message, simulate)
    values = [x for x in seen if not isinstance(x, Status)]
    codes = [x.status_code for x in seen if isinstance(x, Status)]
    # A slice pushes its events and looks at the next one for its time: the
    # slice at line 4's time finds the error then, so the error waits for the
    # next slice. Lines 2 to 4 tick, nothing after the bad line.
    assert values == [demo_value(INPUT, 0), demo_value(INPUT, 1), demo_value(INPUT, 2)]
    assert codes == [STATUS_OPENED]


def test_a_missing_file_raises_before_any_tick(tmp_path: Path) -> None:
    assert run_failing(Manager(tmp_path / "missing.csv"), FileNotFoundError, "missing.csv", simulate) == []


def probe_run(manager: ProbeManager, probe: Any, pushed: list[int] | None = None) -> None:
    """A simulation over the next second of real time: the probe manager's
    source yields an event at the current time every millisecond."""

    @csp.graph
    def graph() -> None:
        values = replay(manager, int, pushed, probe) if pushed else csp.const(1)
        record(manager, values, int, probe)

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    simulate(graph, starttime=now, endtime=timedelta(seconds=1))


@pytest.mark.parametrize("panic", [True, False], ids=["panic", "error"])
@pytest.mark.parametrize("point", ["sim_time_slice", "feed_source"])
def test_a_fault_in_a_time_slice_raises_from_csp_run(point: str, panic: bool) -> None:
    injected = f"injected {'panic' if panic else 'error'} at {point}"
    with pytest.raises(RuntimeError, match=f"FaultyManager.*{injected}"):
        probe_run(ProbeManager(point, panic), testing.Probe())
    # The engine shut down cleanly: the next run works.
    probe = testing.Probe()
    probe_run(ProbeManager(), probe)
    assert probe.values() == [1]


def test_a_push_from_another_thread_raises() -> None:
    """A managed sim adapter ticks only inside its manager's time slice."""
    probe = testing.Probe()
    message = "ReplayInput: push thread failed: .*pushed only from the manager.s process_next_sim_time_slice"
    with pytest.raises(RuntimeError, match=message):
        probe_run(ProbeManager(), probe, pushed=[1, 2, 3])
    assert probe.values() == []


def test_realtime_never_asks_the_manager_for_a_time_slice() -> None:
    """csp asks a realtime run's manager for one time slice at the start too;
    the plumbing answers it, the Rust manager is not called (its fault would raise)."""
    probe = testing.Probe()

    @csp.graph
    def graph() -> None:
        record(ProbeManager("sim_time_slice"), csp.const(1), int, probe)

    csp.run(graph, endtime=timedelta(seconds=0.2), realtime=True)
    assert probe.values() == [1]
