"""Comparing every Z3 engine with the explicit checker on one spec (issue 11).

`findings(spec)` runs `stateline check` (the explicit checker, `run_check`) and
`stateline prove` with every engine (`prove_block`: `--bmc K` with K the explicit
search's depth, `--induction` with and without the spec's proof file, `--k-induction`,
`--auto`) through the library API, on one encoding, and returns every disagreement as a
`Finding`.  The explicit checker is the judge; its own state counts and verdicts are
cross-checked against the reference interpreter elsewhere (tests/test_crosscheck.py).

What is a disagreement (`Finding.what`):

* `proved-violated`   an engine says PROVED for a property check finds violated;
* `errors-proved`     an engine proves "(run-time errors)" absent, check finds one;
* `bounded-violated`  BMC says "no violation within K" and check has a violation of at
                      most K steps (before any run-time error);
* `lasso-missed`      BMC's lasso search says "no fair violating lasso of at most K" and
                      check prints a lasso of at most K steps;
* `violated-holds`    an engine's VIOLATED that check (exhaustive) says holds;
* `length-differs`    BMC's or k-induction's counterexample is not as short as check's;
* `missing`           check finds a property violated that an engine neither decides nor
                      names in a note (a silently skipped property);
* `error-differs`     a run-time error found by one side only, or at another depth;
* `lemma-proved-false` `--induction` proves a lemma false in a state check generates;
* `check-crash`, `engine-crash`  an exception other than a refusal (SpecError).

"Unknown" and "not proved" are always allowed.  A `SpecError` from `prove_block` (a
construct the Z3 encoding refuses, SL801/SL405) skips the Z3 engines for the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import reference as R
from stateline import SpecError, check_blocks, load_text, run_check
from stateline.prover.proofs import load_proof_text
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, encode, instance, prove_block

ERRORS = "(run-time errors)"
MAX_DEPTH = 14          # BMC deeper than this is not attempted
SPACER_SECONDS = 3.0
Z3_SECONDS = 20.0       # the other engines (rarely reached)


@dataclass(frozen=True)
class Finding:
    engine: str             # "bmc", "induction", "induction+proof", "k-induction", "auto",
                            # "l2s" (only when asked for)
    prop: str
    kind: str               # the property's kind (invariant, transition, deadlock, ...)
    what: str               # see the module docstring
    detail: str = ""

    def __str__(self):
        return f"{self.engine}: {self.prop} ({self.kind}): {self.what}: {self.detail}"


@dataclass
class Run:
    """The explicit result, each engine's result, and what disagrees."""

    spec: R.Spec
    explicit: object = None
    results: dict = field(default_factory=dict)        # engine -> ProveResult
    refused: str | None = None                         # why the Z3 engines were skipped
    findings: list = field(default_factory=list)
    bmc_depth: int = 0

    def report(self) -> str:
        out = [f"--- spec ---\n{self.spec.text}"]
        if getattr(self.spec, "proof", None) is not None:
            out.append(f"--- proof file ---\n{self.spec.proof.text}")
        if self.explicit is not None:
            out.append(f"--- check ---\n{explicit_summary(self.explicit)}")
        for engine, r in self.results.items():
            out.append(f"--- {engine} ---\n{prove_summary(r)}")
        out.append("--- findings ---\n" + "\n".join(str(f) for f in self.findings))
        return "\n".join(out) + "\n"


def engines_for(spec) -> list[tuple[str, ProveOptions, bool]]:
    """(label, options without proof, whether the spec's proof file is used)."""
    k = getattr(spec, "k_bound", 2)
    out = [("induction", ProveOptions("induction", timeout=Z3_SECONDS), False)]
    if getattr(spec, "proof", None) is not None:
        out.append(("induction+proof", ProveOptions("induction", timeout=Z3_SECONDS), True))
    with_proof = getattr(spec, "proof", None) is not None and getattr(spec, "k_proof", False)
    out.append(("k-induction" + ("+proof" if with_proof else ""),
                ProveOptions("k-induction", k, timeout=Z3_SECONDS), with_proof))
    out.append(("auto", ProveOptions("auto", timeout=SPACER_SECONDS), False))
    return out


