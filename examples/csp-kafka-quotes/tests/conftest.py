"""Shared helpers for the tests: run realtime graphs with a deadline, feed the
input adapters' values to the output adapter, write and read events files,
count the process's threads."""

import csv
import os
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

import csp
import pytest
from csp import ts
from csp.adapters.status import Status
from hypothesis import strategies as st

from csp_kafka_quotes import _native
from csp_kafka_quotes._native import STATUS_FEED_ENDED
from csp_kafka_quotes.adapters import INPUT_TYPE as INPUT
from csp_kafka_quotes.adapters import OUTPUT_TYPE as OUTPUT
from csp_kafka_quotes.records import (
    OPTIONAL_FIELDS,
    KafkaQuotesRecord,
)

if not hasattr(_native, "testing"):
    pytest.exit(
        "the extension was built without its test harness (_native.testing): "
        "rebuild it with CSP_ADAPTER_TESTING=1 (make develop does)",
        returncode=4,
    )

T = TypeVar("T")
DEADLINE = timedelta(seconds=30)
T0 = datetime(2020, 1, 1)


def run_realtime(
    graph: Any, *args: Any, endtime: timedelta = DEADLINE, **kwargs: Any
) -> dict[str, list[tuple[datetime, Any]]]:
    """Runs ``graph`` in realtime from now until ``endtime`` at the latest; returns its graph outputs."""
    return csp.run(graph, *args, endtime=endtime, realtime=True, **kwargs)


def to_output(values: ts[INPUT], first: int = 0, step: int = 1) -> ts[OUTPUT]:
    """A symbol's demo values (event ``first + step * j``) as the output adapter's demo values."""
    return values


def run_failing(
    manager: Any, error: type[Exception], match: str, run: Callable[[Any], object] = run_realtime
) -> list[object]:
    """Runs (with ``run``) a graph that records symbol A's events and the
    statuses (and publishes A's events), expecting ``csp.run`` to raise;
    returns what ticked before."""
    seen: list[object] = []

    @csp.node
    def record(x: ts[object]) -> None:
        seen.append(x)

    @csp.graph
    def graph() -> None:
        values = manager.subscribe("A")
        record(values)
        record(manager.status())
        manager.publish(to_output(values), "A")

    with pytest.raises(error, match=match):
        run(graph)
    return seen


@csp.node
def stop_after(x: ts[T], n: int):  # type: ignore[valid-type]
    """Stops the engine once ``x`` has ticked ``n`` times."""
    with csp.state():
        s_seen = 0
    if csp.ticked(x):
        s_seen += 1
        if s_seen == n:
            csp.stop_engine()


@csp.node
def feed_ended(status: ts[Status]) -> ts[bool]:
    """Ticks when the manager's source has ended (statuses tick after the events before them)."""
    if csp.ticked(status) and status.status_code == STATUS_FEED_ENDED:
        return True


def os_threads() -> set[str]:
    """The ids of this process's threads as the OS sees them (Rust threads included)."""
    return set(os.listdir("/proc/self/task"))


def threads_left_behind(before: set[str], patience: float = 2.0) -> set[str]:
    """Threads started since ``before`` that still run after up to ``patience``
    seconds: a joined thread can be listed for a moment (the kernel wakes the
    joiner before it removes the task), a leaked one stays. Threads of ``before``
    that end meanwhile (an earlier test's) do not count."""
    deadline = time.monotonic() + patience
    while (left := os_threads() - before) and time.monotonic() < deadline:
        time.sleep(0.001)
    return left


