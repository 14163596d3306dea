"""The Rust manager, its subscriptions and publications on real csp graphs:
every value checked exactly."""

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

import csp
import pytest
from conftest import (
    INPUT,
    OUTPUT,
    T0,
    feed_ended,
    fields_of_type,
    from_cells,
    from_text,
    is_record,
    read_events,
    run_failing,
    run_realtime,
    to_cells,
    to_output,
    value_columns,
    write_events,
)
from csp import ts
from csp.adapters.status import Level, Status
from probes import LockstepManager, ProbeManager, record

from csp_adapter_acme import (
    AcmeAdapterManager,
    Synthetic,
)
from csp_adapter_acme._native import (
    STATUS_FEED_ENDED,
    STATUS_FEED_FAILED,
    STATUS_OPENED,
    testing,
)
from csp_adapter_acme.demo import demo_value, demo_values

Manager = AcmeAdapterManager


def counters(stats: Any) -> tuple[int, int, int, int, str | None]:
    return stats["events"], stats["pushed"], stats["received"], stats["mismatches"], stats["first_mismatch"]


def ticks(outputs: dict, name: str) -> list:
    return [value for _, value in outputs[name]]


@pytest.mark.parametrize("count", [1, 1000, 20_000])
def test_every_event_arrives_in_order(count: int) -> None:
    manager = Manager(Synthetic(count))

    @csp.graph
    def graph() -> None:
        values = manager.subscribe("A")
        csp.add_graph_output("values", values)
        manager.publish(to_output(values), "A")
        csp.stop_engine(feed_ended(manager.status()))

    outputs = run_realtime(graph)

    assert ticks(outputs, "values") == demo_values(INPUT, count)
    stats = manager.stats()
    assert counters(stats) == (count, count, count, 0, None)
    assert stats["unrouted"] == 0
    assert stats["first_push_ns"] is not None and stats["last_receive_ns"] is not None
    assert stats["first_push_ns"] <= stats["last_receive_ns"]


def test_events_go_to_the_subscriptions_of_their_symbol() -> None:
    symbols = ("A", "B", "C")
    manager = Manager(Synthetic(3000, symbols=symbols, batch_size=7))

    @csp.graph
    def graph() -> None:
        for position, symbol in enumerate(symbols[:2]):
            values = manager.subscribe(symbol)
            csp.add_graph_output(symbol, values)
            manager.publish(to_output(values, position, len(symbols)), symbol)
        csp.stop_engine(feed_ended(manager.status()))

    outputs = run_realtime(graph)

    assert ticks(outputs, "A") == [demo_value(INPUT, i) for i in range(0, 3000, 3)]
    assert ticks(outputs, "B") == [demo_value(INPUT, i) for i in range(1, 3000, 3)]
    stats = manager.stats()
    assert (stats["events"], stats["pushed"], stats["unrouted"]) == (3000, 2000, 1000)
    assert (stats["received"], stats["mismatches"]) == (2000, 0)


def test_subscriptions_of_one_symbol_in_every_push_mode() -> None:
    manager = Manager(Synthetic(1000, batch_size=10))

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("every", manager.subscribe("A"))
        csp.add_graph_output("last", manager.subscribe("A", csp.PushMode.LAST_VALUE))
        csp.add_graph_output("burst", manager.subscribe("A", csp.PushMode.BURST))
        csp.stop_engine(feed_ended(manager.status()))

    outputs = run_realtime(graph)

    expected = demo_values(INPUT, 1000)
    assert ticks(outputs, "every") == expected
    # One push batch of 10 events at a time: LAST_VALUE ticks the last of
    # each, BURST the whole batch as one list.
    assert ticks(outputs, "burst") == [expected[i : i + 10] for i in range(0, 1000, 10)]
    assert ticks(outputs, "last") == expected[9::10]


# Batches that give a NON_COLLAPSING subscription several values, with other
# subscriptions in the same push group: when the engine lags behind the
# feed, csp's pending events lose an event of such a group unless each batch
# ends with the right push (adapter_core::batch_order); before it did, about
# one run in twenty lost its last values or its end status. Each run ends
# by itself once the source has ended.
MIXED_RUNS = 100
# The source's symbols (in turn) and batch size, the NON_COLLAPSING
# subscriptions, and the other push modes subscribed to A.
MIXED = {
    "every-push-mode-on-one-symbol": (("A",), 10, ("A",), (csp.PushMode.LAST_VALUE, csp.PushMode.BURST)),
    "two-symbols-the-first-busier": (("A", "A", "B"), 3, ("A", "B"), ()),
}


