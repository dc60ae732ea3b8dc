"""`stateline check`: run the check blocks of specs with the explicit-state checker."""

from __future__ import annotations

import dataclasses
import time

from ..checker.deadline import Deadline, DeadlineReached
from ..checker.run import (CheckOptions, check_blocks, describe_constants, not_started, prepare,
                           run_check)
from ..diagnostics import Diagnostic, Span, SpecError
from ..lang.load import LoadError, load_spec, parse_override
from ..lang.selection import command_line_selection, selection_note
from ..models.verdict import Status, StopReason
from ..render import text
from . import (dot_writer, html_writer, itf_writer, json_writer, junit_writer, markdown_writer,
               otlp_writer, outputs, sarif_writer, signals)
from .codes import EXIT_BOUND, EXIT_FAILED, EXIT_INVALID, EXIT_OK
from .console import (Console, nonnegative_float, positive_float, positive_int,
                      report_errors, spec_arguments, spec_files, workers_count)

# Writers of the results in other formats: each has `add_arguments(parser)` and
# `write(results, exit_code, args, console) -> bool` (False: could not write).
WRITERS = [json_writer, otlp_writer, html_writer, junit_writer, sarif_writer, dot_writer,
           itf_writer, markdown_writer]


def add_parser(sub) -> None:
    c = sub.add_parser("check", help="explore every behaviour of each check block's instance",
                       description="Run the check blocks of each spec with the explicit-state "
                                   "checker and compare each result with its expectation.")
    spec_arguments(c)
    c.add_argument("--max-states", type=positive_int, metavar="N",
                   help="keep at most N distinct states, exactly (exit 3 if a verdict is missing)")
    c.add_argument("--max-depth", type=positive_int, metavar="N",
                   help="do not explore beyond depth N (initial states are depth 1)")
    c.add_argument("--max-seconds", type=positive_float, metavar="S",
                   help="stop each check after S seconds")
    c.add_argument("--checkpoint", metavar="DIR",
                   help="write the search to DIR at the end of a BFS level, at most every "
                        "--checkpoint-every seconds (continue it with --resume DIR)")
    c.add_argument("--checkpoint-every", type=nonnegative_float, default=300.0, metavar="S",
                   help="seconds between two checkpoints, at most (default 300; 0: every "
                        "level)")
    c.add_argument("--resume", metavar="DIR",
                   help="continue the searches checkpointed in DIR (a killed run ends with "
                        "the counts and counterexamples of an uninterrupted one)")
    c.add_argument("--workers", type=workers_count, default=1, metavar="N|auto",
                   help="explore with N processes (auto: one per core; default 1); the "
                        "counts and counterexamples are those of one process")
    c.add_argument("--fingerprints", action="store_true",
                   help="store a 64-bit fingerprint per state instead of the state, as TLC "
                        "does (about 20 bytes a state; counterexamples are replayed; prints "
                        "the probability that a collision hid a state)")
    c.add_argument("--engine", choices=("local", "ray"), default="local",
                   help="where the --workers explore: local processes (default) or Ray "
                        "actors (pip install 'stateline[ray]'; docs/scale.md)")
    c.add_argument("--ray-address", metavar="HOST:PORT",
                   help="with --engine ray: the Ray cluster to join (default: start a local "
                        "instance with --workers CPUs)")
    c.add_argument("--no-symmetry", action="store_true",
                   help="explore every state even when the spec declares symmetric sets")
    c.add_argument("--coverage", action="store_true",
                   help="after a complete search, print per action the successors it "
                        "generated and the states it reached first (TLC's -coverage)")
    c.add_argument("--quiet", action="store_true",
                   help="do not print counterexamples of expected violations")
    c.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    for writer in WRITERS:
        writer.add_arguments(c)
    c.set_defaults(run=run)


PHASES = {"search": "searching the state space", "liveness": "liveness analysis"}


def output_paths(args) -> tuple[list, list]:
    """(file options, folder options) of a check run, as `outputs.check_paths` takes them."""
    files = [("--json", None if args.json == "-" else args.json), ("--html", args.html),
             ("--junit", args.junit), ("--sarif", args.sarif), ("--dot", args.dot),
             ("--markdown", None if args.markdown == "-" else args.markdown)]
    return files, [("--otlp", args.otlp), ("--itf", args.itf),
                   ("--checkpoint", getattr(args, "checkpoint", None))]