def to_text(value: object) -> str:
    """The text form of a value in an events file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    if isinstance(value, timedelta):
        micros = value // timedelta(microseconds=1)
        sign = "-" if micros < 0 else ""
        return f"{sign}{abs(micros) // 1_000_000}.{abs(micros) % 1_000_000:06d}"
    return str(value)


def is_record(typ: object) -> bool:
    return isinstance(typ, type) and issubclass(typ, csp.Struct)


def fields_of_type(typ: type) -> dict[str, type]:
    """The fields of a csp.Struct type and their types."""
    return cast(Any, typ).metadata()


def value_columns(typ: type) -> list[str]:
    """The columns of a value in an events file: ``value``, or ``value.<field>`` per field of a record."""
    return [f"value.{name}" for name in fields_of_type(typ)] if is_record(typ) else ["value"]


def to_cells(value: object) -> list[str]:
    """The cells of a value in an events file (an unset field is an empty cell)."""
    if isinstance(value, csp.Struct):
        return [to_text(getattr(value, name)) if hasattr(value, name) else "" for name in fields_of_type(type(value))]
    return [to_text(value)]


def from_cells(row: dict[str, str], typ: type) -> object:
    """A value of csp type ``typ`` from the cells of an events-file row."""
    if not is_record(typ):
        return from_text(row["value"], typ)
    fields = fields_of_type(typ)
    cells = {name: row[f"value.{name}"] for name in fields}
    unset = {name for name, text in cells.items() if name in OPTIONAL_FIELDS and not text}
    return typ(**{name: from_text(cells[name], t) for name, t in fields.items() if name not in unset})


def write_events(path: Path, rows: Iterable[tuple[datetime, str, object]], typ: type = INPUT) -> Path:
    """Writes an events file of (time, symbol, value) rows with values of csp type ``typ``."""
    with path.open("w", newline="", encoding="utf-8") as file:
        # Every cell quoted: a lone carriage return in a str stays inside its cell.
        writer = csv.writer(file, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(["time", "symbol", *value_columns(typ)])
        writer.writerows((to_text(time), symbol, *to_cells(value)) for time, symbol, value in rows)
    return path


def read_events(path: Path) -> list[dict[str, str]]:
    """The rows of an events file, as text."""
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def from_text(text: str, typ: type) -> object:
    """A value of csp type ``typ`` from its text form in an events file."""
    if typ is bool:
        return {"true": True, "false": False}[text]
    if typ is datetime:
        # Python datetimes hold microseconds (and Python 3.10 reads no more
        # than 6 digits of a fraction): further digits are cut off.
        whole, dot, fraction = text.removesuffix("Z").partition(".")
        return datetime.fromisoformat(whole + (dot + fraction[:6].ljust(6, "0") if dot else ""))
    if typ is timedelta:
        sign = -1 if text.startswith("-") else 1
        whole, _, fraction = text.lstrip("-").partition(".")
        nanos = int(whole) * 1_000_000_000 + int(fraction.ljust(9, "0") or 0)
        return sign * timedelta(microseconds=nanos // 1000)
    return typ(text)


UNSET = object()
FIELD_VALUES: dict[type, st.SearchStrategy[Any]] = {
    bool: st.booleans(),
    int: st.integers(min_value=-(2**63), max_value=2**63 - 1),
    float: st.floats(allow_nan=False),
    # Python's csv module before 3.11 refuses NUL; test_values sends NUL through the engine.
    str: st.text(st.characters(codec="utf-8", exclude_characters="\x00")),
    datetime: st.datetimes(min_value=datetime(1700, 1, 1), max_value=datetime(2250, 1, 1)),
    timedelta: st.timedeltas(min_value=timedelta(days=-100_000), max_value=timedelta(days=100_000)),
}


@st.composite
def records(draw: st.DrawFn) -> KafkaQuotesRecord:
    """A record with random field values; fields that may be unset are unset at random.

    An events file cannot tell an empty optional str from an unset one, so
    optional str fields are never empty here (the sink refuses them).
    """
    fields = {}
    for name, typ in KafkaQuotesRecord.metadata().items():
        if name in OPTIONAL_FIELDS and draw(st.booleans()):
            continue
        strategy = FIELD_VALUES[typ]
        if name in OPTIONAL_FIELDS and typ is str:
            strategy = strategy.filter(bool)
        fields[name] = draw(strategy)
    return KafkaQuotesRecord(**fields)


def fields_of(record: object) -> list[tuple[str, object]]:
    """A record's fields in order, ``UNSET`` for an unset one."""
    return [(name, getattr(record, name, UNSET)) for name in KafkaQuotesRecord.metadata()]
