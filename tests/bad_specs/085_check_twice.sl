spec CheckTwice
const N = 3
var x: 0..N = 0
check small(N = 2):
    expect DeadlockFreedom violated
check small(N = 1):
    expect DeadlockFreedom violated
