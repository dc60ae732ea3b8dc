"""An independent reference semantics for small generated Stateline specs.

Nothing here imports `stateline`: this module is a second, deliberately naive
implementation of what a spec *means*, used by `test_crosscheck.py` to
cross-check the compiled checker.  It has three parts:

* a description of a spec as plain Python data (`Spec`, `VarDecl`,
  `ProcDecl`, `Action`, statements `Require`/`Assign`/`If`, and expressions as
  tagged tuples, listed below);
* `to_text(spec)`, which prints the description as `.sl` source (fully
  parenthesised, or with only the parentheses the grammar needs) and records
  the source line of every action and statement;
* `explore(spec)`, a breadth-first search over Python tuples with a plain
  dict as the visited set, which interprets the description directly.

Semantics implemented (the natural reading of the spec, nothing compiled):

* An action instance is one choice of acting process instance (`self`) and
  parameter values.  Its header guard and body run on a copy of the state:
  statements run in order, `x := e` evaluates `e` in the current (already
  updated) state and stores it, `require c` disables the instance when `c` is
  false, `if`/`else` runs one branch.  An instance whose body completes gives
  exactly one successor (even one equal to an already-seen state).
* `and`, `or`, `implies`, `if-else` and the quantifiers evaluate left to
  right and short-circuit; quantifiers range over their domain in increasing
  order.  `%` and `//` are Python's (floor) operators.
* Run-time errors: assigning a value outside the variable's declared range
  (for a set variable: a set with an element outside its element range), a
  map key outside the map's key range, and a process index that is not an
  instance.  An error aborts the whole search.

Counting follows TLC (and Stateline's `Stats`): transitions = number of
initial states + every successor generated; depth = number of BFS levels,
initial states at depth 1.

To reproduce Stateline's results exactly even when the search stops early
(every property violated, or a run-time error), `explore` also follows
Stateline's documented deterministic order and stopping rule:

* initial states in the order of the product of the variables' initial
  choices, in slot order (global variables in declaration order, then each
  process variable for each instance in increasing order);
* successors: global actions in declaration order, then the process's
  actions in declaration order; for each, instances in increasing order, then
  parameter values in increasing order (the first parameter outermost);
* a property is checked on new states (invariant) or on expanded states
  without successors (deadlock); once every property is violated the search
  stops after finishing the expansion of the current state; `depth` is the
  level of the last state whose expansion started.

Expressions (tuples):

    ('lit', v)                         int or bool literal
    ('var', name)                      global variable
    ('own', name)                      the acting instance's process variable
    ('pvar', proc, name, idx)          Proc[idx].name
    ('local', name)                    parameter, quantified variable or self
    ('get', map, key)                  map[key]  (global map variable)
    ('arith', op, a, b)                op in + - * // %
    ('neg', a)
    ('call', 'min' | 'max', a, b)
    ('len', set)
    ('cmp', op, a, b)                  op in == != < <= > >=
    ('and', a, b) ('or', a, b) ('implies', a, b) ('not', a)
    ('quant', 'exists' | 'forall', name, lo, hi, body)
    ('squant', 'exists' | 'forall', name, set, body)    over the elements of a set
    ('in', e, set) ('notin', e, set)
    ('inrange', e, lo, hi)             e in lo..hi
    ('setlit', (items...))
    ('setop', op, a, b)                op in | & -
    ('ifexp', cond, then, else)
    ('enabled', action, idx)           enabled(action) (idx None), enabled(P[idx].action):
                                       some instance of the action has a successor

Assignment targets: ('var', name), ('own', name), ('pvar', proc, name, idx),
('get', map, key).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

# ---- the description -------------------------------------------------------------------


@dataclass
class VarDecl:
    name: str
    kind: str                      # 'int' | 'bool' | 'set' | 'map'
    lo: int = 0                    # int range / set element range / map value range
    hi: int = 0
    klo: int = 0                   # map key range
    khi: int = 0
    inits: tuple = ()              # possible initial values, canonical order
    init_src: str = ""             # the initial value as .sl text
    nondet: bool = False           # printed as `var v in <init_src>`
    init_self: bool = False        # process variable initialised to `self`

    def type_src(self) -> str:
        if self.kind == "bool":
            return "bool"
        if self.kind == "int":
            return f"{self.lo}..{self.hi}"
        if self.kind == "set":
            return f"set[{self.lo}..{self.hi}]"
        return f"map[{self.klo}..{self.khi}, {self.lo}..{self.hi}]"

    def contains(self, v) -> bool:
        if self.kind == "bool":
            return isinstance(v, bool)
        if self.kind == "int":
            return self.lo <= v <= self.hi
        if self.kind == "set":
            return all(self.lo <= e <= self.hi for e in v)
        return len(v) == self.khi - self.klo + 1 and all(self.lo <= e <= self.hi for e in v)


@dataclass
class ProcDecl:
    name: str
    lo: int                        # instances lo..hi
    hi: int
    vars: list[VarDecl]
    crash: str = ""                # e.g. "crash recover max 1" (not interpreted here)

    @property
    def instances(self) -> range:
        return range(self.lo, self.hi + 1)


@dataclass
class Require:
    cond: tuple
    line: int = 0


@dataclass
class Assert:
    """`assert cond, "message"`: SL603 when cond is false."""
    cond: tuple
    message: str = "checked"
    line: int = 0


@dataclass
class Assign:
    target: tuple
    value: tuple
    line: int = 0


@dataclass
class If:
    cond: tuple
    then: list
    orelse: list
    line: int = 0


@dataclass
class Either:
    """`either:` BLOCK `or:` BLOCK ...: one successor per branch (a branch whose `require`
    fails has none); the choice is the step's parameter `either@LINE=k`."""
    branches: list
    line: int = 0


