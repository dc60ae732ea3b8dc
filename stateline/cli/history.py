"""`stateline history check FILE...`: are recorded histories linearizable, sequentially
consistent, causally consistent?

Each file is Stateline's JSON, a Jepsen EDN history or a Jepsen log (recognised by
content, or `--format`); see `stateline.history.files` and docs/history.md.  Exit 0
when every requested model holds for every file, 1 when one does not, 2 when a file or
the command line is malformed, 3 when a `--timeout` left a verdict unknown (and none
failed) or a signal stopped the run (the verdicts decided before it are reported, the
others are unknown: "ok" is null in the JSON).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from .. import jsontext
from ..history import (DATATYPES, MODELS, SUPPORTED, HistoryError, HistoryFileError,
                       Timeout, check)
from ..history.explain import prefix_text
from ..history.files import FORMATS, initial_value, jsonable, read
from ..history.model import count, pair
from ..history.picture import page
from ..printable import json_safe
from . import outputs, signals
from .codes import EXIT_BOUND, EXIT_FAILED, EXIT_INVALID, EXIT_OK
from .console import Console, positive_float, positive_int

SHOWN = 20          # operations of a witness printed in the text output


def add_parser(sub) -> None:
    h = sub.add_parser("history", help="check recorded client histories for consistency",
                       description="Check histories of operations on registers, key-value "
                                   "stores, sets and queues.")
    hsub = h.add_subparsers(dest="history_command", metavar="COMMAND", required=True)
    c = hsub.add_parser(
        "check", help="is a history linearizable, sequentially or causally consistent?",
        description="Read histories (Stateline's JSON, Jepsen's EDN or Jepsen's log "
                    "format) and decide whether each is linearizable (or sequentially or "
                    "causally consistent) for its data type; explain each violation.")
    c.add_argument("files", metavar="FILE", nargs="+")
    c.add_argument("--model", choices=tuple(DATATYPES),
                   help="the data type (default: the file's, else inferred from the "
                        "operations: cas -> cas-register, get/put/append -> kv, add -> set, "
                        "enqueue/dequeue -> queue, else register)")
    c.add_argument("--consistency", choices=MODELS + ("all",), default="linearizable",
                   help="the consistency model to check (default: linearizable; all: every "
                        "one the data type supports)")
    c.add_argument("--format", choices=FORMATS,
                   help="the file format (default: recognised by content)")
    c.add_argument("--initial", type=_json_value, metavar="V",
                   help="the initial value, as JSON (default: the file's \"initial\", else "
                        "null)")
    c.add_argument("--timeout", type=positive_float, metavar="S",
                   help="give up on a check after S seconds (its verdict is unknown, exit 3)")
    c.add_argument("--explain", action=argparse.BooleanOptionalAction, default=True,
                   help="explain each violation: the operation that cannot be placed and the "
                        "longest linearizable prefix (default); --no-explain prints the "
                        "verdicts only")
    c.add_argument("--workers", type=positive_int, default=1, metavar="N",
                   help="check the keys of a kv history in N processes (default 1)")
    c.add_argument("--json", metavar="FILE", nargs="?", const="-",
                   help="write the verdicts as JSON to FILE ('-' or no FILE: standard "
                        "output, the text then goes to standard error)")
    c.add_argument("--html", metavar="FILE",
                   help="write an HTML page with a picture of each violation")
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
    outs = [("--json", None if args.json in (None, "-") else args.json), ("--html", args.html)]
    if not outputs.check_paths(console, list(args.files), files=outs):
        return EXIT_INVALID
    reports, invalid, stopped = [], False, False
    try:
        for path in args.files:
            try:
                h = read(path, args.format, args.model)
            except HistoryFileError as exc:
                console.error(f"stateline: error[SL701]: {exc}")
                invalid = True
                continue
            initial = args.initial if args.initial is not None else h.initial
            supported = SUPPORTED[h.model]
            wanted = supported if args.consistency == "all" else (args.consistency,)
            if any(m not in supported for m in wanted):
                console.error(f"stateline: error[SL701]: {path}: the {h.model} model supports "
                              f"{' and '.join(supported)} only, not {args.consistency}")
                invalid = True
                continue
            try:                            # (paired when read, for h.model)
                operations = h.operations or pair(h.events, DATATYPES[h.model])
            except HistoryError as exc:     # a history valid for another model (--model)
                console.error(f"stateline: error[SL701]: {path}: {exc}")
                invalid = True
                continue
            results = []
            reports.append((h, operations, initial, results))
            for m in wanted:
                console.phase(f"checking {m} consistency of {path} ({count(operations)})")
                results.append(_check(h, operations, m, initial, args))
    except KeyboardInterrupt:       # what was decided is reported, the rest is unknown
        stopped = True
    signals.reporting()
    if stopped:
        why = f"interrupted ({signals.received() or 'SIGINT'}) before a verdict"
        console.error(f"stateline: {why}")
        if reports:
            h, operations, initial, results = reports[-1]
            supported = SUPPORTED[h.model]
            wanted = supported if args.consistency == "all" else (args.consistency,)
            results.extend(Unknown(m, why=why) for m in wanted[len(results):])
    for h, operations, initial, results in reports:
        _print(console, h, operations, initial, results, args.explain)
    if len(args.files) > 1:
        console.print(_summary(reports, len(args.files) - len(reports)))
    if args.json and not _write(args.json, json_safe(json.dumps(_doc(reports), indent=2,
                                                                 ensure_ascii=False)) + "\n",
                                console):
        return EXIT_INVALID
    if args.html and not _write(args.html, page(reports), console):
        return EXIT_INVALID
    verdicts = [r.ok for _, _, _, results in reports for r in results]
    if invalid:
        return EXIT_INVALID
    if False in verdicts:
        return EXIT_FAILED
    return EXIT_BOUND if None in verdicts or stopped else EXIT_OK


class Unknown:
    """The verdict of a check that ran out of time."""

    ok = None
    witness = None
    failure = None

    def __init__(self, consistency: str, seconds: float | None = None, why: str = ""):
        self.consistency = consistency
        self.explanation = why or f"unknown: no verdict within the timeout of {seconds:g} s"


def _check(h, operations, consistency, initial, args):
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    try:
        return check(h.events, consistency, initial, h.model, explain=args.explain,
                     deadline=deadline, workers=args.workers, operations=operations)
    except Timeout:
        return Unknown(consistency, args.timeout)


def _print(console, h, operations, initial, results, explain: bool) -> None:
    console.print(f"{h.path}: {h.model}, {count(operations)}, initial value {initial!r}")
    for r in results:
        verdict = {True: "yes", False: "NO", None: "unknown"}[r.ok]
        console.print(f"{r.consistency}: {verdict}")
        if r.ok is None:
            console.print("  " + r.explanation)
        elif explain:
            console.print("  " + (_witness_text(r) if r.ok else r.explanation))
            if r.failure is not None and r.failure.prefix is not None:
                n = len(r.failure.prefix)
                console.print(f"  longest linearizable prefix ({n} operation"
                              f"{'s' * (n != 1)}): {prefix_text(r.failure, SHOWN)}")
            if r.failure is not None and h.lines is not None and r.failure.frontier >= 0:
                console.print(f"  (event {r.failure.frontier} is line "
                              f"{h.lines[r.failure.frontier]} of {h.path})")


def _summary(reports, invalid: int) -> str:
    verdicts = [[r.ok for r in results] for _, _, _, results in reports]
    good = sum(all(v is True for v in vs) for vs in verdicts)
    bad = sum(False in vs for vs in verdicts)
    unknown = len(verdicts) - good - bad
    files = len(verdicts) + invalid
    parts = [f"{good} consistent", f"{bad} not"]
    if unknown:
        parts.append(f"{unknown} unknown")
    if invalid:
        parts.append(f"{invalid} not readable")
    return f"{files} files: " + ", ".join(parts)


def _witness_text(r) -> str:
    if r.consistency == "causal":
        return "; ".join(f"process {p!r} sees {_ops(view)}" for p, view in r.witness) \
            or "no operations"
    what = "linearization" if r.consistency == "linearizable" else "serialization"
    if r.witness and isinstance(r.witness[0], tuple):            # one order per key
        keys = len(r.witness)
        return (f"{what} of each of {keys} key{'s' * (keys != 1)}: " + "; ".join(
            f"key {k!r}: {_ops(order)}" for k, order in r.witness[:5])
            + ("; ..." if keys > 5 else ""))
    return f"{what}: {_ops(r.witness)}"


def _ops(order) -> str:
    if not order:
        return "no operations"
    text = ", ".join(f"op {i}" for i in order[:SHOWN])
    if len(order) > SHOWN:
        text += f", ... ({len(order)} operations; --json prints them all)"
    return text


def _doc(reports) -> dict:
    files = []
    for h, operations, initial, results in reports:
        entry = {"file": h.path, "format": h.format, "model": h.model,
                 "operations": len(operations),
                 "processes": len({op.process for op in operations}),
                 "initial": jsonable(initial),
                 "results": [_result(r, h.lines) for r in results]}
        if DATATYPES[h.model].keyed:
            entry["keys"] = len({op.key for op in operations})
        files.append(entry)
    return {"schema": "stateline.history", "version": 2, "files": files}


def _result(r, lines=None) -> dict:
    verdict = {True: "yes", False: "no", None: "unknown"}[r.ok]
    out = {"consistency": r.consistency, "verdict": verdict, "ok": r.ok,
           "witness": _witness(r), "explanation": r.explanation}
    if r.failure is not None:
        f = r.failure
        out["failure"] = {"key": jsonable(f.key), "operation": f.stuck, "event": f.frontier,
                          "line": lines[f.frontier] if lines and f.frontier >= 0 else None,
                          "prefix": None if f.prefix is None else list(f.prefix)}
    return out


def _witness(r):
    if r.witness is None:
        return None
    if r.consistency == "causal":
        return [{"process": jsonable(p), "view": list(view)} for p, view in r.witness]
    if r.witness and isinstance(r.witness[0], tuple):
        return [{"key": jsonable(k), "order": list(order)} for k, order in r.witness]
    return list(r.witness)


def _write(path: str, text: str, console) -> bool:
    if path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    return outputs.write(path, text, console)
