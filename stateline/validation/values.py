"""Observed values: span attributes and value text turned into a model's runtime values.

A span says `stateline.var.state = "committed"`, `stateline.param.q = "{a1, a2}"`
or `stateline.received = "Vote(tx=3, rm=2, yes=true)"`; the validator compares
those with the runtime values of the compiled model (`models.domains`).  Two
steps:

* `from_attribute(v)` and `parse(text)` read an OTLP attribute value (str, int,
  bool, float, list, dict) or value text in the spec's own syntax -- the syntax
  `Dom.show` writes, so Stateline's own traces read back exactly -- into a small
  tree: ("int", n), ("bool", b), ("name", s), ("none",), ("rec", name, [(field
  or None, tree)]), ("set", [...]), ("map", [(key, value)]), ("seq", [...]),
  ("tup", [...]), ("range", lo, hi), ("list", [...]) for an OTLP array and
  ("dict", [(str, tree)]) for an OTLP key-value list;
* `decode(dom, tree)` checks the tree against the domain and builds the runtime
  value, or raises `ValueError` saying what was expected.

Only literal values are read: no operators, no names of constants.
"""

from __future__ import annotations

import re

from ..models.domains import (DAtom, DBool, DInt, DMap, DMsg, DOption, DRecord, DSeq, DSet,
                              DTuple, Dom)

_TOKEN = re.compile(r"\s*(?:(-?\d+)|([A-Za-z_][A-Za-z0-9_]*)|(\.\.|[{}\[\](),:=]))")


def parse(text: str):
    """Value text in the spec's syntax as a tree; ValueError when it is not one."""
    toks: list[tuple[str, object]] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"unexpected character {text[pos]!r} at column {pos + 1}")
        num, name, punct = m.groups()
        toks.append(("int", int(num)) if num is not None else
                    ("name", name) if name is not None else ("p", punct))
        pos = m.end()
    if not toks:
        raise ValueError("no value")
    reader = _Reader(toks)
    tree = reader.value()
    if reader.i != len(toks):
        raise ValueError(f"unexpected {_tok_text(toks[reader.i])!r} after a value")
    return tree


def _tok_text(tok) -> str:
    return str(tok[1])


class _Reader:
    def __init__(self, toks):
        self.toks, self.i = toks, 0

    def peek(self, punct: str | None = None):
        tok = self.toks[self.i] if self.i < len(self.toks) else None
        if punct is not None:
            return tok == ("p", punct)
        return tok

    def take(self, punct: str):
        if not self.peek(punct):
            tok = self.peek()
            raise ValueError(f"expected {punct!r}, got " +
                             (repr(_tok_text(tok)) if tok else "the end"))
        self.i += 1

    def value(self):
        first = self.atom()
        if self.peek(".."):
            self.i += 1
            last = self.atom()
            if first[0] != "int" or last[0] != "int":
                raise ValueError("a range needs integer bounds")
            return ("range", first[1], last[1])
        return first

    def items(self, close: str, pairs: bool = False):
        out = []
        while not self.peek(close):
            item = self.value()
            if pairs:
                self.take(":")
                item = (item, self.value())
            out.append(item)
            if not self.peek(close):
                self.take(",")
        self.take(close)
        return out

    def atom(self):
        tok = self.peek()
        if tok is None:
            raise ValueError("the value ends too early")
        self.i += 1
        kind, v = tok
        if kind == "int":
            return ("int", v)
        if kind == "name":
            if v in ("true", "false"):
                return ("bool", v == "true")
            if v == "none":
                return ("none",)
            if self.peek("("):
                self.i += 1
                fields = []
                while not self.peek(")"):
                    name = None
                    nxt = self.toks[self.i + 1] if self.i + 1 < len(self.toks) else None
                    if self.peek() and self.peek()[0] == "name" and nxt == ("p", "="):
                        name = self.peek()[1]
                        self.i += 2
                    fields.append((name, self.value()))
                    if not self.peek(")"):
                        self.take(",")
                self.take(")")
                return ("rec", v, fields)
            return ("name", v)
        if v == "{":
            if self.peek("}"):
                self.i += 1
                return ("set", [])
            start = self.i
            self.value()
            is_map = self.peek(":")
            self.i = start
            return ("map", self.items("}", pairs=True)) if is_map else ("set", self.items("}"))
        if v == "[":
            return ("seq", self.items("]"))
        if v == "(":
            start = self.i
            inner = self.value()
            if self.peek(")"):
                self.i += 1
                return inner
            self.i = start
            return ("tup", self.items(")"))
        raise ValueError(f"unexpected {v!r}")


