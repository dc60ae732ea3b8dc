"""`stateline trace`: read OTLP traces and analyse their causality.

`stateline trace analyze FILE` reads OTLP/JSON, JSON Lines or protobuf (from
Stateline or any instrumented system) and reports the causal graph,
happens-before and concurrent spans, anomalies and root-cause candidates;
`stateline trace timeline FILE -o OUT.svg` draws it (a counterexample as the HTML report's
sequence diagram, any other trace one lane per service over time);
`stateline trace validate SPEC TRACE...` (`cli.validate`) decides whether traces
are behaviours of a spec.
"""

from __future__ import annotations

import argparse
import json

from ..otlp.analysis import analyze, table
from ..otlp.anomalies import Thresholds
from ..otlp.causal import CausalError
from ..otlp.importer import DEFAULT_MAX_BYTES, ImportFailure, Span, read
from ..otlp.steps import NotACounterexample, counterexample
from ..otlp.timeline import svg as time_svg
from ..render.sequence import sequence_svg
from . import outputs, validate
from .codes import EXIT_INVALID, EXIT_OK
from .console import Console, positive_float, positive_int


def add_parser(sub) -> None:
    t = sub.add_parser("trace", help="analyse OpenTelemetry traces (OTLP JSON, JSONL, protobuf)",
                       description="Read OTLP trace files and analyse their causality.")
    tsub = t.add_subparsers(dest="trace_command", metavar="COMMAND", required=True)
    a = tsub.add_parser("analyze", help="causal graph, concurrency, anomalies, root causes",
                        description="Build the causal graph of the spans (parents and links), "
                                    "happens-before (vector clocks where spans carry them), "
                                    "the concurrent pairs, the anomalies, and root-cause "
                                    "candidates for every ERROR span.")
    a.add_argument("file", metavar="FILE")
    a.add_argument("--json", action="store_true", help="print the report as JSON")
    a.add_argument("--latency-threshold", type=positive_float, default=1000.0, metavar="MS",
                   help="a span longer than this is high_latency (default 1000 ms)")
    a.add_argument("--retry-threshold", type=positive_int, default=3, metavar="N",
                   help="retry.count above N is a retry_storm (default 3)")
    a.add_argument("--max-pairs", type=positive_int, default=100, metavar="N",
                   help="list at most N concurrent pairs (all are counted; default 100)")
    a.add_argument("--max-errors", type=positive_int, default=100, metavar="N",
                   help="find the root causes of at most N ERROR spans, the earliest (all "
                        "are counted; default 100)")
    _max_size(a)
    a.set_defaults(run=run_analyze)
    v = tsub.add_parser("timeline", help="draw the trace as an SVG picture: a counterexample's "
                                         "sequence diagram, or a lane per service over time")
    v.add_argument("file", metavar="FILE")
    v.add_argument("-o", "--out", required=True, metavar="OUT.svg")
    v.add_argument("--layout", choices=LAYOUTS, default="auto",
                   help="steps: the sequence diagram of a counterexample Stateline wrote (the "
                        "HTML report's); time: every span on a time axis; auto (default): "
                        "steps when the file is one counterexample, else time")
    _max_size(v)
    v.set_defaults(run=run_timeline)
    validate.add_parser(tsub)


def _max_size(p) -> None:
    p.add_argument("--max-size", type=positive_float, default=DEFAULT_MAX_BYTES / 2 ** 20,
                   metavar="MB", help="refuse files larger than this (default "
                                      f"{DEFAULT_MAX_BYTES // 2 ** 20} MB)")


def _read(args, console: Console):
    try:
        return read(args.file, _whole(args.max_size * 2 ** 20))
    except ImportFailure as exc:
        console.error(f"stateline: error[SL701]: {exc}")
        return None


def _whole(x: float) -> int:
    """A limit in bytes or nanoseconds: a finite option times its unit can overflow to
    inf (1e305 MB), which is as good as no limit."""
    return int(min(x, 2.0 ** 63))


def run_analyze(args: argparse.Namespace, console: Console) -> int:
    imported = _read(args, console)
    if imported is None:
        return EXIT_INVALID
    thresholds = Thresholds(_whole(args.latency_threshold * 1e6), args.retry_threshold)
    try:
        report = analyze(imported, thresholds, args.max_pairs, args.max_errors)
    except CausalError as exc:
        console.error(f"stateline: error[SL701]: {args.file}: {exc}")
        return EXIT_INVALID
    if args.json:           # streamed: the report of a large trace is never one string
        for chunk in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(report):
            console.write_json_chunk(chunk)
        console.print()
    else:
        console.print(table(report))
    return EXIT_OK


LAYOUTS = ("auto", "steps", "time")


def picture_of(spans: list[Span], layout: str = "auto") -> str:
    """The SVG of `spans`: "steps" draws a Stateline counterexample with the HTML report's
    sequence-diagram renderer (NotACounterexample when the spans are not one), "time"
    every span on a time axis, "auto" the first when it can."""
    if layout != "time":
        try:
            cx = counterexample(spans)
        except NotACounterexample:
            if layout == "steps":
                raise
        else:
            return sequence_svg(cx.trace, cx.kind, cx.caption, "timeline") + "\n"
    return time_svg(spans)


def run_timeline(args: argparse.Namespace, console: Console) -> int:
    if not outputs.check_paths(console, [args.file], files=[("-o", args.out)]):
        return EXIT_INVALID
    imported = _read(args, console)
    if imported is None:
        return EXIT_INVALID
    try:
        picture = picture_of(imported.spans, args.layout)
    except NotACounterexample as exc:
        console.error(f"stateline: error[SL701]: {args.file}: --layout steps: {exc}")
        return EXIT_INVALID
    except CausalError as exc:
        console.error(f"stateline: error[SL701]: {args.file}: {exc}")
        return EXIT_INVALID
    if not outputs.write(args.out, picture, console):
        return EXIT_INVALID
    console.print(f"timeline: {args.out}")
    return EXIT_OK
