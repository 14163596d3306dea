"""Shared helpers for the tests: run realtime graphs with a deadline."""

from datetime import datetime, timedelta, timezone
from typing import Any

import csp
import pytest

DEADLINE = timedelta(seconds=30)


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def run_realtime(graph: Any, *args: Any, endtime: timedelta = DEADLINE) -> dict[str, list[tuple[datetime, Any]]]:
    """Runs ``graph`` in realtime from now; returns its graph outputs."""
    return csp.run(graph, *args, starttime=utc_now(), endtime=endtime, realtime=True)


@pytest.fixture
def realtime() -> Any:
    return run_realtime
