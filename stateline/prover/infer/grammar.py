"""The template grammar of `--infer`: quantified variables, terms and atoms over a spec.

Everything is spec-language text, type-checked later by the spec's own checker, so a
lemma found is printed exactly as it was evaluated and proved.

* A *domain* is what a variable is quantified over: a set constant (`RMs`, `Procs`,
  `Ballots`), `sent(K)` for a message kind K with fields, or every value of a record
  whose fields are all sets or ranges (`{Event(x, y) for x in Procs for y in
  1..MaxEvents}`).
* A *term* has a *sort*: an enum or model-value sort, a record name, a set constant
  naming an integer set (`RMs`), `int` for other integers, `bool`, or `set:X` for a
  set of X.  Terms are the variables, their fields (two levels), global variables, map
  reads and process variables indexed by a term of the right sort (`RM[r].state`,
  `stamp[m.ev]`, `Node[e.proc].count`), and `len(...)` of a set without variables.
* An *atom* is a boolean over terms: a boolean term; `t == C` for each enum constant;
  `t == u` for terms of one sort; `t <= u` and `t == u` for integers; `t in S` and
  `S <= T` for sets; `len(sent(K)) > 0`; `K(t1, ..., tn) in sent(K)` with arguments
  built from the variables.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from ...lang import ir
from ...lang.types import AtomT, BoolT, IntT, MapT, OptionT, RecordT, SetT

_SET_OF = re.compile(r"set\[\s*([A-Za-z_]\w*)\s*\]$")
_NAME = re.compile(r"[A-Za-z_]\w*$")


@dataclass(frozen=True)
class Domain:
    text: str        # what `forall x in TEXT` reads
    sort: str        # the sort of its elements
    kind: str        # "const" | "sent" | "record"
    message: str = ""   # for "sent": the message kind


@dataclass(frozen=True)
class Var:
    name: str
    domain: Domain


@dataclass(frozen=True)
class Term:
    text: str
    sort: str
    vars: frozenset          # names of the quantified variables it mentions
    state: bool              # reads the state
    pure: bool = False       # a variable or its fields (message arguments)
    low: str = ""            # an integer declared `A..B`: A
    index: str = ""          # a process variable `P[i].v`: the index term i


@dataclass(frozen=True)
class Atom:
    text: str
    vars: frozenset
    group: str = ""          # `t == C` for an enum constant C: the term t ...
    group_size: int = 0      # ... and how many constants the enum has


class Grammar:
    """The sorts, domains and terms of one spec."""

    def __init__(self, loaded):
        self.typed = loaded.typed
        self.source = loaded.source.splitlines()
        self.taken = _global_names(loaded)
        self.consts = {c.name: c for c in self.typed.consts}
        self.enums = dict(self.typed.enums)
        self.records = self.typed.records
        self.set_consts = [c.name for c in self.typed.consts
                           if isinstance(c.type, SetT) and
                           isinstance(c.type.elem, (AtomT, IntT)) and c.name[:1].isupper()]
        self.int_sorts = {c for c in self.set_consts
                          if isinstance(self.consts[c].type.elem, IntT)}
        self.domains = self._domains()

    # ---- sorts ---------------------------------------------------------------------------

    def text_of(self, span) -> str:
        if span is None or span.end_line != span.line:
            return ""
        return self.source[span.line - 1][span.col - 1:span.end_col - 1].strip()

    def sort_of(self, t, decl: str = "") -> str | None:
        """The sort of a value of type `t` declared as `decl` (None: not used by atoms)."""
        if isinstance(t, BoolT):
            return "bool"
        if isinstance(t, AtomT):
            return t.sort
        if isinstance(t, RecordT):
            return t.name
        if isinstance(t, IntT):
            return decl if decl in self.set_consts else "int"
        if isinstance(t, SetT):
            m = _SET_OF.match(decl)
            inner = self.sort_of(t.elem, m.group(1) if m else "")
            return None if inner is None or inner == "bool" else "set:" + inner
        if isinstance(t, OptionT):
            inner = self.sort_of(t.elem, decl[:-1] if decl.endswith("?") else "")
            return None if inner is None or inner.startswith(("set:", "opt:")) else \
                "opt:" + inner
        return None

    def _domains(self) -> list[Domain]:
        out = []
        for c in self.set_consts:
            elem = self.consts[c].type.elem
            out.append(Domain(c, elem.sort if isinstance(elem, AtomT) else c, "const"))
        for r in self.records.values():
            if not r.fields:
                continue
            if r.is_message:
                out.append(Domain(f"sent({r.name})", r.name, "sent", r.name))
                continue
            texts = [self.text_of(te.span) for _, te in r.fields]
            if all(x and (x in self.set_consts or ".." in x) for x in texts):
                names = [f"x{i}_" for i in range(len(texts))]
                gens = " ".join(f"for {n} in {x}" for n, x in zip(names, texts))
                out.append(Domain(f"{{{r.name}({', '.join(names)}) {gens}}}", r.name, "record"))
        return out

    def alias(self, same) -> None:
        """Name a record domain by a definition of the spec with the same value
        (`AllEvents` for every Event): `same(name, text)` says whether they are equal."""
        defs = re.findall(r"^def\s+([A-Za-z_]\w*)\s*=", "\n".join(self.source), re.M)
        out = []
        for d in self.domains:
            if d.kind == "record":
                name = next((x for x in defs if same(x, d.text)), None)
                if name is not None:
                    d = Domain(name, d.sort, d.kind)
            out.append(d)
        self.domains = out

    def fresh(self, domain: Domain, used: set) -> str:
        base = domain.sort.lower()[:1] if domain.kind != "sent" else "m"
        if not base.isalpha():
            base = "x"
        for k in itertools.count(1):
            for name in ((base if k == 1 else f"{base}{k}"), f"{base}_{k}"):
                if name not in self.taken and name not in used:
                    return name
        raise AssertionError("unreachable")

    # ---- terms ---------------------------------------------------------------------------

    def field_terms(self, base: Term, rec: str, depth: int) -> list[Term]:
        out = []
        for name, te in self.records[rec].fields:
            sort = self.sort_of(te.type, self.text_of(te.span))
            if sort is None:
                continue
            t = Term(f"{base.text}.{name}", sort, base.vars, base.state, base.pure,
                     _low(self.text_of(te.span)))
            out.append(t)
            if depth > 1 and isinstance(te.type, RecordT):
                out += self.field_terms(t, te.type.name, depth - 1)
        return out

    def terms(self, variables: list[Var]) -> list[Term]:
        """The terms over the variables (and the variable-free ones)."""
        pure = []
        for v in variables:
            t = Term(v.name, v.domain.sort, frozenset([v.name]), False, True)
            pure.append(t)
            if v.domain.sort in self.records:
                pure += self.field_terms(t, v.domain.sort, 2)
        out = list(pure)
        by_sort: dict[str, list[Term]] = {}
        for t in pure:
            by_sort.setdefault(t.sort, []).append(t)
        procs = {p.name: p for p in self.typed.processes}
        for var in self.typed.variables:
            decl = self.text_of(var.decl_type.span) if var.decl_type is not None else ""
            heads: list[tuple[str, frozenset, str]] = []
            if var.process is None:
                heads.append((var.name, frozenset(), ""))
            else:
                proc = procs[var.process]
                if proc.domain is None:
                    heads.append((f"{proc.name}.{var.name}", frozenset(), ""))
                else:
                    index = self.index_sort(proc)
                    for i in by_sort.get(index, []):
                        heads.append((f"{proc.name}[{i.text}].{var.name}", i.vars, i.text))
            t = var.type
            for head, vs, at in heads:
                if isinstance(t, MapT):
                    m = re.match(r"map\[\s*([^,\]]+)\s*,\s*(.+)\]$", decl)
                    key = self.sort_of(t.key, m.group(1).strip() if m else "")
                    val = self.sort_of(t.value, m.group(2).strip() if m else "")
                    if val is None:
                        continue
                    for k in by_sort.get(key, []):
                        out.append(Term(f"{head}[{k.text}]", val, vs | k.vars, True))
                    continue
                sort = self.sort_of(t, decl)
                if sort is not None:
                    out.append(Term(head, sort, vs, True, low=_low(decl), index=at))
        for t in list(out):
            if t.sort.startswith("set:") and not t.vars:
                out.append(Term(f"len({t.text})", "int", frozenset(), True))
        return out

    def index_sort(self, proc: ir.ProcessIR) -> str:
        text = self.text_of(proc.domain.span) if proc.domain is not None else ""
        if text in self.set_consts:
            elem = self.consts[text].type.elem
            return elem.sort if isinstance(elem, AtomT) else text
        t = proc.domain.type if proc.domain is not None else None
        return t.elem.sort if isinstance(t, SetT) and isinstance(t.elem, AtomT) else "?"

    # ---- atoms ---------------------------------------------------------------------------

    def atoms(self, variables: list[Var]) -> list[Atom]:
        """Every atom over (some of) `variables`, deduplicated, in a fixed order."""
        names = frozenset(v.name for v in variables)
        terms = self.terms(variables)
        out: list[Atom] = []

        def add(text: str, vs: frozenset, group: str = "", size: int = 0):
            if vs <= names:
                out.append(Atom(text, vs, group, size))

        by_sort: dict[str, list[Term]] = {}
        for t in terms:
            by_sort.setdefault(t.sort, []).append(t)
        for t in terms:
            if t.low and t.sort == "int":
                add(f"{t.text} == {t.low}", t.vars)
            if t.sort.startswith("opt:"):
                add(f"{t.text} == none", t.vars)
                for u in by_sort.get(t.sort[4:], []):
                    add(f"{t.text} == {u.text}", t.vars | u.vars)
            if t.sort == "bool":
                add(t.text, t.vars)
            elif t.sort in self.enums:
                for c in self.enums[t.sort]:
                    add(f"{t.text} == {c}", t.vars, t.text, len(self.enums[t.sort]))
        for sort, ts in by_sort.items():
            if sort == "bool" or sort in self.enums:
                continue
            if sort.startswith("set:"):
                elem = sort[4:]
                for e in by_sort.get(elem, []):
                    for s in ts:
                        add(f"{e.text} in {s.text}", e.vars | s.vars)
                for a, b in itertools.permutations(ts, 2):
                    if a.state or b.state:
                        add(f"{a.text} <= {b.text}", a.vars | b.vars)
                continue
            for a, b in itertools.combinations(ts, 2):
                if a.text != b.text:
                    add(f"{a.text} == {b.text}", a.vars | b.vars)
        ints = [t for t in terms if t.sort == "int" or t.sort in self.int_sorts]
        for a, b in itertools.permutations(ints, 2):
            if a.text.startswith("len(") or b.text.startswith("len("):
                if a.sort != b.sort:
                    continue        # a count against an element of a named set: noise
            if a.text != b.text:
                add(f"{a.text} <= {b.text}", a.vars | b.vars)
                if a.sort != b.sort and a.text < b.text:
                    add(f"{a.text} == {b.text}", a.vars | b.vars)
        for r in self.records.values():
            if not r.is_message:
                continue
            add(f"len(sent({r.name})) > 0", frozenset())
            if not r.fields or any(isinstance(te.type, OptionT) for _, te in r.fields):
                continue
            choices = []
            for _, te in r.fields:
                choices.append(self._arguments(self.sort_of(te.type, self.text_of(te.span)),
                                               by_sort))
            for args in itertools.product(*choices):
                pure = {t.text for t, _ in args if t.pure}
                if any(not t.pure and t.index not in pure for t, _ in args):
                    continue    # a state argument: a variable of the process named by another
                vs = frozenset().union(*(t.vars for t, _ in args))
                if vs and not self._quantified_over(variables, r.name, [t for t, _ in args]):
                    member = f"{r.name}({', '.join(t.text for t, _ in args)}) in sent({r.name})"
                    guards = [g for _, g in args if g]
                    add(f"({' and '.join(guards + [member])})" if guards else member, vs)
        seen, unique = set(), []
        for a in out:
            if a.text not in seen:
                seen.add(a.text)
                unique.append(a)
        return unique

    def _arguments(self, sort, by_sort) -> list[tuple[Term, str]]:
        """The terms a message field of `sort` is built from, each with the guard that
        makes it a value of the field (`t != none` for an option, `t in S` for an integer
        of a wider range than the set S): the variables and their fields, and the
        variables of a process indexed by one of them (`Acceptor[a].maxVBal`)."""
        if sort is None:
            return []
        # a state argument only for a field of a named sort (not a plain integer, as
        # a clock: its values are too many to be worth the atoms)
        state = sort != "int"
        out = [(t, "") for t in by_sort.get(sort, [])
               if t.pure or (state and t.index and t.state)]
        if sort in self.int_sorts:
            out += [(t, f"{t.text} in {sort}") for t in by_sort.get("int", [])
                    if t.pure or (t.index and t.state)]
        out += [(t, f"{t.text} != none") for t in by_sort.get("opt:" + sort, [])
                if t.pure or (t.index and t.state)]
        return out

    @staticmethod
    def _quantified_over(variables: list[Var], kind: str, args) -> bool:
        """`K(m.f1, ..., m.fn) in sent(K)` with m in sent(K): true by construction."""
        return any(v.domain.kind == "sent" and v.domain.message == kind and
                   all(a.text.startswith(v.name + ".") and a.pure for a in args)
                   for v in variables)

    def prefixes(self, max_vars: int) -> list[list[Var]]:
        """Quantifier prefixes of 0..max_vars variables: multisets of domains, in order."""
        out: list[list[Var]] = [[]]
        for n in range(1, max_vars + 1):
            for combo in itertools.combinations_with_replacement(range(len(self.domains)), n):
                used: set = set()
                vs = []
                for i in combo:
                    name = self.fresh(self.domains[i], used)
                    used.add(name)
                    vs.append(Var(name, self.domains[i]))
                out.append(vs)
        return out


def _low(decl: str) -> str:
    """The lower bound of a range declared `A..B` when A is a number or a name."""
    m = re.match(r"^\s*(-?\d+|[A-Za-z_]\w*)\s*\.\.", decl)
    return m.group(1) if m else ""


BUILTINS = {"len", "sent", "min", "max", "none", "true", "false", "subsets", "forall",
            "exists", "in", "and", "or", "not", "implies", "for", "if", "let", "choose"}


def _global_names(loaded) -> set[str]:
    """The names a quantified variable of a lemma must not shadow."""
    typed = loaded.typed
    out = set(BUILTINS)
    for c in typed.consts:
        out.add(c.name)
        out.update(c.model_values or ())
    for values in typed.enums.values():
        out.update(values)
    out.update(typed.enums)
    for r in typed.records.values():
        out.add(r.name)
        out.update(f for f, _ in r.fields)
    out.update(v.name for v in typed.variables)
    out.update(p.name for p in typed.processes)
    out.update(re.findall(r"^def\s+([A-Za-z_]\w*)", loaded.source, re.M))
    return out
