"""The default project on other csp and Python versions than the dev
environment's: csp 0.18.0 (the oldest supported) on Python 3.11, and csp
0.19.1 on Python 3.10 and 3.13. Each gets a venv of its own from PyPI (kept in
build/venvs/ between runs) and a Cargo target directory of its own; its
generated tests and its demo run there. An interpreter that is not installed
is skipped, naming it."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, run

pytestmark = pytest.mark.build

# (id, csp version, Python version)
VARIANTS = [
    ("csp-0.18.0-py3.11", "0.18.0", "3.11"),
    ("csp-0.19.1-py3.10", "0.19.1", "3.10"),
    ("csp-0.19.1-py3.13", "0.19.1", "3.13"),
]
VENVS = ROOT / "build" / "venvs"
BUILD_REQUIREMENTS = ["numpy", "hatchling>=1.25", "hatch-rs>=0.4.3,<0.5", "editables", "pytest>=8", "hypothesis>=6.88"]


def runs_version(python: str, version: str) -> bool:
    code = "import sys; print('%d.%d' % sys.version_info[:2])"
    probe = subprocess.run([python, "-c", code], capture_output=True, text=True, check=False)
    return probe.returncode == 0 and probe.stdout.strip() == version


def find_python(version: str) -> str | None:
    """A working ``python<version>``: on PATH, else the newest pyenv install of that version."""
    path = shutil.which(f"python{version}")
    if path and runs_version(path, version):
        return path
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return None
    listed = subprocess.run([pyenv, "versions", "--bare"], capture_output=True, text=True, check=False).stdout.split()
    matching = [v for v in listed if v.startswith(f"{version}.") and v.removeprefix(f"{version}.").isdigit()]
    for candidate in sorted(matching, key=lambda v: int(v.rsplit(".", 1)[1]), reverse=True):
        prefix = subprocess.run([pyenv, "prefix", candidate], capture_output=True, text=True, check=False)
        python = Path(prefix.stdout.strip()) / "bin" / f"python{version}"
        if prefix.returncode == 0 and python.is_file() and runs_version(str(python), version):
            return str(python)
    return None


def venv_with(name: str, python: str, csp_version: str) -> Path:
    """A venv of ``python`` with csp ``csp_version`` and the build and test tools, made once."""
    venv = VENVS / name
    marker = venv / ".installed"
    if not marker.exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, f"csp=={csp_version}", *BUILD_REQUIREMENTS], check=True)
        marker.touch()
    return venv


@pytest.fixture(scope="module", params=VARIANTS, ids=[variant[0] for variant in VARIANTS])
def installed(request: pytest.FixtureRequest, copie_session, cargo_target_dir: Path) -> tuple[Path, Path, dict]:
    name, csp_version, python_version = request.param
    python = find_python(python_version)
    if python is None:
        pytest.skip(f"Python {python_version} is not installed (no working python{python_version} on PATH or in pyenv)")
    venv = venv_with(name, python, csp_version)
    result = copie_session.copy(extra_answers={})
    assert result.exit_code == 0, result.exception
    project = result.project_dir
    env = {key: value for key, value in os.environ.items() if key not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}",
        VIRTUAL_ENV=str(venv),
        PYO3_PYTHON=str(venv / "bin" / "python"),
        CARGO_TARGET_DIR=str(cargo_target_dir / name),
        CSP_ADAPTER_TESTING="1",
    )
    pip_install = [str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-build-isolation", "."]
    run(pip_install, project, env, timeout=1200)
    return project, venv / "bin" / "python", {**env, "EXPECTED_CSP": csp_version}


def test_built_against_and_requiring_that_csp(installed: tuple[Path, Path, dict]) -> None:
    project, python, env = installed
    code = (
        "import csp, importlib.metadata as m, csp_adapter_acme._native as n; "
        "print(csp.__version__, n.CSP_BUILD_VERSION, m.requires('csp-adapter-acme')[0])"
    )
    runtime, built, requirement = run([str(python), "-c", code], project.parent, env).stdout.split()
    assert runtime == built == env["EXPECTED_CSP"]
    assert requirement == f"csp=={env['EXPECTED_CSP']}"


def test_generated_tests_pass(installed: tuple[Path, Path, dict]) -> None:
    project, python, env = installed
    output = run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"], project, env, timeout=1200).stdout
    assert " passed" in output and "failed" not in output


def test_demo_moves_every_value(installed: tuple[Path, Path, dict]) -> None:
    project, python, env = installed
    output = run(
        [str(python), "-m", "csp_adapter_acme", "--count", "100000", "--symbols", "3"], project.parent, env
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    assert (result["pushed"], result["received"], result["mismatches"]) == (100_000, 100_000, 0)
