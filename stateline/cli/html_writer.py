"""`--html FILE`: the results as one self-contained HTML page with sequence diagrams."""

from __future__ import annotations

from ..render import html
from . import outputs


def add_arguments(parser) -> None:
    parser.add_argument("--html", metavar="FILE",
                        help="write an HTML report (verdicts, sequence diagrams, step tables)")


def write(results, exit_code: int, args, console) -> bool:
    if not args.html:
        return True
    return outputs.write(args.html, html.document(results, exit_code), console)
