"""`stateline prove`: the Z3 engines on each check block of a spec.

    stateline prove SPEC --bmc K            bounded model checking to depth K
    stateline prove SPEC --induction [--proof FILE]
    stateline prove SPEC --k-induction K [--proof FILE]
    stateline prove SPEC --induction --proof FILE --drop LEMMA   is the lemma needed?
    stateline prove SPEC --auto [--timeout S]      Spacer (the default engine)
    stateline prove SPEC --infer [--write-proof FILE]    find the lemmas (cli/infer.py)

Exit codes as for `check`: 0 every expectation met (proved, or no violation
within the bound), 1 a violation where `holds` was expected or an unproved
claim expected to hold, 2 invalid input or a run-time error in the spec,
3 unknown (timeout, or no verdict within the bound).
"""

from __future__ import annotations

import ctypes
import os
import sys
import time

import z3
from tabulate import tabulate

from ..checker.run import check_blocks
from ..diagnostics import SpecError
from ..lang.selection import selection_note
from ..prover.decode import Disagreement
from ..prover.results import Claim, Obligation, ProveResult
from ..prover import scopes
from ..prover.run import ProveOptions, describe_constants, instance, prove_block
from ..render import prove_json, text
from . import outputs, signals
from .proof_inputs import load_inputs
from .codes import EXIT_BOUND, EXIT_FAILED, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK
from .infer import add_arguments as infer_arguments, run_infer
from .console import Console, positive_float, positive_int, property_arguments, report_errors


def add_parser(sub) -> None:
    c = sub.add_parser("prove", help="prove or refute the properties of a spec with Z3",
                       description="Run a Z3 engine on each check block of a spec: bounded "
                                   "model checking, induction with counterexamples to "
                                   "induction, k-induction, or an automatic proof (Spacer).")
    c.add_argument("path", metavar="SPEC", help="the spec file")
    engine = c.add_mutually_exclusive_group()
    engine.add_argument("--bmc", type=positive_int, metavar="K",
                        help="bounded model checking of every property to depth K")
    engine.add_argument("--induction", action="store_true",
                        help="check that the invariants (with the proof's lemmas) are "
                             "inductive; print a counterexample to induction if not")
    engine.add_argument("--k-induction", type=positive_int, metavar="K",
                        help="k-induction up to K (with the proof's lemmas)")
    engine.add_argument("--auto", action="store_true",
                        help="an automatic unbounded proof with Z3's Spacer (the default)")
    engine.add_argument("--liveness-to-safety", action="store_true",
                        help="as --auto, and the temporal properties by the "
                             "liveness-to-safety reduction solved by Spacer")
    c.add_argument("--proof", metavar="FILE", help="a proof file: lemmas and ranking functions")
    infer_arguments(c, engine)
    c.add_argument("--any-size", action="store_true",
                   help="with --induction: prove for every size of the spec's symmetric "
                        "sets and process instance sets (or the proof's `any size` line)")
    c.add_argument("--drop", action="append", default=[], metavar="LEMMA",
                   help="leave this lemma of the proof out (repeatable); with --induction, "
                        "each counterexample to induction says whether its first state "
                        "violates it")
    c.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                   help="override a constant in every check block (repeatable)")
    c.add_argument("--check", dest="checks", action="append", default=[], metavar="NAME",
                   help="run only this check block (repeatable)")
    property_arguments(c)
    c.add_argument("--timeout", type=positive_float, metavar="S",
                   help="give up on a check block after S seconds (result unknown, exit 3)")
    c.add_argument("--quiet", action="store_true",
                   help="do not print counterexamples of expected violations")
    c.add_argument("--no-progress", action="store_true", help="accepted for symmetry with check")
    c.add_argument("--json", metavar="FILE",
                   help="write the results as JSON, schema stateline.prove ('-' for stdout)")
    c.add_argument("--emit-smt", metavar="DIR",
                   help="with --induction: write every proof obligation as an SMT-LIB 2 file "
                        "in DIR/CHECK/, to re-check the proof with another solver")
    c.set_defaults(run=run)


def options_from(args, proof) -> ProveOptions:
    if args.bmc:
        return ProveOptions("bmc", args.bmc, args.timeout, proof)
    dropped = ()
    if proof is not None and args.drop:
        dropped = tuple(x for x in proof.lemmas if x.name in args.drop)
        for name in args.drop:
            proof = proof.without(name)
    if args.induction:
        return ProveOptions("induction", 0, args.timeout, proof, dropped, args.any_size,
                            args.emit_smt is not None)
    if args.k_induction:
        return ProveOptions("k-induction", args.k_induction, args.timeout, proof, dropped)
    if args.liveness_to_safety:
        return ProveOptions("l2s", 0, args.timeout, proof)
    return ProveOptions("auto", 0, args.timeout, proof)


