"""Reading a saved `stateline check --json` document (schema stateline.check, v1).

`load(path)` returns the document after validating it against the JSON Schema
of the format (`schemas/stateline.check.v1.schema.json`, with `jsonschema`), so
that a hand-edited or truncated file is a `DocumentError` naming the JSON path
of the first problem, never a KeyError later.  An ITF trace (as
written by `stateline export --format itf`, Apalache or Quint) is accepted
too: `itf.to_document` turns it into a one-result document.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from . import itf

SCHEMA, VERSION = "stateline.check", 1


class DocumentError(Exception):
    """An input document that cannot be exported; the message says where and why."""


def load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    itf_derived = isinstance(doc, dict) and "states" in doc and "schema" not in doc
    if itf_derived:
        try:
            doc = itf.to_document(doc, path)
        except itf.ItfError as exc:
            raise DocumentError(f"{path}: {exc}") from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # A value of a shape ITF does not have (a #map entry that is not a pair, ...).
            raise DocumentError(f"{path}: not a readable ITF trace: {type(exc).__name__}: "
                                f"{exc}") from None
    problem = validate(doc, itf_derived)
    if problem:
        raise DocumentError(f"{path}: {problem}")
    return doc


# The JSON Schema of `stateline check --json` (a copy of schemas/; a test keeps them equal).
SCHEMA_FILE = "stateline.check.v1.schema.json"


@functools.cache
def _validators():
    import jsonschema        # here: only `export` reads documents, `check` need not load it

    schema = json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text("utf-8"))
    trace = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/trace"}
    return jsonschema.Draft202012Validator(schema), jsonschema.Draft202012Validator(trace)


def validate(doc, itf_derived: bool = False) -> str | None:
    """The first problem of a document against its JSON Schema, as "$.path: what", or None.

    An ITF trace read into a document has no run statistics: only its traces are
    validated (against the schema's trace definition).  Two rules the schema cannot
    say are checked by hand: steps are numbered 1, 2, ... and `loop_start` is a state.
    """
    # Which document this is, first: another JSON file gets one clear line, not its
    # every difference from the schema.
    if not isinstance(doc, dict):
        return "$: not a JSON object"
    if doc.get("schema") != SCHEMA:
        return f"$.schema: expected '{SCHEMA}' (the output of `stateline check --json`)"
    if doc.get("version") != VERSION:
        return f"$.version: expected {VERSION}, got {doc.get('version')!r}"
    document, trace = _validators()
    if not itf_derived:
        problem = _first(document, doc, "$")
        if problem:
            return problem
    for i, r in enumerate(doc["results"]):
        traces = [(f"$.results[{i}].properties[{j}].trace", p.get("trace"))
                  for j, p in enumerate(r["properties"])]
        traces.append((f"$.results[{i}].error.trace", (r.get("error") or {}).get("trace")))
        for at, t in traces:
            if t is None:
                continue
            problem = (_first(trace, t, at) if itf_derived else None) or _numbering(t, at)
            if problem:
                return problem
    return None


def _first(validator, instance, at: str) -> str | None:
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(instance))
    if error is None:
        return None
    where = at + error.json_path[1:]
    if error.validator == "required":
        missing = next((k for k in error.validator_value if k not in error.instance), "")
        return f"{where}.{missing}: missing"
    return f"{where}: {error.message}"


def check(doc) -> str | None:
    """The first problem of a `stateline check --json` document, as "$.path: what", or None."""
    return validate(doc)


def _numbering(t: dict, at: str) -> str | None:
    loop = t.get("loop_start")
    if loop is not None and not 0 <= loop <= len(t["steps"]):
        return f"{at}.loop_start: expected null or a state index 0..{len(t['steps'])}"
    for k, s in enumerate(t["steps"]):
        if s["number"] != k + 1:
            return f"{at}.steps[{k}].number: expected {k + 1}, got {s['number']}"
    return None


# The JSON Schema of `stateline check --json` (a copy of schemas/; a test keeps them equal).
SCHEMA_FILE = "stateline.check.v1.schema.json"


@functools.cache
def _validators():
    import jsonschema        # here: only `export` reads documents, `check` need not load it

    schema = json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text("utf-8"))
    trace = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/trace"}
    return jsonschema.Draft202012Validator(schema), jsonschema.Draft202012Validator(trace)


def validate(doc, itf_derived: bool = False) -> str | None:
    """The first problem of a document against its JSON Schema, as "$.path: what", or None.

    An ITF trace read into a document has no run statistics: only its traces are
    validated (against the schema's trace definition).  Two rules the schema cannot
    say are checked by hand: steps are numbered 1, 2, ... and `loop_start` is a state.
    """
    # Which document this is, first: another JSON file gets one clear line, not its
    # every difference from the schema.
    if not isinstance(doc, dict):
        return "$: not a JSON object"
    if doc.get("schema") != SCHEMA:
        return f"$.schema: expected '{SCHEMA}' (the output of `stateline check --json`)"
    if doc.get("version") != VERSION:
        return f"$.version: expected {VERSION}, got {doc.get('version')!r}"
    document, trace = _validators()
    if not itf_derived:
        problem = _first(document, doc, "$")
        if problem:
            return problem
    for i, r in enumerate(doc["results"]):
        traces = [(f"$.results[{i}].properties[{j}].trace", p.get("trace"))
                  for j, p in enumerate(r["properties"])]
        traces.append((f"$.results[{i}].error.trace", (r.get("error") or {}).get("trace")))
        for at, t in traces:
            if t is None:
                continue
            problem = (_first(trace, t, at) if itf_derived else None) or _numbering(t, at)
            if problem:
                return problem
    return None


def _first(validator, instance, at: str) -> str | None:
    from jsonschema.exceptions import best_match

    error = best_match(validator.iter_errors(instance))
    if error is None:
        return None
    where = at + error.json_path[1:]
    if error.validator == "required":
        missing = next((k for k in error.validator_value if k not in error.instance), "")
        return f"{where}.{missing}: missing"
    return f"{where}: {error.message}"


def check(doc) -> str | None:
    """The first problem of a `stateline check --json` document, as "$.path: what", or None."""
    return validate(doc)


def _numbering(t: dict, at: str) -> str | None:
    loop = t.get("loop_start")
    if loop is not None and not 0 <= loop <= len(t["steps"]):
        return f"{at}.loop_start: expected null or a state index 0..{len(t['steps'])}"
    for k, s in enumerate(t["steps"]):
        if s["number"] != k + 1:
            return f"{at}.steps[{k}].number: expected {k + 1}, got {s['number']}"
    return None


def _is(value, kind) -> bool:
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def check(doc) -> str | None:
    """The first problem of a document, as "$.path: what", or None."""
    if not isinstance(doc, dict):
        return "$: not a JSON object"
    if doc.get("schema") != SCHEMA:
        return f"$.schema: expected '{SCHEMA}' (the output of `stateline check --json`)"
    if doc.get("version") != VERSION:
        return f"$.version: expected {VERSION}, got {doc.get('version')!r}"
    if not _is(doc.get("results"), list):
        return "$.results: expected an array"
    for i, r in enumerate(doc["results"]):
        at = f"$.results[{i}]"
        problem = _fields(r, at, {"spec": str, "check": str, "constants": dict,
                                  "properties": list})
        problem = problem or _strings(r["constants"], f"{at}.constants")
        if not problem and r.get("path") is not None and not _is(r["path"], str):
            problem = f"{at}.path: expected a string or null"
        if problem:
            return problem
        for j, p in enumerate(r["properties"]):
            pa = f"{at}.properties[{j}]"
            problem = _fields(p, pa, {"name": str, "kind": str, "expected": str, "result": str})
            if problem or p.get("trace") is None:
                if problem:
                    return problem
                continue
            problem = check_trace(p["trace"], f"{pa}.trace")
            if problem:
                return problem
        error = r.get("error")
        if error is not None:
            problem = _fields(error, f"{at}.error", {"code": str, "message": str})
            if problem:
                return problem
            if error.get("trace") is not None:
                problem = check_trace(error["trace"], f"{at}.error.trace")
                if problem:
                    return problem
    return None


def check_trace(t, at: str) -> str | None:
    problem = _fields(t, at, {"initial": dict, "steps": list}) or \
        _strings(t["initial"], f"{at}.initial")
    if problem:
        return problem
    loop = t.get("loop_start")
    if loop is not None and (not _is(loop, int) or not 0 <= loop <= len(t["steps"])):
        return f"{at}.loop_start: expected null or a state index 0..{len(t['steps'])}"
    for k, s in enumerate(t["steps"]):
        sa = f"{at}.steps[{k}]"
        problem = _fields(s, sa, {"number": int, "action": str, "node": str, "params": dict,
                                  "sent": list, "changes": list})
        if problem:
            return problem
        problem = _strings(s["params"], f"{sa}.params")
        if problem:
            return problem
        if s["number"] != k + 1:
            return f"{sa}.number: expected {k + 1}, got {s['number']}"
        if s.get("process") is not None and not _is(s["process"], str):
            return f"{sa}.process: expected a string or null"
        messages = [(f"{sa}.sent[{n}]", m) for n, m in enumerate(s["sent"])]
        if s.get("received") is not None:
            messages.append((f"{sa}.received", s["received"]))
        for ma, m in messages:
            problem = _fields(m, ma, {"shown": str, "type": str, "fields": dict}) or \
                _strings(m["fields"], f"{ma}.fields")
            if not problem and m.get("to") is not None and not _is(m["to"], str):
                problem = f"{ma}.to: expected a string or null"
            if problem:
                return problem
        for n, c in enumerate(s["changes"]):
            problem = _fields(c, f"{sa}.changes[{n}]", {"variable": str, "old": str, "new": str})
            if problem:
                return problem
    return None


def _strings(obj: dict, at: str) -> str | None:
    """Shown values are strings (the spec's own syntax)."""
    for key, value in obj.items():
        if not isinstance(value, str):
            return f"{at}.{key}: expected a string (a value as the spec shows it)"
    return None


def _fields(obj, at: str, kinds: dict) -> str | None:
    if not isinstance(obj, dict):
        return f"{at}: expected a JSON object"
    for key, kind in kinds.items():
        if key not in obj:
            return f"{at}.{key}: missing"
        if not _is(obj[key], kind):
            return f"{at}.{key}: expected {'an' if kind is int else 'a'} " \
                   f"{ {str: 'string', int: 'integer', dict: 'object', list: 'array'}[kind]}"
    return None
