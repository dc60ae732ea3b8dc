"""The Informal Trace Format (ITF, Apalache ADR-015; written and read by Quint).

Writing.  A Stateline counterexample becomes one ITF document: `vars` are the
state variables (slot names such as `Acceptor[a1].maxBal`), `states[0]` the
initial state and `states[k]` the state after step k, `loop` the lasso's loop
start.  Values are translated from Stateline's shown syntax into ITF values:
integers (`#bigint` beyond 2^53), booleans, atoms as strings, `{...}` sets as
`#set`, `lo..hi` as the `#set` of its integers, `{k: v}` maps as `#map`,
`[...]` sequences as arrays, tuples as `#tup`, messages and records
`Name(f=v)` as Quint's variants `{"tag": "Name", "value": {"f": v}}` and
`none` as `{"tag": "None", "value": {"#tup": []}}`.  A value that does not
print back to exactly its text (a fifo network's channels, say) is kept as
`{"#unserializable": text}`.  The network is not a variable of the ITF states
(Stateline's steps do not record it after each step); the initial network is
kept in the document's `#meta`, and each state's `#meta` carries the step that
led to it: action, node, parameters, messages received and sent.

Reading.  An ITF document becomes a one-result `stateline.check` document, so
`stateline export` can turn it into OTLP: each step's changes are the
differences between consecutive states (map entries one by one, as Stateline
reports them).  A Stateline ITF gives back its trace exactly (a test checks
it); a foreign one (Apalache, Quint) gets steps named by `mbt::actionTaken`
when present, acting node `env`, and is treated as a counterexample of a
property named `trace` whose last state is the violation.
"""

from __future__ import annotations

import copy
import pathlib
import re

from .. import __version__
from .mapping import Counterexample

FORMAT_URL = "https://apalache-mc.org/docs/adr/015adr-trace.html"
NETWORK = "network"
MAX_RANGE = 1 << 16          # a longer `lo..hi` stays text rather than becoming a huge set
_TOKEN = re.compile(r"\s*(?:(-?\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\.\.|[{}\[\](),:=]))")
_NONE = {"tag": "None", "value": {"#tup": []}}


class ItfError(Exception):
    """An ITF document that cannot be read, or a trace that cannot be written as ITF."""


# ---- values -----------------------------------------------------------------------------------

def _tokens(text: str) -> list[str] | None:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            return None if text[pos:].strip() else out
        out.append(m.group(m.lastindex))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: list[str]):
        self.toks, self.i = tokens, 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, want=None):
        tok = self.peek()
        if tok is None or (want is not None and tok != want):
            raise ValueError(f"expected {want!r}, got {tok!r}")
        self.i += 1
        return tok

    def items(self, close: str) -> list:
        out = []
        while self.peek() != close:
            out.append(self.value())
            if self.peek() != close:
                self.take(",")
        self.take(close)
        return out

    def value(self):
        tok = self.take()
        if re.fullmatch(r"-?\d+", tok):
            if self.peek() == "..":
                self.take()
                lo, hi = int(tok), int(self.take())
                if not 2 <= hi - lo + 1 <= MAX_RANGE:    # Stateline shows no other ranges
                    raise ValueError(f"range {lo}..{hi}")
                return {"#set": [_int(n) for n in range(lo, hi + 1)]}
            return _int(int(tok))
        if tok in ("true", "false"):
            return tok == "true"
        if tok == "none":
            return copy.deepcopy(_NONE)
        if tok[0].isalpha() or tok[0] == "_":
            if self.peek() != "(":
                return tok
            self.take("(")
            fields = {}
            while self.peek() != ")":
                name = self.take()
                self.take("=")
                fields[name] = self.value()
                if self.peek() != ")":
                    self.take(",")
            self.take(")")
            return {"tag": tok, "value": fields}
        if tok == "[":
            return self.items("]")
        if tok == "(":
            return {"#tup": self.items(")")}
        if tok == "{":
            if self.peek() == "}":
                self.take()
                return {"#set": []}
            first = self.value()
            if self.peek() != ":":
                items = [first]
                while self.peek() == ",":
                    self.take()
                    items.append(self.value())
                self.take("}")
                return {"#set": items}
            pairs = []
            while True:
                self.take(":")
                pairs.append([first, self.value()])
                if self.peek() == "}":
                    self.take()
                    return {"#map": pairs}
                self.take(",")
                first = self.value()
        raise ValueError(f"unexpected {tok!r}")


def _int(n: int):
    return n if abs(n) < 2 ** 53 else {"#bigint": str(n)}


def to_itf(text: str):
    """A shown value as an ITF value; `#unserializable` when it would not print back."""
    toks = _tokens(text)
    value = _parse_all(toks) if toks else None
    if value is not None and show(value) == text:
        return value
    return {"#unserializable": text}