def run(args, console: Console) -> int:
    if args.infer:
        return run_infer(args, console)
    inputs = [args.path] + ([args.proof] if args.proof else [])
    json_path = None if args.json in (None, "-") else args.json
    if not outputs.check_paths(console, inputs, [("--json", json_path)],
                               [("--emit-smt", args.emit_smt)]):
        return EXIT_INVALID
    if args.emit_smt is not None and not args.induction:
        console.error("stateline: error[SL504]: --emit-smt writes the obligations of "
                      "--induction (finite or --any-size)")
        return EXIT_INVALID
    read = load_inputs(args, console)
    if read is None:
        return EXIT_INVALID
    loaded, overrides, proof, selection = read
    options = options_from(args, proof)
    if proof is not None and options.engine in ("bmc", "auto"):
        console.error("stateline: error[SL504]: --proof is used by --induction and "
                      "--k-induction (and --liveness-to-safety)")
        return EXIT_INVALID
    if args.write_proof:
        console.error("stateline: error[SL504]: --write-proof writes what --infer finds")
        return EXIT_INVALID
    if args.any_size and options.engine != "induction":
        console.error("stateline: error[SL504]: --any-size is a form of --induction")
        return EXIT_INVALID
    if args.drop and proof is None:
        console.error("stateline: error[SL504]: --drop removes a lemma of the --proof file")
        return EXIT_INVALID
    for name in args.drop:
        if name not in {x.name for x in proof.lemmas}:
            console.error(f"stateline: error[SL504]: {args.proof} has no lemma named '{name}'")
            return EXIT_INVALID
    blocks = check_blocks(loaded, args.checks or None, selection)
    for name in args.checks:
        if name not in {b.name for b in check_blocks(loaded)}:
            console.error(f"stateline: error[SL505]: no check block is named '{name}'")
            return EXIT_INVALID
    results, invalid = [], False
    sources = {loaded.path: loaded.source}
    if proof is not None:
        sources[proof.path] = proof.source
    # Z3 would take Ctrl-C for itself and only cancel the call at hand; instead every
    # signal cancels the running call and stops the run (signals.py).
    z3.set_param("ctrl_c", False)
    scopes.clear_interrupt()
    signals.on_signal(scopes.interrupt)
    stopped = False
    for check in blocks:
        model, started = None, time.perf_counter()
        try:
            console.phase(f"compiling check {check.name}")
            model = instance(loaded, check, overrides)
            console.print(header(model.system, check.name, options) +
                          selection_note(loaded.typed, check))
            console.phase(f"proving check {check.name}")
            result = prove_block(loaded, check, overrides, options, model)
        except SpecError as exc:
            report_errors(console, exc, {**sources, **getattr(exc, "sources", {})})
            invalid = True
            continue
        except Disagreement as exc:
            console.error(f"stateline: internal error: {exc}\n  this is a bug in Stateline; "
                          f"please report it with the spec")
            return EXIT_INTERNAL
        except (KeyboardInterrupt, ctypes.ArgumentError) as exc:
            # A signal that arrives while ctypes converts the arguments of a Z3 call is
            # wrapped by ctypes in an ArgumentError: still the signal.
            if isinstance(exc, ctypes.ArgumentError) and signals.received() is None:
                raise
            signals.reporting()
            stopped = True
            console.error(f"stateline: interrupted ({signals.received() or 'SIGINT'}); "
                          f"reporting the {len(results)} check(s) proved so far" +
                          (", and this one without a verdict" if model is not None else ""))
            if model is not None:
                results.append(interrupted(model, check, options,
                                           time.perf_counter() - started))
                show(console, results[-1], args.quiet, sources)
            break
        results.append(result)
        show(console, result, args.quiet, sources, tuple(x.name for x in options.dropped))
        if result.certificates is not None and \
                not emit_smt(result.certificates, args.emit_smt, console):
            return EXIT_INVALID
    signals.reporting()
    code = exit_code(results, invalid)
    if code == EXIT_OK and stopped:
        code = EXIT_BOUND                     # interrupted while compiling a block
    if results:
        console.print("")
        console.print(summary(results))
    if args.json and not write_json(results, code, options, args.json, console):
        return EXIT_INVALID
    return code


def emit_smt(certs, folder: str, console: Console) -> bool:
    """Write one check block's obligations in folder/CHECK/ (files of an earlier run
    with other names are left alone: index.json lists this run's)."""
    target = os.path.join(folder, certs.check)
    try:
        os.makedirs(target, exist_ok=True)
    except OSError as exc:
        console.error(f"stateline: error[SL504]: cannot create '{target}': {exc.strerror}")
        return False
    files = certs.files()
    for name, text in files:
        if not outputs.write(os.path.join(target, name), text, console):
            return False
    proved = sum(c.status == "unsat" for c in certs.items)
    console.print(f"certificates: {len(files) - 1} obligations in {target}/ "
                  f"({proved} proved by this run; index.json lists them)")
    return True


