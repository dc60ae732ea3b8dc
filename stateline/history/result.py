"""The consistency checks as functions: three cached predicates and `check`.

The predicates are what a model checker calls in every reachable state, often on the same
or similar small histories: each is memoised on (event tuple, initial value, data type)
in a bounded LRU cache.  Events must be hashable; a list of lists is converted to a tuple
of tuples first.  A malformed history raises `HistoryError` (a ValueError) naming the
event.

`check` returns a `Result` with a witness or an explanation, and is not cached.

Which consistency models each data type supports (`SUPPORTED`): linearizability all of
them; sequential consistency the single-object ones (it is not local, so a keyed store
cannot be checked key by key); causal consistency (causal memory) the read/write
register.  A data type of one's own (a `DataType` subclass) gets linearizability, and
sequential consistency if it has no keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from . import causal, linearizability, sequential, serialization, wgl
from .datatypes import DATATYPES, REGISTER, DataType
from .explain import Failure, explain
from .keys import check_keys
from .model import HistoryError, pair

CACHE_SIZE = 1 << 15
MODELS = ("linearizable", "sequential", "causal")       # the consistency models
SUPPORTED = {"register": MODELS, "cas-register": MODELS[:2], "set": MODELS[:2],
             "queue": MODELS[:2], "kv": MODELS[:1]}
Timeout = wgl.Timeout


@dataclass(frozen=True)
class Result:
    """The verdict of one consistency model on one history.

    `witness` (when `ok`): for linearizable and sequential, the order of operation
    indices (operations are numbered in invocation order; indeterminate operations that
    are left out did not take effect); for a keyed data type, one order per key as
    ``((key, (op index, ...)), ...)``; for causal, one view per process as
    ``((process, (op index, ...)), ...)``.  `explanation` says why not, naming the
    operations, or describes the witness when `ok`.  `failure` (linearizability) says
    where the search got stuck, for a picture of it.
    """

    ok: bool
    consistency: str
    witness: tuple | None
    explanation: str
    model: str = "register"
    failure: Failure | None = None


def datatype_of(model) -> DataType:
    if isinstance(model, DataType):
        return model
    try:
        return DATATYPES[model]
    except KeyError:
        raise ValueError(f"unknown model {model!r}; expected one of "
                         f"{', '.join(DATATYPES)}") from None


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


def linearizable(events, initial=None, model="register") -> bool:
    """Whether the history is linearizable for the data type `model` (default a read/write
    register) with this initial value (see `stateline.history.wgl` for the definition)."""
    return _linearizable(_key(events), _initial(initial), datatype_of(model))


def sequentially_consistent(events, initial=None, model="register") -> bool:
    """Whether the history is sequentially consistent (see `stateline.history.sequential`
    and `serialization`)."""
    return _sequential(_key(events), _initial(initial), datatype_of(model))


def causally_consistent(events, initial=None) -> bool:
    """Whether the history is causally consistent (causal memory) for a read/write
    register (see `stateline.history.causal`)."""
    return _causal(_key(events), _initial(initial))


@lru_cache(maxsize=CACHE_SIZE)
def _linearizable(events: tuple, initial, model: DataType) -> bool:
    if model is REGISTER:
        return linearizability.search(pair(events), initial) is not None
    return check(events, "linearizable", initial, model, explain=False).ok


@lru_cache(maxsize=CACHE_SIZE)
def _sequential(events: tuple, initial, model: DataType) -> bool:
    if model is REGISTER:
        return sequential.search(pair(events), initial) is not None
    return check(events, "sequential", initial, model, explain=False).ok


@lru_cache(maxsize=CACHE_SIZE)
def _causal(events: tuple, initial) -> bool:
    return causal.analyse(pair(events), initial)[0] is not None


def check(events, consistency: str, initial=None, model="register", *, explain=True,
          deadline: float | None = None, workers: int = 1, operations=None) -> Result:
    """The verdict of one consistency model ("linearizable", "sequential" or "causal")
    for the data type `model`, with a witness or an explanation.

    `explain=False` gives the verdict with the shortest explanation there is (no search
    for the longest partial linearization).  `deadline` (a `time.monotonic()` time)
    makes a search that runs past it raise `Timeout`; `workers` searches the keys of a
    keyed data type in that many processes.  `operations`, when the caller has paired
    the events already, saves doing it again."""
    if consistency not in MODELS:
        raise ValueError(f"unknown consistency model {consistency!r}; expected one of "
                         f"{', '.join(MODELS)}")
    datatype = datatype_of(model)
    supported = SUPPORTED.get(datatype.name, MODELS[:1] if datatype.keyed else MODELS[:2])
    if consistency not in supported:
        raise ValueError(f"the {datatype.name} model supports {' and '.join(supported)} "
                         f"only, not {consistency}")
    if operations is None:
        operations = pair(events, datatype)     # (not hashed: a set's reads are long)
    initial = _initial(initial)
    name = datatype.name
    if datatype.keyed:
        return _keyed(operations, datatype, initial, explain, deadline, workers)
    if consistency == "linearizable":
        if datatype is REGISTER:
            outcome = linearizability.run(operations, initial, deadline)
        else:
            outcome = wgl.search(operations, datatype, initial, deadline)
        if outcome.order is not None:
            return Result(True, consistency, outcome.order,
                          "linearization: " + _ops(outcome.order), name)
        why, failure = _explain(operations, datatype, initial, outcome.frontier, None,
                                deadline, explain)
        return Result(False, consistency, None, why, name, failure)
    if consistency == "sequential":
        if datatype is REGISTER:
            order, why = sequential.decide(operations, initial, deadline)
        else:
            order, why = serialization.decide(operations, datatype, initial, deadline)
        if order is None:
            return Result(False, consistency, None, why, name)
        return Result(True, consistency, order, "serialization: " + _ops(order), name)
    views, why = causal.analyse(operations, initial)
    if views is None:
        return Result(False, consistency, None, why, name)
    return Result(True, consistency, views,
                  "; ".join(f"process {p!r} sees {_ops(v)}" for p, v in views)
                  or "no operations", name)


def _explain(operations, datatype, initial, frontier, key, deadline, prefix):
    try:
        return explain(operations, datatype, initial, frontier, key, deadline, prefix)
    except Timeout:             # the verdict is known; only the longest prefix is not
        return explain(operations, datatype, initial, frontier, key, prefix=False)


def _keyed(operations, datatype, initial, prefix, deadline, workers) -> Result:
    verdicts = check_keys(operations, datatype, initial, deadline, prefix, workers)
    bad = [v for v in verdicts if v.order is None and not v.timed_out]
    if bad:
        first = bad[0]
        why = first.explanation
        if len(bad) > 1:
            others = ", ".join(repr(v.key) for v in bad[1:6]) + (", ..." if len(bad) > 6
                                                                 else "")
            why += (f" ({len(bad)} of {len(verdicts)} keys are not linearizable; the "
                    f"others: {others})")
        return Result(False, "linearizable", None, why, datatype.name, first.failure)
    if any(v.timed_out for v in verdicts):
        raise Timeout()
    witness = tuple((v.key, v.order) for v in verdicts)
    return Result(True, "linearizable", witness,
                  "linearization of each key: " + "; ".join(
                      f"key {k!r}: {_ops(o)}" for k, o in witness) or "no operations",
                  datatype.name)


def _ops(order) -> str:
    return ", ".join(f"op {i}" for i in order) if order else "no operations"