def _parse_all(toks: list[str]):
    """The value the tokens spell, or None when they are not exactly one value."""
    p = _Parser(toks)
    try:
        value = p.value()
    except ValueError:
        return None
    return value if p.i == len(toks) else None


def show(v) -> str:
    """An ITF value in Stateline's shown syntax (records in Quint's `{ f: v }`)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, str)):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(show(x) for x in v) + "]"
    if not isinstance(v, dict):
        raise ItfError(f"not an ITF value: {v!r}")
    if "#bigint" in v:
        return str(v["#bigint"])
    if "#unserializable" in v:
        return str(v["#unserializable"])
    if "#tup" in v:
        items = [show(x) for x in v["#tup"]]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if "#set" in v:
        items = v["#set"]
        ints = [x for x in items if isinstance(x, int) and not isinstance(x, bool)]
        if len(items) >= 2 and len(ints) == len(items) and \
                all(b == a + 1 for a, b in zip(ints, ints[1:])):
            return f"{ints[0]}..{ints[-1]}"
        return "{" + ", ".join(show(x) for x in items) + "}"
    if "#map" in v:
        return "{" + ", ".join(f"{show(k)}: {show(x)}" for k, x in v["#map"]) + "}"
    if set(v) == {"tag", "value"} and isinstance(v["tag"], str):
        inner = v["value"]
        if v["tag"] == "None" and inner == {"#tup": []}:
            return "none"
        if v["tag"] == "Some":
            return show(inner)
        if inner == {"#tup": []} or inner == {}:
            return v["tag"]
        if isinstance(inner, dict) and not any(k.startswith("#") for k in inner):
            return f"{v['tag']}(" + ", ".join(f"{k}={show(x)}" for k, x in inner.items()) + ")"
        return f"{v['tag']}({show(inner)})"
    return "{ " + ", ".join(f"{k}: {show(x)}" for k, x in v.items()) + " }"


# ---- writing ----------------------------------------------------------------------------------

def from_counterexample(cx: Counterexample) -> dict:
    """The ITF document of one counterexample."""
    r, trace = cx.result, cx.trace
    names = list(trace["initial"])
    variables = [n for n in names if n != NETWORK]
    state = {v: to_itf(trace["initial"][v]) for v in variables}
    states = [{"#meta": {"index": 0}, **copy.deepcopy(state)}]
    for step in trace["steps"]:
        for c in step["changes"]:
            _apply(state, variables, c)
        meta = {k: step.get(k) for k in ("number", "action", "process", "node", "params",
                                         "received", "sent")}
        appended = {c["variable"]: c["appended"] for c in step["changes"] if "appended" in c}
        if appended:                 # a recorded history: the events this step added
            meta["appended"] = appended
        states.append({"#meta": {"index": step["number"], "stateline.step": meta},
                       **copy.deepcopy(state)})
    info = {"spec": r["spec"], "path": r.get("path"), "check": r["check"],
            "constants": r["constants"]}
    if cx.prop is not None:
        info["property"] = {k: cx.prop[k] for k in ("name", "kind", "expected", "result")}
    else:
        info["error"] = {k: r["error"].get(k) for k in ("code", "message", "location")}
    if "nodes" in trace:
        info["nodes"] = list(trace["nodes"])
    if NETWORK in trace["initial"]:
        info["network"] = {"index": names.index(NETWORK), "initial": trace["initial"][NETWORK]}
    what = f"{cx.prop['kind']} {cx.prop['name']} violated" if cx.prop else "run-time error"
    doc = {"#meta": {"format": "ITF", "format-description": FORMAT_URL,
                     "source": r.get("path") or r["spec"],
                     "description": f"Stateline {__version__}: {r['spec']}, check "
                                    f"{r['check']}: {what}",
                     "stateline": info},
           "vars": variables, "states": states}
    if trace.get("loop_start") is not None:
        doc["loop"] = trace["loop_start"]
    return doc


def _apply(state: dict, variables: list[str], change: dict) -> None:
    name = change["variable"]
    var = max((v for v in variables if name == v or name.startswith(v + "[")), key=len,
              default=None)
    if var is None:
        raise ItfError(f"a change of '{name}', which is not a state variable")
    keys = _segments(name[len(var):], name)
    if not keys:
        state[var] = to_itf(change["new"])
        return
    holder = state[var]
    for depth, key in enumerate(keys):
        entries = holder.get("#map") if isinstance(holder, dict) else None
        match = [e for e in entries or () if show(e[0]) == key]
        if not match:
            raise ItfError(f"cannot write '{name}' as ITF: no map entry {key}")
        if depth == len(keys) - 1:
            match[0][1] = to_itf(change["new"])
        holder = match[0][1]


def _segments(rest: str, name: str) -> list[str]:
    """`[k1][k2]` -> ["k1", "k2"], brackets inside keys allowed."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(rest):
        if ch in "[({":
            depth += 1
            if depth == 1:
                if ch != "[":
                    raise ItfError(f"cannot read the variable name '{name}'")
                start = i + 1
        elif ch in "])}":
            depth -= 1
            if depth == 0:
                out.append(rest[start:i])
        elif depth == 0:
            raise ItfError(f"cannot read the variable name '{name}'")
    return out


