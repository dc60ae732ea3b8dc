# Issue 11 item 1: --k-induction ignores transition invariants in its base case.
#   stateline check THIS                    NoJumpOfTwo violated: jump (1 step)
#   stateline prove THIS --bmc 2            NoJumpOfTwo violated: a counterexample of 1 step
#   stateline prove THIS --k-induction 2    NoJumpOfTwo "proved: 2-inductive"   (unsound)
spec KInductionBaseTransition
var x: 0..4 = 0

action jump if x < 4:
    x := x + 2

transition NoJumpOfTwo: x' - x != 2
allow deadlock
