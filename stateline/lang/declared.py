"""Declared things, elaborated on first use (a mixin of `ExprChecker`).

Constants, records and state variables are type-checked lazily and memoised,
with cycle detection, so declarations may appear in any order; `type_expr`
interprets a type written in a declaration (``set[RM]``, ``0..N``,
``Values?``) and reports unbounded and non-finite types.
"""

from __future__ import annotations

from ..diagnostics import Span, SpecError, did_you_mean, fail as err
from . import ast as A
from . import ir
from .types import (BOOL, INT, AtomT, BoolT, IntT, MapT, OptionT, RecordT, SeqT, SetT, TupleT,
                    Type, UnknownT, contains_unknown)
from .unions import union_type_expr


class Poisoned(Exception):
    """Abort the current declaration: an error was already reported elsewhere."""


class DeclaredMixin:
    def _enter(self, kind: str, name: str, span: Span):
        key = (kind, name)
        if key in self._in_progress:
            chain = [n for _, n in self._in_progress[self._in_progress.index(key):]] + [name]
            err("SL205", f"{kind} '{name}' refers to itself (" + " -> ".join(chain) + ")", span,
                hint="constants, records and definitions cannot be recursive")
        self._in_progress.append(key)

    def const(self, name: str) -> ir.ConstSym:
        if name in self._consts:
            c = self._consts[name]
            if c is None:
                raise Poisoned()
            return c
        d = self.r.consts[name]
        self._enter("constant", name, d.span)
        try:
            with self.closed(f"the value of constant '{name}'"):
                sym = self._elaborate_const(d)
        except (SpecError, Poisoned):
            self._consts[name] = None
            raise
        finally:
            self._in_progress.remove(("constant", name))
        self._consts[name] = sym
        return sym

    def _elaborate_const(self, d: A.Const) -> ir.ConstSym:
        members = self.r.model_sorts.get(d.name)
        if members is not None:
            t = SetT(AtomT(d.name))
            items = tuple(ir.AtomC(AtomT(d.name), m.span, d.name, m.name) for m in members)
            value = ir.SetLitE(t, d.value.span if hasattr(d.value, "span") else d.span, items)
            return ir.ConstSym(d.name, t, value, None, d.symmetric, tuple(m.name for m in members),
                               d.span)
        if d.symmetric:     # (was accepted, and renamed values of a union or a subset)
            err("SL303", f"only a set of model values can be symmetric; '{d.name}' is not "
                         "one (its elements are not fresh names)", d.span)
        decl_type = None
        if d.type is not None:
            decl_type = self.type_expr(d.type)
            value = self.check(d.value, decl_type.type, f"constant '{d.name}'")
        else:
            value = self.infer(d.value)
        if contains_unknown(value.type):
            err("SL303", f"cannot infer the type of constant '{d.name}'", d.span,
                hint="give it a type: const NAME: TYPE = value")
        if d.symmetric and not (isinstance(value.type, SetT)
                                and isinstance(value.type.elem, AtomT)):
            err("SL303", "only a set of model values can be symmetric", d.span)
        return ir.ConstSym(d.name, value.type, value, decl_type, d.symmetric, None, d.span)

    def record(self, name: str) -> ir.RecordSym:
        if name in self._records:
            rec = self._records[name]
            if rec is None:
                raise Poisoned()
            return rec
        d = self.r.records[name]
        self._enter("record", name, d.span)
        try:
            with self.closed(f"the fields of '{name}'"):
                fields = tuple((f.name, self.type_expr(f.type)) for f in d.fields)
        except (SpecError, Poisoned):
            self._records[name] = None
            raise
        finally:
            self._in_progress.remove(("record", name))
        sym = ir.RecordSym(name, fields, d.is_message, d.span)
        self._records[name] = sym
        return sym

    def var(self, process: str | None, name: str) -> ir.VarSym:
        key = (process, name)
        if key in self._vars:
            v = self._vars[key]
            if v is None:
                raise Poisoned()
            return v
        d = self.r.process_vars[process][name] if process else self.r.vars[name]
        proc = self.r.processes.get(process) if process else None
        try:
            v = self._elaborate_var(d, proc)
        except (SpecError, Poisoned):
            self._vars[key] = None
            raise
        self._vars[key] = v
        return v

    def process_self(self, proc: A.Process) -> ir.Local | None:
        """The one `self` local of a process (shared by its variables and actions)."""
        if proc.name not in self._self_locals:
            local = None
            if proc.self_name:
                self._self_locals[proc.name] = None
                with self.closed(f"the domain of process '{proc.name}'"):
                    dom = self.infer(proc.domain)
                if not isinstance(dom.type, SetT):
                    err("SL303", f"the instances of process '{proc.name}' must be a set, "
                                 f"got {dom.type}", proc.domain.span)
                local = ir.Local(proc.self_name, dom.type.elem)
            self._self_locals[proc.name] = local
        return self._self_locals[proc.name]

    def _elaborate_var(self, d: A.Var, proc: A.Process | None) -> ir.VarSym:
        who = f"the initial value of '{d.name}'"
        self_local = self.process_self(proc) if proc is not None else None
        scopes = [{self_local.name: self_local}] if self_local is not None else []
        with self.closed(who):
            decl_type = self.type_expr(d.type) if d.type is not None else None
        if d.typed_only:      # its value comes from the `init:` block (lang.initblock)
            return ir.VarSym(d.name, decl_type.type, decl_type,
                             ir.BoolC(BoolT(), d.span, False), True,
                             proc.name if proc else None, d.span, typed_only=True)
        with self.context(scopes=scopes, state_ok=True, state_why=who, process=proc,
                          self_local=self_local, prime_ok=False, priming=False,
                          init_reads=(d.name, self._declared_before(proc, d.name))):
            if d.nondet:
                dom = self.infer(d.init)
                if not isinstance(dom.type, SetT):
                    err("SL303", f"'var {d.name} in S' needs a set, got {dom.type}", d.init.span)
                if decl_type is not None:
                    init = self.check(d.init, SetT(decl_type.type), f"variable '{d.name}'")
                else:
                    init = dom
                vtype = init.type.elem
            else:
                if decl_type is not None:
                    init = self.check(d.init, decl_type.type, f"variable '{d.name}'")
                else:
                    init = self.infer(d.init)
                vtype = init.type
        if decl_type is None and d.nondet and isinstance(d.init, A.FunSet):
            decl_type = self._fun_set_type(d.init, vtype)
        if decl_type is None:
            decl_type = self.infer_type_expr(vtype, d)
        return ir.VarSym(d.name, decl_type.type, decl_type, init, d.nondet,
                         proc.name if proc else None, d.span)

    def _declared_before(self, proc: A.Process | None, name: str) -> frozenset:
        """The variables an initial value may read: those declared before it (the
        top-level ones, then each process's, in declaration order)."""
        order = [(None, n) for n in self.r.vars]
        for p in self.r.processes.values():
            order += [(p.name, n) for n in self.r.process_vars.get(p.name, {})]
        me = (proc.name if proc else None, name)
        return frozenset(order[:order.index(me)])

    def _fun_set_type(self, e: A.FunSet, vtype: Type) -> ir.TypeExpr | None:
        """`var c in [S -> T]`: the type map[S, T] when S and T are written as types
        (a range, a constant set, an enum...); None when either is not."""
        try:
            with self.closed("a function set's type"):
                k = self.type_expr(e.domain, key="map keys")
                v = self.type_expr(e.codomain)
        except SpecError:
            return None
        if k.type != vtype.key or v.type != vtype.value:
            return None
        return ir.TMap(MapT(k.type, v.type), e.span, k, v)

    def infer_type_expr(self, t: Type, d: A.Var) -> ir.TypeExpr:
        """The declared type of `var x = e` from the type of `e`, when it is finite."""
        found = _finite_type_expr(t, d.span)
        if found is not None:
            return found
        if isinstance(t, IntT):
            example = f"var {d.name}: 0..3 in 0..3" if d.nondet else f"var {d.name}: 0..3 = ..."
            err("SL401", f"variable '{d.name}' has an unbounded integer type", d.span,
                hint=f"declare its range, e.g. `{example}`")
        err("SL303", f"cannot infer a finite type for variable '{d.name}' (its value has type {t})",
            d.span, hint=f"declare it: `var {d.name}: TYPE = ...`")

    def type_expr(self, e: A.Expr, *, key: str | None = None) -> ir.TypeExpr:
        """A declared (finite) type: of a variable, a field, a constant, a map key.

        `key` says what the type is for ("map keys", "set elements") when it must
        be a finite domain, for the diagnostic."""
        sp = e.span
        if isinstance(e, A.Name):
            n = e.id
            if n == "bool":
                return ir.TBool(BOOL, sp)
            if n in ("int", "nat"):
                if key:
                    err("SL402", f"{key} must range over a finite domain, not '{n}'", sp,
                        hint="use a range such as 0..N or a set of model values")
                err("SL401", f"unbounded integer type '{n}'", sp,
                    hint="state must be finite: use a range such as 0..3")
            if n in self.r.enums:
                return ir.TAtom(AtomT(n), sp, n)
            if n in self.r.model_sorts:
                return ir.TAtom(AtomT(n), sp, n)
            if n in self.r.records:
                rec = self.r.records[n]
                return ir.TRecord(RecordT(n, rec.is_message), sp, n)
            if n in self.r.consts:
                c = self.const(n)
                if isinstance(c.type, SetT) and isinstance(c.type.elem, IntT):
                    return ir.TIntSet(INT, sp, ir.ConstRef(c.type, sp, n))
                err("SL105", f"constant '{n}' of type {c.type} is not a type", sp,
                    hint="types are bool, ranges lo..hi, enums, model-value sets, records, "
                         "set[T], map[K, V], seq[T, N], (T1, T2) and T?")
            if n in ("set", "map", "seq"):
                err("SL105", f"'{n}' needs its element type: {n}[...]", sp)
            known = list(self.r.enums) + list(self.r.model_sorts) + list(self.r.records) + \
                list(self.r.consts) + ["bool"]
            if self.r.global_kind(n) is None:
                err("SL201", f"unknown type '{n}'", sp, hint=did_you_mean(n, known))
            err("SL105", f"'{n}' is not a type", sp)
        if isinstance(e, A.Binary) and e.op == "|":
            return union_type_expr(self, e)        # Readers | Writers (lang/unions.py)
        if isinstance(e, A.Binary) and e.op == "..":
            with self.closed("a range bound"):
                lo = self.check(e.left, INT, "a range bound")
                hi = self.check(e.right, INT, "a range bound")
            return ir.TRange(INT, sp, lo, hi)
        if isinstance(e, A.OptionType):
            inner = self.type_expr(e.base)
            if isinstance(inner.type, OptionT):
                err("SL105", "an option of an option is not a type", sp)
            return ir.TOption(OptionT(inner.type), sp, inner)
        if isinstance(e, A.TupleLit):
            items = tuple(self.type_expr(x) for x in e.items)
            return ir.TTuple(TupleT(tuple(i.type for i in items)), sp, items)
        if isinstance(e, A.Subscript) and isinstance(e.base, A.Name) and \
                e.base.id in ("set", "map", "seq"):
            kind, args = e.base.id, e.indices
            if kind == "set":
                if len(args) != 1:
                    err("SL302", "set[...] takes one element type", sp)
                elem = self.type_expr(args[0], key="set elements")
                return ir.TSet(SetT(elem.type), sp, elem)
            if kind == "map":
                if len(args) != 2:
                    err("SL302", "map[...] takes a key type and a value type", sp)
                k = self.type_expr(args[0], key="map keys")
                v = self.type_expr(args[1])
                return ir.TMap(MapT(k.type, v.type), sp, k, v)
            if len(args) != 2:
                err("SL401", "a sequence type needs a maximum length: seq[T, N]", sp)
            elem = self.type_expr(args[0])
            with self.closed("a sequence bound"):
                n = self.check(args[1], INT, "a sequence bound")
            return ir.TSeq(SeqT(elem.type), sp, elem, n)
        if isinstance(e, A.FunSet):
            err("SL105", "'[S -> T]' is a set of maps (TLA+'s function set), not a type: "
                "as a type write map[S, T]", sp,
                hint="write 'var x: map[S, T] = ...', or 'var x in [S -> T]' to start at "
                     "every map of the set")
        err("SL105", "this expression is not a type", sp,
            hint="types are bool, ranges lo..hi, enums, model-value sets, records, "
                 "set[T], map[K, V], seq[T, N], (T1, T2) and T?")

    def static_type(self, e: A.Expr) -> Type:
        """A type annotation of a definition parameter (unbounded ints allowed)."""
        if isinstance(e, A.Name) and e.id in ("int", "nat"):
            return INT
        if isinstance(e, A.Subscript) and isinstance(e.base, A.Name) and e.base.id == "seq" \
                and len(e.indices) == 1:
            return SeqT(self.static_type(e.indices[0]))
        if isinstance(e, A.Subscript) and isinstance(e.base, A.Name) and e.base.id == "set" \
                and len(e.indices) == 1:
            return SetT(self.static_type(e.indices[0]))
        return self.type_expr(e).type


def _finite_type_expr(t: Type, span: Span) -> ir.TypeExpr | None:
    """A declared type for static type `t` without integers in it, or None."""
    if isinstance(t, BoolT):
        return ir.TBool(t, span)
    if isinstance(t, AtomT):
        return ir.TAtom(t, span, t.sort)
    if isinstance(t, RecordT):
        return ir.TRecord(t, span, t.name)
    if isinstance(t, SetT) and not isinstance(t.elem, UnknownT):
        elem = _finite_type_expr(t.elem, span)
        return ir.TSet(t, span, elem) if elem is not None else None
    if isinstance(t, OptionT):
        elem = _finite_type_expr(t.elem, span)
        return ir.TOption(t, span, elem) if elem is not None else None
    if isinstance(t, TupleT):
        items = [_finite_type_expr(x, span) for x in t.items]
        return ir.TTuple(t, span, tuple(items)) if None not in items else None
    if isinstance(t, MapT):
        key, value = _finite_type_expr(t.key, span), _finite_type_expr(t.value, span)
        return ir.TMap(t, span, key, value) if None not in (key, value) else None
    return None
