# Issue 11 item 4: an invariant violated (and no longer evaluated by check) cuts off
# the states where it cannot be evaluated, in Spacer.
#   stateline check THIS                    MinBig violated (0 steps), YSmall violated (2 steps)
#   stateline prove THIS --auto             YSmall "proved: for all reachable states"   (unsound)
spec StoppedInvariantCutsStates
var s: set[0..1] = {0}
var y: 0..2 = 0

action empty:
    s := {}

action grow if len(s) == 0 and y < 2:
    y := y + 1

invariant MinBig: min(s) > 3
invariant YSmall: y < 2
allow deadlock
