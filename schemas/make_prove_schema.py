"""Write schemas/stateline.prove.v1.schema.json (run: python schemas/make_prove_schema.py).

The prove document shares its trace, step, message and error objects with the
check document; they are copied from stateline.check.v1.schema.json so the two
schemas of the family cannot drift apart (tests/test_prove_json.py checks the
file is what this script writes).
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent
CLAIMS = ["proved", "holds up to the bound", "violated", "not proved", "unknown"]
KINDS = ["invariant", "transition", "deadlock", "temporal", "lemma", "errors", "rank"]


def schema() -> dict:
    check = json.loads((HERE / "stateline.check.v1.schema.json").read_text())
    defs = check["$defs"]
    nullable_trace = {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/trace"}]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:stateline:schema:stateline.prove:1",
        "title": "stateline.prove, version 1",
        "description": "The document `stateline prove --json FILE` writes "
                       "(stateline/render/prove_json.py). The same family as "
                       "stateline.check: the same top level, trace and error objects. Every "
                       "field is always present except `to` on messages. Deterministic except "
                       "the `seconds` fields. A change that removes or renames a field, or "
                       "changes a type, needs version 2; adding an optional field does not.",
        "type": "object",
        "additionalProperties": False,
        "required": ["schema", "version", "stateline", "exit_code", "results"],
        "properties": {
            "schema": {"const": "stateline.prove"},
            "version": {"const": 1},
            "stateline": check["properties"]["stateline"],
            "exit_code": check["properties"]["exit_code"],
            "results": {"type": "array", "items": {"$ref": "#/$defs/result"}},
        },
        "$defs": {
            "strings": defs["strings"],
            "result": {
                "description": "one check block of one spec, run by one engine",
                "type": "object",
                "additionalProperties": False,
                "required": ["spec", "path", "check", "engine", "bound", "constants",
                             "seconds", "depths", "notes", "obligations", "error"],
                "properties": {
                    "spec": {"type": "string"},
                    "path": {"type": "string"},
                    "check": {"type": "string"},
                    "engine": {"enum": ["bmc", "induction", "k-induction", "auto", "l2s"]},
                    "bound": {"type": ["integer", "null"],
                              "description": "K of --bmc K or --k-induction K, else null"},
                    "constants": {"$ref": "#/$defs/strings"},
                    "seconds": {"type": "number", "minimum": 0},
                    "depths": {"type": "array", "items": {
                        "type": "object", "additionalProperties": False,
                        "required": ["depth", "seconds"],
                        "properties": {"depth": {"type": "integer", "minimum": 0},
                                       "seconds": {"type": "number", "minimum": 0}}}},
                    "notes": {"type": "array", "items": {"type": "string"}},
                    "obligations": {"type": "array", "items": {"$ref": "#/$defs/obligation"}},
                    "error": defs["result"]["properties"]["error"],
                },
            },
            "obligation": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "kind", "expected", "claim", "detail", "met", "depth",
                             "trace", "cti", "invariant"],
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"enum": KINDS},
                    "expected": {"enum": ["holds", "violated"]},
                    "claim": {"enum": CLAIMS},
                    "detail": {"type": "string"},
                    "met": {"type": ["boolean", "null"],
                            "description": "is the expectation met (null: no verdict)"},
                    "depth": {"type": ["integer", "null"]},
                    "trace": nullable_trace,
                    "cti": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/cti"}]},
                    "invariant": {"type": ["string", "null"],
                                  "description": "the inductive invariant Spacer found, in "
                                                 "the spec language"},
                },
            },
            "cti": {
                "description": "a counterexample to induction: a state satisfying `assumed` "
                               "(not necessarily reachable) and a step, or a path, breaking "
                               "`breaks`",
                "type": "object",
                "additionalProperties": False,
                "required": ["action", "breaks", "assumed", "why", "violates_dropped",
                             "trace"],
                "properties": {
                    "action": {"type": "string"},
                    "breaks": {"type": "string"},
                    "assumed": {"type": "array", "items": {"type": "string"}},
                    "why": {"type": ["string", "null"]},
                    "violates_dropped": {"type": "array", "items": {"type": "string"}},
                    "instance": {
                        "description": "an any-size proof's CTI: the concrete instance it "
                                       "is shown in, as `-D NAME=VALUE` overrides of `check`",
                        "type": ["string", "null"]},
                    "small_instance_search": {
                        "description": "an any-size proof's CTI: found by searching the "
                                       "instances with few elements per sort (Z3 gave no "
                                       "answer for every size at once within its first "
                                       "limit) rather than for every size",
                        "type": "boolean"},
                    "trace": {"$ref": "#/$defs/trace"},
                },
            },
            "trace": defs["trace"],
            "step": defs["step"],
            "message": defs["message"],
        },
    }


def text() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    (HERE / "stateline.prove.v1.schema.json").write_text(text())