# ---- reading ----------------------------------------------------------------------------------

def _diff(name: str, old, new, out: list) -> None:
    if old == new:
        return
    a, b = (old.get("#map") if isinstance(old, dict) else None,
            new.get("#map") if isinstance(new, dict) else None)
    if a is not None and b is not None and [show(k) for k, _ in a] == [show(k) for k, _ in b]:
        for (k, x), (_, y) in zip(a, b):
            _diff(f"{name}[{show(k)}]", x, y, out)
        return
    out.append({"variable": name, "old": show(old), "new": show(new)})


def to_document(doc: dict, path: str) -> dict:
    """A `stateline.check` document (one result, one trace) from an ITF document."""
    states = doc.get("states")
    if not isinstance(states, list) or not states or not all(isinstance(s, dict) for s in states):
        raise ItfError("ITF: 'states' must be a non-empty array of objects")
    variables = doc.get("vars", [k for k in states[0] if k != "#meta"])
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise ItfError("ITF: 'vars' must be an array of strings")
    action_var = "mbt::actionTaken"
    picks_var = "mbt::nondetPicks"
    plain = [v for v in variables if not v.startswith("mbt::")]
    for k, s in enumerate(states):
        missing = [v for v in plain if v not in s]
        if missing:
            raise ItfError(f"ITF: states[{k}] has no value for {missing[0]!r}")
    meta = doc.get("#meta") if isinstance(doc.get("#meta"), dict) else {}
    info = meta.get("stateline") if isinstance(meta.get("stateline"), dict) else {}
    initial = {v: show(states[0][v]) for v in plain}
    net = info.get("network")
    if isinstance(net, dict):
        items = list(initial.items())
        at = min(net.get("index", len(items)), len(items))     # an integer >= 0 (schema)
        items.insert(at, (NETWORK, str(net.get("initial"))))
        initial = dict(items)
    steps = []
    for k in range(1, len(states)):
        s = states[k]
        step = (s.get("#meta") or {}).get("stateline.step") if isinstance(s.get("#meta"),
                                                                          dict) else None
        if not isinstance(step, dict):
            picks = s.get(picks_var) if isinstance(s.get(picks_var), dict) else {}
            step = {"number": k, "action": str(s.get(action_var, "step")), "process": None,
                    "node": "env", "received": None, "sent": [],
                    "params": {n: show(x) for n, x in picks.items() if show(x) != "none"}}
        step = dict(step)
        appended = step.pop("appended", None) or {}
        if not isinstance(appended, dict) or not all(isinstance(v, str)
                                                     for v in appended.values()):
            raise ItfError(f"ITF: states[{k}].#meta.stateline.step.appended must map "
                           "history variables to strings")
        changes: list = []
        for v in plain:
            _diff(v, states[k - 1][v], s[v], changes)
        for c in changes:
            if c["variable"] in appended:
                c["appended"] = appended[c["variable"]]
        steps.append({**step, "changes": changes})
    loop = doc.get("loop")
    trace = {"length": len(steps), "loop_start": loop if isinstance(loop, int) else None,
             "initial": initial, "steps": steps}
    if isinstance(info.get("nodes"), list):
        trace["nodes"] = info["nodes"]
    stem = pathlib.PurePath(path).name.split(".")[0] or "trace"
    source = meta.get("source") if isinstance(meta.get("source"), str) else path
    result = {"spec": info.get("spec", stem), "path": info.get("path", source),
              "check": info.get("check", "itf"), "engine": "itf",
              "constants": info.get("constants", {}), "properties": [], "error": None}
    if isinstance(info.get("error"), dict):
        result["error"] = {**info["error"], "trace": trace}
    else:
        prop = info.get("property") if isinstance(info.get("property"), dict) else {
            "name": "trace", "kind": "itf", "expected": "holds", "result": "violated"}
        result["properties"].append({**prop, "met": None, "trace": trace})
    return {"schema": "stateline.check", "version": 1, "stateline": __version__,
            "exit_code": None, "results": [result]}
