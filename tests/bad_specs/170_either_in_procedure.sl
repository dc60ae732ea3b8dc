# 'either' in a procedure: its choices are parameters of the calling step (SL106)
spec EitherInProc
process P:
    var x: 0..3 = 0

    proc pick():
        either:
            x := 1
        or:
            x := 2

    action a:
        pick()

check c:
    expect DeadlockFreedom violated
