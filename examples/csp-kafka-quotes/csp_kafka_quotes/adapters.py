"""Graph-time wiring of the Rust adapters: ``KafkaQuotesAdapterManager``.

One manager owns one source (an events file, or a ``Synthetic`` demo feed)
and routes its events to every ``subscribe(symbol)`` of a graph;
``publish(x, symbol)`` sends values back out through it, to a sink file when
it has one; ``status()`` ticks what the Rust manager reports. The same graph
runs in realtime and in simulation (``csp.run(..., realtime=False)``), where
every event ticks at its recorded time.
"""

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
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
from .records import KafkaQuotesRecord

__all__ = [
    "KafkaQuotesAdapterManager",
    "Publication",
    "Stats",
    "Subscription",
    "Synthetic",
    "Kafka",
]

# What a live source does when the graph is max_in_flight events behind.
WHEN_FULL = ("block", "drop_oldest", "drop_newest")

INPUT_TYPE = KafkaQuotesRecord
OUTPUT_TYPE = KafkaQuotesRecord


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


@dataclass(frozen=True, init=False)
class Kafka:
    """A live Kafka topic: each record is keyed by its symbol, its value is
    JSON (see ``src/messages.rs``); every partition is read. A lost broker
    is retried after ``reconnect_interval``, doubled after each failed
    attempt up to ``max_reconnect_interval``; after ``max_attempts`` failed
    attempts in a row (None: never) the source gives up and ``csp.run``
    raises ``ConnectionError``. ``publish(x, symbol)`` produces to the topic
    with key ``symbol``.

    :param brokers: ``"host:port"``, several of them comma-separated, or a
        sequence of them.
    :param start_offset: where each partition is read from. What lies
        between there and the partition's end when the run starts is
        replayed first, each record ticking at its timestamp (records
        stamped before ``starttime`` tick at ``starttime``, as csp's own
        Kafka adapter does), then live records tick as they arrive (csp's
        push-pull adapters; ``STATUS_REPLAY_COMPLETE`` ticks in between).
        ``None`` (the default): live only. ``"earliest"``, ``"latest"``,
        ``"start_time"`` (or csp's ``ReplayMode.EARLIEST``, ``LATEST``,
        ``START_TIME``), a ``timedelta`` (that long before ``starttime``) or
        a ``datetime`` (naive is UTC). Kept as ``(form, nanoseconds)``.
    :param fetch_wait: the longest the broker may hold a fetch that finds
        nothing new.
    :param fetch_bytes: the most bytes one fetch of a partition asks for (a
        larger record still comes whole).
    :param bad_messages: ``"skip"``: a record that does not decode ticks a
        ``STATUS_BAD_MESSAGE`` status and is counted in ``stats()``;
        ``"raise"``: ``csp.run`` raises ``ValueError`` naming its partition
        and offset.
    """

    brokers: tuple[str, ...]
    topic: str
    start_offset: tuple[str, int] | None = None
    connect_timeout: timedelta = timedelta(seconds=10)
    reconnect_interval: timedelta = timedelta(seconds=1)
    max_reconnect_interval: timedelta = timedelta(seconds=30)
    max_attempts: int | None = 10
    fetch_wait: timedelta = timedelta(milliseconds=100)
    fetch_bytes: int = 4 << 20
    bad_messages: str = "skip"

    def __init__(
        self,
        brokers: str | Sequence[str],
        topic: str,
        start_offset: str | Enum | timedelta | datetime | None = None,
        connect_timeout: timedelta = timedelta(seconds=10),
        reconnect_interval: timedelta = timedelta(seconds=1),
        max_reconnect_interval: timedelta = timedelta(seconds=30),
        max_attempts: int | None = 10,
        fetch_wait: timedelta = timedelta(milliseconds=100),
        fetch_bytes: int = 4 << 20,
        bad_messages: str = "skip",
    ) -> None:
        listed = brokers.split(",") if isinstance(brokers, str) else list(brokers)
        hosts = tuple(host.strip() for host in listed if isinstance(host, str))
        if len(hosts) != len(listed) or not hosts or not all(_host_port(host) for host in hosts):
            raise ValueError(f"brokers must be 'host:port', several comma-separated, or a list, got {brokers!r}")
        if not isinstance(topic, str) or not topic:
            raise ValueError(f"topic must be a non-empty str, got {topic!r}")
        durations = _positive_durations(
            connect_timeout=connect_timeout,
            reconnect_interval=reconnect_interval,
            max_reconnect_interval=max_reconnect_interval,
            fetch_wait=fetch_wait,
        )
        _check_retries(max_attempts, bad_messages)
        if _non_negative_int("fetch_bytes", fetch_bytes) == 0:
            raise ValueError("fetch_bytes must be >= 1")
        values: dict[str, object] = {**durations, "brokers": hosts, "topic": topic, "max_attempts": max_attempts}
        values.update(start_offset=_start_offset(start_offset), fetch_bytes=fetch_bytes, bad_messages=bad_messages)
        for name, field in values.items():
            object.__setattr__(self, name, field)


