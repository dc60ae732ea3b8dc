"""`lang.symbols`: the name index the language server answers from.

Cross-checked against the type checker on every spec of the library: each name
the type checker resolved (a local, a state variable, a constant, an enum
member or model value, in the typed IR) is a reference in the index to a symbol
of the same name and kind, declared where the declaration is; and every name in
the syntax tree is resolved, but for the built-ins and the fresh model values a
check block binds.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from stateline.lang import ast as A
from stateline.lang import ir
from stateline.lang.load import load_spec
from stateline.lang.symbols import BUILTINS, index

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs").rglob("*.sl"))


def _ir_names(typed: ir.TypedSpec):
    roots = [c.value for c in typed.consts] + [v.init for v in typed.variables]
    for a in typed.actions:
        roots += [d for _, d in a.params] + ([a.guard] if a.guard is not None else [])
        roots += list(a.body)
    for p in typed.properties:
        roots.append(p.expr)
        if p.temporal is not None:
            roots += [v for v in vars(p.temporal).values() if isinstance(v, ir.E)]
    seen, stack = set(), roots
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, (ir.LocalRef, ir.VarRef, ir.ConstRef, ir.AtomC)) and n.span.line > 0:
            yield n
        stack.extend(ir.children(n))


def _ast_names(node, out, kinds=(A.Name,)):
    if isinstance(node, kinds):
        out.append(node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            _ast_names(getattr(node, f.name), out, kinds)
    elif isinstance(node, tuple):
        for x in node:
            _ast_names(x, out, kinds)
    return out


@pytest.mark.parametrize("path", LIBRARY)
def test_index_agrees_with_the_type_checker(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    loaded = load_spec(path)
    ix = index(loaded.spec, loaded.source)
    names = {(x.span.line, x.span.col, x.span.end_line, x.span.end_col):
             x.id if isinstance(x, A.Name) else x.name
             for x in _ast_names(loaded.spec, [], (A.Name, A.Attr))}
    checked = 0
    for n in _ir_names(loaded.typed):
        span = n.span
        if names.get((span.line, span.col, span.end_line, span.end_col)) != \
                getattr(n, "local", getattr(n, "var", n)).name:
            continue        # a node the elaborator made (desugared statements, crashes)
        if isinstance(n, ir.VarRef):
            # `Proc[i].x` is one node spanning the whole path: its name ends the span
            ref = ix.at(span.end_line, span.end_col - 1) if span.end_line else \
                ix.at(span.line, span.col)
            assert ref is not None, (path, span, n.var.qualname)
            kind = "history" if n.var.name in loaded.typed.histories else "variable"
            assert (ref.symbol.kind, ref.symbol.name, ref.symbol.container) == \
                (kind, n.var.name, n.var.process), (path, span)
            assert ref.symbol.span == n.var.span
        else:
            ref = ix.at(span.line, span.col)
            assert ref is not None, (path, span, type(n).__name__)
            sym = ref.symbol
            if isinstance(n, ir.LocalRef):
                assert sym.kind in ("parameter", "local") and sym.name == n.local.name
            elif isinstance(n, ir.ConstRef):
                assert (sym.kind, sym.name) == ("constant", n.name)
            else:
                assert sym.kind in ("enum member", "model value") and sym.name == n.name
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("path", LIBRARY)
def test_every_name_is_resolved(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    loaded = load_spec(path)
    ix = index(loaded.spec, loaded.source)
    bound_in_checks = set()
    for d in loaded.spec.decls:
        if isinstance(d, A.Check):
            for _, value in d.bindings:
                bound_in_checks.update(id(x) for x in _ast_names(value, []))
    for n in _ast_names(loaded.spec, []):
        if n.id in BUILTINS or id(n) in bound_in_checks:
            continue
        ref = ix.at(n.span.line, n.span.col)
        assert ref is not None and ref.symbol.name == n.id, (path, n.id, n.span)


def test_locals_shadow_and_scopes_end():
    text = """spec Shadow
const N = 2
var x: 0..N = 0
def Big(x) = x > 1
invariant I: forall x in 0..N: x >= 0
action a(y in 0..N):
    let z = y + x
    x := z % 3
"""
    from stateline.lang.parse import parse
    ix = index(parse(text, "s.sl"), text)

    def kind_at(line, col):
        ref = ix.at(line, col)
        return (ref.symbol.kind, ref.symbol.span.line, ref.symbol.span.col)

    assert kind_at(4, 14) == ("parameter", 4, 9)          # Big's x
    assert kind_at(5, 32) == ("local", 5, 21)             # the quantifier's x
    assert kind_at(7, 17) == ("variable", 3, 5)           # the state variable x
    assert kind_at(8, 5) == ("variable", 3, 5)
    assert kind_at(8, 10) == ("local", 7, 9)              # let z
    assert [s.name for s in ix.in_scope(7)] == ["Big", "I", "N", "a", "x", "y", "z"]
    assert [s.name for s in ix.in_scope(5)] == ["Big", "I", "N", "a", "x"]
    assert ix.in_scope(5)[-1].kind == "local"              # x of the quantifier hides var x
    assert [s.line for s in ix.uses(ix.at(3, 5).symbol)] == [3, 7, 8]
