"""`stateline fmt`'s expressions: operator levels, parentheses, and the layout of an
expression too long for one line (see `lang.fmt` for the rules)."""

from __future__ import annotations

from . import ast as A
from .comments import INDENT
from .quoting import shown

# Binding power of each binary operator (higher binds tighter); see grammar.lark.
_LEVEL = {"implies": 1, "or": 2, "and": 3, "==": 5, "!=": 5, "<": 5, "<=": 5, ">": 5,
          ">=": 5, "in": 5, "not in": 5, "..": 6, "|": 7, "^": 8, "&": 9, "+": 10, "-": 10,
          "*": 11, "//": 11, "%": 11, "/": 11}
_NOT, _NEG, POSTFIX, _ATOM = 4, 12, 13, 14
_OPEN = (A.IfExp, A.Quant, A.Choose, A.Let)     # constructs that extend to the right


class FormatError(Exception):
    """The spec cannot be formatted (a bug in the formatter, never in the spec)."""


# ---- expressions -------------------------------------------------------------------------

def expr(e, need: int = 0, tail: bool = True) -> str:
    """`e` on one line, parenthesised if it binds looser than `need`.  A construct that
    extends to the right (quantifier, let, choose, if-else) is parenthesised where
    something follows it (`tail` false) and wherever it is an operand."""
    text, level = _expr(e, tail)
    return f"({text})" if _parens(e, level, need, tail) else text


def _parens(e, level: int, need: int, tail: bool) -> bool:
    return level < need or (not tail and isinstance(e, _OPEN))


def _items(items) -> str:
    return ", ".join(expr(i) for i in items)


def binders(bs) -> str:
    return ", ".join(f"{', '.join(b.names)} in {expr(b.domain, 6, False)}" for b in bs)


def _clauses(fors) -> list[str]:
    out = []
    for f in fors:
        out.append(f"for {', '.join(f.names)} in {expr(f.domain, 6, False)}")
        if f.cond is not None:
            out.append(f"if {expr(f.cond, 2, False)}")
    return out


def _operands(e) -> list[tuple[object, int]]:
    """The operands of a binary expression (a chain of one associative operator
    flattened) with the binding power each needs.  Beyond what the grammar needs, for
    the reader: an `and` inside an `or`, and a comparison inside a comparison, are
    parenthesised."""
    op, level = e.op, _LEVEL[e.op]
    if op == "implies":                     # right-associative: a implies (b implies c)
        ops = _chain(e, op)
        return [(o, 2) for o in ops[:-1]] + [(ops[-1], 1)]
    if op == "..":                          # not associative
        return [(e.left, 7), (e.right, 7)]
    if level == 5:                          # comparisons: never chained
        return [(e.left, 6), (e.right, 6)]
    ops = _chain(e, op)
    out = [(ops[0], level)] + [(o, level + 1) for o in ops[1:]]
    if op == "or":
        out = [(o, _LEVEL["and"] + 1 if isinstance(o, A.Binary) and o.op == "and" else n)
               for o, n in out]
    return out


def _chain(e, op: str) -> list:
    """The operands of a chain of one operator, in order (its associativity kept)."""
    if not (isinstance(e, A.Binary) and e.op == op):
        return [e]
    if op == "implies":
        return [e.left] + _chain(e.right, op)
    return _chain(e.left, op) + [e.right]   # left-associative: (a + b) + c


