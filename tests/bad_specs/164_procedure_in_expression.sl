# a procedure used as a value: it is a statement (SL304)
spec ProcValue
process P:
    var x: 0..2 = 0

    proc set(v: 0..2):
        x := v

    action go:
        x := set(1)

check c:
    expect DeadlockFreedom violated
