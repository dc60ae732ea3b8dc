"""Strict JSON for input files (OTLP traces, saved results, ITF traces, histories).

Python's `json` reads more than JSON and fails in ways that are not syntax
errors: `NaN`, `Infinity` and `1e400` (a float overflowing to infinity) are
read as floats, an integer of more than 4,300 digits raises a ValueError
(Python's integer-to-string limit), and arrays nested 100,000 deep raise
RecursionError.  `loads` turns each into a `JsonTextError` whose message is
``path:line:col: what`` (``path: what`` for the nesting), so a file Stateline
cannot read is always an SL701 diagnostic naming it.
"""

from __future__ import annotations

import json
import math
import re
import sys

# Strings are skipped so that a number-like text inside one is not mistaken for a token.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(-?(?:Infinity|NaN|\d[\d.eE+-]*))')


class JsonTextError(Exception):
    """A file that is not strict, readable JSON: ``path:line:col: why`` (``path: why``
    without a position).  `syntax` is the decoder's error when the text is not JSON."""

    def __init__(self, path: str, why: str, line: int | None = None, col: int | None = None,
                 syntax: json.JSONDecodeError | None = None):
        self.path, self.why, self.line, self.col, self.syntax = path, why, line, col, syntax
        super().__init__(f"{path}:{line}:{col}: {why}" if line is not None else f"{path}: {why}")


class _Refused(ValueError):
    def __init__(self, token: str, why: str):
        super().__init__(why)
        self.token, self.why = token, why


def _constant(token: str):
    raise _Refused(token, f"{token} is not a JSON number")


def _float(token: str) -> float:
    x = float(token)
    if not math.isfinite(x):
        raise _Refused(token, f"the number {_short(token)} is too large for a 64-bit float")
    return x


def _int(token: str) -> int:
    digits = len(token.lstrip("-"))
    if digits > sys.get_int_max_str_digits() > 0:
        raise _Refused(token, f"an integer of {digits:,} digits (at most "
                              f"{sys.get_int_max_str_digits():,} are read)")
    return int(token)


def _short(token: str) -> str:
    return token if len(token) <= 24 else token[:20] + "..."


def _where(text: str, token: str) -> tuple[int, int]:
    """Line and column of the first `token` outside strings (1, 1 if not found)."""
    for m in _TOKEN.finditer(text):
        if m.group(1) == token:
            line = text.count("\n", 0, m.start(1)) + 1
            return line, m.start(1) - (text.rfind("\n", 0, m.start(1)) + 1) + 1
    return 1, 1


def loads(text: str, path: str, line: int = 1, **hooks):
    """The JSON value of `text` (the contents of `path`, from its line `line`);
    JsonTextError when it is not strict JSON that Python can hold.  `hooks` go to
    `json.loads` (object_pairs_hook)."""
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_float,
                          parse_int=_int, **hooks)
    except _Refused as exc:
        at, col = _where(text, exc.token)
        raise JsonTextError(path, exc.why, at + line - 1, col) from None
    except json.JSONDecodeError as exc:
        raise JsonTextError(path, f"invalid JSON: {exc.msg}", exc.lineno + line - 1, exc.colno,
                            exc) from None
    except RecursionError:
        raise JsonTextError(path, "arrays and objects are nested too deeply to read") from None
