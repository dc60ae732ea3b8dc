"""Type checking of calls, subscripts and attributes (a mixin of `ExprChecker`).

Calls are record and message constructors, definition calls (expanded in
place) and the built-in functions; subscripts index maps, sequences, tuples and
process instances; attributes read record fields and other nodes' variables.
"""

from __future__ import annotations

from ..diagnostics import did_you_mean, fail as err
from . import ast as A
from . import ir
from .ir import NodeE
from .enabled import check_enabled
from .histories import CHECKS
from .types import BOOL, INT, IntT, MapT, NodeT, OptionT, RecordT, SeqT, SetT, TupleT, UnknownT


class CallsMixin:
    # ---- calls ---------------------------------------------------------------------

    def _Call(self, e: A.Call):
        f = e.func
        if not isinstance(f, A.Name):
            err("SL304", "only records, messages, definitions and built-in functions "
                         "can be called", e.span)
        n = f.id
        shadow = any(n in s for s in self.scopes)
        if not shadow and self.process is not None and \
                n in self.r.procs.get(self.process.name, {}):
            err("SL304", f"procedure '{n}' is a statement, not a function: it has no value",
                e.span, hint=f"call it on a line of its own: {n}(...)")
        if not shadow and n in self.r.records:
            return self._construct(n, e)
        if not shadow and n in self.r.defs:
            d = self.r.defs[n]
            if e.kwargs:
                err("SL302", f"'{n}' does not take keyword arguments", e.span)
            if d.params is None:
                err("SL304", f"'{n}' is not a function (it has no parameters)", e.span)
            if len(e.args) != len(d.params):
                err("SL302", f"'{n}' takes {len(d.params)} argument(s), got {len(e.args)}",
                    e.span)
            args = tuple(self.infer(a) for a in e.args)
            return self.expand_def(d, args, e.span)
        if not shadow and self.r.global_kind(n) is None and n in _BUILTINS:
            return _BUILTINS[n](self, e)
        if n == "enabled" and self.r.global_kind(n) is None and not shadow:
            return check_enabled(self, e)
        if self.r.global_kind(n) is None and not shadow:
            err("SL201", f"unknown function '{n}'", f.span,
                hint=did_you_mean(n, list(_BUILTINS) + list(self.r.defs) + list(self.r.records)))
        err("SL304", f"'{n}' is not callable", f.span)

    def _construct(self, n: str, e: A.Call) -> ir.E:
        rec = self.record(n)
        names = [fname for fname, _ in rec.fields]
        values: list[ir.E | None] = [None] * len(names)
        if len(e.args) > len(names):
            err("SL302", f"'{n}' takes {len(names)} field(s), got {len(e.args) + len(e.kwargs)}",
                e.span)
        for i, a in enumerate(e.args):
            values[i] = self.check(a, rec.fields[i][1].type, f"field '{names[i]}' of '{n}'")
        for kw in e.kwargs:
            kname, a = kw.name, kw.value
            if kname not in names:
                err("SL203", f"'{n}' has no field '{kname}'", kw.span,
                    hint=did_you_mean(kname, names))
            i = names.index(kname)
            if values[i] is not None:
                err("SL302", f"field '{kname}' of '{n}' is given twice", kw.span)
            values[i] = self.check(a, rec.fields[i][1].type, f"field '{kname}' of '{n}'")
        missing = [names[i] for i, v in enumerate(values) if v is None]
        if missing:
            err("SL302", f"'{n}' takes {len(names)} field(s); missing "
                + ", ".join(f"'{m}'" for m in missing), e.span)
        return ir.RecordE(RecordT(n, rec.is_message), e.span, n, tuple(values))

    def _args(self, e: A.Call, n: int | tuple[int, int]):
        lo, hi = (n, n) if isinstance(n, int) else n
        if e.kwargs:
            err("SL302", f"'{e.func.id}' does not take keyword arguments", e.span)
        if not lo <= len(e.args) <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            err("SL302", f"'{e.func.id}' takes {want} argument(s), got {len(e.args)}", e.span)
        return [self.infer(a) for a in e.args]

    # ---- subscripts and attributes ----------------------------------------------------

    def _Subscript(self, e: A.Subscript):
        b = e.base
        if isinstance(b, A.Name) and not any(b.id in s for s in self.scopes):
            if b.id in self.r.processes and b.id not in self.r.consts:
                p = self.r.processes[b.id]
                if not p.self_name:
                    err("SL305", f"process '{b.id}' has a single instance; write {b.id}.var",
                        e.span)
                if len(e.indices) != 1 or isinstance(e.indices[0], A.Slice):
                    err("SL305", f"name one instance of '{b.id}': {b.id}[id]", e.span)
                with self.closed(f"the domain of process '{b.id}'"):
                    dom = self.infer(p.domain)
                if not isinstance(dom.type, SetT):     # reported where the process is declared
                    err("SL303", f"the instances of process '{b.id}' must be a set, "
                                 f"got {dom.type}", p.domain.span)
                key = self.check(e.indices[0], dom.type.elem, f"an instance of '{b.id}'")
                return NodeE(NodeT(b.id), e.span, b.id, key)
            if b.id in ("set", "map", "seq") and self.r.global_kind(b.id) is None:
                err("SL303", f"'{b.id}[...]' is a type; it can only appear in a declaration",
                    e.span)
        base = self.infer(b)
        t = base.type
        if isinstance(t, OptionT):
            base = ir.Op(t.elem, base.span, "unwrap", (base,))
            t = t.elem
        if len(e.indices) != 1:
            err("SL305", f"{t} takes a single index", e.span)
        idx = e.indices[0]
        if isinstance(t, MapT):
            if isinstance(idx, A.Slice):
                err("SL305", "maps cannot be sliced", idx.span)
            key = self.check(idx, t.key, "a map key")
            return ir.MapGet(t.value, e.span, base, key)
        if isinstance(t, SeqT):
            if isinstance(idx, A.Slice):
                lo = self.check(idx.lo, INT, "a slice bound") if idx.lo is not None else None
                hi = self.check(idx.hi, INT, "a slice bound") if idx.hi is not None else None
                return ir.SeqSlice(t, e.span, base, lo, hi)
            i = self.check(idx, INT, "a sequence index")
            return ir.SeqGet(t.elem, e.span, base, i)
        if isinstance(t, TupleT):
            if not isinstance(idx, A.IntLit):
                err("SL305", "a tuple index must be an integer literal", idx.span)
            i = idx.value
            if not -len(t.items) <= i < len(t.items):
                err("SL305", f"tuple index {i} is out of range for {t}", idx.span)
            i %= len(t.items)
            return ir.TupleGet(t.items[i], e.span, base, i)
        err("SL305", f"{t} cannot be indexed", e.span)

    def _Attr(self, e: A.Attr):
        b = e.base
        if isinstance(b, A.Name) and b.id in self.r.processes and \
                not any(b.id in s for s in self.scopes) and not self.r.processes[b.id].self_name:
            node = NodeE(NodeT(b.id), b.span, b.id, None)
        else:
            node = self.infer(b)
        if isinstance(node, NodeE):
            pvars = self.r.process_vars.get(node.process, {})
            if e.name not in pvars:
                err("SL203", f"process '{node.process}' has no variable '{e.name}'", e.span,
                    hint=did_you_mean(e.name, pvars))
            self._state_allowed(e.name, e.span, node.process)
            var = self.var(node.process, e.name)
            return ir.VarRef(var.type, e.span, var, node.key, self.priming)
        t = node.type
        if isinstance(t, OptionT) and isinstance(t.elem, RecordT):
            node = ir.Op(t.elem, node.span, "unwrap", (node,))
            t = t.elem
        if isinstance(t, RecordT):
            rec = self.record(t.name)
            i = rec.field_index(e.name)
            if i is None:
                kind = "message" if rec.is_message else "record"
                err("SL203", f"{kind} '{t.name}' has no field '{e.name}'", e.span,
                    hint=did_you_mean(e.name, [f for f, _ in rec.fields]))
            return ir.FieldGet(rec.fields[i][1].type, e.span, node, t.name, i, e.name)
        err("SL203", f"{t} has no field '{e.name}'", e.span)


