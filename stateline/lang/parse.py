"""Text -> `ast.Spec`: the lark LALR parser, the indentation post-lexer, and
the translation of every lark error into a `Diagnostic` (never a traceback).
"""

from __future__ import annotations

import dataclasses
import functools
from importlib import resources

from lark import Lark, Token
from lark.exceptions import (LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput,
                             UnexpectedToken, VisitError)
from lark.lark import PostLex

from ..diagnostics import Diagnostic, Span, SpecError
from . import ast as A
from . import tables
from .build import Builder
from .nesting import check_nesting

_OPEN = {"LPAR", "LSQB", "LBRACE"}
_CLOSE = {"RPAR", "RSQB", "RBRACE"}


class _IndentError(Exception):
    """An indentation problem at (line, column, end column); the caller adds the path."""

    def __init__(self, message: str, line: int, col: int, end_col: int):
        super().__init__(message)
        self.message, self.line, self.col, self.end_col = message, line, col, end_col


class Indenter(PostLex):
    """Python-style INDENT/DEDENT tokens; newlines inside brackets are ignored.

    Unlike lark's stock Indenter it reports positions, rejects tabs in
    indentation and never asserts on unbalanced brackets (the parser reports
    those as unexpected tokens).
    """

    always_accept = ("_NL",)

    def __init__(self):
        # Brackets still open when the stream stopped: read after a syntax error.
        self.open_brackets: list[Token] = []

    def process(self, stream):
        levels = [0]
        depth = 0
        token = None
        self.open_brackets = opened = []
        for token in stream:
            if token.type == "_NL":
                if depth > 0:
                    continue
                yield token
                indent_str = token.rsplit("\n", 1)[1] if "\n" in token else ""
                line = (token.end_line or token.line)
                if "\t" in indent_str:
                    col = indent_str.index("\t") + 1
                    raise _IndentError("tab character in indentation; indent with spaces",
                                       line, col, col + 1)
                indent = len(indent_str)
                if indent > levels[-1]:
                    levels.append(indent)
                    yield Token.new_borrow_pos("_INDENT", indent_str, token)
                else:
                    open_levels = [lv + 1 for lv in levels]
                    while indent < levels[-1]:
                        levels.pop()
                        yield Token.new_borrow_pos("_DEDENT", indent_str, token)
                    if indent != levels[-1]:
                        cols = " or ".join(str(c) for c in open_levels[-2:])
                        raise _IndentError(
                            f"unindent to column {indent + 1} does not match any outer "
                            f"indentation level (expected column {cols})",
                            line, indent + 1, indent + 2)
                continue
            if token.type in _OPEN:
                depth += 1
                opened.append(token)
            elif token.type in _CLOSE and depth > 0:
                depth -= 1
                opened.pop()
            yield token
        while len(levels) > 1:
            levels.pop()
            if token is not None:
                yield Token.new_borrow_pos("_DEDENT", "", token)
            else:
                yield Token("_DEDENT", "", 0, 1, 1)


@functools.lru_cache(maxsize=1)
def _grammar() -> str:
    return resources.files(__package__).joinpath("grammar.lark").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=2)
def _parser(start: str) -> Lark:
    # Not lark's cache=True, which unpickles a file anyone can plant in the shared
    # temporary directory: `tables` keeps the tables in a verified per-user cache.
    return tables.parser(_grammar(), start=start, postlex=Indenter(),
                         propagate_positions=True, maybe_placeholders=True)


# Human names for the terminals lark reports in "expected one of".
_TERMINAL_NAMES = {
    "NAME": "a name", "INT": "an integer", "_NL": "a new line", "_INDENT": "an indented block",
    "_DEDENT": "the end of the block", "$END": "the end of the file", "COMP_OP": "a comparison",
    "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'", "LBRACE": "'{'", "RBRACE": "'}'",
    "COLON": "':'", "COMMA": "','", "EQUAL": "'='", "DOT": "'.'", "SYMMETRIC": "'symmetric'",
    "SELECT": "'only' or 'skip'", "QUOTED_NAME": "a quoted name",
}


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    if name.startswith("__ANON") or name.isupper():
        return name.lower()
    return name


def _describe_token(tok: Token) -> str:
    if tok.type == "$END":
        return "end of file"
    if tok.type == "_NL":
        return "end of line"
    if tok.type == "_INDENT":
        return "indentation"
    if tok.type == "_DEDENT":
        return "end of block"
    return f"'{tok}'"


def _expected(exc: UnexpectedInput, parser: Lark) -> str:
    names = set()
    for term in sorted(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ()):
        try:
            pattern = parser.get_terminal(term).pattern
        except (KeyError, AttributeError):      # not a terminal of the grammar: $END
            pattern = None
        if pattern is not None and pattern.type == "str":
            names.add(f"'{pattern.value}'")
        else:
            names.add(_describe_terminal(term))
    names.discard("__ignore")
    if not names:
        return ""
    ordered = sorted(names)
    if len(ordered) > 8:
        ordered = ordered[:8] + ["..."]
    return "; expected " + (ordered[0] if len(ordered) == 1 else "one of " + ", ".join(ordered))


