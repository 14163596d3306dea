"""`copier update` works from a rendered project's answers file."""

import shutil
import subprocess
from pathlib import Path

import copier
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
