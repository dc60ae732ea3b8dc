"""Check results as SARIF 2.1.0, so code-scanning UIs annotate the spec itself.

Each failed expectation is one `result` located at the property's
declaration in the spec file (deadlock freedom, which has no declaration, at
its check block), with the check block's `expect` line as a related location
and the counterexample twice: as text in the message, and as a `codeFlow`
whose steps point at the declarations of the actions taken.  A run-time
error in the spec is a result at the line the error happened.  Met
expectations and missing verdicts (a bound stopped the search) are not
results; the exit code in `invocations` says whether the run was complete.

Locations come from a `Locator` that the caller builds from the spec's syntax
tree (render reads `models` only); without one, results point at line 1 of the
spec.  Paths relative to the working directory are written relative to
`%SRCROOT%`, as GitHub code scanning expects.  The document is deterministic:
no times, and fingerprints are hashes of spec path, check, property and rule.
The vendored OASIS schema in `schemas/` validates it in the tests.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import PurePath
from typing import Protocol

from .. import __version__
from ..diagnostics import Span
from ..printable import json_safe
from ..models.trace import Step
from ..models.verdict import CheckResult, Status, Verdict
from . import text

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"

RULES = [
    {"id": "property-violated", "name": "PropertyViolated",
     "shortDescription": {"text": "A property expected to hold is violated."},
     "fullDescription": {"text": "The explicit-state search found a reachable behaviour that "
                                 "violates a property the spec expects to hold (an invariant, "
                                 "a transition invariant, deadlock freedom or a temporal "
                                 "property). The result carries the shortest counterexample."},
     "help": {"text": "Read the counterexample: fix the protocol, or, if the violation is "
                      "intended (a teaching lab), write `expect NAME violated` in the check "
                      "block."},
     "defaultConfiguration": {"level": "error"}},
    {"id": "property-not-violated", "name": "PropertyNotViolated",
     "shortDescription": {"text": "A property expected to be violated holds."},
     "fullDescription": {"text": "The check block says `expect NAME violated`, but every "
                                 "reachable state of the instance satisfies the property."},
     "help": {"text": "The bug the spec is meant to show is gone, or the instance is too "
                      "small to show it: change the spec or the expectation."},
     "defaultConfiguration": {"level": "error"}},
    {"id": "run-time-error", "name": "RunTimeError",
     "shortDescription": {"text": "The model raised a run-time error."},
     "fullDescription": {"text": "Evaluating the spec failed in a reachable state: a value "
                                 "outside its declared type, a division by zero, an empty "
                                 "choose, ..."},
     "help": {"text": "The result's location is where the error happened; the message "
                      "carries the behaviour that leads to it."},
     "defaultConfiguration": {"level": "error"}},
]
_RULE_INDEX = {r["id"]: i for i, r in enumerate(RULES)}


class Locator(Protocol):
    """Where things are in the specs (built by the caller from the syntax tree)."""

    def property(self, r: CheckResult, prop: str) -> Span | None: ...

    def expect(self, r: CheckResult, prop: str) -> Span | None: ...

    def action(self, r: CheckResult, step: Step) -> Span | None: ...


def artifact(path: str) -> dict:
    if os.path.isabs(path):
        return {"uri": PurePath(path).as_uri()}
    return {"uri": PurePath(path).as_posix(), "uriBaseId": "%SRCROOT%"}


def physical(span: Span | None, path: str) -> dict:
    region = {"startLine": 1}
    if span is not None and span.line > 0:
        region = {"startLine": span.line, "startColumn": max(1, span.col)}
        if span.end_line >= span.line and span.end_col > 0:
            region["endLine"] = span.end_line
            region["endColumn"] = span.end_col
        path = span.path
    return {"artifactLocation": artifact(path), "region": region}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _code_flow(r: CheckResult, trace, locator: Locator | None) -> dict:
    locations = []
    for step in trace.steps:
        bits = [f"{step.number}. {step.title()}"]
        if step.received is not None:
            bits.append(f"received {step.received.shown}")
        bits.extend(f"sent {m.shown}" + (f" to {m.to}" if m.to else "") for m in step.sent)
        bits.extend(f"{c.variable}: {c.old} -> {c.new}" for c in step.changes)
        loc = {"message": {"text": "; ".join(bits)}}
        span = locator.action(r, step) if locator is not None else None
        if span is not None:
            loc["physicalLocation"] = physical(span, r.path)
        tfl = {"location": loc, "executionOrder": step.number}
        if trace.loop_start is not None and step.number > trace.loop_start:
            tfl["kinds"] = ["loop"]
        locations.append(tfl)
    return {"threadFlows": [{"locations": locations}]} if locations else {}


def _verdict_result(r: CheckResult, v: Verdict, locator: Locator | None) -> dict:
    consts = ", ".join(f"{k}={val}" for k, val in r.constants) or "no constants"
    if v.status is Status.VIOLATED:
        rule = "property-violated"
        head = (f"{v.prop} ({v.kind}) is violated in check {r.check} ({consts}): "
                f"{text.result_text(v, r.stop)}, but the spec expects it to hold.")
        body = "\n\n" + text.counterexample(r, v) if v.trace is not None else ""
    else:
        rule = "property-not-violated"
        head = (f"{v.prop} ({v.kind}) holds in every reachable state of check {r.check} "
                f"({consts}), but the spec expects it to be violated.")
        body = ""
    decl = locator.property(r, v.prop) if locator is not None else None
    result = {
        "ruleId": rule, "ruleIndex": _RULE_INDEX[rule], "level": "error",
        "message": {"text": head + body},
        "locations": [{"physicalLocation": physical(decl, r.path)}],
        "partialFingerprints": {"statelineExpectation/v1": _fingerprint(
            PurePath(r.path).as_posix(), r.check, v.prop, rule)},
        "properties": {"spec": r.spec, "check": r.check, "property": v.prop, "kind": v.kind,
                       "expected": v.expected, "result": v.status.value,
                       "constants": dict(r.constants)},
    }
    expect = locator.expect(r, v.prop) if locator is not None else None
    if expect is not None:
        result["relatedLocations"] = [{
            "id": 1, "physicalLocation": physical(expect, r.path),
            "message": {"text": f"the expectation: {v.prop} {v.expected} in check {r.check}"}}]
    if v.trace is not None and v.trace.steps:
        result["codeFlows"] = [_code_flow(r, v.trace, locator)]
    return result


def _error_result(r: CheckResult, locator: Locator | None) -> dict:
    d = r.failure.diagnostic
    behaviour = ""
    if r.failure.trace is not None:
        behaviour = "\n\nafter this behaviour:\n" + text.trace_text(
            r.failure.trace, "x the error occurs here")
    result = {
        "ruleId": "run-time-error", "ruleIndex": _RULE_INDEX["run-time-error"],
        "level": "error",
        "message": {"text": f"error[{d.code}]: {d.message} (check {r.check})" + behaviour},
        "locations": [{"physicalLocation": physical(d.span, r.path)}],
        "partialFingerprints": {"statelineExpectation/v1": _fingerprint(
            PurePath(r.path).as_posix(), r.check, d.code, "run-time-error")},
        "properties": {"spec": r.spec, "check": r.check, "code": d.code},
    }
    if r.failure.trace is not None and r.failure.trace.steps:
        result["codeFlows"] = [_code_flow(r, r.failure.trace, locator)]
    return result


def document(results: list[CheckResult], exit_code: int,
             locator: Locator | None = None) -> dict:
    out = []
    for r in results:
        for v in r.verdicts:
            if v.met is False:
                out.append(_verdict_result(r, v, locator))
        if r.failure is not None:
            out.append(_error_result(r, locator))
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "Stateline", "version": __version__,
                                "semanticVersion": __version__, "rules": RULES}},
            "invocations": [{"executionSuccessful": exit_code in (0, 1),
                             "exitCode": exit_code}],
            "columnKind": "unicodeCodePoints",
            "results": out,
        }],
    }


def dumps(results: list[CheckResult], exit_code: int, locator: Locator | None = None) -> str:
    return json_safe(json.dumps(document(results, exit_code, locator), indent=2,
                                ensure_ascii=False)) + "\n"
