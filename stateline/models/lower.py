"""Typed spec + constant bindings -> `System` (one finite instance).

`lower(typed, bindings)` evaluates the constants (a check block's bindings and
-D overrides replace their declared values), gives every declared type its
`Dom`, lays out the state slots, evaluates the initial values and sizes the
network.  Constant expressions are evaluated by compiling them with the same
`ExprGen` the model uses, so there is one semantics, not two.
"""

from __future__ import annotations

import itertools

from ..diagnostics import Diagnostic, Span, SpecError, fail
from ..lang import ir, unions
from ..lang.ast import INT_LIMIT, MAX_INT_DIGITS
from .code import Code, NoState, Unsupported
from .codegen import ExprGen
from .domains import DAtom, DBool, DInt, DMap, DMsg, DOption, DRecord, DSeq, DSet, DTuple, Dom
from .initial import (dependent_evaluator, extend, placeholder, reads_state, run_init_block,
                      slot_choices)
from .runtime import ModelError
from .system import Network, ProcessInfo, Property, Slot, System, VarLayout

NET_MASK_LIMIT = 1 << 14   # a set network over at most this many messages is a bitmask
INITIAL_LIMIT = 1 << 20    # refuse instances with more initial states than this
MAX_INSTANCES = 1024       # instances of one process
PARTITION_NODES = 20       # process instances a network with partitions(N) may split


