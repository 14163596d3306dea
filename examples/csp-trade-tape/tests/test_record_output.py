"""``TradeTapeRecord`` records published from csp reach Rust: exactly,
unset fields included; records of the wrong shape fail with errors that name
the field."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import csp
import pytest
from conftest import OPTIONAL_FIELDS, UNSET, fields_of, from_cells, read_events, records
from csp.impl.struct import define_struct
from csp.impl.wiring import output_adapter_def
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csp_trade_tape import (
    Synthetic,
    TradeTapeAdapterManager,
    _native,
)
from csp_trade_tape.adapters import ManagerOptions, Publication
from csp_trade_tape.demo import demo_value
from csp_trade_tape.records import (
    TradeTapeRecord,
)

Manager = TradeTapeAdapterManager
Record = TradeTapeRecord
T0 = datetime(2020, 1, 1)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIELDS = list(Record.metadata())


def publish_all(values: list[Any], sink: Path, struct_type: type = Record) -> None:
    """Publishes ``values`` (one a second, in simulation) to a manager writing ``sink``."""
    manager = Manager(Synthetic(0), sink=sink)

    @csp.graph
    def graph() -> None:
        curve = csp.curve(struct_type, [(timedelta(seconds=i), value) for i, value in enumerate(values)])
        manager.publish(curve, "A")

    csp.run(graph, starttime=T0, endtime=timedelta(seconds=len(values) + 1))


def test_published_records_reach_the_sink_exactly(tmp_path: Path) -> None:
    @SETTINGS
    @given(values=st.lists(records(), min_size=1, max_size=30))
    def check(values: list[Record]) -> None:
        sink = tmp_path / "sink.csv"
        publish_all(values, sink)
        rows = read_events(sink)
        times = [f"{(T0 + timedelta(seconds=i)).isoformat()}Z" for i in range(len(values))]
        assert [row["time"] for row in rows] == times
        assert [fields_of(from_cells(row, Record)) for row in rows] == [fields_of(value) for value in values]

    check()


def set_fields(record: Record) -> dict[str, object]:
    return {name: value for name, value in fields_of(record) if value is not UNSET}


class Derived(Record):
    extra: int


def test_derived_records_are_read_by_their_base_fields(tmp_path: Path) -> None:
    # A ts[Record] may carry records of a derived type: each is read by the record's fields.
    values = [demo_value(Record, i) for i in range(4)]
    derived = [Derived(**set_fields(value), extra=i) for i, value in enumerate(values)]
    mixed = [derived[0], values[1], derived[2], values[3]]
    sink = tmp_path / "sink.csv"
    publish_all(mixed, sink)
    assert [fields_of(from_cells(row, Record)) for row in read_events(sink)] == [fields_of(value) for value in values]


def output_of(struct_type: type) -> Any:
    """The Rust output adapter of a publication, wired to a time series of ``struct_type``."""
    runtime = _native.Runtime(ManagerOptions(source=Synthetic(1), sink=None, paced=False))

    def create(mgr: object, engine: object, scalars: tuple) -> object:
        capsule = runtime.output_capsule(Publication("A"))
        return _native._c_api_output_adapter(mgr, engine, (struct_type, capsule))

    return output_adapter_def("record_output", create, input=csp.ts[struct_type])


# The record's fields but the last (a struct needs one field at least).
Missing = define_struct("Missing", dict(list(Record.metadata().items())[:-1]) or {"unrelated": int})


def test_a_struct_without_a_field_of_the_record_is_refused() -> None:
    adapter = output_of(Missing)

    @csp.graph
    def graph() -> None:
        adapter(csp.const(Missing()))

    message = f'Missing has no field "{FIELDS[-1]}", which the Rust record {Record.__name__} reads and writes'
    with pytest.raises(TypeError, match=message):
        csp.run(graph, starttime=T0, endtime=timedelta(seconds=1))


def test_a_record_without_a_required_field_is_refused(tmp_path: Path) -> None:
    manager = Manager(Synthetic(0), sink=tmp_path / "sink.csv")
    record = Record()

    @csp.graph
    def graph() -> None:
        manager.publish(csp.const(record), "A")

    required = next(name for name in FIELDS if name not in OPTIONAL_FIELDS)
    with pytest.raises(ValueError, match=f'field "{required}" is not set: the Rust record requires it'):
        csp.run(graph, starttime=T0, endtime=timedelta(seconds=1))


def test_the_sink_refuses_an_empty_optional_str(tmp_path: Path) -> None:
    name = next(name for name, typ in Record.metadata().items() if name in OPTIONAL_FIELDS and typ is str)
    record = demo_value(Record, 0)
    setattr(record, name, "")
    with pytest.raises(ValueError, match=f"value.{name}: an empty str in an optional field reads back as unset"):
        publish_all([record], tmp_path / "sink.csv")


def test_another_struct_type_is_refused_when_the_graph_is_built() -> None:
    class Other(csp.Struct):
        x: int

    wanted = r"publish expects a ts\[TradeTapeRecord\], got Other"
    with pytest.raises(TypeError, match=wanted):
        Manager(Synthetic(1)).publish(csp.const(Other(x=1)), "A")
