"""The JSON shape of the live transport's messages (``src/messages.rs``) in
Python: what the demo and the tests send and produce."""

from datetime import datetime, timedelta
from typing import Any

import csp

EPOCH = datetime(1970, 1, 1)


def encode(value: Any) -> Any:
    """A value as a message carries it: times as integer nanoseconds."""
    if isinstance(value, datetime):
        return (value - EPOCH) // timedelta(microseconds=1) * 1000
    if isinstance(value, timedelta):
        return value // timedelta(microseconds=1) * 1000
    return value


def message(symbol: str, value: Any) -> dict[str, Any]:
    """The JSON object of one event of ``value`` (``src/messages.rs``)."""
    if isinstance(value, csp.Struct):
        fields = {name: encode(getattr(value, name)) for name in type(value).metadata() if hasattr(value, name)}
        return {**fields, "symbol": symbol}
    return {"symbol": symbol, "value": encode(value)}


def received(symbol: str, value: Any) -> Any:
    """What a subscription ticks for ``message(symbol, value)``: a record's
    ``symbol`` field is the message's symbol."""
    if isinstance(value, csp.Struct) and "symbol" in type(value).metadata():
        value = value.copy()
        value.symbol = symbol
    return value


def decode(typ: type, value: Any) -> Any:
    """A value of a published message, back in Python."""
    if typ is datetime:
        return datetime.fromisoformat(value.removesuffix("Z"))
    if typ is timedelta:
        return timedelta(microseconds=value // 1000)
    if typ is float:
        return float(value)
    return value


def decode_message(typ: Any, data: dict[str, Any]) -> Any:
    """The value of type ``typ`` that a published message carries."""
    if not issubclass(typ, csp.Struct):
        return decode(typ, data["value"])
    record = typ()
    for name, field_type in typ.metadata().items():
        if name in data:
            setattr(record, name, decode(field_type, data[name]))
    return record
