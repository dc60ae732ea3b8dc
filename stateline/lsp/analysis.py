"""One editor buffer through the front end: diagnostics, the name index, types.

`analyse(text, path)` runs what `stateline parse` runs (parse, resolve, type
check: `lang.load.load_text`), so the editor shows the same codes at the same
spans.  The syntax tree, the index of names (`lang.symbols`) and the type of
every name use the type checker inferred are kept for hovers; a buffer that no
longer parses keeps its last good index for completion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, SpecError
from ..lang import ast as A
from ..lang import ir
from ..lang.declared import Poisoned
from ..lang.elaborate import Elaborator
from ..lang.load import LoadedSpec, LoadError, load_text
from ..lang.parse import parse
from ..lang.resolve import resolve
from ..lang.typecheck import ExprChecker
from ..lang.symbols import Index, Symbol, index
from ..lang.types import Type


@dataclass
class Analysis:
    path: str
    text: str
    diagnostics: list[Diagnostic]
    spec: A.Spec | None = None            # None: the text does not parse
    index: Index | None = None
    loaded: LoadedSpec | None = None      # None: the spec has errors
    types: dict[tuple[int, int, int, int], Type] = field(default_factory=dict)
    # A spec with errors: the type checker of its declarations (the types of the
    # variables and constants that have none of the errors).
    declared: ExprChecker | None = None

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


def analyse(text: str, path: str) -> Analysis:
    try:
        loaded = load_text(text, path)
    except LoadError as exc:
        result = Analysis(path, text, list(exc.diagnostics))
        try:
            result.spec = parse(text, path)
            elaborator = Elaborator(resolve(result.spec))
            result.declared = elaborator.c
            elaborator.run()
        except (SpecError, Poisoned, RecursionError):
            if result.spec is None:
                return result
    except RecursionError:
        return Analysis(path, text, [Diagnostic("SL405", "the input is too deeply nested")])
    else:
        result = Analysis(path, text, [], loaded.spec, loaded=loaded)
        result.types = expression_types(loaded.typed)
    result.index = index(result.spec, text)
    return result


def _key(span) -> tuple[int, int, int, int]:
    return (span.line, span.col, span.end_line, span.end_col)


def expression_types(typed: ir.TypedSpec) -> dict[tuple[int, int, int, int], Type]:
    """The type of every name use the type checker resolved, by its span."""
    out: dict[tuple[int, int, int, int], Type] = {}
    roots: list = [c.value for c in typed.consts]
    roots += [v.init for v in typed.variables]
    for a in typed.actions:
        roots += [d for _, d in a.params]
        roots += [x for x in (a.guard,) if x is not None]
        roots += list(a.body)
    for p in typed.properties:
        roots.append(p.expr)
        if p.temporal is not None:
            roots += [v for v in vars(p.temporal).values() if isinstance(v, ir.E)]
    seen: set[int] = set()
    stack = roots
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, (ir.LocalRef, ir.VarRef, ir.ConstRef, ir.AtomC)) and \
                node.span is not None and node.span.line > 0:
            out.setdefault(_key(node.span), node.type)
        stack.extend(ir.children(node))
    for c in typed.consts:
        out.setdefault(_key(c.span), c.type)
    for v in typed.variables:
        span = getattr(v, "span", None)
        if span is not None:
            out.setdefault(_key(span), v.type)
    return out


def type_of(analysis: Analysis, symbol: Symbol) -> Type | None:
    """The type of a symbol: at its declaration, or at any of its uses."""
    if analysis.index is None:
        return None
    for span in [symbol.span] + analysis.index.uses(symbol):
        t = analysis.types.get(_key(span))
        if t is not None:
            return t
    c = analysis.declared
    if c is not None and symbol.kind in ("variable", "constant", "history"):
        try:
            if symbol.kind == "constant":
                return c.const(symbol.name).type
            return c.var(symbol.container, symbol.name).type
        except (SpecError, Poisoned, KeyError, RecursionError):
            return None         # the declaration itself has an error
    return None
