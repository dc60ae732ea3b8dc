"""Where each name of a spec is declared and where it is used (for editors).

`index(spec, text)` walks the syntax tree with the scoping rules of the type
checker (`typecheck.ExprChecker._Name`): the locals of quantifiers, `choose`,
`let`, comprehensions, `for`, action parameters, a handler's message and a
definition's parameters shadow everything; inside a process its instance name
(`self`) and its variables come next; then the global declarations, which
`resolve` keeps free of clashes.  It also links the names that are not
expressions: `expect P holds`, `fair weak Proc.action`, `on Message(m)`,
`Proc.var` and `Proc[i].var`, and the constants a check block binds.

It works on the tree alone (no types), so an editor gets declarations,
references and names in scope for a spec whose types are still wrong.
Declaration spans are the declared name's own characters, as `ast` keeps them.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from ..diagnostics import Span
from . import ast as A, crashes
from .resolve import BUILTIN_FUNCTIONS, BUILTIN_PROPERTIES, model_value_names

# What a symbol is, as an editor names it (kind -> the word shown in hovers and outlines).
KINDS = ("constant", "model value", "enum", "enum member", "record", "message", "variable",
         "definition", "process", "action", "handler", "procedure", "invariant", "transition",
         "property", "constraint", "check", "history", "parameter", "local")


@dataclass(eq=False)
class Symbol:
    name: str
    kind: str                       # one of KINDS
    span: Span                      # the declared name
    decl: object = None             # the ast node that declares it
    container: str | None = None    # the process of a process variable, action, handler
    extent: tuple[int, int] = (0, 0)    # the first and last line of the declaration
    children: list["Symbol"] = field(default_factory=list)   # a process's members


@dataclass(frozen=True)
class Reference:
    span: Span
    symbol: Symbol


@dataclass
class Index:
    symbols: list[Symbol]                       # top-level declarations, in source order
    references: list[Reference]                 # every use and every declaration
    locals: list[tuple[Symbol, tuple[int, int]]]  # locals with the lines they are visible on

    def at(self, line: int, col: int) -> Reference | None:
        """The reference or declaration under a 1-based position (a use first: the
        message in `on Commit(m):` is both the handler's name and a use of Commit)."""
        found = [r for r in self.references if r.span.line == line and
                 r.span.col <= col <= max(r.span.end_col, r.span.col + 1) - 1]
        found.sort(key=lambda r: r.span == r.symbol.span)
        return found[0] if found else None

    def uses(self, symbol: Symbol) -> list[Span]:
        """Every place `symbol` appears, its declaration included, in source order."""
        spans = {(r.span.line, r.span.col): r.span for r in self.references
                 if r.symbol is symbol}
        return [spans[k] for k in sorted(spans)]

    def all_symbols(self) -> list[Symbol]:
        out = []
        for s in self.symbols:
            out.append(s)
            out.extend(s.children)
        return out

    def in_scope(self, line: int) -> list[Symbol]:
        """The names visible on a line: globals, the enclosing process's members, locals."""
        out = [s for s in self.symbols if s.kind not in ("check",)]
        for s in self.symbols:
            if s.kind == "process" and s.extent[0] <= line <= s.extent[1]:
                out.extend(c for c in s.children if c.kind in ("variable", "parameter"))
        out.extend(sym for sym, (lo, hi) in self.locals if lo <= line <= hi)
        seen, unique = set(), []
        for s in reversed(out):            # an inner name hides an outer one
            if s.name not in seen:
                seen.add(s.name)
                unique.append(s)
        return sorted(unique, key=lambda s: s.name)


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Indexer:
    def __init__(self, spec: A.Spec, text: str):
        self.spec = spec
        self.lines = text.splitlines()
        self.globals: dict[str, Symbol] = {}
        self.procs: dict[str, Symbol] = {}
        self.proc_vars: dict[str, dict[str, Symbol]] = {}
        self.proc_actions: dict[str, dict[str, Symbol]] = {}
        self.proc_procs: dict[str, dict[str, Symbol]] = {}
        self.top_actions: dict[str, Symbol] = {}
        self.props: dict[str, Symbol] = {}
        self.symbols: list[Symbol] = []
        self.refs: list[Reference] = []
        self.locals: list[tuple[Symbol, tuple[int, int]]] = []

    # ---- positions ----------------------------------------------------------------

    def locate(self, name: str, start: Span, lines: int = 3) -> Span | None:
        """The first whole-word `name` at or after `start` (within a few lines)."""
        for ln in range(start.line, min(start.line + lines, len(self.lines) + 1)):
            text = self.lines[ln - 1]
            begin = start.col - 1 if ln == start.line else 0
            for m in _WORD.finditer(text, max(begin, 0)):
                if m.group() == name:
                    return Span(start.path, ln, m.start() + 1, ln, m.end() + 1)
        return None

    def _tail(self, span: Span, name: str) -> Span | None:
        """The span of `name` ending where `span` ends (an attribute's name)."""
        if not span.end_line or span.end_col - len(name) < 1:
            return None
        col = span.end_col - len(name)
        text = self.lines[span.end_line - 1] if span.end_line <= len(self.lines) else ""
        if text[col - 1:col - 1 + len(name)] != name:
            return None
        return Span(span.path, span.end_line, col, span.end_line, span.end_col)

    def _extents(self, decls, last: int) -> list[tuple[int, int]]:
        """Lines from each declaration's name to just before the next one."""
        starts = [d.span.line for d in decls]
        out = []
        for i, lo in enumerate(starts):
            hi = (starts[i + 1] - 1) if i + 1 < len(starts) else last
            while hi > lo and (hi > len(self.lines) or not self.lines[hi - 1].strip() or
                               self.lines[hi - 1].lstrip().startswith("#")):
                hi -= 1
            out.append((lo, max(lo, hi)))
        return out

    def declare(self, sym: Symbol) -> Symbol:
        self.refs.append(Reference(sym.span, sym))
        return sym

    def use(self, span: Span | None, sym: Symbol | None) -> None:
        if span is not None and sym is not None and span.line > 0:
            self.refs.append(Reference(span, sym))

    # ---- declarations -------------------------------------------------------------

    def collect(self) -> None:
        decls = [d for d in self.spec.decls if d.span.line > 0]
        extents = self._extents(decls, len(self.lines))
        known = {getattr(d, "name", None) for d in decls} | \
            {m.name for d in decls if isinstance(d, A.Enum) for m in d.members}
        for d, ext in zip(decls, extents):
            kind = _kind(d)
            if kind is None:
                continue
            sym = self.declare(Symbol(_display(d), kind, d.span, d, None, ext))
            self.symbols.append(sym)
            if kind == "check":
                continue
            table = self.props if kind in ("invariant", "transition", "property",
                                           "constraint") else self.globals
            if kind in ("action", "handler"):
                table = self.top_actions
            table.setdefault(d.name if kind != "handler" else d.message, sym)
            if isinstance(d, A.Const):
                for m in model_value_names(d.value, lambda n: n in known) or ():
                    self.globals.setdefault(m.name, self.declare(
                        Symbol(m.name, "model value", m.span, d, None, ext)))
            elif isinstance(d, A.Enum):
                for m in d.members:
                    self.globals.setdefault(m.name, self.declare(
                        Symbol(m.name, "enum member", m.span, d, None, ext)))
            elif isinstance(d, A.Process):
                self._collect_process(d, sym)

    def _collect_process(self, p: A.Process, sym: Symbol) -> None:
        self.procs[p.name] = sym
        members = [m for m in p.members if m.span.line > 0 and
                   not getattr(m, "environment", False)]
        variables, actions = {}, {}
        for m, ext in zip(members, self._extents(members, sym.extent[1])):
            kind = _kind(m)
            if isinstance(m, A.Crash):
                # the variable `up` the crash declaration adds (lang/crashes.py), declared
                # where the elaborator declares it: at the `crash` line
                child = self.declare(Symbol(crashes.UP, "variable", m.span, m, p.name, ext))
                sym.children.append(child)
                variables.setdefault(crashes.UP, child)
                continue
            if kind is None:
                continue
            child = self.declare(Symbol(_display(m), kind, m.span, m, p.name, ext))
            sym.children.append(child)
            if kind == "variable":
                variables.setdefault(m.name, child)
            elif kind == "procedure":
                self.proc_procs.setdefault(p.name, {}).setdefault(m.name, child)
            else:
                actions.setdefault(m.message if kind == "handler" else m.name, child)
        self.proc_vars[p.name] = variables
        self.proc_actions[p.name] = actions

    # ---- uses -----------------------------------------------------------------------

    def walk_all(self) -> None:
        for d in self.spec.decls:
            if isinstance(d, A.Network):
                for o in d.options:
                    self.expr(o.arg, [], None)
            elif isinstance(d, A.InitBlock):      # the `init:` block: uses of globals
                self.block(d.body, [{}], None, (d.span.line, d.span.end_line))
        for sym in self.symbols:
            d = sym.decl
            if isinstance(d, A.Process):
                self._process(d, sym)
            elif isinstance(d, A.Check):
                self._check(d)
            elif isinstance(d, A.Def):
                scope = {}
                for p in d.params or ():
                    scope[p.name] = self._local(p.name, p.span, "parameter", d, sym.extent)
                    self.expr(p.type, [], None)
                self.expr(d.ret_type, [], None)
                self.expr(d.body, [scope], None)
            elif isinstance(d, (A.Action, A.Handler)):
                self._action(d, None, sym.extent)
            elif isinstance(d, A.Const):
                self.expr(d.type, [], None)
                if not any(s.decl is d and s.kind == "model value"
                           for s in self.globals.values()):
                    self.expr(d.value, [], None)
            elif isinstance(d, A.Var):
                self.expr(d.type, [], None)
                self.expr(d.init, [], None)
            elif isinstance(d, A.Record):
                for f in d.fields:
                    self.expr(f.type, [], None)
            elif isinstance(d, A.History):
                for f in d.fields:
                    self.expr(f.type, [], None)
                self.expr(d.max, [], None)
            elif isinstance(d, (A.Invariant, A.Transition, A.Property, A.Constraint)):
                self.expr(d.expr, [], None)

    def _local(self, name: str, span: Span | None, kind: str, decl, lines) -> Symbol:
        sym = Symbol(name, kind, span or Span(self.spec.path, 0, 0), decl)
        if span is not None and span.line > 0:
            self.declare(sym)
            self.locals.append((sym, (lines[0], lines[1])))
        return sym

    def _process(self, p: A.Process, sym: Symbol) -> None:
        scope = {}
        if p.self_name:
            span = self.locate(p.self_name, Span(p.span.path, p.span.line, p.span.end_col))
            scope[p.self_name] = self._local(p.self_name, span, "parameter", p, sym.extent)
            sym.children.insert(0, scope[p.self_name])
            self.expr(p.domain, [], None)
        members = {c.decl: c for c in sym.children}
        for m in p.members:
            child = members.get(m)
            ext = child.extent if child is not None else sym.extent
            if isinstance(m, A.Var):
                self.expr(m.type, [scope], p.name)
                self.expr(m.init, [scope], p.name)
            elif isinstance(m, (A.Action, A.Handler)):
                self._action(m, p, ext, scope)
            elif isinstance(m, A.Proc):
                inner = dict(scope)
                for prm in m.params:
                    self.expr(prm.type, [], None)
                    inner[prm.name] = self._local(prm.name, prm.span, "parameter", m, ext)
                self.block(m.body, [inner], p.name, ext)
            elif isinstance(m, A.Crash):
                self.expr(m.max, [], None)

    def _action(self, d, p: A.Process | None, ext, outer=None) -> None:
        scope = dict(outer or {})
        proc = p.name if p is not None else None
        if isinstance(d, A.Action):
            for b in d.params:
                self.expr(b.domain, [scope], proc)
                for n in b.names:
                    scope[n] = self._local(n, self.locate(n, b.span), "parameter", d, ext)
        else:
            self.use(d.span, self.globals.get(d.message))
            start = Span(d.span.path, d.span.line, d.span.end_col)
            scope[d.binder] = self._local(d.binder, self.locate(d.binder, start), "parameter",
                                          d, ext)
        self.expr(d.guard, [scope], proc)
        self.block(d.body, [scope], proc, ext)

    def block(self, stmts, scopes, proc, ext) -> None:
        scopes = scopes + [{}]
        for s in stmts:
            if isinstance(s, A.LetStmt):
                self.expr(s.value, scopes, proc)
                scopes[-1][s.name] = self._local(s.name, s.span, "local", s, (s.span.line,
                                                                             ext[1]))
            elif isinstance(s, A.For):
                self.expr(s.domain, scopes, proc)
                sym = self._local(s.name, self.locate(s.name, s.span), "local", s, ext)
                self.block(s.body, scopes + [{s.name: sym}], proc, ext)
            elif isinstance(s, A.If):
                for cond, body in s.branches:
                    self.expr(cond, scopes, proc)
                    self.block(body, scopes, proc, ext)
                self.block(s.orelse, scopes, proc, ext)
            elif isinstance(s, A.Either):
                for body in s.branches:
                    self.block(body, scopes, proc, ext)
            elif isinstance(s, A.ChooseStmt):
                self.expr(s.domain, scopes, proc)
                sym = self._local(s.name, self.locate(s.name, s.span), "local", s, ext)
                self.block(s.body, scopes + [{s.name: sym}], proc, ext)
            elif isinstance(s, A.CallStmt):
                self.use(self.locate(s.name, s.span), self.proc_procs.get(proc, {}).get(s.name))
                for a in s.args + tuple(k.value for k in s.kwargs):
                    self.expr(a, scopes, proc)
            elif isinstance(s, A.RecordOp):
                self.use(self.locate(s.history, s.span, 1), self.globals.get(s.history))
                self.expr(s.value, scopes, proc)
            else:
                for f in dataclasses.fields(s):
                    value = getattr(s, f.name)
                    if isinstance(value, A.Expr):
                        self.expr(value, scopes, proc)

    def _check(self, c: A.Check) -> None:
        for name, value in c.bindings:
            const = self.globals.get(name)
            self.use(self.locate(name, Span(c.span.path, c.span.line, c.span.end_col)), const)
            if not any(s.kind == "model value" and const is not None and s.decl is const.decl
                       for s in self.globals.values()):
                self.expr(value, [], None)      # (fresh model values are no references)
        for e in c.expects:
            self.use(e.prop_span, self.props.get(e.prop))
        for sel in c.selections:
            for m in sel.names:
                self.use(m.span, self.props.get(m.name))
        for item in c.symmetric:
            for m in item.names:
                self.use(m.span, self.globals.get(m.name))
        for item in c.fairness:
            for t in item.targets:
                self._fair_target(t)

    def _fair_target(self, t: A.Member) -> None:
        parts = t.name.split(".")
        head = self.locate(parts[0], t.span, 1)
        if len(parts) == 1:
            target = self.procs.get(parts[0]) or self.top_actions.get(parts[0])
            self.use(head, target)
            return
        self.use(head, self.procs.get(parts[0]))
        if head is not None:
            tail = self.locate(parts[1], Span(t.span.path, head.line, head.end_col), 1)
            self.use(tail, self.proc_actions.get(parts[0], {}).get(parts[1]))

    # ---- expressions ----------------------------------------------------------------

    def lookup(self, name: str, scopes, proc: str | None) -> Symbol | None:
        for scope in reversed(scopes):
            if name in scope:
                return scope[name]
        if proc is not None and name in self.proc_vars.get(proc, {}):
            return self.proc_vars[proc][name]
        return self.globals.get(name)

    def expr(self, e, scopes, proc) -> None:
        if e is None:
            return
        if isinstance(e, A.Call) and self._enabled_call(e, scopes, proc):
            return
        if isinstance(e, A.Name):
            self.use(e.span, self.lookup(e.id, scopes, proc))
        elif isinstance(e, A.Attr):
            self.expr(e.base, scopes, proc)
            owner = e.base.base if isinstance(e.base, A.Subscript) else e.base
            if isinstance(owner, A.Name) and self.lookup(owner.id, scopes, proc) is \
                    self.procs.get(owner.id) and owner.id in self.procs:
                var = self.proc_vars.get(owner.id, {}).get(e.name)
                if var is not None:
                    self.use(self._tail(e.span, e.name), var)
        elif isinstance(e, (A.Quant, A.Temporal)) and e.binders:
            inner = self._binders(e.binders, scopes, proc, e)
            for part in (e.body,) if isinstance(e, A.Quant) else e.args:
                self.expr(part, scopes + [inner], proc)
        elif isinstance(e, A.Choose):
            self.expr(e.domain, scopes, proc)
            sym = self._local(e.name, self.locate(e.name, e.span), "local", e, _lines(e.span))
            self.expr(e.cond, scopes + [{e.name: sym}], proc)
        elif isinstance(e, A.Let):
            self.expr(e.value, scopes, proc)
            sym = self._local(e.name, self.locate(e.name, e.span), "local", e, _lines(e.span))
            self.expr(e.body, scopes + [{e.name: sym}], proc)
        elif isinstance(e, (A.SetComp, A.SeqComp, A.MapComp)):
            inner: dict[str, Symbol] = {}
            for f in e.fors:
                self.expr(f.domain, scopes + [inner], proc)
                for n in f.names:
                    inner[n] = self._local(n, self.locate(n, f.span), "local", e,
                                           _lines(e.span))
                self.expr(f.cond, scopes + [inner], proc)
            parts = (e.key, e.value) if isinstance(e, A.MapComp) else (e.elem,)
            for part in parts:
                self.expr(part, scopes + [inner], proc)
        else:
            for f in dataclasses.fields(e):
                self._walk_value(getattr(e, f.name), scopes, proc)

    def _enabled_call(self, e: A.Call, scopes, proc) -> bool:
        """`enabled(P[i].a)`: the action (or handler) it names is a use of it."""
        if not (isinstance(e.func, A.Name) and e.func.id == "enabled" and len(e.args) == 1
                and self.lookup("enabled", scopes, proc) is None):
            return False
        t = e.args[0]
        if isinstance(t, A.Name):
            self.use(t.span, self.top_actions.get(t.id) or self.procs.get(t.id))
            return True
        if isinstance(t, A.Attr):
            owner = t.base.base if isinstance(t.base, A.Subscript) else t.base
            self.expr(t.base, scopes, proc)
            if isinstance(owner, A.Name):
                self.use(self._tail(t.span, t.name),
                         self.proc_actions.get(owner.id, {}).get(t.name))
            return True
        return False

    def _walk_value(self, value, scopes, proc) -> None:
        if isinstance(value, A.Expr):
            self.expr(value, scopes, proc)
        elif isinstance(value, A.KwArg):
            self.expr(value.value, scopes, proc)
        elif isinstance(value, tuple):
            for v in value:
                self._walk_value(v, scopes, proc)

    def _binders(self, binders, scopes, proc, node) -> dict[str, Symbol]:
        inner: dict[str, Symbol] = {}
        for b in binders:
            self.expr(b.domain, scopes + [inner], proc)
            for n in b.names:
                inner[n] = self._local(n, self.locate(n, b.span), "local", node,
                                       _lines(node.span))
        return inner


def _display(d) -> str:
    return f"on {d.message}" if isinstance(d, A.Handler) else d.name


def _lines(span: Span) -> tuple[int, int]:
    return (span.line, span.end_line or span.line)


def _kind(d) -> str | None:
    if isinstance(d, A.Record):
        return "message" if d.is_message else "record"
    return {A.Const: "constant", A.Enum: "enum", A.Var: "variable", A.Def: "definition",
            A.Process: "process", A.Action: "action", A.Handler: "handler", A.Proc: "procedure",
            A.Invariant: "invariant", A.Transition: "transition", A.Property: "property",
            A.Constraint: "constraint", A.Check: "check", A.History: "history"}.get(type(d))


def index(spec: A.Spec, text: str) -> Index:
    """Declarations and references of a parsed spec whose source is `text`."""
    ix = _Indexer(spec, text)
    ix.collect()
    ix.walk_all()
    refs = sorted(ix.refs, key=lambda r: (r.span.line, r.span.col))
    return Index(ix.symbols, refs, ix.locals)


# Names every spec may use without declaring them (for completion).
BUILTINS = tuple(sorted(set(BUILTIN_FUNCTIONS) | set(BUILTIN_PROPERTIES) |
                        {"self", "bool", "int", "nat", "set", "map", "seq", "none",
                         "True", "False"}))