def _expr(e, tail: bool) -> tuple[str, int]:
    if isinstance(e, A.Name):
        return shown(e.id), _ATOM         # `none`: a value named by a keyword
    if isinstance(e, A.IntLit):
        return str(e.value), (_ATOM if e.value >= 0 else _NEG)
    if isinstance(e, A.BoolLit):
        return ("true" if e.value else "false"), _ATOM
    if isinstance(e, A.NoneLit):
        return "none", _ATOM
    if isinstance(e, A.TupleLit):
        inner = _items(e.items) + ("," if len(e.items) == 1 else "")
        return f"({inner})", _ATOM
    if isinstance(e, A.SeqLit):
        return f"[{_items(e.items)}]", _ATOM
    if isinstance(e, A.SetLit):
        return "{" + _items(e.items) + "}", _ATOM
    if isinstance(e, A.FunSet):
        return f"[{expr(e.domain, 0, False)} -> {expr(e.codomain, 0, False)}]", _ATOM
    if isinstance(e, A.MapLit):
        return "{" + ", ".join(_pair(k, v) for k, v in e.items) + "}", _ATOM
    if isinstance(e, (A.SetComp, A.MapComp)):
        return "{" + " ".join([_comp_head(e)] + _clauses(e.fors)) + "}", _ATOM
    if isinstance(e, A.SeqComp):
        return "[" + " ".join([_comp_head(e)] + _clauses(e.fors)) + "]", _ATOM
    if isinstance(e, A.Call):
        return f"{expr(e.func, POSTFIX, False)}({', '.join(_args(e))})", POSTFIX
    if isinstance(e, A.Subscript):
        return f"{expr(e.base, POSTFIX, False)}[{', '.join(_index(i) for i in e.indices)}]", \
            POSTFIX
    if isinstance(e, A.Attr):
        base = expr(e.base, POSTFIX, False)
        if isinstance(e.base, A.IntLit) and e.base.value >= 0:
            base = f"({base})"
        return f"{base}.{e.name}", POSTFIX
    if isinstance(e, A.Prime):
        return f"{expr(e.base, POSTFIX, False)}'", POSTFIX
    if isinstance(e, A.OptionType):
        return f"{expr(e.base, POSTFIX, False)}?", POSTFIX
    if isinstance(e, A.Unary):
        if e.op == "not":
            return f"not {expr(e.operand, _NOT, tail)}", _NOT
        return f"-{expr(e.operand, _NEG, False)}", _NEG
    if isinstance(e, A.Binary):
        ops = _operands(e)
        parts = [expr(o, need, tail and k == len(ops) - 1) for k, (o, need) in enumerate(ops)]
        return ("..".join(parts) if e.op == ".." else f" {e.op} ".join(parts)), _LEVEL[e.op]
    if isinstance(e, _OPEN):
        head, body = _open(e)
        return f"{head} {body}", 0
    raise FormatError(f"cannot format a {type(e).__name__} expression")


def _pair(k, v) -> str:
    return f"{expr(k, 0, False)}: {expr(v)}"


def _comp_head(e) -> str:
    if isinstance(e, (A.SetComp, A.SeqComp)):
        return expr(e.elem, 0, False)
    return f"{expr(e.key, 0, False)}: {expr(e.value, 0, False)}"


def _args(e) -> list[str]:
    return [expr(a) for a in e.args] + [f"{k.name}={expr(k.value)}" for k in e.kwargs]


def _open(e) -> tuple[str, str]:
    """A right-open construct as (head, body)."""
    if isinstance(e, A.Quant):
        return f"{e.kind} {binders(e.binders)}:", expr(e.body)
    if isinstance(e, A.Choose):
        return f"choose {e.name} in {expr(e.domain, 6, False)}:", expr(e.cond)
    if isinstance(e, A.Let):
        return f"let {e.name} = {expr(e.value, 6, False)} in", expr(e.body)
    return f"{expr(e.then, 1, False)} if {expr(e.cond, 1, False)} else", expr(e.orelse)


def _index(i) -> str:
    if isinstance(i, A.Slice):
        lo = expr(i.lo, 0, False) if i.lo is not None else ""
        hi = expr(i.hi) if i.hi is not None else ""
        return f"{lo}:{hi}"
    return expr(i)


# ---- long expressions over several lines -------------------------------------------------

Lines = list  # of (extra depth, text)


def lay(e, first: int, room: int, need: int = 0, tail: bool = True) -> tuple[Lines, bool]:
    """`e` as lines (extra depth, text): one line if it fits in `first` columns, else
    broken so that its lines fit in `room` columns (less 4 per extra depth) where they
    can.  Returns the lines and whether every break is inside a bracket `e` itself
    opens; if not, the caller puts the whole inside parentheses (the grammar allows a
    line break only inside brackets).

    Brackets (calls, literals, comprehensions) fill their items into lines below the
    opening one; an `and`/`or`/`implies` chain puts one operand on each line, other
    operators fill; a quantifier, `let` or `choose` puts its body below its head."""
    text = expr(e, need, tail)
    if len(text) <= first:
        return [(0, text)], True
    level = _expr(e, tail)[1]
    if _parens(e, level, need, tail):        # (the parentheses may end up on one line)
        lines, _ = lay(e, first - 2, room - 1)
        return wrap(lines), True
    if isinstance(e, A.Binary) and e.op != "..":
        return _lay_binary(e, first, room, tail), False
    if isinstance(e, _OPEN):
        head, _ = _open(e)
        body = e.orelse if isinstance(e, A.IfExp) else \
            e.cond if isinstance(e, A.Choose) else e.body
        lines, _ = lay(body, room - len(INDENT), room - len(INDENT))
        return [(0, head)] + _shift(lines, 1), False
    if isinstance(e, A.Unary) and e.op == "not":
        lines, closed = lay(e.operand, first - 4, room, _NOT, tail)
        return [(lines[0][0], "not " + lines[0][1])] + lines[1:], closed
    if isinstance(e, A.Call):
        items = [lay(a, room - 4, room - 4)[0] for a in e.args] + \
            [prefixed(f"{k.name}=", lay(k.value, room - 5 - len(k.name), room - 4)[0])
             for k in e.kwargs]
        return fill(f"{expr(e.func, POSTFIX, False)}(", items, ")", room), True
    if isinstance(e, (A.SetLit, A.SeqLit, A.TupleLit, A.MapLit)):
        opener, closer = {A.SetLit: "{}", A.SeqLit: "[]", A.TupleLit: "()", A.MapLit: "{}"}[
            type(e)]
        if isinstance(e, A.MapLit):
            items = [[(0, _pair(k, v))] for k, v in e.items]
        else:
            items = [lay(i, room - 4, room - 4)[0] for i in e.items]
        if isinstance(e, A.TupleLit) and len(e.items) == 1:
            closer = ",)"
        return fill(opener, items, closer, room), True
    if isinstance(e, (A.SetComp, A.SeqComp, A.MapComp)):
        opener, closer = ("[", "]") if isinstance(e, A.SeqComp) else ("{", "}")
        lines = [(0, opener + _comp_head(e))]
        for f in e.fors:
            lines.append((1, f"for {', '.join(f.names)} in {expr(f.domain, 6, False)}"))
            if f.cond is not None:
                # room for `    if (`, and for `)}` at the end
                cond, closed = lay(f.cond, room - 10, room - 10, 2, False)
                if not closed and len(cond) > 1:
                    cond = wrap(cond)
                lines += _shift(prefixed("if ", cond), 1)
        lines[-1] = (lines[-1][0], lines[-1][1] + closer)
        return lines, True
    return [(0, text)], True