class Context:
    """Constants, domains and layout of one instance, filled in lazily.

    `ExprGen` calls back into it (`const_value`, `atom_dom`, `layout`, ...);
    the same object serves lowering and, through `System`, compilation.
    """

    def __init__(self, typed: ir.TypedSpec, bindings: dict[str, ir.E]):
        self.typed = typed
        self.bindings = bindings
        self.sites: list[Span] = []
        self.ns: dict = {}
        self.gen = ExprGen(self.ns, self)
        self.consts: dict[str, tuple[object, Dom]] = {}
        self.records = _Records(self)
        self._atoms: dict[str, DAtom] = {}
        self.layouts: dict[ir.VarSym, VarLayout] = {}
        self.network: Network | None = None
        self._const_syms = {c.name: c for c in typed.consts}
        self._computing: list[str] = []     # constants being computed, outermost first

    # ---- callbacks used by ExprGen ------------------------------------------------------

    def site(self, span: Span) -> int:
        self.sites.append(span)
        return len(self.sites) - 1

    def atom_dom(self, sort: str) -> DAtom:
        if sort not in self._atoms:
            if sort in self.typed.enums:
                self._atoms[sort] = DAtom(sort, self.typed.enums[sort])
            elif unions.SEP in sort:          # Readers|Writers: every part's values
                names = [(p, n) for p in unions.parts(sort) for n in self.atom_dom(p).names]
                twice = {n for _, n in names if sum(n == m for _, m in names) > 1}
                self._atoms[sort] = DAtom(sort, tuple(f"{p}.{n}" if n in twice else n
                                                      for p, n in names))
            else:
                sym = self._const_syms[sort]
                value = self.bindings.get(sort, sym.value)
                names = tuple(item.name for item in value.items)
                self._atoms[sort] = DAtom(sort, names)
        return self._atoms[sort]

    def const_value(self, name: str) -> tuple[object, Dom]:
        if name not in self.consts:
            sym = self._const_syms[name]
            if sym.model_values is not None:
                dom = self.atom_dom(name)
                value = ((1 << dom.size) - 1, DSet(dom))
            else:
                expr = self.bindings.get(name, sym.value)
                if name in self._computing:
                    # Only a binding can do this (the front end rejects cyclic declarations):
                    # -D N=N, or -D N=M with M computed from N.
                    cycle = self._computing[self._computing.index(name):] + [name]
                    first = self.bindings.get(cycle[0], self._const_syms[cycle[0]].value)
                    fail("SL205", f"constant '{cycle[0]}' refers to itself "
                                  f"({' -> '.join(cycle)})", first.span)
                self._computing.append(name)
                try:
                    value = self.evaluate(expr)
                finally:
                    self._computing.pop()
                if sym.decl_type is not None:
                    target = self.dom_of(sym.decl_type)
                    if not target.contains(value[0]):
                        fail("SL601", f"constant '{name}' = {value[1].show(value[0])} is "
                                      f"outside its type {target.describe()}", expr.span)
                    value = (value[0], target)
            self.consts[name] = value
        return self.consts[name]

    def layout(self, var: ir.VarSym) -> VarLayout:
        try:
            return self.layouts[var]
        except KeyError:
            raise Unsupported(f"state variable '{var.name}' is not available here") from None

    def sent_code(self, gen: ExprGen, message: str, view, primed: bool = False) -> Code:
        net = self.network
        rec = self.records[message]
        dom = DSet(rec)
        src = view.slot(net.slot, primed=primed)
        if net.rep == "mask":
            base = net.messages.bases[rec.tag]
            full = gen.big((1 << rec.size) - 1)
            shifted = f"({src} >> {base})" if base else src
            if not dom.mask:
                # A message type too large for a bitmask set of its own (more than
                # MASK_LIMIT values) on a network still small enough to be one mask.
                return Code(f"frozenset(_rt.members({shifted} & {full}, {gen.table(rec)}))",
                            dom)
            return Code(f"({shifted} & {full})", dom, netbase=(src, base))
        if net.rep == "fifo":
            src = f"(_m for _q in {src} for _m in _q)"
        elif net.senders:
            src = f"(_e[1] for _e in {src})"
        if dom.mask:
            return Code(f"_rt.or_bits({gen.bit(Code('_m', rec), rec)} for _m in {src} "
                        f"if _m[0] == {rec.tag})", dom)
        return Code(f"frozenset(_m for _m in {src} if _m[0] == {rec.tag})", dom)

    # ---- evaluation --------------------------------------------------------------------

    def evaluate(self, e: ir.E, env: dict | None = None) -> tuple[object, Dom]:
        """Value and domain of a closed expression (constants and bound locals only)."""
        try:
            code = self.gen.expr(e, env or {}, NoState())
        except Unsupported as exc:
            fail("SL403", f"cannot compute this at compile time: {exc}", e.span)
        if code.const:
            value = code.value
        else:
            try:
                value = eval(code.src, self.ns)  # noqa: S307 - generated by ExprGen
            except ModelError as exc:
                fail("SL602", exc.message, self.sites[exc.site])
            except RecursionError:
                fail("SL405", "this value is too deeply nested to compute", e.span)
            except MemoryError:
                fail("SL405", "this value is too large to compute", e.span)
        if _huge_int(value, code.dom):
            fail("SL405", f"this value has an integer of more than {MAX_INT_DIGITS:,} digits",
                 e.span)
        return value, code.dom

    def dom_of(self, t: ir.TypeExpr) -> Dom:
        if isinstance(t, ir.TBool):
            return DBool()
        if isinstance(t, ir.TRange):
            lo, _ = self.evaluate(t.lo)
            hi, _ = self.evaluate(t.hi)
            if hi < lo:
                fail("SL404", f"the range {lo}..{hi} is empty", t.span)
            return DInt(lo, hi)
        if isinstance(t, ir.TIntSet):
            value, sdom = self.evaluate(t.set)
            bounds = sdom.bounds(value)
            if bounds is None:
                fail("SL404", f"'{t.set.name}' is empty, so it is not a usable type", t.span)
            lo, hi = bounds
            if sdom.count(value) != hi - lo + 1:
                fail("SL105", f"'{t.set.name}' is not a range lo..hi, so it is not a type",
                     t.span)
            return DInt(lo, hi)
        if isinstance(t, ir.TAtom):
            return self.atom_dom(t.sort)
        if isinstance(t, ir.TRecord):
            return self.records[t.name]
        if isinstance(t, ir.TTuple):
            return DTuple(tuple(self.dom_of(x) for x in t.items))
        if isinstance(t, ir.TSet):
            return DSet(self.dom_of(t.elem))
        if isinstance(t, ir.TMap):
            key = self.dom_of(t.key)
            if key.size is None or key.size > 4096:
                fail("SL402", f"map keys must be a small finite domain, not "
                              f"{key.describe()}", t.key.span)
            return DMap(key, self.dom_of(t.value))
        if isinstance(t, ir.TSeq):
            n, _ = self.evaluate(t.maxlen)
            if n < 0:
                fail("SL404", f"a sequence bound must not be negative (got {n})", t.maxlen.span)
            return DSeq(self.dom_of(t.elem), n)
        if isinstance(t, ir.TOption):
            return DOption(self.dom_of(t.elem))
        raise AssertionError(f"unknown type expression {t}")


