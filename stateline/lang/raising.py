"""Which IR expressions may raise a run-time error when evaluated.

The compiler and the Z3 encoding keep such expressions in their place in an `and`,
`or` or guard (a later operand must not be evaluated first: its error would be
reported where the spec's order says it cannot happen)."""

from __future__ import annotations

import weakref

from .ir import (ChooseE, E, LocalRef, MapCompE, MapGet, MapUpdate, Op, RecCall, RecordE,
                 RecordUpdate, SeqGet, VarRef, children)
from .enabled import EnabledE
from .types import AtomT, BoolT, RecordT

_RAISING_OPS = {"floordiv", "mod", "unwrap", "seq_head", "seq_last", "seq_tail", "set_min",
                "set_max"}


_may_raise_memo: "weakref.WeakKeyDictionary[E, bool]" = weakref.WeakKeyDictionary()


def may_raise(e: E) -> bool:
    """Could evaluating `e` raise a run-time error (so its place in the order matters)?"""
    known = _may_raise_memo.get(e)
    if known is None:
        known = _may_raise_memo[e] = _may_raise(e)
    return known


def _may_raise(e: E) -> bool:
    stack = [e]
    while stack:
        n = stack.pop()
        if isinstance(n, Op) and n.op in _RAISING_OPS:
            return True
        if isinstance(n, (SeqGet, ChooseE, MapUpdate, RecordUpdate, MapCompE, RecCall,
                          EnabledE)):     # (enabled(A) runs A's steps)
            return True
        if isinstance(n, MapGet) and not isinstance(n.key.type, (AtomT, BoolT)):
            return True                       # an integer key may be out of range
        if isinstance(n, RecordE) and any(not isinstance(f.type, (AtomT, BoolT, RecordT))
                                             for f in n.fields):
            return True                       # a field value may be outside its type
        if isinstance(n, VarRef) and n.key is not None and \
                not (isinstance(n.key, LocalRef) and isinstance(n.key.type, AtomT)):
            return True                       # an integer may not be an instance
        stack.extend(children(n))
    return False
