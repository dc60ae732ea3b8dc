"""Invariant inference (`stateline prove SPEC --infer`): grammar (the template
grammar), samples (reachable states and the atoms' values), clauses (the candidates
that hold), strengthen (the lemmas chosen against counterexamples to induction), run
(one check block, and the proof file re-checked by `--induction`)."""
