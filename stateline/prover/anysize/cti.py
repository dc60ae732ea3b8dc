"""A counterexample to induction for every size, as a concrete small instance.

Z3's model gives each sort a finite universe.  The instance of the spec with
sorts of those sizes (model values a1..ak, or 1..k for an integer range, bound
as a check block would bind them) is lowered and compiled as `stateline check`
does; the model's state is read into that instance's runtime state, the step is
found among the compiled model's own successors, and every conjunct is evaluated
again by the finite encoding of that instance: the state satisfies those the CTI
assumes and the successor breaks the one it names (a run-time error: some step of
the compiled instance raises it from that state).  A disagreement is a bug
(`Disagreement`), never a verdict.
"""

from __future__ import annotations

import itertools

import z3

from ...lang import ir
from ...lang.load import parse_override
from ...models.domains import DAtom, DBool, DInt, DMap, DOption, DRecord, DSeq, DSet, DTuple
from ...models.lower import lower
from ...models.model import Model
from ...models.runtime import ModelError
from ..decode import Disagreement
from ..results import Cti
from ..scopes import ask, scope
from ..terms import And, on_fresh_context
from .doms import FInt, FOpt, FRec, FSort
from .values import MapV, Opt, Rec, SeqV, SetV, Sc

_CACHE: dict = {}
ERRORS = "(run-time errors)"      # the obligation a run-time error breaks (induction.py)
SMALL = 3                 # elements per sort tried for a concrete counterexample


class Unrepresentable(Exception):
    """The counterexample needs values no small instance of the spec allows."""


def small_answers(model, s, deadline, *assumptions, sized=(), steps=(), asker=ask,
                  skip_unknown=False):
    """Answers of the query with at most SMALL elements per sort, fewest first, in which
    every integer bounded by a size-dependent constant lies within that constant's value
    in the instance of those sizes: CTIs a concrete instance may show.  Stops when Z3
    gives up (with `skip_unknown`, goes on to the next sizes); `asker` asks each query
    (`ask`, or one under a resource limit)."""
    names = list(model.sort_names)
    combos = sorted(itertools.product(range(1, SMALL + 1), repeat=len(names)),
                    key=lambda c: (sum(c), c))
    for sizes in combos:
        bounds = _bound_values(model, dict(zip(names, sizes)))
        with scope(s):
            for name, k in zip(names, sizes):
                s.add(_cardinality(model.sorts.z3[name], k))
                if name in model.uses_quorums:
                    s.add(_majorities(model, name, k))
            for kind, fn, args, dom in getattr(model, "sized", ()):
                s.add(_sized_fact(model, kind, fn, args, dom, bounds))
            for reach, term, name in sized:     # values the CTI's step stores
                if name in bounds:
                    s.add(z3.Implies(reach, term <= bounds[name]))
            for st in steps:    # no step from the state leaves the instance's ranges
                within = [z3.Implies(reach, term <= bounds[name])
                          for reach, term, name in st.sized if name in bounds]
                if within:
                    body = And(*within)
                    s.add(z3.ForAll(st.consts, body) if st.consts else body)
            a = asker(s, deadline, *assumptions)
        if a.sat:
            yield a
        elif not a.unsat and not skip_unknown:
            return


def _cardinality(sort, k: int):
    es = [z3.Const(f"e{i}<{sort.name()}>", sort) for i in range(k)]
    x = z3.Const(f"x<{sort.name()}>", sort)
    parts = [z3.ForAll([x], z3.Or(*[x == e for e in es]))]
    if k > 1:
        parts.append(z3.Distinct(*es))
    return z3.And(*parts)


def _majorities(model, name: str, k: int):
    """In an instance of k elements the quorums are the subsets the spec's condition
    admits (majorities, or only the smallest ones), each one of them: the intersection
    axiom alone also allows fewer or other quorums, which the instance does not have."""
    es = [z3.Const(f"e{i}<{name}>", model.sorts.z3[name]) for i in range(k)]
    qs, mem = model.sorts.quorum_of(name)
    subsets = [c for r in model.quorum_sizes(name, k)
               for c in itertools.combinations(range(k), r)]

    def exactly(q, members):
        return z3.And(*[mem(e, q) if i in members else z3.Not(mem(e, q))
                        for i, e in enumerate(es)])
    q = z3.Const(f"q<{name}>", qs)
    parts = [z3.ForAll([q], z3.Or(*[exactly(q, m) for m in subsets]))]
    parts += [z3.Exists([q], exactly(q, m)) for m in subsets]
    return z3.And(*parts)