class _Records(dict):
    """Record domains, built on first use (field types may need constants)."""

    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx = ctx
        msgs = [n for n, r in ctx.typed.records.items() if r.is_message]
        self.tags = {n: i for i, n in enumerate(msgs)}

    def __missing__(self, name: str) -> DRecord:
        sym = self.ctx.typed.records[name]
        fields = tuple((fname, self.ctx.dom_of(t)) for fname, t in sym.fields)
        rec = DRecord(name, fields, self.tags.get(name))
        self[name] = rec
        return rec


def lower(typed: ir.TypedSpec, bindings: dict[str, ir.E] | None = None,
          allow_deadlock: bool = False,
          fairness: tuple[tuple[int, ir.FairRule], ...] = (),
          properties: tuple[str, ...] | None = None,
          symmetric: tuple[tuple[str, Span], ...] = ()) -> System:
    """One instance of a typed spec: constants bound (`bindings` replace declared
    values), `fairness` ((action index, kind) from a check block) added to the spec's
    own, only the invariants, transition invariants and temporal properties named in
    `properties` kept (None: all; constraints always), and the constants of
    `symmetric` ((name, span) from a check block) symmetric besides the spec's own."""
    ctx = Context(typed, dict(bindings or {}))
    try:
        return _lower(ctx, typed, allow_deadlock, fairness, properties, dict(symmetric))
    except RecursionError:      # (lang.nesting keeps specs below this)
        raise SpecError(Diagnostic("SL108", "the spec is too deeply nested to compile",
                                   Span(typed.path, 1, 1))) from None


def lower_block(typed: ir.TypedSpec, check: ir.CheckIR, overrides: dict[str, ir.E]) -> System:
    """The instance of one check block: its bindings, then the -D `overrides`."""
    bindings = {name: value for name, value, _ in check.bindings}
    bindings.update(overrides)
    return lower(typed, bindings, allow_deadlock=check.allow_deadlock,
                 fairness=check.fairness, properties=check.properties,
                 symmetric=check.symmetric)


