# procedures that call each other: they are inlined, so not recursive (SL205 with the cycle)
spec ProcCycle
process P:
    var x: 0..2 = 0

    proc ping(v: 0..2):
        x := v
        pong(v)

    proc pong(v: 0..2):
        ping(v)

    action go:
        ping(1)

check c:
    expect DeadlockFreedom violated
