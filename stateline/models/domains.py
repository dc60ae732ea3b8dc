"""Concrete finite types ("domains") of one instance, and how values are stored.

A static type says what a value is; a `Dom` says, for one instance with its
constants bound, which values exist, in which canonical order, and how they
are represented at run time.  Runtime values are plain hashable Python values
whose hashes do not depend on PYTHONHASHSEED:

===============  =================================================
bool             ``True`` / ``False``
int in lo..hi    the int itself
enum, model val  its index in the declaration (a small int)
option T?        ``()`` for none, otherwise the T value
record           tuple of field values
message          tuple ``(tag, field values...)``; tag = declaration index
tuple            tuple
set[T]           an int bitmask when T is an integer type (bit 2v for v >= 0,
                 bit -2v-1 for v < 0) or a small finite type (bit = index),
                 otherwise a frozenset
map[K, V]        tuple of values indexed by the key's universe index
seq[T, N]        tuple
===============  =================================================

`index(v)` numbers the values of a finite domain 0..size-1 in canonical
order; `values()` lists them; `bit(v)` is the bit of `v` in a bitmask set
(the index, except for integers, which use the zigzag order above so that
every integer has a bit whatever its range).
"""

from __future__ import annotations

import abc
import itertools
from dataclasses import dataclass, field

from .runtime import int_bounds, int_members, int_range, members

MASK_LIMIT = 4096          # sets over universes up to this size are bitmasks
ENUM_LIMIT = 1 << 20       # larger universes are never listed


class Dom(abc.ABC):
    """A finite (or, for plain `int`, unbounded) set of runtime values."""

    size: int | None = None  # number of values; None when unbounded

    @property
    def finite(self) -> bool:
        return self.size is not None

    @abc.abstractmethod
    def values(self) -> list:
        """Every value, in canonical order."""

    @abc.abstractmethod
    def index(self, v) -> int:
        """The position of `v` in `values()`."""

    def bit(self, v) -> int:
        return self.index(v)

    @abc.abstractmethod
    def contains(self, v) -> bool:
        """Is `v` a value of this domain?"""

    @abc.abstractmethod
    def show(self, v) -> str:
        """`v` in the spec's own syntax."""

    def __str__(self) -> str:
        return self.describe()

    @abc.abstractmethod
    def describe(self) -> str:
        """The domain as a type, e.g. `0..3` or `set[Acceptors]`."""


@dataclass(frozen=True)
class DBool(Dom):
    size: int = 2

    def values(self):
        return [False, True]

    def index(self, v):
        return 1 if v else 0

    def contains(self, v):
        return v is True or v is False

    def show(self, v):
        return "true" if v else "false"

    def describe(self):
        return "bool"


@dataclass(frozen=True)
class DInt(Dom):
    lo: int | None = None
    hi: int | None = None

    @property
    def size(self):
        if self.lo is None or self.hi is None:
            return None
        return max(0, self.hi - self.lo + 1)

    def values(self):
        return list(range(self.lo, self.hi + 1))

    def index(self, v):
        return v - self.lo

    def bit(self, v):
        return 2 * v if v >= 0 else -2 * v - 1

    def contains(self, v):
        return type(v) is int and (self.lo is None or v >= self.lo) and \
            (self.hi is None or v <= self.hi)

    def show(self, v):
        return str(v)

    def describe(self):
        if self.lo is None or self.hi is None:
            return "int"
        return f"{self.lo}..{self.hi}"


@dataclass(frozen=True)
class DAtom(Dom):
    sort: str
    names: tuple[str, ...]

    @property
    def size(self):
        return len(self.names)

    def values(self):
        return list(range(len(self.names)))

    def index(self, v):
        return v

    def contains(self, v):
        return type(v) is int and 0 <= v < len(self.names)

    def show(self, v):
        return self.names[v]

    def describe(self):
        return self.sort


def _product_size(doms) -> int | None:
    n = 1
    for d in doms:
        if d.size is None:
            return None
        n *= d.size
    return n


@dataclass(frozen=True)
class DOption(Dom):
    elem: Dom

    @property
    def size(self):
        return None if self.elem.size is None else self.elem.size + 1

    def values(self):
        return [()] + self.elem.values()

    def index(self, v):
        return 0 if v == () else 1 + self.elem.index(v)

    def contains(self, v):
        return v == () or self.elem.contains(v)

    def show(self, v):
        return "none" if v == () else self.elem.show(v)

    def describe(self):
        return f"{self.elem.describe()}?"


