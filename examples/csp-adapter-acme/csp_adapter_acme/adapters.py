"""Graph-time wiring of the Rust adapters: ``AcmeAdapterManager``.

One manager owns one source (an events file, or a ``Synthetic`` demo feed)
and routes its events to every ``subscribe(symbol)`` of a graph;
``publish(x, symbol)`` sends values back out through it, to a sink file when
it has one; ``status()`` ticks what the Rust manager reports. The same graph
runs in realtime and in simulation (``csp.run(..., realtime=False)``), where
every event ticks at its recorded time.
"""

import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypedDict, cast

import csp
from csp import ts
from csp.adapters.status import Status
from csp.impl.pushadapter import PushGroup
from csp.impl.wiring import input_adapter_def, output_adapter_def
from csp.impl.wiring.edge import Edge

from ._native import (
    DEFAULT_MAX_IN_FLIGHT,
    Runtime,
    _c_api_adapter_manager_bridge,
    _c_api_output_adapter,
    _c_api_push_input_adapter,
    _c_api_status_adapter,
)

__all__ = [
    "AcmeAdapterManager",
    "Publication",
    "Stats",
    "Subscription",
    "Synthetic",
]

# What a live source does when the graph is max_in_flight events behind.
WHEN_FULL = ("block", "drop_oldest", "drop_newest")

INPUT_TYPE = int
OUTPUT_TYPE = int


class Stats(TypedDict):
    """Counters of one run."""

    events: int
    pushed: int
    unrouted: int
    bad_messages: int
    dropped: int
    peak_in_flight: int
    received: int
    mismatches: int
    first_mismatch: str | None
    first_push_ns: int | None
    last_receive_ns: int | None


@dataclass(frozen=True)
class Synthetic:
    """A generated demo feed: ``count`` events, value ``i`` by the demo rule
    (``demo.py``), ``symbols`` in turn, ``batch_size`` events per push batch,
    one event every ``interval`` (zero: as fast as possible)."""

    count: int
    symbols: tuple[str, ...] = ("A",)
    interval: timedelta = timedelta(0)
    batch_size: int = 1

    def __post_init__(self) -> None:
        _non_negative_int("count", self.count)
        if isinstance(self.symbols, str) or not all(isinstance(s, str) for s in self.symbols):
            raise TypeError(f"symbols must be a tuple of str, got {self.symbols!r}")
        object.__setattr__(self, "symbols", tuple(_symbol(s) for s in self.symbols))
        if not self.symbols:
            raise ValueError("symbols must not be empty")
        if not isinstance(self.interval, timedelta):
            raise TypeError(f"interval must be a datetime.timedelta, got {type(self.interval).__name__}")
        if self.interval < timedelta(0):
            raise ValueError(f"interval must not be negative, got {self.interval}")
        if _non_negative_int("batch_size", self.batch_size) == 0:
            raise ValueError("batch_size must be >= 1")


@dataclass(frozen=True)
class ManagerOptions:
    """The manager's parameters as the Rust manager reads them (``ManagerOptions`` in
    ``src/adapter_manager.rs``): add a field here and there to add one."""

    source: Synthetic | str
    sink: str | None
    paced: bool
    history: str | None = None
    max_in_flight: int | None = DEFAULT_MAX_IN_FLIGHT
    when_full: str = "block"


@dataclass(frozen=True)
class Subscription:
    """The parameters of one ``subscribe`` (``Subscription`` in ``src/input_adapter.rs``)."""

    symbol: str


@dataclass(frozen=True)
class Publication:
    """The parameters of one ``publish`` (``Publication`` in ``src/output_adapter.rs``)."""

    symbol: str


def _non_negative_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _symbol(symbol: object) -> str:
    if not isinstance(symbol, str):
        raise TypeError(f"symbol must be a str, got {type(symbol).__name__}")
    if not symbol:
        raise ValueError("symbol must not be empty")
    return symbol


