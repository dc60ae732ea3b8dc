"""`stateline prove SPEC --infer`: find the lemmas of an inductive invariant.

For one check block: enumerate the candidate clauses of the template grammar
(grammar, clauses), keep those that hold in every reachable state of the instance
(samples: the compiled model's breadth-first search), run Houdini over them with the
`--induction` encoding (houdini), keep a minimal subset, and check the proof file made
of those lemmas with the real `--induction` (or `--any-size`): the lemmas are
*found* only when that check proves every target.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass, field

from ...diagnostics import SpecError
from ...lang.load import LoadError, parse_state_expr
from ...models.code import Unsupported
from ...models.runtime import ModelError
from ..induction import _Conjunct, conjuncts
from ..proofs import Proof, load_proof_text
from ..results import ProveResult
from ..run import ProveOptions, encode, instance, prove_block
from ..scopes import Deadline, OutOfTime
from ..terms import fresh_context
from .clauses import clauses, grammar_size
from .grammar import Grammar
from .guided import guided
from .strengthen import Failed, Strengthen
from .samples import Table, TooManyStates, reachable


@dataclass(frozen=True)
class InferOptions:
    max_literals: int = 3
    max_vars: int = 2
    max_states: int = 200_000
    budget: int = 2_000_000          # size-3+ clauses tried per prefix
    guided_literals: int = 3         # clauses built for a counterexample (guided.py)
    guided_support: int = 0          # ... of them for one breaking a lemma chosen so far
    minimise: bool = True
    any_size: bool = False
    timeout: float | None = None


@dataclass
class Inferred:
    check: str
    states: int = 0
    generated: int = 0               # clauses in the grammar up to the limits
    reachable: int = 0               # minimal clauses true in every reachable state
    inductive: int = 0               # chosen to rule out counterexamples to induction
    set_aside: int = 0               # chosen, then set aside: the grammar cannot support them
    guided: int = 0                  # of those chosen, built for a counterexample (guided.py)
    lemmas: list[str] = field(default_factory=list)     # the lemmas kept, as text
    chosen: list[str] = field(default_factory=list)     # every lemma chosen, as text
    proof_text: str = ""
    verified: ProveResult | None = None
    failure: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    phases: dict = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.failure is None and self.verified is not None and all(
            o.met is True for o in self.verified.obligations)


def infer_block(loaded, check, overrides: dict, options: InferOptions,
                given: Proof | None = None) -> Inferred:
    started = time.perf_counter()
    out = Inferred(check.name)
    deadline = Deadline(options.timeout)
    try:
        _infer(loaded, check, overrides, options, given, out, deadline)
    except Failed as exc:
        out.failure = str(exc)
    except OutOfTime:
        out.failure = f"the --timeout of {options.timeout:g} s ran out"
    except TooManyStates as exc:
        out.failure = (f"the instance has more than {options.max_states} reachable states "
                       f"({exc.args[0]} so far): infer on a smaller one (-D)")
    except ModelError as exc:
        out.failure = f"a run-time error in a reachable state: {exc.message}"
    out.seconds = time.perf_counter() - started
    return out


def _tick(out: Inferred, name: str, since: float) -> float:
    now = time.perf_counter()
    out.phases[name] = now - since
    return now


def _infer(loaded, check, overrides, options, given, out: Inferred, deadline) -> None:
    t = time.perf_counter()
    fresh_context()
    model = instance(loaded, check, overrides)
    states = reachable(model, options.max_states)
    out.states = len(states)
    grammar = Grammar(loaded)
    grammar.alias(lambda name, text: _equal(model, loaded, name, text, states))
    found, seen, tables = [], set(), []
    for prefix in grammar.prefixes(options.max_vars):
        deadline.check()
        atoms = grammar.atoms(prefix)
        if not atoms:
            continue
        out.generated += grammar_size(len(atoms), options.max_literals)
        table = Table.of([(model, states)], loaded, prefix, atoms)
        if table.atoms:
            tables.append((prefix, table))
        got, complete = clauses(prefix, table, options.max_literals, options.budget)
        if not complete:
            names = ", ".join(f"{v.name} in {v.domain.text}" for v in prefix)
            out.notes.append(f"clauses of 3 or more literals over ({names}) not tried: "
                             f"{len(table.atoms)} atoms are too many")
        for c in got:
            key = c.canonical()
            if key not in seen:
                seen.add(key)
                found.append(c)
    order = {id(c): k for k, c in enumerate(found)}
    found.sort(key=lambda c: (len(c.literals), len(c.prefix), order[id(c)]))
    out.reachable = len(found)
    t = _tick(out, "filter", t)

    given_proof = given or load_proof_text(_header(loaded, None), "<targets>", loaded)
    enc = encode(model, deadline)
    targets, others = conjuncts(enc, given_proof)
    st = Strengthen(enc, targets, others,
                    not model.system.allow_deadlock or "DeadlockFreedom" in
                    {p for p, _, _ in check.expects}, deadline)
    names = _name_stream(loaded, given)
    conj_of: dict[int, object] = {}

    def lemma(k: int):
        if k not in conj_of:
            text = _header(loaded, given) + f"lemma {next(names)}: {found[k].text()}\n"
            x = load_proof_text(text, "<candidate>", loaded).lemmas[-1]
            conj_of[k] = _Conjunct(x.name, "lemma", enc.check_expr(x.expr, x.name))
        return conj_of[k]

    chosen: list[int] = []
    banned: set[int] = set()
    support = [0]

    def on_cti(state, broken):
        rows: dict[int, set | None] = {}
        for k, c in enumerate(found):
            if k in chosen or k in banned:
                continue
            key = id(c.table)
            if key not in rows:
                rows[key] = c.table.rows_of(state)
            if rows[key] is not None and c.false_in(rows[key]):
                chosen.append(k)
                out.chosen.append(c.text())
                return lemma(k)
        if broken is not None and broken in {lemma(k).name for k in chosen}:
            if support[0] >= options.guided_support:
                return None     # a chosen lemma the candidates cannot support: set aside
            support[0] += 1
        k_max = max(options.guided_literals, options.max_literals)
        c = guided(tables, state, k_max, {found[k].text() for k in banned})
        if c is None:
            return None
        found.append(c)
        chosen.append(len(found) - 1)
        out.chosen.append(c.text())
        out.guided += 1
        return lemma(len(found) - 1)

    while True:
        deadline.check()
        stuck = st.counterexamples([lemma(k) for k in chosen], on_cti)
        if stuck is None:
            break
        what, broken = stuck
        k = next((k for k in chosen if lemma(k).name == broken), None)
        if k is None:
            out.inductive = len(chosen)
            _tick(out, "strengthen", t)
            raise Failed(f"no candidate rules out a counterexample to induction: {what}")
        chosen.remove(k)
        banned.add(k)
    out.inductive = len(chosen)
    out.set_aside = len(banned)
    if out.guided:
        out.notes.append(f"{out.guided} of the lemmas chosen were built for a counterexample "
                         f"to induction (up to {max(options.guided_literals, options.max_literals)} "
                         f"literals), not enumerated")
    t = _tick(out, "strengthen", t)
    if options.minimise:
        used = st.core([lemma(k) for k in chosen])
        keep = [k for i, k in enumerate(chosen) if used is None or i in used]
        for k in reversed(list(keep)):
            deadline.check()
            trial = [i for i in keep if i != k]
            if st.counterexamples([lemma(i) for i in trial], lambda *_: None) is None:
                keep = trial
        chosen = keep
    t = _tick(out, "minimise", t)
    texts = [c.text() for c in found]
    live = [texts[i] for i in chosen]
    out.lemmas = list(live)
    if options.any_size:
        out.lemmas = _any_size(loaded, check, overrides, given, out, live, options, deadline)
    out.proof_text = proof_file(loaded, given, out.lemmas, options.any_size,
                                any_size_sorts(loaded, check, given) if options.any_size else ())
    final = load_proof_text(out.proof_text, "<inferred proof>", loaded)
    out.verified = prove_block(loaded, check, overrides,
                               ProveOptions("induction", 0, _remaining(deadline), final,
                                            any_size=options.any_size))
    _tick(out, "verify", t)


def _equal(model, loaded, a: str, b: str, states) -> bool:
    """Expressions `a` and `b` have the same value in every state."""
    try:
        fn, _ = model.expression(parse_state_expr(loaded, f"{a} == {b}"))
        return all(fn(s) for s in states)
    except (LoadError, Unsupported, ModelError):
        return False


def _remaining(deadline: Deadline) -> float | None:
    ms = deadline.remaining_ms()
    return None if ms is None else ms / 1000


def _names(loaded, given: Proof | None, n: int) -> list[str]:
    return list(itertools.islice(_name_stream(loaded, given), n))


def _name_stream(loaded, given: Proof | None):
    """Inferred1, Inferred2, ... (a base no given name starts with)."""
    taken = {p.name for p in loaded.typed.properties}
    taken |= {x.name for x in given.lemmas} if given is not None else set()
    base = "Inferred"
    while any(name.startswith(base) for name in taken):
        base += "_"
    return (f"{base}{i}" for i in itertools.count(1))


def _header(loaded, given: Proof | None) -> str:
    if given is not None:
        return given.source.rstrip("\n") + "\n"
    return f"proof {loaded.typed.name}\n"


_SIZED = re.compile(r"\blen\((?!sent\()")


def any_size_sorts(loaded, check, given: Proof | None) -> tuple[str, ...]:
    from ..anysize.doms import sort_constants
    return sort_constants(loaded.typed, given.any_size if given is not None else None,
                          tuple(name for name, _ in check.symmetric))


def proof_file(loaded, given: Proof | None, lemmas: list[str], any_size: bool,
               sorts: tuple[str, ...] = ()) -> str:
    """The proof file of the lemmas found, after the given proof's lines."""
    head = _header(loaded, given)
    if given is None:
        head = (f"# Lemmas found by `stateline prove --infer{' --any-size' if any_size else ''}`"
                f"; re-check with\n#     stateline prove {loaded.path} --induction --proof "
                f"FILE\n\n") + head
    if any_size and (given is None or given.any_size is None) and sorts:
        head += f"any size {', '.join(sorts)}\n"
    names = _names(loaded, given, len(lemmas))
    return head + "".join(f"\nlemma {n}:\n    {x}\n" for n, x in zip(names, lemmas))


