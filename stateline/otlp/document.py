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
from ..jsontext import JsonTextError, loads

SCHEMA, VERSION = "stateline.check", 1


class DocumentError(Exception):
    """An input document that cannot be exported; the message says where and why."""


def load(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise DocumentError(f"{path or repr(path)}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        doc = loads(text, path)       # strict: no NaN, no huge integers, bounded nesting
    except JsonTextError as exc:
        raise DocumentError(str(exc)) from None
    itf_derived = isinstance(doc, dict) and "states" in doc and "schema" not in doc
    if itf_derived:
        problem = _itf_header(doc)
        if problem:
            raise DocumentError(f"{path}: {problem}")
        try:
            doc = itf.to_document(doc, path)
        except itf.ItfError as exc:
            raise DocumentError(f"{path}: {exc}") from None
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
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
    # What `export --format itf` writes under an ITF trace's #meta.stateline, each field
    # optional (another tool's ITF has none): the result's fields, the violated property
    # or the run-time error without their trace, and where the network variable goes.
    result = schema["$defs"]["result"]["properties"]
    prop = schema["$defs"]["property"]
    error = result["error"]["oneOf"][1]
    header = {
        "$schema": schema["$schema"], "$defs": schema["$defs"], "type": "object",
        "properties": {
            "spec": result["spec"], "path": result["path"], "check": result["check"],
            "constants": result["constants"],
            "property": {**prop, "properties": {k: prop["properties"][k] for k in
                                                ("name", "kind", "expected", "result")},
                         "required": ["name", "kind", "expected", "result"]},
            "error": {**error, "properties": {k: error["properties"][k] for k in
                                              ("code", "message", "location")},
                      "required": ["code", "message", "location"]},
            "nodes": schema["$defs"]["trace"]["properties"]["nodes"],
            "network": {"type": "object", "required": ["index", "initial"],
                        "properties": {"index": {"type": "integer", "minimum": 0},
                                       "initial": {"type": "string"}}}}}
    return (jsonschema.Draft202012Validator(schema), jsonschema.Draft202012Validator(trace),
            jsonschema.Draft202012Validator(header))


def _itf_header(doc: dict) -> str | None:
    """The first problem of the Stateline fields of an ITF trace's `#meta`, or None."""
    meta = doc.get("#meta")
    info = meta.get("stateline") if isinstance(meta, dict) else None
    if info is None:
        return None
    return _first(_validators()[2], info, "$.#meta.stateline")


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
    document, trace, _ = _validators()
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
        for n, c in enumerate(s["changes"]):
            name = c["variable"]
            if not any(name == v or name.startswith(v + "[") for v in t["initial"]):
                return f"{at}.steps[{k}].changes[{n}].variable: {name!r} is not a variable " \
                       f"of {at}.initial (nor an entry of one)"
    return None
