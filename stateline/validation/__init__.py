"""Trace validation: are the traces of a running system behaviours of its spec?

`rules` reads the mapping from spans to steps (defaults and a TOML file),
`events` turns the spans of OTLP files (read by `otlp.importer`) into events
with decoded values (`values`), `order` computes their causal order and
chains, `search` looks for a behaviour of the compiled model that matches
them, `explain` says why an event cannot be matched, `run` ties these
together and `report` writes the results as text and JSON.
docs/trace-validation.md describes the mapping, the semantics and the cost.
"""

from .rules import Mapping, MappingError
from .run import (CONFORMS, NOT_CONFORMS, UNKNOWN, EventError, TraceResult, ValidateOptions,
                  validate)

__all__ = ["CONFORMS", "EventError", "Mapping", "MappingError", "NOT_CONFORMS", "TraceResult",
           "UNKNOWN", "ValidateOptions", "validate"]
