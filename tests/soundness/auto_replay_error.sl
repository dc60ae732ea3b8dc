# Found by the engine-agreement generator: --auto crashes (internal error, exit 4) when
# the step that violates a transition invariant starts in a state where another action
# raises a run-time error: replaying Spacer's counterexample meets the error.
#   stateline check THIS                    run-time error: 'x': 2 is outside 0..1 (0 steps), exit 2
#   stateline prove THIS --bmc 1            the same run-time error, exit 2
#   stateline prove THIS --auto             internal error: replaying a Z3 trace raised a
#                                           run-time error the encoding did not predict, exit 4
spec AutoReplayError
var x: 0..1 = 1

action inc:
    x := x + 1

action touch:
    x := x

transition AlwaysMoves: x' != x
