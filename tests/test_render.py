"""Every combination of value types renders into a clean project (no build)."""

import ast
import re
import subprocess
import sys
import tomllib
from itertools import product
from pathlib import Path

import pytest
from conftest import TYPES, require

EXPECTED_FILES = [
    ".copier-answers.yml",
    ".gitignore",
    "Cargo.toml",
    "LICENSE",
    "Makefile",
    "README.md",
    "build.rs",
    "core/Cargo.toml",
    "core/src/demo.rs",
    "core/src/events.rs",
    "core/src/lib.rs",
    "core/src/source.rs",
    "core/src/stats.rs",
    "core/src/text.rs",
    "core/src/time.rs",
    "csp_api/Cargo.toml",
    "csp_api/build.rs",
    "csp_api/cpp/csp_c_api.h",
    "csp_api/cpp/csp_c_api_bridge.cpp",
    "csp_api/src/lib.rs",
    "pyproject.toml",
    "src/adapter_manager.rs",
    "src/input_adapter.rs",
    "src/lib.rs",
    "src/output_adapter.rs",
    "src/source.rs",
    "csp_adapter_acme/__init__.py",
    "csp_adapter_acme/__main__.py",
    "csp_adapter_acme/adapters.py",
    "csp_adapter_acme/demo.py",
    "csp_adapter_acme/py.typed",
    "csp_adapter_acme/_native.pyi",
    "tests/probes.py",
    "tests/test_adapters.py",
    "tests/test_demo_cli.py",
    "tests/test_faults.py",
    "tests/test_load.py",
    "tests/test_misuse.py",
    "tests/test_values.py",
    "csp_api/src/testing.rs",
]

COMBINATIONS = list(product(TYPES, TYPES))


def text_files(project: Path) -> list[Path]:
    return [p for p in project.rglob("*") if p.is_file() and p.suffix not in {".so"}]


@pytest.fixture(scope="module", params=COMBINATIONS, ids=[f"{i}-to-{o}" for i, o in COMBINATIONS])
def rendered(request: pytest.FixtureRequest, copie_session) -> Path:
    input_type, output_type = request.param
    result = copie_session.copy(extra_answers={"input_type": input_type, "output_type": output_type})
    assert result.exit_code == 0, result.exception
    return result.project_dir


def test_files_present(rendered: Path) -> None:
    missing = [name for name in EXPECTED_FILES if not (rendered / name).is_file()]
    assert missing == []


def test_no_jinja_left(rendered: Path) -> None:
    leftovers = [
        str(p.relative_to(rendered))
        for p in text_files(rendered)
        if p.suffix == ".jinja" or re.search(r"\{\{|\{%", p.read_text(errors="replace"))
    ]
    assert leftovers == []


def test_names_substituted(rendered: Path) -> None:
    lib = (rendered / "src/lib.rs").read_text()
    assert "AcmeAdapterManager" in (rendered / "src/adapter_manager.rs").read_text()
    assert "adapter_manager::capsule" in lib and "input_adapter::capsule" in lib
    assert "AcmeInputAdapter::new" in (rendered / "src/input_adapter.rs").read_text()
    assert "AcmeOutputAdapter::new" in (rendered / "src/output_adapter.rs").read_text()
    assert "class AcmeAdapterManager" in (rendered / "csp_adapter_acme/adapters.py").read_text()
    cargo = tomllib.loads((rendered / "Cargo.toml").read_text())
    assert cargo["package"]["name"] == "csp_adapter_acme"


def test_types_substituted(rendered: Path) -> None:
    answers = (rendered / ".copier-answers.yml").read_text()
    input_type = re.search(r"input_type: (\w+)", answers).group(1)
    output_type = re.search(r"output_type: (\w+)", answers).group(1)
    adapters = (rendered / "csp_adapter_acme/adapters.py").read_text()
    assert f"ts[{input_type}]" in adapters and f"ts[{output_type}]" in adapters
    assert f"pushes `ts[{input_type}]`" in (rendered / "README.md").read_text()
    demo = (rendered / "csp_adapter_acme/demo.py").read_text()
    assert ("def convert(" in demo) == (input_type != output_type)


def test_python_compiles(rendered: Path) -> None:
    for path in rendered.rglob("*.py"):
        ast.parse(path.read_text(), filename=str(path))
    for path in rendered.rglob("*.pyi"):
        ast.parse(path.read_text(), filename=str(path))


def test_toml_parses(rendered: Path) -> None:
    for path in rendered.rglob("*.toml"):
        tomllib.loads(path.read_text())


def test_rust_is_rustfmt_clean(rendered: Path) -> None:
    completed = subprocess.run(
        [require("cargo"), "fmt", "--all", "--check"], cwd=rendered, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_python_is_ruff_clean(rendered: Path) -> None:
    ruff = [sys.executable, "-m", "ruff"]
    check = subprocess.run([*ruff, "check", "."], cwd=rendered, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = subprocess.run([*ruff, "format", "--check", "."], cwd=rendered, capture_output=True, text=True, check=False)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
