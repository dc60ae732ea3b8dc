"""History files: Stateline's JSON, Jepsen's EDN histories and Jepsen's log format.

The format is recognised by content (`detect`) or given (``--format``): JSON starts with
``[`` or ``{`` followed by ``"`` (or is empty), EDN with ``{:``, ``[{:``, ``#`` or
``;``, and a Jepsen log has ``process<TAB>:type<TAB>`` lines, or the same with spaces
(see `jepsenlog`).
Anything else is refused with a message naming the formats.

Stateline's JSON holds a list of events, an object ``{"initial": V, "history": [...]}``
(version 1), or ``{"version": 2, "model": M, "initial": V, "history": [...]}``::

    [{"process": 0, "type": "invoke", "f": "write", "value": 1},
     {"process": 0, "type": "ok",     "f": "write", "value": 1},
     {"process": 1, "type": "invoke", "f": "read",  "value": null},
     {"process": 1, "type": "ok",     "f": "read",  "value": 1}]

An event has ``process`` (an integer, a string or an array), ``type`` (invoke, ok, fail,
info), ``f`` (an operation of the data type: read, write, cas, get, put, append, add,
enqueue, dequeue), ``value`` (optional, default null; null, a boolean, a number, a
string or an array; arrays become tuples) and, for the kv store, ``key``.  Jepsen's
``time``, ``index`` and ``error`` keys are allowed and ignored; any other key is an
error, so that a misspelt ``value`` is not silently read as null.  Values are compared
as Python values (so 1, 1.0 and true are equal).

The data type (``model``) is the file's, or the command line's, or else inferred from
the operations: cas makes a cas-register, get/put/append or keys a kv store, add a set,
enqueue/dequeue a queue, and read/write alone a register.

Every problem is a `HistoryFileError` whose text is ``path:line:col: message`` for a
syntax error, ``path: event N: message`` for a malformed JSON event and ``path:line:
message`` for a malformed EDN or log event.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from . import edn, jepsenlog
from .datatypes import DATATYPES
from .model import TYPES, HistoryError, pair
from .. import jsontext

IGNORED = ("time", "index", "error")
MAX_DEPTH = 100     # arrays in a value (deeper ones would exhaust Python's stack later)
KEYS = ("process", "type", "f", "value", "key")
FORMATS = ("json", "edn", "log")
FUNCTIONS = tuple(dict.fromkeys(f for t in DATATYPES.values() for f in t.functions))
VERSIONS = (1, 2)
UNRECOGNISED = ("not a history in a format Stateline reads: expected Stateline's JSON "
                "(a list of {\"process\", \"type\", \"f\", \"value\"} events), a Jepsen "
                "EDN history ({:process 0, :type :invoke, :f :read, :value nil} maps) or a "
                "Jepsen log (process<TAB>:type<TAB>:f<TAB>value lines); --format json|edn|log "
                "says which")


@dataclass(frozen=True)
class HistoryFile:
    """A history read from a file."""

    path: str
    format: str              # "json" | "edn" | "log"
    model: str               # the data type's name
    events: tuple
    initial: object
    lines: tuple | None      # the file line of each event (EDN and log files)
    operations: tuple | None = None     # the events paired (`model.pair`) for `model`


class HistoryFileError(Exception):
    def __init__(self, path: str, message: str, line: int | None = None,
                 col: int | None = None, event: int | None = None):
        self.path, self.message, self.line, self.col, self.event = \
            path, message, line, col, event
        where = path if line is None else f"{path}:{line}" if col is None else \
            f"{path}:{line}:{col}"
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



def read_text(path: str) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise HistoryFileError(path or repr(path), f"cannot read the file: {exc.strerror}") \
            from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HistoryFileError(path, f"not UTF-8 text (byte {exc.start})") from None


def read(path: str, format: str | None = None, model: str | None = None) -> HistoryFile:
    """A history file in any format; HistoryFileError if it cannot be read."""
    return parse(read_text(path), path, format, model)


def read_history(path: str) -> tuple[tuple, object]:
    """(events, initial value) from a history file; HistoryFileError if malformed."""
    h = read(path)
    return h.events, h.initial


def detect(text: str) -> str | None:
    """"json", "edn" or "log" by the text's first characters, or None."""
    start = text.lstrip()
    if not start:
        return "json"
    if jepsenlog.looks_like(text):
        return "log"
    if start[0] in "#;(":
        return "edn"
    if start[0] in "[{":
        inner = start.lstrip("[{ \t\r\n")
        return "edn" if inner[:1] in (":", "#", ";", "(") else "json"
    if re.match(r'(-?\d|"|true\b|false\b|null\b)', start):
        return "json"       # a JSON value, if not a history (its error says why)
    return None


