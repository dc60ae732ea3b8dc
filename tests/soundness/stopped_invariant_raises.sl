# Issue 11 item 4 (run-time errors): check evaluates the initial states in order; once
# `Ratio` is violated (x = -1, first) it stops evaluating it, so it never evaluates
# 6 % 0 (x = 0, second).  The Z3 engines evaluate every property in every state of a
# depth and report a run-time error that check does not meet.  (check's answer depends
# on the order of the states here: which one is right is for the fix to decide, but the
# engines and check must agree.)
#   stateline check THIS                    Ratio violated (0 steps), NotPositive holds, exit 1
#   stateline prove THIS --bmc 1            run-time error: modulo by zero (0 steps), exit 2
#   stateline prove THIS --k-induction 2    (run-time errors) violated: after 0 steps
spec StoppedInvariantRaises
var x: -1..0 in -1..0

invariant Ratio: 6 % x > 1
invariant NotPositive: x <= 0
allow deadlock
