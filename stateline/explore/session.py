"""An exploration session: a path through the state space of one check block.

The explorer (web app) and the REPL drive the same `Session`.  It holds the
compiled `Model` of a check block (`checker.run.prepare`, as `stateline check`
compiles it) and a path from an initial state: every state on it is computed by
the model's labelled successor function, the one that prints `check`'s
counterexamples, so a state shown here is a state the checker explores.

    session = Session.open("specs/labs/paxos_no_quorum.sl")
    session.enabled()           # [Option]: every labelled successor of the current state
    session.take(3)             # append the step at that position
    session.back(); session.forward()
    session.properties()        # which invariants hold in the current state
    session.jump("Agreement")   # the path becomes the shortest counterexample
    session.evaluate("Acceptor[a1].maxBal")   # an expression of the spec, here

Going back keeps the steps undone, so `forward` redoes them until a different
step is taken (as a browser's history does).  A session remembers the digest
of the spec's text; `stale()` says when the file on disk has changed since.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..checker.run import CheckOptions, check_blocks, prepare, run_check
from ..diagnostics import Diagnostic, SpecError
from ..lang.load import LoadError, load_spec, parse_override, parse_state_expr, read_source
from ..models.code import Unsupported
from ..models.runtime import ModelError
from ..models.trace import Step, Trace
from ..models.verdict import CheckResult, Status


class SessionError(Exception):
    """A request the session cannot carry out (an unknown property, a step that is not
    enabled, a trace that does not replay); the message says which and why."""


@dataclass(frozen=True)
class Option:
    """One enabled step of the current state: its position among the model's labelled
    successors, the step as every report describes it, and the state it leads to."""

    index: int
    step: Step
    state: tuple


@dataclass(frozen=True)
class PropertyState:
    name: str
    kind: str           # "invariant" | "transition" | "deadlock" | "constraint"
    holds: bool | None  # None: not defined here (a transition invariant before any step)
    error: str | None = None    # a run-time error evaluating it


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Session:
    def __init__(self, loaded, check, overrides: dict, defines: tuple[str, ...] = ()):
        self.loaded = loaded
        self.path = loaded.path
        self.check = check
        self.overrides = overrides
        self.defines = defines
        self.digest = _digest(loaded.source)
        self.model = prepare(loaded, check, overrides)
        self.system = self.model.system
        constraint = self.model.constraint
        self.initials = [s for s in self.model.initial_states()
                         if constraint is None or constraint(s)]
        if not self.initials:
            raise SessionError(f"{self.path}: check {check.name} has no initial state "
                               "(the constraint excludes every one)")
        self.states: list[tuple] = [self.initials[0]]
        self.choices: list[int] = []        # position of step i among the labelled successors
        self.redo: list[int] = []           # steps undone by `back`, the next one last
        self.loop_start: int | None = None  # set when the path is a liveness lasso
        self._result: CheckResult | None = None
        self._expressions: dict[str, tuple] = {}

    # ---- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str, check: str | None = None, defines: tuple[str, ...] = ()) \
            -> "Session":
        """The session of one check block of a spec (the first when `check` is None).
        Raises LoadError/SpecError for a bad spec or -D, SessionError for an unknown check."""
        loaded = load_spec(path)
        overrides = dict(parse_override(loaded, d) for d in defines)
        blocks = check_blocks(loaded)
        if check is not None:
            chosen = [b for b in blocks if b.name == check]
            if not chosen:
                names = ", ".join(b.name for b in blocks)
                raise LoadError([Diagnostic("SL505", f"{path}: no check block is named "
                                                     f"'{check}' (its checks: {names})")], {})
            block = chosen[0]
        else:
            block = blocks[0]
        return cls(loaded, block, overrides, tuple(defines))

    def check_names(self) -> list[str]:
        return [b.name for b in check_blocks(self.loaded)]

    def stale(self) -> bool:
        """Has the spec's file changed (or gone) since the session compiled it?"""
        try:
            return _digest(read_source(self.path)) != self.digest
        except SpecError:
            return True

    def reload(self) -> "Session":
        """A new session of the same check block on the file as it is now, following as
        much of this session's path as still replays (step by step, by description)."""
        fresh = Session.open(self.path, self.check.name, self.defines)
        for step in self.trace().steps:
            match = [o for o in fresh.enabled() if o.step.title() == step.title()
                     and o.step.received == step.received]
            if not match:
                break
            fresh.take(match[0].index)
        return fresh

    # ---- the path ----------------------------------------------------------------------------

    @property
    def current(self) -> tuple:
        return self.states[-1]

    @property
    def depth(self) -> int:
        return len(self.choices)

    def choose_initial(self, k: int) -> None:
        if not 0 <= k < len(self.initials):
            raise SessionError(f"there are {len(self.initials)} initial states; no initial "
                               f"state {k + 1}")
        self.states, self.choices, self.redo, self.loop_start = [self.initials[k]], [], [], None

    def enabled(self) -> list[Option]:
        """Every labelled successor of the current state, in the model's order."""
        s = self.current
        n = len(self.choices) + 1
        return [Option(i, self.model.step(s, label, nxt, n), nxt)
                for i, (label, nxt) in enumerate(self.model.successors_labeled(s))]

    def take(self, index: int) -> Step:
        options = self.model.successors_labeled(self.current)
        if not 0 <= index < len(options):
            raise SessionError(f"no enabled step {index} (there are {len(options)})")
        label, nxt = options[index]
        if self.redo and self.redo[-1] == index:
            self.redo.pop()
        else:
            self.redo = []
        self.loop_start = None
        step = self.model.step(self.current, label, nxt, len(self.choices) + 1)
        self.states.append(nxt)
        self.choices.append(index)
        return step

    def back(self) -> bool:
        if not self.choices:
            return False
        self.redo.append(self.choices.pop())
        self.states.pop()
        self.loop_start = None
        return True

    def forward(self) -> bool:
        if not self.redo:
            return False
        self.take(self.redo[-1])
        return True

    def go(self, depth: int) -> None:
        """Back or forward until the path has `depth` steps."""
        if not 0 <= depth <= len(self.choices) + len(self.redo):
            raise SessionError(f"no step {depth} on this path")
        while len(self.choices) > depth:
            self.back()
        while len(self.choices) < depth:
            self.forward()

    def trace(self) -> Trace:
        return self.model.trace(self.states, self.loop_start, self.choices)

    # ---- properties --------------------------------------------------------------------------

    def properties(self, at: int | None = None) -> list[PropertyState]:
        """Every invariant and transition invariant of the check in the current state (or
        the state after step `at`; the transition invariants on the step into it), deadlock,
        and the constraint."""
        k = self.depth if at is None else at
        s = self.states[k]
        out = []
        for prop, fn in self.model.invariants:
            out.append(_evaluate(prop.name, "invariant", fn, s))
        for prop, fn in self.model.transitions:
            if k:
                out.append(_evaluate(prop.name, "transition", fn, self.states[k - 1], s))
            else:
                out.append(PropertyState(prop.name, "transition", None))
        if not self.system.allow_deadlock:
            out.append(PropertyState("DeadlockFreedom", "deadlock",
                                     bool(self.model.successors(s))))
        if self.model.constraint is not None:
            out.append(_evaluate("constraint", "constraint", self.model.constraint, s))
        return out

    def result(self) -> CheckResult:
        """The check block's result (searched once, as `stateline check` searches it)."""
        if self._result is None:
            self._result = run_check(self.loaded, self.check, self.overrides, CheckOptions(),
                                     self.model)
        return self._result

    def violated(self) -> list[tuple[str, str, str, int]]:
        """(property, kind, expected, steps) of each property of the check with a
        counterexample."""
        return [(v.prop, v.kind, v.expected, len(v.trace)) for v in self.result().verdicts
                if v.status is Status.VIOLATED and v.trace is not None]

    def jump(self, prop: str) -> Trace:
        """Make the path the shortest counterexample of `prop`."""
        verdicts = {v.prop: v for v in self.result().verdicts}
        v = verdicts.get(prop)
        if v is None:
            raise SessionError(f"check {self.check.name} has no property '{prop}' (it has "
                               + ", ".join(verdicts) + ")")
        if v.status is not Status.VIOLATED or v.trace is None:
            raise SessionError(f"{prop} is not violated in check {self.check.name} "
                               f"({v.status.value}): there is no counterexample")
        self._follow(v.trace.states, [s.label for s in v.trace.steps])
        self.loop_start = v.trace.loop_start
        return self.trace()

    def _follow(self, states, labels) -> None:
        self.states, self.choices, self.redo = [states[0]], [], []
        for label, nxt in zip(labels, states[1:]):
            options = self.model.successors_labeled(self.current)
            index = next(i for i, (lab, t) in enumerate(options) if lab == label and t == nxt)
            self.states.append(nxt)
            self.choices.append(index)

    # ---- saved traces ------------------------------------------------------------------------

    def replay(self, trace: dict) -> None:
        """Follow a saved trace (a `trace` object of a `--json` document, or of an ITF
        file read by `otlp.document.load`) through the model, step by step: each saved step
        must be one of the enabled steps (same node, action, parameters, received message
        and changed variables)."""
        initial = trace.get("initial") or {}
        starts = [s for s in self.initials if _fits(self.model.describe(s), initial)]
        if not starts:
            raise SessionError("the saved trace's initial state is not an initial state of "
                               f"check {self.check.name}")
        self.states, self.choices, self.redo, self.loop_start = [starts[0]], [], [], None
        for saved in trace.get("steps", []):
            found = [o for o in self.enabled() if _same_step(o.step, saved)]
            if not found:
                n = len(self.choices) + 1
                raise SessionError(f"step {n} of the saved trace ({_saved_title(saved)}) is not "
                                   f"enabled here: the spec or its constants differ")
            self.take(found[0].index)
        loop = trace.get("loop_start")
        self.loop_start = loop if isinstance(loop, int) else None

    # ---- expressions -------------------------------------------------------------------------

    def evaluate(self, text: str, state: tuple | None = None) -> str:
        """The value of an expression of the spec in the current state, shown in the spec's
        syntax.  Raises LoadError (does not parse or type), SessionError (cannot be
        computed: a run-time error, or something the code generator cannot compile)."""
        compiled = self._expressions.get(text)
        if compiled is None:
            e = parse_state_expr(self.loaded, text)
            try:
                compiled = self.model.expression(e)
            except Unsupported as exc:
                raise SessionError(f"cannot compute this: {exc}") from None
            self._expressions[text] = compiled
        fn, dom = compiled
        try:
            return dom.show(fn(self.current if state is None else state))
        except ModelError as exc:
            raise SessionError(f"{self.system.sites[exc.site]}: {exc.message}") from None

    def names(self) -> list[str]:
        """Names an expression can start with: constants, global variables, processes,
        definitions (for completion)."""
        r = self.loaded.resolved
        out = set(r.consts)
        out.update(v.name for v in self.loaded.typed.variables if v.process is None)
        out.update(p.name for p in self.loaded.typed.processes)
        out.update(r.defs)
        return sorted(out)


