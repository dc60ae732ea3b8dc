"""Histories of client operations on a read/write register, and consistency checks on
them: linearizability, sequential consistency and causal consistency.

A history is a tuple of events ``(process, type, f, value)`` in real-time order, as in
Jepsen and Knossos (see `model`).  The predicates are memoised and cheap to call on many
small histories; `check` adds a witness or an explanation; `files` reads and writes
histories as JSON.  This package is a leaf: it imports nothing else from Stateline but
`stateline.diagnostics`.
"""

from .files import HistoryFileError, dumps, loads, read_history, write_history
from .model import History, HistoryError, Operation, pair
from .result import (MODELS, Result, causally_consistent, check, linearizable,
                     sequentially_consistent)

__all__ = [
    "History", "HistoryError", "HistoryFileError", "MODELS", "Operation", "Result",
    "causally_consistent", "check", "dumps", "linearizable", "loads", "pair",
    "read_history", "sequentially_consistent", "write_history",
]
