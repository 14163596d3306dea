"""Rendered projects build, pass their own tests and move real data through csp.

Nine projects cover every value type on the input side and on the output side,
five of them with a conversion node between different types, two of them with
the WebSocket transport, one with Kafka, and two reading and writing Parquet. They share one
Cargo target directory so that only the first build compiles the dependencies.
What does not depend on the value types (the pure Rust core's tests, clippy
without the test harness) runs once for each combination of the other answers.
"""

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import require, run

# Every field type, each required and optional.
EVERY_FIELD = (
    "symbol:str, price:float, size:int, time:datetime, live:bool, age:timedelta,"
    " note:str?, bid:float?, lots:int?, seen:datetime?, ok:bool?, wait:timedelta?"
)
# (input_type, output_type, adapter_name, struct_fields): every type on each
# side, records both ways, and names of several words, digits and acronyms.
BUILDS = [
    ("int", "int", "Acme", None),
    ("bool", "timedelta", "Flag", None),
    ("float", "str", "MarketData", None),
    ("str", "bool", "Text", None),
    ("datetime", "float", "FX2Rates", None),
    ("timedelta", "datetime", "Span", None),
    ("struct", "struct", "QuoteBook", EVERY_FIELD),
    ("int", "struct", "TradeTape", "venue:str?, qty:int, px:float"),
    ("struct", "datetime", "OrderFeed", None),
]
# Built with maturin instead of hatch-rs (the default).
MATURIN_BUILDS = {"Text"}
# With the WebSocket transport: records with every field type, and the time types.
WEBSOCKET_BUILDS = {"QuoteBook", "Span"}
# With the Kafka transport (against a real broker): records (with times) in.
# Its JSON decoding of scalars is the WebSocket transport's (one wire module).
KAFKA_BUILDS = {"OrderFeed"}
# Reading and writing Parquet: records with every field type both ways (with
# the WebSocket transport too), and int in, records out.
PARQUET_BUILDS = {"QuoteBook", "TradeTape"}
# Whose fuzz targets (fuzz/) are compiled: every target, records both ways,
# and each transport (`make fuzz` runs them, on nightly).
FUZZ_BUILDS = {"QuoteBook", "OrderFeed"}
# The project whose release wheel and sdist are built (test_user_path.py runs
# the Makefiles).
MAKEFILE_PACKAGE = "csp_adapter_market_data_build"
DEMO_COUNT = 100_000

pytestmark = pytest.mark.build


def transport(adapter_name: str) -> str:
    if adapter_name in WEBSOCKET_BUILDS:
        return "websocket"
    return "kafka" if adapter_name in KAFKA_BUILDS else "none"


def options(adapter_name: str) -> tuple[str, bool, str]:
    """The answers besides the value types that change the Rust code: transport,
    Parquet and build backend."""
    backend = "maturin" if adapter_name in MATURIN_BUILDS else "hatch-rs"
    return transport(adapter_name), adapter_name in PARQUET_BUILDS, backend


# The first build of each combination of options: what depends on the options
# alone runs there only.
FIRST_OF_OPTIONS = {
    next(name for _, _, name, _ in BUILDS if options(name) == combination)
    for combination in {options(name) for _, _, name, _ in BUILDS}
}


def adapter_name_of(project: Path) -> str:
    found = re.search(r"^adapter_name: (\w+)$", (project / ".copier-answers.yml").read_text(), re.MULTILINE)
    assert found is not None, f"no adapter_name in {project}/.copier-answers.yml"
    return found.group(1)


