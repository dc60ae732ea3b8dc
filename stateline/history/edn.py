"""Jepsen's histories in EDN, read with the `edn_format` library.

Two shapes, both as Jepsen and Porcupine write them:

- a ``history.edn``: operation maps, one per line (Jepsen 0.2 and later), or a vector
  or list of them (Knossos' test data, older Jepsen), a map possibly tagged
  ``#jepsen.history.Op{...}``;
- Porcupine's key-value test data (``test_data/kv/*.txt``): the same maps, one per line,
  with a ``:key``.

An operation map has ``:process`` (an integer; ``:nemesis`` events are skipped),
``:type`` (``:invoke``, ``:ok``, ``:fail``, ``:info``), ``:f`` (a keyword: ``:read``,
``:write``, ``:cas``, ...), ``:value`` (``nil``, a number, a string, a keyword, a
vector, a list or a set) and, for a keyed store, ``:key``.  Every other key (``:time``,
``:index``, ``:error``, and whatever a test adds) is ignored.  Keywords become their
names (``:timed-out`` is ``"timed-out"``), vectors and lists tuples, sets frozensets.

Each form is parsed on its own (a line, or the lines of a map written over several), so
that an error names its line; `edn_format`'s grammar and lexer are built once and
reused, which is several times faster than parsing the whole file as one form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import edn_format
from edn_format import EDNDecodeError, Keyword, Symbol

FIELDS = ("process", "type", "f", "value", "key")


class EdnError(ValueError):
    def __init__(self, message: str, line: int, col: int | None = None):
        self.message, self.line, self.col = message, line, col
        super().__init__(message)


@dataclass(frozen=True)
class Record:
    """One event of a history file, with the line it is on."""

    line: int
    process: object
    type: str
    f: str
    value: object
    key: object
    keyed: bool             # the event named a key


def _tagged(value):
    return value


edn_format.add_tag("jepsen.history.Op", _tagged)


@lru_cache(maxsize=1)
def _parser():
    """edn_format's parser and lexer, built once (its `loads` builds both per call)."""
    try:
        import ply.lex
        import ply.yacc
        from edn_format import edn_lex, edn_parse
        parser = ply.yacc.yacc(module=edn_parse, debug=False, write_tables=False,
                               errorlog=ply.yacc.NullLogger())
        lexer = ply.lex.lex(module=edn_lex, reflags=re.UNICODE,
                            errorlog=ply.lex.NullLogger())
    except Exception:          # another edn_format layout: its own loads_all is slower
        return None
    return parser, lexer


def parse(text: str) -> list:
    """The forms of `text`; EDNDecodeError (or NotImplementedError for an unknown tag)
    if it is not EDN."""
    built = _parser()
    if built is None:
        return list(edn_format.loads_all(text))
    parser, lexer = built
    return list(parser.parse(text, lexer=lexer))


def forms(text: str) -> list[tuple[int, object]]:
    """(line, form) for every top-level form; a vector or list around the whole file is
    taken off first, so that its elements keep their lines."""
    stripped = text.strip()
    if stripped[:1] in "[(" and stripped[-1:] in "])":
        start = text.index(stripped[0])
        end = text.rindex(stripped[-1])
        text = text[:start] + " " + text[start + 1:end] + " " + text[end + 1:]
    out: list[tuple[int, object]] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].strip() or lines[i].lstrip().startswith(";"):
            i += 1
            continue
        start, chunk = i, lines[i]
        while True:
            try:
                parsed = parse(chunk)
                break
            except EDNDecodeError as exc:
                if str(exc) == "EOF Reached" and i + 1 < len(lines):
                    i += 1                      # a form written over several lines
                    chunk += "\n" + lines[i]
                    continue
                raise _located(exc, chunk, start) from None
            except NotImplementedError as exc:
                tag = re.search(r"ImmutableDict\((.*)\)$", str(exc))
                raise EdnError(f"unknown EDN tag #{tag.group(1) if tag else '?'}",
                               start + 1) from None
        out.extend((start + 1, form) for form in parsed)
        i += 1
    return out


