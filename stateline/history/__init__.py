"""Histories of client operations, and consistency checks on them: linearizability,
sequential consistency and causal consistency, for a read/write register, a
compare-and-set register, a key-value store, a grow-only set and a FIFO queue.

A history is a tuple of events ``(process, type, f, value)`` (with a fifth element, the
key, for the key-value store) in real-time order, as in Jepsen and Knossos (see
`model`); `datatypes` holds the sequential specifications.  The predicates are memoised
and cheap to call on many small histories; `check` adds a witness or an explanation;
`files` reads histories (Stateline's JSON, Jepsen's EDN and log formats) and writes
them as JSON; `picture` draws a failure as an HTML page.  This package is a leaf: it
imports nothing else from Stateline.
"""

from .datatypes import DATATYPES, DataType
from .files import HistoryFileError, dumps, loads, read_history, write_history
from .model import History, HistoryError, Operation, pair
from .result import (MODELS, SUPPORTED, Result, Timeout, causally_consistent, check,
                     linearizable, sequentially_consistent)

__all__ = [
    "DATATYPES", "DataType", "History", "HistoryError", "HistoryFileError", "MODELS",
    "Operation", "Result", "SUPPORTED", "Timeout", "causally_consistent", "check",
    "dumps", "linearizable", "loads", "pair", "read_history", "sequentially_consistent",
    "write_history",
]
