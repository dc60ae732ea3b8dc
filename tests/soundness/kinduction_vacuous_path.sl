# Issue 11 item 1, a second symptom: a transition invariant that every step violates
# leaves --k-induction no path in its step case, and its base case does not check
# transition invariants, so *every* property comes out "proved", the state invariant
# Small too, which check violates in 2 steps.
#   stateline check THIS                    Never violated (1 step), Small violated (2 steps)
#   stateline prove THIS --k-induction 2    Small, Never "proved: 2-inductive"          (unsound)
spec KInductionVacuousPath
var x: 0..3 = 0

action inc if x < 3:
    x := x + 1

invariant Small: x < 2
transition Never: x' == x + 5
allow deadlock
