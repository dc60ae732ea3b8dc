"""`stateline parse`: parse and type-check specs without running them."""

from __future__ import annotations

from ..lang.load import LoadError, load_spec
from .codes import EXIT_INVALID, EXIT_OK
from .console import Console, report_errors, spec_files


def add_parser(sub) -> None:
    p = sub.add_parser("parse", help="parse and type-check specs without running them")
    p.add_argument("paths", nargs="+", metavar="SPEC|DIR")
    p.set_defaults(run=run)


def run(args, console: Console) -> int:
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
