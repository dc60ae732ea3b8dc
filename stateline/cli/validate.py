"""`stateline trace validate SPEC TRACE...`: are a running system's traces behaviours of its spec?

Reads OTLP/JSON, JSON Lines and protobuf files (merged by trace id), maps
spans to steps (`--mapping FILE`, else the `stateline.*` attributes), and
searches the spec for a behaviour that matches each trace's events
(`stateline.validation`).  Exit codes: 0 every trace conforms, 1 a trace does
not conform (or its matched behaviour violates an invariant expected to
hold), 2 invalid spec, mapping, trace file or command line, 3 a bound stopped
the search before a verdict.
"""

from __future__ import annotations

import json
import os
import sys

from ..checker.run import check_blocks, describe_constants, prepare
from ..diagnostics import SpecError
from ..lang.load import LoadError, load_spec, parse_override
from ..otlp import formats, mapping as otlp_mapping
from ..otlp.importer import DEFAULT_MAX_BYTES, ImportFailure, read
from ..validation import report
from ..validation.events import EventError, EventReader, span_where
from ..validation.rules import UNMAPPED, Mapping, MappingError, load as load_mapping
from ..validation.run import CONFORMS, NOT_CONFORMS, ValidateOptions, validate
from ..printable import json_safe
from . import outputs
from .codes import EXIT_BOUND, EXIT_FAILED, EXIT_INVALID, EXIT_OK
from .console import Console, positive_float, positive_int, report_errors
from .otlp_writer import itf_bytes

FORMATS = {**formats.FORMATS, "itf": ".itf.json"}


def add_parser(tsub) -> None:
    v = tsub.add_parser(
        "validate", help="check that the traces of a running system are behaviours of its spec",
        description="Map the spans of OTLP traces to steps of the spec and search the spec's "
                    "state space for a behaviour that matches them: every event a step from a "
                    "state consistent with every observation so far, in an order that respects "
                    "the trace's causality.")
    v.add_argument("spec", metavar="SPEC")
    v.add_argument("files", nargs="+", metavar="TRACE",
                   help="OTLP/JSON, JSON Lines or protobuf files; spans are merged by trace id")
    v.add_argument("--check", metavar="NAME",
                   help="the check block whose instance (constants) the traces are of")
    v.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                   help="override a constant of the check block (repeatable)")
    v.add_argument("--mapping", metavar="FILE",
                   help="a TOML file mapping span names and attributes to actions "
                        "(docs/trace-validation.md)")
    v.add_argument("--internal", action="append", default=[], metavar="ACTION",
                   help="an action that may happen without a span (repeatable)")
    v.add_argument("--unmapped", choices=UNMAPPED,
                   help="spans that map to no action: ignore them (default), list them, or "
                        "refuse the trace")
    v.add_argument("--no-timestamps", action="store_true",
                   help="do not order a node's events by start time where no clock or "
                        "causality orders them")
    v.add_argument("--no-reduction", action="store_true",
                   help="expand every interleaving of concurrent events, even where the "
                        "steps of different nodes are known to commute")
    v.add_argument("--trace-id", dest="trace_ids", action="append", default=[], metavar="ID",
                   help="validate only this trace (repeatable)")
    v.add_argument("--max-seconds", type=positive_float, metavar="S",
                   help="stop after S seconds (verdict unknown, exit 3)")
    v.add_argument("--max-states", type=positive_int, metavar="N",
                   help="stop after N configurations (spec state, consumed events)")
    v.add_argument("--show-behaviour", action="store_true",
                   help="print the whole matched behaviour (of a conforming trace too)")
    v.add_argument("--json", metavar="FILE",
                   help="write the results as JSON (schema stateline.trace-validation); "
                        "- for stdout")
    v.add_argument("--otlp", metavar="DIR",
                   help="write each matched behaviour (or longest matched prefix) as a trace "
                        "in DIR, as `stateline check --otlp` writes counterexamples")
    v.add_argument("--otlp-format", choices=list(FORMATS), default="json",
                   help="format of --otlp: OTLP/JSON (default), JSON Lines, protobuf or ITF")
    v.add_argument("--max-size", type=positive_float, default=DEFAULT_MAX_BYTES / 2 ** 20,
                   metavar="MB", help="refuse trace files larger than this (default "
                                      f"{DEFAULT_MAX_BYTES // 2 ** 20} MB)")
    v.set_defaults(run=run)


def _fail(console: Console, message: str) -> int:
    console.error(f"stateline: error[SL701]: {message}")
    return EXIT_INVALID


