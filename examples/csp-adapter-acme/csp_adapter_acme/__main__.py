"""Demo: Rust input adapter -> csp -> Rust output adapter, in realtime.

    python -m csp_adapter_acme [--count N] [--interval-us U]
        [--batch B] [--timeout-s S]

Prints progress to stderr on long runs and, as its last line on stdout, one
JSON object: pushed, received, mismatches, seconds (wall time of csp.run),
ticks_per_second. Exits non-zero unless every pushed value was received and
matched.
"""

import argparse
import json
import sys
import time
from datetime import timedelta

import csp
from csp import ts

from .adapters import (
    AcmeAdapterManager,
    Stats,
)

PROGRESS_EVERY = timedelta(seconds=1)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("--count", type=int, default=100_000, help="values to push (default 100000)")
    parser.add_argument(
        "--interval-us", type=int, default=0, help="microseconds between pushes (default 0: as fast as possible)"
    )
    parser.add_argument("--batch", type=int, default=1, help="values per push batch (default 1: single pushes)")
    parser.add_argument("--timeout-s", type=float, default=600.0, help="give up after this many seconds (default 600)")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    if args.interval_us < 0:
        parser.error("--interval-us must not be negative")
    if args.batch < 1:
        parser.error("--batch must be at least 1")
    if args.timeout_s <= 0:
        parser.error("--timeout-s must be positive")
    return args


@csp.node
def report_progress(timer: ts[bool], manager: AcmeAdapterManager, total: int):
    if csp.ticked(timer):
        print(f"received {manager.received():,} of {total:,}", file=sys.stderr, flush=True)


@csp.graph
def demo_graph(
    manager: AcmeAdapterManager,
    count: int,
    interval: timedelta,
    batch: int,
):
    values = manager.subscribe(count=count, interval=interval, batch_size=batch)
    manager.publish(values, stop_after=count)
    report_progress(csp.timer(PROGRESS_EVERY, True), manager, count)


def push_to_receive_seconds(stats: Stats) -> float | None:
    """Time from the first push to the last value's arrival, inside the adapters."""
    first, last = stats["first_push_ns"], stats["last_receive_ns"]
    return round((last - first) / 1e9, 6) if first is not None and last is not None else None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    manager = AcmeAdapterManager()
    started = time.perf_counter()
    csp.run(
        demo_graph,
        manager,
        args.count,
        timedelta(microseconds=args.interval_us),
        args.batch,
        endtime=timedelta(seconds=args.timeout_s),
        realtime=True,
    )
    seconds = time.perf_counter() - started
    stats = manager.stats()
    result = {
        "input_type": "int",
        "output_type": "int",
        "pushed": stats["pushed"],
        "received": stats["received"],
        "mismatches": stats["mismatches"],
        "first_mismatch": stats["first_mismatch"],
        "seconds": round(seconds, 6),
        "ticks_per_second": round(stats["received"] / seconds) if seconds > 0 else 0,
        "first_push_to_last_receive_seconds": push_to_receive_seconds(stats),
    }
    print(json.dumps(result), flush=True)
    ok = stats["pushed"] == args.count and stats["received"] == stats["pushed"] and stats["mismatches"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
