"""`Code`: a compiled expression, and `View`: where compiled code reads state."""

from __future__ import annotations

from .domains import Dom


class Code:
    """A Python expression (parenthesised), the `Dom` of its value, and the value
    itself when it is a compile-time constant."""

    __slots__ = ("src", "dom", "const", "value", "rng", "netbase", "interval", "run")

    def __init__(self, src: str, dom: Dom, const: bool = False, value=None, rng=None,
                 netbase: tuple[str, int] | None = None):
        self.src = src
        self.dom = dom
        self.const = const
        self.value = value
        self.rng = rng          # (lo, hi) known bounds of an int value
        self.netbase = netbase  # (net source, base): this is (net >> base) & full
        self.interval = None    # (lo source, hi source): this is the set lo..hi
        # The Python operators of equal precedence src is a parenthesised run of
        # (e.g. "+-" for "(a + b - c)"): a longer run extends it instead of nesting.
        self.run: str | None = None

    def __repr__(self):
        return f"Code({self.src!r}, {self.dom})"


class Unsupported(Exception):
    """This expression cannot be compiled in this context (e.g. state in a constant)."""


class View:
    """Where state variables are read from; subclasses set the slot names."""

    def slot(self, k: int, primed: bool = False) -> str:
        raise Unsupported("state is not available here")

    def dynamic(self, base: int, count: int, pos_src: str, primed: bool = False) -> str:
        raise Unsupported("state is not available here")


class NoState(View):
    """No state at all: compile-time evaluation of constants."""


def _lit(value) -> str | None:
    """A Python literal for small constants, None when a table entry is better."""
    if value is True or value is False:
        return repr(value)
    if type(value) is int:
        if value.bit_length() > 64:           # big masks live in a table, not in the source
            return None
        return repr(value) if value >= 0 else f"({value})"
    if type(value) is tuple and len(value) <= 12:
        parts = [_lit(x) for x in value]
        if all(p is not None for p in parts):
            return "(" + "".join(p + ", " for p in parts) + ")"
    return None
