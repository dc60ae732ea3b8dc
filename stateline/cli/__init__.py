"""The `stateline` command line: argument parsing and exit codes only.

Exit codes are listed in `stateline.cli.codes` and the README.  Each command is
a module of this package with `add_parser(subparsers)`, which sets `run(args,
console) -> exit code`; each calls library functions only.  Nothing outside
this package imports it.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import re
import sys
import traceback

from .. import __version__
from . import signals
from .codes import EXIT_BOUND, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK
from .console import Console

# The commands, in the order `stateline --help` lists them: each is the module of this
# package of that name.  Only the module of the command being run is imported (the
# others pull in Z3, networkx, the checker, ...: about half a second of CPU together);
# `--help`, `--version` and a mistyped command import them all.
COMMANDS = ("check", "simulate", "parse", "export", "trace", "prove", "report", "fmt",
            "history", "lsp", "explore", "repl")


class _Parser(argparse.ArgumentParser):
    """argparse with "did you mean" suggestions for a mistyped command or option."""

    def error(self, message):
        choice = re.match(r"argument COMMAND: invalid choice: '([^']*)'", message)
        if choice:
            names = [a for a in self._subparsers._group_actions[0].choices] \
                if self._subparsers else []
            close = difflib.get_close_matches(choice.group(1), names, n=1)
            message = f"unknown command '{choice.group(1)}'" + \
                (f"; did you mean '{close[0]}'?" if close else
                 f" (commands: {', '.join(names)})")
        super().error(message)


def unknown_options(parser: argparse.ArgumentParser, extras: list[str]) -> str:
    """The message for arguments `parser` (a subcommand's) does not know, with the
    closest option it has for each mistyped one."""
    options = sorted(o for a in parser._actions for o in a.option_strings if o.startswith("--"))
    parts = []
    for word in extras:
        close = difflib.get_close_matches(word.split("=")[0], options, n=1, cutoff=0.75) \
            if word.startswith("-") else []
        parts.append(f"'{word}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    return f"unrecognized arguments: {', '.join(parts)}"     # argparse's own words


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or, with `only`, of that command alone (the
    others are not imported, and their names are not known to it)."""
    p = _Parser(
        prog="stateline",
        description="Specify distributed protocols, model-check them, and see their "
                    "counterexamples.",
        epilog="exit codes: 0 expectations met, 1 an expectation failed, 2 invalid spec or "
               "command line, 3 stopped by a bound or a signal (Ctrl-C, SIGTERM, SIGHUP), "
               "4 internal error")
    p.add_argument("--version", action="version", version=f"stateline {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in (only,) if only else COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_parser(sub)
    return p


def _command(argv: list[str]) -> str | None:
    """The command `argv` names, when its first word is one (options come after it)."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser(_command(sys.argv[1:] if argv is None else argv))
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:      # reported by the subcommand's parser, with its usage text
            sub = parser._subparsers._group_actions[0].choices.get(args.command, parser) \
                if args.command else parser
            sub.error(unknown_options(sub, extras))
    except SystemExit as exc:       # argparse already printed the usage error
        return EXIT_INVALID if exc.code not in (0, None) else EXIT_OK
    if args.command is None:
        parser.print_help()
        return EXIT_INVALID
    console = Console(progress=not getattr(args, "no_progress", True))
    to_stdout = [f"--{o}" for o in ("json", "markdown") if getattr(args, o, None) == "-"]
    if len(to_stdout) > 1:
        console.error(f"stateline: error[SL504]: {' and '.join(to_stdout)} cannot both "
                      "write to stdout")
        return EXIT_INVALID
    if to_stdout:
        console.out = sys.stderr        # stdout carries the JSON or Markdown document alone
    signals.install()
    try:
        return args.run(args, console)
    except KeyboardInterrupt:           # a signal the command did not handle, or a second one
        console.error(f"stateline: interrupted ({signals.received() or 'SIGINT'})")
        return EXIT_BOUND
    except BrokenPipeError:         # `stateline ... | head`: the reader has gone
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())   # so the interpreter's final flush is quiet
        return EXIT_BOUND
    except RecursionError:
        console.error("stateline: error[SL108]: the input is too deeply nested")
        return EXIT_INVALID
    except Exception as exc:  # a bug in Stateline: say so, without a traceback by default
        console.error(f"stateline: internal error: {type(exc).__name__}: {exc}\n"
                      "  this is a bug in Stateline; rerun with STATELINE_DEBUG=1 for details")
        if os.environ.get("STATELINE_DEBUG"):
            traceback.print_exc()
        return EXIT_INTERNAL
    finally:
        signals.uninstall()
