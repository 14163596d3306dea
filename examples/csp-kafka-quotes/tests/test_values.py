"""Every value type crosses Rust -> csp -> Rust exactly, extremes included."""

import math
import struct
from datetime import datetime, timedelta
from typing import Any

import csp
import pytest
from conftest import stop_after
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from probes import ProbeManager, record, replay

from csp_kafka_quotes._native import testing

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
# csp keeps datetimes and timedeltas as int64 nanoseconds; INT64_MIN means "none".
NANOS = st.integers(min_value=-(2**62), max_value=2**62)
STRATEGIES: dict[type, st.SearchStrategy[Any]] = {
    bool: st.booleans(),
    int: INT64,
    float: st.floats(allow_nan=True, allow_infinity=True),
    str: st.text(),
    datetime: NANOS,
    timedelta: NANOS,
}
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def round_trip(typ: type, values: list[Any]) -> list[Any]:
    """Pushes ``values`` from a Rust thread and returns what a Rust output adapter received."""
    probe = testing.Probe()
    manager = ProbeManager()

    @csp.graph
    def graph() -> None:
        x = replay(manager, typ, values, probe)
        record(manager, x, typ, probe)
        stop_after(x, len(values))

    csp.run(graph, endtime=timedelta(seconds=30), realtime=True)
    return probe.values()


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("typ", list(STRATEGIES), ids=lambda t: t.__name__)
def test_values_round_trip_exactly(typ: type) -> None:
    @SETTINGS
    @given(values=st.lists(STRATEGIES[typ], min_size=1, max_size=50))
    def check(values: list[Any]) -> None:
        received = round_trip(typ, values)
        assert len(received) == len(values)
        assert all(same(a, b) for a, b in zip(received, values, strict=True)), (values, received)

    check()


@pytest.mark.parametrize(
    "text",
    ["", "\x00", "a\x00b\x00", "grüße, 東京, 🚀", "\U0010ffff", "x" * (1 << 20), "\x00é" * (1 << 19)],
    ids=["empty", "nul", "embedded-nul", "non-ascii", "max-code-point", "one-mib", "one-mib-nul-and-accents"],
)
def test_strings_pass_through_exactly(text: str) -> None:
    assert round_trip(str, [text, text[::-1], text]) == [text, text[::-1], text]


def test_extreme_numbers() -> None:
    assert round_trip(int, [-(2**63), 2**63 - 1, 0]) == [-(2**63), 2**63 - 1, 0]
    received = round_trip(float, [math.inf, -math.inf, -0.0, 5e-324, math.nan])
    assert received[:4] == [math.inf, -math.inf, -0.0, 5e-324] and math.copysign(1, received[2]) == -1
    assert math.isnan(received[4])