@dataclass
class Action:
    name: str
    proc: str | None
    params: list[tuple[str, int, int]]      # (name, lo, hi)
    guard: tuple | None
    body: list
    line: int = 0
    on: bool = False               # a handler `on M(m)` of the network's message


@dataclass
class Send:
    """`send M(value)` on a `network set` (not interpreted here)."""
    value: tuple
    line: int = 0


@dataclass
class Spec:
    vars: list[VarDecl]
    proc: ProcDecl | None
    actions: list[Action]
    invariant: tuple | None
    allow_deadlock: bool = False
    proc_first: bool = False       # print the process block before the global actions
    minimal_parens: bool = False
    name: str = "Gen"
    text: str = field(default="", repr=False)
    # The shapes of tests/spec_shapes.py (all optional; printed after `Inv`):
    invariants: list = field(default_factory=list)    # more invariants: (name, expr)
    transitions: list = field(default_factory=list)   # transition invariants: (name, expr)
    constraints: list = field(default_factory=list)   # constraints: (name, expr)
    # temporal properties (name, form, p, q): form 'eventually' | 'always eventually' |
    # 'eventually always' | 'leads_to' (q only there).  The reference does not decide
    # them; their presence only turns off the early stop, as in the checker.
    temporal: list = field(default_factory=list)
    fair: dict = field(default_factory=dict)          # action name -> 'weak' | 'strong'
    check_fair: list = field(default_factory=list)    # check-block fairness: (kind, [targets])
    expect_deadlock: bool = False  # a check block with `expect DeadlockFreedom holds`
    # `network set` with `message M(v: 0..2)`, `send` statements and `on M(m)` handlers
    # (`msg.v` is the local ("local", "msg.v")); with a process's `crash`, the explicit
    # reference does not interpret it (`explore` refuses: `interpreted(spec)` is False)
    network: bool = False
    lines: dict = field(default_factory=dict, repr=False)   # property name -> source line


# ---- printing ---------------------------------------------------------------------------

_PREC = {"ifexp": 0, "implies": 1, "or": 2, "and": 3, "not": 4, "quant": 4, "squant": 4,
         "cmp": 5, "in": 5,
         "notin": 5, "inrange": 5, "neg": 12}
_ARITH_PREC = {"+": 10, "-": 10, "*": 11, "//": 11, "%": 11}
_SETOP_PREC = {"|": 7, "&": 9, "-": 10}
ATOM = 13


def _prec(e) -> int:
    tag = e[0]
    if tag == "lit":
        return 12 if (type(e[1]) is int and e[1] < 0) else ATOM
    if tag == "arith":
        return _ARITH_PREC[e[1]]
    if tag == "setop":
        return _SETOP_PREC[e[1]]
    return _PREC.get(tag, ATOM)


