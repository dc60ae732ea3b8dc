"""Type checking with inference: `ast` expressions -> typed `ir` expressions.

`ExprChecker` resolves every name against the local scopes and the symbol
tables of `resolve`, infers static types bottom-up, pushes expected types
down into literals (``var s: set[RM] = {}``), inserts the implicit unwrap of
an option used where its element type is needed, expands definitions in
place, and reports the first error of an expression as a `SpecError`.
Declarations and statements are elaborated by `elaborate`, on top of this.
"""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager

from ..diagnostics import Span, SpecError, did_you_mean, fail as err
from . import ast as A
from . import ir
from .calls import CallsMixin
from .ir import NodeE, retype, retype_if
from .resolve import BUILTIN_FUNCTIONS, Resolved
from .types import (BOOL, INT, NONE, UNKNOWN, AtomT, BoolT, IntT, MapT, NodeT, NoneT, OptionT,
                    RecordT, SeqT, SetT, TupleT, Type, UnknownT, assignable, contains_unknown,
                    join)


class Poisoned(Exception):
    """Abort the current declaration: an error was already reported elsewhere."""


_ARITH = {"+": "add", "-": "sub", "*": "mul", "//": "floordiv", "%": "mod"}
_SETOPS = {"|": "set_union", "&": "set_inter", "-": "set_diff", "^": "set_symdiff"}
_CMP_INT = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_CMP_SET = {"<": "subset", "<=": "subseteq", ">": "supset", ">=": "supseteq"}


