spec E
var x: 0..3 = 0
invariant I: x \in 0..3
allow deadlock
