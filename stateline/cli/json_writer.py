"""`--json FILE`: the check results as a JSON document (`-` for stdout)."""

from __future__ import annotations

import sys

from ..render import json_out
from . import outputs


def add_arguments(parser) -> None:
    parser.add_argument("--json", metavar="FILE",
                        help="write the results as JSON ('-' for stdout)")


def write(results, exit_code: int, args, console) -> bool:
    if not args.json:
        return True
    doc = json_out.dumps(results, exit_code)
    if args.json == "-":
        sys.stdout.write(doc)
        sys.stdout.flush()
        return True
    return outputs.write(args.json, doc, console)
