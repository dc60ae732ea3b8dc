"""The language features over an `Analysis`, in the Language Server Protocol's types.

Positions: Stateline spans are 1-based lines and columns counted in characters;
LSP positions are 0-based lines and characters counted in UTF-16 code units
(the protocol's default encoding), converted here line by line.
"""

from __future__ import annotations

from lsprotocol import types as T

from ..diagnostics import Diagnostic, Span, SpecError
from ..lang.fmt import FormatError, format_text
from ..lang.symbols import BUILTINS, Symbol
from .analysis import Analysis, type_of

SOURCE = "stateline"

_SYMBOL_KINDS = {
    "constant": T.SymbolKind.Constant, "model value": T.SymbolKind.EnumMember,
    "enum": T.SymbolKind.Enum, "enum member": T.SymbolKind.EnumMember,
    "record": T.SymbolKind.Struct, "message": T.SymbolKind.Struct,
    "variable": T.SymbolKind.Variable, "definition": T.SymbolKind.Function,
    "process": T.SymbolKind.Class, "action": T.SymbolKind.Method,
    "handler": T.SymbolKind.Event, "procedure": T.SymbolKind.Function,
    "invariant": T.SymbolKind.Boolean,
    "transition": T.SymbolKind.Boolean, "property": T.SymbolKind.Boolean,
    "constraint": T.SymbolKind.Boolean, "check": T.SymbolKind.Module,
    "history": T.SymbolKind.Array, "parameter": T.SymbolKind.Variable,
    "local": T.SymbolKind.Variable,
}
_COMPLETION_KINDS = {
    "constant": T.CompletionItemKind.Constant, "model value": T.CompletionItemKind.EnumMember,
    "enum": T.CompletionItemKind.Enum, "enum member": T.CompletionItemKind.EnumMember,
    "record": T.CompletionItemKind.Struct, "message": T.CompletionItemKind.Struct,
    "variable": T.CompletionItemKind.Variable, "definition": T.CompletionItemKind.Function,
    "process": T.CompletionItemKind.Class, "action": T.CompletionItemKind.Method,
    "handler": T.CompletionItemKind.Event, "procedure": T.CompletionItemKind.Function,
    "invariant": T.CompletionItemKind.Property,
    "transition": T.CompletionItemKind.Property, "property": T.CompletionItemKind.Property,
    "constraint": T.CompletionItemKind.Property, "history": T.CompletionItemKind.Variable,
    "parameter": T.CompletionItemKind.Variable, "local": T.CompletionItemKind.Variable,
}


# ---- positions ------------------------------------------------------------------------

def _units(line: str, chars: int) -> int:
    return len(line[:chars].encode("utf-16-le")) // 2


def _chars(line: str, units: int) -> int:
    count = 0
    for i, ch in enumerate(line):
        if count >= units:
            return i
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


def position(lines: list[str], line: int, col: int) -> T.Position:
    """A 1-based (line, column) as an LSP position."""
    if line < 1:
        return T.Position(0, 0)
    text = lines[line - 1] if line <= len(lines) else ""
    return T.Position(line - 1, _units(text, col - 1))


def from_position(lines: list[str], pos: T.Position) -> tuple[int, int]:
    """An LSP position as a 1-based (line, column)."""
    text = lines[pos.line] if pos.line < len(lines) else ""
    return pos.line + 1, _chars(text, pos.character) + 1


def span_range(lines: list[str], span: Span | None) -> T.Range:
    if span is None or span.line < 1:
        return T.Range(T.Position(0, 0), T.Position(0, 0))
    start = position(lines, span.line, span.col)
    if span.end_line and (span.end_line, span.end_col) > (span.line, span.col):
        end = position(lines, span.end_line, span.end_col)
    else:
        end = position(lines, span.line, span.col + 1)    # one character, as the caret
    return T.Range(start, end)


def lines_range(lines: list[str], first: int, last: int) -> T.Range:
    end = lines[last - 1] if 0 < last <= len(lines) else ""
    return T.Range(T.Position(first - 1, 0), T.Position(last - 1, _units(end, len(end))))


# ---- diagnostics ----------------------------------------------------------------------

def diagnostic(lines: list[str], d: Diagnostic,
               severity: T.DiagnosticSeverity = T.DiagnosticSeverity.Error) -> T.Diagnostic:
    """A Stateline diagnostic: the same code and span as `stateline parse` prints."""
    message = d.message
    if d.hint:
        message += f"\nhint: {d.hint}"
    message += "".join(f"\nnote: {n}" for n in d.notes)
    return T.Diagnostic(range=span_range(lines, d.span), message=message, severity=severity,
                        code=d.code, source=SOURCE)


def diagnostics(a: Analysis, uri: str) -> list[T.Diagnostic]:
    lines = a.lines
    return [diagnostic(lines, d) for d in a.diagnostics
            if d.span is None or d.span.path == a.path]


