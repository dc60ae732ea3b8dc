"""The `stateline` command line: argument parsing and exit codes only.

Exit codes (the same table is in the README):

  0  every expectation met
  1  an expectation failed: a violation where `holds` was expected, or the reverse
  2  a spec or the command line is invalid (including a run-time error in the
     spec, such as a value outside its declared type)
  3  a bound (--max-states, --max-depth, --max-seconds) or Ctrl-C stopped a run
     before every verdict was known, and no expectation failed
  4  internal error: a bug in Stateline (please report it)

Each subcommand calls one library function; nothing imports this module.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback

from . import __version__
from .checker.run import CheckOptions, check_blocks, describe_constants, prepare, run_check
from .models.verdict import Status, StopReason
from .diagnostics import SpecError, render
from .lang.load import LoadError, load_spec, parse_override
from .render import json_out, text

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_BOUND, EXIT_INTERNAL = 0, 1, 2, 3, 4


class Console:
    """Where output goes; progress only when stderr is a terminal."""

    def __init__(self, progress: bool):
        self.out = sys.stdout
        self.err = sys.stderr
        self.progress_on = progress and self.err.isatty()
        self._last = 0.0
        self._shown = False

    def print(self, *parts):
        print(*parts, file=self.out, flush=True)

    def error(self, message: str):
        self.clear()
        print(message, file=self.err, flush=True)

    def progress(self, states: int, depth: int, seconds: float):
        if not self.progress_on:
            return
        now = time.monotonic()
        if now - self._last < 0.25:
            return
        self._last = now
        rate = states / seconds if seconds > 0 else 0
        self.err.write(f"\r  {states:,} states · depth {depth} · {rate:,.0f} states/s\033[K")
        self.err.flush()
        self._shown = True

    def clear(self):
        if self._shown:
            self.err.write("\r\033[K")
            self.err.flush()
            self._shown = False


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'")
    return n


def _positive_float(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got '{text}'") from None
    if not x > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got '{text}'")
    return x


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="stateline",
        description="Specify distributed protocols, model-check them, and see their "
                    "counterexamples.",
        epilog="exit codes: 0 expectations met, 1 an expectation failed, 2 invalid spec or "
               "command line, 3 stopped by a bound or Ctrl-C, 4 internal error")
    p.add_argument("--version", action="version", version=f"stateline {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser("check", help="explore every behaviour of each check block's instance",
                       description="Run the check blocks of each spec with the explicit-state "
                                   "checker and compare each result with its expectation.")
    c.add_argument("paths", nargs="+", metavar="SPEC|DIR",
                   help="spec files, or directories searched for *.sl files")
    c.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                   help="override a constant in every check block (repeatable)")
    c.add_argument("--check", dest="checks", action="append", default=[], metavar="NAME",
                   help="run only this check block (repeatable)")
    c.add_argument("--max-states", type=_positive_int, metavar="N",
                   help="stop after N distinct states (exit 3 if a verdict is missing)")
    c.add_argument("--max-depth", type=_positive_int, metavar="N",
                   help="do not explore beyond depth N (initial states are depth 1)")
    c.add_argument("--max-seconds", type=_positive_float, metavar="S",
                   help="stop each check after S seconds")
    c.add_argument("--no-symmetry", action="store_true",
                   help="explore every state even when the spec declares symmetric sets")
    c.add_argument("--json", metavar="FILE", help="write the results as JSON ('-' for stdout)")
    c.add_argument("--quiet", action="store_true",
                   help="do not print counterexamples of expected violations")
    c.add_argument("--no-progress", action="store_true", help="no progress line on stderr")

    ps = sub.add_parser("parse", help="parse and type-check specs without running them")
    ps.add_argument("paths", nargs="+", metavar="SPEC|DIR")
    return p


def spec_files(paths: list[str], console: Console) -> tuple[list[str], bool]:
    files, ok = [], True
    for path in paths:
        if os.path.isdir(path):
            found = []
            for root, dirs, names in os.walk(path):
                dirs.sort()
                found.extend(os.path.join(root, n) for n in sorted(names) if n.endswith(".sl"))
            if not found:
                console.error(f"stateline: error[SL504]: no .sl files under '{path}'")
                ok = False
            files.extend(found)
        elif os.path.exists(path):
            files.append(path)
        else:
            console.error(f"stateline: error[SL504]: no such file or directory: '{path}'")
            ok = False
    return files, ok


def report_errors(console: Console, exc: SpecError, sources: dict[str, str]):
    for d in exc.diagnostics:
        console.error(render(d, sources) if d.span else
                      "stateline: " + d.headline() + (f"\n  hint: {d.hint}" if d.hint else ""))


def cmd_parse(args, console: Console) -> int:
    files, ok = spec_files(args.paths, console)
    code = EXIT_OK if ok else EXIT_INVALID
    for path in files:
        try:
            load_spec(path)
            console.print(f"{path}: ok")
        except LoadError as exc:
            report_errors(console, exc, exc.sources)
            code = EXIT_INVALID
    return code


def cmd_check(args, console: Console) -> int:
    files, ok = spec_files(args.paths, console)
    invalid = not ok
    options = CheckOptions(symmetry=not args.no_symmetry, max_states=args.max_states,
                           max_depth=args.max_depth, max_seconds=args.max_seconds,
                           progress=console.progress)
    results = []
    sources: dict[str, str] = {}
    defines_used: set[str] = set()
    checks_seen: set[str] = set()
    interrupted = False
    try:
        for path in files:
            if interrupted:
                break
            status = _check_file(path, args, console, options, results, sources,
                                 defines_used, checks_seen, len(files))
            if status is None:
                invalid = True
            elif status is False:
                interrupted = True
    except KeyboardInterrupt:
        console.clear()
        console.error("stateline: interrupted")
        interrupted = True
    for d in args.defines:
        name = d.split("=", 1)[0].strip()
        if len(files) > 1 and name not in defines_used and files:
            console.error(f"stateline: error[SL502]: -D {name}: no spec declares a constant "
                          f"'{name}'")
            invalid = True
    for name in args.checks:
        if name not in checks_seen and files:
            console.error(f"stateline: error[SL505]: no check block is named '{name}'")
            invalid = True

    code = exit_code(results, invalid, interrupted)
    if results:
        console.print("")
        console.print(text.table(results, show_spec=len(files) > 1))
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
    if args.json:
        doc = json_out.dumps(results, code)
        if args.json == "-":
            sys.stdout.write(doc)
            sys.stdout.flush()
        else:
            try:
                with open(args.json, "w", encoding="utf-8") as f:
                    f.write(doc)
            except OSError as exc:
                console.error(f"stateline: error[SL504]: cannot write '{args.json}': "
                              f"{exc.strerror}")
                return EXIT_INVALID
    return code



def _check_file(path, args, console, options, results, sources, defines_used, checks_seen,
                nfiles):
    """Check one spec file; False when interrupted, None when invalid, True otherwise."""
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
            defines_used.add(name)
    except LoadError as exc:
        report_errors(console, exc, exc.sources)
        return None
    blocks = check_blocks(loaded, args.checks or None)
    status = True
    for check in blocks:
        try:
            model = prepare(loaded, check, overrides)
        except SpecError as exc:
            report_errors(console, exc, {**sources, **getattr(exc, "sources", {})})
            status = None
            continue
        deadlock = not model.system.allow_deadlock or \
            any(p == "DeadlockFreedom" for p, _, _ in check.expects)
        extra = _bounds(args)
        if model.system.symmetric:
            extra = (" · symmetry off" if args.no_symmetry else
                     f" · symmetry {', '.join(model.system.symmetric)}") + extra
        console.print(text.header(model.system.name, path, check.name,
                                  describe_constants(model.system), deadlock, extra))
        result = run_check(loaded, check, overrides, options, model)
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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:       # argparse already printed the usage error
        return EXIT_INVALID if exc.code not in (0, None) else EXIT_OK
    if args.command is None:
        parser.print_help()
        return EXIT_INVALID
    console = Console(progress=not getattr(args, "no_progress", True))
    if getattr(args, "json", None) == "-":
        console.out = sys.stderr        # stdout carries the JSON document alone
    try:
        if args.command == "check":
            return cmd_check(args, console)
        return cmd_parse(args, console)
    except KeyboardInterrupt:
        console.error("stateline: interrupted")
        return EXIT_BOUND
    except RecursionError:
        console.error("stateline: error[SL405]: the input is too deeply nested")
        return EXIT_INVALID
    except Exception as exc:  # a bug in Stateline: say so, without a traceback by default
        console.error(f"stateline: internal error: {type(exc).__name__}: {exc}\n"
                      "  this is a bug in Stateline; rerun with STATELINE_DEBUG=1 for details")
        if os.environ.get("STATELINE_DEBUG"):
            traceback.print_exc()
        return EXIT_INTERNAL

