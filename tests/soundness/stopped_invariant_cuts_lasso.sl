# Issue 11 item 4, in BMC's lasso search: `Ratio` is violated initially, so check
# stops evaluating it; the lasso search keeps only states where every property can be
# evaluated, so it never reaches x = 0 (where 6 // x would divide by zero), and misses
# the only fair violating lasso.
#   stateline check THIS                    Ratio violated (0 steps); OneAgain violated:
#                                           a lasso of 2 steps (down, down, then stuttering at x = 0)
#   stateline prove THIS --bmc 3            OneAgain "holds up to the bound: no fair violating
#                                           lasso of at most 3 steps"                   (unsound)
spec StoppedInvariantCutsLasso
var x: 0..2 = 2

fair weak action down if x > 0:
    x := x - 1

invariant Ratio: 6 // x > 3
property OneAgain: always eventually x == 1
allow deadlock
