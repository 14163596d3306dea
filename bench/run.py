"""Benchmark: the generated Rust adapters against pure-Python and hand-written C++ adapters.

    python bench/run.py [--quick] [--json PATH]

Renders the default project (int -> int) into build/bench/, builds it (timing a
cold and a warm build), renders and builds a record project (struct -> struct,
fields symbol: str, price: float, size: int, time: datetime), compiles the C++
reference adapters (bench/reference_adapters.cpp) against the same csp, and
measures the three implementations in this one process. Prints a table per measure with the
ratios Rust/C++ and Rust/Python, and writes every figure to a JSON file.
"""

import argparse
import importlib.util
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import csp
import numpy as np
from csp import ts
from csp.impl.outputadapter import OutputAdapter
from csp.impl.pushadapter import PushInputAdapter
from csp.impl.wiring import input_adapter_def, output_adapter_def, py_output_adapter_def, py_push_adapter_def

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench"
PROJECT = BUILD / "csp-adapter-acme"
PACKAGE = "csp_adapter_acme"
# The record project: its record has one field of each kind the C++ pair handles.
RECORD_PROJECT = BUILD / "csp-adapter-tape"
# The generated manager without its bound on the events in flight.
NO_BOUND = "Rust, no bound"
RECORD_ANSWERS = {
    "project_name": "csp-adapter-tape",
    "input_type": "struct",
    "output_type": "struct",
    "struct_fields": "symbol:str, price:float, size:int, time:datetime",
}


# ---------------------------------------------------------------- builds


