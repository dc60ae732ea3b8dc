"""The syntax tree of a spec: frozen dataclasses, one per construct.

Location is metadata: every node's `span` is excluded from equality and
hashing, so two differently formatted specs give equal trees.  Types are kept
as expressions here (``set[RM]``, ``0..N``, ``Values?`` all parse as
expressions); the type checker interprets them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Span

_NOSPAN = Span("<none>", 0, 0)


def _span():
    return field(default=_NOSPAN, compare=False, repr=False)


# ---- expressions ------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    """An expression (types are written as expressions too)."""


@dataclass(frozen=True)
class Name(Expr):
    id: str
    span: Span = _span()


# Integers are unbounded, but every integer a spec writes or computes at compile time
# has at most this many digits: Python converts longer ones to text only on request
# (sys.set_int_max_str_digits), and Stateline must be able to show every value.
MAX_INT_DIGITS = 4300
INT_LIMIT = 10 ** MAX_INT_DIGITS     # |v| < INT_LIMIT


@dataclass(frozen=True)
class IntLit(Expr):
    value: int
    span: Span = _span()


@dataclass(frozen=True)
class BoolLit(Expr):
    value: bool
    span: Span = _span()


@dataclass(frozen=True)
class NoneLit(Expr):
    span: Span = _span()


@dataclass(frozen=True)
class TupleLit(Expr):
    items: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True)
class SeqLit(Expr):
    items: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True)
class FunSet(Expr):
    """`[S -> T]`: every map from the set S to the set T."""
    domain: Expr
    codomain: Expr
    span: Span = _span()


@dataclass(frozen=True)
class SetLit(Expr):
    items: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True)
class MapLit(Expr):
    items: tuple[tuple[Expr, Expr], ...]
    span: Span = _span()


@dataclass(frozen=True)
class CompFor:
    names: tuple[str, ...]
    domain: Expr
    cond: Expr | None
    span: Span = _span()


@dataclass(frozen=True)
class SetComp(Expr):
    elem: Expr
    fors: tuple[CompFor, ...]
    span: Span = _span()


@dataclass(frozen=True)
class SeqComp(Expr):
    """`[e for x in s if P]`: a sequence, in the order of its generators."""
    elem: Expr
    fors: tuple[CompFor, ...]
    span: Span = _span()


@dataclass(frozen=True)
class MapComp(Expr):
    key: Expr
    value: Expr
    fors: tuple[CompFor, ...]
    span: Span = _span()


@dataclass(frozen=True)
class KwArg:
    name: str
    value: Expr
    span: Span = _span()      # the name's span


@dataclass(frozen=True)
class Call(Expr):
    func: Expr
    args: tuple[Expr, ...]
    kwargs: tuple[KwArg, ...] = ()
    span: Span = _span()


@dataclass(frozen=True)
class Slice(Expr):
    lo: Expr | None
    hi: Expr | None
    span: Span = _span()


@dataclass(frozen=True)
class Subscript(Expr):
    base: Expr
    indices: tuple[Expr, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Attr(Expr):
    base: Expr
    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Prime(Expr):
    base: Expr
    span: Span = _span()


@dataclass(frozen=True)
class OptionType(Expr):
    base: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Unary(Expr):
    op: str  # "neg" | "not"
    operand: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Binary(Expr):
    # arithmetic + - * // % /, sets | & ^ .., logic and or implies,
    # comparison == != < <= > >= in "not in"
    op: str
    left: Expr
    right: Expr
    span: Span = _span()


@dataclass(frozen=True)
class IfExp(Expr):
    cond: Expr
    then: Expr
    orelse: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Binder:
    names: tuple[str, ...]
    domain: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Quant(Expr):
    kind: str  # "forall" | "exists"
    binders: tuple[Binder, ...]
    body: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Choose(Expr):
    name: str
    domain: Expr
    cond: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Let(Expr):
    name: str
    value: Expr
    body: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Temporal(Expr):
    """A temporal formula: `eventually F`, `always F`, `P leads_to Q`, `forall x in S: F`."""

    # "eventually" | "always" | "leads_to" | "forall" | "initially" (`initially P
    # implies F`: args P, F) | "stable" (`always (P implies always Q)`: args P, Q)
    op: str
    args: tuple[Expr, ...]
    binders: tuple[Binder, ...]   # for "forall"
    span: Span = _span()


# ---- statements -------------------------------------------------------------


@dataclass(frozen=True)
class Stmt:
    """A statement of an action body."""


@dataclass(frozen=True)
class Require(Stmt):
    cond: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Assert(Stmt):
    """`assert cond, "message"`: a run-time error (SL603) when cond is false."""

    cond: Expr
    message: str
    span: Span = _span()


@dataclass(frozen=True)
class Assign(Stmt):
    target: Expr  # Name, Subscript or Attr chain rooted at a Name
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Send(Stmt):
    message: Expr
    to: Expr | None
    span: Span = _span()


@dataclass(frozen=True)
class LetStmt(Stmt):
    name: str
    value: Expr
    span: Span = _span()


@dataclass(frozen=True)
class RecordOp(Stmt):
    """`record invoke H.write(v)`: append an event to a history."""

    kind: str                 # "invoke" | "ok" | "fail" | "info"
    history: str
    op: str                   # "read" | "write"
    value: Expr | None
    span: Span = _span()


@dataclass(frozen=True)
class Pass(Stmt):
    span: Span = _span()


@dataclass(frozen=True)
class CallStmt(Stmt):
    """`name(args)` as a statement: a call of a procedure of the process."""

    name: str
    args: tuple[Expr, ...]
    kwargs: tuple[KwArg, ...] = ()
    span: Span = _span()


@dataclass(frozen=True)
class If(Stmt):
    branches: tuple[tuple[Expr, tuple[Stmt, ...]], ...]
    orelse: tuple[Stmt, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Either(Stmt):
    """`either: ... or: ...`: one successor per branch."""

    branches: tuple[tuple[Stmt, ...], ...]
    span: Span = _span()


@dataclass(frozen=True)
class ChooseStmt(Stmt):
    """`choose v in S:` as a statement: one successor per element of S."""

    name: str
    domain: Expr
    body: tuple[Stmt, ...]
    span: Span = _span()


@dataclass(frozen=True)
class For(Stmt):
    name: str
    domain: Expr
    body: tuple[Stmt, ...]
    span: Span = _span()


# ---- declarations -----------------------------------------------------------


@dataclass(frozen=True)
class Decl:
    """A top-level or process-level declaration."""


@dataclass(frozen=True)
class Const(Decl):
    name: str
    type: Expr | None
    value: Expr
    symmetric: bool
    span: Span = _span()


@dataclass(frozen=True)
class Member:
    name: str
    span: Span = _span()


@dataclass(frozen=True)
class Enum(Decl):
    name: str
    members: tuple[Member, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Field:
    name: str
    type: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Record(Decl):
    name: str
    fields: tuple[Field, ...]
    is_message: bool
    span: Span = _span()


@dataclass(frozen=True)
class NetOption:
    name: str                  # "lossy" | "duplicating" | "partitions"
    arg: Expr | None           # partitions(N)
    span: Span = _span()


@dataclass(frozen=True)
class Network(Decl):
    kind: str
    options: tuple[NetOption, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Var(Decl):
    name: str
    type: Expr | None
    init: Expr
    nondet: bool  # `var x in S` (any element of S) rather than `var x = e`
    span: Span = _span()
    persistent: bool = False   # survives a crash of its process (crash recover)
    typed_only: bool = False   # `var x: T`: the `init:` block assigns its initial value


@dataclass(frozen=True)
class InitBlock(Decl):
    """`init:` with statements: the joint initial conditions."""
    body: tuple[Stmt, ...]
    span: Span = _span()
    name: str = "init"
    params: tuple = ()
    guard: Expr | None = None
    fairness: str | None = None


@dataclass(frozen=True)
class Param:
    name: str
    type: Expr | None
    span: Span = _span()


@dataclass(frozen=True)
class Def(Decl):
    name: str
    params: tuple[Param, ...] | None  # None: `def X = e` (no parentheses)
    ret_type: Expr | None
    body: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Action(Decl):
    name: str
    params: tuple[Binder, ...]
    guard: Expr | None
    body: tuple[Stmt, ...]
    fairness: str | None = None
    span: Span = _span()
    environment: bool = False   # a built-in fault (crash, recover): never fair


@dataclass(frozen=True)
class History(Decl):
    """`history H(process: P, value: V) max N`: a recorded register history."""

    name: str
    fields: tuple[Field, ...]
    max: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Crash(Decl):
    """`crash stop|recover [max N]` inside a process."""

    kind: str                   # "stop" | "recover"
    max: Expr | None
    span: Span = _span()


@dataclass(frozen=True)
class Handler(Decl):
    message: str
    binder: str
    guard: Expr | None
    body: tuple[Stmt, ...]
    fairness: str | None = None
    span: Span = _span()
    alternatives: int = 0     # > 0: merged from that many handlers of one message type

    @property
    def name(self) -> str:
        return f"on_{self.message}"


@dataclass(frozen=True)
class Proc(Decl):
    """`proc name(p: T, ...):` in a process: statements inlined at each call."""

    name: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Process(Decl):
    name: str
    self_name: str | None
    domain: Expr | None
    members: tuple[Decl, ...]  # Var, Action, Handler, Proc
    fairness: str | None = None  # `fair weak process ...`: every action of it
    span: Span = _span()


@dataclass(frozen=True)
class Invariant(Decl):
    name: str
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Transition(Decl):
    name: str
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Constraint(Decl):
    name: str
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Property(Decl):
    name: str
    expr: Expr
    span: Span = _span()


@dataclass(frozen=True)
class Allow(Decl):
    what: str
    span: Span = _span()


@dataclass(frozen=True)
class Expect:
    prop: str
    outcome: str  # "holds" | "violated"
    span: Span = _span()
    prop_span: Span = _span()


@dataclass(frozen=True)
class FairTarget:
    """One target of a check block's `fair`: `Proc.action per p`."""

    name: str                     # "Proc", "Proc.action", "Proc.Message", "action"
    per: str | None = None        # a parameter name, "message" or "instance"
    span: Span = _span()


@dataclass(frozen=True)
class FairItem:
    """`fair weak P.action, Q` in a check block."""

    kind: str                     # "weak" | "strong"
    targets: tuple[FairTarget, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Selection:
    """`only P, Q` or `skip P, Q` in a check block: the properties it checks."""

    kind: str                     # "only" | "skip"
    names: tuple[Member, ...]
    span: Span = _span()


@dataclass(frozen=True)
class SymmetricItem:
    """`symmetric S, T` in a check block: sets of model values symmetric in that block."""

    names: tuple[Member, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Check(Decl):
    name: str
    bindings: tuple[tuple[str, Expr], ...]
    expects: tuple[Expect, ...]
    allows: tuple[Allow, ...]
    fairness: tuple[FairItem, ...] = ()
    selections: tuple[Selection, ...] = ()
    symmetric: tuple[SymmetricItem, ...] = ()
    span: Span = _span()


@dataclass(frozen=True)
class Spec:
    name: str
    decls: tuple[Decl, ...]
    path: str = field(default="<spec>", compare=False)
    span: Span = _span()
