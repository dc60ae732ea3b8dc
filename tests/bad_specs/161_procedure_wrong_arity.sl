# a procedure called with the wrong number of arguments (SL302)
spec ProcArity
process P:
    var x: 0..2 = 0

    proc set(v: 0..2):
        x := v

    action go:
        set(1, 2)

check c:
    expect DeadlockFreedom violated
