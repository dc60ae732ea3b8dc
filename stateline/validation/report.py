"""Validation results as text and as JSON (schema `stateline.trace-validation`, v1).

The matched behaviour is a `Trace` like every engine's: the text shows it
step by step with the span each step matched, the JSON document carries it in
the `stateline.check` trace form (`render.json_out.trace_json`), and
`behaviour_document` wraps it in a `stateline.check` document so that
`stateline export` and the OTLP, ITF and HTML writers take it as any trace.
"""

from __future__ import annotations

from .. import __version__
from ..render.json_out import trace_json
from .events import Event, span_where
from .run import TraceResult
from .search import CONFORMS, NOT_CONFORMS

SCHEMA, VERSION = "stateline.trace-validation", 1
TAIL = 12          # steps of a long prefix shown without --show-behaviour


def headline(r: TraceResult) -> str:
    o = r.outcome
    n = len(r.trace.events)
    internal = sum(1 for e in r.step_events if e is None)
    stats = f"{r.chains} chain{'s' if r.chains != 1 else ''} · {o.configs:,} configurations" \
            f" · {o.seconds:.2f} s"
    if o.verdict == CONFORMS:
        return f"trace {r.trace.trace_id}: conforms: {n:,} event{'s' if n != 1 else ''} " \
               f"matched by {len(o.consumed):,} steps of the spec ({internal} internal) · " \
               + stats
    if o.verdict == NOT_CONFORMS:
        return f"trace {r.trace.trace_id}: DOES NOT CONFORM: {o.matched:,} of {n:,} events " \
               f"matched (the longest matched prefix has {len(o.consumed):,} steps) · " + stats
    return f"trace {r.trace.trace_id}: unknown: {o.matched:,} of {n:,} events matched when " \
           f"the search stopped ({_stop(o.stop)}) · " + stats


def _stop(stop: str) -> str:
    return {"max-seconds": "--max-seconds", "max-states": "--max-states",
            "interrupted": "interrupted"}.get(stop, stop)


def event_text(e: Event) -> str:
    return f"{e.title}  [{span_where(e.file, e.span)}]"


def text(r: TraceResult, show_behaviour: bool = False, unmapped: str = "ignore") -> str:
    lines = [headline(r)]
    if r.trace.unmapped:
        names = sorted({s.name for s in r.trace.unmapped})
        lines.append(f"  {len(r.trace.unmapped):,} unmapped span"
                     f"{'s' if len(r.trace.unmapped) != 1 else ''} ignored"
                     + (f": {', '.join(names[:5])}" + (", ..." if len(names) > 5 else "")
                        if unmapped != "report" else ""))
        if unmapped == "report":
            for s in r.trace.unmapped:
                lines.append(f"    {span_where(r.trace.files[s.key], s)}")
    if r.internal:
        lines.append(f"  internal actions (may happen without a span): {', '.join(r.internal)}")
    o = r.outcome
    if (o.verdict != CONFORMS or show_behaviour) and o.states:
        lines.append(behaviour_text(r, full=show_behaviour))
    if r.initial_reasons:
        lines.append("  no initial state of the spec agrees with the trace:")
        lines.extend(f"    - {x}" for x in r.initial_reasons)
    for i, ex in enumerate(r.explanations):
        head = "the event that cannot be matched next" if i == 0 else "also possible next"
        lines.append(f"  {head}: {event_text(ex.event)}")
        reachable = len(o.frontier_states)
        for reason, count in ex.reasons:
            of = f"{count} of {ex.states}" if ex.states < reachable or count < ex.states \
                else f"all {count}" if count > 1 else "the one"
            lines.append(f"    in {of} spec state{'s' if count != 1 else ''} reachable after "
                         f"the prefix: {reason}")
        if ex.states < reachable:
            lines.append(f"    ({reachable:,} states are reachable there; {ex.states} were "
                         "examined)")
    if len(o.frontier) > len(r.explanations) and r.explanations:
        lines.append(f"  ... {len(o.frontier) - len(r.explanations)} more events could come "
                     "next")
    for e in o.errors[:1]:
        lines.append(f"  note: the spec raised a run-time error in a state the search "
                     f"reached: {e[0].message}")
    for v in r.violations:
        where = "the initial state" if v.step == 0 else f"step {v.step}"
        what = "matched behaviour" if o.verdict == CONFORMS else "matched prefix"
        lines.append(f"  {v.kind} {v.prop} is violated by the {what} at {where} "
                     f"(expected: {v.expected})")
    if not r.violations and o.states:
        what = "matched behaviour" if o.verdict == CONFORMS else "matched prefix"
        lines.append(f"  every invariant holds on the {what}")
    return "\n".join(lines)


