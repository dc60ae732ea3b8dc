# Found by the engine-agreement generator: --induction proves "(run-time errors)" absent
# although an initial state raises one.  `min(s)` of the empty initial set cannot be
# evaluated: check stops with SL602 there; --induction reports Early "violated: false
# in an initial state" and "(run-time errors) proved: no run-time error in a state
# satisfying the invariant" -- but no reachable state satisfies it.
#   stateline check THIS                    run-time error: min() of an empty set (0 steps), exit 2
#   stateline prove THIS --induction        Early violated; (run-time errors) "proved"      (unsound)
#   stateline prove THIS --k-induction 2    (run-time errors) violated after 0 steps (agrees)
spec InductionErrorsProved
var s: set[0..1] = {}

action add:
    s := s | {0}

invariant Early: min(s) > 0
