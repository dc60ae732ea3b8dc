"""Name resolution: the global and per-process symbol tables of a spec.

`resolve(spec)` collects every declaration, reports names defined twice
(SL202), and recognises model-value
constants (``const Acceptors = {a1, a2, a3}`` whose elements are fresh names).
Expressions are resolved against these tables by the type checker, which
knows the local scopes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, Span
from . import ast as A
from .crashes import desugar
from .histories import history_var

BUILTIN_FUNCTIONS = ("len", "subsets", "sent", "min", "max", "abs", "sum", "values", "set",
                     "replace", "union", "head", "tail", "last", "linearizable",
                     "sequentially_consistent", "causally_consistent", "enabled")
TYPE_CONSTRUCTORS = ("set", "map", "seq", "bool", "int", "nat")
BUILTIN_PROPERTIES = ("DeadlockFreedom",)


@dataclass
class Resolved:
    spec: A.Spec
    consts: dict[str, A.Const] = field(default_factory=dict)
    model_sorts: dict[str, tuple[A.Member, ...]] = field(default_factory=dict)
    enums: dict[str, A.Enum] = field(default_factory=dict)
    members: dict[str, tuple[str, Span]] = field(default_factory=dict)  # name -> (sort, span)
    records: dict[str, A.Record] = field(default_factory=dict)
    vars: dict[str, A.Var] = field(default_factory=dict)
    defs: dict[str, A.Def] = field(default_factory=dict)
    processes: dict[str, A.Process] = field(default_factory=dict)
    process_vars: dict[str, dict[str, A.Var]] = field(default_factory=dict)
    procs: dict[str, dict[str, A.Proc]] = field(default_factory=dict)   # process -> name -> proc
    actions: list[tuple[A.Process | None, A.Action | A.Handler]] = field(default_factory=list)
    properties: dict[str, A.Decl] = field(default_factory=dict)
    constraints: list[A.Constraint] = field(default_factory=list)
    networks: list[A.Network] = field(default_factory=list)
    allows: list[A.Allow] = field(default_factory=list)
    checks: dict[str, A.Check] = field(default_factory=dict)
    histories: dict[str, A.History] = field(default_factory=dict)
    init_blocks: list[A.InitBlock] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def global_kind(self, name: str) -> str | None:
        for kind, table in (("const", self.consts), ("enum", self.enums),
                            ("member", self.members), ("record", self.records),
                            ("var", self.vars), ("def", self.defs),
                            ("process", self.processes)):
            if name in table:
                return kind
        return None

    def all_value_names(self) -> list[str]:
        names = []
        for table in (self.consts, self.enums, self.members, self.records, self.vars,
                      self.defs, self.processes):
            names.extend(table)
        return names + list(BUILTIN_FUNCTIONS)


def model_value_names(value: A.Expr, is_known) -> tuple[A.Member, ...] | None:
    """The members of ``{a, b, c}`` if every element is a fresh bare name."""
    if not isinstance(value, A.SetLit) or not value.items:
        return None
    if not all(isinstance(i, A.Name) for i in value.items):
        return None
    if any(is_known(i.id) for i in value.items):
        return None
    return tuple(A.Member(i.id, span=i.span) for i in value.items)


def _clashing_model_values(value: A.Expr, declared_names, enum_values,
                           r: "Resolved") -> tuple[A.Member, ...] | None:
    """The members of ``{a, b, c}`` when ``a`` and ``b`` are fresh and ``c`` is an
    enum value or another constant's model value: a set of new model values, one of
    which clashes (reported where it is defined a second time, not as 'unknown name a')."""
    if not isinstance(value, A.SetLit) or not value.items:
        return None
    if not all(isinstance(i, A.Name) for i in value.items):
        return None
    names = [i.id for i in value.items]
    fresh = [n for n in names if n not in declared_names and n not in r.members]
    if not fresh:
        return None
    # the others are values already named (an enum's, an earlier constant's): a set of
    # new model values, one of which clashes (`{w1, r2}` after `const Readers = {r1, r2}`)
    if any(n not in fresh and n not in enum_values and n not in r.members for n in names):
        return None
    return tuple(A.Member(i.id, span=i.span) for i in value.items)


def _none_among_model_values(d: A.Const, r: "Resolved") -> tuple[A.Member, ...] | None:
    """`const Node = {a, none}`: `none` is the absent value of an option type, not a
    name; refused where it is written (not as 'unknown name a'), and the other names
    kept as the constant's model values."""
    value = d.value
    if not isinstance(value, A.SetLit) or not value.items:
        return None
    nones = [i for i in value.items if isinstance(i, A.NoneLit)]
    if not nones or not all(isinstance(i, (A.Name, A.NoneLit)) for i in value.items):
        return None
    r.diagnostics.append(Diagnostic(
        "SL202", f"'none' cannot name a model value of '{d.name}': it is the absent value "
                 "of an option type (T?)", nones[0].span,
        hint="choose another name, such as 'nil' or 'nobody'"))
    return tuple(A.Member(i.id, span=i.span) for i in value.items if isinstance(i, A.Name))


