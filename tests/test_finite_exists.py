"""`prover/finite_exists.expanded`: an existential over bounded integers and Booleans
written out as the disjunction of its instances, a universal (`facts implies P`) as
the conjunction of its instances.  It must be equivalent to the
existential it replaces (checked against a brute-force evaluation over every value of
the free variables), and must refuse what it cannot write out exactly."""

from __future__ import annotations

import itertools

import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from stateline.prover.finite_exists import expanded


def _names():
    """The free a, b, p and the bound x, y, q, in z3's current default context (a proof
    elsewhere in the process replaces it: prover.terms.fresh_context)."""
    a, b, x, y = z3.Ints("a b x y")
    return a, b, z3.Bool("p"), x, y, z3.Bool("q")


@st.composite
def existentials(draw):
    """Exists x (bounded), y (bounded) and q (Boolean) over a body of atoms mixing them
    with the free a, b and p, as the `enabled` of a symbolic choice mixes the choice
    with the state."""
    A, B, P, X, Y, Q = _names()
    xlo, ylo = draw(st.integers(-2, 1)), draw(st.integers(-2, 1))
    xhi, yhi = xlo + draw(st.integers(-1, 3)), ylo + draw(st.integers(0, 3))
    atoms = [X == A, Y < B, X + Y == A + B, Q == P, Q, z3.Not(P), X > Y,
             z3.If(Q, X, Y) == B, X == 0, A - X >= Y]
    clauses = draw(st.lists(st.lists(st.sampled_from(range(len(atoms))), min_size=1,
                                     max_size=3), min_size=1, max_size=3))
    body = z3.Or(*[z3.And(*[atoms[i] for i in c]) for c in clauses])
    # (each bound written as `<=` or as the strict `<` the encoder writes for a type of
    # n elements, `x < n`)
    strict = draw(st.lists(st.booleans(), min_size=4, max_size=4))
    facts = [X > xlo - 1 if strict[0] else X >= xlo, xhi + 1 > X if strict[1] else xhi >= X,
             ylo - 1 < Y if strict[2] else Y >= ylo, Y < yhi + 1 if strict[3] else Y <= yhi]
    return z3.Exists([X, Q, Y], z3.And(*facts, body)), (xlo, xhi, ylo, yhi)


def _truth(term, a, b, p) -> bool:
    A, B, P, *_ = _names()
    return z3.is_true(z3.simplify(z3.substitute(term, (A, z3.IntVal(a)), (B, z3.IntVal(b)),
                                                (P, z3.BoolVal(p)))))


@settings(max_examples=120, deadline=None, derandomize=True)
@given(existentials())
def test_expansion_is_the_existential(case):
    term, (xlo, xhi, ylo, yhi) = case
    e = expanded(term)
    assert e is not None and not z3.is_quantifier(e)
    assert not any(z3.is_quantifier(t) for t in _subterms(e))
    for a, b, p in itertools.product(range(-3, 4), range(-3, 4), (False, True)):
        want = any(_truth(_instance(term, x, q, y),
                          a, b, p)
                   for x in range(xlo, xhi + 1) for y in range(ylo, yhi + 1)
                   for q in (False, True))
        assert _truth(e, a, b, p) == want, (term, a, b, p)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(existentials(), st.booleans())
def test_expansion_is_the_universal(case, implies):
    """forall x, q, y: facts implies body, in both the forms the encoding builds (an
    implication, or the disjunction `not fact1 or ... or body`)."""
    ex, (xlo, xhi, ylo, yhi) = case
    facts, body = ex.body().children()[:4], z3.And(*ex.body().children()[4:])
    A, B, P, X, Y, Q = _names()
    opened = [z3.substitute_vars(t, Y, Q, X) for t in (*facts, body)]
    inner = z3.Implies(z3.And(*opened[:4]), opened[4]) if implies else \
        z3.Or(*(z3.Not(f) for f in opened[:4]), opened[4])
    term = z3.ForAll([X, Q, Y], inner)
    e = expanded(term)
    assert e is not None and not any(z3.is_quantifier(t) for t in _subterms(e))
    for a, b, p in itertools.product(range(-3, 4), range(-3, 4), (False, True)):
        want = all(_truth(_instance(ex, x, q, y), a, b, p)
                   for x in range(xlo, xhi + 1) for y in range(ylo, yhi + 1)
                   for q in (False, True))
        assert _truth(e, a, b, p) == want, (term, a, b, p)


def _instance(q, x, b, y):
    # the body with the bound variables (de Bruijn: the last one bound is 0) replaced
    return z3.substitute_vars(q.body(), z3.IntVal(y), z3.BoolVal(b), z3.IntVal(x))


def _subterms(t):
    todo = [t]
    while todo:
        u = todo.pop()
        yield u
        if z3.is_app(u):
            todo.extend(u.children())


def test_inside_and_or_not():
    A, B, P, X, Y, Q = _names()
    e = expanded(z3.Or(P, z3.Not(z3.Exists([X], z3.And(X >= 0, X <= 2, X == A)))))
    assert e is not None
    for a in range(-2, 5):
        assert _truth(e, a, 0, False) == (not 0 <= a <= 2)


def test_what_it_refuses():
    A, B, P, X, Y, Q = _names()
    # an unbounded variable (also under a universal), a real, too many instances
    assert expanded(z3.Exists([X], z3.And(X >= 0, X == A))) is None
    assert expanded(z3.ForAll([X], z3.Implies(X >= 0, X > A))) is None
    r = z3.Real("r")
    assert expanded(z3.Exists([r], r == A)) is None
    assert expanded(z3.Exists([X, Y], z3.And(X >= 0, X <= 99, Y >= 0, Y <= 99,
                                             X + Y == A))) is None
    assert expanded(z3.Exists([X, Y], z3.And(X >= 0, X <= 99, Y >= 0, Y <= 99, X + Y == A)),
                    limit=10_000) is not None


def test_no_instance_is_false():
    A, B, P, X, Y, Q = _names()
    assert z3.is_false(expanded(z3.Exists([X], z3.And(X >= 3, X <= 1, X == A))))


def test_in_another_context_than_the_default():
    """The existential's own context is used throughout: a proof builds its terms in a
    context of its own (prover.terms.fresh_context), not necessarily z3's default."""
    ctx = z3.Context()
    x, a = z3.Int("x", ctx), z3.Int("a", ctx)
    e = expanded(z3.Exists([x], z3.And(x >= 0, x <= 2, x == a)))
    assert e is not None and e.ctx == ctx
    s = z3.Solver(ctx=ctx)
    s.add(e, a == 3)
    assert s.check() == z3.unsat
