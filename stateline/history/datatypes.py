"""The data types a history is checked against (``--model``): sequential specifications.

Each data type says which operations (``f``) it has, what each carries, and how one
operation changes its state: ``step(state, op) -> (ok, new_state)``, where ``ok`` says
whether the operation, with the outcome the history records, is legal in ``state``.
States are hashable (the linearizability search memoises on them).

How the outcome of an operation is treated (the Jepsen convention):

- ``ok``: it happened, and returned what the history says; it must be placed;
- ``fail``: it definitely did not happen and is left out, except a failed
  compare-and-set: it failed *because* the value was not the expected one at the moment
  it was judged, so it is placed like a read that saw something else;
- ``info`` (or still pending at the end): it may have happened, at any time after its
  invoke, or never; the checker chooses (it is *optional*).  An indeterminate operation
  that only observes (a read, a get, a set's read) constrains nothing and is left out.

``register``
    read, write.  A read returns the value of the last write (or the initial value).
``cas-register``
    read, write, cas: ``cas`` carries ``[expected, new]`` and sets the value to ``new``
    if it is ``expected``; an ``ok`` cas found ``expected``, a ``fail``\\ ed one found
    something else.
``kv``
    get, put, append on keys (every operation names its ``key``): one value per key, a
    get returns it (the initial value if the key was never written; with the initial
    value null, a get of a key never written may return null, ``""`` or ``[]``, as
    stores and Porcupine's tests do), a put replaces it,
    an append adds to it: a string to a string (a missing key counts as ``""``), any
    other value as the last element of a list (a missing key counts as ``[]``).  Checked
    key by key: a history is linearizable if and only if each key's sub-history is
    (linearizability is local, Herlihy and Wing 1990).
``set``
    add, read of a grow-only set: a read returns the whole set (as a list, in any
    order, duplicates ignored).
``queue``
    enqueue, dequeue of a FIFO queue: a dequeue returns the oldest element, or null
    when the queue is empty.
"""

from __future__ import annotations

import bisect
import dataclasses

MUST, OPTIONAL, DROP = "must", "optional", "drop"


