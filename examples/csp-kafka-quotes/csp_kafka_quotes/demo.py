"""The demo's value rule, the same as ``core/src/demo.rs``: value ``i`` per csp type.

=========== ===============================================
csp type    value ``i``
=========== ===============================================
bool        ``i`` is odd
int         ``i``
float       ``i * 0.5``
str         ``f"tick-{i}"``
datetime    2020-01-01T00:00:00 (UTC, naive) + ``i`` microseconds
timedelta   ``i`` microseconds
record      each field's value ``i`` by its type; fields that may
            be unset (``records.OPTIONAL_FIELDS``) are unset when
            ``i % 3 == 2``
=========== ===============================================
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar, cast

from .records import OPTIONAL_FIELDS, KafkaQuotesRecord

__all__ = ["DATETIME_BASE", "demo_value", "demo_values"]

T = TypeVar("T")

DATETIME_BASE = datetime(2020, 1, 1)

_RULES: dict[type, Callable[[int], object]] = {
    bool: lambda i: i % 2 == 1,
    int: lambda i: i,
    float: lambda i: i * 0.5,
    str: lambda i: f"tick-{i}",
    datetime: lambda i: DATETIME_BASE + timedelta(microseconds=i),
    timedelta: lambda i: timedelta(microseconds=i),
}


def _demo_record(index: int) -> KafkaQuotesRecord:
    record = KafkaQuotesRecord()
    for name, typ in KafkaQuotesRecord.metadata().items():
        if not (name in OPTIONAL_FIELDS and index % 3 == 2):
            setattr(record, name, _RULES[typ](index))
    return record


_RULES[KafkaQuotesRecord] = _demo_record


def demo_value(typ: type[T], index: int) -> T:
    """The ``index``-th value (from 0) the demo input adapter pushes for ``typ``."""
    try:
        rule = _RULES[typ]
    except KeyError:
        known = ", ".join(t.__name__ for t in _RULES)
        raise TypeError(f"no demo rule for {typ!r}: use one of {known}") from None
    if index < 0:
        raise ValueError(f"index must be >= 0, got {index}")
    return cast(T, rule(index))


def demo_values(typ: type[T], count: int) -> list[T]:
    """The first ``count`` demo values for ``typ``."""
    return [demo_value(typ, i) for i in range(count)]
