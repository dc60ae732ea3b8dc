spec E
const N = 3
var x: seq[int] = [i for i in 0..N-1]
allow deadlock