def _located(exc: EDNDecodeError, chunk: str, start: int) -> EdnError:
    """A parse error with its line and column in the file."""
    message = str(exc)
    if message == "EOF Reached":
        return EdnError("not valid EDN: a map, vector or string is not closed", start + 1)
    pos = None
    m = re.match(r"LexToken\((\w+),'?(.*?)'?,\d+,(\d+)\)$", message)
    if m:
        pos, message = int(m.group(3)), f"unexpected {m.group(2) or m.group(1)!r}"
    m = re.match(r"Illegal character '(.)' with lexpos (\d+)", message)
    if m:
        pos, message = int(m.group(2)), f"unexpected character {m.group(1)!r}"
    if message == "Even number of terms required for map":
        message = "a map needs a value for every key"
    if pos is None:
        return EdnError(f"not valid EDN: {message}", start + 1)
    before = chunk[:pos]
    line = start + 1 + before.count("\n")
    col = pos - (before.rfind("\n") + 1) + 1
    return EdnError(f"not valid EDN: {message}", line, col)


def records(text: str) -> list[Record]:
    """The events of an EDN history (nemesis events and other processes' noise left
    out); EdnError naming the line of a malformed one."""
    out = []
    for line, form in forms(text):
        items = form if _sequence(form) else (form,)
        for item in items:
            record = _record(item, line)
            if record is not None:
                out.append(record)
    return out


def _record(form, line: int) -> Record | None:
    if not isinstance(form, Mapping):
        raise EdnError(f"expected an operation map {{:type ..., :f ..., :process ...}}, "
                       f"got {_kind(form)}", line)
    fields = {k.name if isinstance(k, Keyword) else str(k): v for k, v in form.items()}
    if fields.get("process") == Keyword("nemesis"):
        return None
    for name in ("type", "f", "process"):
        if name not in fields:
            raise EdnError(f"missing :{name}", line)
    type_, f = fields["type"], fields["f"]
    if not isinstance(type_, Keyword) or type_.name not in ("invoke", "ok", "fail", "info"):
        raise EdnError(f":type must be :invoke, :ok, :fail or :info, not {_show(type_)}",
                       line)
    if not isinstance(f, Keyword):
        raise EdnError(f":f must be a keyword (:read, :write, :cas, ...), not {_show(f)}",
                       line)
    process = value(fields["process"], line, ":process")
    if isinstance(process, (float, Decimal, frozenset)) or process is None:
        raise EdnError(f":process must be an integer, not {_show(fields['process'])}", line)
    return Record(line, process, type_.name, f.name,
                  value(fields.get("value"), line, ":value"),
                  value(fields.get("key"), line, ":key"), "key" in fields)


def value(v, line: int, what: str):
    """An EDN value as a hashable Python value."""
    if isinstance(v, Keyword):
        return v.name
    if isinstance(v, Symbol):
        return str(v)
    if _sequence(v):
        return tuple(value(x, line, what) for x in v)
    if isinstance(v, frozenset):
        return frozenset(value(x, line, what) for x in v)
    if isinstance(v, Mapping):
        raise EdnError(f"{what} must not be a map", line)
    return v


def _sequence(v) -> bool:
    """An EDN vector or list (not a string)."""
    return isinstance(v, Sequence) and not isinstance(v, str)


def _kind(form) -> str:
    for kind, name in ((Keyword, "a keyword"), (bool, "a boolean"), (int, "a number"),
                       (float, "a number"), (str, "a string"), (tuple, "a list"),
                       (Sequence, "a vector"), (frozenset, "a set")):
        if isinstance(form, kind):
            return name
    return "nil" if form is None else type(form).__name__


def _show(v) -> str:
    if isinstance(v, Keyword):
        return f":{v.name}"
    return "nil" if v is None else repr(v)
