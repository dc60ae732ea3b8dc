"""Initial states of a lowered system.

Each variable's initial value is an expression (`var x = e`) or a set of choices
(`var x in S`).  It may read the variables declared before it (the typechecker
checks the order, SL210), so the initial states are enumerated slot by slot in
declaration order: for every partial state so far, the next slot's values are
computed from it.  When no initial value reads a variable, the initial states are
the product of each slot's choices, as TLC's Init of independent conjuncts.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys

from ..diagnostics import fail
from ..lang import ir
from .runtime import ModelError
from .statements import StateView


def reads_state(e: ir.E) -> bool:
    stack = [e]
    while stack:
        node = stack.pop()
        if isinstance(node, (ir.VarRef, ir.Sent)):
            return True
        stack.extend(ir.children(node))
    return False


def dependent_evaluator(ctx, e: ir.E, env: dict, width: int):
    """fn(partial state of `width` slots) -> value, and the value's Dom, of an initial
    value that reads earlier slots."""
    from .code import Unsupported
    try:
        code = ctx.gen.expr(e, env, StateView())
    except Unsupported as exc:
        fail("SL403", f"cannot compute this initial value: {exc}", e.span)
    if code.const:
        return (lambda _s, v=code.value: v), code.dom
    names = "".join(f"S{k}, " for k in range(width))
    body = f"    {names}= s\n" if names else ""
    src = f"def _initial(s):\n{body}    return {code.src}\n"
    local: dict = {}
    exec(compile(src, "<stateline initial value>", "exec"), ctx.ns, local)  # noqa: S102

    def run(s, fn=local["_initial"]):
        try:
            return fn(s)
        except ModelError as exc:
            fail("SL602", exc.message, ctx.sites[exc.site])
        except RecursionError:
            fail("SL405", "this value is too deeply nested to compute", e.span)
    return run, code.dom


def extend(partials: list[tuple], values_of, limit: int, name: str, span) -> list[tuple]:
    """Every partial state extended by each of its next slot's values."""
    out = []
    for s in partials:
        values = values_of(s)
        if not values:
            continue
        out.extend(s + (v,) for v in values)
        if len(out) > limit:
            fail("SL405", f"the instance has more than {limit:,} initial states "
                          f"(counting the choices up to '{name}')", span)
    return out


def slot_choices(states: list[tuple], width: int) -> tuple[tuple, ...]:
    """Per slot, the values it takes in some initial state (first-seen order)."""
    out = []
    for k in range(width):
        seen = dict.fromkeys(s[k] for s in states)
        out.append(tuple(seen))
    return tuple(out)


def placeholder(dom):
    """The value a type-only variable (`var x: T`) holds until the `init:` block
    assigns it: the type's first value (never seen: the block must assign it)."""
    return next(iter(dom.values()))


def run_init_block(system, block: ir.ActionIR, limit: int):
    """`system` with the initial states the `init:` block yields from its declared
    initial states: the block is compiled as the only action of the system (no
    network faults), and each of its steps from a declared state is an initial state."""
    from .compile import ModelCompiler
    net = system.network
    if net is not None:
        net = dataclasses.replace(net, options=(), partitions=0)
    sub = dataclasses.replace(system, actions=(block,), invariants=(), transitions=(),
                              constraints=(), temporal=(), fairness=((),), network=net)
    source = ModelCompiler(sub).source()
    ns = dict(system.context.ns)
    ns["_cap"] = sys.maxsize
    exec(compile(source, "<stateline init block>", "exec"), ns)  # noqa: S102
    successors = ns["successors"]
    seeds = system.initial_list if system.initial_list is not None else \
        itertools.product(*system.initial_choices)
    found: dict = {}
    for seed in seeds:
        try:
            found.update(dict.fromkeys(successors(seed)))
        except ModelError as exc:
            fail(exc.code, exc.message, system.sites[exc.site])
        if len(found) > limit:
            fail("SL405", f"the init: block yields more than {limit:,} initial states",
                 block.span)
    if not found:
        fail("SL404", "the init: block yields no initial state (every way through it "
                      "fails a 'require')", block.span)
    states = tuple(found)
    return dataclasses.replace(system, initial_list=states,
                               initial_choices=slot_choices(states, len(system.slots)))
