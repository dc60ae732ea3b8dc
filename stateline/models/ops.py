"""Primitive operators of the IR -> Python source (a mixin of `ExprGen`).

Each operator is written once here, for both set representations (bitmask
and frozenset); integer ranges are propagated through `+`, `-` and friends so
that assignments whose value provably fits skip their run-time range check.
"""

from __future__ import annotations

from ..diagnostics import fail as spec_fail
from ..lang import ir, unions
from ..lang.raising import may_raise
from . import runtime
from .code import Code
from .domains import DBool, DInt, DMap, DOption, DSeq, DSet, sort_key

_ARITH = {"add": "+", "sub": "-", "mul": "*"}
_CMP = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_MASK_SET = {"set_union": "|", "set_inter": "&", "set_symdiff": "^"}
_FROZEN_SET = {"set_union": "|", "set_inter": "&", "set_diff": "-", "set_symdiff": "^"}
# Python operators by precedence level (each level is left-associative)
_RUN = {"+": "+-", "-": "+-", "*": "*", "|": "|", "&": "&", "^": "^"}
# A constant range lo..hi with more elements than this stays an interval (iterated with
# range(), tested with lo <= x <= hi) instead of becoming a bitmask at compile time.
LAZY_RANGE = 1 << 22


def _add_rng(op: str, a, b):
    if not (a and b):
        return None
    if op == "add":
        return (a[0] + b[0], a[1] + b[1])
    if op == "sub":
        return (a[0] - b[1], a[1] - b[0])
    products = [x * y for x in a for y in b]
    return (min(products), max(products))


