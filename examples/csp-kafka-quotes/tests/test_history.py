"""History then live: a realtime run whose ``starttime`` is in the past
replays the manager's ``history`` (each event at its recorded time), then
goes live. Compared tick for tick with csp's own Python push-pull adapter
(``csp.impl.pushpulladapter``) fed the same history and live values; a
simulation replays the history alone; bad history ends the run with an
error naming it."""

import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import csp
import pytest
from conftest import write_events
from csp import ts
from csp.adapters.status import Status
from csp.impl.pushpulladapter import PushPullInputAdapter
from csp.impl.wiring import py_pushpull_adapter_def

from csp_kafka_quotes import (
    KafkaQuotesAdapterManager,
    Synthetic,
    demo_value,
)
from csp_kafka_quotes._native import (
    STATUS_FEED_ENDED,
    STATUS_OPENED,
    STATUS_REPLAY_COMPLETE,
)
from csp_kafka_quotes.adapters import INPUT_TYPE

Manager = KafkaQuotesAdapterManager
SYMBOLS = ("A", "B")
# History: four events every 30 s (two of each symbol), from a minute before
# the start; the live events come from a Synthetic feed, one every LIVE_GAP.
HISTORY = 40
LIVE = 20
LIVE_GAP = timedelta(milliseconds=2)
PUSH_MODES = {"nc": csp.PushMode.NON_COLLAPSING, "lv": csp.PushMode.LAST_VALUE, "burst": csp.PushMode.BURST}
# Ticks of each symbol's replay: 16 events from the start on, at 8 times.
REPLAYED = {"nc": 16, "lv": 8, "burst": 8}


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def history_rows(start: datetime, count: int = HISTORY) -> list[tuple[datetime, str, Any]]:
    first = start - timedelta(minutes=1)
    return [
        (first + timedelta(seconds=30 * (i // 4)), SYMBOLS[i % 2], demo_value(INPUT_TYPE, 1000 + i))
        for i in range(count)
    ]


def live_values(symbol: str) -> list[Any]:
    """What the live Synthetic feed gives ``symbol``."""
    return [demo_value(INPUT_TYPE, i) for i in range(LIVE) if SYMBOLS[i % 2] == symbol]


class ReplayThenLive(PushPullInputAdapter):
    """csp's own push-pull adapter: replays the ``rows`` of its symbol from
    the start on, ends the replay, then pushes the ``live`` values."""

    def __init__(self, typ: type, symbol: str, rows: list, live: list) -> None:
        self._symbol, self._rows, self._live = symbol, rows, live
        self._thread: threading.Thread | None = None

    def start(self, starttime: datetime, endtime: datetime) -> None:
        self._starttime = starttime
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        for when, symbol, value in self._rows:
            if symbol == self._symbol and when >= self._starttime:
                self.push_tick(False, when, value)
        self.flag_replay_complete()
        for value in self._live:
            time.sleep(LIVE_GAP.total_seconds())
            self.push_tick(True, now(), value)

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.join()


reference_adapter = py_pushpull_adapter_def(
    "history_reference", ReplayThenLive, ts["T"], typ="T", symbol=str, rows=list, live=list
)


@csp.node
def ended(status: ts[Status]) -> ts[bool]:
    if csp.ticked(status) and status.status_code == STATUS_FEED_ENDED:
        return True


def run_manager(history: Any, start: datetime, push_mode: csp.PushMode) -> dict[str, list]:
    @csp.graph
    def graph() -> None:
        manager = Manager(Synthetic(LIVE, SYMBOLS, interval=LIVE_GAP), history=history)
        for symbol in SYMBOLS:
            csp.add_graph_output(symbol, manager.subscribe(symbol, push_mode))
        status = manager.status()
        csp.add_graph_output("status", status)
        csp.stop_engine(ended(status))

    return csp.run(graph, starttime=start, endtime=now() + timedelta(seconds=30), realtime=True)


def run_reference(rows: list, start: datetime, push_mode: csp.PushMode) -> dict[str, list]:
    @csp.graph
    def graph() -> None:
        for symbol in SYMBOLS:
            values = reference_adapter(INPUT_TYPE, symbol, rows, live_values(symbol), push_mode=push_mode)
            csp.add_graph_output(symbol, values)

    return csp.run(graph, starttime=start, endtime=now() + timedelta(seconds=1), realtime=True)


def replayed_and_live(ticks: list, began: datetime) -> tuple[list, list]:
    """The ticks at recorded times (before the run began), and the live values after."""
    flat = [value for when, value in ticks if when >= began]
    return [(when, value) for when, value in ticks if when < began], flat


@pytest.mark.parametrize("mode", PUSH_MODES)
def test_history_then_live_matches_csps_push_pull_adapter(tmp_path: Path, mode: str) -> None:
    push_mode = PUSH_MODES[mode]
    start = now() - timedelta(minutes=10)
    rows = history_rows(start)
    began = now()
    ours = run_manager(write_events(tmp_path / "history.csv", rows), start, push_mode)
    theirs = run_reference(rows, start, push_mode)
    for symbol in SYMBOLS:
        replayed, live = replayed_and_live(ours[symbol], began)
        reference_replayed, reference_live = replayed_and_live(theirs[symbol], began)
        # The replay: the same ticks at the same times, batches included.
        assert replayed == reference_replayed, symbol
        assert len(replayed) == REPLAYED[mode]
        # Live: every value (NON_COLLAPSING, BURST), or the last one (LAST_VALUE).
        if push_mode == csp.PushMode.BURST:
            live, reference_live = [x for burst in live for x in burst], [x for burst in reference_live for x in burst]
        if push_mode == csp.PushMode.LAST_VALUE:
            assert live[-1] == reference_live[-1] == live_values(symbol)[-1]
        else:
            assert live == reference_live == live_values(symbol)
    codes = [status.status_code for _, status in ours["status"]]
    assert codes == [STATUS_OPENED, STATUS_REPLAY_COMPLETE, STATUS_FEED_ENDED]
    # The replay completes after every replayed tick and before every live one.
    completed = next(when for when, status in ours["status"] if status.status_code == STATUS_REPLAY_COMPLETE)
    for symbol in SYMBOLS:
        assert all(when <= completed for when, _ in ours[symbol][: len(replayed_and_live(ours[symbol], began)[0])])
        assert all(when >= completed for when, _ in ours[symbol] if when >= began)


def test_a_simulation_replays_the_history_alone(tmp_path: Path) -> None:
    """The live source is not opened: here it is a file that does not exist."""
    start = datetime(2020, 1, 1)
    rows = history_rows(start)
    history = write_events(tmp_path / "history.csv", rows)

    @csp.graph
    def graph() -> None:
        manager = Manager(tmp_path / "missing.csv", history=history)
        for symbol in SYMBOLS:
            csp.add_graph_output(symbol, manager.subscribe(symbol))
        csp.add_graph_output("status", manager.status())

    result = csp.run(graph, starttime=start, endtime=timedelta(hours=1), realtime=False)
    for symbol in SYMBOLS:
        assert result[symbol] == [(t, v) for t, s, v in rows if s == symbol and t >= start]
    opened = result["status"][0][1]
    assert opened.status_code == STATUS_OPENED and "history.csv" in opened.msg


def test_a_bad_history_row_raises_naming_it(tmp_path: Path) -> None:
    start = now() - timedelta(minutes=10)
    path = write_events(tmp_path / "history.csv", history_rows(start))
    lines = path.read_text().splitlines()
    lines[20] = lines[20].replace('"A"', '""').replace('"B"', '""')
    path.write_text("\n".join(lines) + "\n")
    began = time.monotonic()
    with pytest.raises(ValueError, match="history.csv, line 21: the symbol is empty"):
        run_manager(path, start, csp.PushMode.NON_COLLAPSING)
    assert time.monotonic() - began < 10


def test_history_must_be_recorded_events() -> None:
    with pytest.raises(TypeError, match="history must be recorded events"):
        Manager(Synthetic(1), history=Synthetic(1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="history must be a path"):
        Manager(Synthetic(1), history=42)  # type: ignore[arg-type]


def test_a_long_history_replays_every_event_then_goes_live(tmp_path: Path) -> None:
    start = now() - timedelta(hours=1)
    count = 100_000
    rows = [(start + timedelta(milliseconds=i // 2), SYMBOLS[i % 2], demo_value(INPUT_TYPE, i)) for i in range(count)]
    path = write_events(tmp_path / "history.csv", rows)
    began = now()
    ours = run_manager(path, start, csp.PushMode.NON_COLLAPSING)
    for symbol in SYMBOLS:
        replayed, live = replayed_and_live(ours[symbol], began)
        assert replayed == [(t, v) for t, s, v in rows if s == symbol]
        assert live == live_values(symbol)
