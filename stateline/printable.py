"""Text from outside (span names in a trace file, values in a history, file names)
made safe to print on a terminal and to put into XML, SVG and HTML.

A terminal obeys the escape sequences in what it prints (retitle the window, clear
the screen, rewrite what was printed with a carriage return), and XML 1.0 forbids
most control characters.  `printable` replaces each character that is not safe by
one visible character, so a table's columns and a diagnostic's caret still line
up: a C0 control or DEL by its Unicode control picture (ESC is shown as U+241B),
and a C1 control, a bidirectional-override character, a lone surrogate or a
noncharacter by U+FFFD.  Tab and newline are kept only where `keep` says so.

`json_safe` does the same to a JSON text without losing anything: json.dumps
already writes C0 controls as escapes; the other unsafe characters can only occur
inside strings, where `\\uXXXX` means the same character.
"""

from __future__ import annotations

import functools

_REPLACEMENT = "\ufffd"
_C0 = {c: chr(0x2400 + c) for c in range(0x20)}
_DEL = {0x7F: "\u2421"}
_OTHERS = [*range(0x80, 0xA0),                                  # C1 controls
           0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),       # bidirectional controls
           *range(0x2066, 0x206A),
           *range(0xD800, 0xE000),                               # surrogates
           0xFFFE, 0xFFFF]


@functools.lru_cache(maxsize=8)
def _table(keep: str) -> dict[int, str]:
    table = {**_C0, **_DEL, **{c: _REPLACEMENT for c in _OTHERS}}
    for c in keep:
        table.pop(ord(c), None)
    return table


def printable(text: str, keep: str = "") -> str:
    """`text` with every control, bidirectional-override and non-character replaced by
    a visible character (the characters in `keep`, such as "\\n", stay)."""
    return text.translate(_table(keep))


_JSON_TABLE = {c: f"\\u{c:04x}" for c in [*_OTHERS, 0x7F, 0x2028, 0x2029]}


def json_safe(text: str) -> str:
    """A JSON text (from json.dumps) with the characters a terminal or a UTF-8 encoder
    cannot take written as \\u escapes: the same JSON value."""
    return text.translate(_JSON_TABLE)
