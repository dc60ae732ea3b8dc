"""`--junit FILE`: the results as JUnit XML (one testcase per check block x property)."""

from __future__ import annotations

from ..render import junit
from . import outputs


def add_arguments(parser) -> None:
    parser.add_argument("--junit", metavar="FILE",
                        help="write the results as JUnit XML for CI test reports")


def write(results, exit_code: int, args, console) -> bool:
    if not args.junit:
        return True
    sources = {}
    for r in results:
        if r.failure is not None and r.path not in sources:
            try:
                with open(r.path, encoding="utf-8") as f:
                    sources[r.path] = f.read()
            except (OSError, UnicodeDecodeError):
                pass        # the error is then reported without its source line
    return outputs.write(args.junit, junit.dumps(results, sources), console)
