"""Check results as a JSON document (schema "stateline.check", version 1).

The document is deterministic except for the `seconds` and `peak_memory_mb`
statistics: keys are written in a fixed order and values as strings in the
spec's own syntax.
"""

from __future__ import annotations

import json

from .. import __version__
from ..printable import json_safe
from ..models.verdict import CheckResult
from ..models.trace import Message, Trace

SCHEMA = "stateline.check"
SCHEMA_VERSION = 1


def _message(m: Message) -> dict:
    out = {"shown": m.shown, "type": m.type, "fields": dict(m.fields)}
    if m.to is not None:
        out["to"] = m.to
    return out


def trace_json(t: Trace) -> dict:
    return {
        "length": len(t.steps),
        "loop_start": t.loop_start,
        "initial": dict(t.initial),
        "steps": [{
            "number": s.number,
            "action": s.action,
            "process": s.process,
            "node": s.node,
            "params": dict(s.params),
            "received": _message(s.received) if s.received else None,
            "sent": [_message(m) for m in s.sent],
            "changes": [_change(c) for c in s.changes],
        } for s in t.steps],
        "nodes": list(t.nodes),
    }


def _change(c) -> dict:
    out = {"variable": c.variable, "old": c.old, "new": c.new}
    if c.appended is not None:          # a recorded history: the events this step added
        out["appended"] = c.appended
    return out


def _stats(r: CheckResult) -> dict:
    out = {
        "states": r.stats.states,
        "transitions": r.stats.transitions,
        "depth": r.stats.depth,
        "seconds": round(r.stats.seconds, 3),
        "peak_memory_mb": round(r.stats.peak_memory_mb, 1),
    }
    if r.stats.bytes_per_state is not None:       # --fingerprints
        out["fingerprints"] = {"bytes_per_state": round(r.stats.bytes_per_state, 1),
                               "collision_probability": r.stats.collision_probability}
    return out


def result_json(r: CheckResult) -> dict:
    out = _result_json(r)
    if r.coverage is not None:        # check --coverage
        out["coverage"] = [{"action": c.action, "enabled": c.enabled, "distinct": c.distinct}
                           for c in r.coverage]
    return out


def _result_json(r: CheckResult) -> dict:
    return {
        "spec": r.spec,
        "path": r.path,
        "check": r.check,
        "engine": r.engine,
        "constants": dict(r.constants),
        "deadlock_checked": not r.allow_deadlock,
        "stop_reason": r.stop.value,
        "warnings": list(r.warnings),
        "stats": _stats(r),
        "properties": [{
            "name": v.prop,
            "kind": v.kind,
            "expected": v.expected,
            "result": v.status.value,
            "met": v.met,
            "trace": trace_json(v.trace) if v.trace is not None else None,
        } for v in r.verdicts],
        "error": None if r.failure is None else {
            "code": r.failure.diagnostic.code,
            "message": r.failure.diagnostic.message,
            "location": str(r.failure.diagnostic.span) if r.failure.diagnostic.span else None,
            "trace": trace_json(r.failure.trace) if r.failure.trace is not None else None,
        },
    }


def document(results: list[CheckResult], exit_code: int) -> dict:
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "stateline": __version__,
        "exit_code": exit_code,
        "results": [result_json(r) for r in results],
    }


def dumps(results: list[CheckResult], exit_code: int) -> str:
    return json_safe(json.dumps(document(results, exit_code), indent=2, ensure_ascii=False)) \
        + "\n"