def _no_strings(span: Span) -> Diagnostic:
    return Diagnostic("SL101", "unexpected '\"': Stateline has no string literals", span,
                      hint="name values with an enum or a set of model values; the only "
                           "string is the message of an assert, on one line, without '\"' "
                           "or '#'")


def _syntax_diagnostic(exc: UnexpectedInput, path: str, text: str, parser: Lark,
                       opened: list | None = None) -> Diagnostic:
    if isinstance(exc, UnexpectedCharacters):
        ch = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else "?"
        span = Span(path, exc.line, exc.column, exc.line, exc.column + 1)
        if ch == '"':
            return _no_strings(span)
        hint = {"!": "write 'not' (and '!=' for inequality)", "&": "write 'and'",
                "|": "write 'or'"}.get(ch)
        if ch == "\\":
            tla = _tla_operator(text, exc.pos_in_stream)
            if tla is not None:
                word, spelling, back = tla
                span = Span(path, exc.line, exc.column - back, exc.line,
                            exc.column - back + len(word))
                return Diagnostic("SL101", f"'{word}' is TLA+: write {spelling}", span)
        return Diagnostic("SL101", f"unexpected character {ch!r}", span, hint=hint)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken)
                                          and exc.token.type == "$END"):
        lines = text.splitlines() or [""]
        line = len(lines)
        empty = _empty_block(text, line + 1)
        if empty is not None:
            return Diagnostic("SL109", empty[0], Span(path, empty[1], empty[2], empty[1],
                                                      empty[3]), hint=_EMPTY_HINT)
        return Diagnostic("SL103", "unexpected end of file" + _expected(exc, parser),
                          Span(path, line, max(1, len(lines[-1])), line, len(lines[-1]) + 1))
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    line = tok.line or 1
    col = tok.column or 1
    if tok.type == "MESSAGE":
        return _no_strings(Span(path, line, col, line, col + 1))
    if tok.type == "_INDENT":
        line = tok.end_line or line
        return Diagnostic("SL104", "unexpected indentation",
                          Span(path, line, 1, line, len(tok) + 1))
    end_col = (tok.end_column or col + len(tok)) if tok.end_line == tok.line else col + 1
    empty = _empty_block(text, line) if tok.type != "_INDENT" else None
    if empty is not None:
        return Diagnostic("SL109", empty[0], Span(path, empty[1], empty[2], empty[1], empty[3]),
                          hint=_EMPTY_HINT)
    if tok.type in ("_NL", "_DEDENT"):
        end_col = col + 1
    message = f"unexpected {_describe_token(tok)}" + _expected(exc, parser)
    hint = None
    prev = _previous_token(exc)
    pos = tok.start_pos if tok.start_pos is not None else -1
    if str(tok) == "=" and text[pos:pos + 2] == "=>":
        message = "'=>' is TLA+: write 'implies'"
        end_col = col + 2
    elif str(tok) == "'" and str(getattr(prev, "type", "")) == "NAME":
        message = f"'{prev}'' is TLA+: assignments are '{prev} := ...'"
        hint = "an action's assignments give the next state; there are no primed variables"
        line, col, end_col = prev.line, prev.column, col + 1
    elif str(tok) == ">" and pos > 0 and text[pos - 1] == "-":
        message = "'->' belongs in a function set '[S -> T]', an expression (the set of " \
                  "maps from S to T)"
        hint = "as a type write map[S, T]; one map is {k: v for k in S}"
        col -= 1
    elif str(tok) != "=":
        body = _multi_line_body(text, line, col, tok.type in ("_NL", "_DEDENT"))
        if body is not None:
            hint = message[0].upper() + message[1:]
            message = f"the expression of '{body}' continues on another line: wrap a " \
                      f"multi-line expression in parentheses"
    if str(tok) == "=" and not message.startswith("'=>'"):
        hint = "compare with '==', update a state variable with ':='"
    elif str(tok) in ("&", "|") and prev is not None and str(prev) == str(tok):
        hint = f"write '{'and' if str(tok) == '&' else 'or'}'"
    elif str(tok) in ("else", "elif"):
        message = f"'{tok}' without a matching 'if'"
    elif tok.type == "COLON" and prev is not None and str(prev) in ("else", "elif"):
        message = f"'{prev}' without a matching 'if'"
        line, col = prev.line, prev.column
        end_col = col + len(prev)
    return Diagnostic("SL102", message, Span(path, line, col, line, end_col), hint=hint)


_TLA = {"\\in": "'in'", "\\notin": "'not in'", "\\/": "'or'", "/\\": "'and'",
        "\\A": "'forall x in S: P'", "\\E": "'exists x in S: P'", "\\union": "'|'",
        "\\cup": "'|'", "\\intersect": "'&'", "\\cap": "'&'", "\\subseteq": "'<='",
        "\\lnot": "'not'", "\\neg": "'not'", "\\land": "'and'", "\\lor": "'or'"}


