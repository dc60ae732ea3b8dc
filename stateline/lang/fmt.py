"""`stateline fmt`: a spec in canonical layout, comments kept.

The layout is printed from the syntax tree, so formatting never changes what a
spec means: every declaration and statement on a line of its own, indented by
four spaces, one space around binary operators and after commas, decimal
integers, `leads_to` (not `~>`), a block always on the lines after its header
(never `action a: x := 0`).  Parentheses go where precedence needs them, and
also, for the reader, around an `and` inside an `or`, a comparison inside a
comparison, and a quantifier, `let`, `choose` or if-else that is an operand
(`not (exists x in S: p)`).

Lines stay within 100 columns where the syntax allows a break (only inside
brackets): an invariant, transition, constraint, property or definition that
does not fit has its expression on the next line; an expression still too
long is broken: a call's arguments, a literal's items and a message's fields
fill the lines below the opening bracket, a comprehension puts each `for` and
`if` on a line, an `and`/`or`/`implies` chain puts one operand on each line
(before its operator), other operators fill, and a quantifier, `let` or
`choose` puts its body below its head; the whole goes in parentheses where the
break is not already inside a bracket.  Continuation lines are one level
deeper, two after a block's header (`if`, `for`, an action's guard) so they do
not line up with the block.  Trailing comments of consecutive lines are
aligned unless that passes the margin.  Blank lines are kept where the author
put them, at most one in a row and none at the start of a block.

Comments are not in the syntax tree, so they are read from the source and put
back, none dropped:

* a comment on lines of its own goes with the declaration, statement or
  `elif`/`else` that follows it, indented as that line;
* a comment at the end of the first line of a declaration or statement stays
  at the end of that line;
* a comment elsewhere inside a construct (at the end of a continuation line,
  or between the lines of a bracketed expression) moves to its own line just
  above the construct;
* comments after the last line of the file stay at the end.

Formatting is idempotent (formatting twice gives what formatting once gives;
`tests/test_fmt.py` checks that and the rest with hypothesis on the library and
mutated specs).  As a safety net, `format_text` parses its own output and
raises `FormatError` rather than return text whose tree differs from the
input's or that lost a comment.
"""

from __future__ import annotations

import re

from . import ast as A
from .comments import INDENT, WIDTH, Layout, Out, attach
from .parse import parse


# Binding power of each binary operator (higher binds tighter); see grammar.lark.
_LEVEL = {"implies": 1, "or": 2, "and": 3, "==": 5, "!=": 5, "<": 5, "<=": 5, ">": 5,
          ">=": 5, "in": 5, "not in": 5, "..": 6, "|": 7, "^": 8, "&": 9, "+": 10, "-": 10,
          "*": 11, "//": 11, "%": 11, "/": 11}
_NOT, _NEG, _POSTFIX, _ATOM = 4, 12, 13, 14
_OPEN = (A.IfExp, A.Quant, A.Choose, A.Let)     # constructs that extend to the right
_ENDS_WITH_PASS = re.compile(r"(^|[\s:])pass$")


class FormatError(Exception):
    """The spec cannot be formatted (a bug in the formatter, never in the spec)."""


