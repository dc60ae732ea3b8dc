"""Why a step is not enabled: an action's guard, conjunct by conjunct.

The successor function says which steps exist, not why one does not.  To
explain that (the trace validator does, for an event it cannot match),
`Guards(model)` compiles each conjunct of an action's guard -- the `if` of its
header and its leading `require`s, split exactly as the model compiler splits
them -- and each parameter's domain, with the model's own code generator and
with `self`, the parameters and the received message bound to given values.
A conjunct therefore means exactly what it means inside `successors`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import SpecError
from ..lang import ir
from .code import Unsupported
from .model import Model
from .runtime import ModelError
from .statements import StateView, _split_guards


@dataclass(frozen=True)
class Finding:
    """The first part of an action's guard that fails in a state."""

    kind: str          # "guard" (a conjunct is false), "domain" (a parameter outside
    #                    its domain), "error" (evaluating the conjunct raised)
    text: str          # the conjunct or the parameter, as written in the spec
    span: object       # its Span
    detail: str = ""


class Guards:
    def __init__(self, model: Model, sources: dict[str, str] | None = None):
        self.model = model
        self.system = model.system
        self.gen = model.system.context.gen
        self.ns = model.system.context.ns
        self.sources = sources or {}
        self._compiled: dict = {}

    def text(self, span) -> str:
        """The source text of a span (one line), or '' when the source is not at hand."""
        src = self.sources.get(span.path)
        if src is None:
            return ""
        lines = src.splitlines()
        if not 1 <= span.line <= len(lines):
            return ""
        line = lines[span.line - 1]
        end = span.end_col - 1 if span.end_line == span.line and span.end_col > span.col \
            else len(line)
        return line[span.col - 1:end].strip()

    def first_failure(self, k: int, inst, params: dict[int, object], msg,
                      state: tuple) -> Finding | None:
        """The first conjunct of action k's guard (or parameter domain) that fails in
        `state` for this instance, these parameters and this message.  Conjuncts that
        name a parameter not given (or the message, when `msg` is None) are skipped."""
        action = self.system.actions[k]
        for item in self._parts(k, inst, tuple(sorted(params.items())), msg):
            kind, fn, span, extra = item
            if fn is None:
                continue
            try:
                value = fn(state)
            except ModelError as exc:
                return Finding("error", self.text(span), span, exc.message)
            if kind == "guard" and not value:
                return Finding("guard", self.text(span), span)
            if kind == "domain":
                i, dom = extra
                members = dom.members(value)
                if params[i] not in members:
                    local = action.params[i][0]
                    shown = dom.elem.show(params[i])
                    return Finding("domain", self.text(span), span,
                                   f"{local.name} = {shown} is not in {dom.show(value)}")
        return None

    def _parts(self, k, inst, params: tuple, msg) -> list:
        key = (k, inst, params, msg)
        parts = self._compiled.get(key)
        if parts is not None:
            return parts
        action = self.system.actions[k]
        gen, view = self.gen, StateView()
        env = {}
        proc = self.system.processes.get(action.process) if action.process else None
        if proc is not None and not proc.single:
            env[proc.self_local] = gen.constant(inst, proc.instance_dom)
        given = dict(params)
        parts = []
        for i, (local, dom_e) in enumerate(action.params):
            dom = gen.expr(dom_e, env, view).dom
            if i in given and ir.free_locals(dom_e) <= set(env):
                parts.append(("domain", self._function(dom_e, env), dom_e.span, (i, dom)))
            if i in given:
                env[local] = gen.constant(given[i], dom.elem)
        if action.receive is not None and msg is not None:
            rec = self.system.records[action.receive[0]]
            env[action.receive[1]] = gen.constant(msg, rec)
        for c in _split_guards(action)[0]:
            fn = self._function(c, env) if ir.free_locals(c) <= set(env) else None
            parts.append(("guard", fn, c.span, None))
        self._compiled[key] = parts
        return parts

    def _function(self, e: ir.E, env: dict):
        try:
            code = self.gen.expr(e, env, StateView())
        except (ModelError, SpecError, Unsupported) as exc:
            message = getattr(exc, "message", None) or str(exc)

            def fails(state):
                raise ModelError(-1, message)
            return fails
        if code.const:
            value = code.value
            return lambda state: value
        names = "".join(f"S{j}, " for j in range(len(self.system.slots)))
        unpack = f"    {names}= s\n" if names else ""
        src = f"def _stateline_guard(s):\n{unpack}    return {code.src}\n"
        exec(compile(src, "<stateline guard>", "exec"), self.ns)  # noqa: S102
        return self.ns.pop("_stateline_guard")
