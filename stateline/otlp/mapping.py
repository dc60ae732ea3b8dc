"""A counterexample as one OTLP trace (DESIGN.md, "OTLP export").

Input is the `stateline.check` JSON document (`render.json_out`, schema
version 1): a live check and `stateline export` of a saved document go through
the same function and give the same bytes.  Output is one
ExportTraceServiceRequest in OTLP/JSON form (a dict; `formats` writes it).

The mapping:

* one resource per protocol node, `service.name` from the node's name
  (`Acceptor[a1]` -> `acceptor-a1`), `service.namespace` the spec's name, and
  the spec file, check block and constants as resource attributes; one more
  resource, service `stateline`, holds the root span: the check itself;
* one span per step in the acting node's service.  A step that received a
  message is a child of the step that sent it (`clocks.find_sender`); the
  previous step of the same node is a span link; a step with no sender is a
  child of the root;
* span attributes: action, node, parameters, changed variables (`old -> new`),
  messages received and sent, `lamport.clock`, the vector clock both as one
  `vc.<service>` attribute per node and as the `vector_clock` kvlist, and the
  span's own W3C `traceparent`;
* the violating step (for a lasso, the loop-closing step) has status ERROR
  with the property's name and a `property.violated` event carrying the
  predicate; a lasso's loop start is a `lasso.loop_start` event; with no step
  at all the root span carries the error;
* time is logical: step k runs from base + k ms to base + (k + 1) ms.
"""

from __future__ import annotations

import os
import pathlib
import re
from dataclasses import dataclass

from .. import __version__
from . import ids
from .attributes import key_values
from .clocks import replay
from .traceparent import encode as traceparent

KIND_INTERNAL, KIND_PRODUCER, KIND_CONSUMER = 1, 4, 5
STATUS_ERROR = 2
ROOT_SERVICE = "stateline"
PREVIOUS_STEP = "previous step of the same node"
READ_LINK = "read"                  # a shared-memory read of a variable the linked step wrote


@dataclass(frozen=True)
class Counterexample:
    result: dict             # one entry of the document's "results"
    prop: dict | None        # the violated property's entry; None for a model failure
    trace: dict              # `json_out.trace_json` form

    @property
    def label(self) -> str:
        return self.prop["name"] if self.prop else "error"

    @property
    def name(self) -> str:
        """A file-name stem: `<spec file stem>.<check>.<property>`."""
        stem = pathlib.PurePath(self.result.get("path") or self.result["spec"]).name
        stem = stem.split(".")[0] or self.result["spec"]
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{stem}.{self.result['check']}.{self.label}")


def file_names(cxs: list[Counterexample]) -> list[str]:
    """A file-name stem for each counterexample, different for different counterexamples.

    Usually `cx.name`.  Specs with the same file stem in different folders (`a/x.sl`,
    `b/x.sl`) would share it, so theirs are named by their path from the folder
    those specs have in common (`a.x.small.Agreement`, `b.x.small.Agreement`); a
    name still taken (the same spec and check twice) gets `-2`, `-3`, ... in the
    order of the document.
    """
    by_name: dict[str, set[str]] = {}
    for cx in cxs:
        by_name.setdefault(cx.name, set()).add(_spec_path(cx))
    names = []
    for cx in cxs:
        name = cx.name
        paths = by_name[name]
        if len(paths) > 1:
            common = os.path.commonpath([os.path.abspath(p) for p in paths])
            rel = os.path.relpath(os.path.abspath(_spec_path(cx)), common)
            parts = pathlib.PurePath(rel).with_suffix("").parts
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_",
                          ".".join([*parts, cx.result["check"], cx.label]))
        names.append(name)
    used: set[str] = set()
    unique = []
    for name in names:
        candidate, k = name, 2
        while candidate in used:
            candidate, k = f"{name}-{k}", k + 1
        used.add(candidate)
        unique.append(candidate)
    return unique


def _spec_path(cx: Counterexample) -> str:
    path = cx.result.get("path")
    return path if isinstance(path, str) and path else str(cx.result["spec"])


def counterexamples(document: dict) -> list[Counterexample]:
    """Every trace in a `stateline.check` document: violated properties, model failures."""
    out = []
    for r in document["results"]:
        for p in r["properties"]:
            if p["result"] == "violated" and p.get("trace") is not None:
                out.append(Counterexample(r, p, p["trace"]))
        if r.get("error") and r["error"].get("trace") is not None:
            out.append(Counterexample(r, None, r["error"]["trace"]))
    return out


def service_names(nodes) -> dict[str, str]:
    """Node -> service name: lower case, `[x]` -> `-x`, unique, never `stateline`."""
    out, used = {}, {ROOT_SERVICE}
    for node in sorted(set(nodes)):
        base = re.sub(r"[^a-z0-9_.]+", "-", node.lower()).strip("-") or "node"
        name, k = base, 2
        while name in used:
            name, k = f"{base}-{k}", k + 1
        out[node] = name
        used.add(name)
    return out


