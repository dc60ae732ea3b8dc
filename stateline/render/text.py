"""Check results as text: the run header, the verdict table, counterexamples."""

from __future__ import annotations

import os

from tabulate import tabulate

from ..models.verdict import CheckResult, Status, Verdict
from ..diagnostics import render as render_diagnostic
from ..models.trace import Trace


def header(result_spec: str, path: str, check: str, constants, deadlock_checked: bool,
           options_text: str, engine: str = "bfs") -> str:
    consts = ", ".join(f"{k}={v}" for k, v in constants) or "no constants"
    dl = "deadlock checked" if deadlock_checked else "deadlock allowed"
    return f"{path}: spec {result_spec}, check {check} ({consts}) · {engine} · {dl}{options_text}"


def lasso_size(trace: Trace) -> str:
    prefix = trace.loop_start
    loop = len(trace.steps) - prefix
    head = f"{prefix} step{'s' if prefix != 1 else ''}"
    return f"{head}, then a loop of {loop}" if loop else f"{head}, then stuttering"


def result_text(v: Verdict, stop) -> str:
    if v.status is Status.VIOLATED:
        if v.trace is not None and v.trace.loop_start is not None:
            return f"violated ({lasso_size(v.trace)})"
        return f"violated ({len(v.trace)} steps)" if v.trace is not None else "violated"
    if v.status is Status.HOLDS:
        return "holds"
    return f"unknown ({stop.value})"


def mark(v: Verdict) -> str:
    met = v.met
    return "ok" if met is True else ("FAIL" if met is False else "?")


def table(results: list[CheckResult], show_spec: bool) -> str:
    rows = []
    for r in results:
        spec = os.path.basename(r.path)
        for v in r.verdicts:
            row = [r.check, v.prop, v.expected, result_text(v, r.stop), mark(v),
                   f"{r.stats.states:,}", r.stats.depth, f"{r.stats.seconds:.2f}"]
            rows.append(([spec] if show_spec else []) + row)
        if r.failure is not None:
            row = [r.check, "(model error)", "-", "error", "FAIL", f"{r.stats.states:,}",
                   r.stats.depth, f"{r.stats.seconds:.2f}"]
            rows.append(([spec] if show_spec else []) + row)
    heads = (["spec"] if show_spec else []) + ["check", "property", "expected", "result", "",
                                               "states", "depth", "seconds"]
    align = (["left"] if show_spec else []) + ["left"] * 5 + ["right"] * 3
    return tabulate(rows, heads, tablefmt="simple", colalign=align, disable_numparse=True)


def coverage_table(r: CheckResult) -> str:
    """check --coverage: per action of one check block, the successors it generated
    and the distinct states it reached first (TLC's -coverage)."""
    rows = [(c.action, f"{c.enabled:,}", f"{c.distinct:,}") for c in r.coverage]
    title = f"coverage of check {r.check}" + (f" ({r.spec})" if r.spec else "")
    return title + "\n" + tabulate(rows, headers=("action", "enabled", "new states"),
                                    tablefmt="simple", disable_numparse=True,
                                    colalign=("left", "right", "right"))


def trace_text(trace: Trace, verdict_line: str) -> str:
    lines = ["  initial state"]
    width = max((len(n) for n, _ in trace.initial), default=0)
    for name, value in trace.initial:
        lines.append(f"      {name.ljust(width)} = {value}")
    loop = trace.loop_start
    for step in trace.steps:
        if loop is not None and step.number == loop + 1:
            lines.append("  ---- loop: the steps below repeat forever ----")
        lines.append(f"  {step.number:>3}  {step.title()}")
        if step.received is not None:
            verb = "dropped " if step.node == "network" and step.action == "drop" else "received"
            lines.append(f"         {verb}  {step.received.shown}")
        for m in step.sent:
            to = f" to {m.to}" if m.to else ""
            lines.append(f"         sent      {m.shown}{to}")
        cw = max((len(c.variable) for c in step.changes), default=0)
        for c in step.changes:
            what = f"+ {c.appended}" if c.appended is not None else f"{c.old} -> {c.new}"
            lines.append(f"         {c.variable.ljust(cw)}  {what}")
    if loop is not None:
        if loop == len(trace.steps):
            lines.append("  ---- from here the behaviour stutters forever (no fair action "
                         "forces a step) ----")
        else:
            back = "the initial state" if loop == 0 else f"the state after step {loop}"
            lines.append(f"  ---- back to {back}: the loop repeats ----")
    lines.append(f"  {verdict_line}")
    return "\n".join(lines)