# ---- names ----------------------------------------------------------------------------

def symbol_at(a: Analysis, pos: T.Position):
    if a.index is None:
        return None
    line, col = from_position(a.lines, pos)
    return a.index.at(line, col)


def declaration_text(a: Analysis, sym: Symbol, most: int = 6) -> str:
    """The source lines that declare a symbol (the first `most` of them)."""
    lines = a.lines
    if sym.kind in ("parameter", "local") or sym.extent == (0, 0):
        first = last = sym.span.line
    else:
        first, last = sym.extent
        if sym.kind == "process":
            last = first
    shown = lines[first - 1:min(last, first + most - 1)]
    indent = min((len(x) - len(x.lstrip()) for x in shown if x.strip()), default=0)
    text = "\n".join(x[indent:] for x in shown)
    return text + ("\n..." if last > first + most - 1 else "")


def hover(a: Analysis, pos: T.Position) -> T.Hover | None:
    ref = symbol_at(a, pos)
    if ref is None:
        return None
    sym = ref.symbol
    where = f"{sym.container}." if sym.container else ""
    head = f"**{sym.kind}** `{where}{sym.name}`"
    t = type_of(a, sym)
    if t is not None and sym.kind not in ("enum", "process", "record", "message"):
        head += f": `{t}`"
    head += f" — declared at line {sym.span.line}"
    value = f"{head}\n\n```stateline\n{declaration_text(a, sym)}\n```"
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=value),
                   range=span_range(a.lines, ref.span))


def definition(a: Analysis, uri: str, pos: T.Position) -> T.Location | None:
    ref = symbol_at(a, pos)
    if ref is None:
        return None
    return T.Location(uri, span_range(a.lines, ref.symbol.span))


def references(a: Analysis, uri: str, pos: T.Position, include_declaration: bool):
    ref = symbol_at(a, pos)
    if ref is None:
        return None
    sym = ref.symbol
    return [T.Location(uri, span_range(a.lines, s)) for s in a.index.uses(sym)
            if include_declaration or s != sym.span]


def completion(a: Analysis, pos: T.Position) -> T.CompletionList:
    items = []
    if a.index is not None:
        line, _ = from_position(a.lines, pos)
        for sym in a.index.in_scope(line):
            where = f"{sym.container}." if sym.container else ""
            items.append(T.CompletionItem(
                label=sym.name, kind=_COMPLETION_KINDS.get(sym.kind),
                detail=f"{sym.kind} {where}{sym.name}", sort_text=f"0{sym.name}"))
    known = {i.label for i in items}
    for name in BUILTINS:
        if name not in known:
            items.append(T.CompletionItem(label=name, kind=T.CompletionItemKind.Keyword,
                                          detail="built-in", sort_text=f"1{name}"))
    return T.CompletionList(is_incomplete=False, items=items)


def document_symbols(a: Analysis) -> list[T.DocumentSymbol]:
    if a.index is None:
        return []
    lines = a.lines

    def one(sym: Symbol) -> T.DocumentSymbol:
        first, last = sym.extent if sym.extent != (0, 0) else (sym.span.line, sym.span.line)
        first = min(first, sym.span.line)
        whole = lines_range(lines, first, max(last, sym.span.line))
        whole = T.Range(T.Position(whole.start.line, 0), whole.end)
        children = [one(c) for c in sym.children if c.kind != "parameter"]
        return T.DocumentSymbol(name=sym.name, kind=_SYMBOL_KINDS[sym.kind], range=whole,
                                selection_range=span_range(lines, sym.span), detail=sym.kind,
                                children=children or None)

    return [one(s) for s in a.index.symbols]


def formatting(a: Analysis) -> list[T.TextEdit] | None:
    """`stateline fmt` of the buffer as one edit; None when it does not parse."""
    try:
        formatted = format_text(a.text, a.path)
    except (SpecError, FormatError, RecursionError):
        return None
    if formatted == a.text:
        return []
    lines = a.lines
    end = T.Position(len(lines), 0)
    if a.text and not a.text.endswith("\n"):
        end = T.Position(len(lines) - 1, _units(lines[-1], len(lines[-1])))
    return [T.TextEdit(T.Range(T.Position(0, 0), end), formatted)]


def code_lenses(a: Analysis, uri: str) -> list[T.CodeLens]:
    """"check" and "prove" above each check block."""
    if a.index is None:
        return []
    out = []
    for sym in a.index.symbols:
        if sym.kind != "check":
            continue
        where = T.Range(T.Position(sym.span.line - 1, 0), T.Position(sym.span.line - 1, 0))
        for title, command in (("check", "stateline.check"), ("prove", "stateline.prove")):
            out.append(T.CodeLens(range=where, command=T.Command(
                title=title, command=command, arguments=[uri, sym.name])))
    return out
