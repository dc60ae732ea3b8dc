"""Z3 terms built with constant folding: the leaves of every symbolic value.

These run for every term an encoding builds, so they call the Z3 C API directly
and recognise the literals `true` and `false` by their AST id (Z3 shares one of
each per context) rather than by `z3.is_true`, which costs several calls into Z3
each time.  `And(True, x)` is `x`, `If(True, a, b)` is `a`, and so on, which keeps
the terms of an unrolled action small.
"""

from __future__ import annotations

import z3

TRUE = z3.BoolVal(True)
FALSE = z3.BoolVal(False)

_TRUE_ID = TRUE.get_id()
_FALSE_ID = FALSE.get_id()
_CTX = TRUE.ctx
_core = z3.z3core


def _nary(fn, args):
    arr = (z3.Ast * len(args))()
    for i, a in enumerate(args):
        arr[i] = a.as_ast()
    return z3.BoolRef(fn(_CTX.ref(), len(args), arr), _CTX)


def is_true(x) -> bool:
    return x.get_id() == _TRUE_ID


def is_false(x) -> bool:
    return x.get_id() == _FALSE_ID


def And(*xs):
    out = []
    for x in xs:
        i = x.get_id()
        if i == _TRUE_ID:
            continue
        if i == _FALSE_ID:
            return FALSE
        out.append(x)
    if not out:
        return TRUE
    return out[0] if len(out) == 1 else _nary(_core.Z3_mk_and, out)


def Or(*xs):
    out = []
    for x in xs:
        i = x.get_id()
        if i == _FALSE_ID:
            continue
        if i == _TRUE_ID:
            return TRUE
        out.append(x)
    if not out:
        return FALSE
    return out[0] if len(out) == 1 else _nary(_core.Z3_mk_or, out)


def Not(x):
    i = x.get_id()
    if i == _TRUE_ID:
        return FALSE
    if i == _FALSE_ID:
        return TRUE
    return z3.BoolRef(_core.Z3_mk_not(_CTX.ref(), x.as_ast()), _CTX)


def Implies(a, b):
    return Or(Not(a), b)


def If(c, a, b):
    """A scalar if-then-else (Bool or Int terms)."""
    if is_true(c):
        return a
    if is_false(c):
        return b
    if a.eq(b):
        return a
    if isinstance(a, z3.BoolRef):
        if is_true(a):
            return Or(c, b)
        if is_false(a):
            return And(Not(c), b)
        if is_true(b):
            return Or(Not(c), a)
        if is_false(b):
            return And(c, a)
    return z3.z3._to_expr_ref(_core.Z3_mk_ite(_CTX.ref(), c.as_ast(), a.as_ast(), b.as_ast()),
                              _CTX)


def Eq(a, b):
    """Equality of two scalar terms, folded when both are literals."""
    if a.eq(b):
        return TRUE
    if isinstance(a, z3.IntNumRef) and isinstance(b, z3.IntNumRef):
        return FALSE            # distinct numerals (equal ones are the same AST)
    if isinstance(a, z3.BoolRef):
        if is_true(a):
            return b
        if is_false(a):
            return Not(b)
        if is_true(b):
            return a
        if is_false(b):
            return Not(a)
    return z3.BoolRef(_core.Z3_mk_eq(_CTX.ref(), a.as_ast(), b.as_ast()), _CTX)


_INTS: dict[int, object] = {}
_INT_VALUE: dict[int, int] = {}
_ON_FRESH: list = []


def on_fresh_context(clear) -> None:
    """Register `clear()`, which drops a cache of terms, to run at fresh_context()."""
    _ON_FRESH.append(clear)


def fresh_context() -> None:
    """Build every later term in a new Z3 context (the default one of z3's API too).

    Z3 orders the arguments of commutative operators by term id, and ids are recycled
    from terms freed earlier in the process, so the same queries asked after other work
    can get other (equally valid) models: another counterexample to induction, another
    path.  Each proof starts from a fresh context, so its output depends only on the
    spec and the command line, not on what the process proved before (a second check
    block, the language server, a test suite).  The context is the process's: two
    proofs must not run at once (the language server makes them take turns)."""
    # (a signal's exception raised inside z3.Context() would leave a half-built context
    # whose finaliser prints a traceback: marked as not owning one until it is built)
    ctx = z3.Context.__new__(z3.Context)
    ctx.owner, ctx.ctx, ctx.eh = False, None, None
    ctx.__init__()
    use_context(ctx)


def current_context():
    """The Z3 context every term is built in now."""
    return _CTX


def use_context(ctx) -> None:
    """Build every later term in `ctx`: a new one (fresh_context) or the one an earlier
    encoding was built in, so that work on that encoding can go on after another proof
    made a fresh context (terms of two contexts cannot be combined).  The TRUE and
    FALSE singletons are rebound in place (modules import them by name) and every
    registered cache of terms is dropped."""
    global _TRUE_ID, _FALSE_ID, _CTX
    if ctx is _CTX:
        return
    z3.z3._main_ctx = ctx
    for singleton, value in ((TRUE, True), (FALSE, False)):
        new = z3.BoolVal(value, ctx)
        old_ctx, old_ast = singleton.ctx, singleton.ast
        _core.Z3_inc_ref(ctx.ref(), new.as_ast())         # the singleton's reference
        singleton.ast, singleton.ctx = new.ast, ctx
        if old_ctx.ref() is not None:
            _core.Z3_dec_ref(old_ctx.ref(), old_ast)
    _TRUE_ID, _FALSE_ID, _CTX = TRUE.get_id(), FALSE.get_id(), ctx
    _INTS.clear()
    _INT_VALUE.clear()
    for clear in _ON_FRESH:
        clear()


def Int(v: int):
    x = _INTS.get(v)
    if x is None:
        x = _INTS[v] = z3.IntVal(v)
        _INT_VALUE[x.get_id()] = v
    return x


def Bool(v: bool):
    return TRUE if v else FALSE


def literal(x):
    """The Python value of a literal Bool or Int term, else None."""
    if isinstance(x, z3.IntNumRef):
        v = _INT_VALUE.get(x.get_id())
        return v if v is not None else x.as_long()
    if isinstance(x, z3.BoolRef):
        i = x.get_id()
        if i == _TRUE_ID:
            return True
        if i == _FALSE_ID:
            return False
    return None
