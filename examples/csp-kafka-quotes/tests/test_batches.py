"""csp's batch rule at scale, in realtime: a batch of the source ticks as csp
ticks a ``PushBatch`` of its own Python push adapters (``push_reference.py``),
whatever the threads do. LAST_VALUE ticks only the last event of a batch,
BURST whole batches, and in one engine cycle every subscription has consumed
the same batches; NON_COLLAPSING ticks every event in order.

Each case runs ``BATCH_RUNS`` times (5; ``make stress`` runs many more) for the
Rust manager and for the reference, on the same batches."""

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import csp
import pytest
from conftest import INPUT, T0, feed_ended, run_realtime, to_cells, write_events
from csp import ts
from push_reference import Batch, PushReference

from csp_kafka_quotes import (
    KafkaQuotesAdapterManager,
    Synthetic,
)
from csp_kafka_quotes.demo import demo_value

Manager = KafkaQuotesAdapterManager

RUNS = int(os.environ.get("BATCH_RUNS", "5"))
SYMBOLS = ("A", "B", "C", "D", "E")
MODES = {
    "lv": csp.PushMode.LAST_VALUE,
    "burst": csp.PushMode.BURST,
    "nc": csp.PushMode.NON_COLLAPSING,
}


@dataclass(frozen=True)
class Shape:
    """``batches`` batches of ``size`` events, over ``symbols`` symbols in turn."""

    batches: int
    size: int
    symbols: int

    def __str__(self) -> str:
        return f"{self.batches}x{self.size}-{self.symbols}sym"

    def events(self) -> list[Batch]:
        """The batches: event ``i`` is demo value ``i`` of symbol ``i % symbols``, as ``Synthetic`` makes them."""
        symbols = SYMBOLS[: self.symbols]
        return [
            [(symbols[i % self.symbols], demo_value(INPUT, i)) for i in range(j * self.size, (j + 1) * self.size)]
            for j in range(self.batches)
        ]


SHAPES = [Shape(20, 100, 1), Shape(4, 1000, 1), Shape(200, 2, 3), Shape(40, 25, 5)]


def key(value: object) -> tuple[str, ...]:
    return tuple(to_cells(value))


def rule_violations(batches: list[Batch], cycles: list[dict[str, Any]], mode: csp.PushMode) -> list[str]:
    """What in ``cycles`` (per engine cycle, the subscriptions that ticked) breaks csp's batch rule."""
    events = [(j, symbol, key(value)) for j, batch in enumerate(batches) for symbol, value in batch]
    by_symbol: dict[str, list[int]] = {}
    for i, (_, symbol, _) in enumerate(events):
        by_symbol.setdefault(symbol, []).append(i)
    # Events can be told apart by value for every type but bool.
    unique = len({(symbol, k) for _, symbol, k in events}) == len(events)
    position = {(symbol, k): i for i, (_, symbol, k) in enumerate(events)}
    # The last event of each symbol in each batch.
    ends = set({(j, symbol): i for i, (j, symbol, _) in enumerate(events)}.values())
    end_values = {symbol: {events[i][2] for i in ids if i in ends} for symbol, ids in by_symbol.items()}
    last_value: dict[str, tuple[str, ...]] = {}
    cursor = dict.fromkeys(by_symbol, 0)
    done = -1  # the last batch every subscription has consumed
    for n, cycle in enumerate(cycles):
        ticked: dict[str, list[int]] = {}
        for symbol, value in cycle.items():
            if mode == csp.PushMode.LAST_VALUE:
                if unique:
                    if (symbol, key(value)) not in position:
                        return [f"cycle {n}: {symbol} ticked {value!r}, which is none of its events"]
                    ticked[symbol] = [position[(symbol, key(value))]]
                    continue
                # bool: which event ticked cannot be told; its value must be one that ends a batch.
                if key(value) not in end_values[symbol]:
                    return [f"cycle {n}: {symbol} ticked {value!r}, which ends none of its batches"]
                last_value[symbol] = key(value)
                continue
            values = value if mode == csp.PushMode.BURST else [value]
            ids = by_symbol[symbol][cursor[symbol] : cursor[symbol] + len(values)]
            if [events[i][2] for i in ids] != [key(v) for v in values]:
                return [f"cycle {n}: {symbol} ticked {values!r}, not its next events in order"]
            cursor[symbol] += len(values)
            ticked[symbol] = ids
        if mode == csp.PushMode.NON_COLLAPSING or not unique and mode == csp.PushMode.LAST_VALUE:
            continue
        # Collapsing modes consume whole batches, every subscription the same ones.
        last = max(events[i][0] for ids in ticked.values() for i in ids)
        for symbol, ids in by_symbol.items():
            window = [i for i in ids if done < events[i][0] <= last]
            expected = window if mode == csp.PushMode.BURST else window[-1:]
            if ticked.get(symbol, []) != expected:
                got = [events[i][0] for i in ticked.get(symbol, [])]
                return [f"cycle {n}: {symbol} ticked events of batches {got}, not batches {done + 1}..{last} whole"]
        done = last
    left = {symbol: len(ids) - cursor[symbol] for symbol, ids in by_symbol.items() if cursor[symbol] < len(ids)}
    if mode == csp.PushMode.LAST_VALUE and not unique:
        final = {symbol: events[ids[-1]][2] for symbol, ids in by_symbol.items()}
        return [] if last_value == final else [f"the last ticks {last_value} are not the last events {final}"]
    if mode == csp.PushMode.LAST_VALUE:
        return [] if done == len(batches) - 1 else [f"the last batch that ticked is {done}, of {len(batches)}"]
    return [f"events that never ticked: {left}"] if left else []


