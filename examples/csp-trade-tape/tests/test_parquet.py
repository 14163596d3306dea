"""Parquet files written by pyarrow, replayed by the manager and compared
tick for tick with csp's own ``ParquetReader`` on the same files: every
value type, snappy and zstd, plain and dictionary encoding, nulls, several
row groups and files, time units and zones; bad files end the run with an
error naming the file, the column and the row; ``*.parquet`` sinks round
trip through pyarrow, csp's reader and the manager itself."""

import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import csp
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from csp import ts
from csp.adapters.parquet import ParquetReader

from csp_trade_tape import (
    ParquetFile,
    Synthetic,
    TradeTapeAdapterManager,
    demo_value,
)
from csp_trade_tape._native import STATUS_FEED_ENDED
from csp_trade_tape.adapters import INPUT_TYPE, OUTPUT_TYPE
from csp_trade_tape.records import OPTIONAL_FIELDS

Manager = TradeTapeAdapterManager
T0 = datetime(2020, 1, 1)
SYMBOLS = ("A", "B", "C")
ROWS = 300
ARROW_TYPES: dict[type, pa.DataType] = {
    bool: pa.bool_(),
    int: pa.int64(),
    float: pa.float64(),
    str: pa.string(),
    datetime: pa.timestamp("ns"),
    timedelta: pa.duration("ns"),
}
EDGE_INTS = [0, 2**63 - 1, -(2**63), -1]
EDGE_FLOATS = [-0.0, 1e308, 5e-324, -1.5, 0.1]
EDGE_STRS = ["", "é✓ ünïcode 日本", "x" * 10_000, 'a,b\n"c"']


def is_record(typ: type) -> bool:
    return issubclass(typ, csp.Struct)


def fields(typ: type) -> dict[str, type]:
    return typ.metadata() if is_record(typ) else {}  # type: ignore[attr-defined]


