"""Write schemas/stateline.trace-validation.v1.schema.json
(run: python schemas/make_validation_schema.py).

The document of `stateline trace validate --json` carries each matched behaviour as a
trace of the check document, each step with the span it matched; the trace, step and
message objects are copied from stateline.check.v1.schema.json so the schemas of the
family cannot drift apart (tests/test_trace_validate.py checks the file is what this
script writes, and validates the command's output against it).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

HERE = Path(__file__).parent
VERDICTS = ["conforms", "does not conform", "unknown"]
STOPS = ["complete", "max-states", "max-seconds", "interrupted"]


def _event() -> dict:
    return {
        "description": "a span that is an event: where it is, and the step it claims",
        "type": "object",
        "additionalProperties": False,
        "required": ["file", "trace_id", "span_id", "name", "service", "step"],
        "properties": {
            "file": {"type": "string"},
            "trace_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "span_id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
            "name": {"type": "string"},
            "service": {"type": "string"},
            "step": {"type": "string", "description": "e.g. `RM[2].vote(yes=true)`"},
        },
    }


def schema() -> dict:
    check = json.loads((HERE / "stateline.check.v1.schema.json").read_text())
    defs = check["$defs"]
    step = copy.deepcopy(defs["step"])
    step["required"].append("span_id")
    step["properties"]["span_id"] = {
        "type": ["string", "null"],
        "description": "the span this step matched; null for an unobserved (internal) step"}
    trace = copy.deepcopy(defs["trace"])
    count = {"type": "integer", "minimum": 0}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:stateline:schema:stateline.trace-validation:1",
        "title": "stateline.trace-validation, version 1",
        "description": "The document `stateline trace validate --json FILE` writes "
                       "(stateline/validation/report.py). The same family as stateline.check: "
                       "the same top level and trace objects. Every field is always present. "
                       "Deterministic except the `seconds` fields. A change that removes or "
                       "renames a field, or changes a type, needs version 2; adding an "
                       "optional field does not.",
        "type": "object",
        "additionalProperties": False,
        "required": ["schema", "version", "stateline", "spec", "path", "check", "constants",
                     "files", "exit_code", "traces"],
        "properties": {
            "schema": {"const": "stateline.trace-validation"},
            "version": {"const": 1},
            "stateline": check["properties"]["stateline"],
            "spec": {"type": "string"},
            "path": {"type": "string"},
            "check": {"type": "string"},
            "constants": {"$ref": "#/$defs/strings"},
            "files": {"type": "array", "items": {"type": "string"}},
            "exit_code": check["properties"]["exit_code"],
            "traces": {"type": "array", "items": {"$ref": "#/$defs/result"}},
        },
        "$defs": {
            "strings": defs["strings"],
            "result": {
                "description": "one trace (the spans of every file with one trace id)",
                "type": "object",
                "additionalProperties": False,
                "required": ["trace_id", "verdict", "stop_reason", "events", "matched",
                             "unmapped", "chains", "configurations", "seconds",
                             "internal_actions", "behaviour", "initial_state_mismatch",
                             "unmatched", "next_events", "reachable_states", "violations"],
                "properties": {
                    "trace_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
                    "verdict": {"enum": VERDICTS},
                    "stop_reason": {"enum": STOPS},
                    "events": count,
                    "matched": count,
                    "unmapped": count,
                    "chains": count,
                    "configurations": count,
                    "seconds": {"type": "number", "minimum": 0},
                    "internal_actions": {"type": "array", "items": {"type": "string"}},
                    "behaviour": {
                        "description": "the matched behaviour, or the longest matched prefix; "
                                       "null when no initial state agrees with the trace",
                        "oneOf": [{"type": "null"}, {"$ref": "#/$defs/trace"}]},
                    "initial_state_mismatch": {"type": "array", "items": {"type": "string"}},
                    "unmatched": {"type": "array", "items": {
                        "description": "an event that could come next after the prefix, and "
                                       "why no step of the spec matches it",
                        "type": "object", "additionalProperties": False,
                        "required": ["event", "states_examined", "reasons"],
                        "properties": {
                            "event": {"$ref": "#/$defs/event"},
                            "states_examined": count,
                            "reasons": {"type": "array", "items": {
                                "type": "object", "additionalProperties": False,
                                "required": ["reason", "states"],
                                "properties": {"reason": {"type": "string"},
                                               "states": count}}}}}},
                    "next_events": {"type": "array", "items": {"$ref": "#/$defs/event"}},
                    "reachable_states": count,
                    "violations": {"type": "array", "items": {
                        "type": "object", "additionalProperties": False,
                        "required": ["name", "kind", "expected", "step"],
                        "properties": {
                            "name": {"type": "string"},
                            "kind": {"enum": ["invariant", "transition"]},
                            "expected": {"enum": ["holds", "violated"]},
                            "step": {"type": "integer", "minimum": 0,
                                     "description": "the first state (0: initial) or step "
                                                    "where it fails"}}}},
                },
            },
            "event": _event(),
            "trace": trace,
            "step": step,
            "message": defs["message"],
        },
    }


def text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    (HERE / "stateline.trace-validation.v1.schema.json").write_text(text())
