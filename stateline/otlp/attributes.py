"""OTLP attribute values (`AnyValue`) to and from plain Python values.

Exported attributes are written in OTLP/JSON form: 64-bit integers as decimal
strings, nested values as `arrayValue` / `kvlistValue`, and a span's or a
resource's attribute list sorted by key (style rule 7).  Imported values come
from the protobuf message and become str, int, float, bool, bytes, list or
dict.
"""

from __future__ import annotations

import base64


def any_value(value) -> dict:
    """A Python value as an OTLP/JSON AnyValue (dicts keep their order)."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, bytes):
        return {"bytesValue": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {"kvlistValue": {"values": [{"key": str(k), "value": any_value(v)}
                                           for k, v in value.items()]}}
    if isinstance(value, (list, tuple)):
        return {"arrayValue": {"values": [any_value(v) for v in value]}}
    raise TypeError(f"no OTLP attribute value for {type(value).__name__}")


def key_values(attrs: dict) -> list[dict]:
    """Attributes as OTLP/JSON KeyValues, sorted by key; None values are left out."""
    return [{"key": k, "value": any_value(attrs[k])} for k in sorted(attrs)
            if attrs[k] is not None]


def from_any(value) -> object:
    """A protobuf AnyValue as a Python value (None when empty)."""
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [from_any(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: from_any(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, kind)


def from_key_values(kvs) -> dict:
    """Protobuf KeyValues as a dict (the last of duplicate keys wins, as in the SDKs)."""
    return {kv.key: from_any(kv.value) for kv in kvs}