def run_mixed(manager: Manager, subscribed: tuple[str, ...], other_modes: tuple[csp.PushMode, ...]) -> dict:
    """Runs the NON_COLLAPSING subscriptions ``subscribed`` and A's in
    ``other_modes`` until the source ends (or 5 s)."""

    @csp.graph
    def graph() -> None:
        for symbol in subscribed:
            csp.add_graph_output(symbol, manager.subscribe(symbol))
        for mode in other_modes:
            csp.add_graph_output(mode.name, manager.subscribe("A", mode))
        ended = feed_ended(manager.status())
        csp.add_graph_output("ended", ended)
        csp.stop_engine(ended)

    return run_realtime(graph, endtime=timedelta(seconds=5))


@pytest.mark.parametrize("case", MIXED)
def test_batches_mixing_subscriptions_lose_nothing_over_many_runs(case: str) -> None:
    symbols, batch_size, subscribed, other_modes = MIXED[case]
    count = 999
    expected = {
        symbol: [demo_value(INPUT, i) for i in range(count) if symbols[i % len(symbols)] == symbol]
        for symbol in subscribed
    }
    failed = []
    for run in range(MIXED_RUNS):
        outputs = run_mixed(Manager(Synthetic(count, symbols=symbols, batch_size=batch_size)), subscribed, other_modes)
        got = {symbol: ticks(outputs, symbol) for symbol in subscribed}
        if got != expected or not outputs["ended"]:
            failed.append((run, {symbol: len(values) for symbol, values in got.items()}, len(outputs["ended"])))
    assert not failed, f"runs that lost events (run, ticks by symbol, end statuses): {failed}"


def test_status_reports_the_source_opening_and_ending() -> None:
    manager = Manager(Synthetic(100, symbols=("A", "B")))

    @csp.graph
    def graph() -> None:
        status = manager.status()
        csp.add_graph_output("status", status)
        csp.add_graph_output("last", manager.status(push_mode=csp.PushMode.LAST_VALUE))
        csp.add_graph_output("A", manager.subscribe("A"))
        csp.stop_engine(feed_ended(status))

    outputs = run_realtime(graph)

    assert ticks(outputs, "status") == [
        Status(level=Level.INFO, status_code=STATUS_OPENED, msg="opened synthetic feed of 100 events over 2 symbols"),
        Status(level=Level.INFO, status_code=STATUS_FEED_ENDED, msg="the source ended after 100 events"),
    ]
    assert ticks(outputs, "last")[-1].status_code == STATUS_FEED_ENDED
    assert len(ticks(outputs, "A")) == 50


def test_output_adapter_counts_wrong_values() -> None:
    manager = Manager(Synthetic(4))
    sent = [demo_value(OUTPUT, 0), demo_value(OUTPUT, 2), demo_value(OUTPUT, 2), demo_value(OUTPUT, 3)]

    @csp.graph
    def graph() -> None:
        curve = csp.curve(OUTPUT, [(timedelta(seconds=i), value) for i, value in enumerate(sent)])
        manager.publish(curve, "A")

    csp.run(graph, starttime=datetime(2024, 1, 1), endtime=timedelta(seconds=10))

    stats = manager.stats()
    assert (stats["received"], stats["mismatches"]) == (4, 1)
    assert stats["first_mismatch"] is not None and stats["first_mismatch"].startswith("value 1: expected")


def test_interval_paces_the_synthetic_feed() -> None:
    interval = timedelta(milliseconds=20)
    manager = Manager(Synthetic(5, interval=interval))

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("values", manager.subscribe("A"))
        csp.stop_engine(feed_ended(manager.status()))

    outputs = run_realtime(graph)

    times = [t for t, _ in outputs["values"]]
    assert ticks(outputs, "values") == demo_values(INPUT, 5)
    # Event i is pushed no earlier than i intervals after the first.
    assert times[-1] - times[0] >= 3 * interval


