# Issue 11 item 5: --induction and --k-induction silently skip deadlock freedom.
#   stateline check THIS                    DeadlockFreedom violated (2 steps)
#   stateline prove THIS --induction        no DeadlockFreedom line; exit 0           (unsound)
#   stateline prove THIS --k-induction 2    no DeadlockFreedom line; exit 0           (unsound)
spec InductionSkipsDeadlock
var x: 0..2 = 0

action inc if x < 2:
    x := x + 1

invariant Small: x <= 2
allow deadlock

check c:
    expect DeadlockFreedom holds
