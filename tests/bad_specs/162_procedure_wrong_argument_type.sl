# a procedure argument of the wrong type (SL303)
spec ProcArgType
process P:
    var x: 0..2 = 0

    proc set(v: 0..2):
        x := v

    action go:
        set(true)

check c:
    expect DeadlockFreedom violated
