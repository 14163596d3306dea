"""Many runs in one process: no thread or memory left behind."""

import gc
import resource
from datetime import timedelta

import csp
from conftest import feed_ended, os_threads, threads_left_behind, to_output

from csp_trade_tape import (
    Synthetic,
    TradeTapeAdapterManager,
)
from csp_trade_tape._native import testing

RUNS = 200
WARM_UP = 20
TICKS_PER_RUN = 2_000
SYMBOLS = ("A", "B")
# Allowed RSS growth from run WARM_UP to run RUNS.
RSS_BOUND = 2 * 1024 * 1024


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def test_two_hundred_runs_leave_no_threads_and_no_leak() -> None:
    manager = TradeTapeAdapterManager(Synthetic(TICKS_PER_RUN, symbols=SYMBOLS))

    @csp.graph
    def graph() -> None:
        for position, symbol in enumerate(SYMBOLS):
            manager.publish(to_output(manager.subscribe(symbol), position, len(SYMBOLS)), symbol)
        csp.stop_engine(feed_ended(manager.status()))

    threads = os_threads()
    rss_after_warm_up = 0
    for run in range(1, RUNS + 1):
        csp.run(graph, endtime=timedelta(seconds=30), realtime=True)
        stats = manager.stats()
        assert (stats["received"], stats["mismatches"]) == (TICKS_PER_RUN, 0)
        left = threads_left_behind(threads)
        assert not left, f"run {run} left {len(left)} threads behind"
        if run == WARM_UP:
            gc.collect()
            rss_after_warm_up = rss()
    gc.collect()
    created, released = testing.object_counts()
    growth = rss() - rss_after_warm_up
    print(
        f"\n{RUNS} runs of {TICKS_PER_RUN} ticks: {len(threads)} threads before and none more after any run; "
        f"RSS {rss_after_warm_up / 2**20:.1f} MiB after run {WARM_UP}, {rss() / 2**20:.1f} MiB after run {RUNS} "
        f"(growth {growth / 2**10:.0f} KiB, bound {RSS_BOUND / 2**10:.0f} KiB); "
        f"objects created {created}, released {released}"
    )
    assert created == released
    assert growth < RSS_BOUND