def format_text(text: str, path: str = "<spec>") -> str:
    """The canonical layout of a spec (raises SpecError if it does not parse)."""
    tree = parse(text, path)
    layout = Layout(text)
    printer = Printer(layout)
    printer.spec(tree)
    out = printer.assemble()
    if parse(out, path) != tree:
        raise FormatError(f"{path}: formatting would change the spec's meaning (a bug in "
                          "stateline fmt; the file is left as it is)")
    if printer.comments_written != layout.comment_count:
        raise FormatError(f"{path}: formatting would lose a comment (a bug in stateline fmt; "
                          "the file is left as it is)")
    return out


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
        return e.id, _ATOM
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
        return f"{expr(e.func, _POSTFIX, False)}({', '.join(_args(e))})", _POSTFIX
    if isinstance(e, A.Subscript):
        return f"{expr(e.base, _POSTFIX, False)}[{', '.join(_index(i) for i in e.indices)}]", \
            _POSTFIX
    if isinstance(e, A.Attr):
        base = expr(e.base, _POSTFIX, False)
        if isinstance(e.base, A.IntLit) and e.base.value >= 0:
            base = f"({base})"
        return f"{base}.{e.name}", _POSTFIX
    if isinstance(e, A.Prime):
        return f"{expr(e.base, _POSTFIX, False)}'", _POSTFIX
    if isinstance(e, A.OptionType):
        return f"{expr(e.base, _POSTFIX, False)}?", _POSTFIX
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
        return _wrap(lines), True
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
            [_prefix(f"{k.name}=", lay(k.value, room - 5 - len(k.name), room - 4)[0])
             for k in e.kwargs]
        return _fill(f"{expr(e.func, _POSTFIX, False)}(", items, ")", room), True
    if isinstance(e, (A.SetLit, A.SeqLit, A.TupleLit, A.MapLit)):
        opener, closer = {A.SetLit: "{}", A.SeqLit: "[]", A.TupleLit: "()", A.MapLit: "{}"}[
            type(e)]
        if isinstance(e, A.MapLit):
            items = [[(0, _pair(k, v))] for k, v in e.items]
        else:
            items = [lay(i, room - 4, room - 4)[0] for i in e.items]
        if isinstance(e, A.TupleLit) and len(e.items) == 1:
            closer = ",)"
        return _fill(opener, items, closer, room), True
    if isinstance(e, (A.SetComp, A.SeqComp, A.MapComp)):
        opener, closer = ("[", "]") if isinstance(e, A.SeqComp) else ("{", "}")
        lines = [(0, opener + _comp_head(e))]
        for f in e.fors:
            lines.append((1, f"for {', '.join(f.names)} in {expr(f.domain, 6, False)}"))
            if f.cond is not None:
                # room for `    if (`, and for `)}` at the end
                cond, closed = lay(f.cond, room - 10, room - 10, 2, False)
                if not closed and len(cond) > 1:
                    cond = _wrap(cond)
                lines += _shift(_prefix("if ", cond), 1)
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
            part = _wrap(lay(o, avail - 1, room - 5, need, tail and last)[0])
        part = _prefix(sep, part)
        if k == 0:
            lines = part
        elif not one_per_line and len(part) == 1 and len(lines[-1][1]) + 1 + \
                len(part[0][1]) <= room - 4 * lines[-1][0]:
            lines[-1] = (lines[-1][0], lines[-1][1] + " " + part[0][1])
        else:
            lines += _shift(part, 1)
    return lines


def _fill(opener: str, items: list[Lines], closer: str, room: int) -> Lines:
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


def _wrap(lines: Lines) -> Lines:
    """The lines inside parentheses."""
    lines = list(lines)
    lines[0] = (lines[0][0], "(" + lines[0][1])
    lines[-1] = (lines[-1][0], lines[-1][1] + ")")
    return lines


def _shift(lines: Lines, by: int) -> Lines:
    return [(d + by, t) for d, t in lines]


def _prefix(prefix: str, lines: Lines) -> Lines:
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
    raise FormatError(f"cannot format the temporal operator '{e.op}'")


# ---- declarations and statements -------------------------------------------------------

