"""The "check" and "prove" code lenses: run one check block of the buffer.

Both call what the CLI calls (`checker.run.run_check`, `prover.run.prove_block`
with Spacer, `stateline prove`'s default engine) on the buffer's text, saved or
not, and turn each verdict into a diagnostic at the property's declaration:
an expectation that failed is an error, a verdict that is missing (a bound, a
timeout) a warning, a violation that was expected an information; the text of
the counterexample is in the message, as `stateline check` prints it.  A
run-time error of the model is an error at the expression that raised it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from lsprotocol import types as T

from ..checker.run import CheckOptions, check_blocks, run_check
from ..diagnostics import SpecError
from ..lang import ast as A
from ..models.verdict import Status
from ..prover.run import ProveOptions, instance, prove_block
from ..render import text
from .analysis import Analysis
from .features import SOURCE, diagnostic, span_range

ENGINES = ("check", "prove")

# Each command runs in a thread of its own, and Z3 terms are built in one process-wide
# context that each proof replaces (prover.terms.fresh_context): two proofs at once
# would mix their terms, so they take turns.
_ONE_PROOF_AT_A_TIME = threading.Lock()


@dataclass
class Outcome:
    summary: str                      # one line for the editor's message area
    diagnostics: list[T.Diagnostic]   # at the properties (and at run-time errors)
    met: bool | None                  # every expectation met? None: a verdict is missing


def run(a: Analysis, check_name: str, engine: str, seconds: float | None = None) -> Outcome:
    if a.loaded is None:
        return Outcome(f"{a.path}: fix the errors first ({len(a.diagnostics)} reported)",
                       [], False)
    blocks = [b for b in check_blocks(a.loaded) if b.name == check_name]
    if not blocks:
        return Outcome(f"{a.path}: no check block is named '{check_name}'", [], False)
    block = blocks[0]
    try:
        if engine == "check":
            result = run_check(a.loaded, block, {}, CheckOptions(max_seconds=seconds))
        else:
            with _ONE_PROOF_AT_A_TIME:
                model = instance(a.loaded, block, {})
                result = prove_block(a.loaded, block, {},
                                     ProveOptions("auto", 0, seconds, None), model)
    except SpecError as exc:
        diags = [diagnostic(a.lines, d) for d in exc.diagnostics
                 if d.span is None or d.span.path == a.path]
        return Outcome(f"{engine} {check_name}: " + exc.diagnostics[0].headline(), diags, False)
    lines = a.lines
    diags = []
    for v in result.verdicts:
        if v.status is Status.HOLDS and v.met:
            continue
        severity = (T.DiagnosticSeverity.Error if v.met is False else
                    T.DiagnosticSeverity.Warning if v.met is None else
                    T.DiagnosticSeverity.Information)
        outcome = text.result_text(v, getattr(result, "stop", None)) \
            if engine == "check" or v.status is not Status.UNKNOWN else _claim(result, v.prop)
        message = f"{engine} {check_name}: {v.prop} {outcome}, expected {v.expected}"
        if v.status is Status.VIOLATED and v.trace is not None:
            message += "\n" + text.counterexample(result, v)
        diags.append(T.Diagnostic(range=span_range(lines, _where(a.spec, block, v.prop)),
                                  message=message, severity=severity, code=_code(v.met),
                                  source=SOURCE))
    if result.failure is not None:
        f = result.failure
        d = diagnostic(lines, f.diagnostic)
        if f.trace is not None:
            d.message += "\n" + text.trace_text(f.trace, "x the error occurs here")
        diags.append(d)
    met = _met(result)
    summary = f"{engine} {check_name}: " + (text.summary([result]) if engine == "check" else
                                            _prove_summary(result))
    return Outcome(summary, diags, met)


def _code(met: bool | None) -> str:
    return {False: "expectation failed", None: "no verdict"}.get(met, "as expected")


def _claim(result, prop: str) -> str:
    o = next(o for o in result.obligations if o.name == prop)
    return o.claim.value + (f": {o.detail}" if o.detail else "")


def _met(result) -> bool | None:
    if result.failure is not None or any(v.met is False for v in result.verdicts):
        return False
    return None if any(v.met is None for v in result.verdicts) else True


def _prove_summary(result) -> str:
    failed = sum(1 for v in result.verdicts if v.met is False)
    unknown = sum(1 for v in result.verdicts if v.met is None)
    n = len(result.verdicts)
    if result.failure is not None:
        return f"{n} obligations: a run-time error."
    if failed or unknown:
        return f"{n} obligations: {failed} FAILED, {unknown} without a verdict."
    return f"{n} obligations: every expectation met."


def _where(spec: A.Spec, block, prop: str):
    """The declaration of a property; the check block for deadlock freedom and the rest."""
    for d in spec.decls:
        if isinstance(d, (A.Invariant, A.Transition, A.Property)) and d.name == prop:
            return d.span
    return block.span