def _any_size(loaded, check, overrides, given, out: Inferred, live: list[str],
              options: InferOptions, deadline: Deadline) -> list[str]:
    """The lemmas for every size: the finite minimal ones if they are inductive for
    every size, else Houdini over the finite survivors with the any-size engine (a set
    inductive for every size is inductive for this one, so it is among them)."""
    from ..results import Claim
    sorts = any_size_sorts(loaded, check, given)
    first = list(out.lemmas)
    for attempt in (first, live):
        # the size of a set of a sort's elements is not encoded for every size: such a
        # lemma (it bounds a counter for this instance's ranges) is left out, and the
        # any-size engine does not check ranges that depend on a sort's size
        lemmas = [x for x in attempt if not _SIZED.search(x)]
        while True:
            deadline.check()
            text = proof_file(loaded, given, lemmas, True, sorts)
            proof = load_proof_text(text, "<any size candidates>", loaded)
            try:
                r = prove_block(loaded, check, overrides,
                                ProveOptions("induction", 0, _remaining(deadline), proof,
                                             any_size=True))
            except SpecError as exc:
                raise Failed(f"the lemmas found for this instance are not encoded for every "
                             f"size: {exc.diagnostics[0].message}") from None
            if all(o.met is True for o in r.obligations):
                out.notes.append(f"for every size of {', '.join(sorts)}: "
                                 f"{'the minimal finite lemmas' if attempt is first else 'Houdini over the finite survivors'}")
                return lemmas
            names = _names(loaded, given, len(lemmas))
            broken = {o.name for o in r.obligations if o.kind == "lemma" and
                      o.claim is Claim.NOT_PROVED}
            if not broken or attempt is first:
                break
            lemmas = [x for n, x in zip(names, lemmas) if n not in broken]
    raise Failed(f"no subset of the {len(live)} lemmas inductive for this instance is "
                 f"inductive for every size of {', '.join(sorts)}")
