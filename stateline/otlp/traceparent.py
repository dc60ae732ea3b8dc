"""W3C Trace Context `traceparent` headers: encoding and strict decoding.

    traceparent = version "-" trace-id "-" parent-id "-" trace-flags
                  2 hex      32 hex        16 hex         2 hex       (lower case)

The rules implemented (W3C Trace Context, section 3.2 "traceparent header"):

* only lower-case hex digits; version `ff` is invalid;
* version `00` is exactly 55 characters: nothing may follow the flags;
* an all-zero trace-id or parent-id is invalid;
* a higher (future) version is parsed as the spec says: at least 55
  characters, the three version-00 fields in their places, and after the
  flags either the end or a `-` followed by fields this version does not know
  (which are ignored);
* trace-flags are kept whole; bit 0 is "sampled" (bit 1, "random trace-id",
  is Level 2's and is kept as given).

`encode` always writes version 00, the only version this implementation
understands, as the spec requires of a vendor that re-emits a context.
"""

from __future__ import annotations

# Hand-written rather than opentelemetry-api's TraceContextTextMapPropagator: the two
# agree on every header but a trailing newline and tails past 512 characters, where this
# follows the W3C text (tests/test_traceparent_crosscheck.py); it also says why a header
# is refused, and keeps opentelemetry-api a test-only dependency.
import re
from dataclasses import dataclass

_HEX = re.compile(r"[0-9a-f]+\Z")
SAMPLED = 0x01


class TraceParentError(ValueError):
    """A header that must be ignored (the receiver starts a new trace)."""


@dataclass(frozen=True)
class TraceParent:
    trace_id: str            # 32 lower-case hex characters, not all zero
    parent_id: str           # 16 lower-case hex characters, not all zero
    flags: int = SAMPLED     # 0..255
    version: int = 0         # the version the header was written in

    def __post_init__(self):
        _check_id(self.trace_id, 32, "trace-id")
        _check_id(self.parent_id, 16, "parent-id")
        if not 0 <= self.flags <= 0xFF:
            raise TraceParentError(f"trace-flags must be one byte, got {self.flags}")
        if not 0 <= self.version < 0xFF:
            raise TraceParentError(f"version must be 00..fe, got {self.version}")

    @property
    def sampled(self) -> bool:
        return bool(self.flags & SAMPLED)

    def encode(self) -> str:
        return f"00-{self.trace_id}-{self.parent_id}-{self.flags:02x}"


def encode(trace_id: str, span_id: str, sampled: bool = True) -> str:
    """The version-00 header for a span; ids are hex strings (validated)."""
    return TraceParent(trace_id.lower(), span_id.lower(), SAMPLED if sampled else 0).encode()


def decode(header: str) -> TraceParent:
    """Parse a header; raise TraceParentError saying why it must be ignored."""
    if not isinstance(header, str):
        raise TraceParentError("the header is not a string")
    text = header.strip(" \t")                       # optional whitespace around a field value
    if len(text) < 2 or not _HEX.match(text[:2]):
        raise TraceParentError("the version is not two lower-case hex digits")
    version = int(text[:2], 16)
    if version == 0xFF:
        raise TraceParentError("version ff is invalid")
    if len(text) < 55:
        raise TraceParentError(f"too short: {len(text)} characters, at least 55 expected")
    if version == 0 and len(text) != 55:
        raise TraceParentError(f"version 00 is exactly 55 characters, got {len(text)}")
    if text[2] != "-" or text[35] != "-" or text[52] != "-":
        raise TraceParentError("fields must be separated by '-' at positions 3, 36 and 53")
    if len(text) > 55 and text[55] != "-":
        raise TraceParentError("the flags must be followed by the end or by '-'")
    trace_id, parent_id, flags = text[3:35], text[36:52], text[53:55]
    _check_id(trace_id, 32, "trace-id")
    _check_id(parent_id, 16, "parent-id")
    if not _HEX.match(flags):
        raise TraceParentError("trace-flags are not two lower-case hex digits")
    return TraceParent(trace_id, parent_id, int(flags, 16), version)


def _check_id(value: str, size: int, what: str) -> None:
    if not isinstance(value, str) or len(value) != size or not _HEX.match(value):
        raise TraceParentError(f"{what} must be {size} lower-case hex digits, got {value!r}")
    if int(value, 16) == 0:
        raise TraceParentError(f"{what} is all zeros (invalid)")
