"""Nondeterminism inside a step -> hidden parameters of the step.

A step of an action or handler is one choice of its parameters.  The branching
statements add parameters that the author does not write:

- `either: A or: B or: C` adds `either@L` (L: the line of `either`) over 1..3 and
  becomes `if either@L == 1: A elif either@L == 2: B else: C`.  Where the
  `either` is not reached (it sits in the other branch of an `if`, or of an
  enclosing `either`), that branch requires `either@L == 1`, so an unreached
  choice adds no duplicate successors.
- `choose v in S: body` adds `v` over S and becomes `body` with `v` bound.  It
  must be a top-level statement of the body with only `let`, `require` and
  `pass` before it: S is evaluated in the state before the step (with the `let`
  names before it), which is then also the state where the `choose` runs.
- Several handlers of one message type are merged by resolve.py into one whose
  body tests the hidden parameter `handler` (1, 2, ... in the order written).

Every engine then sees ordinary parameters and `require`s: the explicit checker
enumerates them, the Z3 encodings quantify over them, and a trace shows each
choice as a parameter (`either@12=2`, `v=n1`, `handler=2`).  Fairness of an
action or handler covers all its choices (weak fairness of their disjunction),
like any parameter; `per v` / `per handler` splits it per choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import fail as err
from . import ast as A
from . import ir
from .resolve import HANDLER_KEY


@dataclass(frozen=True)
class Hidden:
    key: str            # the name in scope (not writable in a spec)
    shown: str          # the parameter's name in traces and `per`
    domain: A.Expr


def _int_range(n: int, span) -> A.Expr:
    return A.Binary("..", A.IntLit(1, span=span), A.IntLit(n, span=span), span=span)


def _is(key: str, i: int, span) -> A.Expr:
    return A.Binary("==", A.Name(key, span=span), A.IntLit(i, span=span), span=span)


def _mentions(e, name: str) -> bool:
    """Whether expression `e` contains the name `name` anywhere (conservatively)."""
    if isinstance(e, A.Name):
        return e.id == name
    if isinstance(e, (A.Expr, A.CompFor, A.Binder, A.KwArg)):
        return any(_mentions(getattr(e, f), name) for f in e.__dataclass_fields__
                   if f != "span")
    if isinstance(e, tuple):
        return any(_mentions(x, name) for x in e)
    return False


class _Desugar:
    def __init__(self, message: str | None = None):
        self.message = message              # a handler's binder: not bound for domains
        self.hidden: list[Hidden] = []
        self.lets: list[A.LetStmt] = []     # top-level lets so far (for choose domains)
        self.settled = True                 # only let/require/pass so far, at the top

    def key(self, base: str) -> str:
        keys = {h.key for h in self.hidden}
        k, n = base, 1
        while k in keys:
            n += 1
            k = f"{base}.{n}"
        return k

    def block(self, stmts, top: bool, in_for: bool) -> tuple[tuple, set]:
        """(new statements, keys of the either-parameters chosen inside them)."""
        out: list[A.Stmt] = []
        inside: set[str] = set()
        for st in stmts:
            if isinstance(st, A.Either):
                if in_for:
                    err("SL106", "'either' is not allowed inside a for loop", st.span,
                        hint="a loop's iterations do not branch; choose before the loop")
                self.settled = False
                key = self.key(f"either@{st.span.line}")
                self.hidden.append(Hidden(key, key, _int_range(len(st.branches), st.span)))
                branches = [self.block(b, False, False) for b in st.branches]
                out.append(self.join(st.span, [(_is(key, i, st.span), b)
                                               for i, b in enumerate(branches, 1)]))
                inside |= {key}.union(*(k for _, k in branches))
            elif isinstance(st, A.If):
                self.settled = False
                branches = [(c, self.block(b, False, in_for)) for c, b in st.branches]
                branches.append((None, self.block(st.orelse, False, in_for)))
                out.append(self.join(st.span, branches))
                inside |= set().union(*(k for _, (_, k) in branches))
            elif isinstance(st, A.For):
                self.settled = False
                body, _ = self.block(st.body, False, True)
                out.append(A.For(st.name, st.domain, body, span=st.span))
            elif isinstance(st, A.ChooseStmt):
                if in_for or not top:
                    err("SL106", "'choose v in S:' as a statement must be at the top level of "
                                 "an action's or handler's body", st.span,
                        hint="move it before the 'if', or make v a parameter: "
                             "action a(v in S)")
                if not self.settled:
                    err("SL106", "'choose v in S:' must come before the step's assignments, "
                                 "sends, calls and branches (only let and require may precede "
                                 "it): S is evaluated in the state before the step", st.span)
                domain = st.domain
                for let in reversed(self.lets):
                    domain = A.Let(let.name, let.value, domain, span=st.domain.span)
                if self.message is not None and _mentions(domain, self.message):
                    err("SL106", f"'choose {st.name} in S:' in a handler needs a set S that "
                                 f"does not depend on the received message '{self.message}'",
                        st.domain.span,
                        hint=f"choose from the whole type and require membership: "
                             f"choose {st.name} in T: require {st.name} in ...")
                key = self.key(f"choose#{st.name}")
                self.hidden.append(Hidden(key, st.name, domain))
                body, k = self.block(st.body, True, False)
                # `if true:` gives the body its own scope: v is not seen after it.
                out.append(A.If(((A.BoolLit(True, span=st.span),
                                  (A.LetStmt(st.name, A.Name(key, span=st.span),
                                             span=st.span),) + body),), (), span=st.span))
                inside |= k
            else:
                if isinstance(st, A.LetStmt) and top:
                    self.lets.append(st)
                elif not isinstance(st, (A.Require, A.Assert, A.Pass, A.LetStmt)):
                    self.settled = False
                out.append(st)
        return tuple(out), inside

    @staticmethod
    def join(span, branches) -> A.If:
        """An `if` over branches [(cond or None for the last, (stmts, keys))] where a
        branch that does not reach an either-parameter chosen in another requires
        its first value."""
        every = set().union(*(k for _, (_, k) in branches))
        new = []
        for cond, (stmts, keys) in branches:
            pins = tuple(A.Require(_is(k, 1, span), span=span) for k in sorted(every - keys))
            new.append((cond, pins + stmts))
        *conds, (_, orelse) = new
        return A.If(tuple(conds), orelse, span=span)


def desugar(d) -> tuple[list[Hidden], tuple[A.Stmt, ...]]:
    """The hidden parameters of an action or handler and its body without branching
    statements (`either`, `choose`, handler alternatives)."""
    ds = _Desugar(d.binder if isinstance(d, A.Handler) else None)
    if isinstance(d, A.Handler) and d.alternatives:
        ds.hidden.append(Hidden(HANDLER_KEY, "handler", _int_range(d.alternatives, d.span)))
    body, _ = ds.block(d.body, True, False)
    return ds.hidden, body


def hidden_parameters(c, d, scope: dict, params: list) -> tuple[A.Stmt, ...]:
    """Elaborate the hidden parameters of `d` into `params` (and `scope`, under their
    keys) with the expression checker `c`; return the body to elaborate."""
    hidden, stmts = desugar(d)
    shown = set(scope)
    for h in hidden:
        if h.key.startswith("choose#") and h.shown in shown:
            err("SL202", f"'choose {h.shown}' reuses the name of a parameter of the step",
                h.domain.span, hint="choose another name")
        shown.add(h.shown)
        dom = c.set_domain(h.domain, f"'{h.shown}'")
        local = ir.Local(h.shown, dom.type.elem)
        params.append((local, dom))
        scope[h.key] = local
    return stmts
