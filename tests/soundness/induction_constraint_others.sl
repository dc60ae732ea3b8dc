# Issue 11 item 3: --induction with a `prove` line judges the other invariants only
# inside the constraint; check (TLC semantics) also checks the states generated one step
# outside it.
#   stateline check THIS                                                   Bounded3 violated (1 step: incx to x + y == 4... see below)
#   stateline prove THIS --induction --proof induction_constraint_others.proof.sl
#       Bounded3 "proved: implied by the inductive invariant"               (unsound)
spec InductionConstraintOthers
var x: 0..10 = 0
var y: 0..10 = 0

action incx:
    x := x + 1

action incy:
    y := y + 1

constraint Small: x + y <= 2
invariant Bounded4: x + y <= 4
invariant Bounded3: x + y <= 2
