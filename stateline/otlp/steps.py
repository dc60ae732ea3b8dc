"""A counterexample read back from the OTLP trace Stateline wrote for it.

Stateline's export (`mapping.to_otlp`) puts everything a sequence diagram needs
on the spans: the root span (service `stateline`) names the check, the property
and its kind, the loop of a lasso and every process instance (`stateline.nodes`);
each step span carries its number, action, node, parameters and changes, and
its `message.received` / `message.sent` events the messages.  `counterexample`
rebuilds the `Trace` from them, so `stateline trace timeline` draws a file with
the same renderer, and the same picture, as the HTML report and the explorer.

A file that is not one Stateline counterexample (an instrumented service's
trace, several traces, a step missing or malformed) gives None: the caller draws
it on a time axis instead, or says why it cannot use this layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models.trace import Change, Message, Step, Trace
from .importer import Span
from .mapping import ROOT_SERVICE

KINDS = ("invariant", "transition", "deadlock", "temporal")


class NotACounterexample(Exception):
    """Why the spans are not one counterexample Stateline exported."""


@dataclass(frozen=True)
class Counterexample:
    trace: Trace
    kind: str            # the violated property's kind, or "error" (a run-time error)
    caption: str         # the root span's name: `check small: Agreement violated`


def counterexample(spans: list[Span]) -> Counterexample:
    """The counterexample the spans were exported from (NotACounterexample otherwise)."""
    roots = [s for s in spans if s.parent_id is None and s.service == ROOT_SERVICE
             and isinstance(s.attributes.get("stateline.check"), str)]
    if len(roots) != 1:
        raise NotACounterexample(
            "no span of service 'stateline' names a check: not a counterexample Stateline "
            "wrote" if not roots else
            f"{len(roots)} counterexamples in one file (draw one at a time)")
    root = roots[0]
    steps = sorted((s for s in spans if s is not root), key=_number)
    for s in steps:
        if s.trace_id != root.trace_id:
            raise NotACounterexample(f"span {s.span_id} belongs to another trace "
                                     f"({s.trace_id})")
    for k, s in enumerate(steps):
        if _number(s) != k + 1:
            raise NotACounterexample(f"span {s.span_id} '{s.name}': expected step {k + 1}, "
                                     f"got stateline.step {s.attributes.get('stateline.step')!r}")
    attrs = root.attributes
    loop = attrs.get("stateline.trace.loop_start")
    if loop is not None and (not _count(loop) or loop > len(steps)):
        raise NotACounterexample(f"stateline.trace.loop_start: {loop!r} is no state index")
    kind = attrs.get("stateline.property.kind")
    if attrs.get("stateline.property") is None:
        kind = "error"
    elif kind not in KINDS:
        raise NotACounterexample(f"stateline.property.kind: {kind!r} is not one of "
                                 + ", ".join(KINDS))
    trace = Trace(initial=_strings(root, "stateline.initial"),
                  steps=tuple(_step(s) for s in steps), loop_start=loop,
                  nodes=tuple(_string_list(root, "stateline.nodes")))
    return Counterexample(trace, kind, root.name)


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _number(span: Span) -> int:
    n = span.attributes.get("stateline.step")
    if not _count(n):
        raise NotACounterexample(f"span {span.span_id} '{span.name}' has no stateline.step "
                                 "count: not a step of a Stateline counterexample")
    return n


def _text(span: Span, key: str, value) -> str:
    if not isinstance(value, str):
        raise NotACounterexample(f"span {span.span_id}: {key}: expected a string")
    return value


def _strings(span: Span, key: str) -> tuple[tuple[str, str], ...]:
    kv = span.attributes.get(key)
    if kv is None:
        return ()
    if not isinstance(kv, dict):
        raise NotACounterexample(f"span {span.span_id}: {key}: expected a kvlist")
    return tuple((k, _text(span, f"{key}: {k}", v)) for k, v in kv.items())


def _string_list(span: Span, key: str) -> list[str]:
    value = span.attributes.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise NotACounterexample(f"span {span.span_id}: {key}: expected an array")
    return [_text(span, key, v) for v in value]


def _message(span: Span, attrs: dict) -> Message:
    fields = attrs.get("message.fields")
    if fields is not None and not isinstance(fields, dict):
        raise NotACounterexample(f"span {span.span_id}: message.fields: expected a kvlist")
    to = attrs.get("message.to")
    return Message(_text(span, "message.text", attrs.get("message.text")),
                   _text(span, "message.type", attrs.get("message.type")),
                   tuple((k, _text(span, "message.fields", v))
                         for k, v in (fields or {}).items()),
                   None if to is None else _text(span, "message.to", to))


def _step(span: Span) -> Step:
    attrs = span.attributes
    received = [e for e in span.events if e.name == "message.received"]
    if len(received) > 1:
        raise NotACounterexample(f"span {span.span_id}: a step receives one message at most")
    process = attrs.get("stateline.process")
    appended = dict(_strings(span, "stateline.appended"))
    changes = []
    for variable, text in _strings(span, "stateline.changes"):
        old, sep, new = text.partition(" -> ")
        if not sep:
            raise NotACounterexample(f"span {span.span_id}: stateline.changes: {variable}: "
                                     "expected 'old -> new'")
        changes.append(Change(variable, old, new, appended.get(variable)))
    return Step(number=attrs["stateline.step"],
                action=_text(span, "stateline.action", attrs.get("stateline.action")),
                process=None if process is None else _text(span, "stateline.process", process),
                node=_text(span, "stateline.node", attrs.get("stateline.node")),
                params=_strings(span, "stateline.params"),
                received=_message(span, received[0].attributes) if received else None,
                sent=tuple(_message(span, e.attributes) for e in span.events
                           if e.name == "message.sent"),
                changes=tuple(changes))