@pytest.fixture(scope="module")
def build_env(cargo_target_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CARGO_TARGET_DIR"] = str(cargo_target_dir)
    # build.rs finds csp through this interpreter.
    env["PYO3_PYTHON"] = sys.executable
    # With the test harness (_native.testing), as `make develop` builds it.
    env["CSP_ADAPTER_TESTING"] = "1"
    return env


@pytest.fixture(scope="module", params=BUILDS, ids=[f"{i}-to-{o}" for i, o, _, _ in BUILDS])
def installed(request: pytest.FixtureRequest, copie_session, build_env: dict[str, str]) -> tuple[Path, str]:
    input_type, output_type, adapter_name, struct_fields = request.param
    transport_answer, parquet, backend = options(adapter_name)
    # Distribution names of their own, so that these installs never replace
    # the one `make demo` made (csp-adapter-acme) in the same environment.
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", adapter_name).lower()
    project_name = f"csp-adapter-{words}-build"
    result = copie_session.copy(
        extra_answers={
            "project_name": project_name,
            "adapter_name": adapter_name,
            "input_type": input_type,
            "output_type": output_type,
            "build_backend": backend,
            "transport": transport_answer,
            "parquet": parquet,
            **({"struct_fields": struct_fields} if struct_fields else {}),
        }
    )
    assert result.exit_code == 0, result.exception
    project = result.project_dir
    # The default project is installed editable, the others as wheels, but
    # for maturin's: its wheel install leaves no extension in the source tree,
    # which `python -m pytest` in the project imports first (hatch-rs builds
    # in place); `make develop` installs editable too.
    editable = ["-e"] if adapter_name == "Acme" or adapter_name in MATURIN_BUILDS else []
    pip_install = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", *editable, "."]
    run(pip_install, project, build_env)
    return project, project_name.replace("-", "_")


def test_fuzz_targets_compile_without_warnings(installed: tuple[Path, str], build_env: dict[str, str]) -> None:
    project, _ = installed
    if adapter_name_of(project) not in FUZZ_BUILDS:
        pytest.skip("the fuzz targets of FUZZ_BUILDS only are compiled")
    cargo = [require("cargo"), "check", "--quiet", "--manifest-path", "fuzz/Cargo.toml", "--bins"]
    completed = run(cargo, project, build_env)
    assert "warning" not in completed.stderr, completed.stderr[-4000:]


def test_extension_links_csp_with_an_rpath(installed: tuple[Path, str], build_env: dict[str, str]) -> None:
    project, package = installed
    code = f"import {package}._native as m; print(m.__file__)"
    extension = run([sys.executable, "-c", code], project.parent, build_env).stdout.strip()
    dynamic = run(["readelf", "-d", extension], project, build_env).stdout
    assert "Shared library: [_cspimpl.so]" in dynamic
    assert "Library runpath: [$ORIGIN/../csp/lib]" in dynamic


def test_generated_pytest_passes(installed: tuple[Path, str], build_env: dict[str, str]) -> None:
    project, _ = installed
    completed = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project, build_env)
    assert " passed" in completed.stdout and "failed" not in completed.stdout


def test_generated_cargo_test_passes(installed: tuple[Path, str], build_env: dict[str, str]) -> None:
    project, package = installed
    if adapter_name_of(project) not in FIRST_OF_OPTIONS:
        pytest.skip("the core (no value types in it) is tested once for each combination of options")
    completed = run([require("cargo"), "test", "--package", f"{package}_core"], project, build_env)
    assert "test result: ok" in completed.stdout


def test_demo_moves_every_value(installed: tuple[Path, str], build_env: dict[str, str]) -> None:
    project, package = installed
    args = [sys.executable, "-m", package, "--count", str(DEMO_COUNT), "--symbols", "3"]
    completed = run(args, project.parent, build_env)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert (result["symbols"], result["events"]) == (3, DEMO_COUNT)
    assert (result["pushed"], result["received"], result["mismatches"]) == (DEMO_COUNT, DEMO_COUNT, 0)
    assert result["seconds"] > 0 and result["ticks_per_second"] > 0


def test_ten_million_ticks_over_ten_symbols(installed: tuple[Path, str], build_env: dict[str, str]) -> None:
    project, package = installed
    if package != "csp_adapter_acme_build":
        pytest.skip("the stress run uses the int -> int project only")
    count = 10_000_000
    args = [sys.executable, "-m", package, "--count", str(count), "--symbols", "10"]
    completed = run(args, project.parent, build_env)
    line = completed.stdout.strip().splitlines()[-1]
    print(f"\nstress: {line}")
    result = json.loads(line)
    assert (result["pushed"], result["received"], result["mismatches"]) == (count, count, 0)


