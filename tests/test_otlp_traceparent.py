"""W3C `traceparent`: encoding, and decoding that rejects exactly what the spec rejects."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stateline.otlp.traceparent import TraceParent, TraceParentError, decode, encode

TID, SID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
GOOD = f"00-{TID}-{SID}-01"


def test_the_spec_example_round_trips():
    tp = decode(GOOD)
    assert (tp.trace_id, tp.parent_id, tp.flags, tp.version, tp.sampled) == \
        (TID, SID, 1, 0, True)
    assert tp.encode() == GOOD == encode(TID, SID)
    assert encode(TID, SID, sampled=False) == f"00-{TID}-{SID}-00"
    assert decode(f"00-{TID}-{SID}-03").flags == 3          # Level 2's random bit is kept
    assert decode(f"  {GOOD}\t").trace_id == TID             # optional whitespace around


@pytest.mark.parametrize("header, reason", [
    ("", "version"),
    ("0", "version"),
    (f"ff-{TID}-{SID}-01", "version ff"),
    (f"0A-{TID}-{SID}-01", "version"),
    (f"00-{TID.upper()}-{SID}-01", "trace-id"),
    (f"00-{TID}-{SID.upper()}-01", "parent-id"),
    (f"00-{'0' * 32}-{SID}-01", "trace-id is all zeros"),
    (f"00-{TID}-{'0' * 16}-01", "parent-id is all zeros"),
    (f"00-{TID}-{SID}-0g", "trace-flags"),
    (f"00-{TID}-{SID}-1", "too short"),
    (f"00-{TID}-{SID}-01-extra", "exactly 55"),
    (f"00-{TID}-{SID}-010", "exactly 55"),
    (f"00_{TID}-{SID}-01", "separated"),
    (f"00-{TID[:-1]}x-{SID}-01", "trace-id"),
    (f"00-{TID}{SID}--01", "separated"),
    (f"01-{TID}-{SID}-01x", "followed by the end or by '-'"),
    (f"cc-{TID}-{SID}", "too short"),
])
def test_invalid_headers_are_rejected_with_a_reason(header, reason):
    with pytest.raises(TraceParentError, match=reason):
        decode(header)


def test_a_future_version_is_parsed_as_the_spec_says():
    tp = decode(f"cc-{TID}-{SID}-01-what-the-future-holds")
    assert (tp.version, tp.trace_id, tp.parent_id, tp.sampled) == (0xCC, TID, SID, True)
    assert decode(f"01-{TID}-{SID}-00").version == 1
    assert tp.encode() == GOOD                 # re-emitted in the version we understand


def test_constructing_an_invalid_context_fails():
    with pytest.raises(TraceParentError):
        TraceParent("0" * 32, SID)
    with pytest.raises(TraceParentError):
        TraceParent(TID, SID, flags=256)
    with pytest.raises(TraceParentError):
        encode("xyz", SID)


@settings(deadline=None)
@given(st.binary(min_size=16, max_size=16).filter(any),
       st.binary(min_size=8, max_size=8).filter(any), st.integers(0, 255))
def test_encode_decode_round_trip(trace, span, flags):
    tp = TraceParent(trace.hex(), span.hex(), flags)
    assert decode(tp.encode()) == tp


def test_every_exported_span_carries_its_own_traceparent():
    from stateline.otlp import mapping
    from test_otlp_export import PAXOS_LAB, check, spans_by_step
    from stateline.render import json_out
    (cx,) = mapping.counterexamples(json_out.document(check(PAXOS_LAB), 0))
    steps, _, root = spans_by_step(mapping.to_otlp(cx))
    for span in [root, *steps.values()]:
        attrs = {a["key"]: a["value"] for a in span["attributes"]}
        tp = decode(attrs["traceparent"]["stringValue"])
        assert (tp.trace_id, tp.parent_id) == (span["traceId"], span["spanId"])