@csp.node
def record_cycles(x: {str: ts[object]}, cycles: object):  # type: ignore[valid-type]
    if csp.ticked(x):
        cast(list, cycles).append(dict(x.tickeditems()))


@csp.node
def stop_on(x: ts[bool]):  # type: ignore[valid-type]
    if csp.ticked(x):
        csp.stop_engine()


def run_cycles(
    make: Callable[[], Any], ended: Any, symbols: tuple[str, ...], mode: csp.PushMode
) -> list[dict[str, Any]]:
    """The ticks of each engine cycle of the subscriptions of the manager ``make()`` returns, until
    ``ended(manager)`` ticks. The manager is made inside the graph, as users write it: nothing but the
    engine keeps it (and its push group) alive while the graph runs."""
    cycles: list[dict[str, Any]] = []

    @csp.graph
    def graph() -> None:
        manager = make()
        record_cycles({symbol: manager.subscribe(symbol, push_mode=mode) for symbol in symbols}, cycles)
        stop_on(ended(manager))

    run_realtime(graph)
    return cycles


def rust_manager(source: str, shape: Shape, tmp_path: Path) -> Manager:
    """The Rust manager on ``shape``'s batches: a ``Synthetic`` feed, or an events file with a time per batch."""
    symbols = SYMBOLS[: shape.symbols]
    if source == "synthetic":
        return Manager(Synthetic(shape.batches * shape.size, symbols, batch_size=shape.size))
    path = tmp_path / "events.csv"
    if not path.exists():
        rows = [
            (T0 + timedelta(seconds=j), symbol, value)
            for j, batch in enumerate(shape.events())
            for symbol, value in batch
        ]
        write_events(path, rows)
    return Manager(path)


def rust_ended(manager: Manager) -> ts[bool]:
    return feed_ended(manager.status())


def reference_ended(manager: PushReference) -> ts[bool]:
    return manager.ended()


@pytest.mark.parametrize("mode", MODES.values(), ids=MODES.keys())
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("source", ["events-file", "synthetic"])
def test_the_rust_manager_keeps_every_batch_whole(
    source: str, shape: Shape, mode: csp.PushMode, tmp_path: Path
) -> None:
    batches = shape.events()
    symbols = SYMBOLS[: shape.symbols]
    broken = []
    for run in range(RUNS):
        cycles = run_cycles(lambda: rust_manager(source, shape, tmp_path), rust_ended, symbols, mode)
        broken += [f"run {run}: {problem}" for problem in rule_violations(batches, cycles, mode)]
    assert not broken, f"{len(broken)} of {RUNS} runs broke a batch: {broken[:3]}"


@pytest.mark.parametrize("mode", MODES.values(), ids=MODES.keys())
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_csp_s_own_push_adapters_keep_the_same_rule(shape: Shape, mode: csp.PushMode) -> None:
    """The oracle: the rule checked above is what csp's PushBatch does."""
    batches = shape.events()
    symbols = SYMBOLS[: shape.symbols]
    for _ in range(RUNS):
        cycles = run_cycles(lambda: PushReference(batches), reference_ended, symbols, mode)
        assert rule_violations(batches, cycles, mode) == []


def test_the_rule_catches_a_split_batch() -> None:
    """A batch that ticks in two cycles is caught, in every mode."""
    batches = Shape(3, 4, 1).events()
    values = [value for batch in batches for _, value in batch]
    split = [{"A": values[2]}, {"A": values[5]}, {"A": values[11]}]
    assert rule_violations(batches, split, csp.PushMode.LAST_VALUE)
    bursts = [{"A": values[:2]}, {"A": values[2:]}]
    assert rule_violations(batches, bursts, csp.PushMode.BURST)
    whole = [{"A": values[:4]}, {"A": values[4:]}]
    assert rule_violations(batches, whole, csp.PushMode.BURST) == []
    assert rule_violations(batches, [{"A": v} for v in values[:-1]], csp.PushMode.NON_COLLAPSING)
