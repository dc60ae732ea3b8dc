spec E
var x: 0..3 = 0
invariant I: x >= 0 \/ x <= 3
allow deadlock
