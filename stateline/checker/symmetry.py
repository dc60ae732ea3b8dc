"""Symmetry reduction over `symmetric` sets of model values.

When a spec declares ``const Acceptors = {a1, a2, a3} symmetric``, renaming the
acceptors maps behaviours to behaviours, so the checker keeps one
representative per class of states equal up to such a renaming: the smallest
state (in a fixed total order) among all renamings.  This is sound for
properties that do not mention individual model values of the symmetric sets
(as with TLC's SYMMETRY); the run header says when it is on.

A permutation acts on a state slot by slot, following each slot's `Dom`:
model values are renamed, bitmask sets have their bits moved, maps keyed by a
symmetric set have their entries moved, and the slots of a process whose
instances are a symmetric set are moved between instances.
"""

from __future__ import annotations

import itertools
from typing import Callable

from ..diagnostics import fail
from ..lang import ir
from ..models.domains import (DAtom, DMap, DMsg, DOption, DRecord, DSeq, DSet, DTuple, Dom,
                              sort_key)
from ..models.runtime import memoized
from ..models.system import System

MAX_PERMUTATIONS = 5040     # 7! - beyond this the reduction costs more than it saves


def _touches(dom: Dom, sorts: set[str]) -> bool:
    if isinstance(dom, DAtom):
        return dom.sort in sorts
    if isinstance(dom, (DOption, DSet, DSeq)):
        return _touches(dom.elem, sorts)
    if isinstance(dom, DTuple):
        return any(_touches(d, sorts) for d in dom.items)
    if isinstance(dom, DRecord):
        return any(_touches(d, sorts) for _, d in dom.fields)
    if isinstance(dom, DMsg):
        return any(_touches(r, sorts) for r in dom.records)
    if isinstance(dom, DMap):
        return _touches(dom.key, sorts) or _touches(dom.value, sorts)
    return False


def value_mapper(dom: Dom, perm: dict[str, tuple[int, ...]]) -> Callable | None:
    """A function renaming the model values inside values of `dom` (None: identity)."""
    sorts = set(perm)
    if not _touches(dom, sorts):
        return None
    if isinstance(dom, DAtom):
        p = perm[dom.sort]
        return p.__getitem__
    if isinstance(dom, DOption):
        inner = value_mapper(dom.elem, perm)
        return lambda v: v if v == () else inner(v)
    if isinstance(dom, (DTuple, DRecord)):
        doms = dom.items if isinstance(dom, DTuple) else [d for _, d in dom.fields]
        off = 0 if isinstance(dom, DTuple) else dom.offset
        maps = [value_mapper(d, perm) for d in doms]
        head = off

        def tup(v, maps=maps, head=head):
            return v[:head] + tuple(x if m is None else m(x)
                                    for m, x in zip(maps, v[head:]))
        return tup
    if isinstance(dom, DMsg):
        maps = [value_mapper(r, perm) for r in dom.records]
        return lambda v: v if maps[v[0]] is None else maps[v[0]](v)
    if isinstance(dom, DSet):
        inner = value_mapper(dom.elem, perm)
        if dom.mask:
            univ = dom.elem.values()
            table = [dom.elem.bit(inner(u)) for u in univ]
            bits = [dom.elem.bit(u) for u in univ]
            if bits != list(range(len(bits))):
                return lambda v: frozenset(inner(x) for x in dom.members(v))
            return _bit_mover(table)
        return lambda v: frozenset(inner(x) for x in v)
    if isinstance(dom, DSeq):
        inner = value_mapper(dom.elem, perm)
        return lambda v: tuple(inner(x) for x in v)
    if isinstance(dom, DMap):
        vmap = value_mapper(dom.value, perm) or (lambda x: x)
        keys = dom.key.values()
        kmap = value_mapper(dom.key, perm)
        if kmap is None:
            return lambda v: tuple(vmap(x) for x in v)
        # new[position of k'] = old[position of k] where k' = perm(k)
        order = [0] * len(keys)
        for i, k in enumerate(keys):
            order[dom.key.index(kmap(k))] = i
        return lambda v: tuple(vmap(v[j]) for j in order)
    return None


def _node_permutation(system: System, perm) -> list[int]:
    nodes = list(range(len(system.nodes)))
    for i, (proc, inst) in enumerate(system.nodes):
        p = system.processes[proc]
        if not p.single and isinstance(p.instance_dom, DAtom) and p.instance_dom.sort in perm:
            nodes[i] = system.node_index(proc, perm[p.instance_dom.sort][inst])
    return nodes