class ExprChecker(CallsMixin):
    def __init__(self, resolved: Resolved):
        self.r = resolved
        self.scopes: list[dict[str, ir.Local]] = []
        self.process: A.Process | None = None
        self.self_local: ir.Local | None = None
        self.state_ok = True       # may state variables be read here?
        self.state_why = ""        # why not, for the message
        self.prime_ok = False      # inside a transition invariant
        self.priming = False       # inside e'
        self.def_stack: list[str] = []
        # Lazily computed declarations (memoised, with cycle detection).
        self._consts: dict[str, ir.ConstSym | None] = {}
        self._records: dict[str, ir.RecordSym | None] = {}
        self._vars: dict[tuple[str | None, str], ir.VarSym | None] = {}
        self._in_progress: set[tuple[str, str]] = set()
        self._self_locals: dict[str, ir.Local | None] = {}

    # ---- context helpers ---------------------------------------------------------

    @contextmanager
    def scope(self, bindings: dict[str, ir.Local] | None = None):
        self.scopes.append(dict(bindings or {}))
        try:
            yield self.scopes[-1]
        finally:
            self.scopes.pop()

    @contextmanager
    def context(self, **changes):
        old = {k: getattr(self, k) for k in changes}
        for k, v in changes.items():
            setattr(self, k, v)
        try:
            yield
        finally:
            for k, v in old.items():
                setattr(self, k, v)

    def closed(self, why: str):
        """A context where only constants (no state, no locals) are visible."""
        return self.context(scopes=[], state_ok=False, state_why=why, process=None,
                            self_local=None, prime_ok=False, priming=False)

    # ---- lazily elaborated global declarations -------------------------------------

    def _enter(self, kind: str, name: str, span: Span):
        key = (kind, name)
        if key in self._in_progress:
            err("SL205", f"{kind} '{name}' refers to itself", span,
                hint="constants, records and definitions cannot be recursive")
        self._in_progress.add(key)

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
            self._in_progress.discard(("constant", name))
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
            self._in_progress.discard(("record", name))
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
        with self.context(scopes=scopes, state_ok=False, state_why=who, process=None,
                          self_local=self_local, prime_ok=False, priming=False):
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
        if decl_type is None:
            decl_type = self.infer_type_expr(vtype, d)
        return ir.VarSym(d.name, decl_type.type, decl_type, init, d.nondet,
                         proc.name if proc else None, d.span)

    def infer_type_expr(self, t: Type, d: A.Var) -> ir.TypeExpr:
        """The declared type of `var x = e` from the type of `e`, when it is finite."""
        span = d.span
        if isinstance(t, BoolT):
            return ir.TBool(t, span)
        if isinstance(t, AtomT):
            return ir.TAtom(t, span, t.sort)
        if isinstance(t, RecordT):
            return ir.TRecord(t, span, t.name)
        if isinstance(t, SetT) and not isinstance(t.elem, (IntT, UnknownT)):
            try:
                return ir.TSet(t, span, self.infer_type_expr(t.elem, d))
            except SpecError:
                pass
        if isinstance(t, OptionT) and not isinstance(t.elem, IntT):
            try:
                return ir.TOption(t, span, self.infer_type_expr(t.elem, d))
            except SpecError:
                pass
        if isinstance(t, TupleT) and not any(isinstance(x, IntT) for x in t.items):
            try:
                return ir.TTuple(t, span, tuple(self.infer_type_expr(x, d) for x in t.items))
            except SpecError:
                pass
        if isinstance(t, IntT):
            err("SL401", f"variable '{d.name}' has an unbounded integer type", span,
                hint=f"declare its range, e.g. `var {d.name}: 0..3 = ...`")
        err("SL303", f"cannot infer a finite type for variable '{d.name}' (its value has type {t})",
            span, hint=f"declare it: `var {d.name}: TYPE = ...`")

    # ---- types ----------------------------------------------------------------

    def type_expr(self, e: A.Expr, *, key: bool = False) -> ir.TypeExpr:
        """A declared (finite) type: of a variable, a field, a constant, a map key."""
        sp = e.span
        if isinstance(e, A.Name):
            n = e.id
            if n == "bool":
                return ir.TBool(BOOL, sp)
            if n in ("int", "nat"):
                if key:
                    err("SL402", f"map keys must range over a finite domain, not '{n}'", sp,
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
                elem = self.type_expr(args[0], key=True)
                return ir.TSet(SetT(elem.type), sp, elem)
            if kind == "map":
                if len(args) != 2:
                    err("SL302", "map[...] takes a key type and a value type", sp)
                k = self.type_expr(args[0], key=True)
                v = self.type_expr(args[1])
                return ir.TMap(MapT(k.type, v.type), sp, k, v)
            if len(args) != 2:
                err("SL401", "a sequence type needs a maximum length: seq[T, N]", sp)
            elem = self.type_expr(args[0])
            with self.closed("a sequence bound"):
                n = self.check(args[1], INT, "a sequence bound")
            return ir.TSeq(SeqT(elem.type), sp, elem, n)
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

    # ---- checking against an expected type -----------------------------------------

    def check(self, e: A.Expr, expected: Type, what: str) -> ir.E:
        got = self.infer(e)
        return self.coerce(got, expected, what, e.span)

    def coerce(self, got: ir.E, expected: Type, what: str, span: Span) -> ir.E:
        if got.type == expected:
            return got
        if not assignable(got.type, expected):
            err("SL303", f"{what} expects {expected}, got {got.type}", span)
        if isinstance(got.type, OptionT) and not isinstance(expected, OptionT):
            return ir.Op(expected, got.span, "unwrap", (got,))
        if contains_unknown(got.type) or isinstance(got.type, NoneT):
            return retype(got, expected)
        return got

    def expect_bool(self, e: A.Expr, what: str) -> ir.E:
        got = self.infer(e)
        if not isinstance(got.type, BoolT):
            err("SL307", f"{what} must be a boolean, got {got.type}", e.span)
        return got

    # ---- inference --------------------------------------------------------------

    def infer(self, e: A.Expr) -> ir.E:
        method = getattr(self, "_" + type(e).__name__, None)
        if method is None:
            err("SL106", f"{type(e).__name__} is not allowed in an expression", e.span)
        return method(e)

    def _IntLit(self, e):
        return ir.IntC(INT, e.span, e.value)

    def _BoolLit(self, e):
        return ir.BoolC(BOOL, e.span, e.value)

    def _NoneLit(self, e):
        return ir.NoneC(NONE, e.span)

    def _Name(self, e: A.Name):
        n, sp = e.id, e.span
        for scope in reversed(self.scopes):
            if n in scope:
                return ir.LocalRef(scope[n].type, sp, scope[n])
        if self.self_local is not None and self.process is None and n == self.self_local.name:
            return ir.LocalRef(self.self_local.type, sp, self.self_local)
        if self.process is not None and n in self.r.process_vars.get(self.process.name, {}):
            var = self.var(self.process.name, n)
            self._state_allowed(n, sp)
            key = ir.LocalRef(self.self_local.type, sp, self.self_local) \
                if self.self_local is not None else None
            return ir.VarRef(var.type, sp, var, key, self.priming)
        if n in self.r.vars:
            var = self.var(None, n)
            self._state_allowed(n, sp)
            return ir.VarRef(var.type, sp, var, None, self.priming)
        if n in self.r.consts:
            c = self.const(n)
            return ir.ConstRef(c.type, sp, n)
        if n in self.r.defs:
            d = self.r.defs[n]
            if d.params is not None:
                err("SL302", f"'{n}' takes {len(d.params)} argument(s); call it as {n}(...)", sp)
            return self.expand_def(d, (), sp)
        if n in self.r.members:
            sort = self.r.members[n][0]
            return ir.AtomC(AtomT(sort), sp, sort, n)
        if n in self.r.records:
            rec = self.record(n)
            if rec.fields:
                err("SL302", f"'{n}' has fields; construct it as {n}(...)", sp)
            return ir.RecordE(RecordT(n, rec.is_message), sp, n, ())
        if n in self.r.processes:
            p = self.r.processes[n]
            if p.self_name:
                err("SL303", f"process '{n}' has many instances; name one as {n}[id]", sp)
            return NodeE(NodeT(n), sp, n, None)
        if n in ("int", "nat"):
            err("SL402", f"'{n}' is not a finite domain", sp,
                hint="quantify over a range such as 0..N or a constant set")
        if n in BUILTIN_FUNCTIONS:
            err("SL304", f"'{n}' is a function; call it as {n}(...)", sp)
        if self.process is not None and not self.state_ok:
            pass
        names = self.r.all_value_names() + [x for s in self.scopes for x in s]
        if self.process is not None:
            names += list(self.r.process_vars.get(self.process.name, {}))
        for pname, pvars in self.r.process_vars.items():
            if n in pvars and (self.process is None or self.process.name != pname):
                err("SL201", f"unknown name '{n}'", sp,
                    hint=f"'{n}' is a variable of process '{pname}': write "
                         + (f"{pname}[id].{n}" if self.r.processes[pname].self_name
                            else f"{pname}.{n}"))
        err("SL201", f"unknown name '{n}'", sp, hint=did_you_mean(n, names))

    def _state_allowed(self, n: str, sp: Span):
        if not self.state_ok:
            err("SL303", f"{self.state_why} cannot depend on state variable '{n}'", sp)

    def expand_def(self, d: A.Def, args: tuple[ir.E, ...], sp: Span) -> ir.E:
        if d.name in self.def_stack:
            err("SL205", f"definition '{d.name}' refers to itself ("
                + " -> ".join(self.def_stack[self.def_stack.index(d.name):] + [d.name]) + ")",
                d.span, hint="definitions are expanded in place and cannot be recursive")
        params = d.params or ()
        locals_ = []
        for p, a in zip(params, args):
            if p.type is not None:
                with self.closed(f"the type of parameter '{p.name}'"):
                    pt = self.static_type(p.type)
                a = self.coerce(a, pt, f"argument '{p.name}' of '{d.name}'", a.span)
                locals_.append((ir.Local(p.name, pt), a))
            else:
                locals_.append((ir.Local(p.name, a.type), a))
        # The body sees only globals and its parameters (lexical scope), but it
        # may read state when its caller may.
        with self.context(scopes=[{l.name: l for l, _ in locals_}], process=None,
                          self_local=None, def_stack=self.def_stack + [d.name]):
            body = self.infer(d.body)
            if d.ret_type is not None:
                with self.closed(f"the return type of '{d.name}'"):
                    rt = self.static_type(d.ret_type)
                body = self.coerce(body, rt, f"the result of '{d.name}'", d.body.span)
        for local, arg in reversed(locals_):
            body = ir.LetE(body.type, sp, local, arg, body)
        return body

    def _TupleLit(self, e):
        items = tuple(self.infer(x) for x in e.items)
        return ir.TupleE(TupleT(tuple(i.type for i in items)), e.span, items)

    def _elems_join(self, items, what: str, span: Span) -> Type:
        t: Type = UNKNOWN
        for it in items:
            j = join(t, it.type)
            if j is None:
                err("SL301", f"{what} elements have incompatible types {t} and {it.type}", it.span)
            t = j
        return t

    def _SeqLit(self, e):
        items = tuple(self.infer(x) for x in e.items)
        t = self._elems_join(items, "sequence", e.span)
        items = tuple(self.coerce(i, t, "a sequence element", i.span) for i in items)
        return ir.SeqLitE(SeqT(t), e.span, items)

    def _SetLit(self, e):
        items = tuple(self.infer(x) for x in e.items)
        t = self._elems_join(items, "set", e.span)
        items = tuple(self.coerce(i, t, "a set element", i.span) for i in items)
        return ir.SetLitE(SetT(t), e.span, items)

    def _MapLit(self, e):
        err("SL106", "a map literal can only update a map: m | {k: v}", e.span,
            hint="build a whole map with a comprehension: {k: value for k in Domain}")

    def _gens(self, fors: tuple[A.CompFor, ...]):
        """Bind comprehension generators; returns (gens, scope bindings)."""
        gens = []
        bound: dict[str, ir.Local] = {}
        for f in fors:
            with self.scope(bound):
                dom = self.set_domain(f.domain, "a comprehension")
            elem_t = dom.type.elem
            if len(f.names) == 1:
                local = ir.Local(f.names[0], elem_t)
                bound[f.names[0]] = local
                extra: list[tuple[ir.Local, ir.E]] = []
            else:
                if not isinstance(elem_t, TupleT) or len(elem_t.items) != len(f.names):
                    err("SL303", f"cannot unpack {elem_t} into {len(f.names)} names", f.span)
                local = ir.Local("_t", elem_t)
                extra = []
                for i, n in enumerate(f.names):
                    sub = ir.Local(n, elem_t.items[i])
                    extra.append((sub, ir.TupleGet(elem_t.items[i], f.span,
                                                   ir.LocalRef(elem_t, f.span, local), i)))
                    bound[n] = sub
            cond = None
            with self.scope(bound):
                if f.cond is not None:
                    cond = self.expect_bool(f.cond, "a comprehension condition")
            if extra:
                # Unpacked names are let-bound around the condition (and the element).
                def wrap(x, extra=extra):
                    for sub, val in reversed(extra):
                        x = ir.LetE(x.type, x.span, sub, val, x)
                    return x
                cond = wrap(cond) if cond is not None else None
                gens.append((ir.Gen(local, dom, cond), wrap))
            else:
                gens.append((ir.Gen(local, dom, cond), None))
        return gens, bound

    def _SetComp(self, e):
        gens, bound = self._gens(e.fors)
        with self.scope(bound):
            elem = self.infer(e.elem)
        for _, wrap in reversed(gens):
            if wrap is not None:
                elem = wrap(elem)
        return ir.SetCompE(SetT(elem.type), e.span, elem, tuple(g for g, _ in gens))

    def _MapComp(self, e):
        if len(e.fors) != 1 or len(e.fors[0].names) != 1 or e.fors[0].cond is not None or \
                not isinstance(e.key, A.Name) or e.key.id != e.fors[0].names[0]:
            err("SL106", "a map comprehension must have the form {k: value for k in Domain}",
                e.span, hint="maps are total over their domain")
        f = e.fors[0]
        dom = self.set_domain(f.domain, "a map comprehension")
        local = ir.Local(f.names[0], dom.type.elem)
        with self.scope({local.name: local}):
            value = self.infer(e.value)
        return ir.MapCompE(MapT(local.type, value.type), e.span, local, dom, value)

    def set_domain(self, e: A.Expr, what: str) -> ir.E:
        dom = self.infer(e)
        if isinstance(dom.type, SeqT):
            return ir.Op(SetT(dom.type.elem), dom.span, "seq_to_set", (dom,))
        if not isinstance(dom.type, SetT):
            err("SL303", f"{what} ranges over a set, got {dom.type}", e.span)
        if isinstance(dom.type.elem, UnknownT):
            err("SL303", f"{what} over an empty set literal has no element type", e.span)
        return dom

    def _Quant(self, e: A.Quant):
        bindings: list[tuple[ir.Local, ir.E]] = []
        bound: dict[str, ir.Local] = {}
        for b in e.binders:
            with self.scope(bound):
                dom = self.set_domain(b.domain, f"'{e.kind}'")
            for n in b.names:
                local = ir.Local(n, dom.type.elem)
                bindings.append((local, dom))
                bound[n] = local
        with self.scope(bound):
            body = self.expect_bool(e.body, f"the body of '{e.kind}'")
        for local, dom in reversed(bindings):
            body = ir.Quant(BOOL, e.span, e.kind, local, dom, body)
        return body

    def _Choose(self, e: A.Choose):
        dom = self.set_domain(e.domain, "'choose'")
        local = ir.Local(e.name, dom.type.elem)
        with self.scope({e.name: local}):
            cond = self.expect_bool(e.cond, "the condition of 'choose'")
        return ir.ChooseE(local.type, e.span, local, dom, cond)

    def _Let(self, e: A.Let):
        value = self.infer(e.value)
        local = ir.Local(e.name, value.type)
        with self.scope({e.name: local}):
            body = self.infer(e.body)
        return ir.LetE(body.type, e.span, local, value, body)

    def _IfExp(self, e: A.IfExp):
        cond = self.expect_bool(e.cond, "the condition of 'if'")
        a, b = self.infer(e.then), self.infer(e.orelse)
        t = join(a.type, b.type)
        if t is None:
            err("SL301", f"the branches of 'if' have different types {a.type} and {b.type}",
                e.span)
        return ir.IfE(t, e.span, cond, self.coerce(a, t, "a branch", a.span),
                      self.coerce(b, t, "a branch", b.span))

    def _Unary(self, e: A.Unary):
        x = self.infer(e.operand)
        if e.op == "not":
            if not isinstance(x.type, BoolT):
                err("SL301", f"'not' needs a boolean, got {x.type}", e.span)
            return ir.Op(BOOL, e.span, "not", (x,))
        x = self._int_operand(x, "-")
        return ir.Op(INT, e.span, "neg", (x,))

    def _int_operand(self, x: ir.E, op: str) -> ir.E:
        if isinstance(x.type, OptionT) and isinstance(x.type.elem, IntT):
            return ir.Op(INT, x.span, "unwrap", (x,))
        if not isinstance(x.type, IntT):
            err("SL301", f"'{op}' needs integers, got {x.type}", x.span)
        return x

    def _Binary(self, e: A.Binary):
        op, sp = e.op, e.span
        if op in ("and", "or", "implies"):
            a = self.infer(e.left)
            b = self.infer(e.right)
            for x in (a, b):
                if not isinstance(x.type, BoolT):
                    err("SL301", f"'{op}' needs booleans, got {x.type}", x.span)
            if op != "implies":
                args = []
                for x in (a, b):
                    if isinstance(x, ir.Op) and x.op == op:
                        args.extend(x.args)
                    else:
                        args.append(x)
                return ir.Op(BOOL, sp, op, tuple(args))
            return ir.Op(BOOL, sp, "implies", (a, b))
        if op == "|" and isinstance(e.right, A.MapLit):
            m = self.infer(e.left)
            if not isinstance(m.type, MapT):
                err("SL301", f"'| {{k: v}}' updates a map, got {m.type}", e.left.span)
            ups = tuple((self.check(k, m.type.key, "a map key"),
                         self.check(v, m.type.value, "a map value")) for k, v in e.right.items)
            return ir.MapUpdate(m.type, sp, m, ups)
        a = self.infer(e.left)
        b = self.infer(e.right)
        ta, tb = a.type, b.type
        if op == "/":
            err("SL301", "'/' is not defined on integers", sp, hint="use '//' (floor division)")
        if op in ("==", "!="):
            t = join(ta, tb)
            if t is None:
                err("SL301", f"cannot compare {ta} with {tb}", sp)
            if not isinstance(t, OptionT):
                a, b = self.coerce(a, t, "a comparison", a.span), self.coerce(b, t, "", b.span)
            elif contains_unknown(ta) or isinstance(ta, NoneT):
                a = retype(a, t)
            elif contains_unknown(tb) or isinstance(tb, NoneT):
                b = retype(b, t)
            return ir.Op(BOOL, sp, "eq" if op == "==" else "ne", (a, b))
        if op in ("in", "not in"):
            if isinstance(tb, SeqT):
                if join(ta, tb.elem) is None:
                    err("SL301", f"'{op}' between {ta} and {tb}", sp)
                return ir.Op(BOOL, sp, "seq_in" if op == "in" else "seq_not_in", (a, b))
            if not isinstance(tb, SetT):
                err("SL301", f"'{op}' needs a set on the right, got {tb}", e.right.span)
            if join(ta, tb.elem) is None:
                err("SL301", f"'{op}': {ta} cannot be an element of {tb}", sp)
            if contains_unknown(tb):
                b = retype(b, SetT(join(ta, tb.elem)))
            return ir.Op(BOOL, sp, "in" if op == "in" else "not_in", (a, b))
        if op in _CMP_INT:
            if isinstance(ta, SetT) or isinstance(tb, SetT):
                t = join(ta, tb)
                if t is None or not isinstance(t, SetT):
                    err("SL301", f"'{op}' between {ta} and {tb}", sp)
                return ir.Op(BOOL, sp, _CMP_SET[op], (retype_if(a, t), retype_if(b, t)))
            return ir.Op(BOOL, sp, _CMP_INT[op], (self._int_operand(a, op),
                                                  self._int_operand(b, op)))
        if op == "..":
            return ir.Op(SetT(INT), sp, "range", (self._int_operand(a, op),
                                                   self._int_operand(b, op)))
        if op == "+" and (isinstance(ta, SeqT) or isinstance(tb, SeqT)):
            t = join(ta, tb)
            if t is None or not isinstance(t, SeqT):
                err("SL301", f"'+' between {ta} and {tb}", sp)
            return ir.Op(t, sp, "seq_concat", (retype_if(a, t), retype_if(b, t)))
        if op in _SETOPS and (isinstance(ta, SetT) or isinstance(tb, SetT)):
            t = join(ta, tb)
            if t is None or not isinstance(t, SetT):
                err("SL301", f"'{op}' between {ta} and {tb}", sp)
            return ir.Op(t, sp, _SETOPS[op], (retype_if(a, t), retype_if(b, t)))
        if op in _ARITH:
            if isinstance(ta, IntT) or isinstance(tb, IntT) or not (
                    isinstance(ta, SetT) or isinstance(tb, SetT)):
                hint = "use '|' for set union" if op == "+" and isinstance(ta, SetT) else None
                if not (isinstance(ta, (IntT, OptionT)) and isinstance(tb, (IntT, OptionT))):
                    err("SL301", f"'{op}' needs integers, got {ta} and {tb}", sp, hint=hint)
                return ir.Op(INT, sp, _ARITH[op], (self._int_operand(a, op),
                                                   self._int_operand(b, op)))
        err("SL301", f"'{op}' is not defined between {ta} and {tb}", sp)

    def _Prime(self, e: A.Prime):
        if not self.prime_ok:
            err("SL306", "a primed expression (next state) is only allowed in a "
                         "transition invariant", e.span)
        with self.context(priming=True):
            return self.infer(e.base)

    def _OptionType(self, e):
        err("SL303", "'T?' is a type, not a value", e.span)

    def _Slice(self, e):
        err("SL106", "a slice is only allowed inside [...]", e.span)
