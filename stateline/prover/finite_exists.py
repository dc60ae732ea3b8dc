"""An existential over finitely many values, written out as the disjunction of its
instances, and a universal as the conjunction of its instances (`expanded`).

A fair action with a symbolic choice (a received message, a parameter with many
values) has an `enabled` of the form "some choice can fire": `Exists(xs, body)`,
where `body` bounds each integer variable of xs by top-level conjuncts `lo <= x`,
`x <= hi` (the choice's type facts) and the other variables are Booleans.  Such an
existential is a finite disjunction in disguise; writing it out is exact, and much
cheaper than Z3's general quantifier elimination when most instances simplify to
false (a message the network does not hold).  The variables are fixed one at a time
and the body simplified after each, so a partial choice that cannot fire is dropped
with all its completions.  The same holds of "no choice raises a run-time error",
`ForAll(xs, facts implies not error)`, which the bounded searches assume in every state
they go through: written out, Z3 decides it without instantiating quantifiers.
"""

from __future__ import annotations

import z3

LIMIT = 4096        # the most instances an existential is expanded into

_FLIP = {z3.Z3_OP_GE: z3.Z3_OP_LE, z3.Z3_OP_LE: z3.Z3_OP_GE,
         z3.Z3_OP_GT: z3.Z3_OP_LT, z3.Z3_OP_LT: z3.Z3_OP_GT}


def expanded(term, limit: int = LIMIT):
    """`term` with each existential written out over its variables' finite ranges (and
    each universal, as the negation of an existential), or None when one of them is not
    of that form (an unbounded integer, another sort, more than `limit` instances)."""
    if z3.is_quantifier(term):
        if term.is_exists():
            return _exists(term, limit)
        if term.is_forall():
            return _forall(term, limit)
        return None
    if z3.is_and(term) or z3.is_or(term) or z3.is_not(term):
        kids = []
        for k in term.children():
            x = expanded(k, limit)
            if x is None:
                return None
            kids.append(x)
        if z3.is_not(term):
            return z3.Not(kids[0], term.ctx)
        return z3.And(*kids, term.ctx) if z3.is_and(term) else z3.Or(*kids, term.ctx)
    return term


def written_out(term, limit: int = LIMIT):
    """`term` expanded (the same condition, which Z3 decides without instantiating
    quantifiers) when it can be, else `term` itself."""
    x = expanded(term, limit)
    return term if x is None else x


def _forall(q, limit: int):
    """`forall xs: facts implies P` as `not (exists xs: facts and not P)`."""
    xs, body = _opened(q)
    out = _instances(q.ctx, xs, z3.And(*_negated(body), q.ctx), limit)
    return None if out is None else z3.Not(out, q.ctx)


def _negated(t) -> list:
    """Conjuncts of `not t`, with the facts of `facts implies P` (or its form
    `not facts or P`) among them, where the bounds are found."""
    if z3.is_implies(t):
        a, b = t.children()
        return _conjuncts(a) + [z3.Not(b, t.ctx)]
    if z3.is_or(t):
        out = []
        for c in t.children():
            out.extend(_conjuncts(c.arg(0)) if z3.is_not(c) else [z3.Not(c, t.ctx)])
        return out
    return [z3.Not(t, t.ctx)]


def _conjuncts(t) -> list:
    return [x for c in t.children() for x in _conjuncts(c)] if z3.is_and(t) else [t]


def _opened(q):
    """Fresh constants for q's bound variables, and its body over them."""
    xs = [z3.FreshConst(q.var_sort(i), q.var_name(i)) for i in range(q.num_vars())]
    # de Bruijn index 0 is the last variable bound
    return xs, z3.substitute_vars(q.body(), *reversed(xs))


def _exists(q, limit: int):
    xs, body = _opened(q)
    return _instances(q.ctx, xs, body, limit)


def _instances(ctx, xs, body, limit: int):
    # (every term in the quantifier's own context: not necessarily z3's default one)
    n = len(xs)
    conjuncts = body.children() if z3.is_and(body) else [body]
    lo, hi = _bounds(conjuncts, xs)
    domains, size = [], 1
    for i, x in enumerate(xs):
        if x.sort() == z3.BoolSort(ctx):
            domains.append((z3.BoolVal(False, ctx), z3.BoolVal(True, ctx)))
        elif x.sort() == z3.IntSort(ctx) and i in lo and i in hi:
            domains.append(tuple(z3.IntVal(v, ctx) for v in range(lo[i], hi[i] + 1)))
        else:
            return None
        size *= len(domains[-1])
        if size > limit:
            return None
    out = []

    def fix(i: int, t) -> None:
        t = z3.simplify(t)
        if z3.is_false(t):
            return
        if i == n:
            out.append(t)
            return
        for v in domains[i]:
            fix(i + 1, z3.substitute(t, (xs[i], v)))

    fix(0, body)
    return z3.Or(*out, ctx) if out else z3.BoolVal(False, ctx)


def _bounds(conjuncts, xs) -> tuple[dict[int, int], dict[int, int]]:
    """The constant bounds `lo <= x` and `x <= hi` (or `<`) among `conjuncts`, per
    variable."""
    lo: dict[int, int] = {}
    hi: dict[int, int] = {}
    for c in conjuncts:
        if not z3.is_app(c) or c.num_args() != 2 or c.decl().kind() not in _FLIP:
            continue
        kind = c.decl().kind()
        for x, v, k in ((c.arg(0), c.arg(1), kind), (c.arg(1), c.arg(0), _FLIP[kind])):
            i = next((j for j, y in enumerate(xs) if x.eq(y)), None)
            if i is None or not z3.is_int_value(v):
                continue
            b = v.as_long() + {z3.Z3_OP_GT: 1, z3.Z3_OP_LT: -1}.get(k, 0)
            if k in (z3.Z3_OP_GE, z3.Z3_OP_GT):
                lo[i] = max(lo.get(i, b), b)
            else:
                hi[i] = min(hi.get(i, b), b)
    return lo, hi
