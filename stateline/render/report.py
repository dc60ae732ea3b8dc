"""The state of a protocol library as a folder: a README table and HTML pages.

`stateline report specs/ -o reports/` checks every spec and writes
`reports/README.md`, a Markdown table of every spec, check block, property,
expectation, result, states, depth and seconds, and one HTML page (see
`html.py`) for every spec whose run has a counterexample or a run-time error,
at the spec's place under the folder given (`specs/labs/x.sl` ->
`reports/labs/x.html`).  The table links each counterexample to its diagram.

Everything but the seconds is deterministic, so the README can be committed and
a test can say when it is out of date (`verdict_rows` strips the seconds).
"""

from __future__ import annotations

import os
import re
from pathlib import PurePath
from urllib.parse import quote

from .. import __version__
from ..models.verdict import CheckResult, Status
from ..printable import printable
from . import text

HEADER = ["spec", "check", "property", "kind", "expected", "result", "", "states", "depth",
          "seconds"]
SECONDS = HEADER.index("seconds")


def page_name(spec_path: str, roots: list[str]) -> str:
    """Where a spec's HTML page goes, relative to the output folder: its path below the
    folder given on the command line, or its file name."""
    path = os.path.normpath(spec_path)
    for root in sorted(roots, key=len, reverse=True):
        root = os.path.normpath(root)
        if os.path.isdir(root) and (path + os.sep).startswith(root + os.sep):
            rel = os.path.relpath(path, root)
            break
    else:
        rel = os.path.basename(path)
    return PurePath(rel).with_suffix(".html").as_posix()


def page_names(spec_paths: list[str], roots: list[str]) -> dict[str, str]:
    """`page_name` of each spec, made different for different specs: specs that would
    share a page (`a/x.sl` and `b/x.sl` given as files, or found under two folders
    given) get their path from the folder all the specs have in common instead, and
    a name still taken gets `-2`, `-3`, ... (in the order given)."""
    paths = list(dict.fromkeys(spec_paths))
    first = {p: page_name(p, roots) for p in paths}
    count: dict[str, int] = {}
    for name in first.values():
        count[name] = count.get(name, 0) + 1
    common = os.path.commonpath([os.path.abspath(p) for p in paths]) if paths else ""
    if len(paths) == 1:
        common = os.path.dirname(common)
    out: dict[str, str] = {}
    used: set[str] = set()
    for p in paths:
        name = first[p]
        if count[name] > 1:
            rel = os.path.relpath(os.path.abspath(p), common)
            name = PurePath(rel).with_suffix(".html").as_posix()
        candidate, k = name, 2
        while candidate in used:
            candidate, k = f"{PurePath(name).with_suffix('').as_posix()}-{k}.html", k + 1
        used.add(candidate)
        out[p] = candidate
    return out


def has_trace(results: list[CheckResult]) -> bool:
    return any(r.failure is not None or any(v.status is Status.VIOLATED and v.trace is not None
                                            for v in r.verdicts) for r in results)


def _cell(s: str) -> str:
    return printable(s).replace("|", "\\|")


def rows(results: list[CheckResult], out_dir: str, pages: dict[str, str]) -> list[list[str]]:
    """One row per check block x property (and per run-time error); `pages` maps a spec
    path to its HTML page (relative to `out_dir`), counterexamples link into it."""
    out = []
    anchors: dict[str, int] = {}
    for r in results:
        link = quote(PurePath(os.path.relpath(r.path, out_dir)).as_posix())
        spec = f"[{_cell(PurePath(r.path).as_posix())}]({link})"
        stats = [f"{r.stats.states:,}", str(r.stats.depth), f"{r.stats.seconds:.2f}"]
        page = pages.get(r.path)
        for v in r.verdicts:
            result = text.result_text(v, r.stop)
            if page is not None and v.status is Status.VIOLATED and v.trace is not None:
                anchors[page] = anchors.get(page, 0) + 1
                result = f"[{result}]({quote(page)}#cx{anchors[page]})"
            out.append([spec, _cell(r.check), _cell(v.prop), v.kind, v.expected, result,
                        text.mark(v)] + stats)
        if r.failure is not None:
            result = "error"
            if page is not None:
                anchors[page] = anchors.get(page, 0) + 1
                result = f"[error]({quote(page)}#cx{anchors[page]})"
            out.append([spec, _cell(r.check), "(model error)", "error", "-", result, "FAIL"]
                       + stats)
    return out


def readme(results: list[CheckResult], exit_code: int, command: str, out_dir: str,
           pages: dict[str, str]) -> str:
    table = ["| " + " | ".join(HEADER) + " |",
             "|" + "|".join("---:" if h in ("states", "depth", "seconds") else "---"
                            for h in HEADER) + "|"]
    table += ["| " + " | ".join(row) + " |" for row in rows(results, out_dir, pages)]
    specs = len({r.path for r in results})
    listed = "".join(f"- [{_cell(PurePath(p).as_posix())}]({quote(page)})\n" for p, page in
                     sorted(pages.items(), key=lambda kv: kv[1]))
    return f"""# Protocol library report

Generated by `{command}` (stateline {__version__}); do not edit by hand.
`tests/test_report_library.py` fails when this table no longer matches what the
command produces (the seconds excepted): after changing a spec, run the command again.

{specs} spec{'s' if specs != 1 else ''}. {text.summary(results)} Exit code {exit_code}.

{chr(10).join(table)}

Each spec with a counterexample or a run-time error has an HTML page with the
message-sequence diagram of every counterexample (open it in a browser):

{listed or '(none)' + chr(10)}"""


_ROW = re.compile(r"^\|(.*)\|\s*$")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def verdict_rows(markdown: str) -> list[list[str]]:
    """The table rows of a README without the seconds column (for the currency test)."""
    out = []
    for line in markdown.splitlines():
        m = _ROW.match(line)
        if not m:
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", m.group(1))]
        if len(cells) == len(HEADER) and not set(cells[0]) <= set("-:"):
            cells = [_LINK.sub(r"\1", c) for c in cells]       # link targets depend on -o
            out.append(cells[:SECONDS] + cells[SECONDS + 1:])
    return out
