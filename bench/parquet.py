"""Benchmark: Parquet replay through the generated manager against csp's own ParquetReader.

    python bench/parquet.py [--rows N] [--rounds R] [--rss-rows M] [--json PATH]

Renders and installs two projects with Parquet: ``int`` values, and a record
of four fields (float, int, str, datetime). pyarrow writes one file of each
(``rows`` rows over 10 symbols, row ``i`` at ``i`` microseconds, snappy,
row groups of 128Ki rows). Each file is replayed in simulation
(``csp.run(realtime=False)``) with every symbol subscribed and counted by
csp's C++ ``csp.count``, through the Rust manager (``ParquetFile``) and
through ``csp.adapters.parquet.ParquetReader`` (``subscribe(symbol, typ,
field_map)``), taking turns; events/s are medians over the rounds, the ratio
the median of each round's ratio. Then a file of ``rss-rows`` int rows is
replayed by each reader in a fresh process, which reports its peak RSS (and
its RSS after importing everything, before the run). Also times a cold
release build of the int project with and without Parquet.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BUILD, HARNESS, INSTALL, ROOT, render
from run import run as run_command
from websocket import cold_build_seconds

SYMBOLS = [f"S{n}" for n in range(10)]
T0 = datetime(2020, 1, 1)
INT_PROJECT = BUILD / "csp-adapter-pq-int"
INT_ANSWERS = {"project_name": "csp-adapter-pq-int", "parquet": "true"}
RECORD_PROJECT = BUILD / "csp-adapter-pq-tape"
RECORD_ANSWERS = {
    "project_name": "csp-adapter-pq-tape",
    "input_type": "struct",
    "output_type": "struct",
    "struct_name": "Tick",
    "struct_fields": "price:float, size:int, venue:str, stamp:datetime",
    "parquet": "true",
}
ROW_GROUP = 128 * 1024
CHUNK = 1_000_000


def write_file(path: Path, rows: int, record: bool) -> None:
    """``rows`` rows: row ``i`` at ``T0 + i`` us, symbol ``i % 10``; written a million at a time."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("time", pa.timestamp("ns")), ("symbol", pa.string())])
    venues = np.array(["XNYS", "XNAS", "ARCX", "BATS", "IEXG"], dtype=object)
    symbols = np.array(SYMBOLS, dtype=object)
    writer = None
    for start in range(0, rows, CHUNK):
        index = np.arange(start, min(start + CHUNK, rows), dtype=np.int64)
        times = np.datetime64(T0, "ns") + index.astype("timedelta64[us]")
        columns: dict[str, Any] = {"time": times, "symbol": symbols[index % 10]}
        if record:
            columns |= {
                "price": 100.0 + (index % 1000) * 0.25,
                "size": index,
                "venue": venues[index % 5],
                "stamp": times,
            }
        else:
            columns["value"] = index
        table = pa.table(columns)
        if writer is None:
            schema = table.schema
            writer = pq.ParquetWriter(path, schema, compression="snappy")
        writer.write_table(table, row_group_size=ROW_GROUP)
    assert writer is not None
    writer.close()


def replay(way: str, path: Path, typ: type, package: Any, field_map: Any, rows: int) -> float:
    """Events/s of one simulated replay of ``path`` (``package``: the rendered
    project's, for ``way="rust"``); checks that every row ticked."""
    import csp
    from csp.adapters.parquet import ParquetReader

    @csp.graph
    def graph() -> None:
        if way == "rust":
            manager_class = getattr(package, next(n for n in package.__all__ if n.endswith("AdapterManager")))
            manager = manager_class(package.ParquetFile(str(path)))
            streams = [manager.subscribe(symbol) for symbol in SYMBOLS]
        else:
            reader = ParquetReader(str(path), time_column="time", symbol_column="symbol")
            streams = [reader.subscribe(symbol, typ, field_map) for symbol in SYMBOLS]
        for symbol, stream in zip(SYMBOLS, streams, strict=True):
            csp.add_graph_output(symbol, csp.count(stream), tick_count=1)

    started = time.perf_counter()
    result = csp.run(graph, starttime=T0, endtime=timedelta(days=1), realtime=False)
    seconds = time.perf_counter() - started
    counted = sum(ticks[-1][1] for ticks in result.values())
    if counted != rows:
        raise RuntimeError(f"{way} replayed {counted} of {rows} rows")
    return rows / seconds


