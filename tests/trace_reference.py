"""A brute-force reference for trace validation, and helpers to export and mutate traces.

`is_behaviour(model, request)` decides, without memoisation and without
Stateline's validation code, whether the step spans of an OTLP/JSON request
(as Stateline's exporter writes it) are a behaviour of the model: it computes
happens-before from the spans' structure (parents, links, vector clocks, and
each node's steps by start time), closes it transitively, and tries every
order of the events that respects it, extending a prefix only while some path
of the spec matches it.  Steps are compared in the spec's shown syntax
(`Model.step`): action, node, every parameter, the received message and the
messages sent when the span gives them, and the variables a span says changed
("old -> new": the old value before the step, the new one after it), except
recorded histories, which are not observations.
"""

from __future__ import annotations

import copy
import json
import tempfile

from stateline.models.domains import DMap
from stateline.models.runtime import ModelError
from stateline.otlp.mapping import Counterexample, to_otlp
from stateline.render.json_out import trace_json

CONTENT = ("stateline.action", "stateline.params", "stateline.changes", "stateline.received",
           "stateline.sent")


def export(trace, spec="Gen", check="default", path="gen.sl") -> dict:
    """The OTLP/JSON request Stateline's exporter writes for a trace."""
    result = {"spec": spec, "check": check, "constants": {}, "path": path}
    prop = {"name": "Inv", "kind": "invariant", "expected": "holds", "result": "violated"}
    return to_otlp(Counterexample(result, prop, trace_json(trace)))


def write(request: dict, directory: str) -> str:
    f = tempfile.NamedTemporaryFile("w", suffix=".otlp.json", dir=directory, delete=False)
    with f:
        json.dump(request, f)
    return f.name


def plain(value):
    """An OTLP/JSON AnyValue as a Python value."""
    (kind, v), = value.items()
    if kind == "intValue":
        return int(v)
    if kind == "kvlistValue":
        return {kv["key"]: plain(kv["value"]) for kv in v.get("values", [])}
    if kind == "arrayValue":
        return [plain(x) for x in v.get("values", [])]
    return v


def attrs(span: dict) -> dict:
    return {kv["key"]: plain(kv["value"]) for kv in span.get("attributes", [])}


def step_spans(request: dict) -> list[dict]:
    return [sp for rs in request["resourceSpans"] for ss in rs["scopeSpans"]
            for sp in ss["spans"] if "stateline.action" in attrs(sp)]


def root_span(request: dict) -> dict:
    return next(sp for rs in request["resourceSpans"] for ss in rs["scopeSpans"]
                for sp in ss["spans"] if "stateline.initial" in attrs(sp))


# ---- mutations ----------------------------------------------------------------------------


def mutated(request: dict, kind: str, pick) -> dict | None:
    """A copy with one mutation (`pick(n)` chooses among n options), or None if the kind
    does not apply to this trace."""
    req = copy.deepcopy(request)
    spans = step_spans(req)
    if kind == "drop":
        if not spans:
            return None
        victim = spans[pick(len(spans))]
        for rs in req["resourceSpans"]:
            for ss in rs["scopeSpans"]:
                ss["spans"] = [sp for sp in ss["spans"] if sp is not victim]
        return req
    if kind == "swap":
        pairs = [(a, b) for i, a in enumerate(spans) for b in spans[i + 1:]
                 if attrs(a)["stateline.node"] == attrs(b)["stateline.node"]]
        if not pairs:
            return None
        a, b = pairs[pick(len(pairs))]
        ka = {kv["key"]: kv for kv in a["attributes"] if kv["key"] in CONTENT}
        kb = {kv["key"]: kv for kv in b["attributes"] if kv["key"] in CONTENT}
        a["attributes"] = sorted([kv for kv in a["attributes"] if kv["key"] not in CONTENT] +
                                 list(kb.values()), key=lambda kv: kv["key"])
        b["attributes"] = sorted([kv for kv in b["attributes"] if kv["key"] not in CONTENT] +
                                 list(ka.values()), key=lambda kv: kv["key"])
        a["name"], b["name"] = b["name"], a["name"]
        return req
    if kind == "param":
        options = [(sp, kv, item) for sp in spans for kv in sp["attributes"]
                   if kv["key"] == "stateline.params"
                   for item in kv["value"]["kvlistValue"]["values"]]
        if not options:
            return None
        _, _, item = options[pick(len(options))]
        old = item["value"]["stringValue"]
        choices = [str(v) for v in (-1, 0, 1, 2, 3) if str(v) != old]
        item["value"]["stringValue"] = choices[pick(len(choices))]
        return req
    if kind == "change":
        options = []
        for sp in spans:
            for kv in sp["attributes"]:
                if kv["key"] == "stateline.changes":
                    for item in kv["value"]["kvlistValue"]["values"]:
                        old, new = item["value"]["stringValue"].split(" -> ")
                        if _scalar(old) and _scalar(new):
                            options.append(item)
        if not options:
            return None
        item = options[pick(len(options))]
        old, new = item["value"]["stringValue"].split(" -> ")
        if pick(2):
            new = _other(new, pick)
        else:
            old = _other(old, pick)
        item["value"]["stringValue"] = f"{old} -> {new}"
        return req
    if kind == "message":
        sent = sorted({m for sp in spans for m in attrs(sp).get("stateline.sent") or []})
        options = []
        for sp in spans:
            for kv in sp["attributes"]:
                if kv["key"] == "stateline.received":
                    got = kv["value"]["stringValue"]
                    mtype = got.split("(")[0]
                    options += [(kv, m) for m in sent if m != got and m.split("(")[0] == mtype]
        if not options:
            return None
        kv, m = options[pick(len(options))]
        kv["value"]["stringValue"] = m
        return req
    raise ValueError(kind)


