"""Names of several words, digits and acronyms render a clean, importable project.

Each row gives the answers and every name derived from them (the rule is in
copier.yml, beside `adapter_snake`). For each rendering the test checks the
derived identifiers where the project uses them, byte-compiles every Python
file, parses every TOML file and refuses control characters in any file.
"""

import ast
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import require


@dataclass(frozen=True)
class Names:
    id: str
    answers: dict[str, object]
    package: str
    stem: str
    snake: str


NAMES = [
    Names(
        "market-data",
        {"project_name": "csp-adapter-market-data"},
        "csp_adapter_market_data",
        "MarketData",
        "market_data",
    ),
    Names(
        "zed9-feed",
        {"project_name": "zed9-feed", "adapter_name": "Zed9Feed", "transport": "websocket", "input_type": "struct"},
        "zed9_feed",
        "Zed9Feed",
        "zed9_feed",
    ),
    Names(
        "http-feed",
        {"project_name": "csp-http-feed", "adapter_name": "HTTPFeed"},
        "csp_http_feed",
        "HTTPFeed",
        "http_feed",
    ),
    Names("fx2-rates", {"project_name": "fx2-rates", "adapter_name": "FX2Rates"}, "fx2_rates", "FX2Rates", "fx2_rates"),
    Names("acme", {"project_name": "csp-adapter-acme"}, "csp_adapter_acme", "Acme", "acme"),
    Names("io-stream", {"project_name": "io-stream", "adapter_name": "IOStream"}, "io_stream", "IOStream", "io_stream"),
    Names("order-book-l2", {"project_name": "order-book-l2"}, "order_book_l2", "OrderBookL2", "order_book_l2"),
    Names(
        "http2-client",
        {"project_name": "my-client", "adapter_name": "MyHTTP2Client"},
        "my_client",
        "MyHTTP2Client",
        "my_http2_client",
    ),
    Names("digit-word", {"project_name": "csp-9-lives"}, "csp_9_lives", "My9Lives", "my9_lives"),
    Names("single-letter", {"project_name": "x", "adapter_name": "X"}, "x", "X", "x"),
    Names(
        "longest",
        # Records both ways, Kafka and Parquet: the most text that carries the names.
        {
            "project_name": "vendor-" + "x" * 53,
            "adapter_name": "VeryLongVendorNameForAMarketDataFeedAbcd",
            "input_type": "struct",
            "output_type": "struct",
            "transport": "kafka",
            "parquet": True,
        },
        "vendor_" + "x" * 53,
        "VeryLongVendorNameForAMarketDataFeedAbcd",
        "very_long_vendor_name_for_a_market_data_feed_abcd",
    ),
]

# Any C0 control character or DEL except tab and newline.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@pytest.fixture(scope="module", params=NAMES, ids=[n.id for n in NAMES])
def rendering(request: pytest.FixtureRequest, copie_session) -> tuple[Path, Names]:
    names: Names = request.param
    result = copie_session.copy(extra_answers=names.answers)
    assert result.exit_code == 0, result.exception
    return result.project_dir, names


# Binary files of the rendering: the Parquet files of the fuzz regression tests.
BINARY = {".parquet"}


def files(project: Path, pattern: str = "*") -> list[Path]:
    return sorted(p for p in project.rglob(pattern) if p.is_file() and ".git" not in p.parts and p.suffix not in BINARY)


def test_answers_hold_the_derived_names(rendering: tuple[Path, Names]) -> None:
    project, names = rendering
    answers = (project / ".copier-answers.yml").read_text()
    assert f"package_name: {names.package}\n" in answers
    assert f"adapter_name: {names.stem}\n" in answers


def test_python_package_exports_the_derived_names(rendering: tuple[Path, Names]) -> None:
    project, names = rendering
    init = ast.parse((project / names.package / "__init__.py").read_text())
    exported = next(
        ast.literal_eval(node.value)
        for node in init.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "__all__"
    )
    assert {f"{names.stem}AdapterManager", "Synthetic"} <= set(exported)
    adapters = (project / names.package / "adapters.py").read_text()
    assert f"class {names.stem}AdapterManager:" in adapters
    # csp names the adapters' nodes after the snake_case stem.
    assert f'"{names.snake}_subscribe",' in adapters and f'"{names.snake}_publish",' in adapters


def test_rust_crate_uses_the_derived_names(rendering: tuple[Path, Names]) -> None:
    project, names = rendering
    for role, file in [
        ("AdapterManager", "adapter_manager"),
        ("InputAdapter", "input_adapter"),
        ("OutputAdapter", "output_adapter"),
    ]:
        assert f"pub struct {names.stem}{role} " in (project / "src" / f"{file}.rs").read_text()
    cargo = tomllib.loads((project / "Cargo.toml").read_text())
    assert cargo["package"]["name"] == names.package
    assert cargo["dependencies"]["adapter_core"]["package"] == f"{names.package}_core"
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == names.answers["project_name"]


def test_every_python_file_byte_compiles(rendering: tuple[Path, Names]) -> None:
    project, _ = rendering
    python = files(project, "*.py") + files(project, "*.pyi")
    assert python
    for path in python:
        compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)


def test_every_toml_file_parses(rendering: tuple[Path, Names]) -> None:
    project, _ = rendering
    for path in files(project, "*.toml"):
        tomllib.loads(path.read_text(encoding="utf-8"))


def test_no_control_characters(rendering: tuple[Path, Names]) -> None:
    project, _ = rendering
    found = []
    for path in files(project):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if match := CONTROL.search(line):
                found.append(f"{path.relative_to(project)}:{number}: {match.group()!r}")
    assert found == []


def test_formatters_change_nothing(rendering: tuple[Path, Names]) -> None:
    project, _ = rendering
    checks = [
        [sys.executable, "-m", "ruff", "format", "--check", "."],
        [sys.executable, "-m", "ruff", "check", "."],
        [require("cargo"), "fmt", "--all", "--check"],
    ]
    for check in checks:
        completed = subprocess.run(check, cwd=project, capture_output=True, text=True, check=False)
        assert completed.returncode == 0, completed.stdout + completed.stderr