@dataclass(frozen=True)
class DRecord(Dom):
    """A record (tag None) or a message (tag = its index among message types)."""

    name: str
    fields: tuple[tuple[str, Dom], ...]
    tag: int | None = None
    strides: tuple[int, ...] = field(default=(), compare=False)

    def __post_init__(self):
        strides, s = [], 1
        for _, d in reversed(self.fields):
            strides.append(s)
            s *= d.size if d.size is not None else 0
        object.__setattr__(self, "strides", tuple(reversed(strides)))

    @property
    def offset(self) -> int:
        return 0 if self.tag is None else 1

    @property
    def size(self):
        return _product_size(d for _, d in self.fields)

    def values(self):
        head = () if self.tag is None else (self.tag,)
        return [head + combo for combo in
                itertools.product(*(d.values() for _, d in self.fields))]

    def index(self, v):
        off = self.offset
        return sum(d.index(v[off + i]) * st for i, ((_, d), st) in
                   enumerate(zip(self.fields, self.strides)))

    def contains(self, v):
        off = self.offset
        return type(v) is tuple and len(v) == off + len(self.fields) and \
            (self.tag is None or v[0] == self.tag) and \
            all(d.contains(v[off + i]) for i, (_, d) in enumerate(self.fields))

    def show(self, v):
        off = self.offset
        if not self.fields:
            return self.name
        inner = ", ".join(f"{n}={d.show(v[off + i])}" for i, (n, d) in enumerate(self.fields))
        return f"{self.name}({inner})"

    def describe(self):
        return self.name


@dataclass(frozen=True)
class DTuple(Dom):
    items: tuple[Dom, ...]

    @property
    def size(self):
        return _product_size(self.items)

    def values(self):
        return list(itertools.product(*(d.values() for d in self.items)))

    def index(self, v):
        n = 0
        for d, x in zip(self.items, v):
            n = n * d.size + d.index(x)
        return n

    def contains(self, v):
        return type(v) is tuple and len(v) == len(self.items) and \
            all(d.contains(x) for d, x in zip(self.items, v))

    def show(self, v):
        inner = ", ".join(d.show(x) for d, x in zip(self.items, v))
        return f"({inner}{',' if len(v) == 1 else ''})"

    def describe(self):
        return "(" + ", ".join(d.describe() for d in self.items) + ")"


def has_int(d: Dom) -> bool:
    if isinstance(d, DInt):
        return True
    if isinstance(d, (DOption, DSet, DSeq)):
        return has_int(d.elem)
    if isinstance(d, DTuple):
        return any(has_int(x) for x in d.items)
    if isinstance(d, DMap):
        return True
    return False


def maskable(d: Dom) -> bool:
    """Can sets of `d` be bitmasks?  The choice depends only on the static
    type (records and messages have declared, fixed universes; integers use
    the zigzag bit), so two sets of the same type always share a representation."""
    if isinstance(d, (DBool, DAtom, DInt)):
        return True
    if isinstance(d, (DRecord, DMsg)):
        return d.size is not None and d.size <= MASK_LIMIT
    if has_int(d):
        return False
    return d.size is not None and d.size <= MASK_LIMIT


@dataclass(frozen=True)
class DSet(Dom):
    elem: Dom

    @property
    def mask(self) -> bool:
        return maskable(self.elem)

    @property
    def ints(self) -> bool:
        return isinstance(self.elem, DInt)

    @property
    def size(self):
        if self.elem.size is None or self.elem.size > 24:
            return None
        return 1 << self.elem.size

    def values(self):
        elems = self.elem.values()
        out = []
        for bits in range(1 << len(elems)):
            if self.mask:
                out.append(sum(1 << self.elem.bit(x) for i, x in enumerate(elems)
                               if bits >> i & 1))
            else:
                out.append(frozenset(x for i, x in enumerate(elems) if bits >> i & 1))
        return sorted(out, key=sort_key) if not self.mask else sorted(out)

    def index(self, v):
        if self.mask and not has_int(self.elem):
            return v
        return self.values().index(v)

    def contains(self, v):
        if self.mask:
            if type(v) is not int or v < 0:
                return False
            if not isinstance(self.elem, DInt):      # bits 0..size-1 are the universe
                return v >> self.elem.size == 0
            if self.elem.lo is None or self.elem.hi is None:
                return True
            return v & ~int_range(self.elem.lo, self.elem.hi) == 0
        return type(v) is frozenset and all(self.elem.contains(x) for x in v)

    def count(self, v) -> int:
        """The number of elements of a set value (without listing them)."""
        return v.bit_count() if self.mask else len(v)

    def bounds(self, v) -> tuple[int, int] | None:
        """(least, greatest) element of a non-empty set of integers, else None."""
        if not self.ints or not v:
            return None
        if self.mask:
            return int_bounds(v)
        return min(v), max(v)

    def members(self, v) -> list:
        """The elements of a set value, in canonical order."""
        if self.mask:
            if isinstance(self.elem, DInt):
                return int_members(v)
            return members(v, self.elem.values())
        return sorted(v, key=sort_key)

    def show(self, v):
        items = self.members(v)
        if self.ints and len(items) >= 2 and items == list(range(items[0], items[-1] + 1)):
            return f"{items[0]}..{items[-1]}"
        return "{" + ", ".join(self.elem.show(x) for x in items) + "}"

    def describe(self):
        return f"set[{self.elem.describe()}]"