class Printer:
    def __init__(self, minimal: bool):
        self.minimal = minimal

    def expr(self, e, need: int = 0) -> str:
        s = self._raw(e)
        p = _prec(e)
        if need > 0 and (p < need or e[0] in ("quant", "squant", "ifexp") or
                         (not self.minimal and p < ATOM)):
            return "(" + s + ")"
        return s

    def _raw(self, e) -> str:
        tag = e[0]
        x = self.expr
        if tag == "lit":
            v = e[1]
            if type(v) is bool:
                return "true" if v else "false"
            return str(v)
        if tag in ("var", "own", "local"):
            return e[1]
        if tag == "pvar":
            return f"{e[1]}[{x(e[3])}].{e[2]}"
        if tag == "get":
            return f"{e[1]}[{x(e[2])}]"
        if tag == "arith":
            p = _ARITH_PREC[e[1]]
            return f"{x(e[2], p)} {e[1]} {x(e[3], p + 1)}"
        if tag == "neg":
            inner = x(e[1], 12)
            if inner.startswith("-"):
                inner = "(" + inner + ")"
            return "-" + inner
        if tag == "call":
            return f"{e[1]}({x(e[2])}, {x(e[3])})"
        if tag == "len":
            return f"len({x(e[1])})"
        if tag in ("smin", "smax"):
            return f"{tag[1:]}({x(e[1])})"
        if tag == "prime":
            return f"{x(e[1], ATOM)}'"
        if tag == "cmp":
            return f"{x(e[2], 6)} {e[1]} {x(e[3], 6)}"
        if tag == "and":
            return f"{x(e[1], 3)} and {x(e[2], 4)}"
        if tag == "or":
            return f"{x(e[1], 2)} or {x(e[2], 3)}"
        if tag == "implies":
            return f"{x(e[1], 2)} implies {x(e[2], 1)}"
        if tag == "not":
            return f"not {x(e[1], 4)}"
        if tag == "quant":
            return f"{e[1]} {e[2]} in {e[3]}..{e[4]}: {x(e[5])}"
        if tag == "squant":
            return f"{e[1]} {e[2]} in {x(e[3], 6)}: {x(e[4])}"
        if tag == "in":
            return f"{x(e[1], 6)} in {x(e[2], 6)}"
        if tag == "notin":
            return f"{x(e[1], 6)} not in {x(e[2], 6)}"
        if tag == "inrange":
            return f"{x(e[1], 6)} in {e[2]}..{e[3]}"
        if tag == "setlit":
            return "{" + ", ".join(x(i) for i in e[1]) + "}"
        if tag == "setop":
            p = _SETOP_PREC[e[1]]
            return f"{x(e[2], p)} {e[1]} {x(e[3], p + 1)}"
        if tag == "ifexp":
            return f"{x(e[2], 1)} if {x(e[1], 1)} else {x(e[3])}"
        if tag == "enabled":
            return self.enabled_target(e)
        raise AssertionError(f"unknown expression {e!r}")

    def enabled_target(self, e) -> str:
        _, name, idx = e
        if "." not in name:
            return f"enabled({name})"
        proc, act = name.split(".")
        return f"enabled({proc}.{act})" if idx is None else \
            f"enabled({proc}[{self.expr(idx)}].{act})"

    def target(self, t) -> str:
        if t[0] in ("var", "own"):
            return t[1]
        if t[0] == "pvar":
            return f"{t[1]}[{self.expr(t[3])}].{t[2]}"
        if t[0] == "get":
            return f"{t[1]}[{self.expr(t[2])}]"
        raise AssertionError(f"unknown target {t!r}")


