"""Type checking with inference: `ast` expressions -> typed `ir` expressions.

`ExprChecker` resolves every name against the local scopes and the symbol
tables of `resolve`, infers static types bottom-up, pushes expected types
down into literals (``var s: set[RM] = {}``), inserts the implicit unwrap of
an option used where its element type is needed, expands definitions in
place, and reports the first error of an expression as a `SpecError`.
Declarations and statements are elaborated by `elaborate`, on top of this.
"""

from __future__ import annotations

from contextlib import contextmanager

from ..diagnostics import Span, did_you_mean, fail as err
from . import ast as A
from . import ir
from .calls import CallsMixin
from .declared import DeclaredMixin
from .ir import NodeE, retype, retype_if
from .resolve import BUILTIN_FUNCTIONS, Resolved
from .types import (BOOL, INT, NONE, UNKNOWN, AtomT, BoolT, IntT, MapT, NodeT, NoneT, OptionT,
                    RecordT, SeqT, SetT, TupleT, Type, UnknownT, assignable, contains_unknown,
                    join)


_ARITH = {"+": "add", "-": "sub", "*": "mul", "//": "floordiv", "%": "mod"}
_SETOPS = {"|": "set_union", "&": "set_inter", "-": "set_diff", "^": "set_symdiff"}
_CMP_INT = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_CMP_SET = {"<": "subset", "<=": "subseteq", ">": "supset", ">=": "supseteq"}


