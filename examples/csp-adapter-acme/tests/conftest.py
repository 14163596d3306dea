"""Shared helpers for the tests: run realtime graphs with a deadline, and feed
the input adapter's values to the output adapter."""

from datetime import datetime, timedelta
from typing import Any

import csp
from csp import ts

from csp_adapter_acme.adapters import INPUT_TYPE as INPUT
from csp_adapter_acme.adapters import OUTPUT_TYPE as OUTPUT

DEADLINE = timedelta(seconds=30)


def run_realtime(graph: Any, *args: Any, endtime: timedelta = DEADLINE) -> dict[str, list[tuple[datetime, Any]]]:
    """Runs ``graph`` in realtime from now until ``endtime`` at the latest; returns its graph outputs."""
    return csp.run(graph, *args, endtime=endtime, realtime=True)


def to_output(values: ts[INPUT]) -> ts[OUTPUT]:
    """The input adapter's demo values as the output adapter's demo values (the same series when the types agree)."""
    return values