def run(command: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> float:
    """Runs ``command``; returns its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, check=True, capture_output=True)
    return time.perf_counter() - started


INSTALL = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", "."]
# The benchmark adapters live in the generated projects' test harness.
HARNESS = {"CSP_ADAPTER_TESTING": "1"}


def render(project: Path, answers: dict[str, str]) -> None:
    shutil.rmtree(project, ignore_errors=True)
    data = [arg for question, answer in answers.items() for arg in ("--data", f"{question}={answer}")]
    run(
        [
            sys.executable,
            "-m",
            "copier",
            "copy",
            "--defaults",
            "--vcs-ref=HEAD",
            "--quiet",
            *data,
            str(ROOT),
            str(project),
        ]
    )


def build_record_project() -> None:
    """Renders and installs the record project."""
    render(RECORD_PROJECT, RECORD_ANSWERS)
    run(INSTALL, RECORD_PROJECT, {"PYO3_PYTHON": sys.executable, **HARNESS})


def build_project(measure_build_times: bool) -> dict[str, float]:
    """Renders and installs the default project; times a cold and a warm build."""
    render(PROJECT, {})
    install = INSTALL
    env = {"PYO3_PYTHON": sys.executable, **HARNESS}
    if not measure_build_times:
        run(install, PROJECT, env)
        return {}
    cold_target = BUILD / "cargo-target-cold"
    shutil.rmtree(cold_target, ignore_errors=True)
    env["CARGO_TARGET_DIR"] = str(cold_target)
    cold = run(install, PROJECT, env)
    (PROJECT / "src" / "output_adapter.rs").touch()
    warm = run(install, PROJECT, env)
    return {"cold_build_seconds": cold, "warm_build_seconds": warm}


def build_reference() -> ModuleType:
    """Compiles bench/reference_adapters.cpp against the installed csp and imports it."""
    source = ROOT / "bench" / "reference_adapters.cpp"
    target = BUILD / f"_reference_adapters{sysconfig.get_config_var('EXT_SUFFIX')}"
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        BUILD.mkdir(parents=True, exist_ok=True)
        includes = [csp.get_include_path(), np.get_include(), sysconfig.get_paths()["include"]]
        command = ["g++", "-std=c++20", "-O2", "-shared", "-fPIC", str(source), "-o", str(target)]
        command += [flag for path in includes for flag in ("-isystem", path)]
        command += [f"-L{csp.get_lib_path()}", "-l:_cspimpl.so", f"-Wl,-rpath,{csp.get_lib_path()}"]
        run(command)
    spec = importlib.util.spec_from_file_location("_reference_adapters", target)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- the three implementations


class Implementation:
    """One adapter pair: builds graphs that push int values and consume them."""

    name = ""

    def push_and_consume(self, count: int, rate: int, batch: int, latency: bool) -> dict[str, Any]:
        """Runs a realtime graph: ``count`` values pushed from a thread (flat out
        when ``rate`` is 0), consumed by the output adapter; returns its results."""
        raise NotImplementedError

    def consume_in_sim(self, count: int) -> float:
        """Seconds for a simulated graph feeding ``count`` ticks of a csp curve to the output adapter."""
        raise NotImplementedError


def curve(count: int) -> Any:
    start = np.datetime64("2024-01-01T00:00:00", "ns")
    times = start + np.arange(count, dtype="int64").astype("timedelta64[ns]") * 1000
    return csp.curve(int, (times, np.arange(count, dtype="int64")))


def run_sim(graph: Callable[[], None], count: int) -> float:
    started = time.perf_counter()
    csp.run(graph, starttime=datetime(2024, 1, 1), endtime=timedelta(seconds=count / 1e6 + 1))
    return time.perf_counter() - started


@csp.node
def feed_ended(status: ts[object]) -> ts[bool]:
    """Ticks when the generated manager's source has ended (status code 2, STATUS_FEED_ENDED)."""
    if csp.ticked(status) and status.status_code == 2:
        return True


def run_realtime(graph: Callable[[], None]) -> None:
    csp.run(graph, endtime=timedelta(seconds=120), realtime=True)


def through_manager(manager: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """Runs a generated manager's feed to its end, each symbol in ``names``
    subscribed and published back to the output adapter; returns its stats."""

    @csp.graph
    def graph() -> None:
        for name in names:
            manager.publish(manager.subscribe(name), name)
        csp.stop_engine(feed_ended(manager.status()))

    run_realtime(graph)
    return dict(manager.stats())


class Rust(Implementation):
    """The generated project: its manager and demo adapters (routed throughput,
    output path) and the plumbing's benchmark adapters (direct throughput,
    latency, push cost), all through csp_api."""

    name = "Rust"

    def __init__(self) -> None:
        import csp_adapter_acme
        from csp_adapter_acme._native import _c_api_output_adapter, _c_api_push_input_adapter, testing

        self.package, self.testing = csp_adapter_acme, testing

        def create_input(mgr: Any, engine: Any, pytype: type, push_mode: int, scalars: tuple[Any, ...]) -> Any:
            probe, count, rate, batch = scalars
            capsule = testing.bench_input_capsule(probe, count, rate, batch)
            return _c_api_push_input_adapter(mgr, engine, pytype, push_mode, (capsule, None))

        def create_output(mgr: Any, engine: Any, scalars: tuple[Any, ...]) -> Any:
            probe, latency, expected = scalars
            return _c_api_output_adapter(mgr, engine, (int, testing.bench_output_capsule(probe, latency, expected)))

        self.bench_input = input_adapter_def(
            "rust_bench_input", create_input, ts[int], probe=object, count=int, rate=int, batch=int
        )
        self.bench_output = output_adapter_def(
            "rust_bench_output", create_output, input=ts[int], probe=object, latency=bool, expected=int
        )

    # Keywords of the manager besides its source (none: its defaults).
    manager_options: dict[str, Any] = {}

    def routed(self, count: int, symbols: int, batch: int) -> dict[str, Any]:
        """The generated manager's feed: ``count`` synthetic events routed to one
        subscription per symbol, ``batch`` events (symbols in turn) per push
        batch, each published back to the output adapter."""
        names = tuple(f"S{i}" for i in range(symbols))
        feed = self.package.Synthetic(count, symbols=names, batch_size=batch)
        return through_manager(self.package.AcmeAdapterManager(feed, **self.manager_options), names)

    def push_and_consume(self, count: int, rate: int, batch: int, latency: bool) -> dict[str, Any]:
        probe = self.testing.BenchProbe()

        @csp.graph
        def graph() -> None:
            values = self.bench_input(probe, count, rate, batch, push_mode=csp.PushMode.NON_COLLAPSING)
            self.bench_output(values, probe, latency, count)

        run_realtime(graph)
        return dict(probe.results())

    def consume_in_sim(self, count: int) -> float:
        # A feed of no events, so that only the output adapter works (and checks
        # symbol "A"'s values against the demo rule).
        manager = self.package.AcmeAdapterManager(self.package.Synthetic(0))

        @csp.graph
        def graph() -> None:
            manager.publish(curve(count), "A")

        seconds = run_sim(graph, count)
        check_all(manager.stats(), count)
        return seconds


class Cpp(Implementation):
    """Hand-written C++ adapters compiled against csp's headers."""

    name = "C++"

    def __init__(self, module: ModuleType) -> None:
        self.module = module

        def create_input(mgr: Any, engine: Any, pytype: type, push_mode: int, scalars: tuple[Any, ...]) -> Any:
            return module.reference_input(mgr, engine, pytype, push_mode, tuple(scalars))

        def create_output(mgr: Any, engine: Any, scalars: tuple[Any, ...]) -> Any:
            latency, expected = scalars
            return module.reference_output(mgr, engine, (int, latency, expected))

        self.input = input_adapter_def("cpp_bench_input", create_input, ts[int], count=int, rate=int, batch=int)
        self.output = output_adapter_def("cpp_bench_output", create_output, input=ts[int], latency=bool, expected=int)

    def push_and_consume(self, count: int, rate: int, batch: int, latency: bool) -> dict[str, Any]:
        self.module.reset()

        @csp.graph
        def graph() -> None:
            self.output(self.input(count, rate, batch, push_mode=csp.PushMode.NON_COLLAPSING), latency, count)

        run_realtime(graph)
        return dict(self.module.results())

    def consume_in_sim(self, count: int) -> float:
        self.module.reset()

        @csp.graph
        def graph() -> None:
            self.output(curve(count), False, count)

        seconds = run_sim(graph, count)
        results = self.module.results()
        check_all(results, count)
        return seconds


class ThreadedInput(PushInputAdapter):
    """A Python push adapter that pushes from a thread of its own (``_target``)."""

    def __init__(self) -> None:
        self._running = False
        self._thread: threading.Thread | None = None

    def _target(self) -> Callable[[], None]:
        raise NotImplementedError

    def start(self, starttime: datetime, endtime: datetime) -> None:
        self._running = True
        self._thread = threading.Thread(target=self._target(), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._running = False
        if self._thread:
            self._thread.join()


class PyBenchInput(ThreadedInput):
    def __init__(self, count: int, rate: int, results: dict[str, Any]) -> None:
        super().__init__()
        self._count, self._rate, self._results = count, rate, results

    def _target(self) -> Callable[[], None]:
        return self._paced if self._rate else self._flat_out

    def _flat_out(self) -> None:
        started = time.perf_counter_ns()
        self._results["first_push_ns"] = time.time_ns()
        push = self.push_tick
        for i in range(self._count):
            push(i)
        self._results["push_loop_ns"] = time.perf_counter_ns() - started
        self._results["pushed"] = self._count

    def _paced(self) -> None:
        start, period = time.time_ns(), 1_000_000_000 // self._rate
        for i in range(self._count):
            due = start + i * period
            while time.time_ns() < due:
                pass
            if not self._running:
                return
            self.push_tick(time.time_ns())
        self._results["pushed"] = self._count


class PyBenchOutput(OutputAdapter):
    def __init__(self, latency: bool, expected: int, results: dict[str, Any]) -> None:
        self._latency, self._expected, self._results = latency, expected, results
        self._received = self._mismatches = 0
        self._latencies: list[int] = []

    def on_tick(self, time_: datetime, value: int) -> None:
        index = self._received
        self._received += 1
        if self._latency:
            self._latencies.append(time.time_ns() - value)
        elif value != index:
            self._mismatches += 1
        if self._received == self._expected:
            self._results["last_receive_ns"] = time.time_ns()

    def stop(self) -> None:
        self._results.update(received=self._received, mismatches=self._mismatches, latencies=self._latencies)


class Python(Implementation):
    """csp's PushInputAdapter pushing from a Python thread, and csp's Python OutputAdapter.

    A Python output adapter cannot stop the engine, so a C++ reference output on
    the same edge does (it counts only; its cost is in every run of this pair)."""

    name = "Python"

    def __init__(self, cpp: Cpp) -> None:
        self.cpp = cpp
        self.input = py_push_adapter_def("py_bench_input", PyBenchInput, ts[int], count=int, rate=int, results=object)
        self.output = py_output_adapter_def(
            "py_bench_output", PyBenchOutput, input=ts[int], latency=bool, expected=int, results=object
        )

    def push_and_consume(self, count: int, rate: int, batch: int, latency: bool) -> dict[str, Any]:
        results: dict[str, Any] = {}
        self.cpp.module.reset()  # the stopper counts from zero

        @csp.graph
        def graph() -> None:
            values = self.input(count, rate, results, push_mode=csp.PushMode.NON_COLLAPSING)
            self.output(values, latency, count, results)
            self.cpp.output(values, False, count)

        run_realtime(graph)
        return results

    def consume_in_sim(self, count: int) -> float:
        results: dict[str, Any] = {}

        @csp.graph
        def graph() -> None:
            self.output(curve(count), False, count, results)

        seconds = run_sim(graph, count)
        check_all(results, count)
        return seconds


# ---------------------------------------------------------------- records end to end

# The demo rule's record i: symbol f"tick-{i}", price i * 0.5, size i, time 2020-01-01 + i microseconds.
DATETIME_BASE = datetime(2020, 1, 1)


class RustRecords:
    """The plumbing's record benchmark adapters (a thread pushing the demo
    records, an output adapter reading each into the Rust record and checking
    it), and the record project's manager: a synthetic feed of demo records
    through one subscription, published back to its output adapter."""

    name = "Rust"

    def __init__(self, record: type) -> None:
        import csp_adapter_tape
        from csp_adapter_acme._native import _c_api_output_adapter, _c_api_push_input_adapter, testing

        self.package, self.testing = csp_adapter_tape, testing

        def create_input(mgr: Any, engine: Any, pytype: type, push_mode: int, scalars: tuple[Any, ...]) -> Any:
            probe, count = scalars
            capsule = testing.bench_record_input_capsule(probe, count)
            return _c_api_push_input_adapter(mgr, engine, pytype, push_mode, (capsule, None))

        def create_output(mgr: Any, engine: Any, scalars: tuple[Any, ...]) -> Any:
            probe, expected = scalars
            return _c_api_output_adapter(mgr, engine, (record, testing.bench_record_output_capsule(probe, expected)))

        self.input = input_adapter_def("rust_record_input", create_input, ts[record], probe=object, count=int)
        self.output = output_adapter_def(
            "rust_record_output", create_output, input=ts[record], probe=object, expected=int
        )

    def records(self, count: int) -> dict[str, Any]:
        probe = self.testing.BenchProbe()

        @csp.graph
        def graph() -> None:
            self.output(self.input(probe, count, push_mode=csp.PushMode.NON_COLLAPSING), probe, count)

        run_realtime(graph)
        return dict(probe.results())

    # Keywords of the manager besides its source (none: its defaults).
    manager_options: dict[str, Any] = {}

    def routed_records(self, count: int) -> dict[str, Any]:
        manager = self.package.TapeAdapterManager(self.package.Synthetic(count), **self.manager_options)
        return through_manager(manager, ("A",))


class RustNoBound(Rust):
    """The generated manager with ``max_in_flight=None``: what the bound costs."""

    name = NO_BOUND
    manager_options = {"max_in_flight": None}


class RustRecordsNoBound(RustRecords):
    name = NO_BOUND
    manager_options = {"max_in_flight": None}


class CppRecords:
    """Hand-written C++: a thread creating and pushing the demo records, an
    output adapter checking them field by field."""

    name = "C++"

    def __init__(self, module: ModuleType, record: type) -> None:
        self.module = module

        def create_input(mgr: Any, engine: Any, pytype: type, push_mode: int, scalars: tuple[Any, ...]) -> Any:
            return module.reference_record_input(mgr, engine, pytype, push_mode, tuple(scalars))

        def create_output(mgr: Any, engine: Any, scalars: tuple[Any, ...]) -> Any:
            return module.reference_record_output(mgr, engine, (record, *scalars))

        self.input = input_adapter_def("cpp_record_input", create_input, ts[record], count=int)
        self.output = output_adapter_def("cpp_record_output", create_output, input=ts[record], expected=int)

    def records(self, count: int) -> dict[str, Any]:
        self.module.reset()

        @csp.graph
        def graph() -> None:
            self.output(self.input(count, push_mode=csp.PushMode.NON_COLLAPSING), count)

        run_realtime(graph)
        return dict(self.module.results())


class PyRecordInput(ThreadedInput):
    def __init__(self, record: type, count: int, results: dict[str, Any]) -> None:
        super().__init__()
        self._record, self._count, self._results = record, count, results

    def _target(self) -> Callable[[], None]:
        return self._run

    def _run(self) -> None:
        self._results["first_push_ns"] = time.time_ns()
        record, push, micro = self._record, self.push_tick, timedelta(microseconds=1)
        for i in range(self._count):
            if not self._running:
                return
            push(record(symbol=f"tick-{i}", price=i * 0.5, size=i, time=DATETIME_BASE + i * micro))


class PyRecordOutput(OutputAdapter):
    def __init__(self, expected: int, results: dict[str, Any]) -> None:
        self._expected, self._results = expected, results
        self._received = self._mismatches = 0

    def on_tick(self, time_: datetime, value: Any) -> None:
        i = self._received
        self._received += 1
        expected_time = DATETIME_BASE + timedelta(microseconds=i)
        if (value.symbol, value.price, value.size, value.time) != (f"tick-{i}", i * 0.5, i, expected_time):
            self._mismatches += 1
        if self._received == self._expected:
            self._results["last_receive_ns"] = time.time_ns()

    def stop(self) -> None:
        self._results.update(received=self._received, mismatches=self._mismatches)


class PythonRecords:
    """csp's Python PushInputAdapter and OutputAdapter doing the same; the C++
    output on the same edge stops the engine (its cost is in every run)."""

    name = "Python"

    def __init__(self, cpp: CppRecords, record: type) -> None:
        self.cpp, self.record = cpp, record
        self.input = py_push_adapter_def(
            "py_record_input", PyRecordInput, ts[record], record=object, count=int, results=object
        )
        self.output = py_output_adapter_def(
            "py_record_output", PyRecordOutput, input=ts[record], expected=int, results=object
        )

    def records(self, count: int) -> dict[str, Any]:
        results: dict[str, Any] = {}
        self.cpp.module.reset()

        @csp.graph
        def graph() -> None:
            values = self.input(self.record, count, results, push_mode=csp.PushMode.NON_COLLAPSING)
            self.output(values, count, results)
            self.cpp.output(values, count)

        run_realtime(graph)
        return results


def record_throughput(impls: list[Any], count: int, runs: int, routed: bool = False) -> dict[str, Any]:
    """Records per second from the first push to the last record checked. With
    ``routed`` Rust's go through the record project's manager; C++ and Python
    have none: their direct pairs are the reference either way."""

    def measure(impl: Any) -> float:
        results = impl.routed_records(count) if routed and isinstance(impl, RustRecords) else impl.records(count)
        return checked_rate(results, count)

    return {
        name: {"ticks_per_second": statistics.median(rates), "runs": rates}
        for name, rates in interleaved(impls, runs, measure).items()
    }


# ---------------------------------------------------------------- measures


def check_all(results: dict[str, Any], count: int) -> None:
    assert results["received"] == count, f"received {results['received']} of {count}"
    assert results.get("mismatches", 0) == 0


def checked_rate(results: dict[str, Any], count: int) -> float:
    """Ticks per second from the first push to the last receive, once every
    one of ``count`` arrived intact."""
    check_all(results, count)
    return count / ((results["last_receive_ns"] - results["first_push_ns"]) / 1e9)


def interleaved(
    impls: list[Any], runs: int, measure: Callable[[Any], Any], alternate: bool = False
) -> dict[str, list[Any]]:
    """Runs ``measure`` ``runs`` times per implementation, taking turns, so that
    a slow spell of the machine hits every implementation alike; with
    ``alternate`` every other round takes them in reverse order."""
    outcomes: dict[str, list[Any]] = {impl.name: [] for impl in impls}
    for round_ in range(runs):
        for impl in reversed(impls) if alternate and round_ % 2 else impls:
            outcomes[impl.name].append(measure(impl))
    return outcomes


def throughput(
    impls: list[Implementation], count: int, runs: int, routed_symbols: int = 0, batch: int = 1
) -> dict[str, Any]:
    """Ticks per second pushed flat out (``batch`` at a time) and received. With
    ``routed_symbols`` Rust's are routed by the generated manager over that many
    symbols, a batch spanning that many adapters when ``batch`` equals it; C++
    and Python push to one adapter either way (they have no manager)."""
    # csp's Python PushBatch needs the engine object, which a Python push adapter does not get
    impls = [impl for impl in impls if not (isinstance(impl, Python) and batch > 1)]

    def measure(impl: Implementation) -> float:
        if isinstance(impl, Rust) and routed_symbols:
            results = impl.routed(count, routed_symbols, batch)
        else:
            results = impl.push_and_consume(count, 0, batch, False)
        return checked_rate(results, count)

    return {
        name: {"ticks_per_second": statistics.median(rates), "runs": rates}
        for name, rates in interleaved(impls, runs, measure).items()
    }


# A row of the bound's cost: the manager with its default bound, the same
# without one, and what measures one run's rate.
BoundRow = tuple[Any, Any, Callable[[Any], float]]


def bound_cost(rows: dict[str, BoundRow], rounds: int) -> dict[str, Any]:
    """Each routed row with the manager's default bound and with none, run back
    to back ``rounds`` times, the first of the two alternating: the bound's
    cost is the median of the rounds' ratios (a slow spell of the machine,
    which can halve a run's rate, hits both runs of a round), given with a
    90% bootstrap interval of that median."""
    figures = {}
    for title, (bounded, unbounded, measure) in rows.items():
        runs = interleaved([bounded, unbounded], rounds, measure, alternate=True)
        rates = {"bounded": runs[bounded.name], "unbounded": runs[unbounded.name]}
        ratios = [a / b for a, b in zip(rates["bounded"], rates["unbounded"], strict=True)]
        figures[title] = {
            **{key: {"ticks_per_second": statistics.median(rated), "runs": rated} for key, rated in rates.items()},
            "ratio": statistics.median(ratios),
            "ratio_interval_90": bootstrap_interval(ratios),
            "ratios": ratios,
        }
    return figures


def bootstrap_interval(values: list[float], resamples: int = 2000) -> tuple[float, float]:
    """The 5th and 95th percentiles of the median of ``values`` resampled
    (with a fixed seed: the same figures give the same interval)."""
    rng = random.Random(0)
    medians = sorted(statistics.median(rng.choices(values, k=len(values))) for _ in range(resamples))
    return medians[resamples // 20], medians[resamples - 1 - resamples // 20]


def output_path(impls: list[Implementation], count: int, runs: int) -> dict[str, Any]:
    figures = {}
    for name, seconds in interleaved(impls, runs, lambda impl: impl.consume_in_sim(count)).items():
        median = statistics.median(seconds)
        figures[name] = {
            "ns_per_tick": median / count * 1e9,
            "ticks_per_second": count / median,
            "runs": [run / count * 1e9 for run in seconds],
        }
    return figures


def latency(impls: list[Implementation], rate: int, count: int, runs: int) -> dict[str, Any]:
    """p50 and p99 are medians over ``runs`` runs per implementation (one noisy
    spell of the machine moves one run, not the figure); max is the largest of all."""

    def measure(impl: Implementation) -> dict[str, float]:
        results = impl.push_and_consume(count, rate, 1, True)
        check_all(results, count)
        micros = np.array(results["latencies"], dtype="float64") / 1e3
        return {
            "p50_us": float(np.percentile(micros, 50)),
            "p99_us": float(np.percentile(micros, 99)),
            "max_us": float(micros.max()),
        }

    figures = {}
    for name, per_run in interleaved(impls, runs, measure).items():
        figures[name] = {
            "p50_us": statistics.median(run["p50_us"] for run in per_run),
            "p99_us": statistics.median(run["p99_us"] for run in per_run),
            "max_us": max(run["max_us"] for run in per_run),
            "runs": per_run,
        }
    return figures


def push_cost(impls: list[Implementation], count: int, batch: int, runs: int) -> dict[str, Any]:
    # csp's Python PushBatch needs the engine object, which a Python push adapter does not get
    impls = [impl for impl in impls if not (isinstance(impl, Python) and batch > 1)]

    def measure(impl: Implementation) -> float:
        results = impl.push_and_consume(count, 0, batch, False)
        check_all(results, count)
        return count / (results["push_loop_ns"] / 1e9)

    return {
        name: {"pushes_per_second": statistics.median(rates), "runs": rates}
        for name, rates in interleaved(impls, runs, measure).items()
    }


# ---------------------------------------------------------------- simulation

SIM_SYMBOLS = 10
SIM_START = datetime(2024, 1, 1)


def write_sim_events(path: Path, count: int) -> None:
    """Event ``i``: value ``i`` of symbol ``S{i % 10}`` at ``SIM_START + i`` microseconds."""
    with path.open("w", encoding="utf-8") as file:
        file.write("time,symbol,value\n")
        for i in range(count):
            file.write(f"{(SIM_START + timedelta(microseconds=i)).isoformat()}Z,S{i % SIM_SYMBOLS},{i}\n")


def count_ticks(series: list[Any]) -> None:
    """csp's C++ count node on each series: the same consumer for every implementation."""
    for k, x in enumerate(series):
        csp.add_graph_output(f"n{k}", csp.count(x), tick_count=1)


def replay_seconds(graph: Callable[[], None], count: int) -> float:
    started = time.perf_counter()
    outputs = csp.run(graph, starttime=SIM_START, endtime=timedelta(seconds=count / 1e6 + 1), realtime=False)
    seconds = time.perf_counter() - started
    counted = sum(ticks[-1][1] for ticks in outputs.values())
    assert counted == count, f"counted {counted} of {count} events"
    return seconds


class ManagerSim:
    """A manager replaying the events file in simulation: the generated one, or
    the generated tests' pure-Python reference (csp's AdapterManagerImpl and
    ManagedSimInputAdapter)."""

    def __init__(self, name: str, manager_type: Any, path: Path) -> None:
        self.name, self.manager_type, self.path = name, manager_type, path

    def replay(self, count: int) -> float:
        manager = self.manager_type(self.path)
        return replay_seconds(lambda: count_ticks([manager.subscribe(f"S{k}") for k in range(SIM_SYMBOLS)]), count)


class CurveSim:
    """csp.curve over the same events already in numpy arrays, one curve per symbol (no file)."""

    name = "C++"

    def replay(self, count: int) -> float:
        start = np.datetime64(SIM_START.isoformat(), "ns")
        indices = np.arange(count, dtype="int64")
        times = start + (indices * 1000).astype("timedelta64[ns]")

        def graph() -> None:
            k = SIM_SYMBOLS
            count_ticks([csp.curve(int, (times[s::k], indices[s::k])) for s in range(k)])

        return replay_seconds(graph, count)


def sim_replay(count: int, runs: int) -> dict[str, Any]:
    """Events per second replayed in ``csp.run(realtime=False)``, parsing the file included."""
    path = BUILD / f"sim-events-{count}.csv"
    if not path.exists():
        write_sim_events(path, count)
    import csp_adapter_acme

    sys.path.insert(0, str(PROJECT / "tests"))
    import sim_reference

    rust = ManagerSim("Rust", csp_adapter_acme.AcmeAdapterManager, path)
    python = ManagerSim("Python", sim_reference.ReferenceManager, path)
    impls = [rust, CurveSim(), python]
    return {
        name: {"ticks_per_second": count / statistics.median(seconds), "runs": [count / s for s in seconds]}
        for name, seconds in interleaved(impls, runs, lambda impl: impl.replay(count)).items()
    }


# ---------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "csp": csp.__version__,
        "python": platform.python_version(),
        "rust": rustc,
        "date": datetime.now().strftime("%Y-%m-%d"),
    }


def per_run(figure: dict[str, Any], key: str) -> list[float]:
    """The figure's value of ``key`` in each run, in the order the runs took turns."""
    return [run[key] if isinstance(run, dict) else run for run in figure["runs"]]


def paired_ratio(rust: dict[str, Any] | None, other: dict[str, Any] | None, key: str, higher_is_better: bool) -> str:
    """Median over the rounds of Rust's value against the other's in the same
    round: the implementations ran back to back, so a slow spell of the
    machine cancels out. Reads "Rust is N times as good as": inverted where
    lower is better."""
    if not rust or not other:
        return "n/a"
    ratios = [
        (a / b if higher_is_better else b / a)
        for a, b in zip(per_run(rust, key), per_run(other, key), strict=True)
        if a and b
    ]
    return f"{statistics.median(ratios):.2f}x" if ratios else "n/a"


def number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if value >= 1000 else f"{value:,.1f}"


def bound_table(figures: dict[str, dict[str, Any]]) -> str:
    """The routed rows with the manager's default bound and without one (see
    :func:`bound_cost`)."""
    lines = [
        "| routed row | default bound | no bound | ratio | 90% interval | rounds the bound lost |",
        "|---|---|---|---|---|---|",
    ]
    for title, row in figures.items():
        cells = (number(row["bounded"]["ticks_per_second"]), number(row["unbounded"]["ticks_per_second"]))
        low, high = row["ratio_interval_90"]
        lost = f"{sum(ratio < 1 for ratio in row['ratios'])} of {len(row['ratios'])}"
        lines.append(f"| {title} | {' | '.join(cells)} | {row['ratio']:.3f} | {low:.3f}-{high:.3f} | {lost} |")
    return "\n".join(lines)


def table(title: str, unit: str, figures: dict[str, Any], key: str, higher_is_better: bool = True) -> str:
    cells = [number(figures.get(name, {}).get(key)) for name in ("Rust", "C++", "Python")]
    rust = figures.get("Rust")
    to_cpp = paired_ratio(rust, figures.get("C++"), key, higher_is_better)
    to_python = paired_ratio(rust, figures.get("Python"), key, higher_is_better)
    return f"| {title} ({unit}) | {' | '.join(cells)} | {to_cpp} | {to_python} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny counts and no build timing: checks that it runs")
    parser.add_argument("--json", type=Path, default=BUILD / "results.json", help="where to write the figures")
    args = parser.parse_args()
    quick = args.quick
    n, runs = (20_000, 2) if quick else (2_000_000, 7)
    # The bound's cost is a few percent: it takes more rounds to see.
    bound_rounds = 2 if quick else 40
    seconds_per_latency_run, latency_runs = (0.05, 1) if quick else (1, 5)

    builds = build_project(measure_build_times=not quick)
    build_record_project()
    sys.path.insert(0, str(PROJECT))
    sys.path.insert(0, str(RECORD_PROJECT))
    reference = build_reference()
    cpp = Cpp(reference)
    impls: list[Implementation] = [Rust(), cpp, Python(cpp)]
    from csp_adapter_tape import TapeRecord as record

    rust_records = RustRecords(record)
    cpp_records = CppRecords(reference, record)
    record_impls = [rust_records, cpp_records, PythonRecords(cpp_records, record)]

    results: dict[str, Any] = {
        "machine": machine(),
        "count": n,
        "runs": runs,
        "latency_runs": latency_runs,
        "builds": builds,
    }
    results["throughput"] = throughput(impls, n, runs)
    results["throughput_routed_1"] = throughput(impls, n, runs, routed_symbols=1)
    results["throughput_routed_100"] = throughput(impls, n, runs, routed_symbols=100)
    results["throughput_routed_100_batched"] = throughput(impls, n, runs, routed_symbols=100, batch=100)
    results["output_path_sim"] = output_path(impls, n, runs)
    results["records"] = record_throughput(record_impls, n, runs)
    results["records_routed"] = record_throughput(record_impls, n, runs, routed=True)
    results["latency"] = {
        f"{rate}": latency(impls, rate, int(rate * seconds_per_latency_run), latency_runs) for rate in (10_000, 100_000)
    }
    results["push_cost"] = push_cost(impls, n, 1, runs)
    results["push_cost_batched"] = push_cost(impls, n, 1000, runs)
    sim_count, sim_runs = (20_000, 1) if quick else (1_000_000, 7)
    results["sim_replay"] = sim_replay(sim_count, sim_runs)
    rust, no_bound = impls[0], RustNoBound()
    records_no_bound = RustRecordsNoBound(record)
    bound_rows: dict[str, BoundRow] = {
        "1 symbol": (rust, no_bound, lambda impl: checked_rate(impl.routed(n, 1, 1), n)),
        "100 symbols": (rust, no_bound, lambda impl: checked_rate(impl.routed(n, 100, 1), n)),
        "100 symbols, batches of 100": (rust, no_bound, lambda impl: checked_rate(impl.routed(n, 100, 100), n)),
        "records, 1 symbol": (rust_records, records_no_bound, lambda impl: checked_rate(impl.routed_records(n), n)),
    }
    results["bound_cost"] = bound_cost(bound_rows, bound_rounds)

    m = results["machine"]
    print(f"\nmachine: {m['cores']} cores, {m['cpu']}; csp {m['csp']}, Python {m['python']}, {m['rust']}")
    print(f"N = {n:,} ticks, median of {runs} runs (implementations taking turns)")
    print(
        f"latency: {latency_runs} runs of {seconds_per_latency_run:g} s per rate and implementation; "
        "p50 and p99 are medians over the runs, max the largest of all\n"
    )
    print("| measure | Rust | C++ | Python | Rust/C++ | Rust/Python |")
    print("|---|---|---|---|---|---|")
    print(table("throughput, direct push, NON_COLLAPSING", "ticks/s", results["throughput"], "ticks_per_second"))
    for symbols in (1, 100):
        figures = results[f"throughput_routed_{symbols}"]
        print(table(f"throughput, routed by the manager, {symbols} symbol(s)", "ticks/s", figures, "ticks_per_second"))
    label = "throughput, routed, batches of 100 across 100 adapters"
    print(table(label, "ticks/s", results["throughput_routed_100_batched"], "ticks_per_second"))
    print(table("output path, sim", "ns/tick", results["output_path_sim"], "ns_per_tick", higher_is_better=False))
    label = "records (str, float, int, datetime) end to end, checked"
    print(table(label, "records/s", results["records"], "ticks_per_second"))
    label = "records, routed by the manager, 1 symbol"
    print(table(label, "records/s", results["records_routed"], "ticks_per_second"))
    for rate, figures in results["latency"].items():
        for key in ("p50_us", "p99_us", "max_us"):
            label = f"latency at {int(rate) // 1000}k/s, {key[:-3]}"
            print(table(label, "us", figures, key, higher_is_better=False))
    print(table("push cost", "pushes/s", results["push_cost"], "pushes_per_second"))
    print(table("push cost, batches of 1000", "pushes/s", results["push_cost_batched"], "pushes_per_second"))
    label = f"simulation replay of {sim_count:,} int events, 10 symbols (C++: csp.curve, no file)"
    print(table(label, "events/s", results["sim_replay"], "ticks_per_second"))
    print(
        f"\nthe bound on the events in flight: routed rows with the manager's default and with none (ticks/s),"
        f"\n{bound_rounds} rounds of the two back to back; ratio = median of the rounds' ratios\n"
    )
    print(bound_table(results["bound_cost"]))
    if builds:
        print(
            f"\nbuild of the rendered project: cold {builds['cold_build_seconds']:.1f} s, "
            f"warm (one Rust file touched) {builds['warm_build_seconds']:.1f} s"
        )
    print(
        "\nratios: above 1x means Rust is better (faster, or lower latency); each is the median over the rounds"
        "\nof Rust's figure against the other's in the same round (they ran back to back)"
    )

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
