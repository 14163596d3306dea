"""A csp adapter written in Rust

Rust adapters for csp: ``AcmeAdapterManager`` with ``subscribe`` (a Rust
push input adapter) and ``publish`` (a Rust output adapter).
"""

from . import _build  # first: refuses to load the extension under another csp version
from ._native import Runtime
from .adapters import (
    AcmeAdapterManager,
    acme_input,
    acme_output,
)
from .demo import demo_value

__all__ = [
    "AcmeAdapterManager",
    "Runtime",
    "demo_value",
    "acme_input",
    "acme_output",
]

del _build
