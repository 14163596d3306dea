"""Build-time metadata: the package requires exactly the csp it is built against.

csp_api/build.rs compiles the C++ bridge against the csp of the interpreter
named by PYO3_PYTHON (else PYTHON_SYS_EXECUTABLE, else python3 on PATH); this
hook asks the same interpreter, so the wheel's requirement and the bridge agree.
"""

import os
import shutil
import subprocess
import sys
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

OLDEST_CSP = (0, 18, 0)


def build_python() -> str:
    for name in ("PYO3_PYTHON", "PYTHON_SYS_EXECUTABLE"):
        if os.environ.get(name):
            return os.environ[name]
    return shutil.which("python3") or sys.executable


def build_csp_version() -> str:
    python = build_python()
    probe = subprocess.run(
        [python, "-c", "import csp; print(csp.__version__)"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        raise RuntimeError(f"{python} cannot import csp, which the extension is built against:\n{probe.stderr}")
    version = probe.stdout.strip()
    release = tuple(int(part) for part in version.split(".")[:3] if part.isdigit())
    if release < OLDEST_CSP:
        raise RuntimeError(f"csp {version} is too old: the extension needs csp 0.18.0 or newer")
    return version


class CspPin(MetadataHookInterface):
    """Sets ``dependencies`` to ``csp==<the version found at build time>``."""

    def update(self, metadata: dict[str, Any]) -> None:
        metadata["dependencies"] = [f"csp=={build_csp_version()}"]
