"""Shared helpers for the tests: run realtime graphs with a deadline, feed the
input adapters' values to the output adapter, write and read events files."""

import csv
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import csp
from csp import ts
from csp.adapters.status import Status

from csp_adapter_acme._native import STATUS_FEED_ENDED
from csp_adapter_acme.adapters import INPUT_TYPE as INPUT
from csp_adapter_acme.adapters import OUTPUT_TYPE as OUTPUT

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


@csp.node
def feed_ended(status: ts[Status]) -> ts[bool]:
    """Ticks when the manager's source has ended (statuses tick after the events before them)."""
    if csp.ticked(status) and status.status_code == STATUS_FEED_ENDED:
        return True


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


def write_events(path: Path, rows: Iterable[tuple[datetime, str, object]]) -> Path:
    """Writes an events file of (time, symbol, value) rows."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(["time", "symbol", "value"])
        writer.writerows((to_text(time), symbol, to_text(value)) for time, symbol, value in rows)
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
        return datetime.fromisoformat(text.removesuffix("Z"))
    if typ is timedelta:
        sign = -1 if text.startswith("-") else 1
        whole, _, fraction = text.lstrip("-").partition(".")
        nanos = int(whole) * 1_000_000_000 + int(fraction.ljust(9, "0") or 0)
        return sign * timedelta(microseconds=nanos // 1000)
    return typ(text)