def _network_mapper(system: System, perm) -> Callable | None:
    net = system.network
    msgs = net.messages
    inner = value_mapper(msgs, perm)
    nodes = _node_permutation(system, perm)
    moved_nodes = nodes != list(range(len(nodes)))
    if inner is None and not moved_nodes:
        return None
    inner = inner or (lambda m: m)
    if net.rep == "mask":
        table = [msgs.index(inner(u)) for u in msgs.values()]
        return _bit_mover(table)
    if net.rep == "frozenset":
        return lambda v: frozenset(inner(x) for x in v)
    index = memoized(msgs.index)
    if net.rep == "bag" and net.senders:
        return lambda v: tuple(sorted(((nodes[a] if a >= 0 else a, inner(x)) for a, x in v),
                                      key=lambda e: (e[0], index(e[1]))))
    if net.rep == "bag":
        return lambda v: tuple(sorted((inner(x) for x in v), key=index))
    nn = len(nodes)
    order = [0] * (nn * nn)          # new channel -> old channel
    for c in range(nn * nn):
        src, dst = divmod(c, nn)
        order[nodes[src] * nn + nodes[dst]] = c
    return lambda v: tuple(tuple(inner(m) for m in v[c]) for c in order)


def _precedes(t: tuple, u: tuple) -> bool:
    """sort_key(t) < sort_key(u) for two states (tuples of one length), computed on the
    first slots where they differ only (equal values have equal keys)."""
    for a, b in zip(t, u):
        if a != b:
            if type(a) is int and type(b) is int:
                return a < b
            ka, kb = sort_key(a), sort_key(b)
            if ka != kb:
                return ka < kb
    return False


MOVED_CACHE = 4096      # masks remembered per renaming and slot
CANONICAL_CACHE = 1 << 16   # states whose canonical form is remembered (then forgotten)
NARROWED_BUDGET = 1 << 21   # candidate indices the narrowing memo may hold in all


def _bit_mover(table: list[int]) -> Callable[[int], int]:
    """`_move_bits` with `table`, remembering the first MOVED_CACHE masks it moved (the
    same few masks come back for state after state; moving bit by bit dominated the
    canonical form)."""
    cache: dict[int, int] = {}
    get = cache.get

    def move(mask: int) -> int:
        out = get(mask)
        if out is None:
            out = _move_bits(mask, table)
            if len(cache) < MOVED_CACHE:
                cache[mask] = out
        return out
    return move


def _move_bits(mask: int, table: list[int]) -> int:
    out = 0
    while mask:
        low = mask & -mask
        out |= 1 << table[low.bit_length() - 1]
        mask ^= low
    return out


