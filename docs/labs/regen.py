"""Regenerate the counterexamples quoted in the lab pages (docs/labs/*.md).

A lab page quotes what Stateline prints between two markers:

    <!-- stateline: check specs/labs/paxos_no_quorum.sl small Agreement -->
    ```text
    ...generated...
    ```
    <!-- /stateline -->

`python docs/labs/regen.py` (from the repository root) runs each quoted check
and rewrites the text between the markers with the counterexample of that
property (the same text `stateline check` prints).  `--check` only compares
and exits 1 listing the stale pages; tests/test_labs_docs.py runs that.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from stateline import check_blocks, load_spec, run_check  # noqa: E402
from stateline.render.text import counterexample  # noqa: E402

MARKER = re.compile(
    r"(<!-- stateline: check (?P<spec>\S+) (?P<check>\S+) (?P<prop>\S+) -->\n)"
    r"(?P<body>.*?)"
    r"(<!-- /stateline -->)", re.S)


def quoted(spec: str, check: str, prop: str) -> str:
    """The counterexample text of one property (paths relative to the repository)."""
    os.chdir(ROOT)
    loaded = load_spec(spec)
    (block,) = check_blocks(loaded, [check])
    result = run_check(loaded, block, {})
    verdict = next(v for v in result.verdicts if v.prop == prop)
    if verdict.trace is None:
        raise SystemExit(f"{spec} check {check}: {prop} has no counterexample "
                         f"({verdict.status.value})")
    text = counterexample(result, verdict)
    return "```text\n$ stateline check " + spec + " --check " + check + "\n...\n" + text + \
        "\n```\n"


def render(page: str) -> str:
    return MARKER.sub(lambda m: m.group(1) + quoted(m["spec"], m["check"], m["prop"])
                      + m.group(6), page)


def unclosed(page: str) -> int:
    """How many opening markers have no closing marker (and so would not be regenerated)."""
    return page.count("<!-- stateline: check ") - len(MARKER.findall(page))


def pages() -> list[pathlib.Path]:
    return sorted(p for p in HERE.glob("*.md"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report stale pages")
    args = ap.parse_args(argv)
    stale = []
    for page in pages():
        old = page.read_text()
        if unclosed(old):
            print(f"{page.name}: {unclosed(old)} marker(s) without <!-- /stateline -->")
            return 2
        new = render(old)
        if new != old:
            stale.append(page.name)
            if not args.check:
                page.write_text(new)
    if args.check and stale:
        print("stale lab pages (run python docs/labs/regen.py): " + ", ".join(stale))
        return 1
    if not args.check:
        print(f"{len(pages())} pages, {len(stale)} rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
