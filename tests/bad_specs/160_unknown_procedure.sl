# a call of a procedure the process does not declare (SL201, with a did-you-mean hint)
spec UnknownProc
process P:
    var x: 0..2 = 0

    proc bump(by: 0..2):
        x := by

    action go:
        bmp(1)

check c:
    expect DeadlockFreedom violated
