"""`--markdown FILE`: the verdict table and Mermaid sequence diagrams ('-' for stdout).

For CI: `--markdown "$GITHUB_STEP_SUMMARY"` puts the results on the job's page,
and the same file can be posted as a pull-request comment (docs/ci.md).
"""

from __future__ import annotations

import sys

from ..render import markdown
from . import outputs


def add_arguments(parser) -> None:
    parser.add_argument("--markdown", metavar="FILE",
                        help="write the verdict table and each counterexample as a Mermaid "
                             "sequence diagram in Markdown ('-' for stdout), e.g. "
                             "\"$GITHUB_STEP_SUMMARY\"")


def write(results, exit_code: int, args, console) -> bool:
    if not args.markdown:
        return True
    doc = markdown.document(results, exit_code)
    if args.markdown == "-":
        sys.stdout.write(doc)
        sys.stdout.flush()
        return True
    return outputs.write(args.markdown, doc, console)
