"""Reading a spec file through every front-end phase, and -D overrides.

`load_spec(path)` runs parse -> resolve -> typecheck and returns a
`LoadedSpec`, or raises `SpecError` carrying every diagnostic (and the
sources needed to render them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..diagnostics import Diagnostic, Span, SpecError, did_you_mean
from . import ast as A
from . import ir
from .elaborate import check_binding, typecheck
from .parse import decode_source, parse, parse_expr
from .resolve import Resolved, resolve
from .typecheck import ExprChecker


class LoadError(SpecError):
    """A SpecError that knows the texts its diagnostics point into."""

    def __init__(self, diagnostics, sources: dict[str, str]):
        super().__init__(diagnostics)
        self.sources = sources


@dataclass(frozen=True)
class LoadedSpec:
    path: str
    source: str
    spec: A.Spec
    resolved: Resolved = field(compare=False)
    typed: ir.TypedSpec = field(compare=False)


def load_text(text: str, path: str) -> LoadedSpec:
    try:
        spec = parse(text, path)
        resolved = resolve(spec)
        typed = typecheck(resolved)
    except SpecError as exc:
        raise LoadError(exc.diagnostics, {path: text}) from None
    return LoadedSpec(path, text, spec, resolved, typed)


def read_source(path: str) -> str:
    """The text of a spec-language file (a spec or a proof), or LoadError."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise LoadError([Diagnostic("SL504", f"cannot read '{path}': {exc.strerror}")],
                        {}) from None
    try:
        return decode_source(data, path)
    except SpecError as exc:
        raise LoadError(exc.diagnostics, {path: data.decode("utf-8", "replace")}) from None


def load_spec(path: str) -> LoadedSpec:
    return load_text(read_source(path), path)


_OVERRIDE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)\Z", re.S)


def parse_override(loaded: LoadedSpec, arg: str) -> tuple[str, ir.E]:
    """`NAME=VALUE` from the command line -> (constant, typed value)."""
    m = _OVERRIDE.match(arg)
    if not m:
        raise LoadError([Diagnostic("SL501", f"-D expects NAME=VALUE, got '{arg}'",
                                    Span("-D", 1, 1, 1, len(arg) + 1))], {"-D": arg})
    name, value = m.group(1), m.group(2)
    path = f"-D {name}"
    sources = {path: value}
    if name not in loaded.resolved.consts:
        consts = sorted(loaded.resolved.consts)
        start = arg.index(name) + 1
        raise LoadError([Diagnostic(
            "SL502", f"-D {name}: {loaded.path} declares no constant '{name}'",
            Span("-D", 1, start, 1, start + len(name)),
            hint=did_you_mean(name, consts) or (
                "its constants are " + ", ".join(consts) if consts else "it has no constants"))],
            {"-D": arg})
    try:
        expr = parse_expr(value, path)
    except SpecError as exc:
        d = exc.diagnostics[0]
        raise LoadError([Diagnostic("SL501", f"-D {name}: {d.message}", d.span, d.hint)],
                        sources) from None
    try:
        return name, check_binding(ExprChecker(loaded.resolved), name, expr, "SL503")
    except SpecError as exc:
        diags = [Diagnostic("SL503", d.message, d.span or Span(path, 1, 1), d.hint)
                 for d in exc.diagnostics]
        raise LoadError(diags, sources) from None


def parse_state_expr(loaded: LoadedSpec, text: str, path: str = "<expression>") -> ir.E:
    """An expression over the spec's constants and state (as in an invariant), typed;
    LoadError with its diagnostics (pointing into `text`) when it does not parse or type."""
    sources = {path: text}
    try:
        expr = parse_expr(text, path)
        checker = ExprChecker(loaded.resolved)
        # the spec's own variables (compiled code finds a variable by its symbol)
        checker._vars.update({(v.process, v.name): v for v in loaded.typed.variables})
        with checker.context(scopes=[{}], process=None, self_local=None, state_ok=True,
                             state_why="", prime_ok=False, priming=False, enabled_ok=True):
            return checker.infer(expr)
    except SpecError as exc:
        raise LoadError(exc.diagnostics, sources) from None
