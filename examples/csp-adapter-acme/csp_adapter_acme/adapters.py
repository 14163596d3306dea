"""Graph-time wiring of the Rust adapters.

``AcmeAdapterManager`` is what graphs use. These two are the
same adapters without a manager:

- ``acme_input``
- ``acme_output``
"""

from datetime import timedelta
from typing import Any, TypedDict, cast

import csp
from csp import ts
from csp.adapters.status import Status
from csp.impl.wiring import input_adapter_def, output_adapter_def, status_adapter_def
from csp.impl.wiring.edge import Edge

from ._native import (
    Runtime,
    _c_api_adapter_manager_bridge,
    _c_api_output_adapter,
    _c_api_push_input_adapter,
)

__all__ = [
    "AcmeAdapterManager",
    "Runtime",
    "Stats",
    "acme_input",
    "acme_output",
]


class Stats(TypedDict):
    """Counters of one run of the demo adapters."""

    pushed: int
    received: int
    mismatches: int
    first_mismatch: str | None
    first_push_ns: int | None
    last_receive_ns: int | None


INPUT_TYPE = int
OUTPUT_TYPE = int


def _interval_ns(interval: timedelta) -> int:
    if not isinstance(interval, timedelta):
        raise TypeError(f"interval must be a datetime.timedelta, got {type(interval).__name__}")
    if interval < timedelta(0):
        raise ValueError(f"interval must not be negative, got {interval}")
    return (interval.days * 86_400 + interval.seconds) * 1_000_000_000 + interval.microseconds * 1_000


def _non_negative_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return value


def _batch_size(batch_size: object) -> int:
    size = _non_negative_int("batch_size", batch_size)
    if size == 0:
        raise ValueError("batch_size must be >= 1")
    return size


def _push_mode(push_mode: object) -> csp.PushMode:
    if not isinstance(push_mode, csp.PushMode):
        raise TypeError(f"push_mode must be a csp.PushMode, got {push_mode!r}")
    return push_mode


def _create_input(mgr: object, engine: object, pytype: type, push_mode: int, scalars: tuple[Any, ...]) -> object:
    runtime, count, interval_ns, batch_size, push_group = scalars
    capsule = runtime.input_capsule(count, interval_ns, batch_size)
    return _c_api_push_input_adapter(mgr, engine, pytype, push_mode, (capsule, push_group))


def _create_output(mgr: object, engine: object, scalars: tuple[Any, ...]) -> object:
    runtime, stop_after = scalars
    capsule = runtime.output_capsule(stop_after)
    return _c_api_output_adapter(mgr, engine, (OUTPUT_TYPE, capsule))


class AcmeAdapterManager:
    """Graph-time adapter manager of the Rust ``AcmeAdapterManager``.

    One instance serves every ``subscribe`` and ``publish`` of a graph; csp
    creates the Rust manager once per run, before its adapters.
    """

    def __init__(self) -> None:
        self._runtime = Runtime()

    def subscribe(
        self,
        count: int = 0,
        interval: timedelta = timedelta(milliseconds=1),
        push_mode: csp.PushMode = csp.PushMode.NON_COLLAPSING,
        push_group: object = None,
        batch_size: int = 1,
    ) -> ts[int]:
        """A ``ts[int]`` fed by the Rust input adapter's own thread.

        :param count: how many values to push; 0 pushes until the graph stops.
        :param interval: time between pushes; zero pushes as fast as possible.
        :param batch_size: values per push batch (the engine takes a batch at once).
        :param push_mode: csp.PushMode.NON_COLLAPSING (every value ticks),
            LAST_VALUE or BURST.
        :param push_group: an optional push group (csp.impl.pushadapter.PushGroup()) shared with other push adapters.
        """
        return _acme_input_managed(
            self,
            self._runtime,
            _non_negative_int("count", count),
            _interval_ns(interval),
            _batch_size(batch_size),
            push_group,
            push_mode=_push_mode(push_mode),
        )

    def publish(self, x: ts[int], stop_after: int = 0) -> None:
        """Send ``x`` to the Rust output adapter.

        :param stop_after: stop the engine after this many values; 0 never stops it.
        """
        if not isinstance(x, Edge) or x.tstype.typ is not OUTPUT_TYPE:
            got = x.tstype.typ.__name__ if isinstance(x, Edge) else type(x).__name__
            raise TypeError(f"publish expects a ts[int], got {got}: the output adapter reads int")
        stop_after = _non_negative_int("stop_after", stop_after)
        _acme_output_managed(self, x, self._runtime, stop_after)

    def status(self, push_mode: csp.PushMode = csp.PushMode.NON_COLLAPSING) -> ts[Status]:
        """The manager's status reports: ``csp.adapters.status.Status(level, status_code, msg)``.

        The demo manager reports ``Level.INFO`` with ``status_code``
        ``_native.STATUS_STARTED`` when it starts.
        """
        return status_adapter_def(self, Status, push_mode=_push_mode(push_mode))

    def stats(self) -> Stats:
        """Counters of the last (or current) run: pushed, received, mismatches."""
        return cast(Stats, self._runtime.stats())

    def received(self) -> int:
        """How many values the output adapter has received in this run."""
        return self._runtime.received()

    def _create(self, engine: object, memo: object) -> object:
        return _c_api_adapter_manager_bridge(engine, self._runtime.manager_capsule())


_acme_input_managed = input_adapter_def(
    "acme_input",
    _create_input,
    ts[int],
    AcmeAdapterManager,
    runtime=object,
    count=int,
    interval_ns=int,
    batch_size=int,
    push_group=object,
)

_acme_output_managed = output_adapter_def(
    "acme_output",
    _create_output,
    AcmeAdapterManager,
    input=ts[int],
    runtime=object,
    stop_after=int,
)

_acme_input_standalone = input_adapter_def(
    "acme_input",
    _create_input,
    ts[int],
    runtime=object,
    count=int,
    interval_ns=int,
    batch_size=int,
    push_group=object,
)

_acme_output_standalone = output_adapter_def(
    "acme_output",
    _create_output,
    input=ts[int],
    runtime=object,
    stop_after=int,
)


def acme_input(
    runtime: Runtime,
    count: int = 0,
    interval: timedelta = timedelta(milliseconds=1),
    push_mode: csp.PushMode = csp.PushMode.NON_COLLAPSING,
    push_group: object = None,
    batch_size: int = 1,
) -> ts[int]:
    """The Rust input adapter without a manager; ``runtime`` collects its counters."""
    if not isinstance(runtime, Runtime):
        raise TypeError(f"runtime must be a {__package__}.Runtime, got {type(runtime).__name__}")
    return _acme_input_standalone(
        runtime,
        _non_negative_int("count", count),
        _interval_ns(interval),
        _batch_size(batch_size),
        push_group,
        push_mode=_push_mode(push_mode),
    )


def acme_output(x: ts[int], runtime: Runtime, stop_after: int = 0) -> None:
    """The Rust output adapter without a manager; ``runtime`` collects its counters."""
    if not isinstance(runtime, Runtime):
        raise TypeError(f"runtime must be a {__package__}.Runtime, got {type(runtime).__name__}")
    stop_after = _non_negative_int("stop_after", stop_after)
    _acme_output_standalone(x, runtime, stop_after)