def run(args, console: Console) -> int:
    files, ok = spec_files(args.paths, console)
    if not outputs.check_paths(console, files, *output_paths(args)):
        return EXIT_INVALID
    invalid = not ok
    if getattr(args, "fingerprints", False):
        clash = [o for o, on in (("--workers", getattr(args, "workers", 1) != 1),
                                 ("--checkpoint", getattr(args, "checkpoint", None)),
                                 ("--resume", getattr(args, "resume", None)),
                                 ("--engine ray", getattr(args, "engine", "local") == "ray"))
                 if on]
        if clash:
            console.error(f"stateline: error[SL504]: --fingerprints cannot be combined with "
                          f"{clash[0]} (yet): run one or the other")
            return EXIT_INVALID
    options = CheckOptions(symmetry=not args.no_symmetry, max_states=args.max_states,
                           max_depth=args.max_depth, max_seconds=args.max_seconds,
                           progress=console.progress,
                           phase=lambda name: console.phase(PHASES[name]),
                           checkpoint=getattr(args, "checkpoint", None),
                           checkpoint_every=getattr(args, "checkpoint_every", 300.0),
                           resume=getattr(args, "resume", None),
                           workers=getattr(args, "workers", 1),
                           fingerprints=getattr(args, "fingerprints", False),
                           engine=getattr(args, "engine", "local"),
                           coverage=getattr(args, "coverage", False))
    if not _engine_ready(args, console):
        return EXIT_INVALID
    console.bounds(args.max_states, args.max_seconds)
    results = []
    sources: dict[str, str] = {}
    defines_used: set[str] = set()
    checks_seen: set[str] = set()
    selected_seen: set[str] = set()
    interrupted = False
    try:
        for path in files:
            if interrupted:
                break
            try:
                status = _check_file(path, args, console, options, results, sources,
                                     defines_used, checks_seen, selected_seen, len(files))
            except RecursionError:      # a limit lang.nesting missed: this spec only
                console.clear()
                report_errors(console, SpecError(Diagnostic(
                    "SL108", "this spec is nested too deeply to check", Span(path, 1, 1))),
                    sources)
                status = None
            if status is None:
                invalid = True
            elif status is False:
                interrupted = True
    except KeyboardInterrupt:          # while compiling: the results so far are reported
        interrupted = True
    signals.reporting()
    if interrupted:
        done = len({r.path for r in results})
        console.error(f"stateline: interrupted ({signals.received() or 'SIGINT'}); "
                      f"reporting the {len(results)} check(s) run so far" +
                      (f" ({len(files) - done} spec file(s) not checked)"
                       if len(files) > done else ""))
    for d in args.defines if not interrupted else ():     # (unknown for unchecked specs)
        name = d.split("=", 1)[0].strip()
        if len(files) > 1 and name not in defines_used and files:
            console.error(f"stateline: error[SL502]: -D {name}: no spec declares a constant "
                          f"'{name}'")
            invalid = True
    for option, names in (("--invariant", getattr(args, "invariants", [])),
                          ("--property", getattr(args, "properties", []))):
        for name in names if not interrupted and len(files) > 1 else ():
            if name not in selected_seen:
                console.error(f"stateline: error[SL507]: {option} {name}: no spec declares "
                              f"a property '{name}'")
                invalid = True
    for name in args.checks if not interrupted else ():
        if name not in checks_seen and files:
            console.error(f"stateline: error[SL505]: no check block is named '{name}'")
            invalid = True

    code = exit_code(results, invalid, interrupted)
    if results:
        console.print("")
        console.print(text.table(results, show_spec=len(files) > 1))
        for r in results:
            if r.coverage is not None:
                console.print("")
                console.print(text.coverage_table(r))
        for r in results:
            for v in r.verdicts:
                if v.status is Status.VIOLATED and v.trace is not None and \
                        not (args.quiet and v.met):
                    console.print("")
                    console.print(text.counterexample(r, v))
            if r.failure is not None:
                console.print("")
                console.error(text.failure_text(r, sources))
        console.print("")
        console.print(text.summary(results))
        for r in results:
            for note in r.notes:
                console.print(note)
    for writer in WRITERS:
        if not writer.write(results, code, args, console):
            return EXIT_INVALID
    return code


