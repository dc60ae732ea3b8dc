"""Writing an ExportTraceServiceRequest: OTLP/JSON, JSON Lines, protobuf.

* OTLP/JSON (`.otlp.json`): one document, indented, keys in the order the
  mapping wrote them, UTF-8, a final newline.  Ids are hex, 64-bit integers
  decimal strings, enums integers (opentelemetry-proto's JSON encoding rules).
* JSON Lines (`.otlp.jsonl`): what the Collector's `otlpjsonfile` receiver
  reads, one compact ExportTraceServiceRequest per line; each resource (one
  service) is its own line, and a reader puts the trace back together.
* protobuf (`.otlp.pb`): the binary ExportTraceServiceRequest of
  opentelemetry-proto, serialized deterministically.

`to_message` turns the OTLP/JSON dict into the protobuf message:
`json_format` reads `bytes` fields as base64, so the hex ids are re-encoded
first (a plain parse would read a 32-character hex trace id as 24 bytes).
"""

from __future__ import annotations

import base64
import copy
import json

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from ..printable import json_safe

FORMATS = {"json": ".otlp.json", "jsonl": ".otlp.jsonl", "protobuf": ".otlp.pb"}
ID_KEYS = ("traceId", "spanId", "parentSpanId")


def dumps_json(request: dict) -> str:
    return json_safe(json.dumps(request, indent=2, ensure_ascii=False)) + "\n"


def dumps_jsonl(request: dict) -> str:
    lines = [json_safe(json.dumps({"resourceSpans": [rs]}, separators=(",", ":"),
                                  ensure_ascii=False))
             for rs in request["resourceSpans"]]
    return "".join(line + "\n" for line in lines)


def to_message(request: dict) -> ExportTraceServiceRequest:
    """The protobuf message for an OTLP/JSON dict with hex ids (strict: unknown keys raise)."""
    doc = copy.deepcopy(request)
    for rs in doc.get("resourceSpans", []):
        for ss in rs.get("scopeSpans", []):
            for span in ss.get("spans", []):
                for item in [span, *span.get("links", [])]:
                    for key in ID_KEYS:
                        if item.get(key):
                            item[key] = base64.b64encode(bytes.fromhex(item[key])).decode()
    return json_format.ParseDict(doc, ExportTraceServiceRequest())


def dumps_protobuf(request: dict) -> bytes:
    return to_message(request).SerializeToString(deterministic=True)


def dumps(request: dict, fmt: str) -> bytes:
    """The file contents for `fmt` ("json", "jsonl" or "protobuf")."""
    if fmt == "protobuf":
        return dumps_protobuf(request)
    text = dumps_json(request) if fmt == "json" else dumps_jsonl(request)
    return text.encode("utf-8")
