"""`stateline fmt`: print specs in canonical layout, or check or rewrite them.

Without options the formatted text goes to stdout.  `--check` changes nothing
and exits 1 when a file is not in canonical layout (for CI and pre-commit);
`--write` rewrites files in place; `--diff` prints what would change.  Comments
are kept (see `stateline.lang.fmt`).  A spec that does not parse is reported
as by `stateline parse` (exit 2) and left alone.
"""

from __future__ import annotations

import difflib
import sys

from ..lang.fmt import FormatError, format_text
from ..lang.parse import decode_source
from ..diagnostics import SpecError
from . import outputs
from .codes import EXIT_FAILED, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK
from .console import Console, report_errors, spec_files


def add_parser(sub) -> None:
    p = sub.add_parser("fmt", help="print specs in canonical layout (comments kept)",
                       description="Format specs: one declaration or statement per line, "
                                   "four-space indentation, canonical spacing and "
                                   "parentheses; comments are kept.  Formatting never "
                                   "changes what a spec means.")
    p.add_argument("paths", nargs="+", metavar="SPEC|DIR")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="change nothing; exit 1 if a file is not formatted")
    mode.add_argument("-w", "--write", action="store_true", help="rewrite the files in place")
    mode.add_argument("--diff", action="store_true", help="print a diff of what would change")
    p.set_defaults(run=run)


def run(args, console: Console) -> int:
    files, ok = spec_files(args.paths, console)
    code = EXIT_OK if ok else EXIT_INVALID
    changed = 0
    for path in files:
        text = None
        try:
            with open(path, "rb") as f:
                text = decode_source(f.read(), path)
            formatted = format_text(text, path)
        except OSError as exc:
            console.error(f"stateline: error[SL504]: cannot read '{path}': {exc.strerror}")
            code = EXIT_INVALID
            continue
        except SpecError as exc:
            sources = {path: text} if text is not None else {}
            report_errors(console, exc, sources)
            code = EXIT_INVALID
            continue
        except FormatError as exc:
            console.error(f"stateline: internal error: {exc}")
            code = max(code, EXIT_INTERNAL)
            continue
        same = formatted == text
        changed += not same
        if args.check:
            if not same:
                console.print(f"{path}: not formatted (run stateline fmt --write {path})")
        elif args.write:
            if not same:
                if not outputs.write(path, formatted, console):    # atomically
                    code = EXIT_INVALID
                    continue
                console.print(f"{path}: formatted")
        elif args.diff:
            sys.stdout.writelines(difflib.unified_diff(
                text.splitlines(True), formatted.splitlines(True), path, path + " (formatted)"))
        else:
            sys.stdout.write(formatted)
    if code == EXIT_OK and args.check and changed:
        return EXIT_FAILED
    return code
