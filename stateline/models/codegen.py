"""Typed IR expressions -> Python source, specialised for one instance.

`ExprGen.expr(e, env, view)` returns a `Code`: a Python expression (always
parenthesised), the concrete `Dom` of its value, and, when every input is a
compile-time constant, the folded value itself.  Folding is what makes
unrolled action parameters cheap: inside `Acceptor(a2).on Prepare`, `self`
is the constant 1, so `Promise(self, ...)` becomes arithmetic on the other
fields only.  Two more specialisations matter for speed:

* a quantifier or filter over a bitmask set whose condition depends only on
  the bound element becomes one `&` with a mask computed at compile time
  (``exists m in sent(Promise): m.acc == a and m.bal == 2`` is
  ``net & 0x...`` != 0);
* quantifiers over small constant domains are unrolled into `and`/`or`.

Everything else falls back to generator expressions over the set's members.
The semantics of every operator lives here once; constants, initial states,
guards, actions and properties are all compiled by it.
"""

from __future__ import annotations

from ..diagnostics import Span, fail as spec_fail
from ..lang import ir
from ..lang.enabled import EnabledE
from ..lang.types import (AtomT, BoolT, IntT, MapT, NoneT, OptionT, RecordT, SeqT, SetT,
                          TupleT, Type, UnknownT)
from . import runtime
from .code import Code, Unsupported, View, _lit
from .domains import (DAtom, DBool, DInt, DMap, DMsg, DOption, DRecord, DSeq, DSet, DTuple, Dom,
                      dom_rng, has_int)
from .enabled import EnabledMixin
from .ops import OpsMixin
from .sets import SetsMixin



_FAILED = object()