def _span_of(decl) -> Span:
    return getattr(decl, "span", None)


def resolve(spec: A.Spec) -> Resolved:
    r = Resolved(spec)
    seen: dict[str, Span] = {}
    described: dict[str, str] = {}      # name -> "enum value 'c' of 'Kind'" and the like

    def define(name: str, span: Span, what: str, owner: str = "") -> bool:
        here = f"{what} '{name}'" + (f" of '{owner}'" if owner else "")
        if name in seen:
            first, there = seen[name], described.get(name, "")
            message = f"'{name}' is already defined"
            if owner and there:
                # a value of a constant or an enum clashing with another name:
                # say both sides, at the second declaration
                message = f"{here} clashes with the {there}: rename one of them (value names are not scoped by their type)"
            r.diagnostics.append(Diagnostic(
                "SL202", message, span,
                notes=(f"first defined at {first}",)))
            return False
        seen[name] = span
        described[name] = here
        return True

    # Names introduced by a declaration that are not themselves the declaration's
    # name (enum members) are collected first so model values can be recognised.
    declared_names = set()
    enum_values = set()
    for d in spec.decls:
        name = getattr(d, "name", None)
        if isinstance(d, (A.Const, A.Enum, A.Record, A.Var, A.Def, A.Process)) and name:
            declared_names.add(name)
        if isinstance(d, A.Enum):
            declared_names.update(m.name for m in d.members)
            enum_values.update(m.name for m in d.members)

    for d in spec.decls:
        if isinstance(d, A.Const):
            if define(d.name, d.span, "constant"):
                r.consts[d.name] = d
                # a model value of an earlier constant is not fresh: `const Writes =
                # {w1}` after `const Commands = {w1, r1}` is a subset of Commands
                members = model_value_names(
                    d.value, lambda n: n in declared_names or n in r.members)
                if members is None:
                    members = _clashing_model_values(d.value, declared_names, enum_values, r)
                if members is None:
                    members = _none_among_model_values(d, r)
                if members is not None:
                    r.model_sorts[d.name] = members
                    for m in members:
                        if define(m.name, m.span, "model value", d.name):
                            r.members[m.name] = (d.name, m.span)
        elif isinstance(d, A.Enum):
            if define(d.name, d.span, "enum"):
                r.enums[d.name] = d
            for m in d.members:
                if define(m.name, m.span, "enum value", d.name):
                    r.members[m.name] = (d.name, m.span)
        elif isinstance(d, A.Record):
            if define(d.name, d.span, "record"):
                r.records[d.name] = d
            fseen: dict[str, Span] = {}
            for f in d.fields:
                if f.name in fseen:
                    r.diagnostics.append(Diagnostic(
                        "SL202", f"field '{f.name}' is already defined in '{d.name}'", f.span,
                        notes=(f"first defined at {fseen[f.name]}",)))
                fseen[f.name] = f.span
        elif isinstance(d, A.Var):
            if define(d.name, d.span, "variable"):
                r.vars[d.name] = d
        elif isinstance(d, A.Def):
            if define(d.name, d.span, "definition"):
                r.defs[d.name] = d
        elif isinstance(d, A.Process):
            d, extra, problems = desugar(d)
            r.diagnostics.extend(problems)
            if define(d.name, d.span, "process"):
                r.processes[d.name] = d
            for v in extra:
                if define(v.name, v.span, "variable"):
                    r.vars[v.name] = v
        elif isinstance(d, A.History):
            var, problems = history_var(d)
            r.diagnostics.extend(problems)
            if var is not None and define(d.name, d.span, "history"):
                r.histories[d.name] = d
                r.vars[d.name] = var
        elif isinstance(d, (A.Invariant, A.Transition, A.Property)):
            if d.name in r.properties or d.name in BUILTIN_PROPERTIES:
                first = _span_of(r.properties.get(d.name))
                r.diagnostics.append(Diagnostic(
                    "SL202", f"property '{d.name}' is already defined", d.span,
                    notes=(f"first defined at {first}",) if first else ()))
            else:
                r.properties[d.name] = d
        elif isinstance(d, A.Constraint):
            r.constraints.append(d)
        elif isinstance(d, A.Network):
            if r.networks:
                r.diagnostics.append(Diagnostic(
                    "SL202", "the network is already declared", d.span,
                    notes=(f"first declared at {r.networks[0].span}",)))
            else:
                r.networks.append(d)
        elif isinstance(d, A.Allow):
            r.allows.append(d)
        elif isinstance(d, A.Check):
            if d.name in r.checks:
                r.diagnostics.append(Diagnostic(
                    "SL202", f"check block '{d.name}' is already defined", d.span,
                    notes=(f"first defined at {r.checks[d.name].span}",)))
            else:
                r.checks[d.name] = d
        elif isinstance(d, (A.Action, A.Handler)):
            r.actions.append((None, d))
        elif isinstance(d, A.InitBlock):
            r.init_blocks.append(d)

    for p in r.processes.values():
        local: dict[str, A.Var] = {}
        procs: dict[str, A.Proc] = {}
        names: dict[str, Span] = {}
        if p.self_name:
            names[p.self_name] = p.span
        for m in p.members:
            if isinstance(m, A.Var):
                if m.name in names or m.name in seen:
                    first = names.get(m.name) or seen.get(m.name)
                    r.diagnostics.append(Diagnostic(
                        "SL202", f"'{m.name}' is already defined", m.span,
                        notes=(f"first defined at {first}",)))
                    continue
                names[m.name] = m.span
                local[m.name] = m
            elif isinstance(m, A.Proc):
                if m.name in procs:
                    r.diagnostics.append(Diagnostic(
                        "SL202", f"procedure '{m.name}' is already defined in process "
                                 f"'{p.name}'", m.span,
                        notes=(f"first defined at {procs[m.name].span}",)))
                    continue
                procs[m.name] = m
            elif isinstance(m, A.Handler) and isinstance(names.get(m.name), A.Handler):
                r.actions.append((p, m))      # another alternative: merged below
            else:
                key = m.name
                if key in names and not isinstance(m, A.Var):
                    r.diagnostics.append(Diagnostic(
                        "SL202", f"action '{key}' is already defined in process '{p.name}'",
                        m.span, notes=(f"first defined at {getattr(names[key], 'span', names[key])}",)))
                    continue
                names[key] = m if isinstance(m, A.Handler) else m.span
                r.actions.append((p, m))
        r.process_vars[p.name] = local
        r.procs[p.name] = procs
    r.actions = merge_alternatives(r.actions, r.diagnostics)
    return r


