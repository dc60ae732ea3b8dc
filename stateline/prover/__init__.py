"""Symbolic engines over Z3: encoding, bounded model checking, induction, Spacer, ranking.

`prover.run.prove_block` runs one engine on one check block's instance and
returns a `ProveResult`; the `stateline prove` command prints it.  Every
counterexample is decoded into runtime states and replayed through the
compiled `Model` before it is shown (`decode`).
"""
