# Issue 11 item 6: a temporal property whose predicate raises crashes check (exit 4).
#   stateline check THIS                    Traceback-free internal error, exit 4 (expected: SL602, exit 2)
spec TemporalPredicateRaises
var s: set[0..1] = {0}

action empty:
    s := {}

property EventuallyBig: eventually min(s) > 0
allow deadlock