def _lower(ctx: Context, typed: ir.TypedSpec, allow_deadlock: bool, extra_fairness,
           selected: tuple[str, ...] | None, block_symmetric: dict[str, Span]) -> System:
    for c in typed.consts:
        ctx.const_value(c.name)
    for name in typed.records:
        ctx.records[name]

    processes: dict[str, ProcessInfo] = {}
    nodes: list[tuple[str, object]] = []
    for p in typed.processes:
        if p.domain is None:
            info = ProcessInfo(p.name, (), None, len(nodes), None, p.span)
            nodes.append((p.name, None))
        else:
            value, dom = ctx.evaluate(p.domain)
            count = dom.count(value)
            if not count:
                fail("SL404", f"process '{p.name}' has no instances", p.domain.span)
            if count > MAX_INSTANCES:
                fail("SL405", f"process '{p.name}' has {count:,} instances; at most "
                              f"{MAX_INSTANCES:,} are supported", p.domain.span)
            instances = tuple(dom.members(value))
            edom = dom.elem
            if isinstance(edom, DInt):
                edom = DInt(instances[0], instances[-1])
            info = ProcessInfo(p.name, instances, edom, len(nodes), p.self_local, p.span)
            nodes.extend((p.name, i) for i in instances)
        processes[p.name] = info

    slots: list[Slot] = []
    choices: list[tuple] = []
    initial_count = 1
    dependent = any(reads_state(v.init) for v in typed.variables)
    partials: list[tuple] = [()]
    for var in typed.variables:
        dom = ctx.dom_of(var.decl_type)
        proc = processes.get(var.process) if var.process else None
        ctx.layouts[var] = VarLayout(var, dom, len(slots), proc)
        instances = [None] if proc is None or proc.single else list(proc.instances)
        for inst in instances:
            env = {}
            if inst is not None:
                env[proc.self_local] = ctx.gen.constant(inst, proc.instance_dom)
                name = f"{proc.name}[{proc.instance_dom.show(inst)}].{var.name}"
            else:
                name = var.qualname
            if var.typed_only:      # a placeholder the `init:` block overwrites
                slots.append(Slot(len(slots), name, var, inst, dom))
                if dependent:
                    partials = [s + (placeholder(dom),) for s in partials]
                else:
                    choices.append((placeholder(dom),))
                continue
            if dependent:
                run, vdom = dependent_evaluator(ctx, var.init, env, len(slots))
                partials = extend(partials, lambda s: _initial_values(
                    run(s), vdom, var, dom, name), INITIAL_LIMIT, name, var.init.span)
                if not partials:
                    fail("SL404", f"variable '{var.name}' has no possible initial value",
                         var.span)
                slots.append(Slot(len(slots), name, var, inst, dom))
                continue
            value, vdom = ctx.evaluate(var.init, env)
            count = vdom.count(value) if var.nondet else 1
            if not count:
                fail("SL404", f"variable '{var.name}' has no possible initial value", var.span)
            initial_count *= count
            if initial_count > INITIAL_LIMIT:
                fail("SL405", f"the instance has more than {INITIAL_LIMIT:,} initial states "
                              f"(counting the choices up to '{name}')", var.init.span)
            values = _initial_values(value, vdom, var, dom, name)
            slots.append(Slot(len(slots), name, var, inst, dom))
            choices.append(tuple(values))
    if dependent:
        choices = list(slot_choices(partials, len(slots)))

    if typed.network is not None:
        kind, options, span, partitions_e = typed.network
        for option, switch in typed.network_switches:     # `lossy(Lossy)`: on where true
            if not ctx.evaluate(switch)[0]:
                options = tuple(o for o in options if o != option)
        msgs = DMsg(tuple(ctx.records[n] for n in ctx.records.tags))
        if kind == "set":
            rep = "mask" if msgs.size is not None and msgs.size <= NET_MASK_LIMIT else "frozenset"
        else:
            rep = kind
        channels = len(nodes) ** 2 if kind == "fifo" else 0
        partitions = 0
        if partitions_e is not None:
            partitions, _ = ctx.evaluate(partitions_e)
            if partitions < 0:
                fail("SL404", f"partitions({partitions}) must not be negative", partitions_e.span)
            if len(nodes) < 2:
                fail("SL404", "partitions need at least two process instances", span)
            if len(nodes) > PARTITION_NODES:
                fail("SL405", f"partitions over {len(nodes):,} process instances would split "
                              f"them in {2 ** (len(nodes) - 1) - 1:,} ways; at most "
                              f"{PARTITION_NODES} instances are supported", span)
        base = len(slots)
        ctx.network = Network(kind, options, msgs, rep, base, channels, partitions,
                              base + 1 if partitions else -1, base + 2 if partitions else -1)
        empty = {"mask": 0, "frozenset": frozenset(), "bag": (),
                 "fifo": ((),) * channels}[rep]
        slots.append(Slot(base, "network", None, None, msgs))
        choices.append((empty,))
        if partitions:
            node_dom = DAtom("node", tuple(system_node_names(processes, nodes)))
            slots.append(Slot(base + 1, "network.partition", None, None, DSet(node_dom)))
            slots.append(Slot(base + 2, "network.partitions", None, None, DInt(0, partitions)))
            choices.extend([(0,), (0,)])


    props = {"invariant": [], "transition": [], "constraint": [], "temporal": []}
    for p in typed.properties:
        if selected is None or p.kind == "constraint" or p.name in selected:
            props[p.kind].append(Property(p.name, p.kind, p.expr, p.span, p.temporal))
    # Per action: {per: kind}, the strongest kind asked for each granularity.
    rules: list[dict[tuple, str]] = [{ir.PER_ACTION: a.fairness} if a.fairness else {}
                                     for a in typed.actions]
    heal_fairness = None
    for i, rule in extra_fairness:
        if i == ir.NETWORK_HEAL:
            heal_fairness = "strong" if "strong" in (heal_fairness, rule.kind) else rule.kind
        elif rules[i].get(rule.per) != "strong":
            rules[i][rule.per] = rule.kind
    fairness = [tuple(ir.FairRule(kind, per) for per, kind in sorted(r.items()))
                for r in rules]

    constants = {c.name: ctx.const_value(c.name) for c in typed.consts}
    symmetric = [c for c in typed.consts if c.symmetric or c.name in block_symmetric]
    for c in symmetric:
        _refuse_symmetric_in_union(c, slots, block_symmetric)
    system = System(
        name=typed.name, path=typed.path, constants=constants,
        symmetric=tuple(c.name for c in symmetric),
        records=dict(ctx.records), processes=processes, nodes=tuple(nodes),
        variables=dict(ctx.layouts), slots=tuple(slots), network=ctx.network,
        initial_choices=tuple(choices),
        initial_list=tuple(s + rest for s in partials
                           for rest in itertools.product(*choices[len(partials[0]):]))
        if dependent else None, actions=typed.actions,
        invariants=tuple(props["invariant"]), transitions=tuple(props["transition"]),
        constraints=tuple(props["constraint"]), temporal=tuple(props["temporal"]),
        fairness=tuple(fairness), heal_fairness=heal_fairness, histories=typed.histories,
        allow_deadlock=typed.allow_deadlock or allow_deadlock,
        constants_span=next((c.span if c.symmetric else block_symmetric[c.name]
                             for c in symmetric), None),
        sites=ctx.sites, context=ctx)
    if typed.init_block is not None:
        system = run_init_block(system, typed.init_block, INITIAL_LIMIT)
    return system


