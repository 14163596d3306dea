"""The README's `copier copy --defaults` commands work as written."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

TEMPLATE_PLACEHOLDER = "path/to/this/repo"


def readme_copier_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.DOTALL)
    lines = "\n".join(blocks).replace("\\\n", " ").splitlines()
    commands = [line.split("#")[0].strip() for line in lines if line.startswith("copier copy --defaults")]
    assert len(commands) >= 2, "the README should show non-interactive copier commands"
    return commands


@pytest.mark.parametrize("command", readme_copier_commands())
def test_readme_copier_command_renders(tmp_path: Path, command: str) -> None:
    args = shlex.split(command)
    assert args[-2] == TEMPLATE_PLACEHOLDER, "the template comes second to last, the destination last"
    args[-2] = str(ROOT)
    copier = Path(sys.executable).with_name("copier")
    completed = subprocess.run([str(copier), *args[1:]], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    project = tmp_path / args[-1]
    answers = (project / ".copier-answers.yml").read_text()
    for flag, pair in zip(args, args[1:], strict=False):
        if flag == "--data":
            question, answer = pair.split("=", 1)
            assert f"{question}: {answer}\n" in answers
    package = re.search(r"package_name: (\w+)", answers).group(1)
    for path in (project / package).glob("*.py"):
        compile(path.read_text(), str(path), "exec", dont_inherit=True)
