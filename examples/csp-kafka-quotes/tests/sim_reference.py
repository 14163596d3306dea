"""A pure-Python reference manager for simulations, built on csp's own
``AdapterManagerImpl`` and ``ManagedSimInputAdapter``: it replays an events
file the way csp's Python adapters do, to compare the Rust manager with."""

from datetime import datetime
from pathlib import Path
from typing import Any, cast

import csp
from conftest import INPUT, from_cells, from_text, is_record, read_events
from csp import ts
from csp.impl.adaptermanager import AdapterManagerImpl, ManagedSimInputAdapter
from csp.impl.wiring import py_managed_adapter_def


class ReferenceManager:
    """Graph-time manager: ``subscribe(symbol, push_mode)`` like the Rust one."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def subscribe(self, symbol: str, push_mode: csp.PushMode = csp.PushMode.NON_COLLAPSING) -> ts[INPUT]:
        return cast(Any, _reference_input)(self, symbol, push_mode=push_mode)

    def _create(self, engine: object, memo: object) -> "ReferenceManagerImpl":
        return ReferenceManagerImpl(engine, self.path)


class ReferenceManagerImpl(AdapterManagerImpl):
    """Pushes every row at its time into the adapters of its symbol."""

    def __init__(self, engine: object, path: Path) -> None:
        super().__init__(engine)
        self._rows = [
            (cast(datetime, from_text(row["time"], datetime)), row["symbol"], from_cells(row, INPUT))
            for row in read_events(path)
        ]
        self._next = 0
        self._inputs: dict[str, list[ReferenceInput]] = {}

    def register(self, symbol: str, adapter: "ReferenceInput") -> None:
        self._inputs.setdefault(symbol, []).append(adapter)

    def start(self, starttime: datetime, endtime: datetime) -> None:
        while self._next < len(self._rows) and self._rows[self._next][0] < starttime:
            self._next += 1

    def process_next_sim_timeslice(self, now: datetime) -> datetime | None:
        while self._next < len(self._rows) and self._rows[self._next][0] == now:
            _, symbol, value = self._rows[self._next]
            for adapter in self._inputs.get(symbol, []):
                adapter.push_tick(value)
            self._next += 1
        return self._rows[self._next][0] if self._next < len(self._rows) else None


class ReferenceInput(ManagedSimInputAdapter):
    def __init__(self, manager: ReferenceManagerImpl, symbol: str) -> None:
        manager.register(symbol, self)
        super().__init__(INPUT, None if is_record(INPUT) else "value")


_reference_input = py_managed_adapter_def("reference_input", ReferenceInput, ts[INPUT], ReferenceManager, symbol=str)
