"""`stateline report`: check specs and write a report folder (README table, HTML pages).

The exit code is `stateline check`'s for the same specs, so a CI job can both
gate on the report and publish it.

The folder is only ever touched through its manifest, `.stateline-report.json`,
the list of the files the last report wrote there.  A report is written into a
folder that does not exist, an empty one, or one with a manifest (a previous
report); any other folder is refused before anything is checked, unless
`--force`.  A file of the new report that exists but is not in the manifest is
refused too (unless `--force`), so a hand-written file is never overwritten.
Files of the previous report that this one does not write (a spec removed, or
no counterexample any more) are deleted, and nothing else is; after an
interrupted run nothing is deleted, since the specs not checked may still have
their pages.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
from pathlib import PurePosixPath

from .. import __version__
from ..checker.run import CheckOptions
from ..render import html, report
from . import check, outputs, signals
from .codes import EXIT_INVALID
from .console import Console, positive_float, positive_int, property_arguments, spec_files

MANIFEST = ".stateline-report.json"
MANIFEST_SCHEMA = "stateline.report-manifest"


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="check specs and write a report folder (README.md, HTML)",
                       description="Run every check block of the specs, then write DIR/README.md "
                                   "(a table of every check block and property) and an HTML "
                                   "page with sequence diagrams for every spec that has a "
                                   "counterexample.")
    p.add_argument("paths", nargs="+", metavar="SPEC|DIR")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="the report folder: new, empty, or a previous report (created if "
                        "missing)")
    p.add_argument("--force", action="store_true",
                   help="write into a folder that is not a previous report; files of the "
                        "same names are overwritten, nothing is deleted")
    p.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                   help="override a constant in every check block (repeatable)")
    p.add_argument("--check", dest="checks", action="append", default=[], metavar="NAME",
                   help="run only this check block (repeatable)")
    property_arguments(p)
    p.add_argument("--max-states", type=positive_int, metavar="N")
    p.add_argument("--max-seconds", type=positive_float, metavar="S")
    p.add_argument("--no-symmetry", action="store_true")
    p.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    p.set_defaults(run=run, max_depth=None)


def run(args, console: Console) -> int:
    files, _ = spec_files(args.paths, console)
    if not outputs.check_paths(console, files, folders=[("-o", args.output)]) or \
            previous_files(args.output, args.force, console) is None:
        return EXIT_INVALID
    results, code, complete = collect(args, console)
    signals.reporting()
    return write_report(results, code, args, console, complete)


def collect(args, console: Console) -> tuple[list, int, bool]:
    """Check every block of every spec, as `stateline check` does: (results, exit code,
    whether every spec was checked)."""
    files, ok = spec_files(args.paths, console)
    options = CheckOptions(symmetry=not args.no_symmetry, max_states=args.max_states,
                           max_seconds=args.max_seconds, progress=console.progress,
                           phase=lambda name: console.phase(check.PHASES[name]))
    console.bounds(args.max_states, args.max_seconds)
    results, sources = [], {}
    invalid, interrupted = not ok, False
    try:
        for path in files:
            status = check._check_file(path, args, console, options, results, sources, set(),
                                       set(), set(), len(files))
            invalid = invalid or status is None
            if status is False:
                interrupted = True
                break
    except KeyboardInterrupt:
        interrupted = True
    if interrupted:
        console.error(f"stateline: interrupted ({signals.received() or 'SIGINT'}); "
                      f"reporting the {len(results)} check(s) run so far; no page is removed")
    return results, check.exit_code(results, invalid, interrupted), not interrupted


def previous_files(out: str, force: bool, console: Console) -> set[str] | None:
    """The files the previous report in `out` wrote (empty for a new or empty folder, or
    with --force); None, after saying why, when `out` must not be written."""
    if not os.path.isdir(out) or not os.listdir(out):
        return set()
    manifest = os.path.join(out, MANIFEST)
    listed = _read_manifest(manifest)
    if listed is not None:
        return listed
    if force:
        return set()
    why = (f"its {MANIFEST} is not a report manifest" if os.path.lexists(manifest)
           else f"it has no {MANIFEST}")
    console.error(f"stateline: error[SL504]: -o {out}: the folder is not empty and is not a "
                  f"report folder ({why}); use a new or empty folder, or --force to write "
                  f"into it (files of the same names are overwritten, nothing is deleted)")
    return None


def _read_manifest(path: str) -> set[str] | None:
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("schema") != MANIFEST_SCHEMA or \
            not isinstance(doc.get("files"), list):
        return None
    return {f for f in doc["files"] if _safe_entry(f)}


def _safe_entry(name) -> bool:
    """A manifest entry names a file below the folder (no absolute path, no '..')."""
    if not isinstance(name, str) or not name or "\\" in name or name == MANIFEST:
        return False
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and p.as_posix() == name


def _write_manifest(out: str, files: set[str], console: Console) -> bool:
    doc = {"schema": MANIFEST_SCHEMA, "version": 1, "generator": f"stateline {__version__}",
           "files": sorted(files)}
    return outputs.write(os.path.join(out, MANIFEST), json.dumps(doc, indent=2) + "\n",
                         console)


def write_report(results, code: int, args, console: Console, complete: bool = True) -> int:
    """Write README.md and the HTML pages into args.output; the exit code."""
    out = args.output
    force = getattr(args, "force", False)
    previous = previous_files(out, force, console)
    if previous is None:
        return EXIT_INVALID
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        console.error(f"stateline: error[SL504]: cannot create '{out}': {exc.strerror}")
        return EXIT_INVALID
    by_spec: dict[str, list] = {}
    for r in results:
        by_spec.setdefault(r.path, []).append(r)
    names = report.page_names(list(by_spec), args.paths)
    pages = {path: names[path] for path, rs in by_spec.items() if report.has_trace(rs)}
    new = {"README.md", *pages.values()}
    clash = sorted(f for f in new if f not in previous and os.path.lexists(os.path.join(out, f)))
    if clash and not force:
        console.error(f"stateline: error[SL504]: -o {out}: would overwrite "
                      f"{', '.join(clash)}, which the previous report did not write; move "
                      f"{'them' if len(clash) > 1 else 'it'} away or use --force")
        return EXIT_INVALID
    # Listed before they are written: an interrupted write leaves no file of ours unlisted.
    if not _write_manifest(out, previous | new, console):
        return EXIT_INVALID
    for path, name in pages.items():
        target = os.path.join(out, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        spec_code = check.exit_code(by_spec[path], False)
        if not outputs.write(target, html.document(by_spec[path], spec_code), console):
            return EXIT_INVALID
    command = "stateline report " + " ".join(shlex.quote(p) for p in args.paths) + \
        f" -o {shlex.quote(out)}"
    text = report.readme(results, code, command, out, pages)
    if not outputs.write(os.path.join(out, "README.md"), text, console):
        return EXIT_INVALID
    kept = new
    if complete:
        for name in sorted(previous - new):
            _remove(out, name, console)
    else:
        kept = previous | new
    if not _write_manifest(out, kept, console):
        return EXIT_INVALID
    console.print(f"{os.path.join(out, 'README.md')}: {len(results)} checks, "
                  f"{len(pages)} HTML page{'s' if len(pages) != 1 else ''}")
    return code


def _remove(out: str, name: str, console: Console) -> None:
    """Delete a file of the previous report: a regular file inside `out`, nothing else."""
    target = os.path.join(out, name)
    inside = os.path.realpath(os.path.dirname(target))
    root = os.path.realpath(out)
    if inside != root and not inside.startswith(root + os.sep):
        return                                  # a folder of it was replaced by a link
    try:
        if not stat.S_ISREG(os.lstat(target).st_mode):
            return
        os.unlink(target)
    except OSError:
        return                                  # already gone
    console.print(f"{target}: removed (no counterexample any more)")