def test_a_live_source_s_batches_go_out_before_it_reads_on() -> None:
    # Each value is handed only once the one before has ticked, as a live feed
    # waits for an answer: a feed that held a batch back, to send it with the
    # next, would stall (the source gives up after 10 s and csp.run raises).
    count = 200
    probe = testing.Probe()
    manager = LockstepManager(count, probe)

    @csp.node
    def reached(x: ts[int], last: int) -> ts[bool]:
        if x == last:
            return True

    @csp.graph
    def graph() -> None:
        values = manager.subscribe()
        record(ProbeManager(), values, int, probe)
        csp.stop_engine(reached(values, count - 1))

    run_realtime(graph)
    assert probe.values() == list(range(count))


def test_each_run_counts_afresh() -> None:
    manager = Manager(Synthetic(50))

    @csp.graph
    def graph() -> None:
        manager.publish(to_output(manager.subscribe("A")), "A")
        csp.stop_engine(feed_ended(manager.status()))

    for _ in range(3):
        run_realtime(graph)
        assert counters(manager.stats()) == (50, 50, 50, 0, None)


# csp's own test_multiple_ticks_in_batch (csp/tests/impl/test_pushadapter.py):
# each group is one push batch (here: the rows of one time in an events file),
# and the engine cycles it must give, with value v standing for demo value v.
GROUPS = [
    [("c1", 1), ("c2", 1), ("b1", 1)],
    [("c1", 2), ("c2", 2), ("nc1", 1), ("nc2", 1), ("b1", 2), ("b1", 3)],
    [("c1", 3), ("c2", 3), ("nc1", 2), ("nc2", 2), ("nc1", 3), ("nc1", 4), ("c1", 4), ("b1", 4), ("b1", 5), ("b1", 6)],
    [("c1", 5), ("c2", 4), ("nc1", 5), ("nc2", 3), ("b1", 7), ("b1", 8), ("b1", 9)],
    [
        ("c1", 6),
        ("c2", 5),
        ("c2", 6),
        ("b1", 10),
        ("b1", 11),
        ("nc1", 6),
        ("nc2", 4),
        ("nc1", 7),
        ("nc2", 5),
        ("nc2", 6),
        ("nc2", 7),
    ],
    [("c1", 7), ("c2", 7), ("nc1", 8), ("nc2", 8), ("b1", 12)],
]
CYCLES: list[dict[str, Any]] = [
    {"c1": 2, "c2": 2, "nc1": 1, "nc2": 1, "b1": [1, 2, 3]},
    {"c1": 4, "c2": 3, "nc1": 2, "nc2": 2, "b1": [4, 5, 6]},
    {"nc1": 3},
    {"nc1": 4},
    {"c1": 5, "c2": 4, "nc1": 5, "nc2": 3, "b1": [7, 8, 9]},
    {"c1": 6, "c2": 6, "nc1": 6, "nc2": 4, "b1": [10, 11]},
    {"nc1": 7, "nc2": 5},
    {"nc2": 6},
    {"nc2": 7},
    {"c1": 7, "c2": 7, "nc1": 8, "nc2": 8, "b1": [12]},
]


@csp.node
def cycle(nc1: ts[INPUT], nc2: ts[INPUT], c1: ts[INPUT], c2: ts[INPUT], b1: ts[[INPUT]]) -> ts[dict]:
    """What ticked in one engine cycle, by symbol."""
    ticked: dict[str, object] = {}
    if csp.ticked(c1):
        ticked["c1"] = c1
    if csp.ticked(c2):
        ticked["c2"] = c2
    if csp.ticked(nc1):
        ticked["nc1"] = nc1
    if csp.ticked(nc2):
        ticked["nc2"] = nc2
    if csp.ticked(b1):
        ticked["b1"] = b1
    return ticked


def demo(value: object) -> object:
    """A cycle's value with every number v replaced by demo value v."""
    if isinstance(value, list):
        return [demo_value(INPUT, v) for v in value]
    return demo_value(INPUT, value)  # type: ignore[arg-type]


def test_grouped_batches_tick_as_in_csp(tmp_path: Path) -> None:
    rows = [(T0 + timedelta(seconds=i), s, demo_value(INPUT, v)) for i, group in enumerate(GROUPS) for s, v in group]
    manager = Manager(write_events(tmp_path / "events.csv", rows))

    @csp.graph
    def graph() -> None:
        csp.add_graph_output(
            "cycles",
            cycle(
                nc1=manager.subscribe("nc1"),
                nc2=manager.subscribe("nc2"),
                c1=manager.subscribe("c1", csp.PushMode.LAST_VALUE),
                c2=manager.subscribe("c2", csp.PushMode.LAST_VALUE),
                b1=manager.subscribe("b1", csp.PushMode.BURST),
            ),
        )
        csp.stop_engine(feed_ended(manager.status()))

    cycles = ticks(run_realtime(graph), "cycles")

    assert cycles == [{symbol: demo(v) for symbol, v in expected.items()} for expected in CYCLES]


