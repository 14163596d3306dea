"""A csp adapter written in Rust

Rust adapters for csp: ``KafkaQuotesAdapterManager(source, sink=None, paced=False)``
with ``subscribe(symbol)`` (Rust push input adapters fed by the manager's
source), ``publish(x, symbol)`` (a Rust output adapter) and ``status()``.
"""

from . import _build  # first: refuses to load the extension under another csp version
from .adapters import (
    Kafka,
    KafkaQuotesAdapterManager,
    Synthetic,
)
from .demo import demo_value
from .records import KafkaQuotesRecord

__all__ = [
    "Kafka",
    "KafkaQuotesAdapterManager",
    "KafkaQuotesRecord",
    "Synthetic",
    "demo_value",
]

del _build
