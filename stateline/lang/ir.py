"""The typed intermediate representation produced by the type checker.

Names are resolved (a local is a `Local` object, a state variable a `VarSym`),
every expression carries its static type, operators carry their meaning
(`set_union` rather than `|`), definitions are inlined as `LetE` chains, and
multi-variable binders are nested.  Declared types are kept as `TypeExpr`s
because their bounds depend on the constants of an instance; lowering
(`models.lower`) evaluates them.

Nodes compare by identity (they are frozen, with `eq=False`), so later phases
can key tables by node.
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass, field

from ..diagnostics import Span
from .types import MapT, SeqT, SetT, TupleT, Type, contains_unknown

_uid = itertools.count(1)


def _fresh() -> int:
    return next(_uid)


# ---- symbols ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Local:
    name: str
    type: Type
    uid: int = field(default_factory=_fresh)

    @property
    def py(self) -> str:
        # (hidden parameters have names no spec can write, `either@14`: kept Python)
        return f"L{self.uid}_" + "".join(c if c.isalnum() else "_" for c in self.name)


@dataclass(frozen=True, eq=False)
class VarSym:
    """A state variable: global (`process` None) or local to a process."""

    name: str
    type: Type
    decl_type: "TypeExpr"
    init: "E"
    nondet: bool
    process: str | None
    span: Span
    typed_only: bool = False   # `var x: T`: the `init:` block assigns its initial value

    @property
    def qualname(self) -> str:
        return f"{self.process}.{self.name}" if self.process else self.name


# ---- declared types -------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TypeExpr:
    type: Type
    span: Span


@dataclass(frozen=True, eq=False)
class TBool(TypeExpr):
    """`bool`."""


@dataclass(frozen=True, eq=False)
class TRange(TypeExpr):
    lo: "E"
    hi: "E"


@dataclass(frozen=True, eq=False)
class TIntSet(TypeExpr):
    """`x: Ballots` where Ballots is a constant set of integers (must be a range)."""

    set: "E"


@dataclass(frozen=True, eq=False)
class TAtom(TypeExpr):
    sort: str


@dataclass(frozen=True, eq=False)
class TRecord(TypeExpr):
    name: str


@dataclass(frozen=True, eq=False)
class TTuple(TypeExpr):
    items: tuple[TypeExpr, ...]


@dataclass(frozen=True, eq=False)
class TSet(TypeExpr):
    elem: TypeExpr


@dataclass(frozen=True, eq=False)
class TMap(TypeExpr):
    key: TypeExpr
    value: TypeExpr


@dataclass(frozen=True, eq=False)
class TSeq(TypeExpr):
    elem: TypeExpr
    maxlen: "E"


@dataclass(frozen=True, eq=False)
class TOption(TypeExpr):
    elem: TypeExpr


# ---- expressions ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class E:
    type: Type
    span: Span


@dataclass(frozen=True, eq=False)
class IntC(E):
    value: int


@dataclass(frozen=True, eq=False)
class BoolC(E):
    value: bool


@dataclass(frozen=True, eq=False)
class NoneC(E):
    """The literal `none`."""


@dataclass(frozen=True, eq=False)
class AtomC(E):
    """An enum member or a model value, by name (its index is fixed per instance)."""

    sort: str
    name: str


@dataclass(frozen=True, eq=False)
class ConstRef(E):
    name: str


@dataclass(frozen=True, eq=False)
class VarRef(E):
    var: VarSym
    key: E | None  # the process instance for a process-local variable
    primed: bool = False


@dataclass(frozen=True, eq=False)
class LocalRef(E):
    local: Local


@dataclass(frozen=True, eq=False)
class FieldGet(E):
    base: E
    record: str
    index: int
    field_name: str


@dataclass(frozen=True, eq=False)
class TupleGet(E):
    base: E
    index: int


@dataclass(frozen=True, eq=False)
class MapGet(E):
    base: E
    key: E


@dataclass(frozen=True, eq=False)
class SeqGet(E):
    base: E
    index: E


@dataclass(frozen=True, eq=False)
class SeqSlice(E):
    base: E
    lo: E | None
    hi: E | None


@dataclass(frozen=True, eq=False)
class Op(E):
    """A primitive operation; `op` names its meaning (see OPS)."""

    op: str
    args: tuple[E, ...]


# Every primitive operator the IR uses, with its arity (-1: variadic).
OPS = {
    "add": 2, "sub": 2, "mul": 2, "floordiv": 2, "mod": 2, "neg": 1, "abs": 1,
    "min": -1, "max": -1, "eq": 2, "ne": 2, "lt": 2, "le": 2, "gt": 2, "ge": 2,
    "and": -1, "or": -1, "not": 1, "implies": 2,
    "set_union": 2, "set_inter": 2, "set_diff": 2, "set_symdiff": 2,
    "subseteq": 2, "subset": 2, "supseteq": 2, "supset": 2,
    "in": 2, "not_in": 2, "seq_in": 2, "seq_not_in": 2,
    "range": 2, "len": 1, "subsets": 1, "seq_concat": 2, "set_min": 1, "set_max": 1,
    "set_sum": 1, "keys": 1, "values": 1, "unwrap": 1, "is_none": 1, "some": 1, "fun_set": 2,
    "seq_head": 1, "seq_tail": 1, "seq_last": 1, "seq_to_set": 1, "union_all": 1, "inject": 1,
    "linearizable": 1, "sequential": 1, "causal": 1,     # of a recorded history
}


@dataclass(frozen=True, eq=False)
class IfE(E):
    cond: E
    then: E
    orelse: E


@dataclass(frozen=True, eq=False)
class LetE(E):
    local: Local
    value: E
    body: E


@dataclass(frozen=True, eq=False)
class Quant(E):
    kind: str  # "forall" | "exists"
    local: Local
    domain: E
    body: E


@dataclass(frozen=True, eq=False)
class ChooseE(E):
    local: Local
    domain: E
    cond: E


@dataclass(frozen=True, eq=False)
class SetLitE(E):
    items: tuple[E, ...]


@dataclass(frozen=True, eq=False)
class SeqLitE(E):
    items: tuple[E, ...]


@dataclass(frozen=True, eq=False)
class TupleE(E):
    items: tuple[E, ...]


@dataclass(frozen=True, eq=False)
class RecordE(E):
    record: str
    fields: tuple[E, ...]


@dataclass(frozen=True, eq=False)
class RecordUpdate(E):
    base: E
    updates: tuple[tuple[int, E], ...]


@dataclass(frozen=True, eq=False)
class Gen:
    local: Local
    domain: E
    cond: E | None


@dataclass(frozen=True, eq=False)
class SetCompE(E):
    elem: E
    gens: tuple[Gen, ...]


@dataclass(frozen=True, eq=False)
class SeqCompE(E):
    """`[e for x in g]`: a sequence generator in its order, a set one in canonical order."""
    elem: E
    gens: tuple[Gen, ...]


@dataclass(frozen=True, eq=False)
class MapCompE(E):
    local: Local
    domain: E
    value: E


@dataclass(frozen=True, eq=False)
class RecCall(E):
    """A call of recursive definition `name`.  The outermost one has the `params` and
    `body` of `name`; the calls inside that body call it again (one level deeper)."""
    name: str
    args: tuple[E, ...]
    params: tuple[Local, ...] = ()
    body: E | None = None


@dataclass(frozen=True, eq=False)
class MapUpdate(E):
    base: E
    updates: tuple[tuple[E, E], ...]


@dataclass(frozen=True, eq=False)
class Sent(E):
    """The messages of one type currently in the network, as a set."""

    message: str
    primed: bool = False


@dataclass(frozen=True, eq=False)
class NodeE(E):
    """A process instance: `Acceptor[a1]`, or `TM` for a single-instance process."""

    process: str
    key: E | None


def retype(e: E, t: Type) -> E:
    """The same literal with its element type fixed by context (`{}`, `[]`, `none`).

    The context's type is pushed into the parts that are still unknown, so
    `{a: {} for a in S}` against `map[S, set[T]]` types its `{}` as `set[T]`
    (the code generator picks a set's representation from its type)."""
    if isinstance(e, MapCompE) and isinstance(t, MapT):
        return dataclasses.replace(e, type=t, value=retype_if(e.value, t.value))
    if isinstance(e, (SetLitE, SeqLitE)) and isinstance(t, (SetT, SeqT)):
        return dataclasses.replace(e, type=t,
                                   items=tuple(retype_if(x, t.elem) for x in e.items))
    if isinstance(e, TupleE) and isinstance(t, TupleT) and len(t.items) == len(e.items):
        return dataclasses.replace(e, type=t, items=tuple(
            retype_if(x, xt) for x, xt in zip(e.items, t.items)))
    if isinstance(e, IfE):
        return dataclasses.replace(e, type=t, then=retype_if(e.then, t),
                                   orelse=retype_if(e.orelse, t))
    return dataclasses.replace(e, type=t)


def retype_if(e: E, t: Type) -> E:
    return retype(e, t) if contains_unknown(e.type) else e


# ---- statements -----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class S:
    span: Span


@dataclass(frozen=True, eq=False)
class RequireS(S):
    cond: E


@dataclass(frozen=True, eq=False)
class AssertS(S):
    cond: E
    message: str


@dataclass(frozen=True, eq=False)
class AssignS(S):
    """`var[key] <path> := value`; path steps are ("index", E) or ("field", int)."""

    var: VarSym
    key: E | None
    path: tuple[tuple[str, object], ...]
    value: E


@dataclass(frozen=True, eq=False)
class SendS(S):
    message: E
    to: E | None


@dataclass(frozen=True, eq=False)
class LetS(S):
    local: Local
    value: E


@dataclass(frozen=True, eq=False)
class IfS(S):
    cond: E
    then: tuple[S, ...]
    orelse: tuple[S, ...]


@dataclass(frozen=True, eq=False)
class ForS(S):
    local: Local
    domain: E
    body: tuple[S, ...]


# ---- the typed spec ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ConstSym:
    name: str
    type: Type
    value: E
    decl_type: TypeExpr | None
    symmetric: bool
    model_values: tuple[str, ...] | None  # `const X = {a, b}` declaring model values
    span: Span


@dataclass(frozen=True, eq=False)
class RecordSym:
    name: str
    fields: tuple[tuple[str, TypeExpr], ...]
    is_message: bool
    span: Span

    def field_index(self, name: str) -> int | None:
        for i, (n, _) in enumerate(self.fields):
            if n == name:
                return i
        return None


@dataclass(frozen=True, eq=False)
class ActionIR:
    name: str
    process: str | None
    self_local: Local | None
    params: tuple[tuple[Local, E], ...]
    receive: tuple[str, Local] | None  # (message type, bound local)
    guard: E | None
    body: tuple[S, ...]
    fairness: str | None
    span: Span
    environment: bool = False   # a built-in fault (crash, recover): never fair by default


@dataclass(frozen=True, eq=False)
class ProcessIR:
    name: str
    self_local: Local | None
    domain: E | None  # None: a single instance
    variables: tuple[VarSym, ...]
    span: Span


@dataclass(frozen=True, eq=False)
class PropertyIR:
    name: str
    kind: str  # "invariant" | "transition" | "constraint" | "temporal"
    expr: E    # the state predicate (for a temporal property: P)
    span: Span
    temporal: "TemporalIR | None" = None


# The temporal forms a property may take, over state predicates P and Q:
#   "eventually"         eventually P
#   "always_eventually"  always eventually P
#   "eventually_always"  eventually always P
#   "leads_to"           P leads_to Q      (always (P implies eventually Q))
#   "initially_eventually"  initially P implies eventually Q  (P in the initial state only)
# (`always (P implies always P)` is elaborated as the transition invariant P implies P'.)
TEMPORAL_FORMS = ("eventually", "always_eventually", "eventually_always", "leads_to",
                  "initially_eventually")


@dataclass(frozen=True, eq=False)
class TemporalIR:
    form: str
    p: E
    q: E | None
    binders: tuple[tuple[Local, E], ...]   # `forall x in S:` in front: one instance per x


@dataclass(frozen=True, eq=False)
class CheckIR:
    name: str
    bindings: tuple[tuple[str, E, Span], ...]       # (constant, typed value, span)
    expects: tuple[tuple[str, str, Span], ...]      # (property, outcome, span)
    allow_deadlock: bool
    span: Span
    # (action index, FairRule); the index NETWORK_HEAL is the built-in heal
    fairness: tuple[tuple[int, "FairRule"], ...] = ()
    # The properties it checks (invariants, transition invariants, temporal properties),
    # in declaration order; None: every one (no `only` or `skip` line).  Deadlock is not
    # among them: `allow deadlock` and `expect DeadlockFreedom` decide it.
    properties: tuple[str, ...] | None = None
    # The constants this block makes symmetric (`symmetric S`), with where it says so;
    # the spec's own `symmetric` constants are symmetric in every block.
    symmetric: tuple[tuple[str, Span], ...] = ()


NETWORK_HEAL = -1   # `fair weak network.heal`: the heal action of partitions(N)

# What one fairness unit covers (`per` in a check block):
PER_ACTION = ()                 # the action, for one process instance
PER_MESSAGE = ("message",)      # a handler, for one instance and one received message
PER_INSTANCE = ("instance",)    # every (non-environment) step of one process instance


@dataclass(frozen=True)
class FairRule:
    """The fairness of an action: its kind, and what one unit of it covers: the action
    for one process instance (PER_ACTION), that and the values of the parameters named
    in `per`, that and the received message (PER_MESSAGE), or the whole process
    instance (PER_INSTANCE: one unit shared by all its actions)."""

    kind: str                   # "weak" | "strong"
    per: tuple[str, ...] = PER_ACTION


@dataclass(frozen=True, eq=False)
class TypedSpec:
    name: str
    path: str
    consts: tuple[ConstSym, ...]
    enums: dict[str, tuple[str, ...]]
    records: dict[str, RecordSym]
    # (kind, options, span, max partitions expression or None)
    network: tuple[str, tuple[str, ...], Span, E | None] | None
    variables: tuple[VarSym, ...]
    processes: tuple[ProcessIR, ...]
    actions: tuple[ActionIR, ...]
    properties: tuple[PropertyIR, ...]
    allow_deadlock: bool
    checks: tuple[CheckIR, ...]
    histories: tuple[str, ...] = ()     # the global variables that are recorded histories
    # network options switched by a constant, `lossy(Lossy)`: (option, bool expression)
    network_switches: tuple[tuple[str, E], ...] = ()
    # the `init:` block, elaborated as an action without parameters (lang.initblock)
    init_block: ActionIR | None = None


# ---- traversal ----------------------------------------------------------------------


def children(node):
    """The IR nodes directly inside `node` (expressions, statements, generators)."""
    for value in node.__dict__.values():
        if isinstance(value, (E, S, Gen)):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, (E, S, Gen)):
                    yield item
                elif isinstance(item, tuple):
                    for sub in item:
                        if isinstance(sub, (E, S, Gen)):
                            yield sub


def free_locals(node) -> set:
    """Locals referenced in `node` that are not bound inside it."""
    out: set = set()
    bound: set = set()

    def visit(n):
        if isinstance(n, LocalRef):
            out.add(n.local)
        for attr in ("local",):
            b = getattr(n, attr, None)
            if isinstance(b, Local) and not isinstance(n, LocalRef):
                bound.add(b)
        if isinstance(n, RecCall):
            bound.update(n.params)
        for c in children(n):
            visit(c)

    visit(node)
    return out - bound