class Illegal:
    """The value of an operation that a data type does not allow (an append of a string
    to a list)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ILLEGAL"


ILLEGAL = Illegal()


class DataType:
    """A sequential specification; the subclasses below are the ones `--model` names."""

    name = ""
    functions: tuple[str, ...] = ()
    results: tuple[str, ...] = ()     # operations whose value is what they returned
    observers: tuple[str, ...] = ()   # operations that change nothing
    keyed = False                     # every operation names a key (checked per key)
    # Lazy: optional operations are needed only right before an operation that is illegal
    # without them.  True when every operation that must be placed either changes
    # nothing (then a chain of optional operations before it, if it is legal without
    # them, can move after it), overwrites the state (the chain can go), or commutes
    # with every optional operation.
    lazy = False

    def initial_state(self, initial):
        return initial

    def role(self, op) -> str:
        """MUST, OPTIONAL or DROP for the operation `op` with its outcome."""
        if op.status == "ok":
            return MUST
        if op.status == "fail" or op.f in self.observers:
            return DROP
        return OPTIONAL

    def step(self, state, op):
        raise NotImplementedError(f"{type(self).__name__} has no step")

    def observes(self, op) -> bool:
        """Does `op` (with its outcome) leave every state where it is legal unchanged?"""
        return op.f in self.observers

    def observed(self, musts, optional=(), initial=None):
        """What the operations that must be placed observe, for `useless` (None: the
        data type does not leave optional operations out this way); `optional` are the
        other operations that are not dropped, `initial` the initial value."""
        return None

    def useless(self, optional, observed) -> bool:
        """Can the optional operation be left out of every linearization, given what is
        `observed`?  (Only asked when `observed` is not None.)"""
        return False

    def blur(self, op, observed):
        """`op`, or an operation that stands for it with a value that stands for every
        value nothing observes (so that states differing only in those are one)."""
        return op

    def enables(self, optional, op, state=None) -> bool:
        """Can the optional operation `optional`, alone or with other optional operations
        right before `op` (which must be placed), be what `op` needs?  False only when
        no such chain can make `op` legal where it was not, or change what follows
        (the search then does not place `optional` unless some operation that must be
        placed, and that it enables, can go next).  `state` is the state `optional`
        leaves, when the caller knows it (None: unknown).  True by default."""
        return True

    def invoke_value(self, f: str, value) -> str | None:
        """What is wrong with the value on the invoke of `f` (None if nothing)."""
        if f in self.results and value is not None:
            return (f"a {f}'s invoke carries no value (got {value!r}); the value "
                    f"{'read' if f in ('read', 'get') else 'returned'} goes on its ok")
        return None

    def effect(self, op) -> str:
        """What the operation does, as a verb phrase: ``read 2``, ``write 1``."""
        return f"{op.f} {op.value!r}"

    def label(self, op) -> str:
        """The operation for people: ``read -> 2``, ``write 1``, ``cas 1 -> 2``."""
        if op.f in self.results:
            return f"{op.f} -> {op.value!r}" if op.status == "ok" else op.f
        return f"{op.f} {op.value!r}"


class Register(DataType):
    name = "register"
    lazy = True
    functions = ("read", "write")
    results = observers = ("read",)

    def step(self, state, op):
        if op.f == "write":
            return True, op.value
        return state == op.value, state

    def observed(self, musts, optional=(), initial=None):
        return {op.value for op in musts if op.f == "read"}

    def useless(self, optional, observed) -> bool:
        # A write whose value no read returns: in a linearization, no read follows it
        # before the next write, so leaving it out changes nothing.
        return optional.value not in observed

    def enables(self, optional, op, state=None) -> bool:
        # of writes right before a read only the last counts, and it writes what is read;
        # a write right before a write is overwritten
        return op.f == "read" and op.value == optional.value


class CasRegister(DataType):
    name = "cas-register"
    lazy = True
    functions = ("read", "write", "cas")
    results = observers = ("read",)

    def role(self, op) -> str:
        if op.f == "cas" and op.status == "fail":
            return MUST                 # it saw a value other than the expected one
        return super().role(op)

    def step(self, state, op):
        f = op.f
        if f == "read":
            return state == op.value, state
        if f == "write":
            return True, op.value
        expected, new = op.value
        if op.status == "ok":
            return state == expected, new
        if op.status == "fail":
            return state != expected, state
        return True, new if state == expected else state        # indeterminate

    def observes(self, op) -> bool:
        return op.f == "read" or op.f == "cas" and op.status == "fail"

    def invoke_value(self, f: str, value) -> str | None:
        if f == "cas" and not (isinstance(value, tuple) and len(value) == 2):
            return f"a cas carries [expected, new], not {value!r}"
        return super().invoke_value(f, value)

    def effect(self, op) -> str:
        if op.f == "cas":
            expected, new = op.value
            if op.status == "fail":
                return f"find a value other than {expected!r}"
            return f"change {expected!r} to {new!r}"
        return super().effect(op)

    def label(self, op) -> str:
        if op.f == "cas":
            return f"cas {op.value[0]!r} -> {op.value[1]!r}"
        return super().label(op)


class Kv(DataType):
    """One key's value; `keyed`: the checker splits a history by key first."""

    name = "kv"
    functions = ("get", "put", "append")
    results = observers = ("get",)
    keyed = True

    def step(self, state, op):
        f = op.f
        if f == "get":
            got = op.value
            return state == got or (state is None and got in ("", ())), state
        if f == "put":
            return True, op.value
        new = appended(state, op.value)
        return new is not ILLEGAL, new

    def effect(self, op) -> str:
        return "get " + repr(op.value) if op.f == "get" else super().effect(op)

    def observed(self, musts, optional=(), initial=None):
        # What the gets return: their strings (joined: a substring of one is one of the
        # whole), the elements of their lists, and the gets themselves; and whether the
        # value is always a string (or missing), whatever the order.
        gets = [op.value for op in musts if op.f == "get"]
        elements = {x for g in gets if isinstance(g, tuple) for x in g}
        strings = sorted({g for g in gets if isinstance(g, str)})
        textual = isinstance(initial, (str, type(None))) and all(
            isinstance(op.value, str) for ops in (musts, optional) for op in ops
            if op.f != "get")
        return "\0".join(strings), elements, strings, textual

    def useless(self, optional, observed) -> bool:
        # An append of a value no get contains: every get after it, up to the next put,
        # would contain it, so none is there, and leaving it out changes no get's result
        # and makes no later append illegal (it only shortens the string or the list).
        # Likewise a put of a string no get starts with, when every value is a string
        # (leaving it out then cannot make the appends after it meet a list).
        text, elements, strings, textual = observed
        v = optional.value
        if optional.f == "put":         # (the first string not before v starts with it)
            i = bisect.bisect_left(strings, v) if textual else 0
            return textual and not (i < len(strings) and strings[i].startswith(v))
        return v not in text if isinstance(v, str) else v not in elements

    def enables(self, optional, op, state=None) -> bool:
        # A put leaves the same state whatever came before it.  The value a get returns
        # after a chain of puts and appends starts with the chain's last put and
        # contains every append after it; a put in the chain absorbs what is before it,
        # so it is first, and the state `optional` leaves is a prefix of what is read.
        if op.f == "put":
            return False
        if op.f != "get":
            return True
        v, got = optional.value, op.value
        if isinstance(state, (str, tuple)) and not (
                type(got) is type(state) and got[:len(state)] == state):
            return False
        if optional.f == "append":
            if isinstance(got, str):
                return isinstance(v, str) and v in got
            return isinstance(got, tuple) and v in got
        if isinstance(got, (str, tuple)) and type(v) is type(got):
            return got[:len(v)] == v
        return got == v