def _bound_values(model, sizes: dict) -> dict:
    if not model.size_dependent:
        return {}
    bindings, _ = _bindings(model, {n: [None] * k for n, k in sizes.items()})
    fin = _instance(model, bindings)
    return {name: value for name, (value, _) in fin.system.constants.items()
            if name in model.size_dependent}


def _sized_fact(model, kind, fn, args, dom, bounds):
    values = model.values

    def within(v, d):
        if isinstance(d, FInt) and d.hi_of is not None and d.hi_of in bounds:
            return v.term <= bounds[d.hi_of]
        if isinstance(d, FRec):
            return And(*(within(x, fd) for x, (_, fd) in zip(v.items, d.fields)))
        if isinstance(d, FOpt):
            return z3.Implies(v.some, within(v.val, d.elem))
        return z3.BoolVal(True)

    def level(i, xs):
        if i == len(args):
            if kind == "value":
                return within(fn(xs), dom)
            held = fn(xs).term if kind == "member" else fn(xs).term > 0
            return z3.Implies(held, within(xs[-1], dom))
        parts = []
        for guard, x, consts in values.cases(args[i]):
            body = z3.Implies(guard, level(i + 1, xs + [x]))
            parts.append(z3.ForAll(consts, body) if consts else body)
        return And(*parts)
    return level(0, [])


def decode_cti(model, zm, action: str, breaks: str, frame, step, assumed: list,
               dropped: list = ()) -> Cti:
    """The CTI in its concrete instance.  `assumed` are the conjuncts (name, kind, expr)
    the first state satisfies; `breaks` names the one the step (or the state) breaks;
    `dropped` are lemmas (name, expr) left out with --drop."""
    universes = {}
    for name in model.sort_names:
        u = zm.get_universe(model.sorts.z3[name])
        universes[name] = list(u) if u else [None]
    bindings, shown = _bindings(model, universes)
    fin = _instance(model, bindings)
    reader = _Reader(model, zm, universes, fin)
    pre = reader.state(frame)
    states = [pre]
    if step is not None:
        states.append(reader.state(step.post))
    for state in states:
        for slot, value in zip(fin.system.slots, state):
            if slot.var is not None and not slot.dom.contains(value):
                raise Unrepresentable(f"{slot.name} = {value!r} lies outside "
                                      f"{slot.dom.describe()} in the instance {shown}")
    try:
        trace = fin.trace(states)
    except ModelError as exc:
        raise Unrepresentable(f"a step raises a run-time error in the instance {shown}: "
                              f"{exc.message}") from None
    except AssertionError as exc:
        raise Disagreement(f"the any-size encoding found a step the compiled model of "
                           f"{shown} does not take ({exc})") from None
    # the concrete instance agrees: its first state satisfies what the CTI assumes, and
    # the step (or the state) breaks what it names
    check = _FiniteCheck(fin)
    for name, kind, expr in assumed:
        if kind != "transition" and not check.holds(expr, pre):
            raise Disagreement(f"the any-size CTI's state violates {name} in the instance "
                               f"{shown}")
    named = {name: (kind, expr) for name, kind, expr in assumed}
    if step is not None and breaks in named:
        kind, expr = named[breaks]
        if kind != "transition" and check.holds(expr, states[-1]):
            raise Disagreement(f"the any-size CTI's successor satisfies {breaks} in the "
                               f"instance {shown}")
    if step is None and breaks == ERRORS:
        try:
            fin.successors_labeled(pre)
        except ModelError:
            pass
        else:
            raise Disagreement(f"the any-size CTI's state raises no run-time error in the "
                               f"instance {shown}")
    violates = tuple(name for name, expr in dropped if not check.holds(expr, pre))
    return Cti(action, breaks, trace, tuple(n for n, _, _ in assumed), violates=violates,
               instance=shown)


class _FiniteCheck:
    """Evaluates spec expressions on concrete states of a finite instance with the
    finite Z3 encoding (the engine `stateline prove` uses on that instance)."""

    def __init__(self, fin: Model):
        from ..encode import Encoding
        entry = _ENCODINGS.get(id(fin))
        if entry is None or entry[0] is not fin:       # (an id is reused once freed)
            entry = _ENCODINGS[id(fin)] = (fin, Encoding(fin.system))
        self.enc = entry[1]

    def holds(self, expr, state) -> bool:
        from ..symbolic import SNet, lift
        enc = self.enc
        s = z3.Solver()
        for v, slot, value in zip(enc.pre.slots, enc.system.slots, state):
            if isinstance(v, SNet):
                msgs = enc.system.network.messages.values()
                for i, (m, c) in enumerate(zip(msgs, v.cells)):
                    if v.counts:
                        s.add(c == sum(1 for x in value if x == m))
                    else:
                        s.add(c == z3.BoolVal(bool(value >> i & 1)))
            else:
                s.add(enc.eq(v, lift(value, slot.dom)))
        term = enc.check_expr(expr).value
        if s.check() != z3.sat:
            raise Disagreement("a concrete state of the instance has no encoding")
        return z3.is_true(s.model().eval(term, model_completion=True))


