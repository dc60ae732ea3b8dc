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
from .fmt_expr import POSTFIX, FormatError, binders, expr, fill, lay, prefixed, temporal, wrap
from .parse import parse
from .quoting import shown

__all__ = ["FormatError", "expr", "format_text", "lay"]

_ENDS_WITH_PASS = re.compile(r"(^|[\s:])pass$")


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
            lines = wrap(lines)
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
            lines = wrap(lines)
        lines = prefixed(prefix, lines)
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
            self.line(f"enum {d.name} = {{{', '.join(shown(m.name) for m in d.members)}}}", depth,
                      d.span.line)
        elif isinstance(d, A.Record):
            fields = [f"{f.name}: {expr(f.type, 6, False)}" for f in d.fields]
            head = f"{'message' if d.is_message else 'record'} {d.name}"
            text = f"{head}({', '.join(fields)})" if fields or not d.is_message else head
            if len(INDENT * depth + text) <= WIDTH:
                self.line(text, depth, d.span.line)
            else:
                lines = fill(head + "(", [[(0, f)] for f in fields], ")",
                              WIDTH - len(INDENT) * depth)
                self.line(lines[0][1], depth, d.span.line)
                self.put(lines[1:], depth)
        elif isinstance(d, A.Network):
            options = [o.name + (f"({expr(o.arg)})" if getattr(o, "arg", None) is not None
                                 else "") for o in d.options]
            self.line(" ".join(["network", d.kind] + options), depth, d.span.line)
        elif isinstance(d, A.Var) and d.typed_only:
            self.line(f"var {d.name}: {expr(d.type, 6, False)}", depth, d.span.line)
        elif isinstance(d, A.InitBlock):
            self.line("init:", depth, d.span.line)
            self.body(d.body, depth + 1)
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
        elif isinstance(s, A.Assert):
            self.emit("assert ", s.cond, f', "{s.message}"', depth, s.span.line,
                      tail=False)
        elif isinstance(s, A.Assign):
            self.emit(f"{expr(s.target, POSTFIX, False)} := ", s.value, "", depth, s.span.line)
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
