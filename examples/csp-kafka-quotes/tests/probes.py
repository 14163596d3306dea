"""Graph-time wiring of the probe adapters in ``_native.testing``.

They exercise the plumbing (bridge, guards, capsules) with any value type and
with a fault injected at any callback; the tests use them, your graphs do not.
"""

from typing import Any, TypeVar

import csp
from csp import ts
from csp.adapters.status import Status
from csp.impl.pushadapter import PushGroup
from csp.impl.wiring import input_adapter_def, output_adapter_def

from csp_kafka_quotes._native import (
    _c_api_adapter_manager_bridge,
    _c_api_output_adapter,
    _c_api_push_input_adapter,
    _c_api_status_adapter,
    testing,
)

T = TypeVar("T")
TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str"}


def type_name(typ: type) -> str:
    return TYPE_NAMES.get(typ, typ.__name__)


class ProbeManager:
    """Graph-time manager of the Rust ``FaultyManager``."""

    def __init__(self, fault: str | None = None, panic: bool = True) -> None:
        self.fault = fault
        self.panic = panic

    def _create(self, engine: object, memo: object) -> object:
        return _c_api_adapter_manager_bridge(engine, testing.faulty_manager_capsule(self.fault, self.panic))


def _create_replay(mgr: object, engine: object, pytype: type, push_mode: int, scalars: tuple[Any, ...]) -> object:
    typ, values, probe, fault, panic, keep_pushing = scalars
    capsule = testing.replay_input_capsule(type_name(typ), values, probe, fault, panic, keep_pushing)
    return _c_api_push_input_adapter(mgr, engine, pytype, push_mode, (capsule, None))


def _create_recording(mgr: object, engine: object, scalars: tuple[Any, ...]) -> object:
    typ, probe, fault, panic = scalars
    capsule = testing.recording_output_capsule(type_name(typ), probe, fault, panic)
    return _c_api_output_adapter(mgr, engine, (typ, capsule))


_replay = input_adapter_def(
    "replay_input",
    _create_replay,
    ts[T],
    ProbeManager,
    typ="T",
    values=object,
    probe=object,
    fault=object,
    panic=bool,
    keep_pushing=bool,
)

_record = output_adapter_def(
    "recording_output",
    _create_recording,
    ProbeManager,
    input=ts[T],
    typ="T",
    probe=object,
    fault=object,
    panic=bool,
)


def replay(
    manager: ProbeManager,
    typ: type,
    values: list[Any],
    probe: Any,
    fault: str | None = None,
    panic: bool = True,
    keep_pushing: bool = False,
) -> Any:
    """A ts[typ] that a Rust thread feeds with ``values`` (datetime/timedelta as ns)."""
    return _replay(manager, typ, values, probe, fault, panic, keep_pushing, push_mode=csp.PushMode.NON_COLLAPSING)


def record(manager: ProbeManager, x: Any, typ: type, probe: Any, fault: str | None = None, panic: bool = True) -> None:
    """Sends ``x`` to a Rust output adapter that records every value into ``probe``."""
    _record(manager, x, typ, probe, fault, panic)


class FeedManager:
    """Graph-time manager of a Rust test feed (``testing.Lockstep``,
    ``testing.SilentFeed``): ``subscribe(symbol)`` ticks its ``int`` values."""

    def __init__(self, feed: Any) -> None:
        self.feed = feed

    def _create(self, engine: object, memo: object) -> object:
        return _c_api_adapter_manager_bridge(engine, self.feed.manager_capsule())

    def subscribe(self, symbol: str = "A", push_group: object = None) -> Any:
        """A ts[int] of every value of ``symbol`` (in ``push_group``, if any)."""
        return _feed_input(self, self.feed, symbol, push_group, push_mode=csp.PushMode.NON_COLLAPSING)

    def status(self) -> Any:
        """The statuses the feed reports."""
        return _feed_status(self, push_mode=csp.PushMode.NON_COLLAPSING)


class LockstepManager(FeedManager):
    """The ``Lockstep`` feed: a live source whose batch ``k`` (value ``k`` of
    each of ``symbols``) comes only once the values before have been recorded
    into ``probe``."""

    def __init__(self, count: int, probe: Any, symbols: tuple[str, ...] = ("A",)) -> None:
        super().__init__(testing.Lockstep(count, list(symbols), probe))


class SilentManager(FeedManager):
    """The ``SilentFeed``: a live source whose peer never sends; it blocks
    until the run stops, heeding the stop signal or not (``heeds_stop``)."""

    def __init__(self, heeds_stop: bool = True) -> None:
        super().__init__(testing.SilentFeed(heeds_stop))


class ScriptedManager(FeedManager):
    """The ``ScriptedFeed``: a live source that follows ``steps``
    (``("batch", [(symbol, value), ...])``, ``("status", name, message)``,
    ``("wait", seconds)``, ``("fail", kind, message)``), then goes quiet."""

    def __init__(self, steps: list[tuple[Any, ...]]) -> None:
        super().__init__(testing.ScriptedFeed(steps))
        # Statuses and values in one push group, as in the generated manager.
        self.push_group: object = None

    def _create(self, engine: object, memo: object) -> object:
        self.push_group = PushGroup()
        return _c_api_adapter_manager_bridge(engine, self.feed.manager_capsule(), self.push_group)

    def subscribe(self, symbol: str = "A", push_group: object = None) -> Any:
        """A ts[int] of every value of ``symbol``, in the manager's push group."""
        return _scripted_input(self, self, symbol, push_mode=csp.PushMode.NON_COLLAPSING)


def _create_scripted_input(
    mgr: object, engine: object, pytype: type, push_mode: int, scalars: tuple[Any, ...]
) -> object:
    manager, symbol = scalars
    capsule = manager.feed.input_capsule(symbol)
    return _c_api_push_input_adapter(mgr, engine, pytype, push_mode, (capsule, manager.push_group))


_scripted_input = input_adapter_def(
    "scripted_input", _create_scripted_input, ts[int], ScriptedManager, manager=object, symbol=str
)


def _create_feed_status(mgr: object, engine: object, pytype: type, push_mode: int, scalars: tuple[Any, ...]) -> object:
    return _c_api_status_adapter(mgr, engine, pytype, push_mode, ())


_feed_status = input_adapter_def("feed_status", _create_feed_status, ts[Status], FeedManager)


def _create_feed_input(mgr: object, engine: object, pytype: type, push_mode: int, scalars: tuple[Any, ...]) -> object:
    feed, symbol, push_group = scalars
    return _c_api_push_input_adapter(mgr, engine, pytype, push_mode, (feed.input_capsule(symbol), push_group))


_feed_input = input_adapter_def(
    "feed_input",
    _create_feed_input,
    ts[int],
    FeedManager,
    feed=object,
    symbol=str,
    push_group=object,
)