def _initial_values(value, vdom: Dom, var: ir.VarSym, dom: Dom, name: str) -> list:
    """The initial values of one slot: the members of a `var x in S` choice, or the
    one value; each must lie within the variable's type (SL601)."""
    values = vdom.members(value) if var.nondet else [value]
    for v in values:
        if not dom.contains(v):
            shown = vdom.elem.show(v) if var.nondet else vdom.show(v)
            fail("SL601", f"initial value {shown} of '{name}' is outside its type "
                          f"{dom.describe()}", var.init.span)
    return values


def _huge_int(v, dom: Dom) -> bool:
    """Does value `v` of `dom` hold an integer too long to show (MAX_INT_DIGITS)?"""
    if isinstance(dom, DInt):
        return type(v) is int and abs(v) >= INT_LIMIT
    if isinstance(dom, DSet):
        if dom.ints:
            bounds = dom.bounds(v)
            return bounds is not None and max(-bounds[0], bounds[1]) >= INT_LIMIT
        return not dom.mask and any(_huge_int(x, dom.elem) for x in v)
    if isinstance(dom, DTuple):
        return any(_huge_int(x, d) for x, d in zip(v, dom.items))
    if isinstance(dom, DRecord):
        return any(_huge_int(v[dom.offset + i], d) for i, (_, d) in enumerate(dom.fields))
    if isinstance(dom, DOption):
        return v != () and _huge_int(v, dom.elem)
    if isinstance(dom, DSeq):
        return any(_huge_int(x, dom.elem) for x in v)
    if isinstance(dom, DMap):
        return any(_huge_int(x, dom.value) for x in v)
    return False


def system_node_names(processes, nodes) -> list[str]:
    out = []
    for proc, inst in nodes:
        p = processes[proc]
        out.append(proc if p.single else f"{proc}[{p.instance_dom.show(inst)}]")
    return out


def initial_states(system: System):
    """Every initial state, in canonical order (the product of the slots' choices, or
    the enumerated list when initial values read other variables)."""
    if system.initial_list is not None:
        return iter(system.initial_list)
    return itertools.product(*system.initial_choices)


def _refuse_symmetric_in_union(c: ir.ConstSym, slots, block_symmetric) -> None:
    """Symmetry renames the values of a symmetric set in the state; a value kept in a
    union of sorts (lang/unions.py) would not be renamed with them: refused."""
    def unions_in(x):
        if isinstance(x, DAtom):
            return [x.sort] if unions.SEP in x.sort else []
        if isinstance(x, (tuple, list)):
            return [s for v in x for s in unions_in(v)]
        if isinstance(x, dict):
            return unions_in(list(x.values()))
        return unions_in(list(vars(x).values())) if isinstance(x, Dom) else []
    for slot in slots:
        for sort in unions_in(slot.dom):
            if c.name in unions.parts(sort):
                fail("SL303", f"'{c.name}' cannot be symmetric: variable '{slot.name}' holds "
                              f"values of the union {sort.replace(unions.SEP, ' | ')}, which "
                              "symmetry reduction does not rename", c.span if c.symmetric
                     else block_symmetric[c.name],
                     hint="drop 'symmetric', or keep the values in variables of one sort")
