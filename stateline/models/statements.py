"""Action bodies -> Python statements (a mixin of `ModelCompiler`).

Statements run in order over mutable local names for the state slots they
write (`N<k>`), or over a list copy of the state when a slot is only known at
run time; a `require` opens an `if`, and a branch that may fail sets a flag
that guards the statements after it.  The successor is one tuple built from
those names at the end.
"""

from __future__ import annotations

from contextlib import contextmanager

from ..lang import ir
from .code import Code, Unsupported, View
from .domains import DMap, DOption, DRecord, DSeq
from .runtime import memoized
from .sets import UNROLL_NESTED

WIDE_STATE = 48         # states with more slots are copied as lists in action bodies
UNROLL_FOR = 64         # `for` statements over constant domains up to this size are unrolled



class _Dynamic(Exception):
    """An assignment whose slot is only known at run time: use list mode."""


MAX_SOURCE = 2_000_000  # characters of generated Python an instance may compile to


class CodeTooLarge(Exception):
    """The generated source outgrew MAX_SOURCE (unrolling made too many copies)."""


class Emitter:
    def __init__(self):
        self.lines: list[str] = []
        self.depth = 0
        self._n = 0
        self.size = 0
        self.limit = MAX_SOURCE

    def line(self, text: str):
        text = "    " * self.depth + text
        self.size += len(text) + 1
        if self.size > self.limit:
            raise CodeTooLarge()
        self.lines.append(text)

    def mark(self) -> tuple[int, int, int, int]:
        return len(self.lines), self.size, self.depth, self.limit

    def rollback(self, mark: tuple[int, int, int, int]) -> None:
        """Forget the lines emitted since `mark` (and restore the limit then)."""
        n, self.size, self.depth, self.limit = mark
        del self.lines[n:]

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


class StatementsMixin:
    def emit_body(self, em: Emitter, action: ir.ActionIR, env, k, labeled, proc, extra):
        body = _split_guards(action)[1]
        try:
            written = self.written_slots(body, env, proc)
            # A wide state is copied as a list rather than spelled out slot by slot,
            # which would make the generated code grow with instances x slots.
            list_mode = self.nslots > WIDE_STATE
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
                    if not c.value:           # never enabled past this point
                        em.line("pass")       # (an `if` just opened must not stay empty)
                        em.depth = depth
                        return
                    continue
                em.line(f"if {c.src}:")
                em.depth += 1
            elif isinstance(st, ir.AssertS):
                c = self.gen.expr(st.cond, env, view)
                call = f"_rt.assert_failed({self.gen.site(st.span)}, {st.message!r})"
                if not c.const:
                    em.line(f"if not ({c.src}):")
                    em.line("    " + call)
                elif not c.value:
                    em.line(call)
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
                seq = isinstance(d.dom, DSeq)
                count = (len(d.value) if seq else d.dom.count(d.value)) if d.const else 0
                if d.const and count <= UNROLL_FOR and \
                        self.gen.unrolled * count <= UNROLL_NESTED:
                    self.gen.unrolled *= max(count, 1)
                    for v in (d.value if seq else d.dom.members(d.value)):
                        self.emit_block(em, st.body, {**env, st.local: self.gen.constant(
                            v, d.dom.elem)}, view, action, proc, labeled, lambda: None)
                    self.gen.unrolled //= max(count, 1)
                else:
                    it = d.src if seq else self.gen.iterate(d, ordered=True)
                    with em.block(f"for {st.local.py} in {it}:"):
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
        if kc.const and kc.value in lay.process.instances:
            return lay.base + lay.process.instances.index(kc.value), ""
        pos = self.gen.instance_position(lay.process, kc, key.span)
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
        if isinstance(dom, DOption):          # r.f := v on an option record: r must be set
            cur = Code(f"_rt.unwrap({cur.src}, {self.gen.site(st.span)})", dom.elem)
            dom = dom.elem
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
            key = _bag_key(gen, net)
            elem = msg
            if net.senders:
                src = self.node_code(proc, env) if proc is not None else "-1"
                elem = f"({src}, {msg})"
            em.line(f"{slot} = _rt.bag_add({slot}, {elem}, {key})")
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
        if kc.const and kc.value in proc.instances:
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


def _bag_key(gen, net) -> str:
    """The name of the order of a bag's elements (message index; with senders, sender
    then message index), one per model so its memoised indices are shared by every
    send."""
    name = "B" + gen.register(net.messages.index, "F")
    if name not in gen.ns:
        index = memoized(net.messages.index)
        gen.ns[name] = (lambda e: (e[0], index(e[1]))) if net.senders else index
    return name