def peak_rss(way: str, path: Path, rows: int) -> dict[str, float]:
    """Replays ``path`` in a fresh process; its RSS (MiB) before the run and at its peak."""
    code = f"""
import json, sys
sys.path.insert(0, {str(INT_PROJECT)!r})
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
import csp, csp_adapter_pq_int as m
from parquet import replay
def status(key):  # this process's own figures (ru_maxrss would count the parent's too)
    line = next(l for l in open('/proc/self/status') if l.startswith(key + ':'))
    return int(line.split()[1]) / 1024
before = status('VmRSS')
rate = replay({way!r}, __import__('pathlib').Path({str(path)!r}), int, m, 'value', {rows})
peak = status('VmHWM')
print(json.dumps({{"before_mib": before, "peak_mib": peak, "events_per_second": rate}}))
"""
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-3000:])
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rss-rows", type=int, default=10_000_000)
    parser.add_argument("--skip-build-times", action="store_true")
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench" / "parquet.json")
    args = parser.parse_args()

    env = {"PYO3_PYTHON": sys.executable, **HARNESS}
    for project, answers in ((INT_PROJECT, INT_ANSWERS), (RECORD_PROJECT, RECORD_ANSWERS)):
        render(project, answers)
        run_command(INSTALL, project, env)
        sys.path.insert(0, str(project))  # installed just now: its .pth is not read yet
    import csp_adapter_pq_int as ints  # noqa: PLC0415
    import csp_adapter_pq_tape as tape  # noqa: PLC0415

    files = BUILD / "parquet-files"
    files.mkdir(parents=True, exist_ok=True)
    cases = {
        "int": (files / "int.parquet", False, int, ints, "value"),
        "record": (files / "record.parquet", True, tape.Tick, tape, None),
    }
    results: dict[str, Any] = {"rows": args.rows, "rounds": args.rounds, "each round": {}}
    print(f"Parquet replay in simulation: {args.rows:,} rows, 10 symbols, medians of {args.rounds} rounds")
    print(f"{'values':<8}{'Rust events/s':>16}{'csp events/s':>16}{'Rust/csp':>10}")
    for name, (path, record, typ, package, field_map) in cases.items():
        write_file(path, args.rows, record)
        fields = {f: f for f in typ.metadata()} if record else field_map
        rates: dict[str, list[float]] = {"rust": [], "csp": []}
        for round_ in range(args.rounds):
            for way in ["rust", "csp"] if round_ % 2 == 0 else ["csp", "rust"]:
                rates[way].append(replay(way, path, typ, package, fields, args.rows))
        ratio = statistics.median(r / c for r, c in zip(rates["rust"], rates["csp"], strict=True))
        rust, reference = statistics.median(rates["rust"]), statistics.median(rates["csp"])
        results["each round"][name] = rates
        results[name] = {"rust events_per_second": rust, "csp events_per_second": reference, "rust/csp": ratio}
        print(f"{name:<8}{rust:>16,.0f}{reference:>16,.0f}{ratio:>9.2f}x", flush=True)

    big = files / "int-big.parquet"
    write_file(big, args.rss_rows, record=False)
    size_mib = big.stat().st_size / 2**20
    print(f"\nPeak RSS replaying {args.rss_rows:,} int rows ({size_mib:.0f} MiB file) in simulation, a process each:")
    print(f"{'reader':<8}{'before run MiB':>16}{'peak MiB':>10}{'events/s':>14}")
    memory: dict[str, Any] = {"rows": args.rss_rows, "file_mib": size_mib}
    for way in ("rust", "csp"):
        figures = peak_rss(way, big, args.rss_rows)
        memory[way] = figures
        print(
            f"{way:<8}{figures['before_mib']:>16,.0f}{figures['peak_mib']:>10,.0f}{figures['events_per_second']:>14,.0f}"
        )
    results["memory"] = memory
    big.unlink()

    if not args.skip_build_times:
        plain = {k: v for k, v in INT_ANSWERS.items() if k != "parquet"}
        without = cold_build_seconds(plain, "cold-no-parquet")
        with_parquet = cold_build_seconds(INT_ANSWERS, "cold-parquet")
        results["cold_release_build_seconds"] = {"without parquet": without, "with parquet": with_parquet}
        print(f"\ncold release build: {without:.0f} s without Parquet, {with_parquet:.0f} s with it")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("RUST_BACKTRACE", "0")
    main()