def counterexample(r: CheckResult, v: Verdict) -> str:
    n = len(v.trace)
    size = lasso_size(v.trace) if v.trace.loop_start is not None else \
        f"{n} step{'s' if n != 1 else ''}"
    head = f"Counterexample: {r.path}, check {r.check}: {v.prop} violated " \
           f"({size}, expected {v.expected})"
    if v.kind == "temporal":
        last = f"x {v.prop} fails on this infinite behaviour"
    elif v.kind == "deadlock":
        last = "x no action is enabled in the last state (deadlock)"
    elif v.kind == "transition":
        last = f"x the last step violates the transition invariant {v.prop}"
    else:
        last = f"x {v.prop} does not hold in the last state"
        if v.note:
            last += "".join(f"\n    {line}" for line in v.note.splitlines())
    return head + "\n" + trace_text(v.trace, last)


def failure_text(r: CheckResult, sources: dict[str, str]) -> str:
    """A run-time error: the diagnostic first, then the behaviour that led to it."""
    f = r.failure
    out = [render_diagnostic(f.diagnostic, sources),
           f"  in check {r.check}, after this behaviour:"]
    if f.trace is not None:
        step = "step" in " ".join(f.diagnostic.notes)
        out.append(trace_text(f.trace, "x the error occurs in the next step from here"
                              if step else "x the error occurs in this state"))
    else:
        out.append("  (in an initial state)")
    return "\n".join(out)


def counts(results: list[CheckResult]) -> tuple[int, int, int]:
    """(expected violations demonstrated, properties that hold as expected, unexpected
    results: failed expectations and run-time errors)."""
    demonstrated = sum(1 for r in results for v in r.verdicts
                       if v.met is True and v.status is Status.VIOLATED)
    held = sum(1 for r in results for v in r.verdicts
               if v.met is True and v.status is not Status.VIOLATED)
    unexpected = sum(1 for r in results for v in r.verdicts if v.met is False) + \
        sum(1 for r in results if r.failure is not None)
    return demonstrated, held, unexpected


def summary(results: list[CheckResult]) -> str:
    """One line that a reader cannot take for "nothing was violated" when a counterexample
    was expected: the expected violations demonstrated and the unexpected results are
    counted apart, then the verdict of the run."""
    n_props = sum(len(r.verdicts) for r in results)
    failed = sum(1 for r in results for v in r.verdicts if v.met is False)
    unknown = sum(1 for r in results for v in r.verdicts if v.met is None)
    errors = sum(1 for r in results if r.failure is not None)
    checks = len(results)
    demonstrated, held, unexpected = counts(results)
    head = (f"{checks} check{'s' if checks != 1 else ''}, {n_props} "
            f"propert{'ies' if n_props != 1 else 'y'}: expected violations demonstrated "
            f"({demonstrated}), holding as expected ({held}), unexpected results ({unexpected})")
    if failed or errors:
        bits = []
        if failed:
            bits.append(f"{failed} expectation{'s' if failed != 1 else ''} FAILED")
        if errors:
            bits.append(f"{errors} run-time error{'s' if errors != 1 else ''}")
        if unknown:
            bits.append(f"{unknown} unknown")
        return f"{head}: " + ", ".join(bits) + "."
    if unknown:
        reasons = sorted({r.stop.describe() for r in results if not r.stop.exhaustive})
        return f"{head}; {unknown} without a verdict ({'; '.join(reasons)}); the rest as expected."
    return f"{head}; every expectation met."
