"""``TradeTapeRecord`` records that Rust pushes tick in csp: exactly,
unset fields included; records of the wrong shape fail with errors that name
the field."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import csp
import pytest
from conftest import fields_of, records, run_realtime, stop_after, write_events
from csp.impl.struct import define_struct
from csp.impl.wiring import input_adapter_def
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csp_trade_tape import (
    Synthetic,
    TradeTapeAdapterManager,
    _native,
)
from csp_trade_tape.adapters import ManagerOptions, Subscription
from csp_trade_tape.records import (
    TradeTapeRecord,
)

Manager = TradeTapeAdapterManager
Record = TradeTapeRecord
T0 = datetime(2020, 1, 1)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_records_from_a_file_tick_exactly(tmp_path: Path) -> None:
    @SETTINGS
    @given(values=st.lists(records(), min_size=1, max_size=30))
    def check(values: list[Record]) -> None:
        rows = [(T0 + timedelta(seconds=i), "A", value) for i, value in enumerate(values)]
        manager = Manager(write_events(tmp_path / "events.csv", rows, Record))

        @csp.graph
        def graph() -> None:
            ticks = manager.subscribe("A")
            csp.add_graph_output("ticks", ticks)
            stop_after(ticks, len(values))

        outputs = run_realtime(graph)
        assert [fields_of(value) for _, value in outputs["ticks"]] == [fields_of(value) for value in values]

    check()


def input_of(struct_type: type) -> Any:
    """A subscription's Rust input adapter, wired as a time series of ``struct_type``."""
    runtime = _native.Runtime(ManagerOptions(source=Synthetic(1), sink=None, paced=False))

    def create(mgr: object, engine: object, pytype: type, push_mode: int, scalars: tuple) -> object:
        capsule = runtime.input_capsule(Subscription("A"))
        return _native._c_api_push_input_adapter(mgr, engine, pytype, push_mode, (capsule, None))

    return input_adapter_def("record_input", create, csp.ts[struct_type])


FIRST, FIRST_TYPE = next(iter(Record.metadata().items()))
WRONG_TYPE = str if FIRST_TYPE is int else int
WrongType = define_struct("WrongType", {**Record.metadata(), FIRST: WRONG_TYPE})


def test_a_struct_whose_field_has_another_type_is_refused_at_start() -> None:
    adapter = input_of(WrongType)

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("a", adapter())

    wrong, right = WRONG_TYPE.__name__, FIRST_TYPE.__name__
    message = f'field "{FIRST}" of WrongType is {wrong}, but {right} in the Rust record {Record.__name__}'
    with pytest.raises(TypeError, match=message):
        run_realtime(graph, endtime=timedelta(seconds=1))
