"""Shared helpers for the tests: run realtime graphs with a deadline."""

from datetime import datetime, timedelta
from typing import Any

import csp

DEADLINE = timedelta(seconds=30)


def run_realtime(graph: Any, *args: Any, endtime: timedelta = DEADLINE) -> dict[str, list[tuple[datetime, Any]]]:
    """Runs ``graph`` in realtime from now until ``endtime`` at the latest; returns its graph outputs."""
    return csp.run(graph, *args, endtime=endtime, realtime=True)