def write_json(results: list[ProveResult], code: int, options: ProveOptions, path: str,
               console: Console) -> bool:
    bound = options.bound if options.engine in ("bmc", "k-induction") else None
    doc = prove_json.dumps(results, code, bound)
    if path == "-":
        sys.stdout.write(doc)
        sys.stdout.flush()
        return True
    return outputs.write(path, doc, console)


def interrupted(model, check, options: ProveOptions, seconds: float) -> ProveResult:
    """The result of a block whose proof a signal stopped: every property unknown."""
    system = model.system
    expected = {prop: outcome for prop, outcome, _ in check.expects}
    props = [(p.name, "invariant") for p in system.invariants] + \
        [(p.name, "transition") for p in system.transitions]
    if not system.allow_deadlock or "DeadlockFreedom" in expected:
        props.append(("DeadlockFreedom", "deadlock"))
    props += [(p.name, "temporal") for p in system.temporal]
    why = f"interrupted ({signals.received() or 'SIGINT'})"
    return ProveResult(system.name, system.path, check.name, describe_constants(system),
                       options.engine, tuple(Obligation(name, kind, expected.get(name, "holds"),
                                                        Claim.UNKNOWN, why)
                                             for name, kind in props), seconds)


def header(system, check: str, options: ProveOptions) -> str:
    consts = ", ".join(f"{k}={v}" for k, v in describe_constants(system)) or "no constants"
    engine = {"bmc": f"bmc to depth {options.bound}", "induction": "induction",
              "k-induction": f"k-induction up to {options.bound}",
              "auto": "spacer",
              "l2s": "spacer, liveness to safety"}.get(options.engine, options.engine)
    if options.engine == "l2s" and options.proof is not None:
        # the proof's lemmas and the safety properties are checked by induction
        engine = "liveness to safety by spacer, safety by induction"
    if options.any_size or (options.proof is not None and options.proof.any_size):
        engine += " for every size"
    if options.proof is not None:
        n = len(options.proof.lemmas)
        engine += f" · proof {options.proof.path} ({n} lemma{'s' if n != 1 else ''})"
        if options.dropped:
            engine += f" without {', '.join(x.name for x in options.dropped)}"
    if options.timeout:
        engine += f" · timeout {options.timeout:g} s"
    return f"{system.path}: spec {system.name}, check {check} ({consts}) · {engine}"


def mark(met) -> str:
    return "ok" if met is True else ("FAIL" if met is False else "?")


DEPTHS_PER_ROW = 12


def show(console: Console, r: ProveResult, quiet: bool, sources, dropped=()) -> None:
    rows = []
    for o in r.obligations:
        result = o.claim.value if not o.detail else f"{o.claim.value}: {o.detail}"
        rows.append([o.name, o.kind, o.expected, result, mark(o.met)])
    console.print(tabulate(rows, ["property", "kind", "expected", "result", ""],
                           tablefmt="simple", disable_numparse=True))
    if r.depths:
        console.print(f"depth reached {r.depths[-1][0]} in {r.seconds:.2f} s; seconds per depth:")
        for i in range(0, len(r.depths), DEPTHS_PER_ROW):
            chunk = r.depths[i:i + DEPTHS_PER_ROW]
            console.print(tabulate([["seconds"] + [f"{s:.2f}" for _, s in chunk]],
                                   ["depth"] + [str(d) for d, _ in chunk], tablefmt="plain",
                                   disable_numparse=True))
    else:
        console.print(f"{r.seconds:.2f} s")
    for note in r.notes:
        console.print(f"note: {note}")
    for o in r.obligations:
        if o.invariant and o.kind == "temporal":
            console.print("")
            console.print(f"Inductive invariant found by Spacer for {o.name} (check "
                          f"{r.check}), liveness to safety: no reachable state closes a fair "
                          f"loop violating it")
            console.print(o.invariant)
        elif o.invariant:
            console.print("")
            console.print(f"Inductive invariant found by Spacer (check {r.check}); it implies "
                          f"every property proved above:")
            console.print(o.invariant)
        if o.claim is Claim.VIOLATED and o.trace is not None and not (quiet and o.met):
            console.print("")
            console.print(text.counterexample(r, o.verdict(r.engine)))
    ctis = []
    for o in r.obligations:
        if o.cti is not None and o.cti not in ctis:
            ctis.append(o.cti)
    for cti in ctis:
        console.print("")
        console.print(cti_text(r, cti))
        if dropped and not cti.why and r.engine == "induction":  # (any size too)
            console.print(dropped_text(cti, dropped))
    if r.failure is not None:
        console.print("")
        console.error(text.failure_text(r, sources))


