"""`System` -> Python source for its successor function, compiled once.

For every action schema the generator emits nested loops over the process
instances, the parameters and the received message.  Loops over constant
domains are unrolled (so `self` and parameters become constants that
`ExprGen` folds), and each conjunct of the guard (the `if` of the header
and the leading `require`s) is placed at the outermost loop level where the
names it uses are bound, so guards that do not depend on a parameter are
tested once, outside its loop.  The body is straight-line code over local
names for the state slots it writes, ending in one tuple construction.

The same generator produces a *labeled* variant that also reports the choice
made (action, instance, parameters, message) and the messages sent; the
checker uses the fast variant and replays the labeled one only to print a
counterexample.
"""

from __future__ import annotations

from contextlib import contextmanager

from ..lang import ir
from ..lang.raising import may_raise
from .code import Code, Unsupported, View
from ..diagnostics import Span, fail
from . import statements
from .domains import DSet, sort_key
from .enabled import EnabledCompiler
from .statements import CodeTooLarge, Emitter, StatementsMixin, StateView, _split_guards
from .system import System

UNROLL_LIMIT = 1024     # instances of one action schema unrolled at compile time
UNROLL_MESSAGES = 64    # handlers for message types with at most this many values are unrolled
UNROLLED_SOURCE = 200_000   # characters of one action's unrolled code before it loops instead
# A loop whose body may run more than this many times per call of `successors` (its
# iterations times those of the loops and unrolled copies around it) checks, once per
# iteration, that the successors found so far do not exceed the model's cap
# (`Model.limit_successors`, from --max-states): one state with millions of successors
# stops the search instead of exhausting memory.  Smaller loop nests check nothing, so
# the hot loop of ordinary specs is unchanged.
FANOUT = 4096
CAP_CHECK = "if len(out) > _cap: raise _rt.TooManySuccessors(out)"