# ---- built-in functions --------------------------------------------------------------


def _len(c, e):
    (x,) = c._args(e, 1)
    if not isinstance(x.type, (SetT, SeqT, MapT)):
        err("SL303", f"len() takes a set, sequence or map, got {x.type}", e.args[0].span)
    return ir.Op(INT, e.span, "len", (x,))


def _subsets(c, e):
    (x,) = c._args(e, 1)
    if not isinstance(x.type, SetT):
        err("SL303", f"subsets() takes a set, got {x.type}", e.args[0].span)
    return ir.Op(SetT(x.type), e.span, "subsets", (x,))


def _sent(c, e):
    if len(e.args) != 1 or e.kwargs:
        err("SL302", "sent() takes one message type", e.span)
    a = e.args[0]
    if not isinstance(a, A.Name) or a.id not in c.r.records:
        err("SL303", "sent() takes the name of a message type", a.span,
            hint=did_you_mean(getattr(a, "id", ""), [r for r, d in c.r.records.items()
                                                      if d.is_message]))
    rec = c.record(a.id)
    if not rec.is_message:
        err("SL303", f"'{a.id}' is a record, not a message", a.span)
    if not c.state_ok:
        err("SL303", f"{c.state_why} cannot depend on the network", e.span)
    if not c.r.networks:
        err("SL208", "sent() needs a network declaration", e.span)
    return ir.Sent(SetT(RecordT(a.id, True)), e.span, a.id, c.priming)


