# Issue 11 item 2, a second symptom: --k-induction's step case asks for distinct
# states, the state after the breaking step included, so a step back to a state
# earlier on the path (not only a state-preserving one) can never break a transition
# invariant there.
#   stateline check THIS                    StartedTrue violated (2 steps: flip, flip)
#   stateline prove THIS --k-induction 2    StartedTrue "proved: 2-inductive"          (unsound)
spec KInductionStepBack
var b: bool = true

action flip:
    b := not b

transition StartedTrue: b