def _host_port(host: str) -> bool:
    name, _, port = host.rpartition(":")
    return bool(name) and port.isdigit()


def _start_offset(start_offset: object) -> tuple[str, int] | None:
    """``start_offset`` as ``(form, nanoseconds)``, which the Rust source reads."""
    forms = ("earliest", "latest", "start_time")
    if start_offset is None:
        return None
    if isinstance(start_offset, Enum) and start_offset.name.lower() in forms:
        return (start_offset.name.lower(), 0)
    if isinstance(start_offset, str) and start_offset.lower() in forms:
        return (start_offset.lower(), 0)
    if isinstance(start_offset, timedelta):
        return ("before", start_offset // timedelta(microseconds=1) * 1000)
    if isinstance(start_offset, datetime):
        if start_offset.tzinfo is not None:
            start_offset = start_offset.astimezone(timezone.utc).replace(tzinfo=None)
        return ("at", (start_offset - datetime(1970, 1, 1)) // timedelta(microseconds=1) * 1000)
    raise ValueError(
        "start_offset must be None, 'earliest', 'latest', 'start_time' (or csp's ReplayMode), "
        f"a timedelta or a datetime, got {start_offset!r}"
    )


@dataclass(frozen=True)
class ManagerOptions:
    """The manager's parameters as the Rust manager reads them (``ManagerOptions`` in
    ``src/adapter_manager.rs``): add a field here and there to add one."""

    source: Synthetic | Kafka | str
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


def _positive_durations(**durations: object) -> dict[str, object]:
    for name, value in durations.items():
        if not isinstance(value, timedelta):
            raise TypeError(f"{name} must be a datetime.timedelta, got {type(value).__name__}")
        if value <= timedelta(0):
            raise ValueError(f"{name} must be positive, got {value}")
    return durations


def _check_retries(max_attempts: object, bad_messages: object) -> None:
    if max_attempts is not None and _non_negative_int("max_attempts", max_attempts) == 0:
        raise ValueError("max_attempts must be >= 1, or None to try for ever")
    if bad_messages not in ("skip", "raise"):
        raise ValueError(f"bad_messages must be 'skip' or 'raise', got {bad_messages!r}")


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


class KafkaQuotesAdapterManager:
    """Graph-time adapter manager of the Rust ``KafkaQuotesAdapterManager``.

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
        source: Synthetic | Kafka | str | os.PathLike[str],
        sink: str | os.PathLike[str] | None = None,
        paced: bool = False,
        history: str | os.PathLike[str] | None = None,
        max_in_flight: int | None = DEFAULT_MAX_IN_FLIGHT,
        when_full: str = "block",
    ) -> None:
        if not isinstance(source, (Synthetic, Kafka)):
            source = _path("source", source)
        if sink is not None:
            sink = _path("sink", sink)
        if not isinstance(paced, bool):
            raise TypeError(f"paced must be a bool, got {type(paced).__name__}")
        if isinstance(history, (Synthetic, Kafka)):
            kind = type(history).__name__
            raise TypeError(f"history must be recorded events (an events file), not a {kind}")
        if history is not None:
            history = _path("history", history)
        if history is not None and isinstance(source, Kafka) and source.start_offset is not None:
            raise ValueError(
                "history and the Kafka source's start_offset both replay history: "
                "give one (start_offset replays the topic itself)"
            )
        # Subscriptions replay the history first (csp's push-pull adapters).
        self._replays = history is not None or (isinstance(source, Kafka) and source.start_offset is not None)
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
    ) -> ts[KafkaQuotesRecord]:
        """A ``ts[KafkaQuotesRecord]`` of every event of ``symbol``.

        :param push_mode: csp.PushMode.NON_COLLAPSING (every event ticks),
            LAST_VALUE (the last of a batch) or BURST (a batch's events as a list).
        """
        subscription = Subscription(_symbol(symbol))
        return _subscribe(self, self, subscription, push_mode=_push_mode(push_mode))

    def publish(self, x: ts[KafkaQuotesRecord], symbol: str) -> None:
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
    "kafka_quotes_subscribe",
    _create_input,
    ts[KafkaQuotesRecord],
    KafkaQuotesAdapterManager,
    manager=object,
    subscription=object,
)

_status = input_adapter_def(
    "kafka_quotes_status",
    _create_status,
    ts[Status],
    KafkaQuotesAdapterManager,
)

_publish = output_adapter_def(
    "kafka_quotes_publish",
    _create_output,
    KafkaQuotesAdapterManager,
    input=ts[KafkaQuotesRecord],
    manager=object,
    publication=object,
)