class ExprChecker(DeclaredMixin, CallsMixin):
    def __init__(self, resolved: Resolved):
        self.r = resolved
        self.scopes: list[dict[str, ir.Local]] = []
        self.process: A.Process | None = None
        self.self_local: ir.Local | None = None
        self.state_ok = True       # may state variables be read here?
        self.state_why = ""        # why not, for the message
        self.init_reads = None     # (variable, keys it may read) in an initial value
        self.prime_ok = False      # inside a transition invariant
        self.priming = False       # inside e'
        self.enabled_ok = False    # may enabled(A) appear (a property, not an action)?
        self.def_stack: list[str] = []
        # Lazily computed declarations (memoised, with cycle detection).
        self._consts: dict[str, ir.ConstSym | None] = {}
        self._records: dict[str, ir.RecordSym | None] = {}
        self._vars: dict[tuple[str | None, str], ir.VarSym | None] = {}
        self._in_progress: list[tuple[str, str]] = []     # declarations being elaborated
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
                            self_local=None, prime_ok=False, priming=False, init_reads=None)

    # ---- lazily elaborated global declarations -------------------------------------

    # ---- types ----------------------------------------------------------------

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
            self._state_allowed(n, sp, self.process.name)
            var = self.var(self.process.name, n)
            key = ir.LocalRef(self.self_local.type, sp, self.self_local) \
                if self.self_local is not None else None
            return ir.VarRef(var.type, sp, var, key, self.priming)
        if n in self.r.vars:
            self._state_allowed(n, sp)
            var = self.var(None, n)
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
        if n in self.r.enums:               # an enum used as a value: the set of its members
            t = AtomT(n)
            return ir.SetLitE(SetT(t), sp, tuple(ir.AtomC(t, sp, n, m.name)
                                                 for m in self.r.enums[n].members))
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
        if n == "bool" and n not in self.r.consts:
            # the set {false, true}: `var b in bool`, `[Node -> bool]`
            return ir.SetLitE(SetT(BOOL), sp, (ir.BoolC(BOOL, sp, False), ir.BoolC(BOOL, sp, True)))
        if n in ("int", "nat"):
            err("SL402", f"'{n}' is not a finite domain", sp,
                hint="quantify over a range such as 0..N or a constant set")
        if n in BUILTIN_FUNCTIONS:
            err("SL304", f"'{n}' is a function; call it as {n}(...)", sp)
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

    def _state_allowed(self, n: str, sp: Span, process: str | None = None):
        if self.init_reads is not None and self.state_ok:
            me, allowed = self.init_reads
            if (process, n) not in allowed:
                what = "itself" if me == n else f"'{n}', which is declared after it"
                err("SL210", f"initial value of '{me}' reads {what}", sp,
                    hint="an initial value may read only the variables declared before it")
            return
        if not self.state_ok:
            err("SL303", f"{self.state_why} cannot depend on state variable '{n}'", sp)

    def _recursive_call(self, d: A.Def, args: tuple[ir.E, ...], sp: Span) -> ir.E:
        """A call of `d` inside its own expansion: a recursive call, evaluated with a
        depth bound; it needs declared parameter types and a declared return type."""
        chain = " -> ".join(self.def_stack[self.def_stack.index(d.name):] + [d.name])
        if not d.params or d.ret_type is None or any(p.type is None for p in d.params):
            err("SL205", f"definition '{d.name}' refers to itself ({chain}) but does not "
                         f"declare its parameter types and return type", d.span,
                hint=f"a recursive definition is typed in full, e.g. "
                     f"`def {d.name}(x: int): int = ...`")
        with self.closed(f"the return type of '{d.name}'"):
            rt = self.static_type(d.ret_type)
        coerced = []
        for p, a in zip(d.params, args):
            with self.closed(f"the type of parameter '{p.name}'"):
                pt = self.static_type(p.type)
            self._recursive_type_ok(d, pt, p.type.span)
            coerced.append(self.coerce(a, pt, f"argument '{p.name}' of '{d.name}'", a.span))
        self._recursive_type_ok(d, rt, d.ret_type.span)
        hits = self.__dict__.setdefault("_recursive_hits", {})
        hits[d.name] = hits.get(d.name, 0) + 1
        return ir.RecCall(rt, sp, d.name, tuple(coerced))

    def _recursive_type_ok(self, d: A.Def, t, span: Span) -> None:
        """Values of a recursive definition's parameters and result are passed between
        calls as they are: only types whose values have one representation."""
        def ok(t) -> bool:
            if isinstance(t, (BoolT, IntT, AtomT, RecordT)):
                return True
            if isinstance(t, SetT):
                return isinstance(t.elem, (BoolT, IntT, AtomT))
            if isinstance(t, (SeqT, OptionT)):
                return ok(t.elem)
            if isinstance(t, TupleT):
                return all(ok(x) for x in t.items)
            if isinstance(t, MapT):
                return isinstance(t.key, (BoolT, AtomT)) and ok(t.value)
            return False
        if not ok(t):
            err("SL303", f"recursive definition '{d.name}' cannot take or return a {t}", span,
                hint="parameters and results of recursive definitions are integers, "
                     "booleans, model values, enums, records, sets of those, and "
                     "sequences, tuples, options and maps (not over integers) of them")

    def expand_def(self, d: A.Def, args: tuple[ir.E, ...], sp: Span) -> ir.E:
        if d.name in self.def_stack:
            return self._recursive_call(d, args, sp)
        hits = self.__dict__.setdefault("_recursive_hits", {})
        hits_before = hits.get(d.name, 0)
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
        if hits.get(d.name, 0) > hits_before:
            return ir.RecCall(body.type, sp, d.name, tuple(a for _, a in locals_),
                              tuple(l for l, _ in locals_), body)
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

    def _FunSet(self, e):
        dom = self.set_domain(e.domain, "the domain of a function set [S -> T]")
        cod = self.set_domain(e.codomain, "the codomain of a function set [S -> T]")
        return ir.Op(SetT(MapT(dom.type.elem, cod.type.elem)), e.span, "fun_set", (dom, cod))

    def _SetLit(self, e):
        items = tuple(self.infer(x) for x in e.items)
        t = self._elems_join(items, "set", e.span)
        items = tuple(self.coerce(i, t, "a set element", i.span) for i in items)
        return ir.SetLitE(SetT(t), e.span, items)

    def _MapLit(self, e):
        err("SL106", "a map literal can only update a map: m | {k: v}", e.span,
            hint="build a whole map with a comprehension: {k: value for k in Domain}")

    def _gens(self, fors: tuple[A.CompFor, ...], keep_seq: bool = False):
        """Bind comprehension generators; returns (gens, scope bindings).  With
        `keep_seq`, a generator over a sequence keeps it (and its order)."""
        gens = []
        bound: dict[str, ir.Local] = {}
        for f in fors:
            with self.scope(bound):
                dom = self.set_domain(f.domain, "a comprehension")
            if keep_seq and isinstance(dom, ir.Op) and dom.op == "seq_to_set":
                dom = dom.args[0]
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

    def _SeqComp(self, e):
        gens, bound = self._gens(e.fors, keep_seq=True)
        with self.scope(bound):
            elem = self.infer(e.elem)
        for _, wrap in reversed(gens):
            if wrap is not None:
                elem = wrap(elem)
        return ir.SeqCompE(SeqT(elem.type), e.span, elem, tuple(g for g, _ in gens))

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
                hint = None
                if isinstance(ta, SetT) and isinstance(tb, SetT) and \
                        isinstance(ta.elem, AtomT) and isinstance(tb.elem, AtomT) and \
                        ta.elem.sort in self.r.model_sorts and tb.elem.sort in self.r.model_sorts:
                    hint = ("model values of two constants are of two sorts: declare the "
                            "whole set first and the parts as its subsets, e.g. `const "
                            "Clients = {r1, w1}`, `const Readers = {r1}`")
                err("SL301", f"'{op}' between {ta} and {tb}", sp, hint=hint)
            return ir.Op(t, sp, _SETOPS[op], (retype_if(a, t), retype_if(b, t)))
        if op == "+" and isinstance(ta, SetT) and isinstance(tb, SetT):
            err("SL301", f"'+' is not defined on sets ({ta} and {tb})", sp,
                hint="use '|' for set union")
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
        err("SL303", "'T?' is a type, not a value", e.span,
            hint="'?' binds tighter than '..': an optional range is written (lo..hi)?")

    def _Slice(self, e):
        err("SL106", "a slice is only allowed inside [...]", e.span)
