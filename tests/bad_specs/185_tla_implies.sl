spec E
var x: 0..3 = 0
invariant I: x > 5 => x > 4
allow deadlock
