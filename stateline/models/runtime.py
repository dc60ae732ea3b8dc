"""Helpers the generated model code calls (kept few: the hot paths are inline).

`ModelError` is raised by generated code when a spec does something undefined
at run time (a value outside its declared type, `none` used as a value, an
empty `choose`, division by zero, a sequence index out of range).  It carries
the index of the source site so the checker can report `file:line:col`.
"""

from __future__ import annotations

import itertools
import sys

from bisect import bisect_right
from itertools import compress


class ModelError(Exception):
    def __init__(self, site: int, message: str, code: str | None = None):
        super().__init__(message)
        self.site = site
        self.message = message
        self.code = code or ("SL601" if "outside" in message else "SL602")


class TooManySuccessors(Exception):
    """Raised by generated successor functions when the list of one state's
    successors grows past the model's cap (`Model.limit_successors`); carries the
    successors computed so far."""

    def __init__(self, partial: list):
        super().__init__(f"more than {len(partial) - 1:,} successors")
        self.partial = partial


# Masks up to this many bits are decoded bit by bit (fast for the small sets of the
# hot loop); longer ones through their binary string, in time linear in their length
# (clearing one bit of a big int copies it, so the bit loop is quadratic there).
SMALL_MASK = 512
_BITS = bytes.maketrans(b"01", b"\x00\x01")


def bit_positions(mask: int) -> list[int]:
    """The indices of the set bits of a non-negative int, in increasing order."""
    if mask.bit_length() <= SMALL_MASK:
        out = []
        while mask:
            low = mask & -mask
            out.append(low.bit_length() - 1)
            mask ^= low
        return out
    bits = bin(mask)[:1:-1].encode("ascii").translate(_BITS)   # bit i at position i
    return list(compress(range(len(bits)), bits))


def members(mask: int, table) -> list:
    """The elements of a bitmask set, in universe order."""
    if mask.bit_length() <= SMALL_MASK:
        out = []
        while mask:
            low = mask & -mask
            out.append(table[low.bit_length() - 1])
            mask ^= low
        return out
    return [table[i] for i in bit_positions(mask)]


def bit_items(mask: int, table) -> list:
    """(bit index, element) pairs of a bitmask set, in universe order."""
    return [(i, table[i]) for i in bit_positions(mask)]


def int_members(mask: int) -> list[int]:
    """The integers of a zigzag bitmask set (bit 2v for v >= 0, bit -2v-1 for v < 0),
    in increasing order."""
    if mask.bit_length() <= SMALL_MASK:
        neg, pos = [], []
        while mask:
            low = mask & -mask
            i = low.bit_length() - 1
            if i & 1:
                neg.append(-(i >> 1) - 1)
            else:
                pos.append(i >> 1)
            mask ^= low
        neg.reverse()
        return neg + pos
    bits = bin(mask)[:1:-1].encode("ascii").translate(_BITS)
    pos = list(compress(range(len(bits[0::2])), bits[0::2]))     # bit 2v: v
    neg = list(compress(range(-1, -len(bits[1::2]) - 1, -1), bits[1::2]))  # bit 2k+1: -k-1
    neg.reverse()
    return neg + pos


