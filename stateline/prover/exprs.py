"""Typed IR expressions -> symbolic values (`symbolic`), with run-time errors.

`Eval.expr(e, env)` returns the Sym of `e` in the state that `Eval.state`
reads.  Its semantics is the explicit engine's (models/codegen.py, ops.py,
sets.py): the same operators, the same left-to-right evaluation.  Whatever
would raise a run-time error there (a value outside its type, `none` used as a
value, division by zero, a map key or instance outside its domain, an empty
`choose`, a sequence index out of range) is recorded here as an error
condition: `(condition, span, message)` in `Eval.errors`, where the condition
includes `Eval.reach`, the condition under which the expression is evaluated at
all (`b` in `a and b` only when `a` holds, the body of a quantifier only for the
elements before which it has not short-circuited).

Closed subexpressions (constants, and anything over locals bound to known
values) are computed by the explicit engine's own `ExprGen`, so constants mean
the same thing in both engines by construction.
"""

from __future__ import annotations

import weakref
from contextlib import contextmanager

from ..diagnostics import Span, SpecError
from ..lang import ir
from ..lang.enabled import EnabledE
from ..lang.raising import may_raise
from ..models.code import NoState, Unsupported
from ..models.domains import DAtom, DBool, DInt, DOption, DSet, Dom
from .ops import OpsMixin
from .symbolic import (NOT_CONST, SBits, SList, SMap, SNet, SOpt, SSeq, STup, Unencodable, as_bits,
                       const_value, default, elements, eq, ite, lift, select,
                       sorted_universe, universe)
from .terms import FALSE, TRUE, And, If, Int, Not, Or, is_false, is_true

_closure: "weakref.WeakKeyDictionary[ir.E, tuple]" = weakref.WeakKeyDictionary()


def closure(e: ir.E) -> tuple[bool, frozenset]:
    """(does `e` read state?, the locals free in `e`)."""
    info = _closure.get(e)
    if info is None:
        stateful = False
        stack = [e]
        while stack:
            n = stack.pop()
            if isinstance(n, (ir.VarRef, ir.Sent, EnabledE)):
                stateful = True
                break
            stack.extend(ir.children(n))
        info = (stateful, frozenset(ir.free_locals(e)))
        _closure[e] = info
    return info


_FOLD_NODES = {ir.ConstRef, ir.SetCompE, ir.SeqCompE, ir.MapCompE, ir.RecCall, ir.ChooseE, ir.Quant, ir.LetE,
               ir.SetLitE, ir.SeqLitE, ir.MapUpdate, ir.SeqGet, ir.SeqSlice}
_FOLD_OPS = {"subsets", "range", "set_union", "set_inter", "set_diff", "set_symdiff",
             "union_all", "seq_to_set", "keys", "values", "seq_concat", "set_min", "set_max",
             "set_sum", "len", "seq_head", "seq_tail", "seq_last", "fun_set"}


class Bound:
    """A local's binding: its Sym and, when known, its runtime value and domain."""

    __slots__ = ("sym", "value", "dom")

    def __init__(self, sym, value=NOT_CONST, dom: Dom | None = None):
        self.sym, self.value, self.dom = sym, value, dom


