"""`stateline export`: a saved `--json` result (or an ITF trace) as OTLP or ITF files."""

from __future__ import annotations

from ..otlp.document import DocumentError, load
from . import otlp_writer, outputs
from .codes import EXIT_INVALID, EXIT_OK
from .console import Console


def add_parser(sub) -> None:
    e = sub.add_parser(
        "export", help="convert a saved --json result or an ITF trace to OTLP or ITF",
        description="Write every counterexample of a `stateline check --json` document (or "
                    "of an ITF trace from Apalache, Quint or `--otlp-format itf`) as an "
                    "OpenTelemetry trace or an ITF trace, one file each.")
    e.add_argument("input", metavar="RESULT.json|TRACE.itf.json")
    e.add_argument("-o", "--out", metavar="DIR", default=".",
                   help="directory for the files (default: the current directory)")
    e.add_argument("--property", dest="properties", action="append", default=[],
                   metavar="NAME", help="only this property's counterexample (repeatable; "
                                        "'error' for a run-time error's trace)")
    e.add_argument("--no-files", action="store_true",
                   help="write no file (with --otlp-endpoint: only push)")
    otlp_writer.add_otlp_options(e, choices=list(otlp_writer.ALL_FORMATS))
    e.set_defaults(run=run)


def run(args, console: Console) -> int:
    if not args.no_files and not outputs.check_paths(console, [args.input],
                                                     folders=[("-o", args.out)]):
        return EXIT_INVALID
    try:
        document = load(args.input)
    except DocumentError as exc:
        console.error(f"stateline: error[SL701]: {exc}")
        return EXIT_INVALID
    if args.no_files and not args.otlp_endpoint:
        console.error("stateline: error[SL504]: --no-files writes nothing without "
                      "--otlp-endpoint")
        return EXIT_INVALID
    if args.otlp_format == "itf" and args.otlp_endpoint:
        console.error("stateline: error[SL504]: --otlp-endpoint sends OTLP; it cannot be "
                      "combined with --otlp-format itf")
        return EXIT_INVALID
    ok = otlp_writer.emit(document, None if args.no_files else args.out, args.otlp_format,
                          args.otlp_base_time, args.otlp_endpoint, console,
                          only=args.properties, inputs=(args.input,), source=args.input,
                          jaeger_ui=args.jaeger_ui)
    return EXIT_OK if ok else EXIT_INVALID
