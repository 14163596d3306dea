"""Fixtures for the template's tests: rendering with Copier, and the tools."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TYPES = ["bool", "int", "float", "str", "datetime", "timedelta", "struct"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "build: builds a rendered project with cargo and pip (slow)")


@pytest.fixture(scope="session")
def cargo_target_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Cargo target directory for every build in the session."""
    configured = os.environ.get("CARGO_TARGET_DIR")
    if configured:
        return Path(configured)
    return tmp_path_factory.mktemp("cargo-target")


def require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is not on PATH; the template's tests need it")
    return path


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Runs ``args`` and fails the test if it fails, with the tests it names as
    failed (pytest's FAILED and ERROR lines) before the end of its output."""
    completed = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if completed.returncode != 0:
        named = [line for line in completed.stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))]
        failed = "".join(f"{line[:300]}\n" for line in named)
        output = f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
        pytest.fail(f"{' '.join(args)} failed (exit code {completed.returncode}):\n{failed}{output}")
    return completed
