"""The path a user walks with a rendered project's Makefile, for each build
backend: `make develop`, `make develop` again, an edit of a Rust file in
`src/`, `make develop`, `make test`, `make demo`, each in a venv of the
project's own from PyPI, as the README says. For hatch-rs also `make lint` and
`make wheel`, whose repaired wheel then installs into a fresh venv holding
only csp from PyPI, and runs its demo there. Prints the build times."""

import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import csp
import pytest
from conftest import run

pytestmark = pytest.mark.build

# (project_name, build_backend, input_type)
PROJECTS = [
    ("csp-adapter-user-path", "hatch-rs", "int"),
    ("csp-adapter-user-path-maturin", "maturin", "str"),
]
# The edit: a status code the Rust manager exports to Python.
OPENED = "pub const STATUS_OPENED: i64 = 1;"
EDITED = "pub const STATUS_OPENED: i64 = 41;"


def make(args: list[str], project: Path, env: dict[str, str], timeout: float = 1800) -> tuple[str, float]:
    """Runs make in ``project``; returns its output and how long it took."""
    started = time.monotonic()
    completed = subprocess.run(
        ["make", *args], cwd=project, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
    assert completed.returncode == 0, f"make {' '.join(args)} failed:\n{output}"
    return completed.stdout, time.monotonic() - started


def demo_result(output: str) -> dict:
    return json.loads(next(line for line in output.splitlines() if line.startswith('{"')))


@pytest.mark.parametrize(("project_name", "backend", "input_type"), PROJECTS, ids=[p[1] for p in PROJECTS])
def test_develop_edit_rebuild_test_demo(
    project_name: str, backend: str, input_type: str, copie_session, cargo_target_dir: Path, tmp_path: Path
) -> None:
    answers = {"project_name": project_name, "build_backend": backend, "input_type": input_type}
    result = copie_session.copy(extra_answers=answers)
    assert result.exit_code == 0, result.exception
    project: Path = result.project_dir
    package = project_name.replace("-", "_")
    # Nothing of the template's own environment: the Makefile makes its venv.
    env = {k: v for k, v in os.environ.items() if k not in {"PYO3_PYTHON", "VIRTUAL_ENV", "CSP_ADAPTER_TESTING"}}
    env["CARGO_TARGET_DIR"] = str(cargo_target_dir / f"user-path-{backend}")
    python = str(project / ".venv" / "bin" / "python")

    _, first = make(["develop"], project, env)
    _, again = make(["develop"], project, env)
    source = project / "src" / "adapter_manager.rs"
    assert OPENED in source.read_text()
    source.write_text(source.read_text().replace(OPENED, EDITED))
    _, edited = make(["develop"], project, env)
    code = f"import {package}._native as n; print(n.STATUS_OPENED)"
    assert run([python, "-c", code], tmp_path, env).stdout.strip() == "41"
    print(f"\n{backend}: make develop {first:.0f} s, again {again:.0f} s, after an edit {edited:.0f} s")

    tested, _ = make(["test"], project, env)
    # pytest's summary, and cargo's ("0 failed" is in every cargo result line).
    assert re.search(r"\d+ passed", tested) and not re.search(r"[1-9]\d* failed", tested)
    assert "test result: ok" in tested and "test result: FAILED" not in tested
    demo, _ = make(["demo", "COUNT=100000"], project, env)
    result = demo_result(demo)
    assert (result["pushed"], result["received"], result["mismatches"]) == (100_000, 100_000, 0)
    if backend == "hatch-rs":
        lint_and_wheel(project, package, env, tmp_path)


def lint_and_wheel(project: Path, package: str, env: dict[str, str], tmp_path: Path) -> None:
    """`make lint wheel` as the generated CI runs them; the repaired wheel runs on csp from PyPI alone."""
    make(["lint", "wheel"], project, env)
    (wheel,) = (project / "wheelhouse").glob("*.whl")
    assert "manylinux" in wheel.name
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert not [name for name in names if "_cspimpl" in name or "testing" in name], names
    fresh = tmp_path / "fresh"
    run([sys.executable, "-m", "venv", str(fresh)], tmp_path, env)
    python = str(fresh / "bin" / "python")
    run([python, "-m", "pip", "install", "--quiet", f"csp=={csp.__version__}"], tmp_path, env)
    run([python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], tmp_path, env)
    result = demo_result(run([python, "-m", package, "--count", "10000"], tmp_path, env).stdout)
    assert (result["pushed"], result["received"], result["mismatches"]) == (10_000, 10_000, 0)
    print(f"repaired wheel {wheel.name}: {wheel.stat().st_size:,} bytes")