class ExprGen(OpsMixin, SetsMixin, EnabledMixin):
    def __init__(self, ns: dict, system_ctx):
        self.ns = ns
        self.ctx = system_ctx        # provides consts, records, doms, sites, network, layout
        self._tables: dict = {}
        self._closure: dict = {}
        self._folds: dict = {}
        self._nconst = 0
        # Copies of the code being compiled made by the unrolled loops around it (a
        # quantifier, a `for` statement): unrolling stops where it would multiply
        # further, so nested constant loops compile in time linear in the spec.
        self.unrolled = 1
        ns.setdefault("_rt", runtime)

    # ---- constants and tables -------------------------------------------------------

    def constant(self, value, dom: Dom, rng=None) -> Code:
        src = _lit(value)
        if src is None:
            src = self.register(value)
        if rng is None and type(value) is int and isinstance(dom, DInt):
            rng = (value, value)
        if rng is None and isinstance(dom, DSet) and dom.ints and type(value) is int and value:
            rng = dom.bounds(value)
        return Code(src, dom, True, value, rng)

    def register(self, value, prefix: str = "K") -> str:
        key = (prefix, type(value).__name__, value) if _hashable(value) else None
        if key is not None and key in self._tables:
            return self._tables[key]
        self._nconst += 1
        name = f"{prefix}{self._nconst}"
        self.ns[name] = value
        if key is not None:
            self._tables[key] = name
        return name

    def table(self, dom: Dom) -> str:
        """A tuple of the universe of `dom`, for decoding bitmask members."""
        key = ("T", dom)
        if key not in self._tables:
            self._nconst += 1
            name = f"U{self._nconst}"
            self.ns[name] = tuple(dom.values())
            self._tables[key] = name
        return self._tables[key]

    def positions(self, dom: Dom) -> str:
        key = ("P", dom)
        if key not in self._tables:
            self._nconst += 1
            name = f"P{self._nconst}"
            self.ns[name] = {v: i for i, v in enumerate(dom.values())}
            self._tables[key] = name
        return self._tables[key]

    def site(self, span: Span) -> int:
        return self.ctx.site(span)

    def fold(self, src: str, dom: Dom, rng=None) -> Code:
        try:
            value = eval(src, self.ns)  # noqa: S307 - our own generated code
        except Exception:
            return Code(src, dom, rng=rng)
        return self.constant(value, dom)

    def make(self, src: str, dom: Dom, parts, rng=None) -> Code:
        """A compound expression: folded when all its parts are constant."""
        if all(p.const for p in parts):
            return self.fold(src, dom, rng)
        return Code(src, dom, rng=rng)

    # ---- static types -> domains ---------------------------------------------------------

    def dom_of_type(self, t: Type) -> Dom:
        if isinstance(t, BoolT):
            return DBool()
        if isinstance(t, IntT):
            return DInt()
        if isinstance(t, AtomT):
            return self.ctx.atom_dom(t.sort)
        if isinstance(t, RecordT):
            return self.ctx.records[t.name]
        if isinstance(t, TupleT):
            return DTuple(tuple(self.dom_of_type(x) for x in t.items))
        if isinstance(t, SetT):
            return DSet(self.dom_of_type(t.elem))
        if isinstance(t, SeqT):
            return DSeq(self.dom_of_type(t.elem))
        if isinstance(t, OptionT):
            return DOption(self.dom_of_type(t.elem))
        if isinstance(t, MapT):
            return DMap(self.dom_of_type(t.key), self.dom_of_type(t.value))
        if isinstance(t, (NoneT, UnknownT)):
            return DOption(DBool())
        raise Unsupported(f"no domain for {t}")

    # ---- positions of values: bits in bitmask sets, indices in universes ----------------

    def bit(self, c: Code, dom: Dom) -> str:
        """Source of the bit of value `c` in a bitmask set over `dom`."""
        if c.const:
            return repr(dom.bit(c.value))
        if isinstance(dom, DInt):
            if c.rng is not None and c.rng[0] >= 0:
                return f"(2 * {c.src})"
            return f"_rt.zz({c.src})"
        return self.position(c, dom)

    def position(self, c: Code, dom: Dom) -> str:
        """Source of the index of value `c` in the canonical order of `dom`."""
        if c.const:
            return repr(dom.index(c.value))
        if isinstance(dom, DBool):
            return f"(1 if {c.src} else 0)"
        if isinstance(dom, DAtom):
            return c.src
        if isinstance(dom, DInt):
            if dom.lo == 0:
                return c.src
            return f"({c.src} - {dom.lo})" if dom.lo > 0 else f"({c.src} + {-dom.lo})"
        if isinstance(dom, DSet) and dom.mask and not has_int(dom.elem):
            return c.src
        if isinstance(dom, DOption) and isinstance(dom.elem, (DAtom, DBool)) and _simple(c.src):
            inner = self.position(Code(c.src, dom.elem), dom.elem)
            return f"(0 if {c.src} == () else 1 + {inner})"
        if dom.size is not None and dom.size <= (1 << 16):
            return f"{self.positions(dom)}[{c.src}]"
        return f"{self.register(dom, 'D')}.index({c.src})"

    def record_index(self, rec: DRecord, fields: list[Code], offset: int = 0) -> str:
        """`offset` + the universe index of a record built from `fields` (no tuple is built)."""
        terms, const = [], offset
        for (fname, fdom), stride, f in zip(rec.fields, rec.strides, fields):
            if f.const:
                const += fdom.index(f.value) * stride
            else:
                i = self.position(f, fdom)
                terms.append(i if stride == 1 else f"{i} * {stride}")
        if const or not terms:
            terms.append(repr(const))
        return "(" + " + ".join(terms) + ")"

    def universe_mask(self, dom: Dom) -> int:
        """The bitmask of every value of `dom` (bit = index, except zigzag integers)."""
        if isinstance(dom, DInt):
            return runtime.int_range(dom.lo, dom.hi)
        return (1 << dom.size) - 1

    # ---- expressions ----------------------------------------------------------------------

    def expr(self, e: ir.E, env: dict, view: View) -> Code:
        code = getattr(self, "_" + type(e).__name__)(e, env, view)
        if not code.const and code.interval is None and self.closed(e, env):
            code = self.fold(code.src, code.dom, code.rng)
        return code

    def closed(self, e: ir.E, env: dict, but: ir.Local | None = None) -> bool:
        """Does `e` depend on nothing but constants (so it can be computed now)?
        With `but`: on nothing but constants and that local."""
        info = self._closure.get(e)
        if info is None:
            stateful = False
            for node in _walk(e):
                if isinstance(node, (ir.VarRef, ir.Sent, ir.RecCall, EnabledE)):
                    stateful = True     # (a recursive call: only inside its lambda)
                    break
            info = (stateful, frozenset(ir.free_locals(e)))
            self._closure[e] = info
        if info[0]:
            return False
        for local in info[1]:
            c = env.get(local)
            if (c is None or not c.const) and local is not but:
                return False
        return True

    def _IntC(self, e, env, view):
        return self.constant(e.value, DInt(e.value, e.value))

    def _BoolC(self, e, env, view):
        return self.constant(e.value, DBool())

    def _NoneC(self, e, env, view):
        return self.constant((), self.dom_of_type(e.type))

    def _AtomC(self, e, env, view):
        dom = self.ctx.atom_dom(e.sort)
        if e.name not in dom.names:
            spec_fail("SL403", f"'{e.name}' is not a value of {e.sort} = "
                               f"{{{', '.join(dom.names)}}} in this instance", e.span)
        return self.constant(dom.names.index(e.name), dom)

    def _ConstRef(self, e, env, view):
        value, dom = self.ctx.const_value(e.name)
        return self.constant(value, dom)

    def _LocalRef(self, e, env, view):
        try:
            return env[e.local]
        except KeyError:
            raise Unsupported(f"local '{e.local.name}' is not bound here") from None

    def _VarRef(self, e, env, view):
        lay = self.ctx.layout(e.var)
        if lay.process is None or lay.process.single:
            src = view.slot(lay.base, primed=e.primed)
        else:
            key = self.expr(e.key, env, view)
            if key.const and key.value in lay.process.instances:
                pos = lay.process.instances.index(key.value)
                src = view.slot(lay.base + pos, primed=e.primed)
            else:
                pos = self.instance_position(lay.process, key, e.span)
                src = view.dynamic(lay.base, lay.process.count(), pos, primed=e.primed)
        return Code(src, lay.dom, rng=dom_rng(lay.dom))

    def instance_position(self, proc, key: Code, span: Span) -> str:
        dom = proc.instance_dom
        if tuple(dom.values()) == tuple(proc.instances):
            if isinstance(dom, DInt):
                site = self.site(span)
                return f"(_rt.int_in({key.src}, {dom.lo}, {dom.hi}, {site}, " \
                       f"'instance of {proc.name}') - {dom.lo})"
            return key.src
        table = self.register({v: i for i, v in enumerate(proc.instances)}, "I")
        return f"_rt.position({table}, {key.src}, {self.site(span)}, 'instance of {proc.name}')"

    def _NodeE(self, e, env, view):
        raise Unsupported("a process instance is only a 'send ... to' target")

    def _FieldGet(self, e, env, view):
        base = self.expr(e.base, env, view)
        rec = self.ctx.records[e.record]
        fdom = rec.fields[e.index][1]
        rng = dom_rng(fdom)
        if base.const:
            return self.constant(base.value[rec.offset + e.index], fdom, rng)
        return Code(f"{base.src}[{rec.offset + e.index}]", fdom, rng=rng)

    def _TupleGet(self, e, env, view):
        base = self.expr(e.base, env, view)
        dom = base.dom.items[e.index] if isinstance(base.dom, DTuple) else \
            self.dom_of_type(e.type)
        return self.make(f"{base.src}[{e.index}]", dom, [base])

    def _MapGet(self, e, env, view):
        m = self.expr(e.base, env, view)
        k = self.expr(e.key, env, view)
        return self.make(f"{m.src}[{self.key_index(m.dom, k, e.span)}]", m.dom.value, [m, k])

    def key_index(self, mdom: DMap, k: Code, span: Span) -> str:
        kd = mdom.key
        if kd.size is None:     # a map whose keys no declaration bounds
            spec_fail("SL403", f"cannot index a map over {kd.describe()} here: its keys "
                               f"are not known; declare the value with a map type", span)
        if k.const:
            if not kd.contains(k.value):
                msg = f"map key {_shown(k)} is outside {kd.describe()}"
                return f"_rt.fail({self.site(span)}, {msg!r})"
            return repr(kd.index(k.value))
        if isinstance(kd, DInt) and not (k.rng and kd.lo <= k.rng[0] and k.rng[1] <= kd.hi):
            return f"(_rt.int_in({k.src}, {kd.lo}, {kd.hi}, {self.site(span)}, 'map key')" + \
                (f" - {kd.lo})" if kd.lo else ")")
        return self.position(k, kd)

    def _SeqGet(self, e, env, view):
        s = self.expr(e.base, env, view)
        i = self.expr(e.index, env, view)
        elem = s.dom.elem if isinstance(s.dom, DSeq) else self.dom_of_type(e.type)
        return self.make(f"_rt.seq_get({s.src}, {i.src}, {self.site(e.span)})", elem, [s, i])

    def _SeqSlice(self, e, env, view):
        s = self.expr(e.base, env, view)
        lo = self.expr(e.lo, env, view) if e.lo is not None else None
        hi = self.expr(e.hi, env, view) if e.hi is not None else None
        src = f"{s.src}[{lo.src if lo else ''}:{hi.src if hi else ''}]"
        return self.make(src, DSeq(s.dom.elem), [x for x in (s, lo, hi) if x is not None])

    def _IfE(self, e, env, view):
        c = self.expr(e.cond, env, view)
        if c.const:
            return self.expr(e.then if c.value else e.orelse, env, view)
        a = self.expr(e.then, env, view)
        b = self.expr(e.orelse, env, view)
        dom = a.dom if a.dom == b.dom else self._join_dom(a.dom, b.dom, e)
        rng = None
        if a.rng and b.rng:
            rng = (min(a.rng[0], b.rng[0]), max(a.rng[1], b.rng[1]))
        return Code(f"({a.src} if {c.src} else {b.src})", dom, rng=rng)

    def _join_dom(self, a: Dom, b: Dom, e) -> Dom:
        if isinstance(a, DInt) and isinstance(b, DInt):
            return DInt()
        if isinstance(a, DMap) and isinstance(b, DMap) and a.key != b.key:
            spec_fail("SL303", f"the branches are maps over different keys ({a.key.describe()} "
                               f"and {b.key.describe()})", e.span)
        return self.dom_of_type(e.type) if not isinstance(a, DMap) else a

    def _RecCall(self, e, env, view):
        """The outermost call: `rec_call(lambda fn, depth, params: body, 1, args)`; a
        call inside (no body) calls `fn` again one level deeper (the nearest lambda)."""
        if e.body is None:
            return self._rec_again(e, env, view)
        fn, depth = f"_rf_{e.name}", f"_rd_{e.name}"
        inner = {**env, **{p: Code(p.py, self.dom_of_type(p.type)) for p in e.params}}
        body = self.expr(e.body, inner, view)
        args = [self.expr(a, env, view) for a in e.args]
        lam = f"(lambda {fn}, {depth}{''.join(', ' + p.py for p in e.params)}: {body.src})"
        src = f"_rt.rec_call({lam}, 1, {self.site(e.span)}, {e.name!r}" + \
            "".join(", " + a.src for a in args) + ")"
        dom = self.dom_of_type(e.type)
        if all(a.const for a in args) and not any(isinstance(n, (ir.VarRef, ir.Sent))
                                                  for n in _walk(e.body)):
            return self.fold(src, dom)
        return Code(src, dom)

    def _rec_again(self, e, env, view):
        args = [self.expr(a, env, view) for a in e.args]
        return Code(f"_rt.rec_call(_rf_{e.name}, _rd_{e.name} + 1, {self.site(e.span)}, "
                    f"{e.name!r}" + "".join(", " + a.src for a in args) + ")",
                    self.dom_of_type(e.type))

    def _LetE(self, e, env, view):
        v = self.expr(e.value, env, view)
        if v.const or _simple(v.src):
            return self.expr(e.body, {**env, e.local: v}, view)
        name = e.local.py
        body = self.expr(e.body, {**env, e.local: Code(name, v.dom, rng=v.rng)}, view)
        return Code(f"(lambda {name}: {body.src})({v.src})", body.dom, rng=body.rng)

    def _RecordE(self, e, env, view):
        rec = self.ctx.records[e.record]
        fields = [self.checked(self.expr(f, env, view), fdom, f.span, f"field '{fname}'")
                  for f, (fname, fdom) in zip(e.fields, rec.fields)]
        head = [] if rec.tag is None else [repr(rec.tag)]
        parts = head + [f.src for f in fields]
        return self.make("(" + "".join(p + ", " for p in parts) + ")", rec, fields)

    def _RecordUpdate(self, e, env, view):
        base = self.expr(e.base, env, view)
        rec = self.ctx.records[e.type.name]
        src = base.src
        parts = [base]
        for i, v in e.updates:
            fname, fdom = rec.fields[i]
            c = self.checked(self.expr(v, env, view), fdom, v.span, f"field '{fname}'")
            parts.append(c)
            src = f"_rt.tuple_set({src}, {rec.offset + i}, {c.src})"
        return self.make(src, rec, parts)

    def _TupleE(self, e, env, view):
        items = [self.expr(x, env, view) for x in e.items]
        return self.make("(" + "".join(i.src + ", " for i in items) + ")",
                         DTuple(tuple(i.dom for i in items)), items)

    def _SeqLitE(self, e, env, view):
        items = [self.expr(x, env, view) for x in e.items]
        return self.make("(" + "".join(i.src + ", " for i in items) + ")",
                         DSeq(self.literal_elem(e.type.elem, items, e)), items)

    def literal_elem(self, t: Type, items: list[Code], e) -> Dom:
        """The element domain of a set or sequence literal of type `t`.

        Static types do not carry integer bounds, but a map's representation (a
        tuple indexed by key position) needs its key domain: when the elements
        hold maps, their domains come from the items themselves."""
        dom = self.dom_of_type(t)
        if not items or not _unbounded_map_key(dom):
            return dom
        joined = items[0].dom
        for i in items[1:]:
            joined = self._join_items(joined, i.dom, e)
        return joined

    def _join_items(self, a: Dom, b: Dom, e) -> Dom:
        if a == b:
            return a
        if isinstance(a, DInt) and isinstance(b, DInt):
            return DInt()
        if isinstance(a, DMap) and isinstance(b, DMap):
            if a.key != b.key:
                spec_fail("SL303", f"the elements are maps over different keys "
                                   f"({a.key.describe()} and {b.key.describe()})", e.span)
            return DMap(a.key, self._join_items(a.value, b.value, e))
        if isinstance(a, DTuple) and isinstance(b, DTuple) and len(a.items) == len(b.items):
            return DTuple(tuple(self._join_items(x, y, e) for x, y in zip(a.items, b.items)))
        for kind in (DSet, DSeq, DOption):
            if isinstance(a, kind) and isinstance(b, kind):
                return kind(self._join_items(a.elem, b.elem, e))
        return a

    def _SetLitE(self, e, env, view):
        items = [self.expr(x, env, view) for x in e.items]
        dom = DSet(self.literal_elem(e.type.elem, items, e))
        if not items:
            return self.constant(0 if dom.mask else frozenset(), dom)
        if dom.mask:
            src = "(" + " | ".join(f"(1 << {self.bit(i, dom.elem)})" for i in items) + ")"
        else:
            src = "frozenset((" + "".join(i.src + ", " for i in items) + "))"
        rng = None
        if all(i.rng for i in items):
            rng = (min(i.rng[0] for i in items), max(i.rng[1] for i in items))
        return self.make(src, dom, items, rng)

    def _Sent(self, e, env, view):
        return self.ctx.sent_code(self, e.message, view, e.primed)

    # ---- sets: iteration, membership, predicates ------------------------------------------

    def _MapUpdate(self, e, env, view):
        m = self.expr(e.base, env, view)
        src, parts = m.src, [m]
        for k, v in e.updates:
            kc = self.expr(k, env, view)
            vc = self.checked(self.expr(v, env, view), m.dom.value, v.span, "map value")
            parts += [kc, vc]
            src = f"_rt.tuple_set({src}, {self.key_index(m.dom, kc, k.span)}, {vc.src})"
        return self.make(src, m.dom, parts)

    def checked(self, c: Code, target: Dom, span: Span, what: str) -> Code:
        """`c`, with a run-time check that it lies in `target` unless that is known."""
        if c.const:
            if not target.contains(c.value):
                # Reported when (and only if) a step computes it.
                msg = f"{what}: {_shown(c)} is outside {target.describe()}"
                return Code(f"_rt.fail({self.site(span)}, {msg!r})", target)
            return Code(c.src, target, True, c.value, c.rng)
        if not needs_check(c, target):
            return c
        site = self.site(span)
        if isinstance(target, DSet) and target.ints:
            allowed = self.big(self.universe_mask(target.elem))
            return Code(f"_rt.mask_in({c.src}, {allowed}, {site}, {what!r})", target,
                        rng=(target.elem.lo, target.elem.hi))
        if isinstance(target, DInt):
            return Code(f"_rt.int_in({c.src}, {target.lo}, {target.hi}, {site}, "
                        f"{what!r})", target, rng=(target.lo, target.hi))
        return Code(f"_rt.checked({c.src}, {self.register(target, 'D')}, {site}, {what!r})",
                    target)


