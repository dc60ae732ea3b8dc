"""History files: JSON, in the shape of Jepsen's EDN histories.

A file holds a list of events, or an object ``{"initial": V, "history": [...]}``::

    [{"process": 0, "type": "invoke", "f": "write", "value": 1},
     {"process": 0, "type": "ok",     "f": "write", "value": 1},
     {"process": 1, "type": "invoke", "f": "read",  "value": null},
     {"process": 1, "type": "ok",     "f": "read",  "value": 1}]

An event has ``process`` (an integer, a string or an array), ``type`` (invoke, ok, fail,
info), ``f`` (read, write) and ``value`` (optional, default null; null, a boolean, a
number, a string or an array; arrays become tuples).  Jepsen's ``time``, ``index`` and
``error`` keys are allowed and ignored; any other key is an error, so that a misspelt
``value`` is not silently read as null.  Values are compared as Python values (so 1,
1.0 and true are equal).

Every problem is a `HistoryFileError` whose text is ``path:line:col: message`` for JSON
syntax and ``path: event N: message`` for a malformed event.
"""

from __future__ import annotations

import json

from .. import jsontext
from .model import FUNCTIONS, TYPES, HistoryError, pair

IGNORED = ("time", "index", "error")
MAX_DEPTH = 100     # arrays in a value (deeper ones would exhaust Python's stack later)
KEYS = ("process", "type", "f", "value")


class HistoryFileError(Exception):
    def __init__(self, path: str, message: str, line: int | None = None,
                 col: int | None = None, event: int | None = None):
        self.path, self.message, self.line, self.col, self.event = \
            path, message, line, col, event
        where = f"{path}:{line}:{col}" if line is not None else path
        if event is not None:
            where += f": event {event}"
        super().__init__(f"{where}: {message}")


class _Object(dict):
    """A JSON object, remembering a key it had twice."""

    duplicate: str | None = None


def _pairs(items) -> _Object:
    obj = _Object()
    for key, value in items:
        if key in obj and obj.duplicate is None:
            obj.duplicate = key
        obj[key] = value
    return obj



def read_history(path: str) -> tuple[tuple, object]:
    """(events, initial value) from a history file; HistoryFileError if malformed."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise HistoryFileError(path or repr(path), f"cannot read the file: {exc.strerror}") \
            from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HistoryFileError(path, f"not UTF-8 text (byte {exc.start})") from None
    return loads(text, path)


def loads(text: str, path: str = "<history>") -> tuple[tuple, object]:
    """(events, initial value) from the text of a history file."""
    try:
        doc = jsontext.loads(text, path, object_pairs_hook=_pairs)
    except jsontext.JsonTextError as exc:
        if exc.syntax is not None:
            message = exc.syntax.msg.removesuffix(" starting at")   # the position follows
            raise HistoryFileError(path, f"not valid JSON: {message}", exc.line, exc.col) \
                from None
        if exc.line is None:
            raise HistoryFileError(path, "not a history: nested too deeply") from None
        raise HistoryFileError(path, f"not valid JSON: {exc.why}", exc.line, exc.col) from None
    initial = None
    if isinstance(doc, dict):
        if doc.duplicate is not None:
            raise HistoryFileError(path, f"the key {doc.duplicate!r} appears twice")
        unknown = sorted(set(doc) - {"initial", "history"})
        if unknown or "history" not in doc:
            raise HistoryFileError(path, 'expected {"initial": V, "history": [events]}'
                                   + (f", not the key {unknown[0]!r}" if unknown else ""))
        initial = _value(doc.get("initial"), path, None, "the initial value")
        doc = doc["history"]
    if not isinstance(doc, list):
        raise HistoryFileError(path, "expected a list of events (or an object with "
                               f'"initial" and "history"), got {_kind(doc)}')
    events = tuple(_event(item, path, i) for i, item in enumerate(doc))
    try:
        pair(events)
    except HistoryError as exc:
        raise HistoryFileError(path, exc.detail, event=exc.event) from None
    return events, initial


def _event(item, path: str, i: int) -> tuple:
    if not isinstance(item, dict):
        raise HistoryFileError(path, f"expected an event object, got {_kind(item)}", event=i)
    if item.duplicate is not None:
        raise HistoryFileError(path, f"the key {item.duplicate!r} appears twice", event=i)
    for key in item:
        if key not in KEYS and key not in IGNORED:
            raise HistoryFileError(path, f"unknown key {key!r} (an event has "
                                   f"{', '.join(KEYS)}; {', '.join(IGNORED)} are ignored)",
                                   event=i)
    for key in KEYS[:3]:
        if key not in item:
            raise HistoryFileError(path, f"missing {key!r}", event=i)
    process = item["process"]
    if isinstance(process, bool) or not isinstance(process, (int, str, list)):
        raise HistoryFileError(path, "'process' must be an integer, a string or an array, "
                               f"not {_kind(process)}", event=i)
    process = _value(process, path, i, "'process'")
    type_, f = item["type"], item["f"]
    if type_ not in TYPES:
        raise HistoryFileError(path, f"'type' must be one of {', '.join(TYPES)}, not "
                               f"{json.dumps(type_)}", event=i)
    if f not in FUNCTIONS:
        raise HistoryFileError(path, f"'f' must be read or write (a read/write register), "
                               f"not {json.dumps(f)}", event=i)
    return (process, type_, f, _value(item.get("value"), path, i, "'value'"))


def initial_value(value):
    """A JSON value (parsed) as an initial register value; HistoryFileError if an
    object or nested too deeply."""
    return _value(value, "--initial", None, "the initial value")


def _value(value, path: str, i: int | None, what: str, depth: int = 0):
    if isinstance(value, list):
        if depth == MAX_DEPTH:
            raise HistoryFileError(path, f"{what} has arrays nested more than {MAX_DEPTH} "
                                   "deep", event=i)
        return tuple(_value(v, path, i, what, depth + 1) for v in value)
    if isinstance(value, dict):
        raise HistoryFileError(path, f"{what} must be null, a boolean, a number, a string "
                               "or an array, not an object", event=i)
    return value


def _kind(value) -> str:
    for kind, name in ((bool, "a boolean"), (int, "a number"), (float, "a number"),
                       (str, "a string"), (list, "an array"), (dict, "an object")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else type(value).__name__


def dumps(events, initial=None) -> str:
    """The text of a history file: one event per line; wrapped with its initial value
    when that is not None."""
    lines = [json.dumps(dict(zip(KEYS, jsonable(tuple(e)))), ensure_ascii=False)
             for e in events]
    body = "[\n" + ",\n".join("  " + line for line in lines) + "\n]" if lines else "[]"
    if initial is None:
        return body + "\n"
    return ('{"initial": ' + json.dumps(jsonable(initial), ensure_ascii=False)
            + ', "history": ' + body + "}\n")


def write_history(path: str, events, initial=None) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(events, initial))


def jsonable(value):
    """The value with its tuples as lists, for JSON."""
    if isinstance(value, tuple):
        return [jsonable(v) for v in value]
    return value
