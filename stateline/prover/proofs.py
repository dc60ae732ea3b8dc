"""Proof files: lemmas and ranking functions for a spec, in the spec's expression syntax.

    # comments as in specs
    proof Paxos                          the spec this proof is for (its `spec` name)
    prove Agreement                      optional: the invariants proved (default: all)
    any size Acceptors, Values           optional: prove for every size of these constants
    lemma VotesProposed:                 a state predicate, one logical line; it may
        forall m in sent(Accepted):      continue on indented lines
            Accept(m.bal, m.val) in sent(Accept)
    rank Progress: 3 - len(sent(Commit)) helps TM.commit, RM.prepare

Each declaration starts in column 1; indented lines continue it.  Expressions
are parsed by the spec grammar (`lang.parse.parse_expr`) and type-checked by
the spec's own `ExprChecker` as if they were invariants of the spec, so they
can use its constants, definitions, state variables and `sent(...)`.  Errors
are `path:line:col` diagnostics (`LoadError`), like errors in a spec.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Span, SpecError, did_you_mean
from ..lang import ir
from ..lang.load import LoadedSpec, LoadError, read_source
from ..lang.parse import parse_expr
from ..lang.typecheck import ExprChecker
from ..lang.types import BoolT, IntT

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_HEAD = re.compile(rf"(proof|prove|lemma|rank)\b[ \t]*({_NAME})?")
_ANY = re.compile(r"any[ \t]+size\b")
_HELPS = re.compile(r"\bhelps\b")


@dataclass(frozen=True)
class Lemma:
    name: str
    expr: ir.E
    span: Span


@dataclass(frozen=True)
class Rank:
    name: str               # the temporal property it is for
    expr: ir.E              # an integer expression
    helps: tuple[str, ...]  # helpful actions, "Process.action" or "action"
    span: Span


@dataclass(frozen=True)
class Proof:
    path: str
    spec: str
    targets: tuple[str, ...] | None     # None: every invariant of the spec
    lemmas: tuple[Lemma, ...]
    ranks: tuple[Rank, ...]
    source: str = ""
    any_size: tuple[str, ...] | None = None     # `any size A, B`: sorts of every size

    def without(self, name: str) -> "Proof":
        """The same proof with one lemma removed."""
        return dataclasses.replace(self, lemmas=tuple(x for x in self.lemmas if x.name != name))


def load_proof(path: str, loaded: LoadedSpec) -> Proof:
    return load_proof_text(read_source(path), path, loaded)


def load_proof_text(text: str, path: str, loaded: LoadedSpec) -> Proof:
    try:
        return _Reader(text, path, loaded).read()
    except SpecError as exc:
        raise LoadError(exc.diagnostics, {path: text, loaded.path: loaded.source}) from None


def _err(code: str, message: str, span: Span, hint: str | None = None):
    raise SpecError(Diagnostic(code, message, span, hint=hint))


class _Reader:
    def __init__(self, text: str, path: str, loaded: LoadedSpec):
        self.text, self.path, self.loaded = text, path, loaded
        self.lines = text.splitlines()
        self.checker = ExprChecker(loaded.resolved)

    def declarations(self):
        """(line number, [lines]) of each declaration, continuation lines included."""
        decl = None
        for n, line in enumerate(self.lines, 1):
            stripped = line.strip()
            if line[:1] not in (" ", "\t") and stripped and not stripped.startswith("#"):
                if decl is not None:
                    yield decl
                decl = (n, [line])
            elif decl is not None:
                decl[1].append(line)
            elif stripped and not stripped.startswith("#"):
                _err("SL104", "unexpected indentation", Span(self.path, n, 1, n, 2))
        if decl is not None:
            yield decl

    def read(self) -> Proof:
        spec_name, targets, lemmas, ranks = None, None, [], []
        seen: dict[str, Span] = {}
        props = {p.name: p for p in self.loaded.typed.properties}
        any_size = None
        for n, lines in self.declarations():
            a = _ANY.match(lines[0])
            if a is not None and spec_name is not None:
                any_size = tuple(any_size or ()) + self.sorts(lines[0][a.end():], n,
                                                              a.end() + 1)
                continue
            m = _HEAD.match(lines[0])
            if m is None:
                word = lines[0].split()[0]
                _err("SL102", f"unexpected '{word}' in a proof file; expected 'proof', "
                              f"'prove', 'any size', 'lemma' or 'rank'",
                     Span(self.path, n, 1, n, len(word) + 1))
            kind, name = m.group(1), m.group(2)
            at = Span(self.path, n, 1, n, len(kind) + 1)
            if name is None:
                _err("SL102", f"'{kind}' needs a name", at)
            name_span = Span(self.path, n, m.start(2) + 1, n, m.end(2) + 1)
            if kind == "proof":
                if spec_name is not None:
                    _err("SL202", "a proof file has one 'proof' header", at)
                if name != self.loaded.typed.name:
                    _err("SL201", f"this proof is for spec '{name}', but "
                                  f"{self.loaded.path} is spec '{self.loaded.typed.name}'",
                         name_span)
                spec_name = name
                continue
            if spec_name is None:
                _err("SL208", "a proof file starts with 'proof SPEC'", at)
            if kind == "prove":
                rest = lines[0][m.start(2):]
                targets = tuple(targets or ()) + self.targets(rest, n, m.start(2) + 1, props)
                continue
            scope = {}
            if kind == "rank":
                prop = props.get(name)
                if prop is None or prop.kind != "temporal":
                    temporal = [p for p, x in props.items() if x.kind == "temporal"]
                    _err("SL206", f"'rank {name}': the spec has no temporal property "
                                  f"'{name}'", name_span, hint=did_you_mean(name, temporal))
                scope = {local.name: local for local, _ in prop.temporal.binders}
                name_key = ("rank", name)
            else:
                name_key = name
                if name in props:
                    raise SpecError(Diagnostic("SL202", f"'{name}' is already defined",
                                               name_span,
                                               notes=(f"first defined at {props[name].span}",)))
            if name_key in seen:
                raise SpecError(Diagnostic("SL202", f"'{kind} {name}' is given twice", name_span,
                                           notes=(f"first given at {seen[name_key]}",)))
            seen[name_key] = name_span
            colon = lines[0].find(":", m.end())
            if colon < 0 or lines[0][m.end():colon].strip():
                _err("SL102", f"expected ':' after '{kind} {name}'",
                     Span(self.path, n, m.end() + 1, n, m.end() + 2))
            helps: tuple[str, ...] = ()
            body = [lines[0][colon + 1:]] + lines[1:]
            if kind == "rank":
                body, helps = self.split_helps(body, n, name_span)
            expr = self.expression(body, n, colon + 2, name)
            if kind == "lemma":
                lemmas.append(Lemma(name, self.typed(expr, BoolT, "a lemma"), name_span))
            else:
                ranks.append(Rank(name, self.typed(expr, IntT, "a ranking function", scope),
                                  helps, name_span))
        if spec_name is None:
            _err("SL208", "a proof file starts with 'proof SPEC'", Span(self.path, 1, 1))
        return Proof(self.path, spec_name, targets, tuple(lemmas), tuple(ranks), self.text,
                     any_size)

    def sorts(self, rest: str, n: int, col: int) -> tuple[str, ...]:
        """`any size A, B`: constants whose elements become sorts of every size."""
        out = []
        consts = {c.name for c in self.loaded.typed.consts}
        for part in rest.split("#", 1)[0].split(","):
            name = part.strip()
            start = col + rest.index(part) + (len(part) - len(part.lstrip()))
            span = Span(self.path, n, start, n, start + max(1, len(name)))
            if name not in consts:
                _err("SL201", f"'any size {name}': the spec has no constant '{name}'", span,
                     hint=did_you_mean(name, consts))
            out.append(name)
        return tuple(out)

    def targets(self, rest: str, n: int, col: int, props) -> tuple[str, ...]:
        out = []
        for part in rest.split("#", 1)[0].split(","):
            name = part.strip()
            start = col + rest.index(part) + (len(part) - len(part.lstrip()))
            span = Span(self.path, n, start, n, start + len(name))
            if not re.fullmatch(_NAME, name):
                _err("SL102", f"expected an invariant's name, got '{name}'", span)
            if name not in props or props[name].kind not in ("invariant", "transition"):
                invs = [p for p, x in props.items() if x.kind in ("invariant", "transition")]
                _err("SL206", f"'prove {name}': the spec has no invariant '{name}'", span,
                     hint=did_you_mean(name, invs))
            out.append(name)
        return tuple(out)

    def split_helps(self, body: list[str], n: int, span: Span):
        joined = "\n".join(body)
        hits = list(_HELPS.finditer(joined))
        if not hits:
            _err("SL102", "a ranking function names its helpful actions: "
                          "rank NAME: EXPR helps ACTION, ...", span)
        h = hits[-1]
        actions = tuple(a.strip() for a in joined[h.end():].split("#", 1)[0].split(",")
                        if a.strip())
        if not actions:
            _err("SL102", "'helps' needs at least one action", span)
        return joined[:h.start()].split("\n"), actions

    def expression(self, body: list[str], line: int, col: int, name: str):
        """Parse the expression text of a declaration, keeping its file positions."""
        first = body[0]
        if first.strip():
            lead = len(first) - len(first.lstrip())
            start_line, start_col, rest = line, col + lead, [first.lstrip()] + body[1:]
        else:
            k = next((i for i, b in enumerate(body) if b.strip() and
                      not b.strip().startswith("#")), None)
            if k is None:
                _err("SL103", f"'{name}' has no expression", Span(self.path, line, col))
            text = body[k]
            lead = len(text) - len(text.lstrip())
            start_line, start_col, rest = line + k, lead + 1, [text.lstrip()] + body[k + 1:]
        # One bracket around the expression lets it span lines; the padding keeps
        # every token at its position in the file, so diagnostics point into it.
        padded = "\n" * (start_line - 1) + "(" + " " * (start_col - 2) + "\n".join(rest) + "\n)"
        return parse_expr(padded, self.path)

    def typed(self, expr, want, what: str, scope: dict | None = None) -> ir.E:
        c = self.checker
        with c.context(scopes=[dict(scope or {})], process=None, self_local=None, state_ok=True,
                       state_why="", prime_ok=False, priming=False, enabled_ok=True):
            e = c.infer(expr)
        if not isinstance(e.type, want):
            code = "SL307" if want is BoolT else "SL303"
            _err(code, f"{what} must be {'a boolean' if want is BoolT else 'an integer'}, "
                       f"got {e.type}", expr.span)
        return e