def from_attribute(value):
    """An OTLP attribute value (as `otlp.attributes.from_any` gives it) as a tree."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        if value.is_integer():
            return ("int", int(value))
        raise ValueError(f"{value} is not an integer")
    if value is None:
        return ("none",)
    if isinstance(value, str):
        return parse(value)
    if isinstance(value, list):
        return ("list", [from_attribute(v) for v in value])
    if isinstance(value, dict):
        return ("dict", [(k, from_attribute(v)) for k, v in value.items()])
    raise ValueError(f"a {type(value).__name__} attribute is not a value")


def text(tree) -> str:
    """A tree written back as value text (for messages)."""
    tag = tree[0]
    if tag in ("int", "name"):
        return str(tree[1])
    if tag == "bool":
        return "true" if tree[1] else "false"
    if tag == "none":
        return "none"
    if tag == "range":
        return f"{tree[1]}..{tree[2]}"
    if tag == "rec":
        inner = ", ".join((f"{n}=" if n else "") + text(v) for n, v in tree[2])
        return f"{tree[1]}({inner})"
    if tag in ("map", "dict"):
        return "{" + ", ".join(f"{k if tag == 'dict' else text(k)}: {text(v)}"
                               for k, v in tree[1]) + "}"
    inner = ", ".join(text(v) for v in tree[1])
    return {"set": "{%s}", "seq": "[%s]", "list": "[%s]", "tup": "(%s)"}[tag] % inner


def decode(dom: Dom, tree, strict: bool = True):
    """The runtime value of `dom` that `tree` denotes; ValueError when there is none.

    Not `strict`: an integer outside its range is taken as it is (an observation of a
    value the spec never has: it matches no state, rather than being bad input)."""
    value = _decode(dom, tree, strict)
    if strict and not dom.contains(value):
        raise ValueError(f"{text(tree)} is not a value of {dom.describe()}")
    return value


def _bad(dom: Dom, tree):
    return ValueError(f"{text(tree)} is not a value of {dom.describe()}")


def _items(dom: Dom, tree) -> list:
    if tree[0] in ("set", "seq", "list", "tup"):
        return tree[1]
    if tree[0] == "range":
        return [("int", v) for v in range(tree[1], tree[2] + 1)]
    raise _bad(dom, tree)


def _decode(dom: Dom, tree, strict: bool = True):
    tag = tree[0]
    if isinstance(dom, DBool):
        if tag == "bool":
            return tree[1]
        raise _bad(dom, tree)
    if isinstance(dom, DInt):
        if tag == "int" and (dom.contains(tree[1]) or not strict):
            return tree[1]
        raise _bad(dom, tree)
    if isinstance(dom, DAtom):
        name = str(tree[1]) if tag in ("name", "int") else None
        if name in dom.names:
            return dom.names.index(name)
        raise _bad(dom, tree)
    if isinstance(dom, DOption):
        return () if tag == "none" else _decode(dom.elem, tree, strict)
    if isinstance(dom, DMsg):
        name = tree[1] if tag in ("rec", "name") else None
        for rec in dom.records:
            if rec.name == name:
                return _decode(rec, tree, strict)
        raise ValueError(f"{text(tree)} is not a message of this spec")
    if isinstance(dom, DRecord):
        return _record(dom, tree, strict)
    if isinstance(dom, DTuple):
        items = _items(dom, tree)
        if len(items) != len(dom.items):
            raise _bad(dom, tree)
        return tuple(_decode(d, x, strict) for d, x in zip(dom.items, items))
    if isinstance(dom, DSeq):
        return tuple(_decode(dom.elem, x, strict) for x in _items(dom, tree))
    if isinstance(dom, DSet):
        members = {_decode(dom.elem, x, strict) for x in _items(dom, tree)}
        if dom.mask:
            return sum(1 << dom.elem.bit(x) for x in members)
        return frozenset(members)
    if isinstance(dom, DMap):
        return _map(dom, tree, strict)
    raise ValueError(f"values of {dom.describe()} cannot be observed")


def _record(dom: DRecord, tree, strict: bool):
    tag = tree[0]
    if tag == "name" and tree[1] == dom.name and not dom.fields:
        fields = []
    elif tag == "rec" and tree[1] == dom.name:
        fields = tree[2]
    elif tag == "dict":
        fields = list(tree[1])
    else:
        raise _bad(dom, tree)
    head = () if dom.tag is None else (dom.tag,)
    if fields and all(n is None for n, _ in fields):
        if len(fields) != len(dom.fields):
            raise ValueError(f"{text(tree)}: {dom.name} has {len(dom.fields)} field(s)")
        return head + tuple(_decode(d, v, strict) for (_, d), (_, v) in zip(dom.fields, fields))
    given = dict(fields)
    unknown = sorted(set(given) - {n for n, _ in dom.fields} - {None})
    if unknown or None in given:
        raise ValueError(f"{text(tree)}: {dom.name} has no field {unknown[0] if unknown else ''}"
                         .rstrip() + (" (mixed positional and named fields)"
                                      if None in given else ""))
    missing = [n for n, _ in dom.fields if n not in given]
    if missing:
        raise ValueError(f"{text(tree)}: field {missing[0]} of {dom.name} is missing")
    return head + tuple(_decode(d, given[n], strict) for n, d in dom.fields)


def _map(dom: DMap, tree, strict: bool):
    if tree[0] == "dict":
        pairs = [(parse(k), v) for k, v in tree[1]]
    elif tree[0] == "map":
        pairs = tree[1]
    elif tree[0] == "set" and not tree[1]:
        pairs = []
    else:
        raise _bad(dom, tree)
    keys = dom.key.values()
    slots: dict[int, object] = {}
    for k, v in pairs:
        slots[dom.key.index(decode(dom.key, k))] = _decode(dom.value, v, strict)
    if len(slots) != len(keys):
        missing = next(dom.key.show(k) for i, k in enumerate(keys) if i not in slots)
        raise ValueError(f"{text(tree)}: the map has no entry for key {missing}")
    return tuple(slots[i] for i in range(len(keys)))