def _push_mode(push_mode: object) -> csp.PushMode:
    if not isinstance(push_mode, csp.PushMode):
        raise TypeError(f"push_mode must be a csp.PushMode, got {push_mode!r}")
    return push_mode


def _path(name: str, path: object) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike), got {type(path).__name__}")
    return os.fspath(path)


def _create_input(mgr: object, engine: object, pytype: type, push_mode: int, scalars: tuple[Any, ...]) -> object:
    manager, subscription = scalars
    capsule = manager._runtime.input_capsule(subscription)
    replays = manager._replays
    return _c_api_push_input_adapter(mgr, engine, pytype, push_mode, (capsule, manager._push_group, replays))


def _create_status(mgr: object, engine: object, pytype: type, push_mode: int, scalars: tuple[Any, ...]) -> object:
    return _c_api_status_adapter(mgr, engine, pytype, push_mode, ())


def _create_output(mgr: object, engine: object, scalars: tuple[Any, ...]) -> object:
    manager, publication = scalars
    capsule = manager._runtime.output_capsule(publication)
    return _c_api_output_adapter(mgr, engine, (OUTPUT_TYPE, capsule))


class AcmeAdapterManager:
    """Graph-time adapter manager of the Rust ``AcmeAdapterManager``.

    :param source: the path (str or os.PathLike) of an events file to replay,
        or a ``Synthetic`` feed.
    :param sink: the path of an events file that every published tick is
        written to (``time,symbol,value``, engine time); None writes none.
    :param paced: replay the file following the gaps between its recorded
        times; by default every row is pushed as fast as possible (times then
        only group rows into batches). Realtime only.
    :param history: recorded events (the path of an events file)
        that a realtime run replays before the source: those from
        ``starttime`` on tick at their recorded times, then
        ``STATUS_REPLAY_COMPLETE`` ticks and the source's events follow live
        (csp's push-pull adapters). ``csp.run(realtime=False)`` replays the
        history alone, without opening the source.
    :param max_in_flight: the most events pushed into csp and not yet
        consumed by the engine (a send may go past it by one send: 64
        values, or one larger batch); at the bound the feed waits until the
        engine is down to half of it, so memory stays bounded
        when the graph is slower than the source. None pushes without a
        bound. The replay of a history is not bounded.
    :param when_full: what a live source does at the bound: ``"block"``
        (it is not read until there is room: its peer's flow control holds
        the rest, nothing is lost), ``"drop_oldest"`` or ``"drop_newest"``
        (it is read on, into a queue of at most ``max_in_flight`` events
        that drops its oldest events, or the new ones, when full:
        ``STATUS_DROPPED`` says how many, ``stats()["dropped"]`` counts
        them). A file or a ``Synthetic`` feed always waits.

    One instance serves every ``subscribe``, ``publish`` and ``status`` of a
    graph; csp creates the Rust manager once per run, before its adapters.
    In realtime all subscriptions share one push group, so a batch of the
    source ticks together across symbols. In simulation
    (``csp.run(..., realtime=False)``) each event ticks at its recorded time
    (a ``Synthetic`` event ``i`` at ``starttime + i * interval``, a zero
    interval meaning 1 microsecond steps); events before ``starttime`` are
    skipped, and the run ends at ``endtime`` or with the source.
    """

    def __init__(
        self,
        source: Synthetic | str | os.PathLike[str],
        sink: str | os.PathLike[str] | None = None,
        paced: bool = False,
        history: str | os.PathLike[str] | None = None,
        max_in_flight: int | None = DEFAULT_MAX_IN_FLIGHT,
        when_full: str = "block",
    ) -> None:
        if not isinstance(source, Synthetic):
            source = _path("source", source)
        if sink is not None:
            sink = _path("sink", sink)
        if not isinstance(paced, bool):
            raise TypeError(f"paced must be a bool, got {type(paced).__name__}")
        if isinstance(history, Synthetic):
            kind = type(history).__name__
            raise TypeError(f"history must be recorded events (an events file), not a {kind}")
        if history is not None:
            history = _path("history", history)
        # Subscriptions replay the history first (csp's push-pull adapters).
        self._replays = history is not None
        if max_in_flight is not None and _non_negative_int("max_in_flight", max_in_flight) == 0:
            raise ValueError("max_in_flight must be >= 1, or None for no bound")
        if when_full not in WHEN_FULL:
            raise ValueError(f"when_full must be one of {', '.join(map(repr, WHEN_FULL))}, got {when_full!r}")
        options = ManagerOptions(source, sink, paced, history, max_in_flight, when_full)
        self._runtime = Runtime(options)
        # A push group per run, made with the run's Rust manager.
        self._push_group: object = None

    def subscribe(
        self,
        symbol: str,
        push_mode: csp.PushMode = csp.PushMode.NON_COLLAPSING,
    ) -> ts[int]:
        """A ``ts[int]`` of every event of ``symbol``.

        :param push_mode: csp.PushMode.NON_COLLAPSING (every event ticks),
            LAST_VALUE (the last of a batch) or BURST (a batch's events as a list).
        """
        subscription = Subscription(_symbol(symbol))
        return _subscribe(self, self, subscription, push_mode=_push_mode(push_mode))

    def publish(self, x: ts[int], symbol: str) -> None:
        """Send ``x`` out through the manager under ``symbol``."""
        if not isinstance(x, Edge) or x.tstype.typ is not OUTPUT_TYPE:
            got = x.tstype.typ.__name__ if isinstance(x, Edge) else type(x).__name__
            wanted = OUTPUT_TYPE.__name__
            raise TypeError(f"publish expects a ts[{wanted}], got {got}: the output adapter reads {wanted}")
        _publish(self, x, self, Publication(_symbol(symbol)))

    def status(self, push_mode: csp.PushMode = csp.PushMode.NON_COLLAPSING) -> ts[Status]:
        """What the Rust manager reports: ``csp.adapters.status.Status(level, status_code, msg)``.

        Codes (in ``_native``): ``STATUS_OPENED`` (INFO, the source is open),
        ``STATUS_REPLAY_COMPLETE`` (INFO, the history was replayed: live from here),
        ``STATUS_FEED_ENDED`` (INFO, the source ended, with the count) and
        ``STATUS_FEED_FAILED`` (ERROR, as the feed fails the run: it ticks only if
        the engine runs another cycle first, as csp drops what is queued then);
        a live source adds ``STATUS_CONNECTED`` (INFO), ``STATUS_DISCONNECTED``
        (WARNING), ``STATUS_RECONNECTING`` (INFO, with the wait),
        ``STATUS_BAD_MESSAGE`` (WARNING, a message dropped: why, and its start),
        ``STATUS_DROPPED`` (WARNING, events dropped by ``when_full``, at most one a
        second) and ``STATUS_GAVE_UP`` (ERROR, before ``csp.run`` raises ``ConnectionError``).
        In realtime statuses tick in the subscriptions' push group, after the
        events before them; in simulation at the time they are reported (the
        open at ``starttime``, the end with the last event), except
        ``STATUS_FEED_FAILED``: there the error ends the engine cycle first.
        """
        return _status(self, push_mode=_push_mode(push_mode))

    def stats(self) -> Stats:
        """Counters of the last (or current) run."""
        return cast(Stats, self._runtime.stats())

    def received(self) -> int:
        """How many values the output adapters have received in this run."""
        return self._runtime.received()

    def _create(self, engine: object, memo: object) -> object:
        self._push_group = PushGroup()
        return _c_api_adapter_manager_bridge(engine, self._runtime.manager_capsule(), self._push_group)


_subscribe = input_adapter_def(
    "acme_subscribe",
    _create_input,
    ts[int],
    AcmeAdapterManager,
    manager=object,
    subscription=object,
)

_status = input_adapter_def(
    "acme_status",
    _create_status,
    ts[Status],
    AcmeAdapterManager,
)

_publish = output_adapter_def(
    "acme_publish",
    _create_output,
    AcmeAdapterManager,
    input=ts[int],
    manager=object,
    publication=object,
)
