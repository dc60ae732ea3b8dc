"""`stateline history check FILE`: is a recorded register history linearizable,
sequentially consistent, causally consistent?

The file is JSON, a list of Jepsen-style events or ``{"initial": V, "history": [...]}``
(see `stateline.history.files` and docs/history.md).  Exit 0 when every requested model
holds, 1 when one does not, 2 when the file or the command line is malformed, 3 when a
signal stopped it (the models decided before it are reported, the others are unknown:
"ok" is null in the JSON).
"""

from __future__ import annotations

import argparse
import json

from .. import jsontext
from ..history import MODELS, History, HistoryFileError, check, read_history
from ..history.files import initial_value, jsonable
from ..history.model import count
from . import signals
from .codes import EXIT_BOUND, EXIT_FAILED, EXIT_INVALID, EXIT_OK
from .console import Console

SHOWN = 20          # operations of a witness printed in the text output


def add_parser(sub) -> None:
    h = sub.add_parser("history", help="check recorded client histories for consistency",
                       description="Check histories of reads and writes on a register.")
    hsub = h.add_subparsers(dest="history_command", metavar="COMMAND", required=True)
    c = hsub.add_parser(
        "check", help="is a history linearizable, sequentially or causally consistent?",
        description="Read a JSON history (Jepsen's event shape) and decide whether it is "
                    "linearizable, sequentially consistent and causally consistent for a "
                    "read/write register; explain each model that does not hold.")
    c.add_argument("file", metavar="FILE")
    c.add_argument("--consistency", choices=MODELS + ("all",), default="all",
                   help="the model to check (default: all three)")
    c.add_argument("--initial", type=_json_value, metavar="V",
                   help="the register's initial value, as JSON (default: the file's "
                        "\"initial\", else null)")
    c.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    c.add_argument("--no-progress", action="store_true",
                   help="do not say on stderr which model is being checked (shown on a "
                        "terminal only)")
    c.set_defaults(run=run_check)


def _json_value(text: str):
    shown = text if len(text) <= 40 else text[:37] + "..."
    try:
        value = jsontext.loads(text, "--initial")
    except jsontext.JsonTextError as exc:
        if exc.syntax is None:          # NaN, 1e400, a huge integer, deep nesting
            raise argparse.ArgumentTypeError(f"'{shown}': {exc.why}") from None
        raise argparse.ArgumentTypeError(
            f"expected a JSON value, got '{shown}' (a string needs quotes: '\"{shown}\"')") \
            from None
    if isinstance(value, dict):
        raise argparse.ArgumentTypeError("the initial value cannot be a JSON object")
    try:
        return initial_value(value)     # arrays as tuples, nested at most MAX_DEPTH deep
    except HistoryFileError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def run_check(args: argparse.Namespace, console: Console) -> int:
    try:
        events, initial = read_history(args.file)
    except HistoryFileError as exc:
        console.error(f"stateline: error[SL701]: {exc}")
        return EXIT_INVALID
    if args.initial is not None:
        initial = args.initial
    history = History.from_events(events)
    models = MODELS if args.consistency == "all" else (args.consistency,)
    results, stopped = [], False
    try:
        for model in models:
            console.phase(f"checking {model} consistency of {count(history.operations)}")
            results.append(check(events, model, initial))
    except KeyboardInterrupt:       # the models decided so far are reported, the rest unknown
        stopped = True
    signals.reporting()
    unknown = models[len(results):]
    why = f"interrupted ({signals.received() or 'SIGINT'}) before a verdict"
    if stopped:
        console.error(f"stateline: {why} on {', '.join(unknown)}")
    if args.json:
        console.print_json(json.dumps({
            "schema": "stateline.history", "version": 1, "file": args.file,
            "operations": len(history.operations), "processes": len(history.processes()),
            "initial": jsonable(initial),
            "results": [{"consistency": r.consistency, "ok": r.ok,
                         "witness": _witness(r), "explanation": r.explanation}
                        for r in results] +
                       [{"consistency": m, "ok": None, "witness": None, "explanation": why}
                        for m in unknown]}, indent=2, ensure_ascii=False))
    else:
        console.print(f"{args.file}: {count(history.operations)}, initial value {initial!r}")
        for r in results:
            console.print(f"{r.consistency}: {'yes' if r.ok else 'NO'}")
            console.print("  " + (_summary(r) if r.ok else r.explanation))
        for m in unknown:
            console.print(f"{m}: unknown")
            console.print(f"  {why}")
    if not all(r.ok for r in results):
        return EXIT_FAILED
    return EXIT_BOUND if stopped else EXIT_OK


def _witness(r):
    if r.witness is None:
        return None
    if r.consistency == "causal":
        return [{"process": jsonable(p), "view": list(view)} for p, view in r.witness]
    return list(r.witness)


def _summary(r) -> str:
    if r.consistency == "causal":
        return "; ".join(f"process {p!r} sees {_ops(view)}" for p, view in r.witness) \
            or "no operations"
    what = "linearization" if r.consistency == "linearizable" else "serialization"
    return f"{what}: {_ops(r.witness)}"


def _ops(order) -> str:
    if not order:
        return "no operations"
    text = ", ".join(f"op {i}" for i in order[:SHOWN])
    if len(order) > SHOWN:
        text += f", ... ({len(order)} operations; --json prints them all)"
    return text
