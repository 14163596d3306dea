"""Benchmark: memory and speed when the graph is slower than its feed.

    python bench/memory.py [--events N] [--work-us W] [--throughput-events M] [--rounds R] [--json PATH]

Renders and installs the default project (as ``bench/run.py`` does). Each way
then feeds ``events`` int events into a realtime graph whose one Python node
spends ``work-us`` microseconds on each tick, in a fresh process that reports
its peak RSS (``VmHWM``) and its RSS before the run:

- ``rust bounded``: the generated manager with ``Synthetic(events)`` and the
  default ``max_in_flight`` (``DEFAULT_MAX_IN_FLIGHT``). It runs to the end: every event must
  tick (``block`` loses nothing).
- ``rust unbounded``: the same with ``max_in_flight=None``.
- ``csp push``: csp's own Python push adapter, a thread that calls
  ``push_tick`` for each event.

The unbounded ways stop once their feed has pushed every event: their peak
is reached then, and the rest would only take the node's time. Then the
feed's throughput with the bound and without it, ``throughput-events``
events into csp's C++ ``csp.count`` (no Python node), rounds taking turns:
median events/s of each and the median of the rounds' ratios.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import ROOT, build_project

WAYS = ("rust bounded", "rust unbounded", "csp push")
# The feed's throughput with and without the bound, each round in a process of its own.
RATES = ("bounded rate", "unbounded rate")


def child(way: str, events: int, work: float) -> dict[str, Any]:
    """One way, in this (fresh) process: its RSS before and at its peak, ticks and seconds."""
    import threading

    import csp
    from csp import ts
    from csp.impl.pushadapter import PushInputAdapter
    from csp.impl.wiring import py_push_adapter_def
    from csp_adapter_acme import AcmeAdapterManager, Synthetic
    from csp_adapter_acme._native import DEFAULT_MAX_IN_FLIGHT

    pushed_all = threading.Event()
    if way == "csp push":

        class Pushing(PushInputAdapter):
            def start(self, starttime: object, endtime: object) -> None:
                threading.Thread(target=self.push_all, daemon=True).start()

            def push_all(self) -> None:
                for i in range(events):
                    self.push_tick(i)
                pushed_all.set()

        source: Any = py_push_adapter_def("Pushing", Pushing, ts[int])
        manager = None
    else:
        bound = None if way == "rust unbounded" else DEFAULT_MAX_IN_FLIGHT
        manager = AcmeAdapterManager(Synthetic(events), max_in_flight=bound)

    def everything_pushed() -> bool:
        if manager is None:
            return pushed_all.is_set()
        return manager.stats()["pushed"] == events

    @csp.node
    def slow(x: ts[int]) -> ts[int]:
        with csp.state():
            s_seen = 0
        s_seen += 1
        began = time.perf_counter()
        while time.perf_counter() - began < work:
            pass
        if s_seen == events or (way != "rust bounded" and s_seen % 1000 == 0 and everything_pushed()):
            csp.stop_engine()
        return s_seen

    @csp.graph
    def graph() -> None:
        values = manager.subscribe("A") if manager is not None else source()
        csp.add_graph_output("seen", slow(values), tick_count=1)

    before = status_mib("VmRSS")
    started = time.perf_counter()
    out = csp.run(graph, endtime=timedelta(hours=1), realtime=True)
    seconds = time.perf_counter() - started
    seen = out["seen"][-1][1] if out["seen"] else 0
    return {"before_mib": before, "peak_mib": status_mib("VmHWM"), "ticks": seen, "seconds": seconds}


def status_mib(key: str) -> float:
    """A figure of this process's own (ru_maxrss would count the parent's too), in MiB."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(key + ":"))
    return int(line.split()[1]) / 1024


def in_fresh_process(way: str, events: int, work: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", way, "--events", str(events), "--work-us", str(work * 1e6)]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-3000:])
    return json.loads(completed.stdout.strip().splitlines()[-1])


def feed_rate(events: int, bound: int | None) -> float:
    """Events/s of ``events`` from a Synthetic feed into ``csp.count``, to the feed's end."""
    import csp
    from csp import ts
    from csp_adapter_acme import AcmeAdapterManager, Synthetic

    manager = AcmeAdapterManager(Synthetic(events), max_in_flight=bound)

    @csp.node
    def ended(status: ts[object]) -> ts[bool]:
        if csp.ticked(status) and status.status_code == 2:  # STATUS_FEED_ENDED
            return True

    @csp.graph
    def graph() -> None:
        csp.add_graph_output("count", csp.count(manager.subscribe("A")), tick_count=1)
        csp.stop_engine(ended(manager.status()))

    started = time.perf_counter()
    out = csp.run(graph, endtime=timedelta(minutes=10), realtime=True)
    seconds = time.perf_counter() - started
    if out["count"][-1][1] != events:
        raise RuntimeError(f"{out['count'][-1][1]} of {events} events ticked (bound {bound})")
    return events / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--work-us", type=float, default=10.0)
    parser.add_argument("--throughput-events", type=int, default=5_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", choices=WAYS + RATES)
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench" / "memory.json")
    args = parser.parse_args()
    work = args.work_us / 1e6
    if args.child in RATES:
        from csp_adapter_acme._native import DEFAULT_MAX_IN_FLIGHT

        bound = DEFAULT_MAX_IN_FLIGHT if args.child == "bounded rate" else None
        print(json.dumps({"events_per_second": feed_rate(args.events, bound)}))
        return
    if args.child:
        print(json.dumps(child(args.child, args.events, work)))
        return

    build_project(measure_build_times=False)
    results: dict[str, Any] = {"events": args.events, "work_us": args.work_us}
    print(f"{args.events:,} events into a graph whose node spends {args.work_us:g} us a tick, a process each:")
    print(f"{'way':<16}{'before MiB':>12}{'peak MiB':>10}{'ticked':>14}{'seconds':>10}")
    for way in WAYS:
        figures = in_fresh_process(way, args.events, work)
        results[way] = figures
        print(
            f"{way:<16}{figures['before_mib']:>12,.0f}{figures['peak_mib']:>10,.0f}"
            f"{figures['ticks']:>14,}{figures['seconds']:>10,.1f}"
        )
    if results["rust bounded"]["ticks"] != args.events:
        raise SystemExit(f"the bounded run lost events: {results['rust bounded']['ticks']:,} of {args.events:,} ticked")

    rates: dict[str, list[float]] = {"bounded": [], "unbounded": []}
    for _ in range(args.rounds):
        for way, rate in zip(RATES, rates.values(), strict=True):
            rate.append(in_fresh_process(way, args.throughput_events, 0)["events_per_second"])
    ratios = [b / u for b, u in zip(rates["bounded"], rates["unbounded"], strict=True)]
    throughput = {
        "events": args.throughput_events,
        "bounded_events_per_second": statistics.median(rates["bounded"]),
        "unbounded_events_per_second": statistics.median(rates["unbounded"]),
        "bounded_over_unbounded": statistics.median(ratios),
        "rounds": rates,
    }
    results["throughput"] = throughput
    print(
        f"\nfeed throughput into csp.count, {args.throughput_events:,} events, median of {args.rounds} rounds:\n"
        f"  default bound: {throughput['bounded_events_per_second']:,.0f} events/s\n"
        f"  no bound:      {throughput['unbounded_events_per_second']:,.0f} events/s\n"
        f"  ratio:         {throughput['bounded_over_unbounded']:.3f}"
    )
    peak = results["rust bounded"]["peak_mib"]
    print(f"\npeak RSS with the bound: {peak:,.0f} MiB (goal: under 300 MB)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