class Eval(OpsMixin):
    def __init__(self, enc, state):
        self.enc = enc                  # the Encoding: system, domains, fold cache
        self.system = enc.system
        self.ctx = enc.system.context
        self.gen = self.ctx.gen
        self.state = state              # .read(slot, primed) -> Sym, .network(primed) -> SNet
        self.reach = TRUE
        self.errors: list[tuple] = []   # (condition, span, message)

    # ---- reach and errors --------------------------------------------------------------

    @contextmanager
    def under(self, cond):
        old = self.reach
        self.reach = And(old, cond)
        try:
            yield
        finally:
            self.reach = old

    def error(self, bad, span: Span, message: str):
        cond = And(self.reach, bad)
        if not is_false(cond):
            self.errors.append((cond, span, message))

    def unsupported(self, what: str, span: Span):
        raise Unencodable(what, span)

    # ---- domains -------------------------------------------------------------------------

    def dom(self, t) -> Dom:
        return self.enc.dom_of_type(t)

    def bind(self, sym, t=None, dom: Dom | None = None, value=NOT_CONST) -> Bound:
        dom = dom or self.dom(t)
        if value is NOT_CONST:
            value = const_value(sym, dom)
        return Bound(sym, value, dom)

    # ---- expressions -----------------------------------------------------------------------

    def expr(self, e: ir.E, env: dict):
        # Closed set-valued and quantified expressions are computed by the explicit
        # engine's ExprGen; small scalar ones fold on their own as their terms are built.
        t = type(e)
        if t in _FOLD_NODES or (t is ir.Op and e.op in _FOLD_OPS):
            folded = self.fold(e, env)
            if folded is not None:
                return folded
        method = getattr(self, "_" + t.__name__, None)
        if method is None:
            raise Unencodable(f"this kind of expression ({t.__name__})", e.span)
        return method(e, env)

    def fold(self, e: ir.E, env: dict):
        """The value of `e` if it depends on nothing but known values, else None."""
        stateful, free = closure(e)
        if stateful:
            return None
        values = []
        for local in free:
            b = env.get(local)
            if b is None or b.value is NOT_CONST:
                return None
            values.append((local, b))
        key = (id(e),) + tuple((local.uid, b.value) for local, b in values)
        cache = self.enc.fold_cache
        if key in cache:
            hit = cache[key]
            if hit[0] is e:
                return hit[1]
        codes = {local: self.gen.constant(b.value, b.dom) for local, b in values}
        try:
            code = self.gen.expr(e, codes, NoState())
        except (Unsupported, SpecError):
            code = None
        result = lift(code.value, code.dom) if code is not None and code.const else None
        cache[key] = (e, result)
        return result

    def boolean(self, e: ir.E, env: dict):
        return self.expr(e, env)

    def _LocalRef(self, e, env):
        try:
            return env[e.local].sym
        except KeyError:
            raise Unencodable(f"local '{e.local.name}' outside its scope", e.span) from None

    def _IntC(self, e, env):
        return Int(e.value)

    def _BoolC(self, e, env):
        return TRUE if e.value else FALSE

    def _NoneC(self, e, env):
        d = self.dom(e.type)
        return default(d) if isinstance(d, DOption) else SOpt(FALSE, FALSE)

    def _ConstRef(self, e, env):
        value, dom = self.ctx.const_value(e.name)
        return lift(value, dom)

    def _AtomC(self, e, env):
        dom = self.ctx.atom_dom(e.sort)
        if e.name not in dom.names:
            raise Unencodable(f"'{e.name}' is not a value of {e.sort} in this instance", e.span)
        return Int(dom.names.index(e.name))

    def _VarRef(self, e, env):
        lay = self.enc.layout(e.var)
        proc = lay.process
        if proc is None or proc.single:
            return self.state.read(lay.base, e.primed)
        key = self.expr(e.key, env)
        kv = const_value(key, proc.instance_dom)
        if kv is not NOT_CONST:
            if kv in proc.instances:
                return self.state.read(lay.base + proc.instances.index(kv), e.primed)
            self.error(TRUE, e.span, f"instance of {proc.name}: not an instance")
            return default(lay.dom)
        options = [(eq(key, lift(inst, proc.instance_dom)),
                    self.state.read(lay.base + i, e.primed))
                   for i, inst in enumerate(proc.instances)]
        self.error(Not(Or(*(c for c, _ in options))), e.span,
                   f"instance of {proc.name}: not an instance")
        return select(options[:-1], options[-1][1])

    def _NodeE(self, e, env):
        raise Unencodable("a process instance outside 'send ... to'", e.span)

    def _FieldGet(self, e, env):
        base = self.expr(e.base, env)
        if isinstance(base, SOpt):
            base = self.unwrap(base, e.span)
        return base.items[e.index]

    def _TupleGet(self, e, env):
        return self.expr(e.base, env).items[e.index]

    def _MapGet(self, e, env):
        m = self.expr(e.base, env)
        k = self.expr(e.key, env)
        return self.map_get(m, k, e.span)

    def map_get(self, m: SMap, k, span: Span):
        return select(*self.map_slot(m, k, span, m.entries))

    def map_slot(self, m: SMap, k, span: Span, entries):
        """(options, fallback) to select the entry of key `k` (with the key error)."""
        kd = m.key
        kv = const_value(k, kd)
        if kv is not NOT_CONST:
            if kd.contains(kv):
                return [], entries[kd.index(kv)]
            self.error(TRUE, span, f"map key {kd.show(kv) if _showable(kd, kv) else kv} is "
                                   f"outside {kd.describe()}")
            return [], entries[0]
        keys = kd.values()
        options = [(eq(k, lift(key, kd)), x) for key, x in zip(keys, entries)]
        if not isinstance(kd, (DAtom, DBool)):
            self.error(Not(Or(*(c for c, _ in options))), span,
                       f"map key is outside {kd.describe()}")
        return options[:-1], options[-1][1]

    def _SeqGet(self, e, env):
        s = self.expr(e.base, env)
        i = self.expr(e.index, env)
        idx = self.seq_index(s, i, e.span)
        return select([(idx == j, x) for j, x in enumerate(s.items[:-1])],
                      s.items[-1] if s.items else SOpt(FALSE, FALSE))

    def seq_index(self, s: SSeq, i, span: Span):
        """The position `i` denotes in `s` (negative from the end), with the range error."""
        self.error(Or(i >= s.length, i < -s.length), span,
                   "sequence index is out of range")
        return If(i >= 0, i, s.length + i)

    def _SeqSlice(self, e, env):
        s = self.expr(e.base, env)
        n = s.length

        def bound(x, dflt):
            if x is None:
                return dflt
            v = self.expr(x, env)
            v = If(v < 0, v + n, v)
            return If(v < 0, Int(0), If(v > n, n, v))

        lo, hi = bound(e.lo, Int(0)), bound(e.hi, n)
        length = If(hi > lo, hi - lo, Int(0))
        items = []
        for j in range(len(s.items)):
            pos = lo + j
            items.append(select([(pos == k, x) for k, x in enumerate(s.items)], s.items[-1]))
        return SSeq(length, tuple(items))

    def _IfE(self, e, env):
        c = self.expr(e.cond, env)
        with self.under(c):
            a = self.expr(e.then, env)
        with self.under(Not(c)):
            b = self.expr(e.orelse, env)
        return ite(c, a, b)

    def _LetE(self, e, env):
        v = self.expr(e.value, env)
        return self.expr(e.body, {**env, e.local: self.bind(v, e.local.type)})

    # ---- sets and quantifiers ----------------------------------------------------------------

    def members(self, s, local: ir.Local):
        """(guard, Bound) for each possible element of set `s`, bound to `local`."""
        edom = self.dom(local.type)
        out = []
        for g, x, u in elements(s):
            if u is not None:
                out.append((g, Bound(x, u, s.univ.dom)))
            else:
                out.append((g, self.bind(x, dom=edom)))
        return out

    def _Quant(self, e, env):
        d = self.expr(e.domain, env)
        exists = e.kind == "exists"
        raising = may_raise(e.body)
        parts, prefix = [], TRUE
        for g, b in self.members(d, e.local):
            with self.under(And(prefix, g) if raising else g):
                body = self.expr(e.body, {**env, e.local: b})
            part = And(g, body) if exists else Or(Not(g), body)
            parts.append(part)
            if raising:
                prefix = And(prefix, Not(part) if exists else part)
            if exists and is_true(part) or not exists and is_false(part):
                break
        return Or(*parts) if exists else And(*parts)

    def _ChooseE(self, e, env):
        d = self.expr(e.domain, env)
        edom = self.dom(e.local.type)
        if isinstance(d, SList):
            u = universe(edom)
            if u is not None:
                d = as_bits(d, u)
            elif isinstance(edom, DInt):
                return self.choose_min(d, e, env)
            else:
                raise Unencodable("'choose' over a set whose elements have no finite "
                                  "universe", e.span)
        positions = list(range(len(d.univ)))
        if not DSet(d.univ.dom).mask:
            positions = sorted_universe(d.univ)
        options, found = [], []
        prefix = TRUE
        for i in positions:
            g = d.bits[i]
            if is_false(g):
                continue
            b = Bound(d.univ.lifted[i], d.univ.values[i], d.univ.dom)
            with self.under(And(prefix, g)):
                c = self.expr(e.cond, {**env, e.local: b})
            hit = And(g, c)
            options.append((And(prefix, hit), b.sym))
            found.append(hit)
            prefix = And(prefix, Not(hit))
            if is_true(hit):
                break
        self.error(Not(Or(*found)), e.span, "choose: no element satisfies the condition")
        return select(options, default(d.univ.dom))

    def choose_min(self, d: SList, e, env):
        """`choose` over guarded ints: the least element satisfying the condition."""
        cands = []
        for g, x in d.items:
            b = self.bind(x, dom=DInt())
            with self.under(g):
                c = self.expr(e.cond, {**env, e.local: b})
            cands.append((And(g, c), x))
        options = []
        for i, (ci, xi) in enumerate(cands):
            least = And(*(Or(Not(cj), xi <= xj) for j, (cj, xj) in enumerate(cands) if j != i))
            options.append((And(ci, least), xi))
        self.error(Not(Or(*(c for c, _ in cands))), e.span,
                   "choose: no element satisfies the condition")
        return select(options, Int(0))

    def _SetLitE(self, e, env):
        items = tuple((TRUE, self.expr(x, env)) for x in e.items)
        return self.set_of(SList(items), e.type)

    def set_of(self, s, t):
        """A set in the representation of its static type (bits when it has a universe)."""
        u = universe(self.dom(t).elem)
        if u is not None and isinstance(s, SList):
            return as_bits(s, u)
        return s

    def _SetCompE(self, e, env):
        out = []

        def gen(i, env, guard):
            if i == len(e.gens):
                with self.under(guard):
                    out.append((guard, self.expr(e.elem, env)))
                return
            g = e.gens[i]
            with self.under(guard):
                dom = self.expr(g.domain, env)
            for mg, b in self.members(dom, g.local):
                inner = {**env, g.local: b}
                cond = And(guard, mg)
                if g.cond is not None:
                    with self.under(cond):
                        cond = And(cond, self.expr(g.cond, inner))
                if not is_false(cond):
                    gen(i + 1, inner, cond)

        gen(0, env, TRUE)
        return self.set_of(SList(tuple(out)), e.type)

    def _RecCall(self, e, env):
        # A call whose arguments are known is computed (folded) before this is reached.
        raise Unencodable(f"a call of recursive definition '{e.name}' whose arguments or "
                          f"body depend on the state", e.span)

    def _SeqCompE(self, e, env):
        # A constant one is folded to its value before this is reached.
        raise Unencodable("a sequence comprehension that depends on the state", e.span)

    def _MapCompE(self, e, env):
        d = self.expr(e.domain, env)
        ddom = self.dom(e.domain.type)
        dv = const_value(d, ddom)
        if dv is NOT_CONST:
            raise SpecError(_diag("SL402", "a map comprehension must range over a constant "
                                           "domain", e.domain.span))
        key_dom = self.gen.key_domain(self.gen.constant(dv, ddom), e.domain.span)
        entries = tuple(self.expr(e.value, {**env, e.local: Bound(lift(k, key_dom), k, key_dom)})
                        for k in key_dom.values())
        return SMap(key_dom, entries, None)

    def _MapUpdate(self, e, env):
        m = self.expr(e.base, env)
        entries = list(m.entries)
        for k, v in e.updates:
            kv = self.expr(k, env)
            vv = self.expr(v, env)
            if m.vdom is not None:
                vv = self.checked(vv, m.vdom, v.span, "map value")
            options, _ = self.map_slot(m, kv, k.span, entries)
            kd = m.key
            kc = const_value(kv, kd)
            if kc is not NOT_CONST:
                if kd.contains(kc):
                    entries[kd.index(kc)] = vv
                continue
            entries = [ite(eq(kv, lift(key, kd)), vv, x) for key, x in zip(kd.values(), entries)]
        return SMap(m.key, tuple(entries), m.vdom)

    # ---- records, tuples, sequences -------------------------------------------------------------

    def _TupleE(self, e, env):
        return STup(tuple(self.expr(x, env) for x in e.items))

    def _SeqLitE(self, e, env):
        items = tuple(self.expr(x, env) for x in e.items)
        return SSeq(Int(len(items)), items)

    def _RecordE(self, e, env):
        rec = self.ctx.records[e.record]
        fields = []
        for f, (fname, fdom) in zip(e.fields, rec.fields):
            v = self.expr(f, env)
            fields.append(self.checked(v, fdom, f.span, f"field '{fname}'"))
        return STup(tuple(fields), rec)

    def _RecordUpdate(self, e, env):
        base = self.expr(e.base, env)
        if isinstance(base, SOpt):
            base = self.unwrap(base, e.span)
        rec = self.ctx.records[e.type.name]
        items = list(base.items)
        for i, v in e.updates:
            fname, fdom = rec.fields[i]
            items[i] = self.checked(self.expr(v, env), fdom, v.span, f"field '{fname}'")
        return STup(tuple(items), rec)

    def _EnabledE(self, e, env):
        from .enabled import enabled_term        # (it reads the encoding's instances)
        return enabled_term(self, e, env)

    def _Sent(self, e, env):
        return self.sent(self.state.network(e.primed), e.message)

    def sent(self, net: SNet, message: str) -> SBits:
        rec = self.ctx.records[message]
        base = net.dom.bases[rec.tag]
        if net.senders:
            cells = tuple(Or(*(c > 0 for c in net.copies(base + i))) for i in range(rec.size))
        else:
            cells = net.cells[base:base + rec.size]
            if net.counts:
                cells = tuple(c > 0 for c in cells)
        return SBits(universe(rec), tuple(cells))

    # ---- checks against declared domains ----------------------------------------------------------

    def unwrap(self, v, span: Span):
        if not isinstance(v, SOpt):
            return v
        self.error(Not(v.some), span, "none used where a value is required")
        return v.val

    def checked(self, v, target: Dom, span: Span, what: str):
        """`v` in the canonical form of `target`, recording the error if it lies outside."""
        self.error(Not(self.enc.contains(v, target)), span,
                   f"{what}: the value is outside {target.describe()}")
        return self.enc.conform(v, target)


def _showable(dom, v) -> bool:
    try:
        return dom.contains(v)
    except Exception:
        return False


def _diag(code, message, span):
    from ..diagnostics import Diagnostic
    return Diagnostic(code, message, span)