def _evaluate(name: str, kind: str, fn, *states) -> PropertyState:
    try:
        return PropertyState(name, kind, bool(fn(*states)))
    except ModelError as exc:
        return PropertyState(name, kind, None, exc.message)


def _fits(described, initial: dict) -> bool:
    return all(initial.get(k, v) == v for k, v in described)


def _saved_title(saved: dict) -> str:
    params = saved.get("params") or {}
    args = ", ".join(f"{k}={v}" for k, v in params.items())
    name = f"{saved.get('action')}({args})" if args else str(saved.get("action"))
    node = saved.get("node")
    return f"{node}.{name}" if node and node != "env" else name


def _same_step(step: Step, saved: dict) -> bool:
    changes = {(c.variable, c.new) for c in step.changes}
    if changes != {(c.get("variable"), c.get("new")) for c in saved.get("changes", [])}:
        return False
    if saved.get("node") == "env" and saved.get("process") is None and step.node != "env":
        return True       # a foreign ITF step: only its effect is known
    if step.node != saved.get("node") or step.action != saved.get("action") or \
            dict(step.params) != (saved.get("params") or {}):
        return False
    received = saved.get("received")
    shown = step.received.shown if step.received is not None else None
    return shown == (received.get("shown") if isinstance(received, dict) else None)
