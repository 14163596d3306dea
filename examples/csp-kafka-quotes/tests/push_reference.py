"""A pure-Python reference manager for realtime runs, built on csp's own
``AdapterManagerImpl``, ``PushInputAdapter``, ``PushBatch`` and ``PushGroup``:
a thread pushes each batch of events in one csp push batch, every subscription
in one push group, the way csp's Python adapters do, to compare the Rust
manager's batches with."""

import threading
from datetime import datetime
from typing import Any, cast

import csp
from conftest import INPUT
from csp import ts
from csp.impl.adaptermanager import AdapterManagerImpl
from csp.impl.pushadapter import PushBatch, PushGroup, PushInputAdapter
from csp.impl.wiring import py_push_adapter_def

Batch = list[tuple[str, object]]


class PushReference:
    """Graph-time manager: ``subscribe(symbol, push_mode)`` like the Rust one;
    ``ended()`` ticks (in the same push group) after the last batch."""

    def __init__(self, batches: list[Batch]) -> None:
        self.batches = batches
        self.group = PushGroup()

    def subscribe(self, symbol: str, push_mode: csp.PushMode = csp.PushMode.NON_COLLAPSING) -> ts[INPUT]:
        return cast(Any, _reference_input)(self, symbol, push_mode=push_mode, push_group=self.group)

    def ended(self) -> ts[bool]:
        return cast(Any, _reference_end)(self, push_mode=csp.PushMode.NON_COLLAPSING, push_group=self.group)

    def _create(self, engine: object, memo: object) -> "PushReferenceImpl":
        return PushReferenceImpl(engine, self.batches)


class PushReferenceImpl(AdapterManagerImpl):
    """Pushes the batches from a thread of its own, as fast as it can."""

    def __init__(self, engine: object, batches: list[Batch]) -> None:
        super().__init__(engine)
        self._engine = engine
        self._batches = batches
        self._inputs: dict[str, list[PushInputAdapter]] = {}
        self._end: PushInputAdapter | None = None
        self._thread: threading.Thread | None = None

    def register(self, symbol: str, adapter: PushInputAdapter) -> None:
        self._inputs.setdefault(symbol, []).append(adapter)

    def register_end(self, adapter: PushInputAdapter) -> None:
        self._end = adapter

    def start(self, starttime: datetime, endtime: datetime) -> None:
        self._thread = threading.Thread(target=self._push, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def process_next_sim_timeslice(self, now: datetime) -> datetime | None:
        return None

    def _push(self) -> None:
        for events in self._batches:
            with PushBatch(self._engine) as batch:
                for symbol, value in events:
                    for adapter in self._inputs.get(symbol, []):
                        adapter.push_tick(value, batch)
        if self._end is not None:
            self._end.push_tick(True)


class ReferenceInput(PushInputAdapter):
    def __init__(self, manager: PushReferenceImpl, symbol: str) -> None:
        manager.register(symbol, self)


class ReferenceEnd(PushInputAdapter):
    def __init__(self, manager: PushReferenceImpl) -> None:
        manager.register_end(self)


_reference_input = py_push_adapter_def("reference_push_input", ReferenceInput, ts[INPUT], PushReference, symbol=str)
_reference_end = py_push_adapter_def("reference_push_end", ReferenceEnd, ts[bool], PushReference)