def _check_file(path, args, console, options, results, sources, defines_used, checks_seen,
                selected_seen, nfiles):
    """Check one spec file; False when interrupted, None when invalid, True otherwise."""
    console.phase(f"compiling {path}")
    try:
        loaded = load_spec(path)
    except LoadError as exc:
        report_errors(console, exc, exc.sources)
        return None
    sources[path] = loaded.source
    checks_seen.update(c.name for c in check_blocks(loaded))
    overrides = {}
    try:
        for d in args.defines:
            name = d.split("=", 1)[0].strip()
            if nfiles > 1 and name not in loaded.resolved.consts:
                continue
            cname, value = parse_override(loaded, d)
            overrides[cname] = value
            sources[f"-D {cname}"] = d.split("=", 1)[1]    # where its diagnostics point
            defines_used.add(name)
    except LoadError as exc:
        report_errors(console, exc, exc.sources)
        return None
    try:
        selection = command_line_selection(loaded.typed, getattr(args, "invariants", []),
                                           getattr(args, "properties", []),
                                           lenient=nfiles > 1)
    except SpecError as exc:
        report_errors(console, exc, sources)
        return None
    selected_seen.update(selection or ())
    blocks = check_blocks(loaded, args.checks or None, selection)
    status = True
    for check in blocks:
        console.phase(f"compiling {path}, check {check.name}")
        started = time.perf_counter()
        try:
            with Deadline(options.max_seconds):     # compiling is part of the check
                model = prepare(loaded, check, overrides)
        except SpecError as exc:
            report_errors(console, exc, {**sources, **getattr(exc, "sources", {})})
            status = None
            continue
        except DeadlineReached:
            console.error(f"{path}: check {check.name}: compiling the instance took longer "
                          f"than --max-seconds {options.max_seconds:g}; nothing was explored")
            results.append(not_started(loaded, check, StopReason.MAX_SECONDS))
            continue
        deadlock = not model.system.allow_deadlock or \
            any(p == "DeadlockFreedom" for p, _, _ in check.expects)
        extra = selection_note(loaded.typed, check) + _bounds(args)
        if getattr(args, "fingerprints", False) and not model.system.temporal:
            extra += " · fingerprints"
        if model.system.symmetric:
            if args.no_symmetry:
                extra = " · symmetry off" + extra
            elif model.system.temporal:     # run_check turns it off (and warns)
                extra = " · symmetry off (temporal properties)" + extra
            else:
                extra = f" · symmetry {', '.join(model.system.symmetric)}" + extra
        console.print(text.header(model.system.name, path, check.name,
                                  describe_constants(model.system), deadlock, extra,
                                  getattr(args, "engine_label", "bfs")))
        left = options
        if options.max_seconds is not None:
            spent = time.perf_counter() - started
            left = dataclasses.replace(options, max_seconds=max(options.max_seconds - spent,
                                                                0.001))
        engine = getattr(args, "engine_run", None) or run_check
        try:
            result = engine(loaded, check, overrides, left, model)
        except SpecError as exc:        # a checkpoint that cannot be resumed
            console.clear()
            report_errors(console, exc, sources)
            status = None
            continue
        console.clear()
        for w in result.warnings:
            console.error(w)
        results.append(result)
        if result.stop is StopReason.INTERRUPTED:
            return False
    return status


def _bounds(args) -> str:
    parts = []
    if args.max_states:
        parts.append(f"max-states {args.max_states:,}")
    if args.max_depth:
        parts.append(f"max-depth {args.max_depth}")
    if args.max_seconds:
        parts.append(f"max-seconds {args.max_seconds:g}")
    return "".join(" · " + p for p in parts)


def exit_code(results, invalid: bool, interrupted: bool = False) -> int:
    if invalid or any(r.failure is not None for r in results):
        return EXIT_INVALID
    if any(v.met is False for r in results for v in r.verdicts):
        return EXIT_FAILED
    if interrupted or any(v.met is None for r in results for v in r.verdicts):
        return EXIT_BOUND
    return EXIT_OK


def _engine_ready(args, console: Console) -> bool:
    """--engine ray: Ray importable and the cluster reached (SL508), else say why."""
    address = getattr(args, "ray_address", None)
    if getattr(args, "engine", "local") != "ray":
        if address is not None:
            console.error("stateline: error[SL504]: --ray-address needs --engine ray")
            return False
        return True
    from ..checker.cluster import ClusterError, connect
    try:
        connect(address, getattr(args, "workers", 1))
    except ClusterError as exc:
        console.error(f"stateline: error[SL508]: {exc}")
        return False
    return True