def to_text(spec: Spec) -> str:
    """The spec as .sl source; sets the `line` of every action and statement."""
    pr = Printer(spec.minimal_parens)
    lines: list[str] = [f"spec {spec.name}"]

    def emit(indent: int, text: str) -> int:
        lines.append("    " * indent + text)
        return len(lines)

    def var(indent: int, v: VarDecl):
        if v.nondet and v.kind == "bool":
            emit(indent, f"var {v.name} in {v.init_src}")
        elif v.nondet:
            emit(indent, f"var {v.name}: {v.type_src()} in {v.init_src}")
        else:
            emit(indent, f"var {v.name}: {v.type_src()} = {v.init_src}")

    def block(indent: int, stmts: list):
        if not stmts:
            emit(indent, "pass")
        for st in stmts:
            if isinstance(st, Require):
                st.line = emit(indent, f"require {pr.expr(st.cond)}")
            elif isinstance(st, Assign):
                st.line = emit(indent, f"{pr.target(st.target)} := {pr.expr(st.value)}")
            elif isinstance(st, Assert):
                st.line = emit(indent, f'assert {pr.expr(st.cond)}, "{st.message}"')
            elif isinstance(st, Send):
                st.line = emit(indent, f"send M({pr.expr(st.value)})")
            elif isinstance(st, Either):
                for k, branch in enumerate(st.branches):
                    line = emit(indent, "or:" if k else "either:")
                    st.line = st.line if k else line
                    block(indent + 1, branch)
            else:
                st.line = emit(indent, f"if {pr.expr(st.cond)}:")
                block(indent + 1, st.then)
                if st.orelse:
                    emit(indent, "else:")
                    block(indent + 1, st.orelse)

    def action(indent: int, a: Action):
        params = ", ".join(f"{n} in {lo}..{hi}" for n, lo, hi in a.params)
        fair = spec.fair.get(a.name)
        head = (f"fair {fair} " if fair else "") + (
            "on M(msg)" if a.on else f"action {a.name}" + (f"({params})" if a.params else ""))
        if a.guard is not None:
            head += f" if {pr.expr(a.guard)}"
        a.line = emit(indent, head + ":")
        block(indent + 1, a.body)

    def process():
        p = spec.proc
        lines.append("")
        emit(0, f"process {p.name}(self in {p.lo}..{p.hi}):")
        if p.crash:
            emit(1, p.crash)
        for v in p.vars:
            var(1, v)
        for a in spec.actions:
            if a.proc == p.name:
                action(1, a)

    if spec.network:
        emit(0, "network set")
        emit(0, "message M(v: 0..2)")
    for v in spec.vars:
        var(0, v)
    if spec.proc is not None and spec.proc_first:
        process()
    for a in spec.actions:
        if a.proc is None:
            lines.append("")
            action(0, a)
    if spec.proc is not None and not spec.proc_first:
        process()
    props = ([("invariant", "Inv", spec.invariant)] if spec.invariant is not None else []) + \
        [("invariant", n, e) for n, e in spec.invariants] + \
        [("transition", n, e) for n, e in spec.transitions] + \
        [("constraint", n, e) for n, e in spec.constraints]
    if props:
        lines.append("")
    for kind, name, e in props:
        spec.lines[name] = emit(0, f"{kind} {name}: {pr.expr(e)}")
    for name, form, p, q in spec.temporal:
        body = f"{pr.expr(p, ATOM)} leads_to {pr.expr(q, ATOM)}" if form == "leads_to" \
            else f"{form} {pr.expr(p, ATOM)}"
        spec.lines[name] = emit(0, f"property {name}: {body}")
    if spec.allow_deadlock:
        lines.append("")
        emit(0, "allow deadlock")
    if spec.expect_deadlock or spec.check_fair:
        lines.append("")
        emit(0, "check c:")
        for kind, targets in spec.check_fair:
            emit(1, f"fair {kind} {', '.join(targets)}")
        if spec.expect_deadlock:
            emit(1, "expect DeadlockFreedom holds")
        else:
            emit(1, "allow deadlock" if spec.allow_deadlock else "expect DeadlockFreedom holds")
    spec.text = "\n".join(lines) + "\n"
    return spec.text


# ---- evaluation ---------------------------------------------------------------------------


