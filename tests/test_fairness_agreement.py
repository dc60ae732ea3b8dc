"""Liveness on random specs with fairness: `check` against a brute-force fair-lasso
search written here, and BMC's lasso search against `check`.

Hypothesis draws small specs: two or three boolean variables, a process `P` (its
actions and, with a `set` network, a handler of `Note(v: 0..1)` that may change
nothing when it re-receives a message), maybe `crash recover`, maybe a
`constraint`; declaration fairness (`fair weak|strong action`, `fair weak process`)
and check-block fairness (`P`, `P.act`, `P.act per v`, `P.Note per message`,
`P per instance`, `P.recover`); and one temporal property of each form.

The reference builds the explicit state graph by calling the compiled model's
`successors_labeled` (the constraint applied as the checker applies it: a step that
leaves it is not explored, but it counts as enabling its action), and decides each
property by brute force under the TLA+ reading: a property is violated exactly when
some set C of states that a violating behaviour may visit is strongly connected
(through steps between distinct states) or is a single state, and looping through
all of C is fair.  Each fairness assumption is a separate constraint with its own
units, computed here from the generated description (not from Model.fairness):
a unit is enabled in a state when one of its steps leads to a *different* state
(TLA+'s ENABLED <<A>>_vars) and taken by such a step.

Then `stateline prove --bmc K` (the lasso search) must agree: a fair violating
lasso BMC finds is a violation for `check`; a violation `check` prints with a lasso
of at most K steps is found by BMC with a lasso of at most that many steps (BMC
tries lengths 0, 1, ... K in turn, so its lasso is a shortest one; the lasso
`check` prints has a shortest prefix and a shortest loop, not always the shortest
total).

FAIRNESS_AGREEMENT_EXAMPLES=N sets the number of examples (default 300; BMC runs
on every BMC_EVERY-th of them, default 3).
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from stateline import check_blocks, load_text, run_check
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, instance, prove_block

EXAMPLES = int(os.environ.get("FAIRNESS_AGREEMENT_EXAMPLES", "300"))
BMC_EVERY = int(os.environ.get("FAIRNESS_AGREEMENT_BMC_EVERY", "3"))
BMC_DEPTH = 5
MAX_REGION = 12          # the brute force tries every subset of the region

VARS = ("a", "b", "c")
GUARDS = ("true", "a", "not a", "b", "not b", "a == b", "a != c", "not (a and b)")
UPDATES = ("a := not a", "a := true", "a := false", "b := not b", "b := true", "b := a",
           "c := not c", "c := a or b")
PREDICATES = ("a", "b", "a and b", "not a", "a or c", "a == b", "not c")
FORMS = ("eventually", "always_eventually", "eventually_always", "leads_to")


@dataclass
class Action:
    name: str
    guard: str
    updates: tuple[str, ...]
    param: bool = False          # `(v in 0..1)`: v picks the update (v == 1) or not
    sends: int | None = None     # send Note(sends)
    fair: str | None = None      # declaration fairness


@dataclass
class Gen:
    vars: int
    actions: list[Action]
    network: bool
    handler: tuple[str, str] | None      # (update for v == 1, update for v == 0 or "")
    handler_fair: str | None
    crash: bool
    process_fair: str | None
    constraint: str | None
    check_fair: list[tuple[str, str]]    # (kind, target text)
    form: str
    p: str
    q: str
    text: str = field(default="")

    def render(self) -> str:
        lines = ["spec Gen", ""]
        if self.network:
            lines += ["network set", "", "message Note(v: 0..1)", ""]
        for x in VARS[:self.vars]:
            lines.append(f"var {x}: bool = false")
        lines.append("")
        head = f"fair {self.process_fair} process P:" if self.process_fair else "process P:"
        lines.append(head)
        if self.crash:
            lines.append("    crash recover")
        for a in self.actions:
            fair = f"fair {a.fair} " if a.fair else ""
            params = "(v in 0..1)" if a.param else ""
            lines.append(f"    {fair}action {a.name}{params}:")
            lines.append(f"        require {a.guard}")
            body = list(a.updates)
            if a.param:
                body = ["if v == 1:"] + ["    " + u for u in body] + ["else:", "    c := not c"
                                                                      if self.vars > 2 else
                                                                      "    b := false"]
            if a.sends is not None:
                body.append(f"send Note({a.sends})")
            lines += ["        " + u for u in body]
        if self.handler is not None:
            fair = f"fair {self.handler_fair} " if self.handler_fair else ""
            one, zero = self.handler
            lines.append(f"    {fair}on Note(m):")
            lines.append("        if m.v == 1:")
            lines.append(f"            {one}")
            if zero:
                lines.append("        else:")
                lines.append(f"            {zero}")
        lines.append("")
        if self.constraint:
            lines += [f"constraint C: {self.constraint}", ""]
        if self.form == "leads_to":
            prop = f"{self.p} leads_to {self.q}"
        else:
            prop = f"{self.form.replace('_', ' ')} {self.p}"
        lines += [f"property L: {prop}", "", "allow deadlock", "", "check c:"]
        for kind, target in self.check_fair:
            lines.append(f"    fair {kind} {target}")
        lines.append("    expect L holds")
        return "\n".join(lines) + "\n"


@st.composite
def gens(draw):
    n = draw(st.integers(2, 3))
    used = VARS[:n]

    def ok(e: str) -> bool:
        words = e.replace("(", " ").replace(")", " ").split()
        return all(w not in VARS or w in used for w in words)

    guards = [g for g in GUARDS if ok(g)]
    updates = [u for u in UPDATES if ok(u)]
    preds = [p for p in PREDICATES if ok(p)]
    network = draw(st.booleans())
    kinds = st.sampled_from([None, "weak", "strong"])
    actions = []
    for i in range(draw(st.integers(2, 4))):
        ups = tuple(draw(st.lists(st.sampled_from(updates), min_size=1, max_size=2,
                                  unique=True)))
        ups = tuple(u for j, u in enumerate(ups)      # one assignment per variable
                    if u.split()[0] not in [x.split()[0] for x in ups[:j]])
        actions.append(Action(f"act{i}", draw(st.sampled_from(guards)), ups,
                              param=draw(st.booleans()) and i == 0,
                              sends=draw(st.sampled_from([None, 0, 1])) if network else None,
                              fair=draw(kinds)))
    handler = None
    handler_fair = None
    if network:
        # v == 1 sets b (re-receiving it changes nothing); v == 0 may toggle a (a
        # real step each time) or do nothing at all.
        handler = ("b := true", draw(st.sampled_from(["", "a := not a"])))
        handler_fair = draw(kinds)
    crash = draw(st.booleans()) and not network
    targets = ["P", "P per instance"] + [f"P.{a.name}" for a in actions] + \
        [f"P.{a.name} per v" for a in actions if a.param]
    if network:
        targets += ["P.Note", "P.Note per message"]
    if crash:
        targets += ["P.recover"]
    check_fair = draw(st.lists(st.tuples(st.sampled_from(["weak", "strong"]),
                                         st.sampled_from(targets)), max_size=4,
                               unique_by=lambda t: t[1]))
    form = draw(st.sampled_from(FORMS))
    g = Gen(n, actions, network, handler, handler_fair, crash,
            draw(st.sampled_from([None, None, "weak"])),
            draw(st.sampled_from([None, None, None, "not (a and b)",
                                  "not c" if n > 2 else "not b"])),
            check_fair, form, draw(st.sampled_from(preds)), draw(st.sampled_from(preds)))
    g.text = g.render()
    return g


# ---- the reference -------------------------------------------------------------------


def constraints_of(gen: Gen, model):
    """Each fairness assumption of the generated spec as (kind, unit key function of a
    labelled step, or None when the step does not belong to it)."""
    labels = model.labels                     # (action name, process, params) per index
    names = {k: name for k, (name, _, _) in enumerate(labels)}
    out = []

    def action(name):
        return lambda label: (label[1],) if names[label[0]] == name else None

    for a in gen.actions:
        if a.fair:
            out.append((a.fair, action(a.name)))
    if gen.handler_fair:
        out.append((gen.handler_fair, action("on Note")))
    mine = [a.name for a in gen.actions] + (["on Note"] if gen.handler else [])
    if gen.process_fair:
        for name in mine:
            out.append((gen.process_fair, action(name)))
    for kind, target in gen.check_fair:
        if target == "P":
            for name in mine:
                out.append((kind, action(name)))
        elif target == "P per instance":
            out.append((kind, lambda label: (label[1],) if names[label[0]] in mine else None))
        elif target == "P.recover":
            out.append((kind, action("recover")))
        elif target == "P.Note":
            out.append((kind, action("on Note")))
        elif target == "P.Note per message":
            out.append((kind, lambda label: (label[1], label[3])
                        if names[label[0]] == "on Note" else None))
        elif target.endswith(" per v"):
            name = target[2:-6]
            out.append((kind, lambda label, name=name: (label[1], label[2][0])
                        if names[label[0]] == name else None))
        else:
            out.append((kind, action(target[2:])))
    return out


class Reference:
    def __init__(self, gen: Gen, model):
        self.constraints = constraints_of(gen, model)
        inside = model.constraint or (lambda s: True)
        init = [s for s in model.initial_states() if inside(s)]
        self.index = {s: i for i, s in enumerate(dict.fromkeys(init))}
        self.states = list(self.index)
        self.initial = set(range(len(self.states)))
        self.succ: list[list[int]] = []
        self.enabled: list[set] = []       # (constraint, key) enabled per state
        self.taken: dict[tuple[int, int], set] = {}
        i = 0
        while i < len(self.states):
            s = self.states[i]
            succ, en = [], set()
            for label, t in model.successors_labeled(s):
                units = {(c, key(label)) for c, (_, key) in enumerate(self.constraints)
                         if key(label) is not None}
                if t != s:
                    en |= units
                if not inside(t):
                    continue
                if t not in self.index:
                    self.index[t] = len(self.states)
                    self.states.append(t)
                j = self.index[t]
                succ.append(j)
                if t != s:
                    self.taken.setdefault((i, j), set()).update(units)
            self.succ.append(sorted(set(succ)))
            self.enabled.append(en)
            i += 1

    def reach(self, sources, allowed):
        seen = {s for s in sources if allowed[s]}
        stack = list(seen)
        while stack:
            i = stack.pop()
            for j in self.succ[i]:
                if allowed[j] and j not in seen:
                    seen.add(j)
                    stack.append(j)
        return seen

    def region(self, form, p, q):
        every = [True] * len(self.states)
        if form == "eventually":
            return self.reach(self.initial, [not x for x in p])
        reach_all = self.reach(self.initial, every)
        if form == "always_eventually":
            return {i for i in reach_all if not p[i]}
        if form == "eventually_always":
            return reach_all
        return self.reach([i for i in reach_all if p[i] and not q[i]], [not x for x in q])

    def connected(self, comp):
        if len(comp) == 1:
            return True
        first = next(iter(comp))
        for forward in (True, False):
            seen, stack = {first}, [first]
            while stack:
                i = stack.pop()
                nxt = [j for j in self.succ[i] if j != i] if forward else \
                    [a for a in comp if i in self.succ[a] and a != i]
                for j in nxt:
                    if j in comp and j not in seen:
                        seen.add(j)
                        stack.append(j)
            if seen != comp:
                return False
        return True

    def fair(self, comp):
        taken = set()
        for i in comp:
            for j in comp:
                taken |= self.taken.get((i, j), set())
        units = set().union(*(self.enabled[i] for i in comp))
        for unit in units:
            kind = self.constraints[unit[0]][0]
            everywhere = all(unit in self.enabled[i] for i in comp)
            if unit not in taken and (kind == "strong" or everywhere):
                return False
        return True

    def violated(self, form, p, q) -> bool:
        reg = sorted(self.region(form, p, q))
        assume(len(reg) <= MAX_REGION)
        for size in range(1, len(reg) + 1):
            for comp in itertools.combinations(reg, size):
                comp = set(comp)
                if form == "eventually_always" and all(p[i] for i in comp):
                    continue
                if self.connected(comp) and self.fair(comp):
                    return True
        return False


def predicates(model):
    [(_, instances)] = model.temporal
    [(_, p_fn, q_fn)] = instances
    return p_fn, q_fn


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(gens(), st.integers(0, BMC_EVERY - 1))
def test_check_and_bmc_agree_with_a_brute_force_fair_lasso_search(gen, draw_bmc):
    loaded = load_text(gen.text, "gen.sl")
    [block] = check_blocks(loaded)
    model = instance(loaded, block, {})
    ref = Reference(gen, model)
    p_fn, q_fn = predicates(model)
    p = [bool(p_fn(s)) for s in ref.states]
    q = [bool(q_fn(s)) for s in ref.states] if gen.form == "leads_to" else None
    expected = ref.violated(gen.form, p, q)
    r = run_check(loaded, block, {}, model=model)
    assert r.failure is None
    assert r.stats.states == len(ref.states), gen.text
    [v] = [v for v in r.verdicts if v.kind == "temporal"]
    assert (v.status.value == "violated") == expected, gen.text
    if draw_bmc != 0:
        return
    bmc = prove_block(loaded, block, {}, ProveOptions("bmc", BMC_DEPTH), model=model)
    [o] = [o for o in bmc.obligations if o.kind == "temporal"]
    assert o.claim in (Claim.VIOLATED, Claim.BOUNDED), (o.claim, o.detail, gen.text)
    if o.claim is Claim.VIOLATED:
        assert expected, gen.text
        assert len(o.trace.steps) == o.depth <= BMC_DEPTH
        if v.trace is not None and len(v.trace.steps) <= BMC_DEPTH:
            assert o.depth <= len(v.trace.steps), gen.text
    elif expected:
        assert len(v.trace.steps) > BMC_DEPTH, gen.text
