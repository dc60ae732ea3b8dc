# a procedure parameter without a type (SL303)
spec ProcUntyped
process P:
    var x: 0..2 = 0

    proc set(v):
        x := v

    action go:
        set(1)

check c:
    expect DeadlockFreedom violated