def _minmax(name):
    def f(c, e):
        xs = c._args(e, (1, 64))
        if len(xs) == 1:
            x = xs[0]
            if not (isinstance(x.type, SetT) and isinstance(x.type.elem, IntT)):
                err("SL303", f"{name}() of one argument takes a set of integers, got {x.type}",
                    e.args[0].span)
            return ir.Op(INT, e.span, "set_" + name, (x,))
        xs = [c._int_operand(x, name + "()") for x in xs]
        return ir.Op(INT, e.span, name, tuple(xs))
    return f


def _abs(c, e):
    (x,) = c._args(e, 1)
    return ir.Op(INT, e.span, "abs", (c._int_operand(x, "abs()"),))


def _sum(c, e):
    (x,) = c._args(e, 1)
    if not (isinstance(x.type, SetT) and isinstance(x.type.elem, IntT)):
        err("SL303", f"sum() takes a set of integers, got {x.type}", e.args[0].span)
    return ir.Op(INT, e.span, "set_sum", (x,))


def _values(c, e):
    (x,) = c._args(e, 1)
    if not isinstance(x.type, MapT):
        err("SL303", f"values() takes a map, got {x.type}", e.args[0].span)
    return ir.Op(SetT(x.type.value), e.span, "values", (x,))


def _set(c, e):
    (x,) = c._args(e, 1)
    if not isinstance(x.type, SeqT):
        err("SL303", f"set() takes a sequence, got {x.type}", e.args[0].span)
    return ir.Op(SetT(x.type.elem), e.span, "seq_to_set", (x,))


def _union(c, e):
    (x,) = c._args(e, 1)
    if not (isinstance(x.type, SetT) and isinstance(x.type.elem, SetT)):
        err("SL303", f"union() takes a set of sets, got {x.type}", e.args[0].span)
    return ir.Op(x.type.elem, e.span, "union_all", (x,))


def _seq_fn(name, op):
    def f(c, e):
        (x,) = c._args(e, 1)
        if not isinstance(x.type, SeqT) or isinstance(x.type.elem, UnknownT):
            err("SL303", f"{name}() takes a sequence, got {x.type}", e.args[0].span)
        t = x.type if name == "tail" else x.type.elem
        return ir.Op(t, e.span, op, (x,))
    return f


def _replace(c, e):
    if len(e.args) != 1:
        err("SL302", "replace() takes a record and keyword arguments: replace(r, f=v)", e.span)
    base = c.infer(e.args[0])
    t = base.type
    if isinstance(t, OptionT) and isinstance(t.elem, RecordT):
        base = ir.Op(t.elem, base.span, "unwrap", (base,))
        t = t.elem
    if not isinstance(t, RecordT):
        err("SL303", f"replace() takes a record, got {t}", e.args[0].span)
    rec = c.record(t.name)
    ups = []
    for kw in e.kwargs:
        kname, a = kw.name, kw.value
        i = rec.field_index(kname)
        if i is None:
            err("SL203", f"'{t.name}' has no field '{kname}'", kw.span,
                hint=did_you_mean(kname, [f for f, _ in rec.fields]))
        ups.append((i, c.check(a, rec.fields[i][1].type, f"field '{kname}'")))
    return ir.RecordUpdate(t, e.span, base, tuple(ups))


def _history_check(name):
    def f(c, e):
        if len(e.args) != 1 or e.kwargs:
            err("SL302", f"{name}() takes one history", e.span)
        a = e.args[0]
        if not isinstance(a, A.Name) or a.id not in c.r.histories:
            err("SL303", f"{name}() takes the name of a history", a.span,
                hint=did_you_mean(getattr(a, "id", ""), c.r.histories) or
                "declare one: history H(process: P, value: V) max N")
        h = c.infer(a)
        return ir.Op(BOOL, e.span, CHECKS[name], (h,))
    return f


_BUILTINS = {
    "len": _len, "subsets": _subsets, "sent": _sent, "min": _minmax("min"),
    "max": _minmax("max"), "abs": _abs, "sum": _sum, "values": _values, "set": _set,
    "union": _union, "head": _seq_fn("head", "seq_head"), "tail": _seq_fn("tail", "seq_tail"),
    "last": _seq_fn("last", "seq_last"), "replace": _replace,
    "linearizable": _history_check("linearizable"),
    "sequentially_consistent": _history_check("sequentially_consistent"),
    "causally_consistent": _history_check("causally_consistent"),
}
