"""Proof obligations as SMT-LIB 2 files, for re-checking a proof with another solver.

`stateline prove --induction --emit-smt DIR` (finite or any size) keeps, for every
obligation the proof rests on, the exact assertions Z3 was given and the goal whose
unsatisfiability the obligation claims:

* `init`: an initial state violating a state conjunct of the invariant I;
* `errors`: a run-time error in a state satisfying I (any size: per action);
* `step`: a state satisfying I (and the constraint, free of run-time errors), a step
  of one action instance (finite) or action schema (any size), and a successor
  violating one conjunct: one file per action and conjunct, where Z3 may have been
  asked about several conjuncts at once (their disjunction is unsatisfiable exactly
  when each is);
* `implied`: a state satisfying I violating an invariant outside it, or a step from
  one violating a transition invariant outside it;
* `deadlock`: a state satisfying I with no enabled action.

Each file starts with comments naming the spec, the check block and its constants,
the obligation, the lemma or property and the action with their source lines, and
states `(set-info :status unsat)` when this run proved what the file supports
(`unknown` otherwise); then `(set-logic ALL)`, the declarations and assertions as
Z3 prints them, and `(check-sat)`.  `index.json` lists the files in order.  The
text is produced while the obligation is asked, because the Z3 terms do not outlive
the proof of one check block.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import z3

from ..diagnostics import Span
from .results import Claim


@dataclass
class Certificate:
    file: str               # file name inside the check block's folder
    kind: str               # init | errors | step | implied | deadlock
    supports: str           # the obligation (property, lemma, ...) it is part of
    action: str | None
    sources: list[tuple[str, str]]      # (what, path:line)
    text: str               # the SMT-LIB body after the comments
    status: str = "unknown"


def _where(span: Span | None) -> str:
    return f"{span.path}:{span.line}" if span is not None else "(built in)"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "x"


@dataclass
class Certificates:
    """The obligations of one check block's proof, in the order they were asked."""

    spec: str
    check: str
    constants: str
    items: list[Certificate] = field(default_factory=list)

    def add(self, kind: str, supports: str, action: str | None,
            sources: list[tuple[str, Span | None]], assertions, goal) -> None:
        """One obligation: `assertions` (a solver's, or a list of terms) and `goal`
        together are claimed unsatisfiable."""
        s = z3.Solver()
        s.add(*(assertions.assertions() if isinstance(assertions, z3.Solver)
                else assertions))
        s.add(goal)
        n = len(self.items) + 1
        name = f"{n:04d}-{kind}-{_slug(supports)}" + (f"-{_slug(action)}" if action else "")
        self.items.append(Certificate(name + ".smt2", kind, supports, action,
                                      [(what, _where(span)) for what, span in sources],
                                      s.to_smt2()))

    def settle(self, obligations) -> None:
        """Mark `unsat` the files of every obligation this run proved."""
        proved = {o.name for o in obligations if o.claim is Claim.PROVED}
        for c in self.items:
            c.status = "unsat" if c.supports in proved else "unknown"

    def files(self) -> list[tuple[str, str]]:
        """(file name, contents) of every obligation, and of the index."""
        out = []
        for c in self.items:
            head = [f"; Stateline proof obligation {c.file}",
                    f"; spec {self.spec}, check {self.check} ({self.constants})",
                    f"; obligation: {_DESCRIBE[c.kind]}"]
            head += [f"; {what}: {where}" for what, where in c.sources]
            head.append("; unsat: the obligation holds" + (
                " (this run proved it)" if c.status == "unsat" else
                " (this run did not prove it)"))
            body = c.text.replace("(set-info :status unknown)",
                                  f"(set-info :status {c.status})", 1)
            body = body.replace("; benchmark generated from python API\n", "", 1)
            out.append((c.file, "\n".join(head) + "\n(set-logic ALL)\n" + body))
        index = [{"file": c.file, "kind": c.kind, "supports": c.supports,
                  "action": c.action, "status": c.status,
                  "sources": [{"what": w, "at": a} for w, a in c.sources]}
                 for c in self.items]
        out.append(("index.json", json.dumps({"spec": self.spec, "check": self.check,
                                              "constants": self.constants,
                                              "obligations": index}, indent=2) + "\n"))
        return out


_DESCRIBE = {
    "init": "an initial state violates the conjunct",
    "errors": "a state satisfying the invariant has a run-time error",
    "step": "a step from a state satisfying the invariant breaks the conjunct",
    "implied": "a state satisfying the invariant violates the property",
    "deadlock": "a state satisfying the invariant has no enabled action",
}
