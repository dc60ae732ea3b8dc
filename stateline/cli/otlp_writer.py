"""`--otlp DIR` and `--otlp-endpoint URL`: counterexamples as OpenTelemetry traces.

One file per counterexample (`<spec file stem>.<check>.<property>.otlp.json`,
`.otlp.jsonl` or `.otlp.pb`; specs with the same stem in different folders get
their folders in front, see `mapping.file_names`), and/or one POST per counterexample to an
OTLP/HTTP receiver.  `stateline export` writes the same bytes from a saved
`--json` document.  The mapping is documented in docs/otlp.md.
"""

from __future__ import annotations

import argparse
import json
import os
import time

from ..diagnostics import SpecError
from ..lang import ast as A
from ..lang.load import load_spec
from ..lang.parse import parse
from ..lang.reads import foreign_reads
from ..otlp import formats, ids, itf, mapping
from ..otlp.push import PushFailure, push
from ..printable import json_safe
from ..render import json_out
from . import outputs

ALL_FORMATS = {**formats.FORMATS, "itf": ".itf.json"}


def base_time(text: str) -> int:
    try:
        return ids.parse_base_time(text, time.time_ns())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser) -> None:
    parser.add_argument("--otlp", metavar="DIR",
                        help="write each counterexample as an OpenTelemetry trace file in DIR")
    add_otlp_options(parser, choices=list(formats.FORMATS))


def add_otlp_options(parser, choices: list[str]) -> None:
    parser.add_argument("--otlp-format", choices=choices, default="json",
                        help="file format: OTLP/JSON (default), JSON Lines for the Collector's "
                             "otlpjsonfile receiver, protobuf" +
                             (", or ITF (Apalache, Quint)" if "itf" in choices else ""))
    parser.add_argument("--otlp-base-time", type=base_time, metavar="TIME", default=None,
                        help="start of the logical timeline: 'now', an RFC 3339 time or Unix "
                             "nanoseconds (default: 2024-01-01T00:00:00Z in files, for "
                             "identical bytes; the current time in pushed traces)")
    parser.add_argument("--otlp-endpoint", metavar="URL",
                        help="also POST each trace (protobuf) to this OTLP/HTTP receiver; "
                             "/v1/traces is added to a URL without a path; the trace id of "
                             "each is printed")
    parser.add_argument("--jaeger-ui", metavar="URL",
                        help="with --otlp-endpoint: print where each pushed trace opens in "
                             "this Jaeger UI (URL/trace/TRACE_ID)")


def write(results, exit_code: int, args, console) -> bool:
    if not results or (not args.otlp and not args.otlp_endpoint):
        return True
    document = json_out.document(results, exit_code)
    return emit(document, args.otlp, args.otlp_format, args.otlp_base_time,
                args.otlp_endpoint, console, jaeger_ui=args.jaeger_ui)


