"""Clauses built for one counterexample to induction, when no enumerated one rules it out.

The enumerated candidates stop at `--max-literals` literals and skip clauses of three
literals over prefixes with many atoms; a lemma such as Paxos's "a promise reports the
acceptor's last vote" (`m.acc == p.acc and m.bal < p.bal implies m.bal <= p.mbal`) is
one of those.  Only clauses false in the counterexample's state s can rule it out, and
that makes them cheap to search for: a row r of s (an assignment of the prefix's
variables in s) that is not a row of any reachable state fixes, for each atom, the one
literal false at r; a clause of those literals is false in s, and it holds in every
reachable state iff every reachable row y makes one of its literals true, i.e. differs
from r on one of its atoms.  With rows as bitsets over the atoms (samples.code), the
clause is a *hitting set* of the masks `y ^ r`: a set of atoms meeting each of them.
The search branches on the atoms of a smallest mask not yet met (exact, smallest sets
first, up to `k` atoms, within a budget of branches), for the first 32 such rows of s
per prefix.

A row of s that is also a reachable row cannot be ruled out by any clause of the
prefix, and is skipped.  Among the clauses found, the smallest wins, then the earliest
prefix, then the earliest literals (atom order, negative first), then the earliest row
of s: the same clause on every run.  Every clause returned holds on every reachable row, as the enumerated ones do.
"""

from __future__ import annotations

from .clauses import Clause
from .samples import code


def hitting_sets(masks: list[int], size: int, budget: int = 20_000) -> set[int]:
    """The sets of at most `size` atoms (bitmasks) that meet every mask, found by
    branching on the atoms of a smallest mask not yet met (every such set is found,
    unless more than `budget` branches are needed: then those found so far)."""
    out: set[int] = set()
    nodes = [budget]

    def go(live: list[int], chosen: int, left: int) -> None:
        live = [m for m in live if not m & chosen]
        if not live:
            out.add(chosen)
            return
        if left == 0 or nodes[0] <= 0:
            return
        nodes[0] -= 1
        m = min(live, key=int.bit_count)
        if left == 1:       # one atom must meet them all
            common = m
            for x in live:
                common &= x
                if not common:
                    return
            while common:
                b = common & -common
                out.add(chosen | b)
                common ^= b
            return
        while m:
            b = m & -m
            go(live, chosen | b, left - 1)
            m ^= b

    go(masks, 0, size)
    return out


def _atoms_of(mask: int) -> tuple[int, ...]:
    out, j = [], 0
    while mask:
        if mask & 1:
            out.append(j)
        mask >>= 1
        j += 1
    return tuple(out)


def guided(tables: list, state, k: int, skip: set[str]) -> Clause | None:
    """The smallest clause of at most `k` literals, over one of `tables` ([(prefix,
    samples.Table)] in prefix order), that holds on every reachable row and is false
    in `state`; None if there is none.  Clauses whose text is in `skip` are not
    returned, nor clauses that leave a variable of their prefix unused."""
    best_key, best = None, None
    for order, (prefix, table) in enumerate(tables):
        rows = table.rows_of(state)
        if rows is None:
            continue
        every = frozenset(v.name for v in prefix)
        reached = sorted(table.codes)
        novel = sorted({code(x) for x in rows} - table.codes)[:ROWS]
        for r in novel:
            limit = k if best_key is None else \
                best_key[0] if best_key[1] == order else best_key[0] - 1
            if limit < 1:
                break
            masks = sorted({y ^ r for y in reached})
            for size in range(1, limit + 1):
                got = []
                for hs in hitting_sets(masks, size):
                    atoms = _atoms_of(hs)
                    if frozenset().union(*(table.atoms[j].vars for j in atoms)) != every:
                        continue
                    lits = tuple((j, not (r >> j) & 1) for j in atoms)   # false at r
                    c = Clause(tuple(prefix), tuple((table.atoms[j].text, pos)
                                                    for j, pos in lits), lits, table)
                    if c.text() not in skip:
                        got.append(((size, order, lits), c))
                if got:
                    key, c = min(got, key=lambda x: x[0])
                    if best_key is None or key < best_key:
                        best_key, best = key, c
                    break
    return best


ROWS = 32       # the rows of the state tried per prefix (the first, in their order)
