"""Which other processes' variables each action reads (shared-memory reads).

A guard such as `require not Primary.up` in the backup's `takeOver` reads a
variable of another process, the way a failure detector or a shared register
would tell it.  The OTLP export links the span of such a step to the span of
the step that last wrote that variable, so the causal past of the step (and of
a violation) contains the write: a crash is a cause of the failover it enables.
"""

from __future__ import annotations

from . import ir


def foreign_reads(typed: ir.TypedSpec) -> dict[tuple[str | None, str], tuple[str, ...]]:
    """(process, action name) -> the qualified names (`Primary.up`) of the variables of
    other processes that its guard, parameters or body read, in order of appearance."""
    out: dict[tuple[str | None, str], tuple[str, ...]] = {}
    for action in typed.actions:
        found: dict[str, None] = {}

        def visit(node, action=action, found=found):
            if isinstance(node, ir.VarRef) and node.var.process is not None and \
                    node.var.process != action.process:
                found[f"{node.var.process}.{node.var.name}"] = None
            for child in ir.children(node):
                visit(child)

        for node in [action.guard, *(dom for _, dom in action.params), *action.body]:
            if node is not None:
                visit(node)
        if found:
            out[(action.process, action.name)] = tuple(found)
    return out
