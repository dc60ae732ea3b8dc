"""`--itf DIR`: each counterexample as an ITF trace (Apalache, Quint), one file each.

The same files as `stateline check --json R.json` then `stateline export R.json
--otlp-format itf -o DIR` (`<spec stem>.<check>.<property>.itf.json`), written
by `otlp.itf` (docs/otlp.md says why that and not a third-party ITF library).
"""

from __future__ import annotations

from ..otlp import ids
from ..render import json_out
from . import otlp_writer


def add_arguments(parser) -> None:
    parser.add_argument("--itf", metavar="DIR",
                        help="write each counterexample as an ITF trace (Apalache, Quint) "
                             "in DIR")


def write(results, exit_code: int, args, console) -> bool:
    if not args.itf or not results:
        return True
    document = json_out.document(results, exit_code)
    return otlp_writer.emit(document, args.itf, "itf", ids.DEFAULT_BASE_TIME_NS, None, console)