@pytest.mark.parametrize("queue_wait", [timedelta(0), timedelta(seconds=0.1)], ids=["no-wait", "wait"])
def test_last_values_never_pass_a_non_collapsing_tick(tmp_path: Path, queue_wait: timedelta) -> None:
    """csp's own test_basic: 100 LAST_VALUE subscriptions, one NON_COLLAPSING and
    one BURST, fed in one push group; every tick of the batch of time c is value c."""
    lv_symbols = [f"LV{k}" for k in range(100)]
    rows = []
    for c in range(501):
        time = T0 + timedelta(milliseconds=c)
        rows += [(time, symbol, demo_value(INPUT, c)) for symbol in lv_symbols]
        if c % 5 == 0:
            rows += [(time, "NC", demo_value(INPUT, c)), (time, "B", demo_value(INPUT, c))]
    manager = Manager(write_events(tmp_path / "events.csv", rows))

    @csp.node
    def check(burst: ts[[INPUT]], lv: list[ts[INPUT]], nc: ts[INPUT]) -> ts[int]:
        basket = cast(Any, lv)  # a csp list basket
        if csp.ticked(lv) and csp.valid(lv):
            assert all(v == lv[0] for v in basket.validvalues())
        if csp.ticked(burst):
            assert all(v == nc for v in burst)
        if csp.ticked(nc):
            assert all(v == nc for v in basket.validvalues())
            return csp.num_ticks(nc)

    @csp.graph
    def graph() -> None:
        nc = manager.subscribe("NC")
        lv = [manager.subscribe(symbol, csp.PushMode.LAST_VALUE) for symbol in lv_symbols]
        burst = manager.subscribe("B", csp.PushMode.BURST)
        csp.add_graph_output("nc_ticks", check(burst, lv, nc))
        csp.stop_engine(feed_ended(manager.status()))

    outputs = run_realtime(graph, queue_wait_time=queue_wait)

    assert ticks(outputs, "nc_ticks") == list(range(1, 102))