class Symmetry:
    """Canonical representatives of states under the symmetric sets of a System."""

    def __init__(self, system: System):
        self.sorts = [s for s in system.symmetric]
        doms = {s: system.constants[s][1].elem for s in self.sorts}
        per_sort = [list(itertools.permutations(range(doms[s].size))) for s in self.sorts]
        combos = list(itertools.product(*per_sort))
        if len(combos) > MAX_PERMUTATIONS:
            fail("SL405", f"symmetry over {', '.join(self.sorts)} needs {len(combos):,} "
                          f"permutations (at most {MAX_PERMUTATIONS:,}); run with --no-symmetry",
                 system.constants_span)
        self.count = len(combos)
        self.perms = []
        layouts = [(list(range(len(system.slots))), [None] * len(system.slots))]
        for combo in combos[1:]:            # the identity is combos[0]
            perm = dict(zip(self.sorts, combo))
            source, maps = self._layout(system, perm)
            layouts.append((source, maps))
            self.perms.append(self._applier(source, maps))
        self.key = sort_key
        self._cache: dict[tuple, tuple] = {}
        # Per output slot, what each renaming puts there: (old slot, mapper or None); the
        # slots no renaming changes are skipped by `canonical`.
        # With each, when all renamings give one value there, the test that says so
        # without trying them: ("same", sources) when no renaming maps the values (they
        # only move between instances: equal values at every source), ("empty", source)
        # when every renaming reads one slot whose empty value (0, (), frozenset()) no
        # renaming changes.
        n = len(system.slots)
        net = system.network
        self._slots = []
        for j in range(n):
            takes = [(src[j], maps[src[j]]) for src, maps in layouts]
            if all(t == (j, None) for t in takes):
                continue
            sources = tuple(sorted({src for src, _ in takes}))
            if all(m is None for _, m in takes):
                quick = ("same", sources)
            elif len(sources) == 1 and (
                    (net is not None and j in (net.slot, net.partition_slot)) or
                    isinstance(system.slots[j].dom, (DSet, DSeq, DMap, DTuple, DRecord))):
                quick = ("empty", sources[0])
            else:
                quick = None
            self._slots.append((j, takes, quick, sources))
        self._all = list(range(self.count))
        self._narrowed: dict = {}
        self._narrowed_size = 0

    @staticmethod
    def _applier(source: list[int], maps: list):
        n = len(source)
        ident = [m is None for m in maps]

        def apply(s: tuple) -> tuple:
            return tuple(s[source[j]] if ident[source[j]] else maps[source[j]](s[source[j]])
                         for j in range(n))
        return apply

    @staticmethod
    def _layout(system: System, perm: dict[str, tuple[int, ...]]):
        """(source, maps) of one renaming: new slot j takes old slot source[j], renamed by
        maps[source[j]] (None: unchanged)."""
        n = len(system.slots)
        source = list(range(n))       # new slot j takes old slot source[j]
        net = system.network
        maps = []
        for slot in system.slots:
            if net is not None and slot.index == net.slot:
                maps.append(_network_mapper(system, perm))
            elif net is not None and slot.index == net.partition_slot:
                nodes = _node_permutation(system, perm)
                maps.append(None if nodes == list(range(len(nodes))) else
                            _bit_mover(nodes))
            else:
                maps.append(value_mapper(slot.dom, perm))
        for lay in system.variables.values():
            proc = lay.process
            if proc is None or proc.single or not isinstance(proc.instance_dom, DAtom) or \
                    proc.instance_dom.sort not in perm:
                continue
            p = perm[proc.instance_dom.sort]
            for i, inst in enumerate(proc.instances):
                j = proc.instances.index(p[inst])
                source[lay.base + j] = lay.base + i
        return source, maps

    def canonical(self, s: tuple) -> tuple:
        """The least state of the orbit of s (`_canonical`), remembered for the last
        CANONICAL_CACHE states asked: a search meets most successors several times."""
        c = self._cache.get(s)
        if c is None:
            if len(self._cache) >= CANONICAL_CACHE:
                self._cache.clear()
            c = self._cache[s] = self._canonical(s)
        return c

    def _canonical(self, s: tuple) -> tuple:
        """The least state of the orbit of s, in the order of `sort_key` (slot by slot);
        of renamings giving equal keys, the first (the identity first), as
        `canonical_reference` picks it.

        Instead of renaming the whole state N! times, the renamings are narrowed slot
        by slot: at each slot some renaming changes, only those giving the least value
        there stay candidates (a slot that only moves values between instances takes
        one of a few values, computed once each).  The candidates shrink to the
        state's own symmetries within a few slots; the survivor renames the state.

        Which candidates survive a slot depends only on the candidates before it and
        the values at the slot's sources: `_narrowed` remembers it (keyed by the
        candidate list's identity, which the memo keeps alive; a list it does not keep
        is never a key), so a state like many before costs a few lookups."""
        cands = self._all
        owned = True                     # cands is kept alive by self (a valid memo key)
        memo = self._narrowed
        for j, takes, quick, sources in self._slots:
            if quick is not None:
                kind, where = quick
                if kind == "empty":
                    if not s[where]:
                        continue
                else:
                    first = s[where[0]]
                    if all(s[k] == first for k in where):
                        continue
            if owned:
                key = (j, id(cands), tuple(s[k] for k in sources))
                hit = memo.get(key)
                if hit is not None:
                    cands = hit
                    if len(cands) == 1:
                        break
                    continue
            before = cands
            cands = self._narrow(s, cands, takes)
            if owned:
                if self._narrowed_size + len(cands) <= NARROWED_BUDGET:
                    memo[key] = cands
                    self._narrowed_size += len(cands)
                else:
                    owned = cands is before
            if len(cands) == 1:
                break
        best = cands[0]
        return s if best == 0 else self.perms[best - 1](s)

    @staticmethod
    def _narrow(s: tuple, cands: list, takes: list) -> list:
        """The candidates giving the least value (by `sort_key`) at one slot."""
        vals = []
        for c in cands:
            src, m = takes[c]
            vals.append(s[src] if m is None else m(s[src]))
        if all(type(v) is int for v in vals):
            keys = vals
        else:
            cache: dict = {}
            keys = [cache[v] if v in cache else cache.setdefault(v, sort_key(v))
                    for v in vals]
        low = min(keys)
        if keys.count(low) == len(keys):
            return cands
        return [c for c, k in zip(cands, keys) if k == low]

    def canonical_reference(self, s: tuple) -> tuple:
        """`canonical` computed the direct way (every renaming applied, the least kept):
        the reference the tests compare it with."""
        best = s
        for apply in self.perms:
            t = apply(s)
            if t != best and _precedes(t, best):
                best = t
        return best

    def concretize(self, model, states: list[tuple]) -> list[tuple]:
        """A real path through the model that visits the given canonical states."""
        out = [states[0]]
        for target in states[1:]:
            target = self.canonical(target)
            for t in model.successors(out[-1]):
                if self.canonical(t) == target:
                    out.append(t)
                    break
            else:
                raise AssertionError("internal error: a symmetric trace cannot be replayed")
        return out


def singled_out(system: System) -> list[tuple[str, str, object]]:
    """Model values of symmetric sets named in the spec's behaviour or properties:
    (sort, value, span) for each.  Symmetry reduction is only sound without them."""
    sorts = set(system.symmetric)
    roots: list = [p.expr for p in system.invariants + system.transitions + system.constraints]
    for a in system.actions:
        if a.guard is not None:
            roots.append(a.guard)
        roots.extend(a.body)
        roots.extend(d for _, d in a.params)
    roots.extend(lay.var.init for lay in system.variables.values())
    found, seen = [], set()
    stack = list(roots)
    while stack:
        n = stack.pop()
        if isinstance(n, ir.AtomC) and n.sort in sorts and (n.sort, n.name) not in seen:
            seen.add((n.sort, n.name))
            found.append((n.sort, n.name, n.span))
        stack.extend(ir.children(n))
    return sorted(found, key=lambda f: (f[0], f[1]))
