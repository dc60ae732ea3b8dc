"""The `init:` block: joint initial conditions, elaborated as a hidden action.

    var x: 0..3                 # type only: the block assigns it
    var y: 0..3 = 0
    init:
        choose v in 0..3:
            require v != 2
            x := v
            y := 3 - v

The block runs once from the declared initial values (a type-only variable holds
a placeholder there), and every way through it (each `either` branch, each
`choose` value, not dropped by a failing `require`) gives an initial state.  It
is elaborated like an action without parameters, so its statements mean what
they mean in an action; models.initial runs it over the declared initial states.

Checked here, on the block as written: a type-only variable must be assigned on
every path through the block and not read before it is assigned (SL211); the
block assigns global variables only and sends no message (SL106).
"""

from __future__ import annotations

from dataclasses import fields

from ..diagnostics import fail as err
from . import ast as A
from . import ir


def elaborate_init_block(elab, blocks: list[A.InitBlock],
                         variables: list[ir.VarSym]) -> ir.ActionIR | None:
    """The `init:` block's ActionIR (None without one); SL211 for type-only variables
    the block does not assign."""
    r = elab.r
    typed_only = {v.name: v for v in variables if v.typed_only and v.process is None}
    for v in variables:
        if v.typed_only and v.process is not None:
            err("SL211", f"variable '{v.name}' of process '{v.process}' has only a type; "
                         "the init: block assigns global variables only, so give it an "
                         "initial value", v.span)
        for node in _walk(v.init):
            if isinstance(node, ir.VarRef) and node.var.typed_only:
                err("SL211", f"the initial value of '{v.name}' reads '{node.var.name}', which "
                             "has only a type (the init: block assigns it after the declared "
                             "initial values)", node.span)
    if len(blocks) > 1:
        err("SL202", "the spec has more than one init: block", blocks[1].span,
            notes=(f"the first is at {blocks[0].span}",))
    if not blocks:
        if typed_only:
            v = next(iter(typed_only.values()))
            err("SL211", f"variable '{v.name}' has only a type, and the spec has no init: "
                         "block to assign it", v.span,
                hint=f"give it an initial value (var {v.name}: T = ...), or assign it in "
                     "an init: block")
        return None
    block = blocks[0]
    flow = _Flow(r, set(typed_only), block)
    done = flow.block(block.body, frozenset())
    for name, v in typed_only.items():
        if name not in done:
            err("SL211", f"variable '{name}' has only a type, and the init: block at line "
                         f"{block.span.line} does not assign it on every path", v.span,
                hint="assign it in every branch of the block's if / either statements")
    action = A.Action("init", (), None, block.body, None, span=block.span)
    return elab.elaborate_action(None, action)


def _walk(e):
    stack = [e]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(ir.children(node))


class _Flow:
    """Definite assignment of the type-only variables through the block's statements."""

    def __init__(self, r, typed_only: set[str], block: A.InitBlock):
        self.r = r
        self.typed_only = typed_only
        self.block_line = block.span.line

    def reads(self, e, assigned: frozenset, bound: frozenset) -> None:
        if isinstance(e, A.Name):
            if e.id in self.typed_only and e.id not in assigned and e.id not in bound:
                err("SL211", f"'{e.id}' has only a type and is read in the init: block "
                             "before it is assigned", e.span)
            return
        if isinstance(e, tuple):
            for x in e:
                self.reads(x, assigned, bound)
            return
        if hasattr(e, "__dataclass_fields__") and not isinstance(e, A.Stmt):
            for f in fields(e):
                if f.name != "span":
                    self.reads(getattr(e, f.name), assigned, bound)

    def block(self, stmts, assigned: frozenset, bound: frozenset = frozenset()) -> frozenset:
        for st in stmts:
            assigned, bound = self.stmt(st, assigned, bound)
        return assigned

    def stmt(self, st, assigned: frozenset, bound: frozenset):
        if isinstance(st, A.Assign):
            root, whole = st.target, True
            while not isinstance(root, A.Name):
                self.reads(getattr(root, "indices", ()), assigned, bound)
                root, whole = root.base, False
            if root.id not in self.r.vars and root.id not in bound and any(
                    root.id in pv for pv in self.r.process_vars.values()):
                proc = next(p for p, pv in self.r.process_vars.items() if root.id in pv)
                err("SL106", f"the init: block assigns global variables only; '{root.id}' "
                             f"is a variable of process '{proc}'", root.span,
                    hint="give it its initial value where the process declares it")
            self.reads(st.value, assigned, bound)
            if not whole:
                self.reads(root, assigned, bound)
            elif root.id in self.typed_only and root.id not in bound:
                assigned = assigned | {root.id}
            return assigned, bound
        if isinstance(st, A.If):
            outs = []
            for cond, body in st.branches:
                self.reads(cond, assigned, bound)
                outs.append(self.block(body, assigned, bound))
            outs.append(self.block(st.orelse, assigned, bound))
            return frozenset.intersection(*outs), bound
        if isinstance(st, A.Either):
            outs = [self.block(body, assigned, bound) for body in st.branches]
            return frozenset.intersection(*outs), bound
        if isinstance(st, A.ChooseStmt):
            self.reads(st.domain, assigned, bound)
            return self.block(st.body, assigned, bound | {st.name}), bound
        if isinstance(st, A.For):
            self.reads(st.domain, assigned, bound)
            self.block(st.body, assigned, bound | {st.name})    # may run no time
            return assigned, bound
        if isinstance(st, A.LetStmt):
            self.reads(st.value, assigned, bound)
            return assigned, bound | {st.name}
        if isinstance(st, (A.Send, A.RecordOp)):
            what = "'send'" if isinstance(st, A.Send) else "'record'"
            err("SL106", f"{what} is not allowed in the init: block (the network and the "
                         "histories start empty)", st.span)
        if isinstance(st, (A.Require, A.Assert)):
            self.reads(st.cond, assigned, bound)
        elif isinstance(st, A.CallStmt):
            self.reads(st.args, assigned, bound)
            self.reads(st.kwargs, assigned, bound)
        return assigned, bound

