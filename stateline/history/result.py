"""The consistency checks as functions: three cached predicates and `check`.

The predicates are what a model checker calls in every reachable state, often on the same
or similar small histories: each is memoised on (event tuple, initial value) in a
bounded LRU cache.  Events must be hashable; a list of lists is converted to a tuple of
tuples first.  A malformed history raises `HistoryError` (a ValueError) naming the
event.

`check` returns a `Result` with a witness and an explanation, and is not cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import causal, linearizability, sequential
from .model import HistoryError, pair

CACHE_SIZE = 1 << 15
MODELS = ("linearizable", "sequential", "causal")


@dataclass(frozen=True)
class Result:
    """The verdict of one consistency model on one history.

    `witness` (when `ok`): for linearizable and sequential, the order of operation
    indices (operations are numbered in invocation order; indeterminate writes that are
    left out did not take effect); for causal, one view per process as
    ``((process, (op index, ...)), ...)``.  `explanation` says why not, naming the
    operations, or describes the witness when `ok`.
    """

    ok: bool
    consistency: str
    witness: tuple | None
    explanation: str


def _key(events) -> tuple:
    """The events as a hashable tuple (lists of lists are converted)."""
    if type(events) is tuple and _hashable(events):
        return events
    key = tuple(tuple(e) if isinstance(e, (list, tuple)) else e for e in events)
    if not _hashable(key):
        pair(key)              # raises HistoryError naming the unhashable event
        hash(key)              # (or the TypeError itself)
    return key


def _hashable(x) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def _initial(initial):
    try:
        hash(initial)
    except TypeError:
        raise HistoryError(f"the initial value must be hashable, not {initial!r}") from None
    return initial


def linearizable(events, initial=None) -> bool:
    """Whether the history is linearizable for a read/write register with this initial
    value (see `stateline.history.linearizability` for the definition)."""
    return _linearizable(_key(events), _initial(initial))


def sequentially_consistent(events, initial=None) -> bool:
    """Whether the history is sequentially consistent for a read/write register (see
    `stateline.history.sequential`)."""
    return _sequential(_key(events), _initial(initial))


def causally_consistent(events, initial=None) -> bool:
    """Whether the history is causally consistent (causal memory) for a read/write
    register (see `stateline.history.causal`)."""
    return _causal(_key(events), _initial(initial))


@lru_cache(maxsize=CACHE_SIZE)
def _linearizable(events: tuple, initial) -> bool:
    return linearizability.search(pair(events), initial) is not None


@lru_cache(maxsize=CACHE_SIZE)
def _sequential(events: tuple, initial) -> bool:
    return sequential.search(pair(events), initial) is not None


@lru_cache(maxsize=CACHE_SIZE)
def _causal(events: tuple, initial) -> bool:
    return causal.analyse(pair(events), initial)[0] is not None


def check(events, consistency: str, initial=None) -> Result:
    """The verdict of one model ("linearizable", "sequential" or "causal") with a witness
    or an explanation."""
    if consistency not in MODELS:
        raise ValueError(f"unknown consistency model {consistency!r}; expected one of "
                         f"{', '.join(MODELS)}")
    events = _key(events)
    operations = pair(events)
    initial = _initial(initial)
    if consistency == "linearizable":
        order = linearizability.search(operations, initial)
        if order is None:
            return Result(False, consistency, None, linearizability.explain(events, initial))
        return Result(True, consistency, order, "linearization: " + _ops(order))
    if consistency == "sequential":
        order, why = sequential.decide(operations, initial)
        if order is None:
            return Result(False, consistency, None, why)
        return Result(True, consistency, order, "serialization: " + _ops(order))
    views, why = causal.analyse(operations, initial)
    if views is None:
        return Result(False, consistency, None, why)
    return Result(True, consistency, views,
                  "; ".join(f"process {p!r} sees {_ops(v)}" for p, v in views)
                  or "no operations")


def _ops(order) -> str:
    return ", ".join(f"op {i}" for i in order) if order else "no operations"
