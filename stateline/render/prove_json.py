"""Proof results as a JSON document (schema "stateline.prove", version 1).

The same family as `stateline check --json` (render/json_out.py): the same
top level (`schema`, `version`, `stateline`, `exit_code`, `results`), the same
trace and error objects, values as strings in the spec's own syntax.  A result
is one check block run by one engine; each obligation says what the engine
claims (`proved`, `holds up to the bound`, `violated`, `not proved`,
`unknown`), with a counterexample (`trace`), a counterexample to induction
(`cti`) or the inductive invariant Spacer found.  Deterministic except for the
`seconds` fields.
"""

from __future__ import annotations

import json

from .. import __version__
from ..models.verdict import ModelFailure
from .json_out import trace_json

SCHEMA = "stateline.prove"
SCHEMA_VERSION = 1


def _error(failure: ModelFailure | None) -> dict | None:
    if failure is None:
        return None
    d = failure.diagnostic
    return {"code": d.code, "message": d.message,
            "location": str(d.span) if d.span else None,
            "trace": trace_json(failure.trace) if failure.trace is not None else None}


def _cti(cti) -> dict | None:
    if cti is None:
        return None
    return {"action": cti.action, "breaks": cti.breaks, "assumed": list(cti.assumed),
            "why": cti.why or None, "violates_dropped": list(cti.violates),
            "instance": cti.instance or None, "small_instance_search": cti.searched,
            "trace": trace_json(cti.trace)}


def result_json(r, bound: int | None) -> dict:
    return {
        "spec": r.spec,
        "path": r.path,
        "check": r.check,
        "engine": r.engine,
        "bound": bound,
        "constants": dict(r.constants),
        "seconds": round(r.seconds, 3),
        "depths": [{"depth": d, "seconds": round(s, 3)} for d, s in r.depths],
        "notes": list(r.notes),
        "obligations": [{
            "name": o.name,
            "kind": o.kind,
            "expected": o.expected,
            "claim": o.claim.value,
            "detail": o.detail,
            "met": o.met,
            "depth": o.depth,
            "trace": trace_json(o.trace) if o.trace is not None else None,
            "cti": _cti(o.cti),
            "invariant": o.invariant,
        } for o in r.obligations],
        "error": _error(r.failure),
    }


def document(results, exit_code: int, bound: int | None = None) -> dict:
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "stateline": __version__,
        "exit_code": exit_code,
        "results": [result_json(r, bound) for r in results],
    }


def dumps(results, exit_code: int, bound: int | None = None) -> str:
    return json.dumps(document(results, exit_code, bound), indent=2, ensure_ascii=False) + "\n"