class RefError(Exception):
    """A run-time error of the spec (reference semantics): SL601 (out of range) or SL602
    (an operation undefined on its operands)."""

    def __init__(self, message: str, line: int = 0, code: str = "SL601"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.code = code


class _Disabled(Exception):
    """A `require` failed: the action instance has no successor."""


class Interpreter:
    def __init__(self, spec: Spec):
        self.spec = spec
        self.slots: list[tuple[str, VarDecl, int | None]] = []   # (shown name, decl, instance)
        self.gslot: dict[str, int] = {}
        self.pslot: dict[tuple[str, int], int] = {}
        self.decl: dict[str, VarDecl] = {}
        for v in spec.vars:
            self.gslot[v.name] = len(self.slots)
            self.decl[v.name] = v
            self.slots.append((v.name, v, None))
        p = spec.proc
        if p is not None:
            for v in p.vars:
                self.decl[v.name] = v
                for i in p.instances:
                    self.pslot[(v.name, i)] = len(self.slots)
                    self.slots.append((f"{p.name}[{i}].{v.name}", v, i))
        # Stateline's order: global actions, then the process's actions.
        self.actions = [a for a in spec.actions if a.proc is None] + \
            [a for a in spec.actions if a.proc is not None]

    # ---- states ----

    def initial_states(self) -> list[tuple]:
        choices = []
        for _, v, inst in self.slots:
            choices.append((inst,) if v.init_self else v.inits)
        return [tuple(s) for s in itertools.product(*choices)]

    def show(self, state: tuple) -> dict:
        return {name: state[k] for k, (name, _, _) in enumerate(self.slots)}

    # ---- expressions ----

    def instance(self, i) -> int:
        p = self.spec.proc
        if i not in p.instances:
            raise RefError(f"{i} is not an instance of {p.name}")
        return i

    def ev(self, e, cur, env):
        tag = e[0]
        ev = self.ev
        if tag == "lit":
            return e[1]
        if tag == "var":
            return cur[self.gslot[e[1]]]
        if tag == "local":
            return env[e[1]]
        if tag == "own":
            return cur[self.pslot[(e[1], env["self"])]]
        if tag == "pvar":
            i = self.instance(ev(e[3], cur, env))
            return cur[self.pslot[(e[2], i)]]
        if tag == "get":
            d = self.decl[e[1]]
            k = ev(e[2], cur, env)
            if not d.klo <= k <= d.khi:
                raise RefError(f"map key {k} is outside {d.klo}..{d.khi}")
            return cur[self.gslot[e[1]]][k - d.klo]
        if tag == "arith":
            a = ev(e[2], cur, env)
            b = ev(e[3], cur, env)
            op = e[1]
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if b == 0:
                raise RefError("division by zero", code="SL602")
            return a // b if op == "//" else a % b
        if tag == "neg":
            return -ev(e[1], cur, env)
        if tag == "call":
            a = ev(e[2], cur, env)
            b = ev(e[3], cur, env)
            return min(a, b) if e[1] == "min" else max(a, b)
        if tag == "len":
            return len(ev(e[1], cur, env))
        if tag in ("smin", "smax"):
            elems = ev(e[1], cur, env)
            if not elems:
                raise RefError(f"{e[0][1:]} of an empty set", code="SL602")
            return min(elems) if tag == "smin" else max(elems)
        if tag == "prime":
            return ev(e[1], env["'"], env)
        if tag == "cmp":
            a = ev(e[2], cur, env)
            b = ev(e[3], cur, env)
            op = e[1]
            if op == "==":
                return a == b
            if op == "!=":
                return a != b
            if op == "<":
                return a < b
            if op == "<=":
                return a <= b
            if op == ">":
                return a > b
            return a >= b
        if tag == "and":
            return ev(e[1], cur, env) and ev(e[2], cur, env)
        if tag == "or":
            return ev(e[1], cur, env) or ev(e[2], cur, env)
        if tag == "implies":
            return (not ev(e[1], cur, env)) or ev(e[2], cur, env)
        if tag == "not":
            return not ev(e[1], cur, env)
        if tag == "quant":
            _, kind, name, lo, hi, body = e
            for v in range(lo, hi + 1):
                r = ev(body, cur, {**env, name: v})
                if kind == "exists" and r:
                    return True
                if kind == "forall" and not r:
                    return False
            return kind == "forall"
        if tag == "squant":
            _, kind, name, dom, body = e
            for v in sorted(ev(dom, cur, env)):
                r = ev(body, cur, {**env, name: v})
                if kind == "exists" and r:
                    return True
                if kind == "forall" and not r:
                    return False
            return kind == "forall"
        if tag == "in":
            return ev(e[1], cur, env) in ev(e[2], cur, env)
        if tag == "notin":
            return ev(e[1], cur, env) not in ev(e[2], cur, env)
        if tag == "inrange":
            return e[2] <= ev(e[1], cur, env) <= e[3]
        if tag == "setlit":
            return frozenset(ev(i, cur, env) for i in e[1])
        if tag == "setop":
            a = ev(e[2], cur, env)
            b = ev(e[3], cur, env)
            return a | b if e[1] == "|" else a & b if e[1] == "&" else a - b
        if tag == "ifexp":
            return ev(e[2], cur, env) if ev(e[1], cur, env) else ev(e[3], cur, env)
        if tag == "enabled":
            _, name, idx = e
            inst = None if idx is None else self.instance(ev(idx, cur, env))
            act = name.split(".")[-1]
            try:
                return bool(self.successors(tuple(cur), only=(act, inst), first=True))
            except RefError as exc:
                exc.in_enabled = True       # reported at the action's line, not the property's
                raise
        raise AssertionError(f"unknown expression {e!r}")

    # ---- statements ----

    def store(self, target, value, cur, env):
        tag = target[0]
        if tag == "get":
            d = self.decl[target[1]]
            k = self.ev(target[2], cur, env)
            if not d.klo <= k <= d.khi:
                raise RefError(f"map key {k} is outside {d.klo}..{d.khi}")
            v = self.ev(value, cur, env)
            if not d.lo <= v <= d.hi:
                raise RefError(f"map value {v} is outside {d.lo}..{d.hi}")
            slot = self.gslot[target[1]]
            old = cur[slot]
            cur[slot] = old[:k - d.klo] + (v,) + old[k - d.klo + 1:]
            return
        if tag == "var":
            slot = self.gslot[target[1]]
        elif tag == "own":
            slot = self.pslot[(target[1], env["self"])]
        else:
            slot = self.pslot[(target[2], self.instance(self.ev(target[3], cur, env)))]
        v = self.ev(value, cur, env)
        d = self.slots[slot][1]
        if not d.contains(v):
            raise RefError(f"value {sorted(v) if isinstance(v, frozenset) else v} is outside "
                           f"{d.type_src()} ({d.name})")
        cur[slot] = v

    def run(self, stmts, cur, env, choices=None) -> list[tuple[dict, list]]:
        """Every way `stmts` run from `cur`: [(either choices {line: branch}, state)], in
        branch order; a way whose `require` fails has no successor."""
        ways = [(dict(choices or {}), cur)]
        for st in stmts:
            nxt = []
            for chosen, c in ways:
                try:
                    if isinstance(st, Require):
                        if self.ev(st.cond, c, env):
                            nxt.append((chosen, c))
                    elif isinstance(st, Assign):
                        self.store(st.target, st.value, c, env)
                        nxt.append((chosen, c))
                    elif isinstance(st, Assert):
                        if not self.ev(st.cond, c, env):
                            raise RefError(f"assertion failed: {st.message}", code="SL603")
                        nxt.append((chosen, c))
                    elif isinstance(st, Either):
                        for k, branch in enumerate(st.branches, 1):
                            nxt += self.run(branch, list(c), env, {**chosen, st.line: k})
                    else:
                        cond = self.ev(st.cond, c, env)
                        nxt += self.run(st.then if cond else st.orelse, c, env, chosen)
                except RefError as exc:
                    if not exc.line:
                        exc.line = st.line
                    raise
            ways = nxt
        return ways

    def first_way(self, stmts, cur, env) -> bool:
        """Does some way of running `stmts` from `cur` complete?  Depth first, in branch
        order, stopping at the first that does (enabled(A) stops at A's first
        successor: the branches after it are not run, nor their errors raised)."""
        for idx, st in enumerate(stmts):
            try:
                if isinstance(st, Require):
                    if not self.ev(st.cond, cur, env):
                        return False
                elif isinstance(st, Assign):
                    self.store(st.target, st.value, cur, env)
                elif isinstance(st, Assert):
                    if not self.ev(st.cond, cur, env):
                        raise RefError(f"assertion failed: {st.message}", code="SL603")
                elif isinstance(st, Either):
                    rest = list(stmts[idx + 1:])
                    return any(self.first_way(list(branch) + rest, list(cur), env)
                               for branch in st.branches)
                else:
                    cond = self.ev(st.cond, cur, env)
                    rest = list(stmts[idx + 1:])
                    return self.first_way(list(st.then if cond else st.orelse) + rest, cur,
                                          env)
            except RefError as exc:
                if not exc.line:
                    exc.line = st.line
                raise
        return True

    def successors(self, state: tuple, choices: bool = False, only=None,
                   first: bool = False) -> list[tuple[tuple, tuple]]:
        """[(label, next state)], label = (action, instance or None, parameter values);
        with `choices`, [(label, next state, {either line: branch})].  With `only` =
        (action, instance or None): that action's (of that instance); with `first`, up to
        the first successor (enabled(A): evaluation stops there)."""
        out = []
        p = self.spec.proc
        for a in self.actions:
            if only is not None and a.name != only[0]:
                continue
            insts = list(p.instances) if a.proc is not None else [None]
            if only is not None and only[1] is not None:
                insts = [only[1]]
            domains = [range(lo, hi + 1) for _, lo, hi in a.params]
            for inst in insts:
                for values in itertools.product(*domains):
                    env = {n: v for (n, _, _), v in zip(a.params, values)}
                    if inst is not None:
                        env["self"] = inst
                    cur = list(state)
                    try:
                        if a.guard is not None:
                            try:
                                if not self.ev(a.guard, cur, env):
                                    continue
                            except RefError as exc:
                                exc.line = a.line
                                raise
                        if first:
                            if self.first_way(a.body, cur, env):
                                return [((a.name, inst, values), tuple(cur))]
                            continue
                        ways = self.run(a.body, cur, env)
                    except _Disabled:
                        continue
                    for chosen, nxt in ways:
                        label = (a.name, inst, values)
                        out.append((label, tuple(nxt), chosen) if choices else
                                   (label, tuple(nxt)))
                        if first:
                            return out
        return out

    def invariant(self, state: tuple) -> bool:
        return bool(self.ev(self.spec.invariant, list(state), {}))


# ---- the search ---------------------------------------------------------------------------


@dataclass
class RefResult:
    states: int
    transitions: int
    depth: int
    stop: str                         # 'complete' | 'all-violated' | 'model-error'
    invariant: str | None             # 'holds' | 'violated' | 'unknown'; None: no invariant
    invariant_len: int | None         # steps of the shortest counterexample
    deadlock: str | None              # status of DeadlockFreedom; None: deadlock allowed
    deadlock_len: int | None
    # (trace steps to the state expanded or evaluated -- None: no trace, an initial state
    # outside the constraint --, line, message, code)
    error: tuple | None
    deadlock_reachable: bool | None = None   # known only if the whole space was explored
    # every safety property (invariants, transition invariants, DeadlockFreedom when
    # checked) -> (status, length of the shortest counterexample or None)
    props: dict = field(default_factory=dict)
    # every state generated (explored, or discarded by a constraint) before the search
    # ended, in the order generated
    generated: list = field(default_factory=list, repr=False)


def interpreted(spec: Spec) -> bool:
    """Does `explore` interpret this spec (no network, no crashes)?"""
    return not spec.network and not (spec.proc is not None and spec.proc.crash)


def explore(spec: Spec, max_states: int = 1_000_000, early_stop: bool = True) -> RefResult:
    """Breadth-first search; with `early_stop=False` the search goes on after every
    property is violated (to learn whether a run-time error is reachable at all).

    Properties, as the checker documents them (docs/language.md, sections 16-19): the
    invariants (`Inv`, then `spec.invariants`) are evaluated, in declaration order, on
    every new state and on every state generated outside the constraints (not stored,
    not explored, not counted); a violated invariant is no longer evaluated after the
    depth where it is violated (on that depth's other states it still is, for errors);
    an error evaluating one stops the search.  Transition invariants are evaluated on every step
    from an expanded state (stuttering steps and steps out of the constraint included);
    deadlock on every expanded state without successors.  Temporal properties turn the
    early stop off (the checker then needs the whole graph)."""
    if not interpreted(spec):
        raise NotImplementedError("the reference does not interpret networks or crashes")
    it = Interpreter(spec)
    invs = ([("Inv", spec.invariant)] if spec.invariant is not None else []) + \
        list(spec.invariants)
    trans = list(spec.transitions)
    check_dl = not spec.allow_deadlock or spec.expect_deadlock
    total = 0 if spec.temporal else len(invs) + len(trans) + int(check_dl)
    index: dict[tuple, int] = {}
    states: list[tuple] = []
    level: list[int] = []
    generated: list[tuple] = []
    found: dict[str, int] = {}         # property -> length of its shortest counterexample

    def violated(t: tuple, d: int) -> list[str]:
        """The invariants newly violated in t, a state at depth d (counterexample
        length)."""
        bad = []
        for name, e in invs:
            if name in found and found[name] < d:
                continue
            try:
                ok = it.ev(e, list(t), {})
            except RefError as exc:
                if not getattr(exc, "in_enabled", False):
                    exc.line = spec.lines.get(name, 0)
                raise
            if not ok and name not in found:
                bad.append(name)
        return bad

    def within(t: tuple) -> bool:
        return all(it.ev(e, list(t), {}) for _, e in spec.constraints)

    def add(t: tuple, lv: int):
        index[t] = len(states)
        states.append(t)
        level.append(lv)
        for name in violated(t, lv - 1):
            found[name] = lv - 1

    transitions = 0
    depth = 0
    stop = "complete"
    error = None
    any_deadlock = False
    i = 0
    try:
        for t in it.initial_states():
            transitions += 1
            if t in index:
                continue
            generated.append(t)
            if not within(t):
                try:
                    for name in violated(t, 0):
                        found[name] = 0
                except RefError as exc:
                    stop, error = "model-error", (None, exc.line, exc.message, exc.code)
                    break
                continue
            try:
                add(t, 1)
            except RefError as exc:
                stop, error = "model-error", (0, exc.line, exc.message, exc.code)
                break
        depth = 1 if states else 0         # (the state an error is found in is stored)
        while stop == "complete" and i < len(states):
            if len(states) > max_states:
                raise RuntimeError(f"reference: more than {max_states} states")
            s, lv = states[i], level[i]
            depth = lv
            try:
                succ = it.successors(s)
            except RefError as exc:
                stop, error = "model-error", (lv - 1, exc.line, exc.message, exc.code)
                break
            transitions += len(succ)
            if not succ:
                any_deadlock = True
                if check_dl and "DeadlockFreedom" not in found:
                    found["DeadlockFreedom"] = lv - 1
            open_ = [(n, e) for n, e in trans if n not in found]
            for _, t in succ:
                for name, e in open_:
                    if not it.ev(e, list(s), {"'": list(t)}) and name not in found:
                        found[name] = lv
            for _, t in succ:
                if t in index:
                    continue
                generated.append(t)
                if not within(t):
                    try:
                        bad = violated(t, lv)
                    except RefError as exc:        # reported with the path to s
                        stop, error = "model-error", (lv - 1, exc.line, exc.message, exc.code)
                        break
                    for name in bad:
                        found[name] = lv
                    continue
                try:
                    add(t, lv + 1)
                except RefError as exc:            # reported with the path to t
                    stop, error = "model-error", (lv, exc.line, exc.message, exc.code)
                    break
            if stop != "complete":
                break
            i += 1
            if early_stop and total and len(found) >= total:
                stop = "all-violated"
                break
    except RefError as exc:
        raise AssertionError(f"a constraint or transition invariant failed to evaluate: "
                             f"{exc.message} (the generator keeps them total)") from None

    def status(key: str) -> tuple:
        if key in found:
            return "violated", found[key]
        return ("holds" if stop != "model-error" else "unknown"), None

    props = {name: status(name) for name, _ in invs + trans}
    if check_dl:
        props["DeadlockFreedom"] = status("DeadlockFreedom")
    if stop == "complete" and spec.temporal:
        # After the search (whose verdicts stand), as the liveness phase does: each
        # temporal property's P, then Q, over the stored states in breadth-first order;
        # the first that raises is the run-time error (a shortest path to its state).
        for name, _form, p, q in spec.temporal:
            for e in (p, q):
                if e is None or error is not None:
                    continue
                for k, t in enumerate(states):
                    try:
                        it.ev(e, list(t), {})
                    except RefError as exc:
                        stop = "model-error"
                        line = exc.line if getattr(exc, "in_enabled", False) else \
                            spec.lines.get(name, 0)
                        error = (level[k] - 1, line, exc.message, exc.code)
                        break
    inv = props.get("Inv")
    dl = props.get("DeadlockFreedom")
    return RefResult(
        states=len(states), transitions=transitions, depth=depth, stop=stop,
        invariant=inv[0] if inv else None, invariant_len=inv[1] if inv else None,
        deadlock=dl[0] if dl else None, deadlock_len=dl[1] if dl else None,
        error=error,
        deadlock_reachable=any_deadlock if stop == "complete" else (True if any_deadlock
                                                                    else None),
        props=props, generated=generated)


# ---- replaying a counterexample -------------------------------------------------------------


def parse_shown(text: str, decl: VarDecl):
    """A value as Stateline shows it (`3`, `true`, `{}`, `{0, 2}`, `0..2`, `{0: 1, 1: 2}`)."""
    text = text.strip()
    if decl.kind == "bool":
        if text not in ("true", "false"):
            raise ValueError(f"not a bool: {text!r}")
        return text == "true"
    if decl.kind == "int":
        return int(text)
    if decl.kind == "set":
        if ".." in text and not text.startswith("{"):
            lo, hi = text.split("..")
            return frozenset(range(int(lo), int(hi) + 1))
        inner = text[1:-1].strip()
        return frozenset(int(x) for x in inner.split(",")) if inner else frozenset()
    inner = text[1:-1].strip()
    pairs = [p.split(":") for p in inner.split(",")] if inner else []
    got = {int(k): int(v) for k, v in pairs}
    if sorted(got) != list(range(decl.klo, decl.khi + 1)):
        raise ValueError(f"map keys of {text!r}")
    return tuple(got[k] for k in range(decl.klo, decl.khi + 1))


def replay(spec: Spec, initial: dict[str, str],
           steps: list[tuple[str, int | None, dict[str, int]]]) -> list[tuple]:
    """The states of a trace given as shown initial values and (action, instance, params)
    steps; raises AssertionError if the trace is not a behaviour of the spec."""
    it = Interpreter(spec)
    names = [name for name, _, _ in it.slots]
    assert set(initial) == set(names), f"trace variables {sorted(initial)} != {names}"
    s0 = tuple(parse_shown(initial[name], decl) for name, decl, _ in it.slots)
    assert s0 in it.initial_states(), f"trace starts in a non-initial state {it.show(s0)}"
    states = [s0]
    for n, (act, inst, params) in enumerate(steps, 1):
        a = next((x for x in spec.actions if x.name == act), None)
        assert a is not None, f"step {n}: unknown action {act}"
        want = (act, inst, tuple(params[p] for p, _, _ in a.params))
        branch = {int(k.split("@")[1]): v for k, v in params.items() if k.startswith("either@")}
        nxt = [t for label, t, chosen in it.successors(states[-1], choices=True)
               if label == want and all(branch.get(line, 1) == k for line, k in chosen.items())]
        assert nxt, f"step {n}: {want} is not enabled in {it.show(states[-1])}"
        states.append(nxt[0])
    return states