@dataclass(frozen=True)
class DMap(Dom):
    key: Dom
    value: Dom

    @property
    def size(self):
        if self.key.size is None or self.value.size is None:
            return None
        return self.value.size ** self.key.size

    def values(self):
        return list(itertools.product(self.value.values(), repeat=self.key.size))

    def index(self, v):
        n = 0
        for x in v:
            n = n * self.value.size + self.value.index(x)
        return n

    def contains(self, v):
        return type(v) is tuple and len(v) == self.key.size and \
            all(self.value.contains(x) for x in v)

    def show(self, v):
        keys = self.key.values()
        return "{" + ", ".join(f"{self.key.show(k)}: {self.value.show(x)}"
                               for k, x in zip(keys, v)) + "}"

    def describe(self):
        return f"map[{self.key.describe()}, {self.value.describe()}]"


@dataclass(frozen=True)
class DSeq(Dom):
    elem: Dom
    maxlen: int | None = None

    @property
    def size(self):
        if self.maxlen is None or self.elem.size is None:
            return None
        return sum(self.elem.size ** n for n in range(self.maxlen + 1))

    def values(self):
        out = []
        for n in range(self.maxlen + 1):
            out.extend(itertools.product(self.elem.values(), repeat=n))
        return out

    def index(self, v):
        base = sum(self.elem.size ** n for n in range(len(v)))
        n = 0
        for x in v:
            n = n * self.elem.size + self.elem.index(x)
        return base + n

    def contains(self, v):
        return type(v) is tuple and (self.maxlen is None or len(v) <= self.maxlen) and \
            all(self.elem.contains(x) for x in v)

    def show(self, v):
        return "[" + ", ".join(self.elem.show(x) for x in v) + "]"

    def describe(self):
        return f"seq[{self.elem.describe()}, {self.maxlen}]"


@dataclass(frozen=True)
class DMsg(Dom):
    """The union of all message types: what a network holds."""

    records: tuple[DRecord, ...]
    bases: tuple[int, ...] = field(default=(), compare=False)

    def __post_init__(self):
        bases, b = [], 0
        for r in self.records:
            bases.append(b)
            b += r.size if r.size is not None else 0
        object.__setattr__(self, "bases", tuple(bases))

    @property
    def size(self):
        if any(r.size is None for r in self.records):
            return None
        return sum(r.size for r in self.records)

    def values(self):
        out = []
        for r in self.records:
            out.extend(r.values())
        return out

    def index(self, v):
        return self.bases[v[0]] + self.records[v[0]].index(v)

    def contains(self, v):
        return type(v) is tuple and v and isinstance(v[0], int) and \
            0 <= v[0] < len(self.records) and self.records[v[0]].contains(v)

    def show(self, v):
        return self.records[v[0]].show(v)

    def describe(self):
        return "message"


def sort_key(v):
    """A total order on runtime values (used only for frozensets and printing)."""
    if isinstance(v, bool):
        return (0, int(v))
    if isinstance(v, int):
        return (1, v)
    if isinstance(v, tuple):
        return (2, len(v), tuple(sort_key(x) for x in v))
    if isinstance(v, frozenset):
        return (3, len(v), tuple(sorted(sort_key(x) for x in v)))
    return (4, repr(v))


def dom_rng(dom: Dom):
    """Known bounds of an int value (or of the elements of a set of ints)."""
    if isinstance(dom, DSet):
        dom = dom.elem
    return (dom.lo, dom.hi) if isinstance(dom, DInt) and dom.lo is not None else None