def int_bounds(mask: int) -> tuple[int, int]:
    """The least and greatest integer of a non-empty zigzag bitmask set, in time
    linear in its length (without listing its members)."""
    evens = _ones((mask.bit_length() + 1) // 2)
    pos, neg = mask & evens, mask & (evens << 1)
    lo = -(neg.bit_length() >> 1) if neg else (pos & -pos).bit_length() // 2
    hi = (pos.bit_length() - 1) >> 1 if pos else -((neg & -neg).bit_length() >> 1)
    return lo, hi


def _ones(k: int) -> int:
    """k one bits at every other position: 0b0101...01 (bits 0, 2, ..., 2k-2)."""
    if k <= 0:
        return 0
    return int.from_bytes(b"\x55" * ((2 * k + 7) // 8), "little") & ((1 << (2 * k)) - 1)


def int_range(lo: int, hi: int) -> int:
    """The zigzag bitmask of lo..hi (computed in time linear in its length)."""
    m = 0
    if hi >= 0 and hi >= lo:            # v in max(lo, 0)..hi: bits 2v
        a = max(lo, 0)
        m |= _ones(hi - a + 1) << 2 * a
    if lo < 0 and hi >= lo:             # v in lo..min(hi, -1): bits -2v-1
        b = min(hi, -1)
        m |= _ones(b - lo + 1) << (-2 * b - 1)
    return m


def zz(v: int) -> int:
    return 2 * v if v >= 0 else -2 * v - 1


def or_bits(indices) -> int:
    m = 0
    for i in indices:
        m |= 1 << i
    return m


def or_masks(masks) -> int:
    m = 0
    for x in masks:
        m |= x
    return m


SUBSETS_LIMIT = 20     # subsets() of a larger set is refused (2**20 subsets)


def submasks(mask: int, site: int = -1) -> list[int]:
    """Every subset of a bitmask, in increasing numeric order."""
    n = mask.bit_count()
    if n > SUBSETS_LIMIT:
        raise ModelError(site, f"subsets() of a set of {n} elements would have {2 ** n:,} "
                               f"elements; at most {SUBSETS_LIMIT} elements are supported")
    out = []
    sub = mask
    while True:
        out.append(sub)
        if sub == 0:
            break
        sub = (sub - 1) & mask
    out.reverse()
    return out


def subsets_mask(mask: int, site: int = -1) -> int:
    """subsets(S) for S a bitmask: a bitmask over the universe of masks."""
    m = 0
    for sub in submasks(mask, site):
        m |= 1 << sub
    return m


REC_DEPTH = 1000            # calls of a recursive definition nested deeper are an error
_REC_STACK = 40 * REC_DEPTH  # Python frames allowed for them (several per level)


def rec_call(fn, depth: int, site: int, name: str, *args):
    """Call recursive definition `fn` at nesting `depth` (1 for the outermost call)."""
    if depth > REC_DEPTH:
        raise ModelError(site, f"recursion of '{name}' deeper than {REC_DEPTH:,} "
                               f"(does it terminate?)")
    if depth == 1:
        # Room for the nested calls only while they run: a raised limit left behind
        # would let other code (a value parser's "nested too deeply" guard, say) recurse
        # far deeper than it means to.
        old = sys.getrecursionlimit()
        if old < _REC_STACK:
            sys.setrecursionlimit(_REC_STACK)
            try:
                return fn(fn, depth, *args)
            finally:
                sys.setrecursionlimit(old)
    return fn(fn, depth, *args)


FUN_SET_LIMIT = 1 << 20     # [S -> T] with more maps than this is refused


def fun_set(nkeys: int, values, site: int = -1):
    """The maps of [S -> T] as tuples (one value per key), |T|**|S| of them."""
    values = tuple(values)
    count = len(values) ** nkeys
    if count > FUN_SET_LIMIT:
        raise ModelError(site, f"the function set has {len(values):,}^{nkeys} = {count:,} "
                               f"maps; at most {FUN_SET_LIMIT:,} are enumerated")
    return itertools.product(values, repeat=nkeys)


def subsets_frozen(s, key, site: int = -1) -> frozenset:
    items = sorted(s, key=key)
    out = []
    n = len(items)
    if n > SUBSETS_LIMIT:
        raise ModelError(site, f"subsets() of a set of {n} elements would have {2 ** n:,} "
                               f"elements; at most {SUBSETS_LIMIT} elements are supported")
    for bits in range(1 << n):
        out.append(frozenset(items[i] for i in range(n) if bits >> i & 1))
    return frozenset(out)


def fail(site: int, message: str):
    raise ModelError(site, message)


def assert_failed(site: int, message: str):
    """A false `assert cond, "message"` (SL603)."""
    raise ModelError(site, f"assertion failed: {message}", "SL603")


def unwrap(v, site: int):
    if v == ():
        raise ModelError(site, "none used where a value is required")
    return v


def floordiv(a: int, b: int, site: int) -> int:
    if b == 0:
        raise ModelError(site, "division by zero")
    return a // b


def mod(a: int, b: int, site: int) -> int:
    if b == 0:
        raise ModelError(site, "modulo by zero")
    return a % b


def show_int(v: int) -> str:
    """An integer in a message: its digits, unless too many to write out."""
    if v.bit_length() <= 10_000:                 # about 3,000 digits
        return str(v)
    return f"{'-' if v < 0 else ''}(an integer of about {int(v.bit_length() * 0.30103):,} digits)"


def int_in(v: int, lo: int, hi: int, site: int, what: str) -> int:
    if not lo <= v <= hi:
        raise ModelError(site, f"{what}: {show_int(v)} is outside {lo}..{hi}")
    return v


def mask_in(v: int, allowed: int, site: int, what: str) -> int:
    if v & ~allowed:
        raise ModelError(site, f"{what}: the set has elements outside its declared type")
    return v


def checked(v, dom, site: int, what: str):
    if not dom.contains(v):
        raise ModelError(site, f"{what}: the value is outside {dom.describe()}")
    return v


def seq_get(s: tuple, i: int, site: int):
    if not -len(s) <= i < len(s):
        raise ModelError(site, f"sequence index {show_int(i)} is out of range "
                               f"(length {len(s)})")
    return s[i]


def seq_set(s: tuple, i: int, v, site: int) -> tuple:
    if not -len(s) <= i < len(s):
        raise ModelError(site, f"sequence index {show_int(i)} is out of range "
                               f"(length {len(s)})")
    i %= len(s)
    return s[:i] + (v,) + s[i + 1:]


def seq_head(s: tuple, site: int):
    if not s:
        raise ModelError(site, "head() of an empty sequence")
    return s[0]


def seq_last(s: tuple, site: int):
    if not s:
        raise ModelError(site, "last() of an empty sequence")
    return s[-1]


def seq_tail(s: tuple, site: int) -> tuple:
    if not s:
        raise ModelError(site, "tail() of an empty sequence")
    return s[1:]


def tuple_set(t: tuple, i: int, v) -> tuple:
    return t[:i] + (v,) + t[i + 1:]


def set_min(s, site: int):
    if not s:
        raise ModelError(site, "min() of an empty set")
    return min(s)


def set_max(s, site: int):
    if not s:
        raise ModelError(site, "max() of an empty set")
    return max(s)


def choose(candidates, site: int):
    for c in candidates:
        return c
    raise ModelError(site, "choose: no element satisfies the condition")


def position(table: dict, v, site: int, what: str) -> int:
    try:
        return table[v]
    except KeyError:
        raise ModelError(site, f"{what}: not an instance") from None


def bag_add(bag: tuple, msg, key) -> tuple:
    """A bag is a tuple of messages sorted by their universe index (`key`); a new
    copy goes after the equal ones."""
    i = bisect_right(bag, key(msg), key=key)
    return bag[:i] + (msg,) + bag[i:]


def memoized(fn):
    """`fn` with its results remembered: a message's universe index is computed once
    (the messages of one model are finitely many)."""
    cache: dict = {}

    def cached(x):
        try:
            return cache[x]
        except KeyError:
            value = cache[x] = fn(x)
            return value
    return cached


def remove_at(seq: tuple, pos: int) -> tuple:
    return seq[:pos] + seq[pos + 1:]


def bag_distinct(bag: tuple) -> list:
    """(position of first occurrence, message) for each distinct message of a bag."""
    out = []
    prev = None
    for pos, m in enumerate(bag):
        if pos == 0 or m != prev:
            out.append((pos, m))
            prev = m
    return out


def fifo_send(channels: tuple, c: int, msg) -> tuple:
    return channels[:c] + (channels[c] + (msg,),) + channels[c + 1:]


def fifo_pop(channels: tuple, c: int) -> tuple:
    return channels[:c] + (channels[c][1:],) + channels[c + 1:]


def fifo_drop(channels: tuple, c: int, pos: int) -> tuple:
    q = channels[c]
    return channels[:c] + (q[:pos] + q[pos + 1:],) + channels[c + 1:]


def same_side(partition: int, a: int, b: int) -> bool:
    """Can node a reach node b?  (partition: the nodes of one side; 0 when whole;
    -1 stands for the environment, which reaches everyone.)"""
    return a < 0 or b < 0 or (partition >> a & 1) == (partition >> b & 1)


_EVENT_TYPES = ("invoke", "ok", "fail", "info")
_OPERATIONS = ("read", "write")


def history_events(h: tuple) -> tuple:
    """A recorded history (process, type, f, value-or-()) as stateline.history events."""
    return tuple((p, _EVENT_TYPES[t], _OPERATIONS[f], None if v == () else v)
                 for p, t, f, v in h)


def judge_history(check, h: tuple, site: int, doms) -> bool:
    """`check` (linearizable, ...) of a recorded history.  A history no client can have
    recorded (`record ok H.write()` with no pending invoke, ...) is the spec's run-time
    error at the check, named with the spec's values."""
    from ..history import HistoryError
    from ..history.model import pair
    try:
        return check(history_events(h))
    except HistoryError:
        named = tuple((doms[0].show(p), t, f, None if v is None else doms[3].show(v))
                      for (p, t, f, v) in history_events(h))
        try:
            pair(named)
            message = "the recorded history is malformed"
        except HistoryError as exc:
            message = f"the recorded history is malformed: {exc}"
        raise ModelError(site, message) from None