def test_python_is_mypy_clean(installed: tuple[Path, str], build_env: dict[str, str]) -> None:
    project, package = installed
    run([sys.executable, "-m", "mypy", package, "tests"], project, build_env)


@pytest.mark.parametrize("harness", ["1", "0"], ids=["with-test-harness", "release"])
def test_clippy_is_clean(installed: tuple[Path, str], build_env: dict[str, str], harness: str) -> None:
    project, _ = installed
    if harness == "0" and adapter_name_of(project) not in FIRST_OF_OPTIONS:
        pytest.skip("clippy without the test harness runs once for each combination of options")
    env = dict(build_env, PYO3_BUILD_EXTENSION_MODULE="1", CSP_ADAPTER_TESTING=harness)
    run([require("cargo"), "clippy", "--workspace", "--all-targets", "--", "-D", "warnings"], project, env)


def extension_of(package: str, env: dict[str, str], search_first: Path | None = None) -> tuple[Path, bool]:
    """The extension ``package`` imports (from ``search_first`` if given) and whether it has the test harness."""
    prefix = f"import sys; sys.path.insert(0, {str(search_first)!r}); " if search_first else ""
    code = f"{prefix}import {package}._native as m; print(m.__file__); print(hasattr(m, 'testing'))"
    path, harness = run([sys.executable, "-c", code], Path("/"), env).stdout.split()
    return Path(path), harness == "True"


def test_wheels_leave_the_test_harness_out(
    installed: tuple[Path, str], build_env: dict[str, str], tmp_path: Path
) -> None:
    """`make build` (no CSP_ADAPTER_TESTING) makes a wheel without `_native.testing`;
    the install the tests run on has it."""
    project, package = installed
    if package != MAKEFILE_PACKAGE:
        pytest.skip(f"the release wheel is built for {MAKEFILE_PACKAGE} only")
    env = {name: value for name, value in build_env.items() if name != "CSP_ADAPTER_TESTING"}
    wheel_args = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), "."]
    run(wheel_args, project, env)
    (wheel,) = tmp_path.glob("*.whl")
    shutil.unpack_archive(wheel, tmp_path / "unpacked", format="zip")
    release, release_harness = extension_of(package, env, tmp_path / "unpacked")
    develop, develop_harness = extension_of(package, env)
    assert release.is_relative_to(tmp_path) and not release_harness
    assert develop_harness
    print(f"extension: {develop.stat().st_size:,} bytes with the test harness, {release.stat().st_size:,} without")


def test_readme_graph_example_runs(installed: tuple[Path, str], build_env: dict[str, str], tmp_path: Path) -> None:
    project, package = installed
    readme = (project / "README.md").read_text()
    example = re.search(r"## Use it in a graph\n\n```python\n(.*?)```", readme, flags=re.DOTALL).group(1)
    script = tmp_path / "example.py"
    script.write_text(example)
    completed = run([sys.executable, str(script)], tmp_path, build_env, timeout=120)
    assert "pushed" in completed.stdout


def test_sdist_builds_and_runs(installed: tuple[Path, str], build_env: dict[str, str], tmp_path: Path) -> None:
    """The sdist holds everything a build needs: a wheel built from it alone runs the demo."""
    project, package = installed
    if package != MAKEFILE_PACKAGE:
        pytest.skip(f"the sdist build uses {MAKEFILE_PACKAGE} only")
    hatchling = str(Path(sys.executable).with_name("hatchling"))
    run([hatchling, "build", "-t", "sdist", "-d", str(tmp_path)], project, build_env)
    (sdist,) = tmp_path.glob("*.tar.gz")
    pip_install = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--force-reinstall"]
    run([*pip_install, str(sdist)], tmp_path, build_env)
    completed = run([sys.executable, "-m", package, "--count", "1000"], tmp_path, build_env)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert (result["pushed"], result["received"], result["mismatches"]) == (1000, 1000, 0)