_ENCODINGS: dict = {}
on_fresh_context(_ENCODINGS.clear)


def _bindings(model, universes):
    """Overrides (name -> typed IR) giving each sort the size of its universe."""
    consts = {c.name: c for c in model.typed.consts}
    overrides, shown = {}, []
    for name, u in universes.items():
        k = len(u)
        c = consts[name]
        if c.model_values is not None:
            names = list(c.model_values[:k])
            prefix = "".join(ch for ch in (c.model_values[0] if c.model_values else name)
                             if not ch.isdigit()) or name.lower()
            i = 1
            while len(names) < k:
                cand = f"{prefix}{len(c.model_values) + i}"
                i += 1
                if cand not in names:
                    names.append(cand)
            text = "{" + ", ".join(names) + "}"
        else:
            value, dom = model.ctx.const_value(name)
            lo = min(dom.members(value)) if isinstance(dom, DSet) else 1
            text = f"{lo}..{lo + k - 1}"
            e = c.value
            if isinstance(e, ir.Op) and e.op == "range" and isinstance(e.args[1], ir.ConstRef) \
                    and isinstance(e.args[0], ir.IntC):
                bound = e.args[1].name
                overrides[bound] = parse_override(model.loaded, f"{bound}={lo + k - 1}")[1]
                shown.append(f"{bound}={lo + k - 1}")
                continue
        overrides[name] = parse_override(model.loaded, f"{name}={text}")[1]
        shown.append(f"{name}={text}")
    return overrides, ", ".join(shown)


def _instance(model, bindings) -> Model:
    """The compiled instance of the spec with the check block's constants, the overrides
    and the sorts' `bindings`.  Cached per spec object and every constant: the entry
    holds the spec it was compiled from (an `id` alone is reused once its object is
    freed, and a generated spec at the same path then got another spec's model)."""
    base = {name: value for name, value, _ in model.check.bindings}
    base.update(model.overrides)
    base.update(bindings)
    key = (model.loaded.path, id(model.loaded), tuple(sorted((k, repr(v))
                                                              for k, v in base.items())))
    entry = _CACHE.get(key)
    if entry is None or entry[0] is not model.loaded:
        entry = _CACHE[key] = (model.loaded, Model(lower(model.typed, base,
                                                         allow_deadlock=True)))
    return entry[1]


def ground(t, zm, memo):
    """`t` with every quantifier over uninterpreted sorts expanded over the universes of
    the model `zm` (finite in a model of the small-instance query)."""
    key = t.get_id()
    if key in memo:
        return memo[key]
    if z3.is_quantifier(t):
        n = t.num_vars()
        sorts = [t.var_sort(i) for i in range(n)]
        universes = [zm.get_universe(x) if x.kind() == z3.Z3_UNINTERPRETED_SORT else None
                     for x in sorts]
        if any(u is None for u in universes):
            out = t
        else:
            body = t.body()
            cases = [ground(z3.substitute_vars(body, *reversed(combo)), zm, memo)
                     for combo in itertools.product(*universes)]
            out = z3.And(*cases) if t.is_forall() else z3.Or(*cases)
    elif z3.is_app(t) and t.num_args() > 0:
        out = t.decl()(*[ground(c, zm, memo) for c in t.children()])
    else:
        out = t
    memo[key] = out
    return out


