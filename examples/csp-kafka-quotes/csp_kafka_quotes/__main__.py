"""Demo: a Rust manager's feed -> csp -> Rust output adapters, in realtime.

    python -m csp_kafka_quotes [--count N] [--symbols K] [--replay FILE]
        [--interval-us U] [--batch B] [--timeout-s S]

Without --replay the manager's source is the synthetic feed: N events over
K symbols, one subscription and one publication per symbol, every value
checked. With --replay it replays an events file (time,symbol,value) and
subscribes to every symbol in it. Prints progress to stderr on long runs and,
as its last line on stdout, one JSON object: pushed, received, mismatches,
seconds (wall time of csp.run), ticks_per_second. Exits non-zero unless every
event was pushed and received (and, from the synthetic feed, matched).
"""

import argparse
import csv
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

import csp
from csp import ts
from csp.adapters.status import Status

from ._native import STATUS_FEED_ENDED
from .adapters import (
    KafkaQuotesAdapterManager,
    Stats,
    Synthetic,
)

PROGRESS_EVERY = timedelta(seconds=1)
Manager = KafkaQuotesAdapterManager


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("--count", type=int, default=100_000, help="synthetic events (default 100000)")
    parser.add_argument("--symbols", type=int, default=1, help="symbols of the synthetic feed (default 1)")
    parser.add_argument("--replay", type=Path, help="replay this events file instead of the synthetic feed")
    parser.add_argument(
        "--interval-us", type=int, default=0, help="microseconds between events (default 0: as fast as possible)"
    )
    parser.add_argument("--batch", type=int, default=1, help="events per push batch (default 1)")
    parser.add_argument("--timeout-s", type=float, default=600.0, help="give up after this many seconds (default 600)")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    if args.symbols < 1:
        parser.error("--symbols must be at least 1")
    if args.interval_us < 0:
        parser.error("--interval-us must not be negative")
    if args.batch < 1:
        parser.error("--batch must be at least 1")
    if args.timeout_s <= 0:
        parser.error("--timeout-s must be positive")
    if args.replay is not None and not args.replay.is_file():
        parser.error(f"--replay: no such file: {args.replay}")
    return args


def symbols_in(path: Path) -> tuple[list[str], int]:
    """The distinct symbols of an events file, in order of appearance, and its row count."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    return list(dict.fromkeys(row["symbol"] for row in rows)), len(rows)


@csp.node
def report_progress(timer: ts[bool], manager: KafkaQuotesAdapterManager, total: int):
    if csp.ticked(timer):
        print(f"received {manager.received():,} of {total:,}", file=sys.stderr, flush=True)


@csp.node
def feed_ended(status: ts[Status]) -> ts[bool]:
    if csp.ticked(status) and status.status_code == STATUS_FEED_ENDED:
        return True


@csp.node
def all_received(timer: ts[bool], manager: Manager, total: int) -> ts[bool]:
    if manager.received() >= total:
        return True


@csp.graph
def demo_graph(manager: KafkaQuotesAdapterManager, symbols: list[str], total: int):
    for symbol in symbols:
        manager.publish(manager.subscribe(symbol), symbol)
    # Statuses tick after the events before them: every value is in by now.
    csp.stop_engine(feed_ended(manager.status()))
    # A live feed does not end: stop once every value is in.
    csp.stop_engine(all_received(csp.timer(timedelta(milliseconds=10), True), manager, total))
    report_progress(csp.timer(PROGRESS_EVERY, True), manager, total)


def push_to_receive_seconds(stats: Stats) -> float | None:
    """Time from the first push to the last value's arrival, inside the adapters."""
    first, last = stats["first_push_ns"], stats["last_receive_ns"]
    return round((last - first) / 1e9, 6) if first is not None and last is not None else None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.replay is not None:
        symbols, total = symbols_in(args.replay)
        manager = KafkaQuotesAdapterManager(args.replay)
    else:
        symbols, total = [f"SYM{i}" for i in range(args.symbols)], args.count
        interval = timedelta(microseconds=args.interval_us)
        feed = Synthetic(args.count, tuple(symbols), interval, args.batch)
        manager = KafkaQuotesAdapterManager(feed)
    result, ok = run_demo(args, manager, symbols, total)
    print(json.dumps(result), flush=True)
    return 0 if ok else 1


def run_demo(
    args: argparse.Namespace, manager: Manager, symbols: list[str], total: int
) -> tuple[dict[str, object], bool]:
    """Runs the demo graph; returns the result line and whether every event went through."""
    started = time.perf_counter()
    csp.run(demo_graph, manager, symbols, total, endtime=timedelta(seconds=args.timeout_s), realtime=True)
    seconds = time.perf_counter() - started
    stats = manager.stats()
    result: dict[str, object] = {
        "input_type": "struct",
        "output_type": "struct",
        "symbols": len(symbols),
        "events": stats["events"],
        "pushed": stats["pushed"],
        "received": stats["received"],
        "mismatches": stats["mismatches"],
        "first_mismatch": stats["first_mismatch"],
        "seconds": round(seconds, 6),
        "ticks_per_second": round(stats["received"] / seconds) if seconds > 0 else 0,
        "first_push_to_last_receive_seconds": push_to_receive_seconds(stats),
    }
    ok = stats["pushed"] == total and stats["received"] == total and stats["mismatches"] == 0
    return result, ok


if __name__ == "__main__":
    sys.exit(main())
