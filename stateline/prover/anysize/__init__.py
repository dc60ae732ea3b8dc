"""Proofs for every instance size: the spec's symmetric sorts as uninterpreted Z3 sorts.

`doms` decides which constants are sorts and gives every declared type its
first-order domain; `values` are the symbolic values (scalars, records, options,
sets as predicates, maps as functions); `exprs` and `steps` translate the typed IR
(expressions, statements, actions, initial states) into them; `induction` runs the
obligations and `cti` turns a counterexample to induction into a concrete small
instance that the explicit engine replays.
"""