def behaviour_text(r: TraceResult, full: bool) -> str:
    t = r.behaviour
    title = "matched behaviour" if r.outcome.verdict == CONFORMS else "longest matched prefix"
    lines = [f"  {title}:"]
    steps = list(zip(t.steps, r.step_events))
    if not full and len(steps) > TAIL:
        lines.append(f"  ... {len(steps) - TAIL:,} earlier steps (--show-behaviour prints "
                     "them all)")
        steps = steps[-TAIL:]
    else:
        lines.append("  initial state")
        width = max((len(n) for n, _ in t.initial), default=0)
        lines.extend(f"      {n.ljust(width)} = {v}" for n, v in t.initial)
    for step, e in steps:
        span = f"span {e.span.span_id} '{e.span.name}' ({e.span.service})" if e is not None \
            else "internal: no span"
        lines.append(f"  {step.number:>3}  {step.title()}    <- {span}")
        if step.received is not None:
            lines.append(f"         received  {step.received.shown}")
        for m in step.sent:
            lines.append(f"         sent      {m.shown}" + (f" to {m.to}" if m.to else ""))
        cw = max((len(c.variable) for c in step.changes), default=0)
        for c in step.changes:
            what = f"+ {c.appended}" if c.appended is not None else f"{c.old} -> {c.new}"
            lines.append(f"         {c.variable.ljust(cw)}  {what}")
    return "\n".join(lines)


def _event_json(e: Event) -> dict:
    return {"file": e.file, "trace_id": e.span.trace_id, "span_id": e.span.span_id,
            "name": e.span.name, "service": e.span.service, "step": e.title}


def trace_result_json(r: TraceResult) -> dict:
    o = r.outcome
    behaviour = trace_json(r.behaviour)
    for step, e in zip(behaviour["steps"], r.step_events):
        step["span_id"] = e.span.span_id if e is not None else None
    return {
        "trace_id": r.trace.trace_id,
        "verdict": o.verdict,
        "stop_reason": o.stop,
        "events": len(r.trace.events),
        "matched": o.matched,
        "unmapped": len(r.trace.unmapped),
        "chains": r.chains,
        "configurations": o.configs,
        "seconds": round(o.seconds, 3),
        "internal_actions": list(r.internal),
        "behaviour": behaviour if o.states else None,
        "initial_state_mismatch": list(r.initial_reasons),
        "unmatched": [{"event": _event_json(ex.event), "states_examined": ex.states,
                       "reasons": [{"reason": x, "states": c} for x, c in ex.reasons]}
                      for ex in r.explanations],
        "next_events": [_event_json(e) for e in o.frontier],
        "reachable_states": len(o.frontier_states),
        "violations": [{"name": v.prop, "kind": v.kind, "expected": v.expected,
                        "step": v.step} for v in r.violations],
    }


def document(spec: str, path: str, check: str, constants, files: list[str],
             results: list[TraceResult], exit_code: int) -> dict:
    return {"schema": SCHEMA, "version": VERSION, "stateline": __version__,
            "spec": spec, "path": path, "check": check, "constants": dict(constants),
            "files": list(files), "exit_code": exit_code,
            "traces": [trace_result_json(r) for r in results]}


def behaviour_document(spec: str, path: str, check: str, constants,
                       results: list[TraceResult]) -> dict:
    """A `stateline.check` document with each trace's behaviour as one property's trace
    (`trace <id>`, result `conforms` or the verdict), for the OTLP and ITF writers."""
    props = [{"name": f"trace-{r.trace.trace_id}", "kind": "trace", "expected": "conforms",
              "result": r.verdict, "met": r.verdict == CONFORMS,
              "trace": trace_json(r.behaviour)} for r in results if r.outcome.states]
    return {"schema": "stateline.check", "version": 1, "stateline": __version__,
            "results": [{"spec": spec, "path": path, "check": check, "engine": "trace",
                         "constants": dict(constants), "properties": props, "error": None}]}
