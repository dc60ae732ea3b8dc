"""`--json FILE`: the check results as a JSON document (`-` for stdout)."""

from __future__ import annotations

import sys

from ..render import json_out


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
    try:
        with open(args.json, "w", encoding="utf-8") as f:
            f.write(doc)
    except OSError as exc:
        console.error(f"stateline: error[SL504]: cannot write '{args.json}': {exc.strerror}")
        return False
    return True