def test_sink_round_trip(tmp_path: Path) -> None:
    """Replaying a file into publish for every symbol writes the same values per symbol, in order."""
    symbols = ("A", "B", "C")
    count = 3000
    source = write_events(
        tmp_path / "events.csv",
        [(T0 + timedelta(microseconds=i // 2), symbols[i % 3], demo_value(INPUT, i)) for i in range(count)],
    )
    sink = tmp_path / "sink.csv"
    manager = Manager(source, sink=sink)

    @csp.graph
    def graph() -> None:
        for position, symbol in enumerate(symbols):
            manager.publish(to_output(manager.subscribe(symbol), position, len(symbols)), symbol)
        csp.stop_engine(feed_ended(manager.status()))

    started = datetime.now(timezone.utc).replace(tzinfo=None)
    run_realtime(graph)

    rows = read_events(sink)
    assert len(rows) == count
    for position, symbol in enumerate(symbols):
        values = [from_cells(row, OUTPUT) for row in rows if row["symbol"] == symbol]
        assert values == [demo_value(OUTPUT, i) for i in range(position, count, len(symbols))]
    times = [cast(datetime, from_text(row["time"], datetime)) for row in rows]
    assert times == sorted(times) and started <= times[0]
    assert manager.stats()["received"] == count


def test_paced_replay_follows_the_recorded_gaps(tmp_path: Path) -> None:
    gaps = [timedelta(0), timedelta(milliseconds=60), timedelta(milliseconds=150)]
    source = write_events(
        tmp_path / "events.csv", [(T0 + gap, "A", demo_value(INPUT, i)) for i, gap in enumerate(gaps)]
    )

    def replay(paced: bool) -> list[datetime]:
        manager = Manager(source, paced=paced)

        @csp.graph
        def graph() -> None:
            csp.add_graph_output("values", manager.subscribe("A"))
            csp.stop_engine(feed_ended(manager.status()))

        outputs = run_realtime(graph)
        assert ticks(outputs, "values") == demo_values(INPUT, 3)
        return [t for t, _ in outputs["values"]]

    # Event i is pushed no earlier than its gap after the first push; the first
    # tick's engine time trails that push by the engine's wake-up latency.
    slack = timedelta(milliseconds=10)
    paced = replay(True)
    assert paced[1] - paced[0] >= gaps[1] - slack and paced[2] - paced[0] >= gaps[2] - slack
    as_fast_as_possible = replay(False)
    assert as_fast_as_possible[2] - as_fast_as_possible[0] < gaps[2] - slack


def test_a_missing_file_raises_before_any_tick(tmp_path: Path) -> None:
    manager = Manager(tmp_path / "missing.csv")
    assert run_failing(manager, FileNotFoundError, "missing.csv") == []


def test_a_sink_that_cannot_be_written_raises_before_any_tick(tmp_path: Path) -> None:
    manager = Manager(Synthetic(10), sink=tmp_path / "missing" / "sink.csv")
    assert run_failing(manager, FileNotFoundError, "sink.csv") == []


GOOD_ROWS = [(T0, "A", 0), (T0 + timedelta(seconds=1), "A", 1)]
COLUMNS = value_columns(INPUT)
COLUMN_TYPES = list(fields_of_type(INPUT).values()) if is_record(INPUT) else [INPUT]
WIDTH = 2 + len(COLUMNS)
# The first value column that "maybe" is not a value of, if any.
BAD_COLUMN = next((i for i, typ in enumerate(COLUMN_TYPES) if typ is not str), None)


def cells_of_event_2(bad: bool = False) -> str:
    cells = to_cells(demo_value(INPUT, 2))
    if bad and BAD_COLUMN is not None:
        cells[BAD_COLUMN] = "maybe"
    return ",".join(cells)


BAD_FILES = [
    ("missing-field", "{time},A", f"events.csv, line 4: 2 fields where the header has {WIDTH}"),
    ("extra-field", "{time},A,{value},x", f"events.csv, line 4: {WIDTH + 1} fields where the header has {WIDTH}"),
    ("time-backwards", "2019-12-31T00:00:00Z,A,{value}", "events.csv, line 4: time 2019-12-31T00:00:00Z is before"),
    ("bad-time", "yesterday,A,{value}", 'events.csv, line 4: time "yesterday" is not an ISO-8601 UTC time'),
]
if BAD_COLUMN is not None:
    column = f"{COLUMNS[BAD_COLUMN]}: " if is_record(INPUT) else ""
    bad_type = COLUMN_TYPES[BAD_COLUMN].__name__
    BAD_FILES.insert(0, ("bad-value", "{time},A,{bad}", f'events.csv, line 4: {column}{bad_type} value "maybe"'))


@pytest.mark.parametrize(("row", "message"), [(r, m) for _, r, m in BAD_FILES], ids=[i for i, _, _ in BAD_FILES])
def test_a_bad_row_raises_naming_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    path = write_events(tmp_path / "events.csv", [(t, s, demo_value(INPUT, v)) for t, s, v in GOOD_ROWS])
    bad = row.format(time="2020-01-01T00:00:02Z", value=cells_of_event_2(), bad=cells_of_event_2(bad=True))
    path.write_text(path.read_text() + bad + "\n2020-01-01T00:00:03Z,A,x\n")
    # The whole message: where the row came from, and what is wrong with it.
    what = message.split(": ", 1)[1]
    expected = f"^{Manager.__name__} feed thread failed: {re.escape(str(path))}, line 4: {re.escape(what)}"
    seen = run_failing(Manager(path), ValueError, expected)

    values = [x for x in seen if not isinstance(x, Status)]
    codes = [x.status_code for x in seen if isinstance(x, Status)]
    # The engine may stop before what was queued ahead of the error ticks, but
    # nothing after the bad row is ever pushed.
    assert values == demo_values(INPUT, 2)[: len(values)]
    assert codes == [STATUS_OPENED, STATUS_FEED_FAILED][: len(codes)]


def test_a_bad_header_raises_before_any_tick(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("time,symbol,price\n2020-01-01T00:00:00Z,A,1\n")
    manager = Manager(path)

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("values", manager.subscribe("A"))

    with pytest.raises(ValueError, match=r'events.csv, line 1: unknown column "price"'):
        run_realtime(graph)
