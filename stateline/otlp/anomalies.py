"""Anomaly patterns of single spans (the seed's fault detector, and two more).

| pattern         | severity | a span ...                                                 |
|-----------------|----------|------------------------------------------------------------|
| error_status    | critical | has status ERROR                                           |
| high_latency    | high     | lasts longer than the latency threshold (default 1 s)      |
| retry_storm     | high     | has `retry.count` (or `http.request.resend_count`) above   |
|                 |          | the retry threshold (default 3)                            |
| orphan          | medium   | names a parent span that is not in the file                |
| clock_anomaly   | medium   | starts before its parent starts, or ends before it starts  |

A Stateline counterexample has logical time (1 ms per step), so only
error_status shows up in one; the others are for traces of real systems.
"""

from __future__ import annotations

from dataclasses import dataclass

from .causal import CausalGraph, Key

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
RETRY_ATTRIBUTES = ("retry.count", "http.request.resend_count")


@dataclass(frozen=True)
class Thresholds:
    latency_ns: int = 1_000_000_000
    retries: int = 3


@dataclass(frozen=True)
class Anomaly:
    pattern: str
    severity: str
    span: Key
    description: str


def _count(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def detect(cg: CausalGraph, thresholds: Thresholds = Thresholds()) -> list[Anomaly]:
    """Every anomaly, by severity then span start."""
    out = []
    for key, s in cg.spans.items():
        if s.status == 2:
            why = f": {s.status_message}" if s.status_message else ""
            out.append(Anomaly("error_status", "critical", key, f"status ERROR{why}"))
        if s.end - s.start > thresholds.latency_ns:
            out.append(Anomaly("high_latency", "high", key,
                               f"lasted {(s.end - s.start) / 1e6:,.1f} ms, over the threshold "
                               f"of {thresholds.latency_ns / 1e6:,.1f} ms"))
        for attr in RETRY_ATTRIBUTES:
            n = _count(s.attributes.get(attr))
            if n is not None and n > thresholds.retries:
                out.append(Anomaly("retry_storm", "high", key,
                                   f"{attr} = {n}, over the threshold of {thresholds.retries}"))
        if s.parent_id is not None and (s.trace_id, s.parent_id) not in cg.spans:
            out.append(Anomaly("orphan", "medium", key,
                               f"parent span {s.parent_id} is not in the file"))
        parent = cg.spans.get((s.trace_id, s.parent_id)) if s.parent_id else None
        if s.end < s.start:
            out.append(Anomaly("clock_anomaly", "medium", key,
                               f"ends {(s.start - s.end) / 1e6:,.3f} ms before it starts"))
        if parent is not None and s.start < parent.start:
            out.append(Anomaly("clock_anomaly", "medium", key,
                               f"starts {(parent.start - s.start) / 1e6:,.3f} ms before its "
                               f"parent {parent.span_id}"))
    out.sort(key=lambda a: (SEVERITY_ORDER[a.severity], cg.spans[a.span].start, a.span,
                            a.pattern))
    return out
