# Issue 11 item 4 (run-time errors): check evaluated the initial states in order; once
# `Ratio` was violated (x = -1, first) it stopped evaluating it, so it never evaluated
# 6 % 0 (x = 0, second), while the Z3 engines evaluate every property in every state of
# a depth and report the run-time error: check's answer depended on the order of the
# states.  Fixed in check: a violated invariant is still evaluated on the rest of the
# states of its depth, so an error there is reported whatever their order.
#   stateline check THIS                    Ratio violated (0 steps), run-time error: modulo by zero (0 steps), exit 2
#   stateline prove THIS --bmc 1            run-time error: modulo by zero (0 steps), exit 2
#   stateline prove THIS --k-induction 2    (run-time errors) violated: after 0 steps
spec StoppedInvariantRaises
var x: -1..0 in -1..0

invariant Ratio: 6 % x > 1
invariant NotPositive: x <= 0
allow deadlock
