"""`stateline report`: check specs and write a report folder (README table, HTML pages).

The exit code is `stateline check`'s for the same specs, so a CI job can both
gate on the report and publish it.  HTML pages that an earlier run generated
and this one does not (a spec removed, or no counterexample any more) are
deleted; other files in the folder are left alone.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from ..checker.run import CheckOptions
from ..render import html, report
from . import check
from .codes import EXIT_INVALID
from .console import Console, positive_float, positive_int, spec_files
from .html_writer import write_file

GENERATOR = '<meta name="generator" content="stateline'


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="check specs and write a report folder (README.md, HTML)",
                       description="Run every check block of the specs, then write DIR/README.md "
                                   "(a table of every check block and property) and an HTML "
                                   "page with sequence diagrams for every spec that has a "
                                   "counterexample.")
    p.add_argument("paths", nargs="+", metavar="SPEC|DIR")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="the report folder (created if missing)")
    p.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                   help="override a constant in every check block (repeatable)")
    p.add_argument("--check", dest="checks", action="append", default=[], metavar="NAME",
                   help="run only this check block (repeatable)")
    p.add_argument("--max-states", type=positive_int, metavar="N")
    p.add_argument("--max-seconds", type=positive_float, metavar="S")
    p.add_argument("--no-symmetry", action="store_true")
    p.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    p.set_defaults(run=run, max_depth=None)


def run(args, console: Console) -> int:
    results, code = collect(args, console)
    return write_report(results, code, args, console)


def collect(args, console: Console) -> tuple[list, int]:
    """Check every block of every spec, as `stateline check` does: (results, exit code)."""
    files, ok = spec_files(args.paths, console)
    options = CheckOptions(symmetry=not args.no_symmetry, max_states=args.max_states,
                           max_seconds=args.max_seconds, progress=console.progress)
    console.bounds(args.max_states, args.max_seconds)
    results, sources = [], {}
    invalid, interrupted = not ok, False
    for path in files:
        status = check._check_file(path, args, console, options, results, sources, set(), set(),
                                   len(files))
        invalid = invalid or status is None
        if status is False:
            interrupted = True
            break
    return results, check.exit_code(results, invalid, interrupted)


def write_report(results, code: int, args, console: Console) -> int:
    """Write README.md and the HTML pages into args.output; the exit code."""
    out = args.output
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        console.error(f"stateline: error[SL504]: cannot create '{out}': {exc.strerror}")
        return EXIT_INVALID
    pages: dict[str, str] = {}
    by_spec: dict[str, list] = {}
    for r in results:
        by_spec.setdefault(r.path, []).append(r)
    written = set()
    for path, spec_results in by_spec.items():
        if not report.has_trace(spec_results):
            continue
        name = report.page_name(path, args.paths)
        target = Path(out) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        spec_code = check.exit_code(spec_results, False)
        if not write_file(str(target), html.document(spec_results, spec_code), console):
            return EXIT_INVALID
        pages[path] = name
        written.add(target.resolve())
    _remove_stale_pages(Path(out), written, console)
    command = "stateline report " + " ".join(shlex.quote(p) for p in args.paths) + \
        f" -o {shlex.quote(out)}"
    text = report.readme(results, code, command, out, pages)
    if not write_file(os.path.join(out, "README.md"), text, console):
        return EXIT_INVALID
    console.print(f"{os.path.join(out, 'README.md')}: {len(results)} checks, "
                  f"{len(pages)} HTML page{'s' if len(pages) != 1 else ''}")
    return code


def _remove_stale_pages(out: Path, written: set[Path], console: Console) -> None:
    for page in sorted(out.rglob("*.html")):
        if page.resolve() in written:
            continue
        try:
            head = page.read_text(encoding="utf-8", errors="replace")[:2000]
        except OSError:
            continue
        if GENERATOR in head:
            page.unlink()
            console.print(f"{page}: removed (no counterexample any more)")