def run_engines(spec, engines: tuple[str, ...] | None = None) -> Run:
    run = Run(spec)
    loaded = load_text(spec.text, "gen.sl")
    [block] = check_blocks(loaded)
    try:
        model = instance(loaded, block, {})
    except SpecError as exc:
        run.refused = "the instance does not compile: " + exc.diagnostics[0].message
        return run
    try:
        run.explicit = run_check(loaded, block, {}, model=model)
    except Exception as exc:   # noqa: BLE001  (a crash of the checker is a finding)
        run.findings.append(Finding("check", "-", "-", "check-crash",
                                    f"{type(exc).__name__}: {exc}"))
        return run
    try:
        enc = encode(model)
    except SpecError as exc:
        run.refused = exc.diagnostics[0].message
        return run
    # deep enough for every shortest violation (a step out of the last level, or out
    # of the constraint, has the length of the search's depth) and every lasso printed
    lassos = [len(v.trace) for v in run.explicit.verdicts
              if v.kind == "temporal" and v.trace is not None]
    run.bmc_depth = max(0, min(max([run.explicit.stats.depth] + lassos), MAX_DEPTH))
    todo = [("bmc", ProveOptions("bmc", run.bmc_depth, timeout=Z3_SECONDS), False)] + \
        engines_for(spec)
    if engines is not None and "l2s" in engines:    # opt-in: tests/test_l2s.py
        todo.append(("l2s", ProveOptions("l2s", timeout=Z3_SECONDS), False))
    proof = None
    if getattr(spec, "proof", None) is not None:
        proof = load_proof_text(spec.proof.text, "gen.proof.sl", loaded)
    for label, options, with_proof in todo:
        if engines is not None and label.split("+")[0] not in engines:
            continue
        if with_proof:
            options = ProveOptions(options.engine, options.bound, options.timeout, proof)
        try:
            run.results[label] = prove_block(loaded, block, {}, options, model=model, enc=enc)
        except SpecError as exc:
            run.refused = exc.diagnostics[0].message
            return run
        except Exception as exc:   # noqa: BLE001  (an internal error is a finding)
            run.findings.append(Finding(label, "-", "-", "engine-crash",
                                        f"{type(exc).__name__}: {exc}"))
    return run


def findings(spec, engines: tuple[str, ...] | None = None) -> Run:
    run = run_engines(spec, engines)
    if run.explicit is None or run.refused:
        return run
    ex = run.explicit
    verdicts = {v.prop: v for v in ex.verdicts}
    complete = ex.stop.exhaustive and ex.failure is None
    all_violated = ex.stop.value == "all-violated"
    e_err = (len(ex.failure.trace) if ex.failure.trace is not None else 0) \
        if ex.failure is not None else None
    add = run.findings.append
    raised_in = property_raising(spec, ex.failure)

    for label, r in run.results.items():
        obligations = {o.name: o for o in r.obligations}
        notes = " ".join(r.notes)
        for v in ex.verdicts:
            # a violated property silently skipped (not an obligation, not in a note)
            if v.status.value == "violated" and v.prop not in obligations and \
                    v.prop not in notes and r.failure is None:
                if v.kind == "temporal" and label != "bmc":
                    continue        # only BMC's lasso search decides them without a rank
                add(Finding(label, v.prop, v.kind, "missing",
                            f"check: violated in {len(v.trace)} steps; no obligation, "
                            f"no note"))
        for o in r.obligations:
            v = verdicts.get(o.name)
            n = len(v.trace) if v is not None and v.trace is not None else None
            if o.claim is Claim.PROVED:
                # (an error evaluating a property belongs to that property, not to
                # "(run-time errors)", which then must not be proved; an engine that
                # reports the error too agrees)
                if o.kind == "errors" and ex.failure is not None and r.failure is None \
                        and raised_in is None:
                    add(Finding(label, o.name, o.kind, "errors-proved",
                                f"check: {ex.failure.diagnostic.code} after {e_err} steps: "
                                f"{ex.failure.diagnostic.message}; {label}: {o.detail}"))
                elif o.name == raised_in:
                    add(Finding(label, o.name, o.kind, "proved-raises",
                                f"check: evaluating it raises after {e_err} steps: "
                                f"{ex.failure.diagnostic.message}; {label}: {o.detail}"))
                elif v is not None and v.status.value == "violated":
                    add(Finding(label, o.name, o.kind, "proved-violated",
                                f"check: violated in {n} steps; {label}: {o.detail}"))
            if o.claim is Claim.VIOLATED and o.trace is not None:
                if o.kind == "errors":
                    continue
                if v is not None and v.status.value == "holds" and ex.stop.value == "complete":
                    add(Finding(label, o.name, o.kind, "violated-holds",
                                f"check: holds; {label}: {o.detail}"))
                elif v is not None and v.status.value == "violated" and \
                        label.startswith(("bmc", "k-induction", "induction")) and \
                        o.kind != "temporal" and len(o.trace) != n:
                    add(Finding(label, o.name, o.kind, "length-differs",
                                f"check: {n} steps; {label}: {len(o.trace)} steps"))
        if label == "bmc":
            bmc_findings(run, r, ex, verdicts, e_err, complete, all_violated, add)
        else:
            found = [len(o.trace) for o in r.obligations
                     if o.kind == "errors" and o.claim is Claim.VIOLATED and o.trace is not None]
            if r.failure is not None and r.failure.trace is not None:
                found.append(len(r.failure.trace))
            if (found or r.failure is not None) and ex.failure is None and \
                    ex.stop.value == "complete":
                add(Finding(label, ERRORS, "errors", "error-differs",
                            "the engine finds a run-time error, check none"))
            elif found and e_err is not None and not all_violated and min(found) != e_err:
                add(Finding(label, ERRORS, "errors", "error-differs",
                            f"check: after {e_err} steps; {label}: after {min(found)} steps"))
        if label.startswith("induction+proof") and isinstance(run.spec, R.Spec) and \
                R.interpreted(run.spec):
            lemma_findings(run, r, add)
    return run


