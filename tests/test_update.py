"""`copier update` works from a rendered project's answers file."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import copier
import pytest
from conftest import ROOT

GIT = ["git", "-c", "user.name=Template Test", "-c", "user.email=test@example.com"]


def commit_all(project: Path) -> None:
    subprocess.run([*GIT, "init", "--quiet"], cwd=project, check=True)
    subprocess.run([*GIT, "add", "--all"], cwd=project, check=True)
    subprocess.run([*GIT, "commit", "--quiet", "--message", "rendered"], cwd=project, check=True)


def clean_template(tmp_path: Path) -> Path:
    """The template as it is now (committed or not), as a clean git repository."""
    template = tmp_path / "template-repo"
    shutil.copytree(ROOT / "template", template / "template")
    shutil.copy2(ROOT / "copier.yml", template / "copier.yml")
    commit_all(template)
    return template


def test_update_applies_a_changed_answer(tmp_path: Path) -> None:
    template = clean_template(tmp_path)
    project = tmp_path / "project"
    copier.run_copy(str(template), project, defaults=True, vcs_ref="HEAD", quiet=True)
    commit_all(project)

    copier.run_update(project, data={"output_type": "str"}, defaults=True, overwrite=True, quiet=True)

    assert "output_type: str" in (project / ".copier-answers.yml").read_text()
    demo = (project / "csp_adapter_acme" / "demo.py").read_text()
    assert "def convert(x: ts[int], first: int, step: int) -> ts[str]:" in demo
    assert "pub type OutputValue<'a> = &'a str;" in (project / "src" / "output_adapter.rs").read_text()
    assert "input_type: int" in (project / ".copier-answers.yml").read_text()


def earlier_template(tmp_path: Path) -> tuple[Path, str]:
    """A template repository holding, tagged v1, the template as it was just
    before the last commit that changed its plumbing (csp_api/), and, tagged
    v2, the template as it is now. Returns it and v1's source commit."""
    changed = subprocess.run(
        ["git", "rev-list", "--max-count=1", "HEAD", "--", "template/csp_api"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    earlier = f"{changed}^"
    known = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{earlier}^{{commit}}"], cwd=ROOT, check=False)
    if known.returncode != 0:
        pytest.skip(f"this clone lacks the commit before {changed[:12]} (a shallow clone?): no earlier template")
    template = tmp_path / "template-repo"
    template.mkdir()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", earlier, "template", "copier.yml"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x"], input=archive, cwd=template, check=True)
    commit_all(template)
    subprocess.run([*GIT, "tag", "v1"], cwd=template, check=True)
    shutil.rmtree(template / "template")
    shutil.copytree(ROOT / "template", template / "template")
    shutil.copy2(ROOT / "copier.yml", template / "copier.yml")
    subprocess.run([*GIT, "add", "--all"], cwd=template, check=True)
    subprocess.run([*GIT, "commit", "--quiet", "--message", "v2"], cwd=template, check=True)
    subprocess.run([*GIT, "tag", "v2"], cwd=template, check=True)
    return template, earlier


SOURCE_EDIT = "// Edited by the user: this line stays across copier update.\n"
ADAPTERS_EDIT = (
    '\n\ndef user_helper() -> str:\n    """Written by the user: stays across copier update."""\n    return "kept"\n'
)


@pytest.mark.build
def test_update_across_a_tag_keeps_user_edits(tmp_path: Path, cargo_target_dir: Path) -> None:
    template, _ = earlier_template(tmp_path)
    project = tmp_path / "project"
    answers = {"project_name": "csp-adapter-update-check"}
    copier.run_copy(str(template), project, data=answers, defaults=True, vcs_ref="v1", quiet=True)
    commit_all(project)
    package = project / "csp_adapter_update_check"
    source, adapters = project / "src" / "source.rs", package / "adapters.py"
    source.write_text(SOURCE_EDIT + source.read_text())
    adapters.write_text(adapters.read_text() + ADAPTERS_EDIT)
    subprocess.run([*GIT, "commit", "--quiet", "--all", "--message", "user edits"], cwd=project, check=True)

    copier.run_update(project, vcs_ref="v2", defaults=True, overwrite=True, quiet=True)

    assert "_commit: v2" in (project / ".copier-answers.yml").read_text()
    assert source.read_text().startswith(SOURCE_EDIT) and adapters.read_text().endswith(ADAPTERS_EDIT)
    conflicted = [
        str(p)
        for p in project.rglob("*")
        if p.is_file() and ".git" not in p.parts and "<<<<<<<" in p.read_text(errors="replace")
    ]
    assert conflicted == []
    # The plumbing is v2's, file for file.
    fresh = tmp_path / "fresh"
    copier.run_copy(str(template), fresh, data=answers, defaults=True, vcs_ref="v2", quiet=True)
    for plumbing in ["csp_api", "core"]:
        for path in (fresh / plumbing).rglob("*"):
            if path.is_file():
                updated = project / path.relative_to(fresh)
                assert updated.read_bytes() == path.read_bytes(), f"{updated} is not v2's"
    # Cargo.lock (new since v1) is v2's, and it is up to date.
    assert (project / "Cargo.lock").read_bytes() == (fresh / "Cargo.lock").read_bytes()
    subprocess.run(["cargo", "fetch", "--locked"], cwd=project, check=True, capture_output=True)
    # And the updated project builds and runs.
    env = {**os.environ, "CARGO_TARGET_DIR": str(cargo_target_dir), "PYO3_PYTHON": sys.executable}
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "."]
    subprocess.run(install, cwd=project, env=env, check=True, capture_output=True)
    demo = [sys.executable, "-m", "csp_adapter_update_check", "--count", "1000"]
    completed = subprocess.run(demo, cwd=tmp_path, env=env, check=True, capture_output=True, text=True)
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert (result["pushed"], result["received"], result["mismatches"]) == (1000, 1000, 0)
    helper = [sys.executable, "-c", "import csp_adapter_update_check.adapters as a; print(a.user_helper())"]
    assert subprocess.run(helper, cwd=tmp_path, env=env, capture_output=True, text=True).stdout.strip() == "kept"