def step_title(step: dict) -> str:
    args = ", ".join(f"{k}={v}" for k, v in step["params"].items())
    return f"{step['action']}({args})" if args else step["action"]


def to_otlp(cx: Counterexample, base_time_ns: int = ids.DEFAULT_BASE_TIME_NS,
            predicates: dict[str, dict] | None = None,
            reads: dict[tuple, tuple[str, ...]] | None = None) -> dict:
    """The ExportTraceServiceRequest (OTLP/JSON dict) for one counterexample.

    `predicates` maps a property name to {"text", "path", "line"} of its
    definition, when the spec is at hand; the violation event carries them.
    `reads` maps (process, action) to the other processes' variables the action
    reads (`Primary.up`); a step of such an action gets a span link to the step
    that last wrote each of them (`stateline.link` = `read`).
    """
    r, trace = cx.result, cx.trace
    steps = trace["steps"]
    writers: dict[int, list[int]] = {}       # step -> the steps whose writes it reads
    for i, step in enumerate(steps):
        for var in (reads or {}).get((step.get("process"), step["action"]), ()):
            j = _last_writer(steps, i, var)
            if j is not None and j not in writers.get(i, []):
                writers.setdefault(i, []).append(j)
    clocks = replay(steps, writers)
    services = service_names(s["node"] for s in steps)
    tid = ids.trace_id({"spec": r["spec"], "check": r["check"], "constants": r["constants"],
                        "property": cx.label, "trace": _identity(trace)})
    root = ids.span_id(tid, "check")
    sids = [ids.span_id(tid, f"step {s['number']}") for s in steps]
    at = lambda k: base_time_ns + k * ids.STEP_NS     # noqa: E731 (start of step k)
    error = _error(cx, (predicates or {}).get(cx.label))
    loop = trace.get("loop_start")
    # A behaviour that violates nothing (a validated trace, `stateline trace validate`)
    # carries its result instead of an error.
    outcome = cx.prop.get("result", "violated") if cx.prop else "violated"

    root_span = _span(tid, root, None, f"check {r['check']}: {cx.label} "
                      f"{outcome if cx.prop else 'run-time error'}", KIND_INTERNAL,
                      at(0), at(len(steps) + 1), {
                          "stateline.spec": r["spec"],
                          "stateline.check": r["check"],
                          "stateline.property": cx.prop["name"] if cx.prop else None,
                          "stateline.property.kind": cx.prop["kind"] if cx.prop else None,
                          "stateline.expected": cx.prop["expected"] if cx.prop else None,
                          "stateline.trace.length": len(steps),
                          "stateline.trace.loop_start": loop,
                          "stateline.initial": dict(trace["initial"]),
                          "stateline.nodes": list(trace.get("nodes") or ()) or None,
                          "traceparent": traceparent(tid, root),
                      })
    spans_of: dict[str, list[dict]] = {}
    for i, (step, clock) in enumerate(zip(steps, clocks)):
        start, received = at(step["number"]), step.get("received")
        vector = dict(sorted((services[n], c) for n, c in clock.vector))
        attrs = {
            "stateline.step": step["number"],
            "stateline.action": step["action"],
            "stateline.node": step["node"],
            "stateline.process": step.get("process"),
            "stateline.params": dict(step["params"]) or None,
            "stateline.changes": {c["variable"]: f"{c['old']} -> {c['new']}"
                                  for c in step["changes"]} or None,
            "stateline.appended": {c["variable"]: c["appended"] for c in step["changes"]
                                   if c.get("appended") is not None} or None,
            "stateline.received": received["shown"] if received else None,
            "stateline.sent": [m["shown"] for m in step["sent"]] or None,
            "lamport.clock": clock.lamport,
            "vector_clock": vector,
            "traceparent": traceparent(tid, sids[i]),
            **{f"vc.{svc}": c for svc, c in vector.items()},
        }
        events = []
        if received:
            events.append(_event("message.received", start, _message(received)))
        events.extend(_event("message.sent", start + ids.STEP_NS // 4, _message(m))
                      for m in step["sent"])
        if loop is not None and loop == step["number"] - 1:
            events.append(_event("lasso.loop_start", start, {"stateline.state": loop}))
        parent = sids[clock.sender] if clock.sender is not None else root
        kind = KIND_CONSUMER if received else KIND_PRODUCER if step["sent"] \
            else KIND_INTERNAL
        span = _span(tid, sids[i], parent, step_title(step), kind, start,
                     start + ids.STEP_NS, attrs, events)
        if clock.previous is not None:
            span["links"] = [{"traceId": tid, "spanId": sids[clock.previous],
                              "attributes": key_values({"stateline.link": PREVIOUS_STEP})}]
        for var in (reads or {}).get((step.get("process"), step["action"]), ()):
            writer = _last_writer(steps, i, var)
            if writer is not None and writer != clock.previous and \
                    all(link["spanId"] != sids[writer] for link in span.get("links", ())):
                span.setdefault("links", []).append(
                    {"traceId": tid, "spanId": sids[writer],
                     "attributes": key_values({"stateline.link": READ_LINK,
                                               "stateline.read": var})})
        spans_of.setdefault(services[step["node"]], []).append(span)
    target = spans_of[services[steps[-1]["node"]]][-1] if steps else root_span
    if loop is not None and loop >= len(steps):       # a loop on the last state alone
        root_span["events"] = [_event("lasso.loop_start", at(len(steps) + 1) - 1,
                                      {"stateline.state": loop})]
    if outcome == "violated":
        target.setdefault("events", []).append(
            _event(error["event"], int(target["endTimeUnixNano"]) - ids.STEP_NS // 4,
                   error["attributes"]))
        target["status"] = {"code": STATUS_ERROR, "message": error["message"]}
        _order(target)

    common = {"service.namespace": r["spec"], "stateline.spec.path": r.get("path"),
              "stateline.check": r["check"],
              **{f"stateline.constant.{k}": v for k, v in r["constants"].items()}}
    resources = [_resource({**common, "service.name": ROOT_SERVICE,
                            "service.version": __version__}, [root_span])]
    process_of = {s["node"]: s.get("process") for s in steps}
    for node, svc in sorted(services.items(), key=lambda item: item[1]):
        resources.append(_resource({**common, "service.name": svc, "service.instance.id": node,
                                    "stateline.node": node,
                                    "stateline.process": process_of[node]}, spans_of[svc]))
    return {"resourceSpans": resources}


def _identity(trace: dict) -> dict:
    """What a trace id is computed from: the trace without the fields later versions added
    (`nodes`, a change's `appended`), so a document of an earlier version exports to the
    same ids."""
    out = {k: v for k, v in trace.items() if k != "nodes"}
    out["steps"] = [{**s, "changes": [{k: v for k, v in c.items() if k != "appended"}
                                      for c in s["changes"]]} for s in trace["steps"]]
    return out


def _last_writer(steps: list[dict], i: int, var: str) -> int | None:
    """The last step before step i that changed `var` (`P.v`: any instance of P, any
    entry of v)."""
    process, name = var.split(".", 1)
    pattern = re.compile(rf"{re.escape(process)}(\[[^\]]*\])?\.{re.escape(name)}(\[|$)")
    for j in range(i - 1, -1, -1):
        if any(pattern.match(c["variable"]) for c in steps[j]["changes"]):
            return j
    return None


def _error(cx: Counterexample, predicate: dict | None) -> dict:
    if cx.prop is None:
        e = cx.result["error"]
        return {"event": "model.error",
                "message": f"error[{e['code']}]: {e['message']}",
                "attributes": {"stateline.error.code": e["code"],
                               "stateline.error.message": e["message"],
                               "stateline.error.location": e.get("location")}}
    p = cx.prop
    attrs = {"property.name": p["name"], "property.kind": p["kind"],
             "stateline.expected": p["expected"]}
    if predicate:
        attrs.update({"property.predicate": predicate.get("text"),
                      "code.file.path": predicate.get("path"),
                      "code.line.number": predicate.get("line")})
    elif p["kind"] == "deadlock":
        attrs["property.predicate"] = "some action is enabled"
    return {"event": "property.violated", "message": f"{p['kind']} {p['name']} violated",
            "attributes": attrs}


def _message(m: dict) -> dict:
    return {"message.type": m["type"], "message.text": m["shown"],
            "message.fields": dict(m["fields"]) or None, "message.to": m.get("to")}


def _event(name: str, time_ns: int, attrs: dict) -> dict:
    return {"timeUnixNano": str(time_ns), "name": name, "attributes": key_values(attrs)}


def _span(tid, sid, parent, name, kind, start, end, attrs, events=()) -> dict:
    span = {"traceId": tid, "spanId": sid}
    if parent is not None:
        span["parentSpanId"] = parent
    span.update({"name": name, "kind": kind, "startTimeUnixNano": str(start),
                 "endTimeUnixNano": str(end), "attributes": key_values(attrs)})
    if events:
        span["events"] = list(events)
    return span


_SPAN_KEYS = ("traceId", "spanId", "parentSpanId", "name", "kind", "startTimeUnixNano",
              "endTimeUnixNano", "attributes", "events", "links", "status")


def _order(span: dict) -> None:
    """Keep the keys of a span in one fixed order, whatever was added last."""
    items = {k: span.pop(k) for k in _SPAN_KEYS if k in span}
    span.update(items)


def _resource(attrs: dict, spans: list[dict]) -> dict:
    for s in spans:
        _order(s)
    return {"resource": {"attributes": key_values(attrs)},
            "scopeSpans": [{"scope": {"name": "stateline.otlp", "version": __version__},
                            "spans": spans}]}
