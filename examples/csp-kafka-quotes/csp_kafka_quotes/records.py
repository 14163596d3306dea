"""The record the adapters carry: ``KafkaQuotesRecord``.

Rust declares the same record in ``src/record.rs``. To add a field, add it
here and there (same name, same type). Fields the Rust record declares as
``Option`` may be left unset; every other field must be set in a record that
reaches Rust.
"""

import csp

__all__ = ["KafkaQuotesRecord"]

#: Fields that may be unset (``Option`` in the Rust record).
OPTIONAL_FIELDS: frozenset[str] = frozenset({"venue"})


class KafkaQuotesRecord(csp.Struct):
    """A record of the feed."""

    bid: float
    ask: float
    size: int
    venue: str
