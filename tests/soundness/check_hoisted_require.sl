# Found by the engine-agreement generator (a bug of the explicit checker, not of Z3):
# `require b` does not mention the parameter, so the compiled model tests it first
# (hoisted out of the parameter loop); with b false it never evaluates the `require`
# before it, whose P[2] is not an instance.  The spec's meaning (requires run in order,
# tests/reference.py) is a run-time error in the first step; check reports a deadlock.
# BMC and Spacer find the error, replay it through the compiled model, which does not
# raise it, and stop with an internal error (exit 4).  (test_crosscheck.py's
# BUG_LATER_REQUIRE_MASKS_ERROR is the same with a map key; that one is fixed.)
#   stateline check THIS                    DeadlockFreedom violated (0 steps), exit 1    (wrong: SL601)
#   stateline prove THIS --bmc 1            internal error: Z3 found a run-time error in the step
#                                           at depth 0 that the compiled model does not raise, exit 4
spec CheckHoistedRequire
var b: bool = false

process P(self in 0..1):
    var c: 0..1 = 0
    action a(p in 0..2):
        require P[p].c > p
        require b