def _scalar(text: str) -> bool:
    return text in ("true", "false") or text.lstrip("-").isdigit()


def _other(text: str, pick) -> str:
    if text in ("true", "false"):
        return "false" if text == "true" else "true"
    return str(int(text) + (1 if pick(2) else -1))


# ---- the reference ------------------------------------------------------------------------


def shown_var(model, state, name: str) -> str | None:
    """A variable (slot) or a map entry `m[k]` of a state, as the spec shows it."""
    slots = {s.name: s for s in model.system.slots}
    if name in slots:
        return model.show_slot(slots[name].index, state[slots[name].index])
    base, _, rest = name.partition("[")
    keys = ("[" + rest).strip("[]").split("][") if rest else []
    slot = slots.get(base)
    if slot is None:
        return None
    dom, v = slot.dom, state[slot.index]
    for key in keys:
        if not isinstance(dom, DMap):
            return None
        shown = [dom.key.show(k) for k in dom.key.values()]
        if key not in shown:
            return None
        v, dom = v[shown.index(key)], dom.value
    return dom.show(v)


def _matches(model, ev: dict, s, label, t) -> bool:
    step = model.step(s, label, t, 1)
    if step.action != ev["stateline.action"] or step.node != ev["stateline.node"]:
        return False
    if dict(step.params) != dict(ev.get("stateline.params") or {}):
        return False
    if "stateline.received" in ev and (step.received is None or
                                       step.received.shown != ev["stateline.received"]):
        return False
    if "stateline.sent" in ev and sorted(m.shown for m in step.sent) != \
            sorted(ev["stateline.sent"]):
        return False
    for var, text in (ev.get("stateline.changes") or {}).items():
        if var in model.system.histories:       # recorded histories are not observations
            continue
        old, new = text.split(" -> ")
        if shown_var(model, s, var) != old or shown_var(model, t, var) != new:
            return False
    return True


def happens_before(request: dict) -> tuple[list[dict], list[set[int]]]:
    """The step spans (their attributes) and, per span, the spans before it."""
    spans = step_spans(request)
    n = len(spans)
    ids = {sp["spanId"]: i for i, sp in enumerate(spans)}
    a = [attrs(sp) for sp in spans]
    before = [set() for _ in range(n)]
    for i, sp in enumerate(spans):
        if sp.get("parentSpanId") in ids:
            before[i].add(ids[sp["parentSpanId"]])
        for link in sp.get("links", []):
            if link["spanId"] in ids:
                before[i].add(ids[link["spanId"]])
        for j, other in enumerate(spans):
            if i == j:
                continue
            if a[j]["stateline.node"] == a[i]["stateline.node"] and \
                    int(other["startTimeUnixNano"]) < int(sp["startTimeUnixNano"]):
                before[i].add(j)
            vi, vj = a[i].get("vector_clock"), a[j].get("vector_clock")
            if vi and vj and all(vj.get(k, 0) <= vi.get(k, 0) for k in set(vi) | set(vj)) \
                    and vi != vj:
                before[i].add(j)
    changed = True
    while changed:                  # transitive closure
        changed = False
        for i in range(n):
            extra = set().union(*(before[j] for j in before[i])) - before[i] if before[i] \
                else set()
            if extra:
                before[i] |= extra
                changed = True
    return a, before


def is_behaviour(model, request: dict) -> bool:
    events, before = happens_before(request)
    initial = root_span(request)
    observed = {k: v for k, v in attrs(initial)["stateline.initial"].items()
                if k in {s.name for s in model.system.slots if s.var is not None}}
    starts = [s for s in model.initial_states()
              if (model.constraint is None or model.constraint(s))
              and all(shown_var(model, s, k) == v for k, v in observed.items())]
    n = len(events)

    def extend(s, done: frozenset) -> bool:
        if len(done) == n:
            return True
        try:
            succ = model.successors_labeled(s)
        except ModelError:
            return False
        for i in range(n):
            if i in done or not before[i] <= done:
                continue
            for label, t in succ:
                if model.constraint is not None and not model.constraint(t):
                    continue
                if _matches(model, events[i], s, label, t) and extend(t, done | {i}):
                    return True
        return False

    return any(extend(s, frozenset()) for s in starts)