def _lay_binary(e, first: int, room: int, tail: bool) -> Lines:
    ops = _operands(e)
    one_per_line = e.op in ("and", "or", "implies")
    lines: Lines = []
    for k, (o, need) in enumerate(ops):
        last = k == len(ops) - 1
        sep = "" if k == 0 else e.op + " "
        avail = (first if k == 0 else room - 4) - len(sep)
        part, closed = lay(o, avail, room - 4, need, tail and last)
        if len(part) > 1 and not closed:    # a chain in a chain: in parentheses
            part = wrap(lay(o, avail - 1, room - 5, need, tail and last)[0])
        part = prefixed(sep, part)
        if k == 0:
            lines = part
        elif not one_per_line and len(part) == 1 and len(lines[-1][1]) + 1 + \
                len(part[0][1]) <= room - 4 * lines[-1][0]:
            lines[-1] = (lines[-1][0], lines[-1][1] + " " + part[0][1])
        else:
            lines += _shift(part, 1)
    return lines


def fill(opener: str, items: list[Lines], closer: str, room: int) -> Lines:
    """`opener`, then the items (comma-separated) filled into lines one level deeper, a
    broken item on lines of its own; `closer` ends the last line."""
    out: Lines = [(0, opener)]
    current = None
    for k, item in enumerate(items):
        item = [(d, t) for d, t in item]
        if k < len(items) - 1:
            item[-1] = (item[-1][0], item[-1][1] + ",")
        if len(item) == 1 and current is not None and \
                len(out[current][1]) + 1 + len(item[0][1]) <= room - 4:
            out[current] = (1, out[current][1] + " " + item[0][1])
            continue
        out += _shift(item, 1)
        current = len(out) - 1 if len(item) == 1 else None
    out[-1] = (out[-1][0], out[-1][1] + closer)
    return out


def wrap(lines: Lines) -> Lines:
    """The lines inside parentheses."""
    lines = list(lines)
    lines[0] = (lines[0][0], "(" + lines[0][1])
    lines[-1] = (lines[-1][0], lines[-1][1] + ")")
    return lines


def _shift(lines: Lines, by: int) -> Lines:
    return [(d + by, t) for d, t in lines]


def prefixed(prefix: str, lines: Lines) -> Lines:
    return [(lines[0][0], prefix + lines[0][1])] + list(lines[1:])


def temporal(e) -> str:
    """A property's formula: temporal operators at the top, then an expression."""
    if not isinstance(e, A.Temporal):
        return expr(e)
    if e.op in ("eventually", "always"):
        return f"{e.op} {temporal(e.args[0])}"
    if e.op == "leads_to":
        return f"{expr(e.args[0], 0, False)} leads_to {expr(e.args[1])}"
    if e.op == "forall":
        return f"forall {binders(e.binders)}: {temporal(e.args[0])}"
    if e.op == "initially":
        return f"initially {expr(e.args[0], 2, False)} implies {temporal(e.args[1])}"
    if e.op == "stable":
        return f"always ({expr(e.args[0], 2, False)} implies always {expr(e.args[1])})"
    raise FormatError(f"cannot format the temporal operator '{e.op}'")