def scalar(typ: type, i: int) -> Any:
    """Value ``i`` of a scalar type, edge values among them."""
    if typ is bool:
        return i % 2 == 1
    if typ is int:
        return EDGE_INTS[i // 5 % 4] if i % 5 == 0 else (-1) ** i * i * 1_000_003
    if typ is float:
        return EDGE_FLOATS[i // 5 % 5] if i % 5 == 0 else i * 0.37
    if typ is str:
        return EDGE_STRS[i // 5 % 4] if i % 5 == 0 else f"tick-{i}"
    if typ is datetime:
        return T0 + timedelta(microseconds=i * 7919)
    return timedelta(microseconds=(-1) ** i * i * 7919)


def sample(typ: type, i: int) -> Any:
    """Value ``i`` of the rendering's type: a record's optional fields are unset on every third."""
    if not is_record(typ):
        return scalar(typ, i)
    record = typ()
    for name, field_type in fields(typ).items():
        if not (i % 3 == 2 and name in OPTIONAL_FIELDS):
            setattr(record, name, scalar(field_type, i))
    return record


def value_columns(typ: type, names: dict[str, str]) -> dict[str, pa.Array]:
    """The value's columns of ``values`` under ``names`` (field -> column; ``value`` for a scalar)."""
    values = [sample(typ, i) for i in range(ROWS)]
    if not is_record(typ):
        return {names["value"]: pa.array(values, ARROW_TYPES[typ])}
    return {
        names[name]: pa.array([getattr(v, name, None) for v in values], ARROW_TYPES[field_type])
        for name, field_type in fields(typ).items()
    }


def times(unit: str = "ns", tz: str | None = None) -> pa.Array:
    """Three rows per millisecond: rows with the same time are one batch."""
    naive = [T0 + timedelta(milliseconds=i // 3) for i in range(ROWS)]
    array = pa.array(naive, pa.timestamp(unit))
    return array if tz is None else array.cast(pa.timestamp(unit, "UTC")).cast(pa.timestamp(unit, tz))


def symbol_of(row: int) -> str:
    """Symbols in turn, but every seventh row: a symbol's rows are not evenly spaced."""
    return SYMBOLS[row % 3] if row % 7 else SYMBOLS[(row + 1) % 3]


def symbols(dictionary: bool = False) -> pa.Array:
    array = pa.array([symbol_of(i) for i in range(ROWS)])
    return array.dictionary_encode() if dictionary else array


def renamed(typ: type) -> dict[str, str]:
    """Every value column under a name of its own, read through the field map."""
    return {name: f"{name}_col" for name in fields(typ)} if is_record(typ) else {"value": "px"}


def sink_column(field: str) -> str:
    """A record field's column in a sink: its name, but ``value.time`` and
    ``value.symbol`` for fields that would share the event's columns."""
    return f"value.{field}" if field in ("time", "symbol") else field


def write(path: Path, columns: dict[str, pa.Array], **options: Any) -> Path:
    pq.write_table(pa.table(columns), path, **options)
    return path


def source(paths: Any, names: dict[str, str], time_column: str = "event_time") -> ParquetFile:
    if is_record(INPUT_TYPE):
        field_map = {column: field for field, column in names.items()}
        return ParquetFile(paths, time_column=time_column, symbol_column="ticker", field_map=field_map)  # type: ignore[call-arg]
    return ParquetFile(paths, time_column=time_column, symbol_column="ticker", value_column=names["value"])  # type: ignore[call-arg]


def replay_rust(parquet: ParquetFile, push_mode: csp.PushMode = csp.PushMode.NON_COLLAPSING) -> dict[str, list]:
    @csp.graph
    def graph() -> None:
        manager = Manager(parquet)
        for symbol in SYMBOLS:
            csp.add_graph_output(symbol, manager.subscribe(symbol, push_mode))

    return csp.run(graph, starttime=T0, endtime=timedelta(hours=1), realtime=False)


def replay_csp(
    paths: Any, names: dict[str, str], push_mode: csp.PushMode = csp.PushMode.NON_COLLAPSING, **reader: Any
) -> dict[str, list]:
    field_map: Any = {column: field for field, column in names.items()} if is_record(INPUT_TYPE) else names["value"]

    @csp.graph
    def graph() -> None:
        parquet = ParquetReader(paths, time_column="event_time", symbol_column="ticker", **reader)
        for symbol in SYMBOLS:
            csp.add_graph_output(symbol, parquet.subscribe(symbol, INPUT_TYPE, field_map, push_mode=push_mode))

    return csp.run(graph, starttime=T0, endtime=timedelta(hours=1), realtime=False)


def same_ticks(rust: dict[str, list], reference: dict[str, list]) -> None:
    for symbol in SYMBOLS:
        assert len(rust[symbol]) == len(reference[symbol]) > 0, symbol
        for (t1, v1), (t2, v2) in zip(rust[symbol], reference[symbol], strict=True):
            assert t1 == t2, (symbol, t1, t2)
            assert v1 == v2 or (isinstance(v1, float) and math.isnan(v1) and math.isnan(v2)), (symbol, t1, v1, v2)


FILES = {
    "snappy-dictionary": {"compression": "snappy"},
    "zstd-plain": {"compression": "zstd", "use_dictionary": False},
    "row-groups-of-7": {"row_group_size": 7},
    "uncompressed": {"compression": "none"},
}


@pytest.mark.parametrize("options", FILES.values(), ids=FILES.keys())
def test_ticks_match_csps_parquet_reader(tmp_path: Path, options: dict[str, Any]) -> None:
    names = renamed(INPUT_TYPE)
    columns = {"event_time": times(), "ticker": symbols(), **value_columns(INPUT_TYPE, names)}
    path = write(tmp_path / "ticks.parquet", columns, **options)
    rust = replay_rust(source(path, names))
    same_ticks(rust, replay_csp(str(path), names))
    assert sum(len(ticks) for ticks in rust.values()) == ROWS


def test_last_value_ticks_as_csps_reader_ticks_it(tmp_path: Path) -> None:
    names = renamed(INPUT_TYPE)
    columns = {"event_time": times(), "ticker": symbols(), **value_columns(INPUT_TYPE, names)}
    path = write(tmp_path / "ticks.parquet", columns)
    last = csp.PushMode.LAST_VALUE
    same_ticks(replay_rust(source(path, names), last), replay_csp(str(path), names, last))


def test_burst_ticks_each_time_as_one_list(tmp_path: Path) -> None:
    """csp's reader has no BURST: the reference is its NON_COLLAPSING ticks grouped by time."""
    names = renamed(INPUT_TYPE)
    columns = {"event_time": times(), "ticker": symbols(), **value_columns(INPUT_TYPE, names)}
    path = write(tmp_path / "ticks.parquet", columns)
    bursts = replay_rust(source(path, names), csp.PushMode.BURST)
    for symbol, ticks in replay_csp(str(path), names).items():
        grouped: dict[datetime, list[Any]] = {}
        for time, value in ticks:
            grouped.setdefault(time, []).append(value)
        assert bursts[symbol] == list(grouped.items())


TIMES = {
    "ns-naive": ("ns", None),
    "us-utc": ("us", "UTC"),
    "ms-new-york": ("ms", "America/New_York"),
}


@pytest.mark.parametrize("unit, tz", TIMES.values(), ids=TIMES.keys())
def test_time_units_and_zones_and_dictionary_symbols(tmp_path: Path, unit: str, tz: str | None) -> None:
    names = renamed(INPUT_TYPE)
    columns = {"event_time": times(unit, tz), "ticker": symbols(dictionary=True), **value_columns(INPUT_TYPE, names)}
    path = write(tmp_path / "ticks.parquet", columns)
    rust = replay_rust(source(path, names))
    same_ticks(rust, replay_csp(str(path), names))
    # A zone changes nothing: the instants are the same.
    assert min(time for ticks in rust.values() for time, _ in ticks) == T0


def test_several_files_continue_one_another(tmp_path: Path) -> None:
    names = renamed(INPUT_TYPE)
    table = pa.table({"event_time": times(), "ticker": symbols(), **value_columns(INPUT_TYPE, names)})
    paths = [tmp_path / f"part-{n}.parquet" for n in range(3)]
    for n, path in enumerate(paths):
        pq.write_table(table.slice(n * 100, 100), path)
    pq.write_table(table, tmp_path / "all.parquet")
    rust = replay_rust(source(paths, names))
    same_ticks(rust, replay_rust(source(tmp_path / "all.parquet", names)))
    same_ticks(rust, replay_csp([str(p) for p in paths], names))


def test_default_columns_and_a_plain_path(tmp_path: Path) -> None:
    """``source="x.parquet"`` reads ``time``, ``symbol``, and ``value`` or the
    fields' own columns (``value.time`` for a field named time)."""
    names = {name: sink_column(name) for name in fields(INPUT_TYPE)} if is_record(INPUT_TYPE) else {"value": "value"}
    path = write(tmp_path / "ticks.parquet", {"time": times(), "symbol": symbols(), **value_columns(INPUT_TYPE, names)})

    @csp.graph
    def graph() -> None:
        manager = Manager(str(path))
        csp.add_graph_output("A", manager.subscribe("A"))

    ticks = csp.run(graph, starttime=T0, endtime=timedelta(hours=1), realtime=False)["A"]
    expected = [sample(INPUT_TYPE, i) for i in range(ROWS) if symbol_of(i) == "A"]
    assert [value for _, value in ticks] == expected


@pytest.mark.parametrize("paced", [False, True], ids=["flat-out", "paced"])
def test_realtime_replays_every_row_in_order(tmp_path: Path, paced: bool) -> None:
    names = renamed(INPUT_TYPE)
    columns = {"event_time": times(), "ticker": symbols(), **value_columns(INPUT_TYPE, names)}
    path = write(tmp_path / "ticks.parquet", columns, row_group_size=50)

    @csp.graph
    def graph() -> None:
        manager = Manager(source(path, names), paced=paced)
        for symbol in SYMBOLS:
            csp.add_graph_output(symbol, manager.subscribe(symbol))
        csp.add_graph_output("ended", ended(manager.status()))
        csp.stop_engine(ended(manager.status()))

    result = csp.run(graph, endtime=timedelta(seconds=30), realtime=True)
    reference = replay_csp(str(path), names)
    for symbol in SYMBOLS:
        assert [v for _, v in result[symbol]] == [v for _, v in reference[symbol]]
    assert len(result["ended"]) == 1
    if paced:
        # The rows span 99 ms of recorded time, which a paced replay waits
        # out (the first batch may tick a little after it was sent).
        ticked = sorted(time for symbol in SYMBOLS for time, _ in result[symbol])
        assert ticked[-1] - ticked[0] >= timedelta(milliseconds=90)


def test_parquet_history_then_live(tmp_path: Path) -> None:
    """``history=ParquetFile(...)``: the rows from the run's start on tick at
    their recorded times, then the live source's events."""
    start = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=5)
    stamps = [start - timedelta(milliseconds=50) + timedelta(milliseconds=i // 3) for i in range(ROWS)]
    names = renamed(INPUT_TYPE)
    columns = {"event_time": pa.array(stamps, pa.timestamp("ns")), "ticker": symbols()}
    path = write(tmp_path / "history.parquet", {**columns, **value_columns(INPUT_TYPE, names)}, row_group_size=64)

    @csp.graph
    def graph() -> None:
        manager = Manager(Synthetic(6, SYMBOLS, interval=timedelta(milliseconds=1)), history=source(path, names))
        for symbol in SYMBOLS:
            csp.add_graph_output(symbol, manager.subscribe(symbol))
        csp.stop_engine(ended(manager.status()))

    began = datetime.now(timezone.utc).replace(tzinfo=None)
    result = csp.run(graph, starttime=start, endtime=timedelta(minutes=5, seconds=30), realtime=True)
    for n, symbol in enumerate(SYMBOLS):
        replayed = [(when, value) for when, value in result[symbol] if when < began]
        live = [value for when, value in result[symbol] if when >= began]
        rows = [
            (stamps[i], sample(INPUT_TYPE, i)) for i in range(ROWS) if symbol_of(i) == symbol and stamps[i] >= start
        ]
        assert replayed == rows
        assert live == [demo_value(INPUT_TYPE, i) for i in range(6) if i % 3 == n]


@csp.node
def ended(status: ts[object]) -> ts[bool]:
    if csp.ticked(status) and status.status_code == STATUS_FEED_ENDED:
        return True


def test_optional_fields_read_nulls_as_unset(tmp_path: Path) -> None:
    optional = [name for name in fields(INPUT_TYPE) if name in OPTIONAL_FIELDS]
    if not optional:
        pytest.skip("the rendering's input has no optional field")
    names = renamed(INPUT_TYPE)
    columns = {"event_time": times(), "ticker": symbols(), **value_columns(INPUT_TYPE, names)}
    rust = replay_rust(source(write(tmp_path / "t.parquet", columns), names))
    unset = [v for ticks in rust.values() for _, v in ticks if not hasattr(v, optional[0])]
    assert len(unset) == ROWS // 3


# -- bad files: an error naming the file, the column and the row; nothing after it


def run_failing(parquet: ParquetFile, match: str, error: type[Exception] = ValueError) -> list[Any]:
    seen: list[Any] = []

    @csp.node
    def keep(x: ts[object]) -> None:
        seen.append(x)

    @csp.graph
    def graph() -> None:
        manager = Manager(parquet)
        for symbol in SYMBOLS:
            keep(manager.subscribe(symbol))

    with pytest.raises(error, match=match):
        csp.run(graph, starttime=T0, endtime=timedelta(hours=1), realtime=False)
    return seen


def good_columns() -> dict[str, pa.Array]:
    names = renamed(INPUT_TYPE)
    return {"event_time": times(), "ticker": symbols(), **value_columns(INPUT_TYPE, names)}


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    columns = good_columns()
    first_value = list(renamed(INPUT_TYPE).values())[0]
    del columns[first_value]
    path = write(tmp_path / "missing.parquet", columns)
    seen = run_failing(source(path, renamed(INPUT_TYPE)), f'missing.parquet: no column "{first_value}"')
    assert seen == []


def test_a_column_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    columns = good_columns()
    columns["ticker"] = pa.array(range(ROWS), pa.int32())
    path = write(tmp_path / "typed.parquet", columns)
    run_failing(source(path, renamed(INPUT_TYPE)), 'typed.parquet: column "ticker" is int32, but the symbol is a str')


def test_a_null_time_names_its_row_and_row_group(tmp_path: Path) -> None:
    columns = good_columns()
    columns["event_time"] = pa.array(
        [None if i == 130 else t for i, t in enumerate(times().to_pylist())], pa.timestamp("ns")
    )
    path = write(tmp_path / "nulls.parquet", columns, row_group_size=50)
    seen = run_failing(
        source(path, renamed(INPUT_TYPE)),
        r'nulls.parquet: row 130 \(row group 2\): column "event_time" is null, but the time must be set',
    )
    assert len(seen) == 130


def test_times_going_backwards_are_refused_at_their_row(tmp_path: Path) -> None:
    columns = good_columns()
    values = times().to_pylist()
    values[200] = T0
    columns["event_time"] = pa.array(values, pa.timestamp("ns"))
    path = write(tmp_path / "order.parquet", columns)
    seen = run_failing(
        source(path, renamed(INPUT_TYPE)),
        r"order.parquet: row 200 \(row group 0\): time .* is before the previous row's",
    )
    assert len(seen) == 200


@pytest.mark.parametrize("damage", ["truncated", "not-parquet", "empty"])
def test_a_damaged_file_is_refused_naming_it(tmp_path: Path, damage: str) -> None:
    path = write(tmp_path / "good.parquet", good_columns())
    bad = tmp_path / f"{damage}.parquet"
    data = path.read_bytes()
    bad.write_bytes({"truncated": data[: len(data) // 2], "not-parquet": b"time,symbol\n" * 100, "empty": b""}[damage])
    seen = run_failing(source(bad, renamed(INPUT_TYPE)), f"{damage}.parquet: not a readable Parquet file")
    assert seen == []


def test_a_missing_file_is_file_not_found(tmp_path: Path) -> None:
    good = write(tmp_path / "good.parquet", good_columns())
    seen = run_failing(
        source([good, tmp_path / "nowhere.parquet"], renamed(INPUT_TYPE)), "nowhere.parquet", FileNotFoundError
    )
    assert seen == []


def test_a_null_in_a_required_value_names_the_column(tmp_path: Path) -> None:
    names = renamed(INPUT_TYPE)
    required = [field for field in names if field not in OPTIONAL_FIELDS]
    column = names[required[0]]
    columns = good_columns()
    columns[column] = pa.array(
        [None if i == 42 else v for i, v in enumerate(columns[column].to_pylist())], columns[column].type
    )
    path = write(tmp_path / "hole.parquet", columns)
    seen = run_failing(
        source(path, names), rf'hole.parquet: row 42 \(row group 0\): column "{column}" is null, but the .* must be set'
    )
    assert len(seen) == 42


def test_misuse_is_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match="paths must be"):
        ParquetFile([])
    with pytest.raises(ValueError, match="time_column must be"):
        ParquetFile("x.parquet", time_column="")
    if is_record(INPUT_TYPE):
        with pytest.raises(ValueError, match="not a field of"):
            ParquetFile("x.parquet", field_map={"c": "no_such_field"})  # type: ignore[call-arg]


# -- sinks


def published(count: int) -> list[tuple[datetime, Any]]:
    return [(T0 + timedelta(milliseconds=i), sample(OUTPUT_TYPE, i)) for i in range(count)]


def publish_to(sink: Path, ticks: list[tuple[datetime, Any]], fail_after: int | None = None) -> None:
    @csp.node
    def boom(x: ts[object]) -> None:
        with csp.state():
            s_count = 0
        if csp.ticked(x):
            s_count += 1
            if s_count == fail_after:
                raise RuntimeError("the graph failed")

    @csp.graph
    def graph() -> None:
        manager = Manager(Synthetic(0), sink=sink)
        values = csp.curve(OUTPUT_TYPE, ticks)
        manager.publish(values, "A")
        if fail_after:
            boom(values)

    csp.run(graph, starttime=T0, endtime=timedelta(hours=1), realtime=False)


def naive(value: Any) -> Any:
    """A UTC time as csp has it (naive); other values as they are."""
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def sink_rows(path: Path) -> list[tuple[datetime, str, Any]]:
    """The rows of a sink as pyarrow reads them."""
    out = []
    for row in pq.read_table(path).to_pylist():
        if is_record(OUTPUT_TYPE):
            cells = {name: naive(row[sink_column(name)]) for name in fields(OUTPUT_TYPE)}
            cells = {name: value for name, value in cells.items() if value is not None}
            value = OUTPUT_TYPE(**cells)
        else:
            value = naive(row["value"])
        out.append((naive(row["time"]), row["symbol"], value))
    return out


def test_a_parquet_sink_is_read_back_by_pyarrow_and_csps_reader(tmp_path: Path) -> None:
    sink = tmp_path / "out.parquet"
    ticks = published(ROWS)
    publish_to(sink, ticks)
    assert sink_rows(sink) == [(t, "A", v) for t, v in ticks]
    field_map: Any = {sink_column(name): name for name in fields(OUTPUT_TYPE)} if is_record(OUTPUT_TYPE) else "value"

    @csp.graph
    def graph() -> None:
        reader = ParquetReader(str(sink), time_column="time", symbol_column="symbol")
        csp.add_graph_output("A", reader.subscribe("A", OUTPUT_TYPE, field_map))

    assert csp.run(graph, starttime=T0, endtime=timedelta(hours=1), realtime=False)["A"] == ticks


def test_a_parquet_sink_replays_through_the_manager(tmp_path: Path) -> None:
    if INPUT_TYPE is not OUTPUT_TYPE:
        pytest.skip("the output type is not the input type")
    sink = tmp_path / "out.parquet"
    ticks = published(ROWS)
    publish_to(sink, ticks)

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("A", Manager(ParquetFile(sink)).subscribe("A"))

    assert csp.run(graph, starttime=T0, endtime=timedelta(hours=1), realtime=False)["A"] == ticks


def test_a_failed_run_still_finishes_the_sink(tmp_path: Path) -> None:
    sink = tmp_path / "out.parquet"
    ticks = published(100_000)
    with pytest.raises(RuntimeError, match="the graph failed"):
        publish_to(sink, ticks, fail_after=70_000)
    # Every tick published before the failure is in a readable file (the
    # output adapter may or may not have run in the failing cycle).
    written = sink_rows(sink)
    assert len(written) in (69_999, 70_000)
    assert written == [(t, "A", v) for t, v in ticks[: len(written)]]


def test_an_empty_run_writes_a_readable_file_with_the_columns(tmp_path: Path) -> None:
    sink = tmp_path / "out.parquet"
    publish_to(sink, [])
    table = pq.read_table(sink)
    assert table.num_rows == 0
    value_names = [sink_column(name) for name in fields(OUTPUT_TYPE)] if is_record(OUTPUT_TYPE) else ["value"]
    assert table.column_names == ["time", "symbol", *value_names]
    assert table.schema.field("time").type == pa.timestamp("ns", "UTC")