def run(args, console: Console) -> int:
    inputs = [args.spec, *args.files] + ([args.mapping] if args.mapping else [])
    if not outputs.check_paths(console, inputs,
                               files=[("--json", None if args.json in (None, "-") else
                                       args.json)],
                               folders=[("--otlp", args.otlp)]):
        return EXIT_INVALID
    try:
        loaded = load_spec(args.spec)
    except LoadError as exc:
        report_errors(console, exc, exc.sources)
        return EXIT_INVALID
    try:
        mapping = load_mapping(args.mapping) if args.mapping else Mapping()
    except MappingError as exc:
        return _fail(console, str(exc))
    imported = []
    for path in args.files:
        try:
            imported.append(read(path, int(args.max_size * 2 ** 20)))
        except ImportFailure as exc:
            return _fail(console, str(exc))
    for imp in imported:
        for w in imp.warnings:
            console.error(f"stateline: warning: {w}")
    check = _check_block(loaded, args, imported, console)
    if check is None:
        return EXIT_INVALID
    try:
        overrides = dict(parse_override(loaded, d) for d in args.defines)
        model = prepare(loaded, check, overrides)
    except LoadError as exc:
        report_errors(console, exc, exc.sources)
        return EXIT_INVALID
    except SpecError as exc:
        report_errors(console, exc, {loaded.path: loaded.source,
                                     **getattr(exc, "sources", {})})
        return EXIT_INVALID
    unmapped = args.unmapped or mapping.unmapped
    try:
        reader = EventReader(model, mapping)
        traces = reader.read(imported)
    except EventError as exc:
        return _fail(console, str(exc))
    if args.trace_ids:
        wanted = {t.lower() for t in args.trace_ids}
        missing = sorted(wanted - {t.trace_id for t in traces})
        if missing:
            return _fail(console, f"no trace {missing[0]} in the files")
        traces = [t for t in traces if t.trace_id in wanted]
    if unmapped == "error":
        for t in traces:
            if t.unmapped:
                s = t.unmapped[0]
                return _fail(console, f"{span_where(t.files[s.key], s)}: the span maps to no "
                                      f"action ({len(t.unmapped)} such span(s); --unmapped "
                                      "ignore or report to let them be)")
    empty = [t for t in traces if not t.events]
    if len(empty) == len(traces):
        names = sorted({s.name for t in traces for s in t.spans})
        return _fail(console, f"{', '.join(args.files)}: no span maps to a step of the spec "
                              f"(span names: {', '.join(names[:6])}"
                              f"{', ...' if len(names) > 6 else ''}); instrument with "
                              "stateline.instrument or give a --mapping file")
    system = model.system
    constants = describe_constants(system)
    consts = ", ".join(f"{k}={v}" for k, v in constants) or "no constants"
    console.print(f"{args.spec}: spec {system.name}, check {check.name} ({consts}) · "
                  f"trace validation of {len(args.files)} file"
                  f"{'s' if len(args.files) != 1 else ''}, {len(traces)} trace"
                  f"{'s' if len(traces) != 1 else ''}")
    for t in empty:
        console.print(f"trace {t.trace_id}: no span maps to a step of the spec; skipped")
    traces = [t for t in traces if t.events]
    options = ValidateOptions(not args.no_timestamps, tuple(args.internal), args.max_states,
                              args.max_seconds, not args.no_reduction)
    expected = {prop: outcome for prop, outcome, _ in check.expects}
    try:
        results = validate(model, reader, traces, options, expected,
                           {loaded.path: loaded.source})
    except EventError as exc:
        return _fail(console, str(exc))
    for r in results:
        console.print("")
        console.print(report.text(r, args.show_behaviour, unmapped))
    code = EXIT_OK
    if any(r.expectation_failed for r in results):
        code = EXIT_FAILED
    elif any(r.verdict not in (CONFORMS, NOT_CONFORMS) for r in results):
        code = EXIT_BOUND
    conform = sum(1 for r in results if r.verdict == CONFORMS)
    console.print("")
    console.print(f"{conform} of {len(results)} trace{'s' if len(results) != 1 else ''} "
                  "conform" + ("" if len(results) != 1 else "s") + " to the spec")
    if args.json and not _write_json(args, system, check, constants, results, code, console):
        return EXIT_INVALID
    if args.otlp and not _write_otlp(args, system, check, constants, results, console):
        return EXIT_INVALID
    return code


def _check_block(loaded, args, imported, console):
    blocks = check_blocks(loaded)
    if args.check:
        chosen = [c for c in blocks if c.name == args.check]
        if not chosen:
            console.error(f"stateline: error[SL505]: no check block is named '{args.check}' "
                          f"(the spec has {', '.join(c.name for c in blocks)})")
            return None
        return chosen[0]
    if len(blocks) == 1:
        return blocks[0]
    named = {s.resource.get("stateline.check") for imp in imported for s in imp.spans}
    named.discard(None)
    if len(named) == 1:
        chosen = [c for c in blocks if c.name == next(iter(named))]
        if chosen:
            return chosen[0]
    console.error(f"stateline: error[SL505]: {args.spec} has {len(blocks)} check blocks "
                  f"({', '.join(c.name for c in blocks)}): say which instance the traces are "
                  "of with --check NAME")
    return None


def _write_json(args, system, check, constants, results, code, console) -> bool:
    doc = report.document(system.name, system.path, check.name, constants, args.files,
                          results, code)
    text = json_safe(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"
    if args.json == "-":
        sys.stdout.write(text)         # the table went to stderr (cli.main)
        sys.stdout.flush()
        return True
    return outputs.write(args.json, text, console)


def _write_otlp(args, system, check, constants, results, console) -> bool:
    doc = report.behaviour_document(system.name, system.path, check.name, constants, results)
    try:
        os.makedirs(args.otlp, exist_ok=True)
    except OSError as exc:
        console.error(f"stateline: error[SL504]: cannot create '{args.otlp}': {exc.strerror}")
        return False
    result = doc["results"][0]
    for prop in result["properties"]:
        cx = otlp_mapping.Counterexample(result, prop, prop["trace"])
        data = itf_bytes(cx) if args.otlp_format == "itf" else \
            formats.dumps(otlp_mapping.to_otlp(cx), args.otlp_format)
        target = os.path.join(args.otlp, cx.name + FORMATS[args.otlp_format])
        if not outputs.write(target, data, console):
            return False
        console.print(f"behaviour: {target}")
    return True