class OpsMixin:
    def _Op(self, e: ir.Op, env, view) -> Code:
        op = e.op
        if op == "and" or op == "or":
            return self._junction_lazy(op, e.args, env, view)
        if op == "implies":
            a = self.expr(e.args[0], env, view)
            if a.const:
                return self.expr(e.args[1], env, view) if a.value else \
                    self.constant(True, DBool())
            b = self.expr(e.args[1], env, view)
            return self.junction("or", [self.negate(a), b], [may_raise(x) for x in e.args])
        args = []
        for a in e.args:            # (a loop, not a comprehension: one frame less per level)
            args.append(self.expr(a, env, view))
        return getattr(self, "_op_" + op)(e, args)

    def _junction_lazy(self, op, args, env, view) -> Code:
        parts, raising = [], []
        for a in args:
            c = self.expr(a, env, view)
            parts.append(c)
            raising.append(may_raise(a))
            if c.const and (c.value if op == "or" else not c.value):
                break                       # the rest is never evaluated
        return self.junction(op, parts, raising)

    # ---- integers -------------------------------------------------------------------

    def binary(self, a: Code, op: str, b: Code, dom, rng=None) -> Code:
        """`(a op b)`; when `a` is a run of operators of op's precedence, the same run
        one operand longer, so that `x + 1 + 2 + ...` compiles without nesting."""
        run = _RUN[op]
        left = a.src[:-1] if a.run == run and not a.const else f"({a.src}"
        code = self.make(f"{left} {op} {b.src})", dom, [a, b], rng)
        if not code.const:
            code.run = run
        return code

    def _arith(self, e, args):
        a, b = args
        rng = _add_rng(e.op, a.rng, b.rng)
        return self.binary(a, _ARITH[e.op], b, DInt(), rng)

    _op_add = _op_sub = _op_mul = _arith

    def _op_floordiv(self, e, args):
        a, b = args
        if b.const and b.value != 0:
            return self.make(f"({a.src} // {b.src})", DInt(), args)
        return self.make(f"_rt.floordiv({a.src}, {b.src}, {self.site(e.span)})", DInt(), args)

    def _op_mod(self, e, args):
        a, b = args
        if b.const and b.value != 0:
            rng = (0, abs(b.value) - 1) if b.value > 0 else None
            return self.make(f"({a.src} % {b.src})", DInt(), args, rng)
        return self.make(f"_rt.mod({a.src}, {b.src}, {self.site(e.span)})", DInt(), args)

    def _op_neg(self, e, args):
        (a,) = args
        rng = (-a.rng[1], -a.rng[0]) if a.rng else None
        return self.make(f"(-{a.src})", DInt(), args, rng)

    def _op_abs(self, e, args):
        return self.make(f"abs({args[0].src})", DInt(), args)

    def _op_min(self, e, args):
        rng = None
        if all(a.rng for a in args):
            rng = (min(a.rng[0] for a in args), min(a.rng[1] for a in args))
        return self.make("min(" + ", ".join(a.src for a in args) + ")", DInt(), args, rng)

    def _op_max(self, e, args):
        rng = None
        if all(a.rng for a in args):
            rng = (max(a.rng[0] for a in args), max(a.rng[1] for a in args))
        return self.make("max(" + ", ".join(a.src for a in args) + ")", DInt(), args, rng)

    # ---- comparisons and logic ---------------------------------------------------------------

    def _cmp(self, e, args):
        a, b = args
        return self.make(f"({a.src} {_CMP[e.op]} {b.src})", DBool(), args)

    _op_eq = _op_ne = _op_lt = _op_le = _op_gt = _op_ge = _cmp

    def _op_not(self, e, args):
        return self.negate(args[0])

    # ---- sets ------------------------------------------------------------------------------

    def _setop(self, e, args):
        a, b = args
        dom = self.dom_of_type(e.type)
        rng = None
        if e.op in ("set_union", "set_symdiff") and a.rng and b.rng:
            rng = (min(a.rng[0], b.rng[0]), max(a.rng[1], b.rng[1]))
        elif e.op in ("set_inter", "set_diff"):
            rng = a.rng
        if dom.mask:
            if e.op == "set_diff":
                return self.binary(a, "&", Code(f"~{b.src}", b.dom, b.const, b.value), dom, rng)
            return self.binary(a, _MASK_SET[e.op], b, dom, rng)
        return self.binary(a, _FROZEN_SET[e.op], b, dom, rng)

    _op_set_union = _op_set_inter = _op_set_diff = _op_set_symdiff = _setop

    def _subset_op(self, e, args):
        a, b = args
        if e.op in ("supseteq", "supset"):
            a, b = b, a
        strict = e.op in ("subset", "supset")
        if a.dom.mask if isinstance(a.dom, DSet) else False:
            src = f"({a.src} & ~{b.src} == 0)"
            if strict:
                src = f"({src} and {a.src} != {b.src})"
        else:
            src = f"({a.src} {'<' if strict else '<='} {b.src})"
        return self.make(src, DBool(), [a, b])

    _op_subseteq = _op_subset = _op_supseteq = _op_supset = _subset_op

    def _membership(self, x: Code, s: Code) -> Code:
        dom = s.dom
        if s.interval is not None and isinstance(x.dom, DInt):
            lo, hi = s.interval
            return self.make(f"({lo} <= {x.src} <= {hi})", DBool(), [x, s])
        if isinstance(x.dom, DOption) and isinstance(dom, DSet) and \
                not isinstance(dom.elem, DOption):
            # `none in S` is false when S cannot hold none
            if x.const:
                if x.value == ():
                    return self.constant(False, DBool())
                x = self.constant(x.value, x.dom.elem)
            else:
                inner = self._membership(Code(x.src, x.dom.elem, rng=x.rng), s)
                return self.make(f"({x.src} != () and {inner.src})", DBool(), [x, s])
        if isinstance(dom, DSet) and dom.mask:
            if x.const and s.netbase is not None:
                net, base = s.netbase
                i = dom.elem.index(x.value) + base
                return Code(f"({net} >> {i} & 1 == 1)", DBool())
            return self.make(f"({s.src} >> {self.bit(x, dom.elem)} & 1 == 1)", DBool(), [x, s])
        return self.make(f"({x.src} in {s.src})", DBool(), [x, s])

    def _op_in(self, e, args):
        return self._membership(*args)

    def _op_not_in(self, e, args):
        return self.negate(self._membership(*args))

    def _op_seq_in(self, e, args):
        x, s = args
        return self.make(f"({x.src} in {s.src})", DBool(), args)

    def _op_seq_not_in(self, e, args):
        x, s = args
        return self.make(f"({x.src} not in {s.src})", DBool(), args)

    def _op_range(self, e, args):
        a, b = args
        dom = DSet(DInt(a.value, b.value) if a.const and b.const else DInt())
        rng = (a.rng[0], b.rng[1]) if a.rng and b.rng else None
        src = f"_rt.int_range({a.src}, {b.src})"
        if a.const and b.const and b.value - a.value >= LAZY_RANGE:
            code = Code(src, dom, rng=rng)      # not built at compile time (nor folded)
        else:
            code = self.make(src, dom, args, rng)
        if not code.const:
            code.interval = (a.src, b.src)     # iterated as range(lo, hi + 1)
        return code

    def _op_len(self, e, args):
        (x,) = args
        if x.interval is not None:
            lo, hi = x.interval
            return Code(f"max(0, {hi} - {lo} + 1)", DInt())
        if isinstance(x.dom, DSet) and x.dom.mask:
            size = x.dom.elem.size
            rng = (0, size) if size is not None else None
            return self.make(f"({x.src}).bit_count()", DInt(), args, rng)
        if isinstance(x.dom, DMap):
            return self.constant(x.dom.key.size, DInt())
        rng = (0, x.dom.maxlen) if isinstance(x.dom, DSeq) and x.dom.maxlen is not None else None
        return self.make(f"len({x.src})", DInt(), args, rng)

    def _op_subsets(self, e, args):
        (x,) = args
        dom = self.dom_of_type(e.type)
        site = self.site(e.span)
        if dom.mask and x.dom.mask:
            return self.make(f"_rt.subsets_mask({x.src}, {site})", dom, args)
        if x.dom.mask:
            return self.make(f"frozenset(_rt.submasks({x.src}, {site}))", dom, args)
        return self.make(f"_rt.subsets_frozen({x.src}, {self.register(sort_key, 'F')}, "
                         f"{site})", dom, args)

    def _op_fun_set(self, e, args):
        s, t = args
        if not s.const:
            spec_fail("SL402", "the domain S of a function set [S -> T] must be a constant set",
                      e.args[0].span)
        key_dom = self.key_domain(s, e.args[0].span)
        nkeys = key_dom.size
        if t.const:
            count = t.dom.count(t.value) ** nkeys
            if count > runtime.FUN_SET_LIMIT:
                spec_fail("SL405", f"the function set has {t.dom.count(t.value):,}^{nkeys} = "
                                   f"{count:,} maps; at most {runtime.FUN_SET_LIMIT:,} are "
                                   f"enumerated", e.span)
        vdom = DInt() if isinstance(t.dom.elem, DInt) else t.dom.elem
        dom = DSet(DMap(key_dom, vdom))
        maps = f"_rt.fun_set({nkeys}, {self.iterate(t, ordered=True)}, {self.site(e.span)})"
        if dom.mask:
            return self.make(f"_rt.or_bits({self.bit(Code('_v', dom.elem), dom.elem)} "
                             f"for _v in {maps})", dom, args)
        return self.make(f"frozenset({maps})", dom, args)

    def _op_set_min(self, e, args):
        (x,) = args
        return self.make(f"_rt.set_min(_rt.int_members({x.src}), {self.site(e.span)})",
                         DInt(), args, x.rng)

    def _op_set_max(self, e, args):
        (x,) = args
        return self.make(f"_rt.set_max(_rt.int_members({x.src}), {self.site(e.span)})",
                         DInt(), args, x.rng)

    def _op_set_sum(self, e, args):
        return self.make(f"sum(_rt.int_members({args[0].src}))", DInt(), args)

    def _op_values(self, e, args):
        (m,) = args
        dom = self.dom_of_type(e.type)
        dom = DSet(m.dom.value) if isinstance(m.dom, DMap) else dom
        return self._to_set(m, dom, args)

    def _op_seq_to_set(self, e, args):
        (s,) = args
        dom = DSet(s.dom.elem) if isinstance(s.dom, DSeq) else self.dom_of_type(e.type)
        return self._to_set(s, dom, args)

    def _to_set(self, items: Code, dom: DSet, args) -> Code:
        if dom.mask:
            return self.make(f"_rt.or_bits({self.bit(Code('_v', dom.elem), dom.elem)} "
                             f"for _v in {items.src})", dom, args)
        return self.make(f"frozenset({items.src})", dom, args)

    def _op_union_all(self, e, args):
        (x,) = args
        dom = self.dom_of_type(e.type)
        inner = x.dom.elem
        if dom.mask:
            return self.make(f"_rt.or_masks({self.iterate(x)})", dom, args)
        if isinstance(inner, DSet) and inner.mask:
            return self.make(f"frozenset(_rt.members(_rt.or_masks({self.iterate(x)}), "
                             f"{self.table(inner.elem)}))", dom, args)
        return self.make(f"frozenset().union(*{self.iterate(x)})", dom, args)

    # ---- sequences and options -----------------------------------------------------------------

    def _op_seq_concat(self, e, args):
        a, b = args
        return self.make(f"({a.src} + {b.src})", DSeq(a.dom.elem), args)

    def _op_seq_head(self, e, args):
        return self.make(f"_rt.seq_head({args[0].src}, {self.site(e.span)})",
                         args[0].dom.elem, args)

    def _op_seq_last(self, e, args):
        return self.make(f"_rt.seq_last({args[0].src}, {self.site(e.span)})",
                         args[0].dom.elem, args)

    def _op_seq_tail(self, e, args):
        return self.make(f"_rt.seq_tail({args[0].src}, {self.site(e.span)})",
                         DSeq(args[0].dom.elem), args)

    def _op_unwrap(self, e, args):
        (x,) = args
        inner = getattr(x.dom, "elem", x.dom)
        if x.const and x.value != ():
            return self.constant(x.value, inner)
        rng = (inner.lo, inner.hi) if isinstance(inner, DInt) and inner.lo is not None else None
        return Code(f"_rt.unwrap({x.src}, {self.site(e.span)})", inner, rng=rng)

    def _op_is_none(self, e, args):
        return self.make(f"({args[0].src} == ())", DBool(), args)

    def _op_some(self, e, args):
        return args[0]

    def _op_inject(self, e, args):
        """A value (or set of values) of sorts of model values as a value of a union of
        sorts (lang/unions.py): each value renumbered to its place in the union."""
        (x,) = args
        dom = self.dom_of_type(e.type)
        target = dom.elem if isinstance(dom, DSet) else dom
        source = x.dom.elem if isinstance(x.dom, DSet) else x.dom
        at = unions.places(source.sort, target.sort, lambda p: self.ctx.atom_dom(p).size)
        if x.const:
            if isinstance(dom, DSet):
                moved = [at[i] for i in x.dom.members(x.value)]
                return self.constant(sum(1 << i for i in moved) if dom.mask
                                     else frozenset(moved), dom)
            return self.constant(at[x.value], dom)
        shift = at[0] if at and at == list(range(at[0], at[0] + len(at))) else None
        if not isinstance(dom, DSet):
            src = f"({x.src} + {shift})" if shift is not None else f"{tuple(at)!r}[{x.src}]"
            return self.make(src, dom, args)
        if dom.mask and x.dom.mask:
            src = f"({x.src} << {shift})" if shift is not None else \
                f"sum(1 << _v for _v in _rt.members({x.src}, {tuple(at)!r}))"
            return self.make(src, dom, args)
        return self.make(f"frozenset({tuple(at)!r}[_v] for _v in {self.iterate(x)})", dom, args)

    # ---- recorded histories (stateline.history judges them) ----------------------------

    def _history_op(self, e, args):
        (h,) = args
        fn = {"linearizable": "linearizable", "sequential": "sequentially_consistent",
              "causal": "causally_consistent"}[e.op]
        if "_hist" not in self.ns:
            from .. import history
            self.ns["_hist"] = history
        doms = self.register(h.dom.elem.items, "D")      # (process, type, f, value)
        return self.make(f"_rt.judge_history(_hist.{fn}, {h.src}, {self.site(e.span)}, {doms})",
                         DBool(), args)

    _op_linearizable = _op_sequential = _op_causal = _history_op

