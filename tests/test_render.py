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
    "rustfmt.toml",
    "core/Cargo.toml",
    "core/src/demo.rs",
    "core/src/events.rs",
    "core/src/lib.rs",
    "core/src/source.rs",
    "core/src/stats.rs",
    "core/src/text.rs",
    "core/src/time.rs",
    "core/src/overflow.rs",
    "fuzz/Cargo.toml",
    "fuzz/adapter.rs",
    "fuzz/csp_api/lib.rs",
    "fuzz/fuzz_targets/events_file.rs",
    "fuzz/seeds/events_file/rows.csv",
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
    "tests/test_in_flight.py",
    "tests/test_load.py",
    "tests/test_misuse.py",
    "tests/test_values.py",
    "csp_api/src/testing.rs",
]

COMBINATIONS = list(product(TYPES, TYPES))
# A third of them with the WebSocket transport, a third with Kafka: every
# type on each side, with several types on the other.
TRANSPORTS = ["websocket", "kafka", "none"]
TRANSPORT = {(i, o): TRANSPORTS[(TYPES.index(i) + TYPES.index(o)) % 3] for i, o in COMBINATIONS}
TRANSPORT_FILES = {
    "websocket": ["core/src/websocket/source.rs", "tests/test_websocket.py", "tests/ws_server.py"],
    "kafka": [
        "core/src/kafka/source.rs",
        "core/src/kafka/partitions.rs",
        "tests/test_kafka.py",
        "tests/kafka_broker.py",
    ],
}
# Shared by the live transports.
LIVE_FILES = [
    "core/src/wire.rs",
    "src/messages.rs",
    "fuzz/fuzz_targets/json_messages.rs",
    "fuzz/seeds/json_messages/messages.json",
]
TRANSPORT_CRATES = {
    "websocket": ["tokio-tungstenite", "rustls"],
    "kafka": ["rskafka"],
}
LIVE_CRATES = ["tokio", "serde_json"]
# A third of them read and write Parquet, with and without the WebSocket transport.
PARQUET = {(i, o) for i, o in COMBINATIONS if (2 * TYPES.index(i) + TYPES.index(o)) % 3 == 0}
PARQUET_FILES = [
    "core/src/parquet/reader.rs",
    "core/src/parquet/writer.rs",
    "tests/test_parquet.py",
    "fuzz/fuzz_targets/parquet_file.rs",
    "fuzz/write_seeds.py",
]


def text_files(project: Path) -> list[Path]:
    return [p for p in project.rglob("*") if p.is_file() and p.suffix not in {".so", ".parquet"}]


@pytest.fixture(scope="module", params=COMBINATIONS, ids=[f"{i}-to-{o}" for i, o in COMBINATIONS])
def rendered(request: pytest.FixtureRequest, copie_session) -> Path:
    input_type, output_type = request.param
    transport = TRANSPORT[request.param]
    parquet = request.param in PARQUET
    answers = {"input_type": input_type, "output_type": output_type, "transport": transport, "parquet": parquet}
    result = copie_session.copy(extra_answers=answers)
    assert result.exit_code == 0, result.exception
    return result.project_dir


def test_files_present(rendered: Path) -> None:
    missing = [name for name in EXPECTED_FILES if not (rendered / name).is_file()]
    assert missing == []


def test_only_the_chosen_transport_is_rendered(rendered: Path) -> None:
    answers = (rendered / ".copier-answers.yml").read_text()
    chosen = next(name for name in TRANSPORTS if f"transport: {name}" in answers)
    manifests = (rendered / "Cargo.toml").read_text() + (rendered / "core/Cargo.toml").read_text()
    lock = (rendered / "Cargo.lock").read_text()
    for transport, files in TRANSPORT_FILES.items():
        wanted = transport == chosen
        assert [(rendered / name).is_file() for name in files] == [wanted] * len(files), transport
        for crate in TRANSPORT_CRATES[transport]:
            assert (f"\n{crate} = " in manifests) == wanted, crate
            assert (f'name = "{crate}"' in lock) == wanted, crate
    live = chosen != "none"
    assert [(rendered / name).is_file() for name in LIVE_FILES] == [live] * len(LIVE_FILES)
    for crate in LIVE_CRATES:
        assert (f"\n{crate} = " in manifests) == live, crate
        assert (f'name = "{crate}"' in lock) == live, crate