class ModelCompiler(StatementsMixin, EnabledCompiler):
    def __init__(self, system: System):
        self.system = system
        self.ctx = system.context
        self.gen = self.ctx.gen
        self.gen.compiler = self     # enabled(A) in a property compiles A again
        self.nslots = len(system.slots)
        self.net = system.network
        self.labels: list[tuple[str, str | None, tuple[str, ...]]] = []
        self._fan = 1        # iterations of the enclosing loops since the last cap check
        # (first line, construct, span) of each part of the source, in order
        self.regions: list[tuple[int, str, Span]] = []
        self._em: Emitter | None = None
        self.__where = ("the model", Span(system.path, 1, 1))

    @property
    def _where(self) -> tuple[str, Span]:
        """The construct being compiled (what, span): diagnostics about the generated
        code point at it."""
        return self.__where

    @_where.setter
    def _where(self, where: tuple[str, Span]) -> None:
        self.__where = where
        if self._em is not None:
            self.regions.append((len(self._em.lines) + 1, *where))

    def construct_at(self, line: int) -> tuple[str, Span]:
        """The construct whose code is at `line` of the source (1-based)."""
        found = ("the model", Span(self.system.path, 1, 1))
        for first, what, span in self.regions:
            if first > line:
                break
            found = (what, span)
        return found

    # ---- the module -------------------------------------------------------------------

    def source(self) -> str:
        """The Python source of the model; SL405 at the action or property whose
        compiled code would make it larger than MAX_SOURCE, SL108 at one nested too
        deeply to compile."""
        self._where = ("the model", Span(self.system.path, 1, 1))
        try:
            return self._source()
        except RecursionError:          # (lang.nesting keeps specs below this)
            what, span = self._where
            fail("SL108", f"{what} is nested too deeply to compile", span)
        except CodeTooLarge:
            what, span = self._where
            fail("SL405", f"the compiled code of {what} would exceed "
                          f"{statements.MAX_SOURCE:,} "
                          f"characters: this instance unrolls too many copies of it",
                 span, hint="use smaller constants, or fewer nested loops over "
                            "constant domains")

    def _source(self) -> str:
        em = self._em = Emitter()
        for labeled in (False, True):
            self.labels = []
            name = "successors_labeled" if labeled else "successors"
            with em.block(f"def {name}(s):"):
                self.unpack(em, "S", "s")
                em.line("out = []")
                em.line("app = out.append")
                self._fan = 1
                for k, action in enumerate(self.system.actions):
                    self._where = (f"action '{action.name}'", action.span)
                    self.labels.append((action.name, action.process,
                                        tuple(p.name for p, _ in action.params)))
                    self.emit_action(em, k, action, labeled)
                if self.net is not None and self.net.lossy:
                    self.labels.append(("drop", None, ()))
                    self.emit_drop(em, len(self.labels) - 1, labeled)
                if self.net is not None and self.net.partitions:
                    self.labels.append(("partition", None, ("side",)))
                    self.labels.append(("heal", None, ()))
                    self.emit_partitions(em, len(self.labels) - 2, labeled)
                em.line("return out")
        view = StateView()
        codes = []
        for i, prop in enumerate(self.system.invariants):
            self._where = (f"invariant '{prop.name}'", prop.span)
            codes.append(self.gen.expr(prop.expr, {}, view).src)
            with em.block(f"def invariant_{i}(s):"):
                self.unpack(em, "S", "s")
                em.line(f"return {codes[i]}")
        # The invariants still checked (bit i of `active`: invariant i), at once:
        # returns the bitmask of those that fail in s.
        with em.block("def violated_invariants(s, active):"):
            self.unpack(em, "S", "s")
            em.line("bad = 0")
            for i, (prop, src) in enumerate(zip(self.system.invariants, codes)):
                self._where = (f"invariant '{prop.name}'", prop.span)
                bit = self.gen.big(1 << i)      # (a name beyond 60 bits)
                with em.block(f"if active & {bit} and not {src}:"):
                    em.line(f"bad |= {bit}")
            em.line("return bad")
        for i, prop in enumerate(self.system.transitions):
            self._where = (f"transition '{prop.name}'", prop.span)
            with em.block(f"def transition_{i}(s, t):"):
                self.unpack(em, "S", "s")
                self.unpack(em, "T", "t")
                em.line(f"return {self.gen.expr(prop.expr, {}, view).src}")
        with em.block("def constraint(s):"):
            if self.system.constraints:
                self._where = (f"constraint '{self.system.constraints[0].name}'",
                               self.system.constraints[0].span)
                self.unpack(em, "S", "s")
                parts = [self.gen.expr(p.expr, {}, view) for p in self.system.constraints]
                em.line(f"return {self.gen.junction('and', parts).src}")
            else:
                em.line("return True")
        self.temporal_instances = []
        for i, prop in enumerate(self.system.temporal):
            self._where = (f"property '{prop.name}'", prop.span)
            instances = []
            for j, (label, env) in enumerate(self.temporal_envs(prop.temporal)):
                for part, e in (("p", prop.temporal.p), ("q", prop.temporal.q)):
                    if e is None:
                        continue
                    with em.block(f"def temporal_{i}_{j}_{part}(s):"):
                        self.unpack(em, "S", "s")
                        em.line(f"return {self.gen.expr(e, env, view).src}")
                instances.append((label, f"temporal_{i}_{j}_p",
                                  f"temporal_{i}_{j}_q" if prop.temporal.q is not None else None))
            self.temporal_instances.append(instances)
        return "\n".join(em.lines) + "\n"

    def temporal_envs(self, t: ir.TemporalIR) -> list[tuple[str, dict]]:
        """One (label, environment) per value of the `forall` binders in front."""
        envs = [("", {})]
        for local, dom in t.binders:
            out = []
            for label, env in envs:
                d = self.gen.expr(dom, env, StateView())
                if not d.const:
                    raise Unsupported("the domain of a temporal 'forall' must be constant")
                for v in d.dom.members(d.value):
                    shown = d.dom.elem.show(v)
                    out.append((f"{label}, {shown}" if label else shown,
                                {**env, local: self.gen.constant(v, d.dom.elem)}))
            envs = out
        return envs

    def unpack(self, em: Emitter, prefix: str, var: str):
        names = ", ".join(f"{prefix}{k}" for k in range(self.nslots))
        if self.nslots:
            em.line(f"{names}, = {var}")

    def state_tuple(self, view: View) -> str:
        return "(" + "".join(view.slot(k) + ", " for k in range(self.nslots)) + ")"

    # ---- actions -----------------------------------------------------------------------

    def emit_action(self, em: Emitter, k: int, action: ir.ActionIR, labeled: bool,
                    instance: Code | None = None):
        """The successor code of `action` (index k); with `instance`, for that process
        instance only (`enabled(P[i].a)`)."""
        proc = self.system.processes.get(action.process) if action.process else None
        binders: list[tuple[str, object]] = []
        # On a bitmask network, a handler for a message type with a small universe
        # is unrolled over the possible messages, outermost: the message becomes a
        # constant, so guards like `m.dst == self` are decided at compile time.
        unroll_msgs = action.receive is not None and self.net.rep == "mask" and \
            self.ctx.records[action.receive[0]].size <= UNROLL_MESSAGES
        if unroll_msgs:
            binders.append(("message", action.receive))
        if proc is not None and not proc.single and instance is None:
            binders.append(("self", proc))
        for local, dom in action.params:
            binders.append(("param", (local, dom)))
        if action.receive is not None and not unroll_msgs:
            binders.append(("receive", action.receive))
        conjuncts, body = _split_guards(action)
        bound_at = {}
        for i, (kind, b) in enumerate(binders):
            if kind == "self":
                bound_at[proc.self_local] = i + 1
            elif kind == "param":
                bound_at[b[0]] = i + 1
            elif kind in ("receive", "message"):
                bound_at[b[1]] = i + 1
        levels: list[list[ir.E]] = [[] for _ in range(len(binders) + 1)]
        after_raising = False
        for c in conjuncts:
            if after_raising or may_raise(c):
                # A conjunct that may raise a run-time error is evaluated where the spec
                # evaluates it (for a chosen parameter and message, after the conjuncts
                # before it), and the conjuncts after it stay after it.
                levels[len(binders)].append(c)
                after_raising = True
                continue
            lv = max((bound_at.get(l, 0) for l in ir.free_locals(c)), default=0)
            levels[lv].append(c)
        env0 = {proc.self_local: instance} if instance is not None else {}
        em.line(f"# {action.process + '.' if action.process else ''}{action.name}")
        # Unrolled, unless that makes this action's code larger than UNROLLED_SOURCE:
        # then again with loops over the instances and parameters.
        mark = em.mark()
        em.limit = min(em.limit, em.size + UNROLLED_SOURCE)
        try:
            self._emit_level(em, 0, binders, levels, dict(env0), action, k, labeled,
                             UNROLL_LIMIT, proc, {})
        except CodeTooLarge:
            em.rollback(mark)
            self._fan = 1
            self._emit_level(em, 0, binders, levels, dict(env0), action, k, labeled, 1, proc,
                             {})
        else:
            em.limit = mark[3]

    def _guard(self, em: Emitter, conds: list[ir.E], env, view) -> list[str] | None:
        """Codes of the guard conjuncts; None when one is constantly false (unless a
        conjunct before it may raise an error, which must still be evaluated)."""
        out, raising = [], False
        for c in conds:
            code = self.gen.expr(c, env, view)
            if code.const:
                if not code.value:
                    return out + ["False"] if raising else None
                continue
            out.append(code.src)
            raising = raising or may_raise(c)
        return out

    @contextmanager
    def _iterations(self, em: Emitter, size: int | None):
        """Emit the body of a loop of at most `size` iterations (None: unknown), or
        of each of `size` unrolled copies, inside this block; checks the successor
        cap at its top when the loop nest may run the body more than FANOUT times."""
        saved = self._fan
        if size is None or saved * size > FANOUT:
            em.line(CAP_CHECK)
            self._fan = 1
        else:
            self._fan = saved * max(size, 1)
        try:
            yield
        finally:
            self._fan = saved

    def _emit_level(self, em, i, binders, levels, env, action, k, labeled, budget, proc, extra,
                    pre: tuple[str, ...] = ()):
        view = StateView()
        conds = self._guard(em, levels[i], env, view)
        if conds is None:
            return
        conds = list(pre) + conds
        if conds:
            with em.block("if " + " and ".join(conds) + ":"):
                self._emit_inner(em, i, binders, levels, env, action, k, labeled, budget, proc,
                                 extra)
        else:
            self._emit_inner(em, i, binders, levels, env, action, k, labeled, budget, proc, extra)

    def _emit_inner(self, em, i, binders, levels, env, action, k, labeled, budget, proc, extra):
        if i == len(binders):
            self.emit_body(em, action, env, k, labeled, proc, extra)
            return
        kind, b = binders[i]
        nxt = (em, i + 1, binders, levels)
        if kind == "self":
            local = proc.self_local
            values = list(proc.instances)
            if len(values) <= budget:
                for v in values:
                    with self._iterations(em, len(values)):
                        self._emit_level(*nxt, {**env, local: self.gen.constant(
                            v, proc.instance_dom)}, action, k, labeled, budget // len(values),
                            proc, extra)
                return
            with em.block(f"for {local.py} in {self.gen.register(tuple(values))}:"), \
                    self._iterations(em, len(values)):
                self._emit_level(*nxt, {**env, local: Code(local.py, proc.instance_dom)},
                                 action, k, labeled, budget, proc, extra)
            return
        if kind == "message":
            msg_type, local = b
            rec = self.ctx.records[msg_type]
            base = self.net.messages.bases[rec.tag]
            for j, u in enumerate(rec.values()):
                present = f"({f'S{self.net.slot}'} >> {base + j} & 1)"
                with self._iterations(em, rec.size):
                    self._emit_level(*nxt, {**env, local: self.gen.constant(u, rec)}, action, k,
                                     labeled, budget, proc, extra, (present,))
            return
        if kind == "param":
            local, dom_e = b
            d = self.gen.expr(dom_e, env, StateView())
            if d.const and d.dom.count(d.value) <= budget:
                values = d.dom.members(d.value)
                for v in values:
                    with self._iterations(em, len(values)):
                        self._emit_level(*nxt, {**env, local: self.gen.constant(
                            v, d.dom.elem)}, action, k, labeled,
                            budget // max(1, len(values)), proc, extra)
                return
            with em.block(f"for {local.py} in {self.gen.iterate(d, ordered=True)}:"), \
                    self._iterations(em, _set_size(d)):
                self._emit_level(*nxt, {**env, local: Code(local.py, d.dom.elem)},
                                 action, k, labeled, budget, proc, extra)
            return
        self._emit_receive(em, i, binders, levels, env, action, k, labeled, budget, proc, extra)

    def _emit_receive(self, em, i, binders, levels, env, action, k, labeled, budget, proc, extra):
        msg_type, local = action.receive
        rec = self.ctx.records[msg_type]
        net = self.net
        netsrc = f"S{net.slot}"
        env2 = {**env, local: Code(local.py, rec)}
        nxt = (em, i + 1, binders, levels, env2, action, k, labeled, budget, proc)
        if net.rep == "mask":
            base = net.messages.bases[rec.tag]
            mask = (1 << rec.size) - 1
            # Conjuncts that depend on the message alone filter the bits up front.
            keep = []
            for c in levels[i + 1]:
                m = self.gen.element_mask(local, c, rec, env, StateView())
                if m is None:
                    keep.append(c)
                else:
                    mask &= m
            levels = levels[:i + 1] + [keep] + levels[i + 2:]
            nxt = (em, i + 1, binders, levels, env2, action, k, labeled, budget, proc)
            if mask == 0:
                return
            shifted = f"({netsrc} >> {base})" if base else netsrc
            table = self.gen.table(rec)
            with em.block(f"for {local.py} in _rt.members({shifted} & {self.gen.big(mask)}, "
                          f"{table}):"), self._iterations(em, mask.bit_count()):
                self._emit_level(*nxt, extra)
            return
        if net.rep == "frozenset":
            key = self.gen.register(sort_key, "F")
            with em.block(f"for {local.py} in sorted([_m for _m in {netsrc} if _m[0] == "
                          f"{rec.tag}], key={key}):"), self._iterations(em, rec.size):
                self._emit_level(*nxt, extra)
            return
        if net.rep == "bag":
            pos = em.fresh("_pos")
            if net.senders:     # elements are (sender node, message); sides must meet
                el = em.fresh("_el")
                dst = self.node_code(proc, env) if proc is not None else "-1"
                loop = f"for {pos}, {el} in _rt.bag_distinct({netsrc}):"
                test = f"if {el}[1][0] == {rec.tag} and " \
                       f"_rt.same_side(S{net.partition_slot}, {el}[0], {dst}):"
            else:
                el = None
                loop = f"for {pos}, {local.py} in _rt.bag_distinct({netsrc}):"
                test = f"if {local.py}[0] == {rec.tag}:"
            distinct = rec.size
            if net.senders and distinct is not None:
                distinct *= len(self.system.nodes) + 1
            with em.block(loop), self._iterations(em, distinct):
                with em.block(test):
                    if el is not None:
                        em.line(f"{local.py} = {el}[1]")
                    consumed = f"_rt.remove_at({netsrc}, {pos})"
                    if net.duplicating:
                        keepv = em.fresh("_net")
                        with em.block(f"for {keepv} in ({consumed}, {netsrc}):"), \
                                self._iterations(em, 2):
                            self._emit_level(*nxt, {**extra, "net": keepv})
                    else:
                        self._emit_level(*nxt, {**extra, "net": consumed})
            return
        # fifo: the head of every channel into this node
        node = self.node_code(proc, env)
        nn = len(self.system.nodes)
        chan = em.fresh("_c")
        with em.block(f"for {chan} in range({node}, {nn * nn}, {nn}):"), \
                self._iterations(em, nn):
            q = em.fresh("_q")
            em.line(f"{q} = {netsrc}[{chan}]")
            side = f" and _rt.same_side(S{net.partition_slot}, {chan} // {nn}, {node})" \
                if net.partitions else ""
            with em.block(f"if {q} and {q}[0][0] == {rec.tag}{side}:"):
                em.line(f"{local.py} = {q}[0]")
                popped = f"_rt.fifo_pop({netsrc}, {chan})"
                if net.duplicating:
                    keepv = em.fresh("_net")
                    with em.block(f"for {keepv} in ({popped}, {netsrc}):"), \
                            self._iterations(em, 2):
                        self._emit_level(*nxt, {**extra, "net": keepv, "chan": chan})
                else:
                    self._emit_level(*nxt, {**extra, "net": popped, "chan": chan})

    def node_code(self, proc, env) -> str:
        """Source of the node index of the acting instance."""
        if proc is None:
            raise Unsupported("only processes receive on a fifo network")
        if proc.single:
            return str(proc.first_node)
        c = env[proc.self_local]
        if c.const:
            return str(proc.first_node + proc.instances.index(c.value))
        pos = self.gen.instance_position(proc, c, proc.span)
        return f"({proc.first_node} + {pos})"

    def emit_drop(self, em: Emitter, k: int, labeled: bool):
        """Built-in action of a lossy network: any in-flight message may be lost."""
        net = self.net
        netsrc = f"S{net.slot}"
        em.line("# network.drop")
        names = [f"S{j}" for j in range(self.nslots)]
        distinct = net.messages.size
        if net.rep == "bag":
            if net.senders and distinct is not None:
                distinct *= len(self.system.nodes) + 1
            with em.block(f"for _pos, _m in _rt.bag_distinct({netsrc}):"), \
                    self._iterations(em, distinct):
                names[net.slot] = f"_rt.remove_at({netsrc}, _pos)"
                msg = "_m[1]" if net.senders else "_m"
                self._yield(em, names, labeled, f"({k}, None, (), {msg}, ())")
        else:
            with em.block(f"for _c in range({net.channels}):"), \
                    self._iterations(em, net.channels), \
                    em.block(f"for _pos, _m in enumerate({netsrc}[_c]):"), \
                    self._iterations(em, None):
                names[net.slot] = f"_rt.fifo_drop({netsrc}, _c, _pos)"
                self._yield(em, names, labeled, f"({k}, None, (), _m, ())")

    def emit_partitions(self, em: Emitter, k: int, labeled: bool):
        """Built-in actions of a network with partitions(N): split the nodes in two
        (while connected, at most N times), and heal."""
        net = self.net
        ps, cs = f"S{net.partition_slot}", f"S{net.count_slot}"
        nn = len(self.system.nodes)
        full = (1 << nn) - 1
        # One side is the set of nodes with node 0: each split is listed once.
        sides = self.gen.register(tuple(g for g in range(1, full) if g & 1))
        em.line("# network.partition")
        names = [f"S{j}" for j in range(self.nslots)]
        with em.block(f"if {ps} == 0 and {cs} < {net.partitions}:"):
            with em.block(f"for _side in {sides}:"), \
                    self._iterations(em, (1 << (nn - 1)) - 1):
                names[net.partition_slot] = "_side"
                names[net.count_slot] = f"{cs} + 1"
                self._yield(em, names, labeled, f"({k}, None, (_side,), None, ())")
        em.line("# network.heal")
        names = [f"S{j}" for j in range(self.nslots)]
        with em.block(f"if {ps} != 0:"):
            names[net.partition_slot] = "0"
            self._yield(em, names, labeled, f"({k + 1}, None, (), None, ())")

    def _yield(self, em: Emitter, names: list[str], labeled: bool, label: str):
        t = "(" + "".join(n + ", " for n in names) + ")"
        em.line(f"app(({label}, {t}))" if labeled else f"app({t})")

    # ---- action bodies ---------------------------------------------------------------------



def _set_size(d: Code) -> int | None:
    """An upper bound on the members of set `d` (None: none known)."""
    if d.rng is not None:
        return d.rng[1] - d.rng[0] + 1
    if isinstance(d.dom, DSet):
        return d.dom.elem.size
    return None
