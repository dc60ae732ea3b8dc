"""Mark the spans of an instrumented service as steps of its spec.

`stateline trace validate` reads the steps of a running system from its
OpenTelemetry traces.  This module sets the attributes it reads on spans, with
the standard `opentelemetry-api` only (`pip install 'stateline[instrument]'`,
or just `opentelemetry-api`): it imports nothing else from Stateline and runs
no checker, so it can also be copied into a service as one file.

    from opentelemetry import trace
    from stateline.instrument import Node

    rm = Node("RM[1]", trace.get_tracer("twophase"))

    # a handler: the span is a child of the sender's step (the message's traceparent)
    with rm.step("on Prepare", parent=msg["trace"],
                 received=("Prepare", {"tx": 3, "rm": 1})) as step:
        state, tx = "working", 3
        step.observe(state=state, tx=tx)

    # an action with a parameter, which sends a message
    with rm.step("vote", yes=True) as step:
        state = "prepared"
        carrier = step.send("Vote", tx=3, rm=1, yes=True)   # put it in the message
        step.observe(state=state)

A step span carries `stateline.action`, `stateline.node`,
`stateline.param.<name>`, `stateline.received`, `stateline.sent` and
`stateline.var.<name>` (docs/trace-validation.md), and a link to the node's
previous step, so that program order does not depend on clocks.  A step
should cover one atomic step of the protocol: in asyncio code, no `await`
between reading the state and the last update.  A step whose body raises is
marked `stateline.aborted` and is not read as a step.

`annotate(action, ...)` sets the same attributes on the current span instead,
for spans that something else (an HTTP framework) starts.
"""

from __future__ import annotations

import contextlib

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = ["Node", "Step", "annotate", "message_text", "value"]

_PROPAGATOR = TraceContextTextMapPropagator()
PREVIOUS_STEP = "previous step of the same node"


def value(v):
    """A Python value as an attribute value in the spec's syntax.

    bool, int and str (enum values, model values) are attributes as they are; None is
    `none`; a set is `{a, b}`, a list `[a, b]`, a tuple `(a, b)`, a dict a map `{k: v}`.
    """
    if isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return _text(v)


def _text(v) -> str:
    if v is None:
        return "none"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, str)):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (set, frozenset)):
        return "{" + ", ".join(sorted((_text(x) for x in v), key=_order)) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_text(x) for x in v) + "]"
    if isinstance(v, tuple):
        inner = ", ".join(_text(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_text(k)}: {_text(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"no spec value for a {type(v).__name__}")


def _order(text: str):
    try:
        return (0, int(text), "")
    except ValueError:
        return (1, 0, text)


def message_text(mtype: str, fields: dict | None = None) -> str:
    """A message as the spec writes it: `Vote(tx=3, rm=1, yes=true)`."""
    if not fields:
        return mtype
    return f"{mtype}(" + ", ".join(f"{k}={_text(v)}" for k, v in fields.items()) + ")"


def _received(received) -> str | None:
    if received is None or isinstance(received, str):
        return received
    mtype, fields = received
    return message_text(mtype, fields)


def _attributes(action: str, node: str | None, received, params: dict) -> dict:
    attrs = {"stateline.action": action}
    if node is not None:
        attrs["stateline.node"] = node
    text = _received(received)
    if text is not None:
        attrs["stateline.received"] = text
    for name, v in params.items():
        attrs[f"stateline.param.{name}"] = value(v)
    return attrs


def annotate(action: str, *, node: str | None = None, received=None, **params) -> None:
    """Mark the current span as the step `action` (of `node`, with these parameters,
    having received `received`: a `(type, fields)` pair or the message's text)."""
    span = trace.get_current_span()
    for key, v in _attributes(action, node, received, params).items():
        span.set_attribute(key, v)


class Step:
    """One step in progress: record observations and the messages it sends."""

    def __init__(self, span):
        self.span = span
        self._sent: list[str] = []

    def observe(self, **variables) -> None:
        """The values of spec variables after the step (`state="prepared"`)."""
        for name, v in variables.items():
            self.span.set_attribute(f"stateline.var.{name}", value(v))

    def send(self, mtype: str, **fields) -> dict:
        """Record a message this step sends; returns the carrier (`traceparent`) to put
        in it, so that the receiver's step becomes a child of this one."""
        self._sent.append(message_text(mtype, fields))
        return self.carrier()

    def carrier(self) -> dict:
        carrier: dict = {}
        _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(self.span))
        return carrier

    def _finish(self) -> None:
        if self._sent:
            self.span.set_attribute("stateline.sent", list(self._sent))


class Node:
    """A process instance of the spec (`RM[1]`, `TM`) and the tracer its steps use."""

    def __init__(self, name: str, tracer=None):
        self.name = name
        self.tracer = tracer if tracer is not None else trace.get_tracer("stateline.instrument")
        self.last = None                 # the SpanContext of the previous step

    @contextlib.contextmanager
    def step(self, action: str, *, parent=None, received=None, **params):
        """A span that is the step `action` of this node.  `parent` is the sending step's
        context: a carrier dict (with `traceparent`), a Context, or None for the current
        context -- or, when no span is current, the node's previous step, so that the
        node's steps stay in one trace."""
        if isinstance(parent, dict):
            ctx = _PROPAGATOR.extract(parent)
        elif parent is not None:
            ctx = parent
        elif trace.get_current_span().get_span_context().is_valid or self.last is None:
            ctx = otel_context.get_current()
        else:       # no span is current: continue the node's trace after its previous step
            ctx = trace.set_span_in_context(trace.NonRecordingSpan(self.last))
        links = [Link(self.last, {"stateline.link": PREVIOUS_STEP})] if self.last else []
        kind = SpanKind.CONSUMER if received is not None else SpanKind.INTERNAL
        with self.tracer.start_as_current_span(
                action, context=ctx, kind=kind, links=links,
                attributes=_attributes(action, self.name, received, params),
                record_exception=True, set_status_on_exception=True) as span:
            step = Step(span)
            try:
                yield step
            except BaseException:
                span.set_attribute("stateline.aborted", True)
                raise
            finally:
                step._finish()
                self.last = span.get_span_context()