class Printer:
    def __init__(self, layout: Layout):
        self.layout = layout
        self.out: list[Out] = []
        self.last_anchor = 0
        self.comments_written = 0
        self._first = False         # the next line emitted starts a block

    def line(self, text: str, depth: int, span_line: int = 0, anchor: int | None = None):
        if anchor is None:
            anchor = self.layout.logical(span_line)
        first, self._first = self._first, False
        self.out.append(Out(text, depth, anchor, first))
        if anchor:
            self.last_anchor = max(self.last_anchor, anchor)

    def block(self, items, depth: int, each) -> None:
        self._first = True
        for item in items:
            each(item, depth)
        self._first = False

    def spec(self, s: A.Spec) -> None:
        header = next((i for i in range(1, self.layout.n + 1) if self.layout.is_code(i)), 0)
        self.line(f"spec {s.name}", 0, anchor=header)
        for d in s.decls:
            self.decl(d, 0)

    def expr_decl(self, head: str, body: str, d, depth: int, tree=None) -> None:
        """`head body`, or the body on the lines below (broken if `tree` is given)."""
        if len(INDENT * depth + head) + 1 + len(body) <= WIDTH:
            self.line(f"{head} {body}", depth, d.span.line)
            return
        self.line(head, depth, d.span.line)
        room = WIDTH - len(INDENT) * (depth + 1)
        lines, closed = lay(tree, room, room) if tree is not None else ([(0, body)], True)
        if len(lines) > 1 and not closed:               # a break needs brackets
            lines, _ = lay(tree, room - 1, room - 1)
            lines = _wrap(lines)
        self.put(lines, depth + 1)

    def emit(self, prefix: str, e, suffix: str, depth: int, span_line: int = 0,
             anchor: int | None = None, tail: bool = True, hang: int = 1) -> None:
        """`prefix e suffix` on one line, or `e` broken into lines (see `lay`) with
        its continuation lines `hang` levels deeper (2 after a block's header, so
        that they do not line up with the block)."""
        first = WIDTH - len(INDENT) * depth - len(prefix) - len(suffix)
        base = depth + hang - 1             # the lines after the first are one deeper
        room = WIDTH - len(INDENT) * base - len(suffix)
        lines, closed = lay(e, first, room, 0, tail)
        if len(lines) > 1 and not closed:               # a break needs brackets
            lines, _ = lay(e, first - 1, room - 1, 0, tail)
            lines = _wrap(lines)
        lines = _prefix(prefix, lines)
        lines[-1] = (lines[-1][0], lines[-1][1] + suffix)
        self.line(lines[0][1], depth, span_line, anchor)
        self.put(lines[1:], base)

    def put(self, lines, depth: int) -> None:
        """Continuation lines: they stand for no source line of their own."""
        for extra, text in lines:
            self.line(text, depth + extra, anchor=0)

    def decl(self, d, depth: int) -> None:
        if isinstance(d, A.Const):
            typ = f": {expr(d.type, 6, False)}" if d.type is not None else ""
            self.emit(f"const {d.name}{typ} = ", d.value, " symmetric" if d.symmetric else "",
                      depth, d.span.line, tail=not d.symmetric)
        elif isinstance(d, A.Enum):
            self.line(f"enum {d.name} = {{{', '.join(m.name for m in d.members)}}}", depth,
                      d.span.line)
        elif isinstance(d, A.Record):
            fields = [f"{f.name}: {expr(f.type, 6, False)}" for f in d.fields]
            head = f"{'message' if d.is_message else 'record'} {d.name}"
            text = f"{head}({', '.join(fields)})" if fields or not d.is_message else head
            if len(INDENT * depth + text) <= WIDTH:
                self.line(text, depth, d.span.line)
            else:
                lines = _fill(head + "(", [[(0, f)] for f in fields], ")",
                              WIDTH - len(INDENT) * depth)
                self.line(lines[0][1], depth, d.span.line)
                self.put(lines[1:], depth)
        elif isinstance(d, A.Network):
            options = [o.name + (f"({expr(o.arg)})" if getattr(o, "arg", None) is not None
                                 else "") for o in d.options]
            self.line(" ".join(["network", d.kind] + options), depth, d.span.line)
        elif isinstance(d, A.Var):
            typ = f": {expr(d.type, 6, False)}" if d.type is not None else ""
            persistent = "persistent " if getattr(d, "persistent", False) else ""
            self.emit(f"{persistent}var {d.name}{typ} {'in' if d.nondet else '='} ", d.init, "",
                      depth, d.span.line)
        elif isinstance(d, A.Crash):
            limit = f" max {expr(d.max)}" if d.max is not None else ""
            self.line(f"crash {d.kind}{limit}", depth, d.span.line)
        elif isinstance(d, A.History):
            fields = ", ".join(f"{f.name}: {expr(f.type, 6, False)}" for f in d.fields)
            self.line(f"history {d.name}({fields}) max {expr(d.max)}", depth, d.span.line)
        elif isinstance(d, A.Def):
            params = ""
            if d.params is not None:
                params = "(" + ", ".join(p.name + (f": {expr(p.type, 6, False)}" if p.type
                                                   is not None else "") for p in d.params) + ")"
            ret = f": {expr(d.ret_type, 6, False)}" if d.ret_type is not None else ""
            self.expr_decl(f"def {d.name}{params}{ret} =", expr(d.body), d, depth, d.body)
        elif isinstance(d, A.Process):
            fair = f"fair {d.fairness} " if d.fairness else ""
            inst = f"({d.self_name} in {expr(d.domain)})" if d.domain is not None else ""
            self.line(f"{fair}process {d.name}{inst}:", depth, d.span.line)
            self.block(d.members, depth + 1, self.decl)
        elif isinstance(d, A.Action):
            fair = f"fair {d.fairness} " if d.fairness else ""
            params = f"({binders(d.params)})" if d.params else ""
            self.header(f"{fair}action {d.name}{params}", d.guard, depth, d.span.line)
            self.body(d.body, depth + 1)
        elif isinstance(d, A.Proc):
            params = ", ".join(p.name + (f": {expr(p.type, 6, False)}" if p.type is not None
                                         else "") for p in d.params)
            self.line(f"proc {d.name}({params}):", depth, d.span.line)
            self.body(d.body, depth + 1)
        elif isinstance(d, A.Handler):
            fair = f"fair {d.fairness} " if d.fairness else ""
            self.header(f"{fair}on {d.message}({d.binder})", d.guard, depth, d.span.line)
            self.body(d.body, depth + 1)
        elif isinstance(d, (A.Invariant, A.Transition, A.Constraint)):
            kw = {A.Invariant: "invariant", A.Transition: "transition",
                  A.Constraint: "constraint"}[type(d)]
            self.expr_decl(f"{kw} {d.name}:", expr(d.expr), d, depth, d.expr)
        elif isinstance(d, A.Property):
            plain = None if isinstance(d.expr, A.Temporal) else d.expr
            self.expr_decl(f"property {d.name}:", temporal(d.expr), d, depth, plain)
        elif isinstance(d, A.Allow):
            self.line(f"allow {d.what}", depth, d.span.line)
        elif isinstance(d, A.Check):
            binds = ", ".join(f"{n} = {expr(v)}" for n, v in d.bindings)
            self.line(f"check {d.name}" + (f"({binds})" if d.bindings else "") + ":", depth,
                      d.span.line)
            items = sorted(list(d.expects) + list(d.allows) + list(d.fairness) +
                           list(d.selections) + list(d.symmetric),
                           key=lambda i: (i.span.line, i.span.col))   # as the author wrote
            if not items:
                raise FormatError(f"check {d.name} has nothing in its block")
            self.block(items, depth + 1, self.check_item)
        else:
            raise FormatError(f"cannot format a {type(d).__name__} declaration")

    def header(self, head: str, guard, depth: int, span_line: int) -> None:
        """An action's or handler's first line: `head if guard:`."""
        if guard is None:
            self.line(head + ":", depth, span_line)
        else:
            self.emit(head + " if ", guard, ":", depth, span_line, tail=False, hang=2)

    def check_item(self, item, depth: int) -> None:
        if isinstance(item, A.Expect):
            self.line(f"expect {item.prop} {item.outcome}", depth, item.span.line)
        elif isinstance(item, A.Allow):
            self.line(f"allow {item.what}", depth, item.span.line)
        elif isinstance(item, A.FairItem):
            self.line(f"fair {item.kind} " + ", ".join(
                t.name + (f" per {t.per}" if t.per else "") for t in item.targets), depth,
                      item.span.line)
        elif isinstance(item, A.Selection):
            self.line(f"{item.kind} " + ", ".join(m.name for m in item.names), depth,
                      item.span.line)
        elif isinstance(item, A.SymmetricItem):
            self.line("symmetric " + ", ".join(m.name for m in item.names), depth,
                      item.span.line)
        else:
            raise FormatError(f"cannot format a {type(item).__name__} in a check block")

    def body(self, stmts, depth: int) -> None:
        self.block(stmts, depth, self.stmt)

    def stmt(self, s, depth: int) -> None:
        if isinstance(s, A.Require):
            self.emit("require ", s.cond, "", depth, s.span.line)
        elif isinstance(s, A.Assign):
            self.emit(f"{expr(s.target, _POSTFIX, False)} := ", s.value, "", depth, s.span.line)
        elif isinstance(s, A.Send):
            to = f" to {expr(s.to)}" if s.to is not None else ""
            self.emit("send ", s.message, to, depth, s.span.line, tail=s.to is None)
        elif isinstance(s, A.LetStmt):
            self.emit(f"let {s.name} = ", s.value, "", depth, s.span.line)
        elif isinstance(s, A.RecordOp):
            value = expr(s.value) if s.value is not None else ""
            self.line(f"record {s.kind} {s.history}.{s.op}({value})", depth, s.span.line)
        elif isinstance(s, A.CallStmt):
            args = [expr(a) for a in s.args] + [f"{k.name}={expr(k.value)}" for k in s.kwargs]
            self.line(f"{s.name}({', '.join(args)})", depth, s.span.line)
        elif isinstance(s, A.Pass):
            self.line("pass", depth, anchor=self.find(_ENDS_WITH_PASS.search))
        elif isinstance(s, A.If):
            if_line = self.layout.logical(s.span.line)
            for k, (cond, body) in enumerate(s.branches):
                if k == 0:
                    self.emit("if ", cond, ":", depth, s.span.line, tail=False, hang=2)
                else:
                    self.emit("elif ", cond, ":", depth, anchor=self.clause(if_line, "elif"),
                              tail=False, hang=2)
                self.body(body, depth + 1)
            if s.orelse:
                self.line("else:", depth, anchor=self.clause(if_line, "else"))
                self.body(s.orelse, depth + 1)
        elif isinstance(s, A.For):
            self.emit(f"for {s.name} in ", s.domain, ":", depth, s.span.line, tail=False, hang=2)
            self.body(s.body, depth + 1)
        elif isinstance(s, A.ChooseStmt):
            self.emit(f"choose {s.name} in ", s.domain, ":", depth, s.span.line, tail=False,
                      hang=2)
            self.body(s.body, depth + 1)
        elif isinstance(s, A.Either):
            either_line = self.layout.logical(s.span.line)
            for k, body in enumerate(s.branches):
                if k == 0:
                    self.line("either:", depth, s.span.line)
                else:
                    self.line("or:", depth, anchor=self.clause(either_line, "or"))
                self.body(body, depth + 1)
        else:
            raise FormatError(f"cannot format a {type(s).__name__} statement")

    def find(self, wanted) -> int:
        """The first logical line from the last anchor on whose code satisfies `wanted`
        (for nodes without a position: `pass`)."""
        lay = self.layout
        for i in range(max(1, self.last_anchor), lay.n + 1):
            if lay.start[i] == i and wanted(lay.code[i].rstrip()):
                return i
        return 0

    def clause(self, if_line: int, keyword: str) -> int:
        """The line of an `elif`/`else` of the `if` on `if_line`."""
        lay = self.layout
        indent = lay.indent(if_line) if if_line else -1
        for i in range(self.last_anchor + 1, lay.n + 1):
            if lay.start[i] == i and lay.indent(i) == indent:
                word = lay.code[i].lstrip().split(":")[0].split()[:1]
                if word == [keyword]:
                    return i
        return 0

    def assemble(self) -> str:
        text, self.comments_written = attach(self.layout, self.out)
        return text