class _Reader:
    """Reads values of the any-size frame, in a Z3 model, as runtime values of the
    concrete instance."""

    def __init__(self, model, zm, universes, fin: Model):
        self.m, self.zm, self.u, self.fin = model, zm, universes, fin

    def ev(self, t):
        x = self.zm.eval(t, model_completion=True)
        if z3.is_app(x) and x.num_args() == 0 and x.decl().kind() != z3.Z3_OP_UNINTERPRETED:
            return x        # a numeral or true/false
        if z3.is_app(x) and x.sort().kind() == z3.Z3_UNINTERPRETED_SORT and x.num_args() == 0:
            return x        # an element of a sort's universe
        # Z3 left a quantifier over a sort unevaluated (`exists q in Quorums: ...`
        # in a step): expand it over the model's finite universes
        return self.zm.eval(ground(t, self.zm, {}), model_completion=True)

    def element(self, t, sort: str) -> int:
        """The position of a sort element in its universe."""
        x = self.ev(t)
        for i, e in enumerate(self.u[sort]):
            if e is None or e.eq(x):
                return i
        return 0

    def state(self, frame) -> tuple:
        system = self.fin.system
        out = []
        net = system.network
        for slot in system.slots:
            if net is not None and slot.index == net.slot:
                out.append(self.network(frame, net))
                continue
            var = slot.var
            lay = system.variables[var]
            value = frame.var(self._any_var(var))
            if isinstance(value, MapV) and lay.process is not None and not lay.process.single:
                value = value.get(self.lift(slot.instance, lay.process.instance_dom,
                                            self._inst_fdom(var)))
            out.append(self.read(value, slot.dom))
        return tuple(out)

    def _any_var(self, var):
        for v in self.m.typed.variables:
            if v.name == var.name and v.process == var.process:
                return v
        raise Disagreement(f"no variable {var.name}")

    def _inst_fdom(self, var):
        return self.m.instance_dom(self.m.processes[var.process])

    def network(self, frame, net):
        msgs = net.messages
        if net.rep == "mask":
            mask = 0
            for i, m in enumerate(msgs.values()):
                rec = msgs.records[m[0]]
                v = self.lift(m, rec, self.m.record(rec.name))
                if z3.is_true(self.ev(frame.sent(rec.name).member(v))):
                    mask |= 1 << i
            return mask
        bag = []
        for m in msgs.values():
            rec = msgs.records[m[0]]
            v = self.lift(m, rec, self.m.record(rec.name))
            n = self.ev(frame.counts[rec.name](v)).as_long()
            bag.extend([m] * max(0, n))
        return tuple(bag)

    # runtime value of the instance -> symbolic value, and back

    def lift(self, x, dom, fdom):
        if isinstance(fdom, FSort):
            i = dom.index(x)
            e = self.u[fdom.name][i]
            if e is None:
                e = self.m.values.default(fdom).term
            return Sc(e, fdom)
        if isinstance(dom, DRecord):
            off = dom.offset
            return Rec(tuple(self.lift(x[off + i], d, fd) for i, ((_, d), (_, fd)) in
                             enumerate(zip(dom.fields, fdom.fields))), fdom)
        if isinstance(dom, DTuple):
            return Rec(tuple(self.lift(v, d, fd) for v, d, (_, fd) in
                             zip(x, dom.items, fdom.fields)), fdom)
        if isinstance(dom, DOption):
            if x == ():
                return self.m.values.none(fdom)
            return Opt(z3.BoolVal(True), self.lift(x, dom.elem, fdom.elem), fdom)
        if isinstance(dom, DSeq):       # (anysize/values.py SeqV)
            items = tuple(self.lift(v, dom.elem, fdom.elem) for v in x)
            return self.m.values.fit(SeqV(z3.IntVal(len(x)), items, fdom), fdom)
        return self.m.values.lift(x, fdom)

    def read(self, v, dom):
        if isinstance(dom, DBool):
            return z3.is_true(self.ev(v.term))
        if isinstance(dom, DInt):
            if isinstance(v.dom, FSort):
                return dom.lo + self.element(v.term, v.dom.name) if dom.lo is not None else \
                    1 + self.element(v.term, v.dom.name)
            return self.ev(v.term).as_long()
        if isinstance(dom, DAtom):
            if isinstance(v.dom, FSort):
                return self.element(v.term, v.dom.name)
            return self.ev(v.term).as_long()
        if isinstance(dom, DOption):
            if not z3.is_true(self.ev(v.some)):
                return ()
            return self.read(v.val, dom.elem)
        if isinstance(dom, DRecord):
            head = () if dom.tag is None else (dom.tag,)
            return head + tuple(self.read(x, d) for x, (_, d) in zip(v.items, dom.fields))
        if isinstance(dom, DTuple):
            return tuple(self.read(x, d) for x, d in zip(v.items, dom.items))
        if isinstance(dom, DSeq):
            n = self.ev(v.length).as_long()
            return tuple(self.read(x, dom.elem) for x in v.items[:n])
        if isinstance(dom, DSet):
            fdom = v.dom.elem
            members = [x for x in dom.elem.values()
                       if z3.is_true(self.ev(v.member(self.lift(x, dom.elem, fdom))))]
            if dom.mask:
                return sum(1 << dom.elem.bit(x) for x in members)
            return frozenset(members)
        if isinstance(dom, DMap):
            return tuple(self.read(v.get(self.lift(k, dom.key, v.dom.key)), dom.value)
                         for k in dom.key.values())
        raise Disagreement(f"cannot read a value of {dom.describe()}")