def _tla_operator(text: str, pos: int) -> tuple[str, str, int] | None:
    """A TLA+ operator at the backslash at `pos`: (its text, Stateline's spelling,
    how many characters it starts before `pos`)."""
    if pos > 0 and text[pos - 1] == "/":
        return "/\\", _TLA["/\\"], 1
    end = pos + 1
    while end < len(text) and (text[end].isalpha() or text[end] == "/") and end - pos < 12:
        end += 1
        if text[pos:end] == "\\/":
            break
    word = text[pos:end]
    return (word, _TLA[word], 0) if word in _TLA else None


_EMPTY_HINT = "a block needs at least one indented line under its header"


_BODIED = ("def", "invariant", "property", "constraint", "transition")


def _empty_block(text: str, line: int) -> tuple[str, int, int, int] | None:
    """(message, line, first col, end col) when the error at `line` (1-based; past the end
    for the end of file) comes right after a header ending in ':' whose block has no
    indented line: an empty action, handler, def or check block."""
    lines = text.splitlines()
    k = min(line, len(lines) + 1) - 2
    while k >= 0 and (not lines[k].strip() or lines[k].lstrip().startswith("#")):
        k -= 1
    if k < 0:
        return None
    header = lines[k].split("#")[0].rstrip()
    indent = len(header) - len(header.lstrip())
    words = header.split()
    opens = header.endswith(":") or header.endswith("=") and words[0] in _BODIED
    if not opens or line - 1 < len(lines) and \
            len(lines[line - 1]) - len(lines[line - 1].lstrip()) > indent:
        return None
    what = header.strip()[:-1].rstrip()
    if words[0] in _BODIED + ("action", "process", "procedure", "record"):
        what = " ".join(words[:2]).split("(")[0].split(":")[0]
    return (f"the block of '{what}' is empty", k + 1, indent + 1, len(header) + 1)


def _multi_line_body(text: str, line: int, col: int, at_line_end: bool) -> str | None:
    """The declaration ('def f', 'invariant I', ...) whose expression body the error
    at `line`:`col` is in, when that body continues on an indented line without
    parentheses: the error is at the end of a body line followed by an indented
    one, or at the start of an indented continuation line."""
    lines = text.splitlines()
    k = min(line, len(lines)) - 1
    while k > 0 and (not lines[k].strip() or lines[k][:1] in (" ", "#")):
        k -= 1
    header = lines[k].split("#")[0].rstrip() if lines else ""
    words = header.split()
    if len(words) < 2 or words[0] not in ("def", "invariant", "property", "constraint"):
        return None
    start = k + 1 if header.endswith(("=", ":")) else k     # the body's first line
    here = line - 1
    if here < start or here >= len(lines):
        return None
    if at_line_end:
        nxt = here + 1
        while nxt < len(lines) and not lines[nxt].strip():
            nxt += 1
        if nxt >= len(lines) or lines[nxt][:1] != " ":
            return None
    elif here == start or lines[here][:col - 1].strip():
        return None
    name = words[1].split("(")[0].rstrip(":=")
    return f"{words[0]} {name}"


def _previous_token(exc: UnexpectedToken) -> Token | None:
    history = getattr(exc, "token_history", None) or []
    return history[-1] if history else None


def parse_text(text: str, path: str = "<spec>", start: str = "start"):
    """Parse spec text; return an `ast.Spec` (or an expression for start='expr_only').

    Raises `SpecError` with exactly one diagnostic on the first syntax error.
    """
    if not text.endswith("\n"):
        text += "\n"
    parser = _parser(start)
    try:
        tree = parser.parse(text)
    except _IndentError as exc:
        raise SpecError(Diagnostic("SL104", exc.message,
                                   Span(path, exc.line, exc.col, exc.line, exc.end_col))) from None
    except UnexpectedInput as exc:
        opened = parser.options.postlex.open_brackets
        diag = _syntax_diagnostic(exc, path, text, parser, opened)
        closing = str(getattr(exc, "token", "")) in (")", "]", "}")  # closes it, too early
        unsupported = "TLA+" in diag.message or "not supported" in diag.message
        if opened and diag.code in ("SL102", "SL103") and not closing and not unsupported:
            b = opened[-1]
            diag = dataclasses.replace(diag, notes=diag.notes + (
                f"the '{b}' at line {b.line}, column {b.column} is not closed",))
        raise SpecError(diag) from None
    except LarkError as exc:  # any other lark failure is still a syntax error, not a crash
        raise SpecError(Diagnostic("SL102", f"cannot parse: {exc}", Span(path, 1, 1))) from None
    check_nesting(tree, path)
    try:
        return Builder(path).transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, SpecError):
            raise exc.orig_exc from None
        raise


def decode_source(data: bytes, path: str) -> str:
    """Bytes of a spec file -> text, or SL100 naming the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise SpecError(Diagnostic("SL100", f"invalid UTF-8 byte 0x{data[exc.start]:02x}",
                                   Span(path, line, col, line, col + 1))) from None


def parse(text: str, path: str = "<spec>") -> A.Spec:
    return parse_text(text, path)


def parse_expr(text: str, path: str) -> A.Expr:
    """Parse a standalone expression (a -D override value)."""
    return parse_text(text, path, start="expr_only")