def appended(state, value):
    """`state` with `value` appended: strings concatenate, anything else is added to a
    list (a tuple); ILLEGAL when a string meets a list."""
    if isinstance(value, str):
        if state is None:
            return value
        return state + value if isinstance(state, str) else ILLEGAL
    if state is None:
        return (value,)
    return state + (value,) if isinstance(state, tuple) else ILLEGAL


class GrowSet(DataType):
    name = "set"
    lazy = True
    functions = ("add", "read")
    results = observers = ("read",)

    def initial_state(self, initial):
        return frozenset(initial) if isinstance(initial, (tuple, frozenset)) else frozenset()

    def step(self, state, op):
        if op.f == "add":
            return True, state | {op.value}
        return state == op.value, state

    def effect(self, op) -> str:
        if op.f == "read":
            return "read " + show_set(op.value)
        return f"add {op.value!r}"

    def observed(self, musts, optional=(), initial=None):
        return {x for op in musts if op.f == "read" for x in op.value}

    def useless(self, optional, observed) -> bool:
        return optional.value not in observed       # an add nobody read can only hurt

    def enables(self, optional, op, state=None) -> bool:
        # adds commute; before a read, every one added must be in what it read
        return op.f == "read" and optional.value in op.value

    def label(self, op) -> str:
        if op.f == "read" and op.status == "ok":
            return "read -> " + show_set(op.value)
        return super().label(op)


def show_set(value) -> str:
    return "{" + ", ".join(sorted(map(repr, value))) + "}"


class Queue(DataType):
    name = "queue"
    functions = ("enqueue", "dequeue")
    results = ("dequeue",)

    def initial_state(self, initial):
        return tuple(initial) if isinstance(initial, tuple) else ()

    def role(self, op) -> str:
        if op.status == "ok":
            return MUST
        if op.status == "fail":
            return DROP
        return OPTIONAL             # an indeterminate dequeue may have removed the head

    def step(self, state, op):
        if op.f == "enqueue":
            return True, state + (op.value,)
        if op.status != "ok":       # indeterminate: removed the head, if any
            return True, state[1:]
        if op.value is None:
            return not state, state
        return bool(state) and state[0] == op.value, state[1:]

    def observes(self, op) -> bool:
        return op.f == "dequeue" and op.status == "ok" and op.value is None

    def blur(self, op, observed):
        # An element no dequeue returns can only be taken by an indeterminate dequeue,
        # as any other such element can: which one it is changes nothing.
        if op.f == "enqueue" and op.value not in observed:
            return dataclasses.replace(op, value=UNSEEN)
        return op

    def observed(self, musts, optional=(), initial=None):
        return {op.value for op in musts if op.f == "dequeue"}

    def useless(self, optional, observed) -> bool:
        # An enqueue of a value no dequeue returned: leaving it out (with the
        # indeterminate dequeue that may have removed it) changes no dequeue's result.
        return optional.f == "enqueue" and optional.value not in observed

    def enables(self, optional, op, state=None) -> bool:
        # an indeterminate dequeue right before an enqueue commutes with it (or, on an
        # empty queue, does nothing)
        return not (optional.f == "dequeue" and op.f == "enqueue")

    def effect(self, op) -> str:
        if op.f == "dequeue":
            return "dequeue " + ("from an empty queue" if op.value is None
                                 else repr(op.value))
        return super().effect(op)


class Unseen:
    """The value of every element of a queue that no dequeue returns (`Queue.blur`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSEEN"


UNSEEN = Unseen()
DATATYPES = {t.name: t for t in (Register(), CasRegister(), Kv(), GrowSet(), Queue())}
REGISTER = DATATYPES["register"]


def result_value(datatype: DataType, f: str, value):
    """The value an ok completion of `f` returns, as the data type compares it (a set's
    read as a frozenset)."""
    if isinstance(datatype, GrowSet) and f == "read" and isinstance(value, tuple):
        return frozenset(value)
    return value
