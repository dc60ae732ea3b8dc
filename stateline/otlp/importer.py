"""Reading OTLP traces written by Stateline or by any instrumented system.

Accepted: one OTLP/JSON ExportTraceServiceRequest (= TracesData), JSON Lines
with one such document per line (the Collector's file exporter), or the
protobuf binary.  The kind is told by the first byte: `{` or `[` starts JSON;
no ExportTraceServiceRequest in protobuf starts with either (both would be
group tags, which OTLP never uses).

What makes a file unreadable is an `ImportFailure` with a `path:line:col`
(JSON syntax) or `path: where: what` message, never a traceback: broken JSON,
ids that are not hex (base64 ids are called out), a span without ids, a
duplicate span, a file over the size limit (checked before anything is read,
so memory stays bounded whatever the file's size).  Unknown JSON fields are
ignored, as OTLP receivers must, with a warning.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from .attributes import from_key_values
from ..jsontext import JsonTextError, loads

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
_HEX = re.compile(r"[0-9a-fA-F]*\Z")


class ImportFailure(Exception):
    """A trace file that cannot be read; the message says where and why."""


@dataclass(frozen=True)
class Event:
    name: str
    time: int
    attributes: dict


@dataclass(frozen=True)
class Link:
    trace_id: str
    span_id: str
    attributes: dict


@dataclass
class Span:
    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    service: str
    kind: int
    start: int
    end: int
    status: int                       # 0 unset, 1 ok, 2 error
    status_message: str
    attributes: dict
    events: list[Event] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    resource: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.trace_id, self.span_id)


@dataclass
class Imported:
    path: str
    spans: list[Span]
    documents: int
    warnings: list[str]


def read(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Imported:
    """Every span of the file, in file order."""
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise ImportFailure(f"{path}: the file has {size:,} bytes, more than the limit of "
                                f"{max_bytes:,} (raise it with --max-size, or split the file)")
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise ImportFailure(f"{path or repr(path)}: cannot read: {exc.strerror}") from None
    out = Imported(path, [], 0, [])
    head = data.lstrip()[:1]
    if not head:
        raise ImportFailure(f"{path}: the file is empty")
    try:
        if head in (b"{", b"["):
            for tag, doc in _json_documents(path, data):
                _add(out, _parse_json(path, tag, doc, out.warnings), tag)
        else:
            try:
                message = ExportTraceServiceRequest.FromString(data)
            except DecodeError as exc:
                raise ImportFailure(f"{path}: neither OTLP/JSON, JSON Lines nor an OTLP "
                                    f"protobuf ExportTraceServiceRequest ({exc})") from None
            _add(out, message, "")
    except RecursionError:         # attribute values (kvlists, arrays) inside one another
        raise ImportFailure(f"{path}: values are nested too deeply to read") from None
    if not out.spans:
        raise ImportFailure(f"{path}: no spans")
    seen: set[tuple[str, str]] = set()
    for s in out.spans:
        if s.key in seen:
            raise ImportFailure(f"{path}: span {s.span_id} appears twice in trace {s.trace_id}")
        seen.add(s.key)
    return out


def _json_documents(path: str, data: bytes):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailure(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        whole = loads(text, path)
    except JsonTextError as exc:
        if exc.syntax is None or exc.syntax.msg != "Extra data":   # not JSON Lines either
            raise ImportFailure(str(exc)) from None
        error = exc
    else:
        yield "", whole
        return
    first = True
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                doc = loads(line, path, n)
            except JsonTextError as exc:
                if first:                  # not JSON Lines either: report the document's error
                    raise ImportFailure(str(error)) from None
                if exc.syntax is None:
                    raise ImportFailure(str(exc)) from None
                raise ImportFailure(f"{path}:{n}:{exc.syntax.colno}: invalid JSON Lines: "
                                    f"{exc.syntax.msg}") from None
            first = False
            yield f"line {n}: ", doc


def _parse_json(path: str, tag: str, doc, warnings: list[str]) -> ExportTraceServiceRequest:
    where = f"{path}: {tag}$"
    if not isinstance(doc, dict) or not isinstance(doc.get("resourceSpans", []), list):
        raise ImportFailure(f"{where}: not an OTLP ExportTraceServiceRequest "
                            "(a JSON object with a resourceSpans array)")
    if "resourceSpans" not in doc:
        hint = " (Tempo's API shape; OTLP uses resourceSpans)" if "batches" in doc else ""
        raise ImportFailure(f"{where}: no resourceSpans{hint}")
    _hex_ids_to_base64(doc, where)
    try:
        return json_format.ParseDict(doc, ExportTraceServiceRequest())
    except (json_format.ParseError, ValueError, TypeError) as strict:
        if "no field named" not in str(strict) and "Cannot find field" not in str(strict):
            raise ImportFailure(f"{where}: not valid OTLP: {strict}") from None
        warnings.append(f"{path}: {tag}unknown fields ignored, as OTLP receivers do: {strict}")
    try:
        return json_format.ParseDict(doc, ExportTraceServiceRequest(), ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, TypeError) as exc:
        raise ImportFailure(f"{where}: not valid OTLP: {exc}") from None


def _hex_ids_to_base64(doc: dict, where: str) -> None:
    """OTLP/JSON ids are hex; json_format wants base64.  Checks each id on the way."""
    for r, rs in enumerate(_items(doc.get("resourceSpans"))):
        for s, ss in enumerate(_items(rs.get("scopeSpans"))):
            for p, span in enumerate(_items(ss.get("spans"))):
                at = f"{where}.resourceSpans[{r}].scopeSpans[{s}].spans[{p}]"
                for k, link in enumerate([span, *_items(span.get("links"))]):
                    lw = at if k == 0 else f"{at}.links[{k - 1}]"
                    for key, size in (("traceId", 16), ("spanId", 8), ("parentSpanId", 8)):
                        if key in link and (k == 0 or key != "parentSpanId"):
                            link[key] = _hex_to_base64(link[key], size, f"{lw}.{key}")


def _items(value) -> list:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _hex_to_base64(value, size: int, where: str) -> str:
    if value == "":
        return ""
    if not isinstance(value, str) or len(value) != 2 * size or not _HEX.match(value):
        hint = " (this looks like base64; OTLP/JSON ids are hex)" \
            if _is_base64_of(value, size) else ""
        raise ImportFailure(f"{where}: expected {2 * size} hex characters, got {value!r}{hint}")
    return base64.b64encode(bytes.fromhex(value)).decode("ascii")


def _add(out: Imported, message: ExportTraceServiceRequest, tag: str) -> None:
    out.documents += 1
    for r, rs in enumerate(message.resource_spans):
        resource = from_key_values(rs.resource.attributes)
        service = resource.get("service.name")
        service = service if isinstance(service, str) and service else "unknown_service"
        for s, ss in enumerate(rs.scope_spans):
            for p, sp in enumerate(ss.spans):
                where = f"{out.path}: {tag}$.resourceSpans[{r}].scopeSpans[{s}].spans[{p}]"
                tid = _id(sp.trace_id, 16, f"{where}.traceId")
                sid = _id(sp.span_id, 8, f"{where}.spanId")
                parent = _id(sp.parent_span_id, 8, f"{where}.parentSpanId") \
                    if sp.parent_span_id else None
                links = [Link(_id(ln.trace_id, 16, f"{where}.links[{k}].traceId"),
                              _id(ln.span_id, 8, f"{where}.links[{k}].spanId"),
                              from_key_values(ln.attributes)) for k, ln in enumerate(sp.links)]
                events = [Event(e.name, e.time_unix_nano, from_key_values(e.attributes))
                          for e in sp.events]
                out.spans.append(Span(tid, sid, parent, sp.name, service, sp.kind,
                                      sp.start_time_unix_nano, sp.end_time_unix_nano,
                                      sp.status.code, sp.status.message,
                                      from_key_values(sp.attributes), events, links, resource))


def _id(raw: bytes, size: int, where: str) -> str:
    if len(raw) != size:
        raise ImportFailure(f"{where}: an id of {size} bytes is required, got {len(raw)}")
    if not any(raw):
        raise ImportFailure(f"{where}: the all-zero id is invalid")
    return raw.hex()


def _is_base64_of(value, size: int) -> bool:
    """Is `value` the base64 text of `size` bytes (as protobuf's JSON mapping writes ids)?"""
    if not isinstance(value, str):
        return False
    try:
        return len(base64.b64decode(value, validate=True)) == size
    except (binascii.Error, ValueError):
        return False