def parse(text: str, path: str = "<history>", format: str | None = None,
          model: str | None = None) -> HistoryFile:
    """A history from the text of a file."""
    format = format or detect(text)
    if format is None:
        raise HistoryFileError(path, UNRECOGNISED)
    if format == "json":
        events, initial, chosen = _json(text, path)
        return _paired(path, format, model or chosen, events, initial, None)
    try:
        records = edn.records(text) if format == "edn" else jepsenlog.records(text)
    except edn.EdnError as exc:
        raise HistoryFileError(path, exc.message, exc.line, exc.col) from None
    name = model or infer({r.f for r in records}, any(r.keyed for r in records))
    keyed = DATATYPES[name].keyed
    events = tuple((r.process, r.type, r.f, r.value, r.key) if keyed else
                   (r.process, r.type, r.f, r.value) for r in records)
    for r in records:
        if r.keyed and not keyed:
            raise HistoryFileError(path, f"an event with a :key, but the {name} model has "
                                   "no keys", r.line)
    return _paired(path, format, name, events, None, tuple(r.line for r in records))


def infer(functions: set, keyed: bool) -> str:
    """The data type a history's operations belong to."""
    if keyed or functions & {"get", "put", "append"}:
        return "kv"
    if "cas" in functions:
        return "cas-register"
    if functions & {"enqueue", "dequeue"}:
        return "queue"
    if "add" in functions:
        return "set"
    return "register"


def _paired(path, format, model, events, initial, lines) -> HistoryFile:
    try:
        operations = pair(events, DATATYPES[model])
    except HistoryError as exc:
        if lines is not None and exc.event is not None:
            raise HistoryFileError(path, exc.detail, lines[exc.event]) from None
        raise HistoryFileError(path, exc.detail, event=exc.event) from None
    return HistoryFile(path, format, model, events, initial, lines, operations)


def loads(text: str, path: str = "<history>") -> tuple[tuple, object]:
    """(events, initial value) from the text of a JSON history file."""
    h = parse(text, path, "json")
    return h.events, h.initial


def _json(text: str, path: str) -> tuple[tuple, object, str]:
    """(events, initial value, data type) from Stateline's JSON."""
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
    initial, model = None, None
    if isinstance(doc, dict):
        if doc.duplicate is not None:
            raise HistoryFileError(path, f"the key {doc.duplicate!r} appears twice")
        version = doc.get("version", 1)
        if isinstance(version, bool) or version not in VERSIONS:
            raise HistoryFileError(path, f"unsupported version {json.dumps(version)} (this "
                                   "Stateline reads versions 1 and 2)")
        allowed = {"initial", "history"} | ({"version", "model"} if version == 2 else set())
        unknown = sorted(set(doc) - allowed)
        if unknown or "history" not in doc:
            shape = ('{"initial": V, "history": [events]}' if version == 1 else
                     '{"version": 2, "model": M, "initial": V, "history": [events]}')
            raise HistoryFileError(path, f"expected {shape}"
                                   + (f", not the key {unknown[0]!r}" if unknown else ""))
        model = doc.get("model")
        if model is not None and model not in DATATYPES:
            raise HistoryFileError(path, f"unknown model {json.dumps(model)}; expected one "
                                   f"of {', '.join(DATATYPES)}")
        initial = _value(doc.get("initial"), path, None, "the initial value")
        doc = doc["history"]
    if not isinstance(doc, list):
        raise HistoryFileError(path, "expected a list of events (or an object with "
                               f'"initial" and "history"), got {_kind(doc)}')
    items = [_event(item, path, i) for i, item in enumerate(doc)]
    keyed = any(len(e) == 5 for e in items)
    model = model or infer({e[2] for e in items}, keyed)
    if DATATYPES[model].keyed:
        for i, e in enumerate(items):
            if len(e) == 4:
                raise HistoryFileError(path, "missing 'key' (the kv model needs one on "
                                       "every event)", event=i)
    elif keyed:
        i = next(i for i, e in enumerate(items) if len(e) == 5)
        raise HistoryFileError(path, f"a 'key', but the {model} model has no keys", event=i)
    return tuple(items), initial, model


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
        raise HistoryFileError(path, f"'f' must be one of {', '.join(FUNCTIONS)}, not "
                               f"{json.dumps(f)}", event=i)
    event = (process, type_, f, _value(item.get("value"), path, i, "'value'"))
    if "key" in item:
        key = item["key"]
        if isinstance(key, (dict, list)) or key is None:
            raise HistoryFileError(path, "'key' must be a string, a number or a boolean, "
                                   f"not {_kind(key)}", event=i)
        event += (key,)
    return event


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


def dumps(events, initial=None, model: str | None = None) -> str:
    """The text of a history file: one event per line; wrapped with its initial value
    when that is not None (version 1), and with the model when one is given (version
    2)."""
    lines = [json.dumps(dict(zip(KEYS, jsonable(tuple(e)))), ensure_ascii=False)
             for e in events]
    body = "[\n" + ",\n".join("  " + line for line in lines) + "\n]" if lines else "[]"
    if model is not None:
        return ('{"version": 2, "model": ' + json.dumps(model) + ', "initial": '
                + json.dumps(jsonable(initial), ensure_ascii=False) + ', "history": '
                + body + "}\n")
    if initial is None:
        return body + "\n"
    return ('{"initial": ' + json.dumps(jsonable(initial), ensure_ascii=False)
            + ', "history": ' + body + "}\n")


def write_history(path: str, events, initial=None, model: str | None = None) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(dumps(events, initial, model))


def jsonable(value):
    """The value with its tuples and sets as lists, for JSON."""
    if isinstance(value, tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, frozenset):
        return sorted((jsonable(v) for v in value), key=repr)
    return value
