"""Counterexamples as OpenTelemetry traces, and causal analysis of OTLP traces.

Export: `mapping.counterexamples(document)` lists the traces of a
`stateline.check` document, `mapping.to_otlp(cx)` maps one to an OTLP/JSON
ExportTraceServiceRequest, `formats.dumps(request, fmt)` writes it (OTLP/JSON,
JSON Lines, protobuf) and `push.push(body, url)` sends it to an OTLP/HTTP
receiver; `itf` converts to and from the Informal Trace Format.

Import and analysis: `importer.read(path)` reads OTLP/JSON, JSON Lines or
protobuf from any source; `causal` builds the causal graph, happens-before and
root causes; `anomalies` detects the fault patterns; `analysis` assembles the
report of `stateline trace analyze`; `timeline` draws a trace as SVG.
`traceparent` encodes and decodes W3C trace context headers.
"""

from .analysis import analyze
from .importer import ImportFailure, read
from .mapping import Counterexample, counterexamples, to_otlp
from .traceparent import TraceParent, TraceParentError

__all__ = ["Counterexample", "ImportFailure", "TraceParent", "TraceParentError", "analyze",
           "counterexamples", "read", "to_otlp"]