def property_raising(spec, failure) -> str | None:
    """The invariant or transition invariant whose evaluation raised check's run-time
    error, or None when a step, the constraint or a temporal property's predicate raised
    it (those are "(run-time errors)" in every engine)."""
    if failure is None:
        return None
    lines = spec.text.splitlines()
    line = failure.diagnostic.span.line
    if not 0 < line <= len(lines):
        return None
    words = lines[line - 1].replace(":", " ").split()
    if len(words) > 1 and words[0] in ("invariant", "transition"):
        return words[1]
    return None


def bmc_findings(run, r, ex, verdicts, e_err, complete, all_violated, add):
    depth = run.bmc_depth
    b_err = (len(r.failure.trace) if r.failure.trace is not None else 0) \
        if r.failure is not None else None
    if e_err is not None or b_err is not None:
        if not all_violated and (e_err is None or e_err <= depth) and e_err != b_err:
            add(Finding("bmc", ERRORS, "errors", "error-differs",
                        f"check: {'none' if e_err is None else f'after {e_err} steps'}; "
                        f"bmc: {'none' if b_err is None else f'after {b_err} steps'}"))
    cutoff = min(x for x in (e_err, b_err, 10 ** 9) if x is not None)
    obligations = {o.name: o for o in r.obligations}
    for v in ex.verdicts:
        o = obligations.get(v.prop)
        if o is None or v.status.value != "violated":
            continue
        n = len(v.trace)
        if v.kind == "temporal":
            if complete and o.claim is Claim.BOUNDED and n <= (o.depth or 0):
                add(Finding("bmc", v.prop, v.kind, "lasso-missed",
                            f"check: a lasso of {n} steps; bmc: {o.detail}"))
        elif n < cutoff and n <= depth and o.claim is Claim.BOUNDED:
            add(Finding("bmc", v.prop, v.kind, "bounded-violated",
                        f"check: violated in {n} steps; bmc: {o.detail}"))


def lemma_findings(run, r, add):
    """A lemma `--induction` proves holds in every state the checker generates."""
    ref = R.explore(run.spec, early_stop=False)
    if ref.stop != "complete":
        return
    it = R.Interpreter(run.spec)
    lemmas = dict(run.spec.proof.lemmas)
    for o in r.obligations:
        if o.kind != "lemma" or o.claim is not Claim.PROVED:
            continue
        for state in ref.generated:
            try:
                ok = it.ev(lemmas[o.name], list(state), {})
            except R.RefError as exc:
                ok, why = False, f"raises {exc.message}"
            else:
                why = "false"
            if not ok:
                add(Finding("induction+proof", o.name, "lemma", "lemma-proved-false",
                            f"{why} in the generated state {it.show(state)}"))
                break


def explicit_summary(r) -> str:
    parts = [f"stop={r.stop.value} states={r.stats.states} depth={r.stats.depth}"]
    for v in r.verdicts:
        parts.append(f"{v.prop}={v.status.value}" + (f"({len(v.trace)})" if v.trace else ""))
    if r.failure is not None:
        n = len(r.failure.trace) if r.failure.trace is not None else 0
        parts.append(f"error({n}): {r.failure.diagnostic.message}")
    return " ".join(parts)


def prove_summary(r) -> str:
    parts = [f"{o.name}={o.claim.value}" + (f"({len(o.trace)})" if o.trace else "") +
             (f" [{_short(o.detail)}]" if o.detail else "") for o in r.obligations]
    if r.failure is not None:
        parts.append(f"error({len(r.failure.trace)}): {r.failure.diagnostic.message}")
    return "\n".join(parts) + "".join(f"\n  note: {_short(n)}" for n in r.notes)


def _short(text: str, n: int = 160) -> str:
    return text if len(text) <= n else text[:n] + "..."
