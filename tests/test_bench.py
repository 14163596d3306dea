"""`make bench`, `make bench-parquet`, `make bench-kafka`, `make bench-memory` and `make bench-websocket` still run:
smoke runs with tiny counts (no figures are judged)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

pytestmark = pytest.mark.build

MEASURES = [
    "throughput",
    "throughput_routed_1",
    "throughput_routed_100",
    "throughput_routed_100_batched",
    "output_path_sim",
    "records",
    "records_routed",
    "latency",
    "push_cost",
    "push_cost_batched",
    "sim_replay",
    "bound_cost",
]


def smoke(tmp_path: Path, cargo_target_dir: Path, script: str, *args: str) -> tuple[str, dict[str, Any]]:
    """Runs ``bench/<script>`` with ``args``; returns its output and the figures it wrote."""
    results_path = tmp_path / "results.json"
    env = {**os.environ, "CARGO_TARGET_DIR": str(cargo_target_dir), "PYO3_PYTHON": sys.executable}
    completed = subprocess.run(
        [sys.executable, f"bench/{script}", *args, "--json", str(results_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed.stdout, json.loads(results_path.read_text())


def test_benchmark_smoke_run(tmp_path: Path, cargo_target_dir: Path) -> None:
    stdout, results = smoke(tmp_path, cargo_target_dir, "run.py", "--quick")
    assert "| measure | Rust | C++ | Python | Rust/C++ | Rust/Python |" in stdout
    assert all(measure in results for measure in MEASURES)
    batched = results["throughput_routed_100_batched"]
    assert set(batched) == {"Rust", "C++"} and batched["Rust"]["ticks_per_second"] > 0
    # The routed rows with and without the manager's bound, with their ratio.
    assert "| routed row | default bound | no bound | ratio | 90% interval | rounds the bound lost |" in stdout
    rows = results["bound_cost"]
    assert list(rows) == ["1 symbol", "100 symbols", "100 symbols, batches of 100", "records, 1 symbol"]
    for row in rows.values():
        assert len(row["ratios"]) == 2 and row["bounded"]["ticks_per_second"] > 0
        assert row["ratio_interval_90"][0] <= row["ratio"] <= row["ratio_interval_90"][1]
    for implementation in ("Rust", "C++", "Python"):
        for measure in MEASURES[:3]:
            assert results[measure][implementation]["ticks_per_second"] > 0
        assert results["output_path_sim"][implementation]["ns_per_tick"] > 0
        assert results["records"][implementation]["ticks_per_second"] > 0
        assert results["sim_replay"][implementation]["ticks_per_second"] > 0
        assert results["records_routed"][implementation]["ticks_per_second"] > 0
        for rate in ("10000", "100000"):
            figures = results["latency"][rate][implementation]
            assert 0 < figures["p50_us"] <= figures["p99_us"] <= figures["max_us"]


def test_websocket_benchmark_smoke_run(tmp_path: Path, cargo_target_dir: Path) -> None:
    args = ("--count", "20000", "--rounds", "1", "--skip-build-times")
    stdout, results = smoke(tmp_path, cargo_target_dir, "websocket.py", *args)
    assert "Rust/csp throughput:" in stdout
    for client in ("server alone", "rust", "csp"):
        assert results[f"{client} records_per_second"] > 0
    for client in ("rust", "csp"):
        assert 0 < results[f"{client} latency_p50_us"] <= results[f"{client} latency_p99_us"]


def test_parquet_benchmark_smoke_run(tmp_path: Path, cargo_target_dir: Path) -> None:
    args = ("--rows", "20000", "--rounds", "1", "--rss-rows", "50000", "--skip-build-times")
    stdout, results = smoke(tmp_path, cargo_target_dir, "parquet.py", *args)
    assert "Peak RSS replaying 50,000 int rows" in stdout
    for values in ("int", "record"):
        assert results[values]["rust events_per_second"] > 0 and results[values]["csp events_per_second"] > 0
    for reader in ("rust", "csp"):
        assert 0 < results["memory"][reader]["before_mib"] <= results["memory"][reader]["peak_mib"]


def test_kafka_benchmark_smoke_run(tmp_path: Path, cargo_target_dir: Path) -> None:
    args = ("--count", "20000", "--rounds", "1", "--skip-build-times")
    stdout, results = smoke(tmp_path, cargo_target_dir, "kafka.py", *args)
    assert "Rust/csp:" in stdout
    for way in ("produce", "broker alone", "rust", "csp"):
        assert results[f"{way} records_per_second"] > 0, way


def test_memory_benchmark_smoke_run(tmp_path: Path, cargo_target_dir: Path) -> None:
    args = ("--events", "20000", "--throughput-events", "50000", "--rounds", "1")
    stdout, results = smoke(tmp_path, cargo_target_dir, "memory.py", *args)
    assert "peak RSS with the bound:" in stdout
    assert results["rust bounded"]["ticks"] == 20_000
    for way in ("rust bounded", "rust unbounded", "csp push"):
        assert 0 < results[way]["before_mib"] <= results[way]["peak_mib"], way
    assert results["throughput"]["bounded_events_per_second"] > 0
    assert results["throughput"]["unbounded_events_per_second"] > 0
