"""Is an obligation in EPR, the decidable fragment any-size proofs aim for?

A satisfiability query is in EPR (effectively propositional logic) when, after
Skolemization, no function maps a sort to itself through a chain of other sorts:
then the Herbrand universe is finite and Z3 decides the query.  Two things create
such functions: a state function whose arguments and result are sorts (a
variable `maxVal: Values?` of a process over `Acceptors` is a function Acceptors
-> Values), and an existential quantifier under a universal one (`forall q: exists
a` is a Skolem function from quorums to acceptors).  `epr_violation` builds that
graph between sorts (networkx) and names a cycle, or returns None.
"""

from __future__ import annotations

import networkx as nx
import z3

from .doms import FSort


def epr_violation(model, formulas: list, symbols: list, cache: dict | None = None) -> str | None:
    """`cache` (formula id -> (formula, its edges)) lets the queries of one proof, which
    share their axioms and invariant, walk each of those once."""
    g = nx.DiGraph()
    why: dict = {}
    uninterpreted = {s.name() for s in model.sorts.z3.values()} | \
        {q.name() for q, _ in model.sorts.quorum.values()}

    def sort_of(s):
        return s.name() if s.kind() == z3.Z3_UNINTERPRETED_SORT else None

    for name, f, args, dom in symbols:
        if not isinstance(dom, FSort) or not isinstance(f, z3.FuncDeclRef):
            continue
        for i in range(f.arity()):
            a = sort_of(f.domain(i))
            if a is not None:
                g.add_edge(a, dom.name)
                why.setdefault((a, dom.name), f"the state function {name}")

    def walk(t, universal: tuple, positive: bool):
        seen = (t.get_id(), universal, positive)    # a shared subterm adds its edges once
        if seen in visited:
            return
        visited.add(seen)
        if z3.is_quantifier(t):
            sorts = [sort_of(t.var_sort(i)) for i in range(t.num_vars())]
            is_forall = t.is_forall() == positive
            if is_forall:
                walk(t.body(), universal + tuple(s for s in sorts if s), positive)
            else:
                for s in sorts:
                    if s is None:
                        continue
                    for u in universal:
                        edges.append((u, s, f"an existential over {s} under a universal "
                                            f"over {u}"))
                walk(t.body(), universal, positive)
            return
        if z3.is_not(t):
            walk(t.arg(0), universal, not positive)
            return
        if z3.is_app_of(t, z3.Z3_OP_IMPLIES):
            walk(t.arg(0), universal, not positive)
            walk(t.arg(1), universal, positive)
            return
        if z3.is_and(t) or z3.is_or(t):
            for c in t.children():
                walk(c, universal, positive)
            return
        if z3.is_eq(t) and t.arg(0).sort() == z3.BoolSort():
            for c in t.children():          # an iff: both polarities
                walk(c, universal, positive)
                walk(c, universal, not positive)
            return
        if z3.is_app_of(t, z3.Z3_OP_ITE) and t.sort() == z3.BoolSort():
            walk(t.arg(0), universal, positive)
            walk(t.arg(0), universal, not positive)
            walk(t.arg(1), universal, positive)
            walk(t.arg(2), universal, positive)

    for f in formulas:
        entry = cache.get(f.get_id()) if cache is not None else None
        if entry is None:
            edges, visited = [], set()
            walk(f, (), True)
            entry = (f, edges)
            if cache is not None:
                cache[f.get_id()] = entry
        for u, s, reason in entry[1]:
            g.add_edge(u, s)
            why.setdefault((u, s), reason)
    g.remove_nodes_from([n for n in list(g.nodes) if n not in uninterpreted])
    try:
        cycle = nx.find_cycle(g)
    except nx.NetworkXNoCycle:
        return None
    path = " -> ".join([cycle[0][0]] + [b for _, b in cycle])
    reasons = "; ".join(dict.fromkeys(why[(a, b)] for a, b in cycle if (a, b) in why))
    return f"the sorts {path} form a cycle ({reasons})"