def test_parquet_only_when_asked(rendered: Path) -> None:
    parquet = "parquet: true" in (rendered / ".copier-answers.yml").read_text()
    assert [(rendered / name).is_file() for name in PARQUET_FILES] == [parquet] * len(PARQUET_FILES)
    manifest = (rendered / "core/Cargo.toml").read_text()
    lock = (rendered / "Cargo.lock").read_text()
    for crate in ("parquet", "arrow-array", "arrow-schema"):
        assert (f'name = "{crate}"' in lock) == parquet, crate
    assert ("\nparquet = " in manifest) == parquet
    adapters = (rendered / "csp_adapter_acme/adapters.py").read_text()
    assert ("class ParquetFile" in adapters) == parquet


def test_no_jinja_left(rendered: Path) -> None:
    # `${{ ... }}` is a GitHub Actions expression, not Jinja.
    leftovers = [
        str(p.relative_to(rendered))
        for p in text_files(rendered)
        if p.suffix == ".jinja" or re.search(r"(?<!\$)\{\{|\{%", p.read_text(errors="replace"))
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
    python_name = {"struct": "AcmeRecord"}
    input_name = python_name.get(input_type, input_type)
    output_name = python_name.get(output_type, output_type)
    assert f"ts[{input_name}]" in adapters and f"ts[{output_name}]" in adapters
    assert f"pushes `ts[{input_name}]`" in (rendered / "README.md").read_text()
    demo = (rendered / "csp_adapter_acme/demo.py").read_text()
    assert ("def convert(" in demo) == (input_type != output_type)
    has_record = "struct" in (input_type, output_type)
    assert (rendered / "src/record.rs").is_file() == has_record
    assert (rendered / "csp_adapter_acme/records.py").is_file() == has_record
    assert ("mod record;" in (rendered / "src/lib.rs").read_text()) == has_record


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
    # The fuzz crate is a workspace of its own (its sources include src/ files).
    fuzz = [str(path) for path in (rendered / "fuzz").rglob("*.rs")]
    rustfmt = [require("rustfmt"), "--check", "--edition", "2024", *fuzz]
    completed = subprocess.run(rustfmt, cwd=rendered, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_python_is_ruff_clean(rendered: Path) -> None:
    ruff = [sys.executable, "-m", "ruff"]
    check = subprocess.run([*ruff, "check", "."], cwd=rendered, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = subprocess.run([*ruff, "format", "--check", "."], cwd=rendered, capture_output=True, text=True, check=False)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


# (id, struct_fields, the Rust fields, the fields that may be unset)
FIELD_LISTS = [
    (
        "default",
        None,
        ["symbol: String", "price: f64", "size: i64", "time: DateTime", "flag: Option<bool>", "age: Option<TimeDelta>"],
        {"flag", "age"},
    ),
    ("one-field", "px:float", ["px: f64"], set()),
    (
        "all-optional",
        "a:bool?,b:int?,c:float?,d:str?,e:datetime?,f:timedelta?",
        [
            "a: Option<bool>",
            "b: Option<i64>",
            "c: Option<f64>",
            "d: Option<String>",
            "e: Option<DateTime>",
            "f: Option<TimeDelta>",
        ],
        set("abcdef"),
    ),
    (
        "spaces-and-digits",
        "  bid_2 : float ,ask_2:float?,  venue_id:str ",
        ["bid_2: f64", "ask_2: Option<f64>", "venue_id: String"],
        {"ask_2"},
    ),
    ("no-time-types", "id:int, ok:bool", ["id: i64", "ok: bool"], set()),
    (
        "long-names",
        f"{'x' * 40}:timedelta?, {'y' * 40}:str",
        [f"{'x' * 40}: Option<TimeDelta>", f"{'y' * 40}: String"],
        {"x" * 40},
    ),
]


@pytest.mark.parametrize(("fields", "rust", "optional"), [f[1:] for f in FIELD_LISTS], ids=[f[0] for f in FIELD_LISTS])
def test_record_fields_render_into_both_languages(
    copie_session, fields: str | None, rust: list[str], optional: set[str]
) -> None:
    answers = {"input_type": "struct", "output_type": "struct", "struct_name": "Quote2L"}
    if fields is not None:
        answers["struct_fields"] = fields
    if "x" * 40 in optional:
        # The longest names each question allows.
        answers |= {"project_name": "p" * 60, "adapter_name": "A" + "b" * 39, "struct_name": "Quote2L" + "Q" * 33}
    result = copie_session.copy(extra_answers=answers)
    assert result.exit_code == 0, result.exception
    project = result.project_dir
    record = (project / "src/record.rs").read_text()
    assert re.findall(r"^ {8}pub (\w+: [\w<>]+),$", record, flags=re.MULTILINE) == rust
    package = re.search(r"package_name: (\w+)", (project / ".copier-answers.yml").read_text()).group(1)
    records = (project / package / "records.py").read_text()
    tree = ast.parse(records)
    namespace: dict[str, object] = {}
    exec(compile(tree, "records.py", "exec"), namespace)  # noqa: S102 - our own rendering
    assert set(namespace["OPTIONAL_FIELDS"]) == optional  # type: ignore[arg-type]
    struct = namespace[answers["struct_name"]]
    names = [entry.split(":")[0] for entry in rust]
    assert list(struct.metadata()) == names  # type: ignore[attr-defined]
    fmt = subprocess.run([require("cargo"), "fmt", "--all", "--check"], cwd=project, capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    ruff = [sys.executable, "-m", "ruff"]
    for args in (["check", "."], ["format", "--check", "."]):
        completed = subprocess.run([*ruff, *args], cwd=project, capture_output=True, text=True, check=False)
        assert completed.returncode == 0, completed.stdout + completed.stderr


FORMAT_CASES = {
    "default": {},
    "struct": {"input_type": "struct", "output_type": "float"},
    "maturin": {"build_backend": "maturin"},
    "websocket": {"transport": "websocket", "input_type": "struct", "output_type": "timedelta"},
    "kafka": {"transport": "kafka", "input_type": "datetime", "output_type": "struct"},
    "parquet": {"parquet": True, "input_type": "struct", "output_type": "struct"},
}


@pytest.mark.parametrize("answers", FORMAT_CASES.values(), ids=FORMAT_CASES.keys())
def test_make_format_changes_nothing_in_a_fresh_rendering(copie_session, answers: dict[str, str]) -> None:
    result = copie_session.copy(extra_answers=answers)
    assert result.exit_code == 0, result.exception
    project = result.project_dir

    # Tool caches (.ruff_cache) are .gitignored: only the project's own files count.
    def own_files() -> dict[Path, bytes]:
        return {path: path.read_bytes() for path in text_files(project) if ".ruff_cache" not in path.parts}

    before = own_files()
    make = [require("make"), "format", f"PY={sys.executable}"]
    completed = subprocess.run(make, cwd=project, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    after = own_files()
    assert sorted(map(str, after)) == sorted(map(str, before)), "make format added or removed files"
    assert [str(path) for path in before if after[path] != before[path]] == []


@pytest.mark.parametrize("backend", ["hatch-rs", "maturin"])
def test_build_backend_choice(copie_session, backend: str) -> None:
    """hatch-rs: hatchling with the hatch-rs hook, and hatch_build.py pinning
    the csp of the build; maturin: maturin naming the extension module."""
    result = copie_session.copy(extra_answers={"build_backend": backend})
    assert result.exit_code == 0, result.exception
    project = result.project_dir
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert "csp>=0.18.0" in pyproject["build-system"]["requires"]
    if backend == "hatch-rs":
        assert pyproject["build-system"]["build-backend"] == "hatchling.build"
        assert pyproject["project"]["dynamic"] == ["dependencies"]
        assert pyproject["tool"]["hatch"]["build"]["hooks"]["hatch-rs"]["module"] == "csp_adapter_acme"
        assert (project / "hatch_build.py").is_file()
    else:
        assert pyproject["build-system"]["build-backend"] == "maturin"
        assert pyproject["tool"]["maturin"]["module-name"] == "csp_adapter_acme._native"
        assert "hatch" not in pyproject["tool"] and not (project / "hatch_build.py").exists()
