"""`--sarif FILE`: failed expectations as SARIF 2.1.0, located in the spec files."""

from __future__ import annotations

from ..diagnostics import SpecError
from ..lang import ast as A
from ..lang.parse import parse
from ..render import sarif
from . import outputs


def add_arguments(parser) -> None:
    parser.add_argument("--sarif", metavar="FILE",
                        help="write failed expectations as SARIF 2.1.0 (code scanning)")


def write(results, exit_code: int, args, console) -> bool:
    if not args.sarif:
        return True
    return outputs.write(args.sarif, sarif.dumps(results, exit_code, SpecLocator()), console)


class SpecLocator:
    """`sarif.Locator` over the syntax trees of the spec files (parsed once each)."""

    def __init__(self):
        self._specs: dict[str, A.Spec | None] = {}

    def _spec(self, path: str) -> A.Spec | None:
        if path not in self._specs:
            try:
                with open(path, encoding="utf-8") as f:
                    self._specs[path] = parse(f.read(), path)
            except (OSError, UnicodeDecodeError, SpecError):
                self._specs[path] = None      # results then point at line 1
        return self._specs[path]

    def _check(self, r) -> A.Check | None:
        spec = self._spec(r.path)
        if spec is None:
            return None
        return next((d for d in spec.decls if isinstance(d, A.Check) and d.name == r.check),
                    None)

    def property(self, r, prop: str):
        spec = self._spec(r.path)
        if spec is None:
            return None
        for d in spec.decls:
            if isinstance(d, (A.Invariant, A.Transition, A.Property)) and d.name == prop:
                return d.span
        check = self._check(r)        # deadlock freedom: the check block that runs it
        return check.span if check is not None else spec.span

    def expect(self, r, prop: str):
        check = self._check(r)
        if check is None:
            return None
        return next((e.prop_span for e in check.expects if e.prop == prop), None)

    def action(self, r, step):
        spec = self._spec(r.path)
        if spec is None:
            return None
        members = spec.decls
        if step.process is not None:
            proc = next((d for d in spec.decls if isinstance(d, A.Process)
                         and d.name == step.process), None)
            if proc is None:
                return None
            members = proc.members
        for m in members:
            if isinstance(m, A.Action) and m.name == step.action or \
                    isinstance(m, A.Handler) and f"on {m.message}" == step.action:
                return m.span
        return None
