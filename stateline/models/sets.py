"""Sets, quantifiers and comprehensions -> Python source (a mixin of `ExprGen`).

Bitmask sets get their specialisations here: members are decoded from a
universe table, a quantifier or filter whose condition depends only on the
bound element becomes one `&` with a mask computed at compile time, and
quantifiers over small constant domains are unrolled.
"""

from __future__ import annotations

from ..diagnostics import Span, fail as spec_fail
from ..lang import ir
from ..lang.raising import may_raise
from .code import Code, NoState, Unsupported
from .domains import DAtom, DBool, DInt, DMap, DSeq, DSet, Dom, dom_rng, sort_key

UNROLL_QUANT = 16      # quantifiers over constant domains up to this size are unrolled ...
UNROLL_NESTED = 256    # ... while the copies of the innermost body, nested, stay this few
PRED_LIMIT = 512       # universes up to this size get compile-time predicate masks


class SetsMixin:
    def iterate(self, d: Code, ordered: bool = False) -> str:
        """An iterable over the members of set `d` (canonical order if `ordered`)."""
        dom = d.dom
        if d.interval is None and d.const and isinstance(dom, DSet) and dom.ints and d.value:
            lo, hi = dom.bounds(d.value)
            if dom.count(d.value) == hi - lo + 1:       # a constant lo..hi: no members list
                return f"range({lo}, {hi + 1})"
        if d.interval is not None:
            src = f"range({d.interval[0]}, {d.interval[1]} + 1)"
        elif isinstance(dom, DSet) and dom.mask:
            if isinstance(dom.elem, DInt):
                src = f"_rt.int_members({d.src})"
            else:
                src = f"_rt.members({d.src}, {self.table(dom.elem)})"
        elif ordered:
            src = f"sorted({d.src}, key={self.register(sort_key, 'F')})"
        else:
            src = d.src
        return src

    def members(self, d: Code) -> list:
        """The members of a constant set, in canonical order."""
        return d.dom.members(d.value)

    def element_mask(self, local: ir.Local, body: ir.E, elem_dom: Dom, env, view) -> int | None:
        """Bitmask of universe elements satisfying `body`, if it depends on nothing else."""
        if elem_dom.size is None or elem_dom.size > PRED_LIMIT or \
                self.unrolled * elem_dom.size > UNROLL_NESTED * PRED_LIMIT or \
                not self.closed(body, env, but=local):
            return None
        mask = 0
        self.unrolled *= max(elem_dom.size, 1)
        try:
            for u in elem_dom.values():
                try:
                    c = self.expr(body, {**env, local: self.constant(u, elem_dom)}, NoState())
                except Unsupported:
                    return None
                if not c.const:
                    return None
                if c.value:
                    mask |= 1 << elem_dom.bit(u)
        finally:
            self.unrolled //= max(elem_dom.size, 1)
        return mask

    def masked(self, d: Code, mask: int) -> Code:
        """The subset of bitmask set `d` selected by a constant mask."""
        if d.const:
            return self.constant(d.value & mask, d.dom)
        if d.netbase is not None:
            net, base = d.netbase
            return Code(f"(({net} & {self.big(mask << base)}) >> {base})", d.dom)
        return Code(f"({d.src} & {self.big(mask)})", d.dom)

    def big(self, n: int) -> str:
        """An int constant: a literal when small, a module-level name otherwise."""
        return repr(n) if n.bit_length() <= 60 else self.register(n, "M")

    def _any_in(self, d: Code, mask: int) -> Code:
        """`d & mask != 0` without shifting a network slice back."""
        if d.netbase is not None and not d.const:
            net, base = d.netbase
            return Code(f"(({net} & {self.big(mask << base)}) != 0)", DBool())
        m = self.masked(d, mask)
        return self.make(f"({m.src} != 0)", DBool(), [m])

    def _Quant(self, e, env, view):
        d = self.expr(e.domain, env, view)
        dom = d.dom
        is_exists = e.kind == "exists"
        if d.const:
            count = dom.count(d.value)
            if count <= UNROLL_QUANT and self.unrolled * count <= UNROLL_NESTED:
                self.unrolled *= max(count, 1)
                try:
                    parts = [self.expr(e.body, {**env, e.local: self.constant(u, dom.elem)},
                                       view) for u in self.members(d)]
                finally:
                    self.unrolled //= max(count, 1)
                raising = may_raise(e.body)
                return self.junction("or" if is_exists else "and", parts, [raising] * len(parts))
        if isinstance(dom, DSet) and dom.mask:
            split = self.split_body(e, dom.elem, env, view)
            if split is not None:
                kind, mask, rest = split
                if kind == "all":           # the whole body depends on the element only
                    if is_exists:
                        return self._any_in(d, mask)
                    full = self.universe_mask(dom.elem)
                    return self.negate(self._any_in(d, full & ~mask))
                if kind == "filter":        # exists: P and R / forall: P implies R
                    d = self.masked(d, mask)
                elif kind == "exclude":     # forall: P or R: only elements where P fails
                    d = self.masked(d, self.universe_mask(dom.elem) & ~mask)
                if rest is None:
                    return self.nonempty(d) if is_exists else self.constant(True, DBool())
                return self.loop_quant(is_exists, e.local, d, rest, env, view)
        return self.loop_quant(is_exists, e.local, d, e.body, env, view)

    def split_body(self, e: ir.Quant, elem_dom: Dom, env, view):
        """Separate the part of a quantifier body that depends on the element only."""
        whole = self.element_mask(e.local, e.body, elem_dom, env, view)
        if whole is not None:
            return ("all", whole, None)
        body = e.body
        if e.kind == "exists" and isinstance(body, ir.Op) and body.op == "and":
            fixed, rest = self._partition(e.local, body.args, elem_dom, env, view, "and")
            if fixed is not None:
                return ("filter", fixed, _conj(rest, body))
        if e.kind == "forall" and isinstance(body, ir.Op) and body.op == "implies":
            m = self.element_mask(e.local, body.args[0], elem_dom, env, view)
            if m is not None:
                return ("filter", m, body.args[1])
        if e.kind == "forall" and isinstance(body, ir.Op) and body.op == "or":
            fixed, rest = self._partition(e.local, body.args, elem_dom, env, view, "or")
            if fixed is not None:
                return ("exclude", fixed, _disj(rest, body))
        return None

    def _partition(self, local, args, elem_dom, env, view, op):
        fixed, rest = None, []
        for a in args:
            m = self.element_mask(local, a, elem_dom, env, view)
            if m is None:
                rest.append(a)
            elif fixed is None:
                fixed = m
            else:
                fixed = fixed & m if op == "and" else fixed | m
        return fixed, rest

    def loop_quant(self, is_exists: bool, local: ir.Local, d: Code, body: ir.E, env, view):
        elem = d.dom.elem
        b = self.expr(body, {**env, local: Code(local.py, elem, rng=dom_rng(elem))}, view)
        if b.const:
            if b.value == is_exists:    # exists x: true  /  forall x: false
                nonempty = self.nonempty(d)
                return nonempty if is_exists else self.negate(nonempty)
            return self.constant(not is_exists, DBool())
        fn = "any" if is_exists else "all"
        return Code(f"{fn}({b.src} for {local.py} in {self.iterate(d)})", DBool())

    def nonempty(self, d: Code) -> Code:
        if isinstance(d.dom, DSet) and d.dom.mask:
            return self.make(f"({d.src} != 0)", DBool(), [d])
        return self.make(f"(len({d.src}) != 0)", DBool(), [d])

    def negate(self, c: Code) -> Code:
        if c.const:
            return self.constant(not c.value, DBool())
        return Code(f"(not {c.src})", DBool())

    def junction(self, op: str, parts: list[Code], raising: list[bool] | None = None) -> Code:
        """`and`/`or` of parts, left to right, with constant folding.

        A constant part that decides the result drops the parts after it; the
        parts before it are still evaluated if they may raise a run-time error
        (`raising[i]`), as left-to-right evaluation would.
        """
        keep, keep_raising = [], False
        for i, p in enumerate(parts):
            if p.const:
                if (op == "and" and not p.value) or (op == "or" and p.value):
                    if keep_raising:
                        return Code("(" + f" {op} ".join([k.src for k in keep] + [p.src]) + ")",
                                    DBool())
                    return self.constant(p.value, DBool())
                continue
            keep.append(p)
            keep_raising = keep_raising or (raising is None or raising[i])
        if not keep:
            return self.constant(op == "and", DBool())
        if len(keep) == 1:
            return keep[0]
        return Code("(" + f" {op} ".join(p.src for p in keep) + ")", DBool())

    def _ChooseE(self, e, env, view):
        d = self.expr(e.domain, env, view)
        elem = d.dom.elem
        cond = self.expr(e.cond, {**env, e.local: Code(e.local.py, elem, rng=dom_rng(elem))}, view)
        site = self.site(e.span)
        gen = f"({e.local.py} for {e.local.py} in {self.iterate(d, ordered=True)}" + \
            ("" if cond.const and cond.value else f" if {cond.src}") + ")"
        if cond.const and not cond.value:
            gen = "()"
        return self.make(f"_rt.choose({gen}, {site})", elem, [d] + ([cond] if cond.const else
                                                                       [Code("x", DBool())]))

    def _SetCompE(self, e, env, view):
        dom = self.dom_of_type(e.type)
        first = None        # the first domain, compiled once (nested comprehensions)
        if len(e.gens) == 1 and isinstance(e.elem, ir.LocalRef) and \
                e.elem.local is e.gens[0].local:
            g = e.gens[0]
            d = first = self.expr(g.domain, env, view)
            if isinstance(d.dom, DSet) and d.dom.mask and not d.dom.ints and d.dom == dom:
                if g.cond is None:
                    return d
                m = self.element_mask(g.local, g.cond, d.dom.elem, env, view)
                if m is not None:
                    return self.masked(d, m)
                cond = self.expr(g.cond, {**env, g.local: Code(g.local.py, d.dom.elem)}, view)
                it = f"_rt.bit_items({d.src}, {self.table(d.dom.elem)})"
                return self.make(f"_rt.or_bits(_i for _i, {g.local.py} in {it} if {cond.src})",
                                 dom, [d, cond])
        clauses, parts, inner = self._generators(e.gens, env, view, first)
        elem = self.expr(e.elem, inner, view)
        parts.append(elem)
        body = " ".join(clauses)
        if dom.mask:
            src = f"_rt.or_bits({self.bit(elem, dom.elem)} {body})"
        else:
            src = f"frozenset({elem.src} {body})"
        return self.make(src, dom, parts)

    def _generators(self, gens, env, view, first=None, ordered: bool = False):
        """The `for x in S if P` clauses of a comprehension: (clauses, parts, the
        environment with the generators' variables).  `first`: the first domain, already
        compiled; `ordered`: a sequence comprehension (a sequence keeps its order, a set
        goes in canonical order)."""
        clauses, parts, inner = [], [], dict(env)
        for i, g in enumerate(gens):
            d = first if i == 0 and first is not None else self.expr(g.domain, inner, view)
            parts.append(d)
            inner[g.local] = Code(g.local.py, d.dom.elem, rng=dom_rng(d.dom.elem))
            src = d.src if ordered and isinstance(d.dom, DSeq) else \
                self.iterate(d, ordered=True) if ordered else self.iterate(d)
            clause = f"for {g.local.py} in {src}"
            if g.cond is not None:
                c = self.expr(g.cond, inner, view)
                parts.append(c)
                clause += f" if {c.src}"
            clauses.append(clause)
        return clauses, parts, inner

    def _SeqCompE(self, e, env, view):
        clauses, parts, inner = self._generators(e.gens, env, view, ordered=True)
        elem = self.expr(e.elem, inner, view)
        parts.append(elem)
        edom = DInt() if isinstance(elem.dom, DInt) else elem.dom
        return self.make(f"tuple({elem.src} {' '.join(clauses)})", DSeq(edom), parts)

    def _MapCompE(self, e, env, view):
        d = self.expr(e.domain, env, view)
        if not d.const:
            spec_fail("SL402", "a map comprehension must range over a constant domain",
                      e.domain.span)
        key_dom = self.key_domain(d, e.domain.span)
        keys = key_dom.values()
        values = [self.expr(e.value, {**env, e.local: self.constant(k, key_dom)}, view)
                  for k in keys]
        vdom = values[0].dom if values else self.dom_of_type(e.type.value)
        if all(isinstance(v.dom, DInt) for v in values) and values:
            vdom = DInt()
        src = "(" + "".join(v.src + ", " for v in values) + ")"
        return self.make(src, DMap(key_dom, vdom), values)

    def key_domain(self, d: Code, span: Span) -> Dom:
        elems = self.members(d)
        edom = d.dom.elem
        if isinstance(edom, (DAtom, DBool)) and len(elems) == edom.size:
            return edom
        if isinstance(edom, DInt) and elems and elems == list(range(elems[0], elems[-1] + 1)):
            return DInt(elems[0], elems[-1])
        if edom.size is not None and len(elems) == edom.size:
            return edom
        spec_fail("SL402", "a map's keys must be a whole domain: all values of an enum or a "
                           "model-value set, or an integer range lo..hi", span)


def _conj(args, like: ir.E):
    if not args:
        return None
    if len(args) == 1:
        return args[0]
    return ir.Op(like.type, like.span, "and", tuple(args))


def _disj(args, like: ir.E):
    if not args:
        return None
    if len(args) == 1:
        return args[0]
    return ir.Op(like.type, like.span, "or", tuple(args))