def merge_alternatives(actions, diagnostics):
    """Handlers of one message type in one process (or at the top level) -> one handler
    whose body picks an alternative: `if handler == i: let binder_i = binder_1;
    require guard_i; body_i` (the hidden parameter `handler` is added by
    lang/branching.py).  Each alternative is a separate successor; a fairness
    condition covers their disjunction, so all must carry the same one."""
    groups: dict[tuple, list] = {}
    for p, d in actions:
        if isinstance(d, A.Handler):
            groups.setdefault((p.name if p else None, d.message), []).append(d)
    out = []
    for p, d in actions:
        if not isinstance(d, A.Handler):
            out.append((p, d))
            continue
        alts = groups[(p.name if p else None, d.message)]
        if len(alts) == 1:
            out.append((p, d))
            continue
        if d is not alts[0]:
            continue
        for other in alts[1:]:
            if other.fairness != d.fairness:
                diagnostics.append(Diagnostic(
                    "SL106", f"the handlers of '{d.message}' are alternatives of one step, "
                             "so they share one fairness condition (of their disjunction): "
                             f"this one is {other.fairness or 'not fair'}, the first is "
                             f"{d.fairness or 'not fair'}", other.span,
                    notes=(f"first handler at {d.span}",),
                    hint="mark every handler of the message the same way"))
        first = d.binder
        sp = d.span
        branches = []
        for i, h in enumerate(alts, 1):
            body: list[A.Stmt] = []
            if h.binder != first:
                body.append(A.LetStmt(h.binder, A.Name(first, span=h.span), span=h.span))
            if h.guard is not None:
                body.append(A.Require(h.guard, span=h.guard.span))
            body.extend(h.body)
            cond = A.Binary("==", A.Name(HANDLER_KEY, span=h.span), A.IntLit(i, span=h.span),
                            span=h.span)
            branches.append((cond, tuple(body)))
        merged = A.Handler(d.message, first, None,
                           (A.If(tuple(branches[:-1]), branches[-1][1], span=sp),),
                           d.fairness, span=sp, alternatives=len(alts))
        out.append((p, merged))
    return out


HANDLER_KEY = "handler#"     # the hidden parameter's name in scope (not writable in a spec)
