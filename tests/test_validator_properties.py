"""Random answers to every free-text question: each is either rejected with a
message naming the question, or renders a project whose Python compiles,
whose TOML parses, whose Rust parses (rustfmt) and that ruff passes.

``VALIDATOR_EXAMPLES`` (default 8) answers per question, the same ones every
run (derandomized); ``VALIDATOR_EXAMPLES=200`` and ``VALIDATOR_SEED=random``
search further.
"""

import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import copier
import pytest
from conftest import ROOT, require
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("VALIDATOR_EXAMPLES", "8"))
DERANDOMIZE = os.environ.get("VALIDATOR_SEED") != "random"

FIELD_TYPES = ["bool", "int", "float", "str", "datetime", "timedelta"]
# Text with what breaks generated code: quotes, backslashes, Jinja and TOML
# delimiters, control characters, non-ASCII letters.
AWKWARD = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\"'\\{}%#[]=:,;<>@.-_ \t\n\r\x00\u00e9\u00df\u4e2d\U0001f600")),
        st.characters(codec="utf-8"),
    ),
    max_size=50,
)
FIELD = st.tuples(st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True), st.sampled_from(FIELD_TYPES), st.booleans())
FIELDS = st.lists(FIELD, min_size=1, max_size=5).map(
    lambda fields: ", ".join(f"{name}:{typ}{'?' if optional else ''}" for name, typ, optional in fields)
)

# Per free-text question: random text, and text shaped like a good answer.
QUESTIONS = {
    "project_name": st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True),
    "package_name": st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True),
    "adapter_name": st.from_regex(r"[A-Z][a-zA-Z0-9]{0,20}", fullmatch=True),
    "struct_name": st.from_regex(r"[A-Z][a-zA-Z0-9]{0,20}", fullmatch=True),
    "struct_fields": FIELDS,
    "description": st.text(max_size=60),
    "author_name": st.text(max_size=40),
    "author_email": st.emails(),
    "copyright_year": st.integers(1000, 9999).map(str),
}
# What a question needs from the others to be asked at all.
CONTEXT = {"struct_name": {"input_type": "struct"}, "struct_fields": {"output_type": "struct"}}


def check_rendering(project: Path) -> None:
    """The rendering's Python compiles, its TOML parses, rustfmt parses its Rust and ruff passes it."""
    for path in project.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    for path in project.rglob("*.toml"):
        tomllib.loads(path.read_text(encoding="utf-8"))
    rust = [str(path) for path in project.rglob("*.rs")]
    rustfmt = subprocess.run(
        [require("rustfmt"), "--check", "--edition", "2024", *rust], cwd=project, capture_output=True, text=True
    )
    assert rustfmt.returncode == 0, rustfmt.stdout[-2000:] + rustfmt.stderr[-2000:]
    for ruff in (["check", "--quiet", "."], ["format", "--check", "--quiet", "."]):
        completed = subprocess.run([sys.executable, "-m", "ruff", *ruff], cwd=project, capture_output=True, text=True)
        assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]


def render_or_reject(question: str, answer: str) -> bool:
    """Whether ``answer`` was accepted (and its rendering checked)."""
    answers = {**CONTEXT.get(question, {}), question: answer}
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "out"
        try:
            copier.run_copy(str(ROOT), project, data=answers, defaults=True, vcs_ref="HEAD", quiet=True)
        except ValueError as error:
            assert question in str(error), f"{question}={answer!r} was rejected without naming it: {error}"
            return False
        check_rendering(project)
        return True


@pytest.mark.parametrize("question", list(QUESTIONS))
def test_a_free_text_answer_renders_clean_code_or_is_rejected_by_name(question: str) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=DERANDOMIZE,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(answer=st.one_of(AWKWARD, QUESTIONS[question]))
    def check(answer: str) -> None:
        render_or_reject(question, answer)

    check()


# What the random search found (fixed since): a record name in capitals sorts
# among the constants of an import; a record of optional fields only.
FOUND = [
    ("struct_name", "A0"),
    ("struct_name", "OHLC"),
    ("struct_name", "OPTIONALZ"),
    ("struct_fields", "a:bool?"),
    ("description", "\x08"),
]


@pytest.mark.parametrize(("question", "answer"), FOUND, ids=[f"{q}={a!r}" for q, a in FOUND])
def test_answers_the_search_found_render_clean_or_are_rejected(question: str, answer: str) -> None:
    accepted = render_or_reject(question, answer)
    assert accepted == (question != "description")