def emit(document: dict, out_dir: str | None, fmt: str, base_ns: int | None,
         endpoint: str | None, console, only: list[str] | None = None,
         inputs: tuple[str, ...] = (), source: str | None = None,
         jaeger_ui: str | None = None) -> bool:
    """Write (and/or push) every counterexample of a `stateline.check` document (read
    from the file `source`, for messages).  Nothing is written unless every file can be
    made; no file is written over one of `inputs`.  Without a `base_ns`, files start at
    the fixed base time (same input, same bytes) and pushed traces at the current time
    (so a trace viewer's default "last hour" search finds them)."""
    cxs = [cx for cx in mapping.counterexamples(document) if not only or cx.label in only]
    missing = sorted(set(only or ()) - {cx.label for cx in cxs})
    if missing:
        console.error(f"stateline: error[SL504]: no counterexample of {', '.join(missing)} "
                      "to export")
        return False
    names = mapping.file_names(cxs)
    preds: dict[str, dict] = {}
    reads: dict[str, dict] = {}
    made = []                       # every file's bytes, made before the first is written
    for cx in cxs:
        path = cx.result.get("path")
        if path not in preds:
            preds[path] = predicates(path)
            reads[path] = shared_reads(path)
        request = mapping.to_otlp(cx, ids.DEFAULT_BASE_TIME_NS if base_ns is None else base_ns,
                                  preds[path], reads[path])
        try:
            data = (itf_bytes(cx) if fmt == "itf" else formats.dumps(request, fmt))
        except itf.ItfError as exc:
            console.error(f"stateline: error[SL701]: {source or cx.name}: the counterexample "
                          f"of {cx.label} cannot be written as ITF: {exc}")
            return False
        made.append((cx, path, request, data))
    if out_dir:
        try:
            os.makedirs(out_dir, exist_ok=True)
        except OSError as exc:
            console.error(f"stateline: error[SL504]: cannot create '{out_dir}': {exc.strerror}")
            return False
        targets = [os.path.join(out_dir, name + ALL_FORMATS[fmt]) for name in names]
        if not outputs.check_paths(console, list(inputs),
                                   files=[("trace file", t) for t in targets]):
            return False
    for (cx, path, request, data), name in zip(made, names):
        if out_dir:
            target = os.path.join(out_dir, name + ALL_FORMATS[fmt])
            if not outputs.write(target, data, console):
                return False
            console.print(f"trace: {target}")
        if endpoint:
            if base_ns is None:
                request = mapping.to_otlp(cx, time.time_ns(), preds[path], reads[path])
            try:
                done = push(formats.dumps_protobuf(request), endpoint)
            except PushFailure as exc:
                console.error(f"stateline: error[SL702]: {exc}")
                return False
            note = f" ({done.rejected_spans} span(s) rejected: {done.message})" \
                if done.rejected_spans else ""
            tid = trace_id(request)
            console.print(f"trace: {name} sent to {done.url} (trace id {tid}){note}")
            if jaeger_ui:
                console.print(f"  open: {jaeger_ui.rstrip('/')}/trace/{tid}")
    if not cxs:
        console.print("trace: no counterexample to export")
    return True


def trace_id(request: dict) -> str:
    """The trace id of a one-trace request (as OTLP/JSON writes it: 32 hex digits)."""
    return request["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]


def itf_bytes(cx) -> bytes:
    return (json_safe(json.dumps(itf.from_counterexample(cx), indent=2, ensure_ascii=False))
            + "\n").encode("utf-8")


def predicates(path: str | None) -> dict[str, dict]:
    """Property name -> {"text", "path", "line"} from the spec file, if it can be read.

    Only the parser runs (no type checking): the text is what the spec says.
    """
    if not isinstance(path, str):
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            source = f.read()
        spec = parse(source, path)
    except (OSError, UnicodeDecodeError, SpecError):
        return {}
    lines = source.splitlines()
    out = {}
    for d in spec.decls:
        if isinstance(d, (A.Invariant, A.Transition, A.Property)):
            text = _slice(lines, d.expr.span)
            out[d.name] = {"text": " ".join(text.split()), "path": path, "line": d.span.line}
    return out


def shared_reads(path: str | None) -> dict:
    """(process, action) -> other processes' variables it reads, from the spec file if it
    can be read and type-checked (otherwise no read links)."""
    if not isinstance(path, str):
        return {}
    try:
        return foreign_reads(load_spec(path).typed)
    except SpecError:
        return {}


def _slice(lines: list[str], span) -> str:
    if span.end_line < span.line or span.end_line > len(lines):
        return lines[span.line - 1][span.col - 1:] if span.line <= len(lines) else ""
    if span.end_line == span.line:
        return lines[span.line - 1][span.col - 1:span.end_col - 1]
    parts = [lines[span.line - 1][span.col - 1:]]
    parts += lines[span.line:span.end_line - 1]
    parts.append(lines[span.end_line - 1][:span.end_col - 1])
    return "\n".join(parts)
