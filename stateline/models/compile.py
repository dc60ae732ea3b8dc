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
from .code import Code, Unsupported, View
from .domains import DMap, DRecord, DSeq, sort_key
from .system import System

UNROLL_LIMIT = 4096     # instances of one action schema unrolled at compile time
UNROLL_MESSAGES = 64    # handlers for message types with at most this many values are unrolled


class _Dynamic(Exception):
    """An assignment whose slot is only known at run time: use list mode."""


class Emitter:
    def __init__(self):
        self.lines: list[str] = []
        self.depth = 0
        self._n = 0

    def line(self, text: str):
        self.lines.append("    " * self.depth + text)

    def fresh(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    @contextmanager
    def block(self, header: str):
        self.line(header)
        self.depth += 1
        mark = len(self.lines)
        try:
            yield
        finally:
            if len(self.lines) == mark:
                self.line("pass")
            self.depth -= 1


class StateView(View):
    """Reads state slots from the unpacked locals S<k> (and T<k> when primed)."""

    def slot(self, k: int, primed: bool = False) -> str:
        return f"T{k}" if primed else f"S{k}"

    def dynamic(self, base: int, count: int, pos_src: str, primed: bool = False) -> str:
        return f"{'t' if primed else 's'}[{base} + {pos_src}]" if base else \
            f"{'t' if primed else 's'}[{pos_src}]"


class BodyView(View):
    """Inside an action body: written slots are the mutable locals N<k>."""

    def __init__(self, written: set[int], list_mode: bool):
        self.written = written
        self.list_mode = list_mode

    def slot(self, k: int, primed: bool = False) -> str:
        if self.list_mode:
            return f"ns[{k}]"
        return f"N{k}" if k in self.written else f"S{k}"

    def dynamic(self, base: int, count: int, pos_src: str, primed: bool = False) -> str:
        if self.list_mode:
            return f"ns[{base} + {pos_src}]"
        if any(base + i in self.written for i in range(count)):
            names = ", ".join(self.slot(base + i) for i in range(count))
            return f"({names},)[{pos_src}]"
        return f"s[{base} + {pos_src}]"


class ModelCompiler:
    def __init__(self, system: System):
        self.system = system
        self.ctx = system.context
        self.gen = self.ctx.gen
        self.nslots = len(system.slots)
        self.net = system.network
        self.labels: list[tuple[str, str | None, tuple[str, ...]]] = []

    # ---- the module -------------------------------------------------------------------

    def source(self) -> str:
        em = Emitter()
        for labeled in (False, True):
            self.labels = []
            name = "successors_labeled" if labeled else "successors"
            with em.block(f"def {name}(s):"):
                self.unpack(em, "S", "s")
                em.line("out = []")
                em.line("app = out.append")
                for k, action in enumerate(self.system.actions):
                    self.labels.append((action.name, action.process,
                                        tuple(p.name for p, _ in action.params)))
                    self.emit_action(em, k, action, labeled)
                if self.net is not None and self.net.lossy:
                    self.labels.append(("drop", None, ()))
                    self.emit_drop(em, len(self.labels) - 1, labeled)
                em.line("return out")
        view = StateView()
        codes = [self.gen.expr(prop.expr, {}, view).src for prop in self.system.invariants]
        for i, src in enumerate(codes):
            with em.block(f"def invariant_{i}(s):"):
                self.unpack(em, "S", "s")
                em.line(f"return {src}")
        # All invariants at once: a bitmask of the violated ones (bit i: invariant i).
        with em.block("def violated_invariants(s):"):
            self.unpack(em, "S", "s")
            em.line("bad = 0")
            for i, src in enumerate(codes):
                with em.block(f"if not {src}:"):
                    em.line(f"bad |= {1 << i}")
            em.line("return bad")
        for i, prop in enumerate(self.system.transitions):
            with em.block(f"def transition_{i}(s, t):"):
                self.unpack(em, "S", "s")
                self.unpack(em, "T", "t")
                em.line(f"return {self.gen.expr(prop.expr, {}, view).src}")
        with em.block("def constraint(s):"):
            if self.system.constraints:
                self.unpack(em, "S", "s")
                parts = [self.gen.expr(p.expr, {}, view) for p in self.system.constraints]
                em.line(f"return {self.gen.junction('and', parts).src}")
            else:
                em.line("return True")
        return "\n".join(em.lines) + "\n"

    def unpack(self, em: Emitter, prefix: str, var: str):
        names = ", ".join(f"{prefix}{k}" for k in range(self.nslots))
        if self.nslots:
            em.line(f"{names}, = {var}")

    def state_tuple(self, view: View) -> str:
        return "(" + "".join(view.slot(k) + ", " for k in range(self.nslots)) + ")"

    # ---- actions -----------------------------------------------------------------------

    def emit_action(self, em: Emitter, k: int, action: ir.ActionIR, labeled: bool):
        proc = self.system.processes.get(action.process) if action.process else None
        binders: list[tuple[str, object]] = []
        # On a bitmask network, a handler for a message type with a small universe
        # is unrolled over the possible messages, outermost: the message becomes a
        # constant, so guards like `m.dst == self` are decided at compile time.
        unroll_msgs = action.receive is not None and self.net.rep == "mask" and \
            self.ctx.records[action.receive[0]].size <= UNROLL_MESSAGES
        if unroll_msgs:
            binders.append(("message", action.receive))
        if proc is not None and not proc.single:
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
        for c in conjuncts:
            lv = max((bound_at.get(l, 0) for l in ir.free_locals(c)), default=0)
            levels[lv].append(c)
        em.line(f"# {action.process + '.' if action.process else ''}{action.name}")
        self._emit_level(em, 0, binders, levels, {}, action, k, labeled, UNROLL_LIMIT, proc, {})

    def _guard(self, em: Emitter, conds: list[ir.E], env, view) -> list[str] | None:
        """Codes of the guard conjuncts; None when one is constantly false."""
        out = []
        for c in conds:
            code = self.gen.expr(c, env, view)
            if code.const:
                if not code.value:
                    return None
                continue
            out.append(code.src)
        return out

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
                    self._emit_level(*nxt, {**env, local: self.gen.constant(v, proc.instance_dom)},
                                     action, k, labeled, budget // len(values), proc, extra)
                return
            with em.block(f"for {local.py} in {self.gen.register(tuple(values))}:"):
                self._emit_level(*nxt, {**env, local: Code(local.py, proc.instance_dom)},
                                 action, k, labeled, budget, proc, extra)
            return
        if kind == "message":
            msg_type, local = b
            rec = self.ctx.records[msg_type]
            base = self.net.messages.bases[rec.tag]
            for j, u in enumerate(rec.values()):
                present = f"({f'S{self.net.slot}'} >> {base + j} & 1)"
                self._emit_level(*nxt, {**env, local: self.gen.constant(u, rec)}, action, k,
                                 labeled, budget, proc, extra, (present,))
            return
        if kind == "param":
            local, dom_e = b
            d = self.gen.expr(dom_e, env, StateView())
            if d.const:
                values = d.dom.members(d.value)
                if len(values) <= budget:
                    for v in values:
                        self._emit_level(*nxt, {**env, local: self.gen.constant(v, d.dom.elem)},
                                         action, k, labeled, budget // max(1, len(values)),
                                         proc, extra)
                    return
            with em.block(f"for {local.py} in {self.gen.iterate(d, ordered=True)}:"):
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
                          f"{table}):"):
                self._emit_level(*nxt, extra)
            return
        if net.rep == "frozenset":
            key = self.gen.register(sort_key, "F")
            with em.block(f"for {local.py} in sorted([_m for _m in {netsrc} if _m[0] == "
                          f"{rec.tag}], key={key}):"):
                self._emit_level(*nxt, extra)
            return
        if net.rep == "bag":
            pos = em.fresh("_pos")
            with em.block(f"for {pos}, {local.py} in _rt.bag_distinct({netsrc}):"):
                with em.block(f"if {local.py}[0] == {rec.tag}:"):
                    consumed = f"_rt.remove_at({netsrc}, {pos})"
                    if net.duplicating:
                        keepv = em.fresh("_net")
                        with em.block(f"for {keepv} in ({consumed}, {netsrc}):"):
                            self._emit_level(*nxt, {**extra, "net": keepv})
                    else:
                        self._emit_level(*nxt, {**extra, "net": consumed})
            return
        # fifo: the head of every channel into this node
        node = self.node_code(proc, env)
        nn = len(self.system.nodes)
        chan = em.fresh("_c")
        with em.block(f"for {chan} in range({node}, {nn * nn}, {nn}):"):
            q = em.fresh("_q")
            em.line(f"{q} = {netsrc}[{chan}]")
            with em.block(f"if {q} and {q}[0][0] == {rec.tag}:"):
                em.line(f"{local.py} = {q}[0]")
                popped = f"_rt.fifo_pop({netsrc}, {chan})"
                if net.duplicating:
                    keepv = em.fresh("_net")
                    with em.block(f"for {keepv} in ({popped}, {netsrc}):"):
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
        if net.rep == "bag":
            with em.block(f"for _pos, _m in _rt.bag_distinct({netsrc}):"):
                names[net.slot] = f"_rt.remove_at({netsrc}, _pos)"
                self._yield(em, names, labeled, f"({k}, None, (), _m, ())")
        else:
            with em.block(f"for _c in range({net.channels}):"):
                with em.block(f"for _pos, _m in enumerate({netsrc}[_c]):"):
                    names[net.slot] = f"_rt.fifo_drop({netsrc}, _c, _pos)"
                    self._yield(em, names, labeled, f"({k}, None, (), _m, ())")

    def _yield(self, em: Emitter, names: list[str], labeled: bool, label: str):
        t = "(" + "".join(n + ", " for n in names) + ")"
        em.line(f"app(({label}, {t}))" if labeled else f"app({t})")

    # ---- action bodies ---------------------------------------------------------------------

    def emit_body(self, em: Emitter, action: ir.ActionIR, env, k, labeled, proc, extra):
        body = _split_guards(action)[1]
        try:
            written = self.written_slots(body, env, proc)
            list_mode = False
        except _Dynamic:
            written, list_mode = set(), True
        consumes = action.receive is not None and self.net.rep in ("bag", "fifo")
        if self.net is not None and (consumes or _sends(body)):
            written.add(self.net.slot)
        view = BodyView(written, list_mode)
        if list_mode:
            em.line("ns = list(s)")
        else:
            for j in sorted(written):
                em.line(f"N{j} = S{j}")
        if "net" in extra:
            em.line(f"{view.slot(self.net.slot)} = {extra['net']}")
        if labeled:
            em.line("_sends = []")
        params = [env[p] for p, _ in action.params]
        self_code = env[proc.self_local].src if proc is not None and not proc.single else "None"
        recv = env[action.receive[1]].src if action.receive is not None else "None"
        label = f"({k}, {self_code}, (" + "".join(p.src + ", " for p in params) + \
            f"), {recv}, tuple(_sends))"
        state = "tuple(ns)" if list_mode else self.state_tuple(view)

        def finish():
            em.line(f"app(({label}, {state}))" if labeled else f"app({state})")

        self.emit_block(em, body, dict(env), view, action, proc, labeled, finish)

    def emit_block(self, em, stmts, env, view, action, proc, labeled, finish):
        depth = em.depth
        for idx, st in enumerate(stmts):
            if isinstance(st, ir.RequireS):
                c = self.gen.expr(st.cond, env, view)
                if c.const:
                    if not c.value:
                        em.depth = depth
                        return
                    continue
                em.line(f"if {c.src}:")
                em.depth += 1
            elif isinstance(st, ir.AssignS):
                self.emit_assign(em, st, env, view)
            elif isinstance(st, ir.SendS):
                self.emit_send(em, st, env, view, proc, labeled)
            elif isinstance(st, ir.LetS):
                v = self.gen.expr(st.value, env, view)
                if v.const:
                    env[st.local] = v
                else:
                    em.line(f"{st.local.py} = {v.src}")
                    env[st.local] = Code(st.local.py, v.dom, rng=v.rng)
            elif isinstance(st, ir.IfS):
                c = self.gen.expr(st.cond, env, view)
                if c.const:
                    rest = list(st.then if c.value else st.orelse) + list(stmts[idx + 1:])
                    self.emit_block(em, rest, env, view, action, proc, labeled, finish)
                    em.depth = depth
                    return
                fails = _may_fail(st.then) or _may_fail(st.orelse)
                ok = em.fresh("_ok") if fails else None
                if ok:
                    em.line(f"{ok} = False")
                mark = ok and (lambda: em.line(f"{ok} = True"))
                with em.block(f"if {c.src}:"):
                    self.emit_block(em, st.then, dict(env), view, action, proc, labeled,
                                    mark or (lambda: None))
                with em.block("else:"):
                    self.emit_block(em, st.orelse, dict(env), view, action, proc, labeled,
                                    mark or (lambda: None))
                if ok:
                    em.line(f"if {ok}:")
                    em.depth += 1
            elif isinstance(st, ir.ForS):
                d = self.gen.expr(st.domain, env, view)
                if d.const and len(d.dom.members(d.value)) <= 64:
                    for v in d.dom.members(d.value):
                        self.emit_block(em, st.body, {**env, st.local: self.gen.constant(
                            v, d.dom.elem)}, view, action, proc, labeled, lambda: None)
                else:
                    with em.block(f"for {st.local.py} in {self.gen.iterate(d, ordered=True)}:"):
                        self.emit_block(em, st.body, {**env, st.local: Code(st.local.py,
                                                                            d.dom.elem)},
                                        view, action, proc, labeled, lambda: None)
        finish()
        em.depth = depth

    def target_slot(self, var: ir.VarSym, key: ir.E | None, env, view) -> tuple[int | None, str]:
        """(static slot, or None and the source of a dynamic slot index)."""
        lay = self.ctx.layout(var)
        if lay.process is None or lay.process.single:
            return lay.base, ""
        kc = self.gen.expr(key, env, view)
        if kc.const:
            return lay.base + lay.process.instances.index(kc.value), ""
        pos = self.gen.instance_position(lay.process, kc, var.span)
        return None, f"{lay.base} + {pos}"

    def emit_assign(self, em, st: ir.AssignS, env, view):
        slot, dyn = self.target_slot(st.var, st.key, env, view)
        lay = self.ctx.layout(st.var)
        cur = view.slot(slot) if slot is not None else f"ns[{dyn}]"
        new = self.updated(Code(cur, lay.dom), list(st.path), st.value, env, view, st)
        target = view.slot(slot) if slot is not None else f"ns[{dyn}]"
        em.line(f"{target} = {new}")

    def updated(self, cur: Code, path, value: ir.E, env, view, st) -> str:
        if not path:
            v = self.gen.expr(value, env, view)
            return self.gen.checked(v, cur.dom, value.span, f"'{st.var.name}'").src
        kind, x = path[0]
        dom = cur.dom
        if kind == "field":
            rec: DRecord = dom
            i = rec.offset + x
            inner = Code(f"{cur.src}[{i}]", rec.fields[x][1])
            return f"_rt.tuple_set({cur.src}, {i}, " \
                   f"{self.updated(inner, path[1:], value, env, view, st)})"
        kc = self.gen.expr(x, env, view)
        if isinstance(dom, DMap):
            idx = self.gen.key_index(dom, kc, x.span)
            inner = Code(f"{cur.src}[{idx}]", dom.value)
            return f"_rt.tuple_set({cur.src}, {idx}, " \
                   f"{self.updated(inner, path[1:], value, env, view, st)})"
        assert isinstance(dom, DSeq)
        site = self.gen.site(x.span)
        inner = Code(f"_rt.seq_get({cur.src}, {kc.src}, {site})", dom.elem)
        return f"_rt.seq_set({cur.src}, {kc.src}, " \
               f"{self.updated(inner, path[1:], value, env, view, st)}, {site})"

    def emit_send(self, em, st: ir.SendS, env, view, proc, labeled):
        net = self.net
        gen = self.gen
        slot = view.slot(net.slot)
        rec = self.ctx.records[st.message.type.name]
        if net.rep == "mask" and isinstance(st.message, ir.RecordE):
            fields = [gen.checked(gen.expr(f, env, view), fdom, f.span, f"field '{fname}'")
                      for f, (fname, fdom) in zip(st.message.fields, rec.fields)]
            base = net.messages.bases[rec.tag]
            idx = gen.record_index(rec, fields, base)
            if all(f.const for f in fields):
                em.line(f"{slot} = {slot} | {gen.big(1 << int(idx.strip('()')))}")
            else:
                em.line(f"{slot} = {slot} | (1 << {idx})")
            if labeled:
                parts = [repr(rec.tag)] + [f.src for f in fields]
                em.line(f"_sends.append((({''.join(p + ', ' for p in parts)}), None))")
            return
        m = gen.expr(st.message, env, view)
        msg = em.fresh("_msg")
        em.line(f"{msg} = {m.src}")
        dst = "None"
        if net.rep == "mask":
            em.line(f"{slot} = {slot} | (1 << {gen.bit(Code(msg, net.messages), net.messages)})")
        elif net.rep == "frozenset":
            em.line(f"{slot} = {slot} | frozenset(({msg},))")
        elif net.rep == "bag":
            key = gen.register(net.messages.index, "F")
            em.line(f"{slot} = _rt.bag_add({slot}, {msg}, {key})")
        else:
            src_node = self.node_code(proc, env)
            dst_code = self.dest_node(st.to, env, view)
            nn = len(self.system.nodes)
            em.line(f"{slot} = _rt.fifo_send({slot}, {src_node} * {nn} + {dst_code}, {msg})")
            dst = dst_code
        if labeled:
            em.line(f"_sends.append(({msg}, {dst}))")

    def dest_node(self, to: ir.E, env, view) -> str:
        proc = self.system.processes[to.process]
        if to.key is None:
            return str(proc.first_node)
        kc = self.gen.expr(to.key, env, view)
        if kc.const:
            return str(proc.first_node + proc.instances.index(kc.value))
        return f"({proc.first_node} + {self.gen.instance_position(proc, kc, to.span)})"

    def written_slots(self, stmts, env, proc) -> set[int]:
        out: set[int] = set()
        for st in _walk_stmts(stmts):
            if isinstance(st, ir.AssignS):
                try:
                    slot, _ = self.target_slot(st.var, st.key, env, StateView())
                except Unsupported:
                    raise _Dynamic() from None
                if slot is None:
                    raise _Dynamic()
                out.add(slot)
        return out


def _split_guards(action: ir.ActionIR) -> tuple[list[ir.E], tuple[ir.S, ...]]:
    """Guard conjuncts (header `if` and leading `require`s) and the rest of the body."""
    conj: list[ir.E] = []

    def add(e: ir.E):
        if isinstance(e, ir.Op) and e.op == "and":
            for a in e.args:
                add(a)
        else:
            conj.append(e)

    if action.guard is not None:
        add(action.guard)
    body = list(action.body)
    while body and isinstance(body[0], ir.RequireS):
        add(body.pop(0).cond)
    return conj, tuple(body)


def _walk_stmts(stmts):
    for st in stmts:
        yield st
        if isinstance(st, ir.IfS):
            yield from _walk_stmts(st.then)
            yield from _walk_stmts(st.orelse)
        elif isinstance(st, ir.ForS):
            yield from _walk_stmts(st.body)


def _may_fail(stmts) -> bool:
    return any(isinstance(s, ir.RequireS) for s in _walk_stmts(stmts))


def _sends(stmts) -> bool:
    return any(isinstance(s, ir.SendS) for s in _walk_stmts(stmts))