def cti_text(r: ProveResult, cti) -> str:
    text = _cti_text(r, cti)
    if cti.instance:
        head, _, rest = text.partition("\n")
        how = f"found in the instance {cti.instance}, one of every size, by searching the " \
              f"small instances" if cti.searched else \
              f"found for every size; shown in the instance {cti.instance}"
        text = f"{head}\n  ({how})\n{rest}"
    return text


def _cti_text(r: ProveResult, cti) -> str:
    n = len(cti.trace.steps)
    if n == 0 and cti.action == "(deadlock)":
        head = f"Counterexample to induction: {r.path}, check {r.check}: a state satisfying " \
               f"the invariant has no enabled action"
        body = text.trace_text(cti.trace, "x no action is enabled in this state")
        return head + "\n" + body.replace("  initial state", "  a state satisfying the "
                                                              "invariant", 1)
    if cti.why:
        head = f"Counterexample to the ranking argument: {r.path}, check {r.check}: {cti.why}"
        body = text.trace_text(cti.trace, f"x the obligation on {cti.breaks} fails here")
        return head + "\n" + body.replace("  initial state", "  a state satisfying the "
                                           "invariant, waiting for the goal", 1)
    if n == 0 and cti.action == "(initial state)":
        head = f"Counterexample to induction: {r.path}, check {r.check}: {cti.breaks} is " \
               f"false in an initial state"
        body = text.trace_text(cti.trace, f"x {cti.breaks} does not hold in this state")
        return head + "\n" + body
    if n == 0:
        head = f"Counterexample to induction: {r.path}, check {r.check}: a run-time error is " \
               f"possible in a state satisfying the invariant"
        body = text.trace_text(cti.trace, "x computing a step from this state raises a "
                                          "run-time error")
        return head + "\n" + body.replace("  initial state", "  a state satisfying the "
                                                              "invariant", 1)
    if cti.action == "(reachable)":
        head = f"Counterexample to induction: {r.path}, check {r.check}: {cti.breaks} is " \
               f"false after {n} step{'s' if n != 1 else ''} from an initial state"
        return head + "\n" + text.trace_text(cti.trace, f"x {cti.breaks} does not hold in the "
                                                         f"last state")
    assumed = ", ".join(cti.assumed) if cti.assumed else "the invariant"
    head = f"Counterexample to induction: {r.path}, check {r.check}: {cti.breaks} is not " \
           f"preserved by {cti.action}"
    body = text.trace_text(cti.trace, f"x {cti.breaks} does not hold in the state after the "
                                      f"step")
    body = body.replace("  initial state", f"  a state satisfying {assumed} "
                                           f"(not necessarily reachable)", 1)
    return head + "\n" + body


def dropped_text(cti, dropped: tuple[str, ...]) -> str:
    """Which lemmas left out with --drop the CTI's first state violates."""
    kept = [name for name in dropped if name not in cti.violates]
    lines = []
    if cti.violates:
        names = ", ".join(cti.violates)
        lines.append(f"  the first state violates the dropped lemma"
                     f"{'s' if len(cti.violates) > 1 else ''} {names}: the proof needs "
                     f"{'them' if len(cti.violates) > 1 else 'it'} to rule this state out")
    if kept:
        lines.append(f"  the first state satisfies the dropped lemma{'s' if len(kept) > 1 else ''} "
                     f"{', '.join(kept)}")
    return "\n".join(lines)


def summary(results: list[ProveResult]) -> str:
    obligations = [o for r in results for o in r.obligations]
    failed = sum(1 for o in obligations if o.met is False)
    unknown = sum(1 for o in obligations if o.met is None)
    errors = sum(1 for r in results if r.failure is not None)
    n = len(results)
    head = f"{n} check{'s' if n != 1 else ''}, {len(obligations)} obligation" \
           f"{'s' if len(obligations) != 1 else ''}:"
    bits = []
    if failed:
        bits.append(f"{failed} expectation{'s' if failed != 1 else ''} FAILED")
    if errors:
        bits.append(f"{errors} run-time error{'s' if errors != 1 else ''}")
    if unknown:
        bits.append(f"{unknown} without a verdict")
    return head + " " + (", ".join(bits) + "." if bits else "every expectation met.")


def exit_code(results: list[ProveResult], invalid: bool) -> int:
    if invalid or any(r.failure is not None for r in results):
        return EXIT_INVALID
    obligations = [o for r in results for o in r.obligations]
    if any(o.met is False for o in obligations):
        return EXIT_FAILED
    if any(o.met is None for o in obligations):
        return EXIT_BOUND
    return EXIT_OK