def needs_check(c: Code, target: Dom) -> bool:
    if isinstance(target, DInt) or (isinstance(target, DSet) and target.ints):
        lo, hi = dom_rng(target) or (None, None)
        if lo is None:
            return False
        return not (c.rng and lo <= c.rng[0] and c.rng[1] <= hi)
    if isinstance(target, (DBool, DAtom, DRecord, DMsg)):
        return False
    if isinstance(target, DSet) and target.mask:
        return False
    if c.dom == target:
        return False
    if isinstance(target, DOption) and isinstance(c.dom, DOption) and \
            not needs_check(Code("", c.dom.elem, rng=c.rng), target.elem):
        return False
    if isinstance(target, DOption) and not isinstance(c.dom, DOption):
        return needs_check(c, target.elem)
    return True




def _shown(c: Code) -> str:
    """A constant in a message (an integer folded at compile time may be too long)."""
    if type(c.value) is int and isinstance(c.dom, DInt):
        return runtime.show_int(c.value)
    return c.dom.show(c.value)


def _simple(src: str) -> bool:
    return src.replace("_", "").isalnum() or (src.startswith("(") and src[1:-1].lstrip("-")
                                               .isdigit())


def _hashable(v) -> bool:
    try:
        hash(v)
        return True
    except TypeError:
        return False


def _walk(node):
    yield node
    for c in ir.children(node):
        yield from _walk(c)




def _unbounded_map_key(d: Dom) -> bool:
    """Does `d` hold a map whose key domain the static type cannot give?"""
    if isinstance(d, DMap):
        return d.key.size is None or _unbounded_map_key(d.value)
    if isinstance(d, (DSet, DSeq, DOption)):
        return _unbounded_map_key(d.elem)
    if isinstance(d, DTuple):
        return any(_unbounded_map_key(x) for x in d.items)
    return False
