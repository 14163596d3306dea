"""Fixtures for the template's tests: rendering with Copier, and the tools."""

import os
import shutil
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
