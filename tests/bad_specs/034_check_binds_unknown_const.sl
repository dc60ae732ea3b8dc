spec CheckBindsUnknown
const N = 3
var x: 0..N = 0
check small(M = 2):
    expect DeadlockFreedom violated
