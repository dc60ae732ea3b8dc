"""`stateline prove SPEC --infer`: find the lemmas of an inductive invariant.

    stateline prove SPEC --infer [--any-size] [--proof GIVEN] [--write-proof FILE]
                         [--max-literals K] [--max-vars Q] [--check NAME] [-D N=V]
                         [--timeout S]

For each check block: the candidates of the template grammar, those that hold in
every reachable state, the lemmas chosen to rule out counterexamples to induction,
and the `--induction` (or `--any-size`) result of the proof file they make, which
is written with --write-proof (one check block).  Exit codes as for --induction:
0 every block's invariants proved with the lemmas found, 1 not found for some
block, 2 invalid input, 3 no verdict (timeout).
"""

from __future__ import annotations

from ..checker.run import check_blocks
from ..diagnostics import SpecError
from ..prover.decode import Disagreement
from ..prover.run import describe_constants, instance
from ..prover.infer.run import InferOptions, infer_block
from . import outputs
from .proof_inputs import load_inputs
from .codes import EXIT_BOUND, EXIT_FAILED, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK
from .console import Console, positive_int, report_errors


def add_arguments(c, engine) -> None:
    engine.add_argument("--infer", action="store_true",
                        help="find lemmas that make the invariants inductive (a template "
                             "grammar filtered by the reachable states, then Z3)")
    c.add_argument("--write-proof", metavar="FILE",
                   help="with --infer: write the proof file of the lemmas found")
    c.add_argument("--max-literals", type=positive_int, default=3, metavar="K",
                   help="with --infer: literals per candidate clause (default 3)")
    c.add_argument("--max-vars", type=int, default=2, metavar="Q",
                   help="with --infer: quantified variables per candidate (default 2)")


def run_infer(args, console: Console) -> int:
    inputs = [args.path] + ([args.proof] if args.proof else [])
    if not outputs.check_paths(console, inputs, [("--write-proof", args.write_proof)]):
        return EXIT_INVALID
    if args.bmc or args.k_induction or args.auto or args.drop or args.json:
        console.error("stateline: error[SL504]: --infer runs alone: not with --bmc, "
                      "--k-induction, --auto, --drop or --json")
        return EXIT_INVALID
    if not 0 <= args.max_vars <= 3:
        console.error("stateline: error[SL504]: --max-vars must be 0 to 3")
        return EXIT_INVALID
    read = load_inputs(args, console)
    if read is None:
        return EXIT_INVALID
    loaded, overrides, given, selection = read
    for name in args.checks:
        if name not in {b.name for b in check_blocks(loaded)}:
            console.error(f"stateline: error[SL505]: no check block is named '{name}'")
            return EXIT_INVALID
    blocks = check_blocks(loaded, args.checks or None, selection)
    if args.write_proof and len(blocks) != 1:
        console.error("stateline: error[SL504]: --write-proof writes the lemmas of one check "
                      "block: name it with --check")
        return EXIT_INVALID
    options = InferOptions(max_literals=args.max_literals, max_vars=args.max_vars,
                           any_size=args.any_size or (given is not None and
                                                      given.any_size is not None),
                           timeout=args.timeout)
    codes = []
    for check in blocks:
        try:
            model = instance(loaded, check, overrides)
        except SpecError as exc:
            report_errors(console, exc, {loaded.path: loaded.source})
            return EXIT_INVALID
        consts = ", ".join(f"{k}={v}" for k, v in describe_constants(model.system))
        console.print(f"{loaded.path}: spec {loaded.typed.name}, check {check.name} "
                      f"({consts or 'no constants'}) · infer"
                      f"{' for every size' if options.any_size else ''}"
                      f"{f' · given {given.path}' if given else ''}")
        try:
            r = infer_block(loaded, check, overrides, options, given)
        except SpecError as exc:
            report_errors(console, exc, {loaded.path: loaded.source})
            return EXIT_INVALID
        except Disagreement as exc:
            console.error(f"stateline: internal error: {exc}\n  this is a bug in Stateline; "
                          f"please report it with the spec")
            return EXIT_INTERNAL
        show(console, r)
        if r.found:
            codes.append(EXIT_OK)
            if args.write_proof and not outputs.write(args.write_proof, r.proof_text, console):
                return EXIT_INVALID
            if args.write_proof:
                console.print(f"proof written to {args.write_proof}")
        else:
            codes.append(EXIT_BOUND if r.failure and "timeout" in r.failure else EXIT_FAILED)
        console.print("")
    found = codes.count(EXIT_OK)
    console.print(f"{len(blocks)} check{'s' if len(blocks) != 1 else ''}: lemmas found for "
                  f"{found}.")
    return max(codes) if codes else EXIT_OK


def show(console: Console, r) -> None:
    console.print(f"reachable states: {r.states:,}")
    if "filter" not in r.phases:
        console.print(f"candidates: {r.generated:,} in the grammar so far (the filter did "
                      f"not finish)")
    elif "strengthen" not in r.phases:
        console.print(f"candidates: {r.generated:,} in the grammar, {r.reachable:,} hold in "
                      f"every reachable state")
    else:
        console.print(f"candidates: {r.generated:,} in the grammar, {r.reachable:,} hold in "
                      f"every reachable state, {r.inductive} chosen against counterexamples "
                      f"to induction, {len(r.lemmas)} kept")
    for note in r.notes:
        console.print(f"note: {note}")
    phases = ", ".join(f"{k} {v:.2f} s" for k, v in r.phases.items())
    if r.failure is not None:
        console.print(f"not found: {r.failure}")
    elif r.verified is not None:
        verdict = "proved" if r.found else "NOT proved"
        console.print(f"lemmas found ({len(r.lemmas)}); --induction"
                      f"{' --any-size' if r.verified and 'for every size' in ' '.join(r.verified.notes) else ''}"
                      f" with them: {verdict}")
        for k, text in enumerate(r.lemmas, 1):
            console.print(f"  {k}. {text}")
        for o in r.verified.obligations:
            if o.kind != "lemma":
                mark = "ok" if o.met else "FAIL" if o.met is False else "?"
                console.print(f"  {o.name}: {o.claim.value}{': ' + o.detail if o.detail else ''}"
                              f"  {mark}")
    console.print(f"inferred in {r.seconds:.2f} s" + (f" ({phases})" if phases else ""))
