"""`python -m csp_kafka_quotes`: the demo's JSON contract."""

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import T0, write_events

from csp_kafka_quotes.adapters import INPUT_TYPE
from csp_kafka_quotes.demo import demo_value


def run_demo(*args: str) -> tuple[int, dict]:
    command = [sys.executable, "-m", "csp_kafka_quotes", *args]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    last_line = completed.stdout.strip().splitlines()[-1]
    return completed.returncode, json.loads(last_line)


def test_demo_moves_every_value_and_reports_json() -> None:
    code, result = run_demo("--count", "50000")
    assert code == 0
    assert (result["pushed"], result["received"], result["mismatches"]) == (50_000, 50_000, 0)
    assert result["seconds"] > 0
    assert result["ticks_per_second"] == pytest.approx(50_000 / result["seconds"], rel=1e-3)
    assert 0 < result["first_push_to_last_receive_seconds"] <= result["seconds"]


def test_demo_routes_a_feed_over_many_symbols() -> None:
    code, result = run_demo("--count", "30000", "--symbols", "100")
    assert code == 0
    assert result["symbols"] == 100
    assert (result["events"], result["pushed"], result["received"], result["mismatches"]) == (30_000, 30_000, 30_000, 0)


def test_demo_replays_a_file(tmp_path: Path) -> None:
    rows = [(T0 + timedelta(milliseconds=i // 3), "ABC"[i % 3], demo_value(INPUT_TYPE, i)) for i in range(3000)]
    code, result = run_demo("--replay", str(write_events(tmp_path / "events.csv", rows)))
    assert code == 0
    assert (result["symbols"], result["events"], result["pushed"], result["received"]) == (3, 3000, 3000, 3000)


def test_demo_paced_run() -> None:
    code, result = run_demo("--count", "20", "--interval-us", "2000")
    assert code == 0
    assert (result["pushed"], result["received"], result["mismatches"]) == (20, 20, 0)
    assert result["seconds"] >= 19 * 0.002


def test_demo_batched_run() -> None:
    code, result = run_demo("--count", "30000", "--batch", "100")
    assert code == 0
    assert (result["pushed"], result["received"], result["mismatches"]) == (30_000, 30_000, 0)


def test_demo_fails_when_values_are_missing() -> None:
    # Pacing 1000 values at 10 ms cannot finish in 0.5 s: the demo must say so.
    code, result = run_demo("--count", "1000", "--interval-us", "10000", "--timeout-s", "0.5")
    assert code == 1
    assert result["received"] < 1000


def test_demo_rejects_bad_arguments() -> None:
    command = [sys.executable, "-m", "csp_kafka_quotes", "--count", "0"]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    assert completed.returncode == 2
    assert "--count must be at least 1" in completed.stderr
