"""Deterministic trace and span ids, and logical timestamps.

Style rule 7: the same counterexample gives the same bytes.  A trace id is a
hash of what identifies the counterexample (spec, check block, constants,
property and every step of the trace), never of the file path, the clock or a
random source; a span id is a hash of the trace id and the span's role.  The
all-zero ids, which OTLP and W3C trace context reserve as "invalid", are
avoided by construction.
"""

from __future__ import annotations

import datetime
import hashlib
import json

# 2024-01-01T00:00:00Z: the start of every exported counterexample unless the
# caller asks for another base (the CLI's `--otlp-base-time`).
DEFAULT_BASE_TIME_NS = 1_704_067_200 * 1_000_000_000
STEP_NS = 1_000_000          # one logical millisecond per step

_DOMAIN = b"stateline.otlp/1\0"


def _digest(*parts: bytes, size: int) -> bytes:
    h = hashlib.sha256(_DOMAIN)
    for p in parts:
        h.update(len(p).to_bytes(4, "big"))
        h.update(p)
    out = h.digest()[:size]
    if not any(out):                      # all-zero ids are invalid: never emit one
        out = out[:-1] + b"\x01"
    return out


def canonical(value) -> bytes:
    """Stable bytes for JSON-like data: sorted keys, no whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def trace_id(identity: dict) -> str:
    """32 hex characters from the counterexample's identity (JSON-like data)."""
    return _digest(canonical(identity), size=16).hex()


def span_id(trace: str, role: str) -> str:
    """16 hex characters for the span playing `role` ("check", "step 3", ...) in `trace`."""
    return _digest(bytes.fromhex(trace), role.encode("utf-8"), size=8).hex()


def parse_base_time(text: str, now_ns: int | None = None) -> int:
    """`--otlp-base-time`: "now" (needs `now_ns`), an RFC 3339 time, or Unix nanoseconds.

    Raises ValueError with a readable message for anything else.
    """
    text = text.strip()
    if text == "now":
        if now_ns is None:
            raise ValueError("'now' needs the current time")
        return now_ns
    if text.isdigit():
        value = int(text)
    else:
        try:
            stamp = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"expected 'now', an RFC 3339 time such as "
                             f"2024-01-01T00:00:00Z, or Unix nanoseconds; got '{text}'") from None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=datetime.timezone.utc)
        delta = stamp - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        value = (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000
    if not 0 < value < 2 ** 63:
        raise ValueError(f"the base time must be after 1970 and fit in 63 bits; got '{text}'")
    return value
