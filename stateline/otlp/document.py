"""Reading a saved `stateline check --json` document (schema stateline.check, v1).

`load(path)` returns the document after checking every field the exporters
read, so that a hand-edited or truncated file is a `DocumentError` naming the
JSON path of the first problem, never a KeyError later.  An ITF trace (as
written by `stateline export --format itf`, Apalache or Quint) is accepted
too: `itf.to_document` turns it into a one-result document.
"""

from __future__ import annotations

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
        doc = loads(text, path)
    except JsonTextError as exc:
        raise DocumentError(str(exc)) from None
    if isinstance(doc, dict) and "states" in doc and "schema" not in doc:
        try:
            doc = itf.to_document(doc, path)
        except itf.ItfError as exc:
            raise DocumentError(f"{path}: {exc}") from None
        except RecursionError:
            raise DocumentError(f"{path}: ITF values are nested too deeply to read") from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # A value of a shape ITF does not have (a #map entry that is not a pair, ...).
            raise DocumentError(f"{path}: not a readable ITF trace: {type(exc).__name__}: "
                                f"{exc}") from None
    problem = check(doc)
    if problem:
        raise DocumentError(f"{path}: {problem}")
    return doc


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
            name = c["variable"]
            if not any(name == v or name.startswith(v + "[") for v in t["initial"]):
                return f"{sa}.changes[{n}].variable: {name!r} is not a variable of " \
                       f"{at}.initial (nor an entry of one)"
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
