# Item 6: a temporal property whose predicate raises a run-time error in a reachable
# state is an error (SL602, exit 2), as an invariant is; the only violating lasso goes
# through that state, so `prove --bmc` reports none.
spec PredicateError

var x: 0..2 = 0

fair weak action step:
    require x < 2
    x := x + 1

property P: eventually 10 // (2 - x) == 1

allow deadlock

check c:
    expect P holds
