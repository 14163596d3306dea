"""The plumbing's feed on real csp graphs: a manager thread replays an events
file and routes each event to the adapters subscribed to its symbol, one push
batch per time, all subscriptions in one push group (``_native.testing.FeedProbe``)."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import csp
import pytest
from conftest import run_realtime
from csp import ts
from csp.adapters.status import Level, Status
from csp.impl.pushadapter import PushGroup
from csp.impl.wiring import input_adapter_def, status_adapter_def

from csp_adapter_acme._native import (
    _c_api_adapter_manager_bridge,
    _c_api_push_input_adapter,
    testing,
)

# csp's own test_multiple_ticks_in_batch (csp/tests/impl/test_pushadapter.py):
# each group of events is pushed as one batch, and the engine cycles it gives.
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
CYCLES = [
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
T0 = datetime(2020, 1, 1)


class FeedManager:
    """Graph-time manager of a ``testing.FeedProbe``: every subscription in one push group."""

    def __init__(self, path: Path) -> None:
        self.probe = testing.FeedProbe(str(path))
        self.group = PushGroup()

    def subscribe(self, symbol: str, push_mode: csp.PushMode = csp.PushMode.NON_COLLAPSING) -> ts[int]:
        return _feed_input(self, self.probe, symbol, self.group, push_mode=push_mode)

    def status(self) -> ts[Status]:
        return status_adapter_def(self, Status, push_mode=csp.PushMode.NON_COLLAPSING)

    def _create(self, engine: object, memo: object) -> object:
        return _c_api_adapter_manager_bridge(engine, self.probe.manager_capsule(), self.group)


def _create_input(mgr: Any, engine: object, pytype: type, push_mode: int, scalars: tuple[Any, ...]) -> object:
    probe, symbol, group = scalars
    capsule = probe.input_capsule(symbol)
    return _c_api_push_input_adapter(mgr, engine, pytype, push_mode, (capsule, group))


_feed_input = input_adapter_def(
    "feed_input", _create_input, ts[int], FeedManager, probe=object, symbol=str, group=object
)


def write_events(path: Path, groups: list[list[tuple[str, int]]]) -> Path:
    rows = ["time,symbol,value"]
    for second, group in enumerate(groups):
        stamp = (T0 + timedelta(seconds=second)).isoformat()
        rows += [f"{stamp}Z,{symbol},{value}" for symbol, value in group]
    path.write_text("\n".join(rows) + "\n")
    return path


@csp.node
def cycle(nc1: ts[int], nc2: ts[int], c1: ts[int], c2: ts[int], b1: ts[[int]]) -> ts[dict]:
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


def test_grouped_batches_tick_as_in_csp(tmp_path: Path) -> None:
    manager = FeedManager(write_events(tmp_path / "events.csv", GROUPS))

    @csp.graph
    def graph() -> None:
        nc2 = manager.subscribe("nc2")
        csp.add_graph_output(
            "cycles",
            cycle(
                nc1=manager.subscribe("nc1"),
                nc2=nc2,
                c1=manager.subscribe("c1", csp.PushMode.LAST_VALUE),
                c2=manager.subscribe("c2", csp.PushMode.LAST_VALUE),
                b1=manager.subscribe("b1", csp.PushMode.BURST),
            ),
        )
        last = nc2 == csp.const(8)
        csp.stop_engine(csp.filter(last, last))

    cycles = [value for _, value in run_realtime(graph)["cycles"]]

    assert cycles == CYCLES
    events = sum(len(group) for group in GROUPS)
    assert manager.probe.counters() == (events, events, 0)


def test_every_subscription_of_a_symbol_gets_its_events(tmp_path: Path) -> None:
    rows = [[("A", i), ("B", -i), ("C", 1000 + i)] for i in range(200)]
    manager = FeedManager(write_events(tmp_path / "events.csv", rows))

    @csp.graph
    def graph() -> None:
        # Two subscriptions of one symbol (csp merges identical ones: these differ in push mode).
        csp.add_graph_output("a1", manager.subscribe("A"))
        csp.add_graph_output("a2", manager.subscribe("A", csp.PushMode.LAST_VALUE))
        csp.add_graph_output("b", manager.subscribe("B"))
        status = manager.status()
        csp.add_graph_output("status", status)
        ended = csp.apply(status, lambda s: s.status_code == testing.STATUS_FEED_ENDED, bool)
        csp.stop_engine(csp.filter(ended, ended))

    outputs = run_realtime(graph)

    assert [v for _, v in outputs["a1"]] == list(range(200))
    assert [v for _, v in outputs["a2"]] == list(range(200))
    assert [v for _, v in outputs["b"]] == [-i for i in range(200)]
    assert manager.probe.counters() == (600, 600, 200)
    assert [v for _, v in outputs["status"]] == [
        Status(level=Level.INFO, status_code=testing.STATUS_OPENED, msg=f"opened {tmp_path / 'events.csv'}"),
        Status(level=Level.INFO, status_code=testing.STATUS_FEED_ENDED, msg="the source ended after 600 events"),
    ]


def test_a_missing_file_raises_before_any_tick(tmp_path: Path) -> None:
    manager = FeedManager(tmp_path / "missing.csv")

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("a", manager.subscribe("A"))

    with pytest.raises(FileNotFoundError, match="missing.csv"):
        run_realtime(graph)


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("2020-01-01T00:00:02Z,A,x", r"events.csv, line 4: int value \"x\" is not a 64-bit integer"),
        ("2020-01-01T00:00:02Z,A", "events.csv, line 4: 2 fields where the header has 3"),
        ("2019-12-31T00:00:00Z,A,3", "events.csv, line 4: time 2019-12-31T00:00:00Z is before the previous row's"),
    ],
    ids=["bad-value", "missing-field", "time-going-backwards"],
)
def test_a_bad_row_stops_the_graph_naming_file_and_line(tmp_path: Path, bad_row: str, message: str) -> None:
    path = tmp_path / "events.csv"
    rows = ["2020-01-01T00:00:00Z,A,1", "2020-01-01T00:00:01Z,A,2", bad_row, "2020-01-01T00:00:03Z,A,4"]
    path.write_text("time,symbol,value\n" + "\n".join(rows) + "\n")
    manager = FeedManager(path)
    seen: list[Any] = []

    @csp.node
    def record(x: ts[object]) -> None:
        seen.append(x)

    @csp.graph
    def graph() -> None:
        record(manager.subscribe("A"))
        record(manager.status())

    with pytest.raises(ValueError, match=message):
        run_realtime(graph, endtime=timedelta(seconds=30))

    values = [x for x in seen if isinstance(x, int)]
    statuses = [(x.level, x.status_code) for x in seen if isinstance(x, Status)]
    # The engine may stop before the rows read ahead of the bad one tick, but
    # nothing after it is ever pushed.
    assert values == [1, 2][: len(values)]
    assert statuses[0] == (Level.INFO, testing.STATUS_OPENED)
