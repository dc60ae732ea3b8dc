# Issue 11 item 2: --k-induction drops state-preserving steps.
#   stateline check THIS                    AlwaysMoves violated: touch (1 step)
#   stateline prove THIS --k-induction 1    AlwaysMoves "proved: 1-inductive"   (unsound)
spec KInductionStutter
var x: 0..2 = 0

action touch:
    x := x

transition AlwaysMoves: x' != x
