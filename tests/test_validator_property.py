"""Random answers to every free-text question either render a project whose
Python parses and is ruff-clean and whose Rust is rustfmt-clean, or are
refused with a message that names the question (hypothesis)."""

import ast
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import copier
import pytest
from conftest import ROOT, require
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Text a user might type: printable ASCII, some letters beyond it, spaces, and
# the characters that break quoting (quotes, backslashes, braces, newlines).
TEXT = st.text(
    alphabet=st.sampled_from(
        [*"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", *" _-.:,?@'\"\\{}%#\n", "é", "ß", "中"]
    ),
    max_size=40,
)
# And answers close to valid ones, so that many render.
NEAR_VALID = st.from_regex(r"[A-Za-z][A-Za-z0-9_ -]{0,30}", fullmatch=True)
QUESTIONS = {
    "project_name": {},
    "package_name": {},
    "adapter_name": {},
    "struct_name": {"input_type": "struct"},
    "struct_fields": {"input_type": "struct"},
    "description": {},
    "author_name": {},
    "author_email": {},
    "copyright_year": {},
}


def check_rendering(project: Path) -> None:
    for path in project.rglob("*.py"):
        ast.parse(path.read_text(), str(path))
    ruff = [sys.executable, "-m", "ruff"]
    for args in (["check", "--quiet", "."], ["format", "--check", "--quiet", "."]):
        completed = subprocess.run([*ruff, *args], cwd=project, capture_output=True, text=True, check=False)
        assert completed.returncode == 0, completed.stdout + completed.stderr
    fmt = subprocess.run([require("cargo"), "fmt", "--all", "--check"], cwd=project, capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_random_answer_renders_clean_code_or_is_refused_by_name(question: str) -> None:
    @settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(answer=st.one_of(TEXT, NEAR_VALID))
    def check(answer: str) -> None:
        out = Path(tempfile.mkdtemp(prefix="property-"))
        try:
            data = {**QUESTIONS[question], question: answer}
            try:
                copier.run_copy(str(ROOT), out / "p", data=data, defaults=True, vcs_ref="HEAD", quiet=True)
            except ValueError as refused:
                assert question in str(refused), f"{answer!r} was refused without naming {question}: {refused}"
                return
            check_rendering(out / "p")
        finally:
            shutil.rmtree(out, ignore_errors=True)

    check()
